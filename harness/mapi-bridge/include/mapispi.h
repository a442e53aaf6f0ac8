/*
 * mapispi.h: the service provider interface as far as a message store provider uses it: MAPI's
 * support object (IMAPISupport), the provider and logon objects (IMSProvider, IMSLogon) and the
 * entry point MSProviderInit, in the vtable order of the MAPI reference pages (spoolcheck's own
 * minimal header set; see mapidefs.h).
 */
#ifndef SPOOLCHECK_MAPISPI_H
#define SPOOLCHECK_MAPISPI_H

#include "mapidefs.h"

/* The SPI version MAPI passes to MSProviderInit and expects back. */
#define CURRENT_SPI_VERSION 0x00010010u

/* IMessage::SubmitMessage. */
#define FORCE_SUBMIT 0x00000001u
/* IMAPISupport::ExpandRecips output. */
#define NEEDS_PREPROCESSING 0x00000001u
#define NEEDS_SPOOLER 0x00000002u
/* IMAPISupport::SpoolerNotify. */
#define NOTIFY_NEWMAIL 0x00000001u
#define NOTIFY_READYTOSEND 0x00000002u
#define NOTIFY_SENTDEFERRED 0x00000004u
#define NOTIFY_CRITSEC 0x00001000u
#define NOTIFY_NONCRIT 0x00002000u
#define NOTIFY_CONFIG_CHANGE 0x00004000u
#define NOTIFY_CRITICAL_ERROR 0x10000000u
/* IMAPISupport::Subscribe, Notify. */
#define NOTIFY_SYNC 0x40000000u
#define NOTIFY_CANCELED 0x80000000u
/* IMSProvider::Logon, SpoolerLogon. */
#define MDB_NO_DIALOG 0x00000001u
#define MDB_WRITE 0x00000004u
#define MDB_TEMPORARY 0x00000020u
#define MDB_NO_MAIL 0x00000080u
/* IMAPISupport::OpenProfileSection. */
#define MAPI_MODIFY_PROFILE MAPI_MODIFY

class IMAPIStatus;
typedef IMAPIStatus *LPMAPISTATUS;
class IAddrBook;
typedef IAddrBook *LPADRBOOK;
class IStorage;
typedef IStorage *LPSTORAGE;
class IStream;
typedef IStream *LPSTREAM;
typedef struct _ADRPARM ADRPARM, *LPADRPARM;
typedef void(STDMETHODCALLTYPE DISMISSMODELESS)(ULONG_PTR ulUIParam, LPVOID lpvContext);
typedef DISMISSMODELESS *LPFNDISMISS;
typedef SCODE(STDMETHODCALLTYPE BUTTONCALLBACK)(LPVOID lpvContext, ULONG cbEntryID,
                                                LPENTRYID lpSelection);
typedef BUTTONCALLBACK *LPFNBUTTON;

class IMAPISupport : MAPI_IUNKNOWN_BASE
{
public:
    virtual STDMETHODIMP GetLastError(HRESULT hResult, ULONG ulFlags,
                                      LPMAPIERROR *lppMAPIError) = 0;
    virtual STDMETHODIMP GetMemAllocRoutines(LPALLOCATEBUFFER *lpAllocateBuffer,
                                             LPALLOCATEMORE *lpAllocateMore,
                                             LPFREEBUFFER *lpFreeBuffer) = 0;
    virtual STDMETHODIMP Subscribe(LPNOTIFKEY lpKey, ULONG ulEventMask, ULONG ulFlags,
                                   LPMAPIADVISESINK lpAdviseSink, ULONG *lpulConnection) = 0;
    virtual STDMETHODIMP Unsubscribe(ULONG ulConnection) = 0;
    virtual STDMETHODIMP Notify(LPNOTIFKEY lpKey, ULONG cNotification,
                                LPNOTIFICATION lpNotifications, ULONG *lpulFlags) = 0;
    virtual STDMETHODIMP ModifyStatusRow(ULONG cValues, LPSPropValue lpColumnVals,
                                         ULONG ulFlags) = 0;
    virtual STDMETHODIMP OpenProfileSection(LPMAPIUID lpUid, ULONG ulFlags,
                                            LPPROFSECT *lppProfileObj) = 0;
    virtual STDMETHODIMP RegisterPreprocessor(LPMAPIUID lpMuid, LPSTR lpszAdrType,
                                              LPSTR lpszDLLName, LPSTR lpszPreprocess,
                                              LPSTR lpszRemovePreprocessInfo, ULONG ulFlags) = 0;
    virtual STDMETHODIMP NewUID(LPMAPIUID lpMuid) = 0;
    virtual STDMETHODIMP MakeInvalid(ULONG ulFlags, LPVOID lpObject, ULONG ulRefCount,
                                     ULONG cMethods) = 0;
    virtual STDMETHODIMP SpoolerYield(ULONG ulFlags) = 0;
    virtual STDMETHODIMP SpoolerNotify(ULONG ulFlags, LPVOID lpvData) = 0;
    virtual STDMETHODIMP CreateOneOff(LPTSTR lpszName, LPTSTR lpszAdrType, LPTSTR lpszAddress,
                                      ULONG ulFlags, ULONG *lpcbEntryID, LPENTRYID *lppEntryID) = 0;
    virtual STDMETHODIMP SetProviderUID(LPMAPIUID lpProviderID, ULONG ulFlags) = 0;
    virtual STDMETHODIMP CompareEntryIDs(ULONG cbEntry1, LPENTRYID lpEntry1, ULONG cbEntry2,
                                         LPENTRYID lpEntry2, ULONG ulCompareFlags,
                                         ULONG *lpulResult) = 0;
    virtual STDMETHODIMP OpenTemplateID(ULONG cbTemplateID, LPENTRYID lpTemplateID,
                                        ULONG ulTemplateFlags, LPMAPIPROP lpMAPIPropData,
                                        LPCIID lpInterface, LPMAPIPROP *lppMAPIPropNew,
                                        LPMAPIPROP lpMAPIPropSibling) = 0;
    virtual STDMETHODIMP OpenEntry(ULONG cbEntryID, LPENTRYID lpEntryID, LPCIID lpInterface,
                                   ULONG ulOpenFlags, ULONG *lpulObjType, LPUNKNOWN *lppUnk) = 0;
    virtual STDMETHODIMP GetOneOffTable(ULONG ulFlags, LPMAPITABLE *lppTable) = 0;
    virtual STDMETHODIMP Address(ULONG_PTR *lpulUIParam, LPADRPARM lpAdrParms,
                                 LPADRLIST *lppAdrList) = 0;
    virtual STDMETHODIMP Details(ULONG_PTR *lpulUIParam, LPFNDISMISS lpfnDismiss,
                                 LPVOID lpvDismissContext, ULONG cbEntryID, LPENTRYID lpEntryID,
                                 LPFNBUTTON lpfButtonCallback, LPVOID lpvButtonContext,
                                 LPTSTR lpszButtonText, ULONG ulFlags) = 0;
    virtual STDMETHODIMP NewEntry(ULONG_PTR ulUIParam, ULONG ulFlags, ULONG cbEIDContainer,
                                  LPENTRYID lpEIDContainer, ULONG cbEIDNewEntryTpl,
                                  LPENTRYID lpEIDNewEntryTpl, ULONG *lpcbEIDNewEntry,
                                  LPENTRYID *lppEIDNewEntry) = 0;
    virtual STDMETHODIMP DoConfigPropsheet(ULONG_PTR ulUIParam, ULONG ulFlags, LPTSTR lpszTitle,
                                           LPMAPITABLE lpDisplayTable, LPMAPIPROP lpCOnfigData,
                                           ULONG ulTopPage) = 0;
    virtual STDMETHODIMP CopyMessages(LPCIID lpSrcInterface, LPVOID lpSrcFolder,
                                      LPENTRYLIST lpMsgList, LPCIID lpDestInterface,
                                      LPVOID lpDestFolder, ULONG_PTR ulUIParam,
                                      LPMAPIPROGRESS lpProgress, ULONG ulFlags) = 0;
    virtual STDMETHODIMP CopyFolder(LPCIID lpSrcInterface, LPVOID lpSrcFolder, ULONG cbEntryID,
                                    LPENTRYID lpEntryID, LPCIID lpDestInterface,
                                    LPVOID lpDestFolder, LPTSTR lpszNewFolderName,
                                    ULONG_PTR ulUIParam, LPMAPIPROGRESS lpProgress,
                                    ULONG ulFlags) = 0;
    virtual STDMETHODIMP DoCopyTo(LPCIID lpSrcInterface, LPVOID lpSrcObj, ULONG ciidExclude,
                                  LPCIID rgiidExclude, LPSPropTagArray lpExcludeProps,
                                  ULONG_PTR ulUIParam, LPMAPIPROGRESS lpProgress,
                                  LPCIID lpDestInterface, LPVOID lpDestObj, ULONG ulFlags,
                                  LPSPropProblemArray *lppProblems) = 0;
    virtual STDMETHODIMP DoCopyProps(LPCIID lpSrcInterface, LPVOID lpSrcObj,
                                     LPSPropTagArray lpIncludeProps, ULONG_PTR ulUIParam,
                                     LPMAPIPROGRESS lpProgress, LPCIID lpDestInterface,
                                     LPVOID lpDestObj, ULONG ulFlags,
                                     LPSPropProblemArray *lppProblems) = 0;
    virtual STDMETHODIMP DoProgressDialog(ULONG_PTR ulUIParam, ULONG ulFlags,
                                          LPMAPIPROGRESS *lppProgress) = 0;
    virtual STDMETHODIMP ReadReceipt(ULONG ulFlags, LPMESSAGE lpReadMessage,
                                     LPMESSAGE *lppEmptyMessage) = 0;
    virtual STDMETHODIMP PrepareSubmit(LPMESSAGE lpMessage, ULONG *lpulFlags) = 0;
    virtual STDMETHODIMP ExpandRecips(LPMESSAGE lpMessage, ULONG *lpulFlags) = 0;
    /* UpdatePAB and Preprocess have no reference page but hold these vtable slots in MAPI's
     * IMAPISupport (mapi4linux declares them too). */
    virtual STDMETHODIMP UpdatePAB(ULONG ulFlags, LPMESSAGE lpMessage) = 0;
    virtual STDMETHODIMP DoSentMail(ULONG ulFlags, LPMESSAGE lpMessage) = 0;
    virtual STDMETHODIMP OpenAddressBook(LPCIID lpInterface, ULONG ulFlags,
                                         LPADRBOOK *lppAdrBook) = 0;
    virtual STDMETHODIMP Preprocess(ULONG ulFlags, ULONG cbEntryID, LPENTRYID lpEntryID) = 0;
    virtual STDMETHODIMP CompleteMsg(ULONG ulFlags, ULONG cbEntryID, LPENTRYID lpEntryID) = 0;
    virtual STDMETHODIMP StoreLogoffTransports(ULONG *lpulFlags) = 0;
    virtual STDMETHODIMP StatusRecips(LPMESSAGE lpMessage, LPADRLIST lpRecipList) = 0;
    virtual STDMETHODIMP WrapStoreEntryID(ULONG cbOrigEntry, LPENTRYID lpOrigEntry,
                                          ULONG *lpcbWrappedEntry, LPENTRYID *lppWrappedEntry) = 0;
    virtual STDMETHODIMP ModifyProfile(ULONG ulFlags) = 0;
    virtual STDMETHODIMP IStorageFromStream(LPUNKNOWN lpUnkIn, LPCIID lpInterface, ULONG ulFlags,
                                            LPSTORAGE *lppStorageOut) = 0;
    virtual STDMETHODIMP GetSvcConfigSupportObj(ULONG ulFlags, IMAPISupport **lppSvcSupport) = 0;
};
typedef IMAPISupport *LPMAPISUP;

class IMSLogon : MAPI_IUNKNOWN_BASE
{
public:
    virtual STDMETHODIMP GetLastError(HRESULT hResult, ULONG ulFlags,
                                      LPMAPIERROR *lppMAPIError) = 0;
    virtual STDMETHODIMP Logoff(ULONG *lpulFlags) = 0;
    virtual STDMETHODIMP OpenEntry(ULONG cbEntryID, LPENTRYID lpEntryID, LPCIID lpInterface,
                                   ULONG ulFlags, ULONG *lpulObjType, LPUNKNOWN *lppUnk) = 0;
    virtual STDMETHODIMP CompareEntryIDs(ULONG cbEntryID1, LPENTRYID lpEntryID1, ULONG cbEntryID2,
                                         LPENTRYID lpEntryID2, ULONG ulFlags,
                                         ULONG *lpulResult) = 0;
    virtual STDMETHODIMP Advise(ULONG cbEntryID, LPENTRYID lpEntryID, ULONG ulEventMask,
                                LPMAPIADVISESINK lpAdviseSink, ULONG *lpulConnection) = 0;
    virtual STDMETHODIMP Unadvise(ULONG ulConnection) = 0;
    virtual STDMETHODIMP OpenStatusEntry(LPCIID lpInterface, ULONG ulFlags, ULONG *lpulObjType,
                                         LPVOID *lppEntry) = 0;
};
typedef IMSLogon *LPMSLOGON;

class IMSProvider : MAPI_IUNKNOWN_BASE
{
public:
    virtual STDMETHODIMP Shutdown(ULONG *lpulFlags) = 0;
    virtual STDMETHODIMP Logon(LPMAPISUP lpMAPISup, ULONG_PTR ulUIParam, LPSTR lpszProfileName,
                               ULONG cbEntryID, LPENTRYID lpEntryID, ULONG ulFlags,
                               LPCIID lpInterface, ULONG *lpcbSpoolSecurity,
                               LPBYTE *lppbSpoolSecurity, LPMAPIERROR *lppMAPIError,
                               LPMSLOGON *lppMSLogon, LPMDB *lppMDB) = 0;
    virtual STDMETHODIMP SpoolerLogon(LPMAPISUP lpMAPISup, ULONG_PTR ulUIParam,
                                      LPSTR lpszProfileName, ULONG cbEntryID, LPENTRYID lpEntryID,
                                      ULONG ulFlags, LPCIID lpInterface, ULONG cbSpoolSecurity,
                                      LPBYTE lpbSpoolSecurity, LPMAPIERROR *lppMAPIError,
                                      LPMSLOGON *lppMSLogon, LPMDB *lppMDB) = 0;
    virtual STDMETHODIMP CompareStoreIDs(ULONG cbEntryID1, LPENTRYID lpEntryID1, ULONG cbEntryID2,
                                         LPENTRYID lpEntryID2, ULONG ulFlags,
                                         ULONG *lpulResult) = 0;
};
typedef IMSProvider *LPMSPROVIDER;

/* The entry point a message store provider exports, under the name "MSProviderInit". */
typedef HRESULT(STDMAPIINITCALLTYPE MSPROVIDERINIT)(HINSTANCE hInstance, LPMALLOC lpMalloc,
                                                    LPALLOCATEBUFFER lpAllocateBuffer,
                                                    LPALLOCATEMORE lpAllocateMore,
                                                    LPFREEBUFFER lpFreeBuffer, ULONG ulFlags,
                                                    ULONG ulMAPIVer, ULONG *lpulProviderVer,
                                                    LPMSPROVIDER *lppMSProvider);

#endif /* SPOOLCHECK_MAPISPI_H */
