/*
 * mapidefs.h: spoolcheck's own minimal declaration of the MAPI types and interfaces the bridge and
 * the example provider use, written from the MAPI reference pages (interface names, vtable order,
 * structure members). It is not the Windows SDK's or mapi4linux's header: build against those with
 * `make -C harness/mapi-bridge MAPI_INCLUDE=DIR` when your provider was built with them.
 *
 * Two binary layouts of IUnknown, chosen at compile time:
 *   default                      COM: QueryInterface, AddRef, Release first; single inheritance.
 *   SPOOLCHECK_MAPI_LAYOUT_M4L   the mapi4linux way: a virtual destructor first, QueryInterface
 *                                last, and every interface inherits IUnknown virtually.
 * Source written against the interface and method names compiles and works under either, which is
 * what the project checks with the second one.
 */
#ifndef SPOOLCHECK_MAPIDEFS_H
#define SPOOLCHECK_MAPIDEFS_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

/* ---- Base types ---------------------------------------------------------------------------- */

typedef uint32_t ULONG;
typedef int32_t LONG;
typedef uint16_t USHORT;
typedef uint8_t BYTE;
typedef uint32_t DWORD;
typedef int32_t BOOL;
typedef int32_t HRESULT;
typedef int32_t SCODE;
typedef uintptr_t ULONG_PTR;
typedef size_t SIZE_T;
typedef char *LPSTR;
typedef wchar_t *LPWSTR;
typedef LPSTR LPTSTR; /* this header set is ANSI: MAPI_UNICODE is never assumed */
typedef BYTE *LPBYTE;
typedef ULONG *LPULONG;
typedef void *LPVOID;
typedef void *HINSTANCE;

#ifndef STDMETHODCALLTYPE
#define STDMETHODCALLTYPE
#endif
#ifndef STDMETHODIMP
#define STDMETHODIMP HRESULT STDMETHODCALLTYPE
#define STDMETHODIMP_(type) type STDMETHODCALLTYPE
#endif
#define STDAPICALLTYPE
#define STDMAPIINITCALLTYPE

#define MAPI_DIM 1

#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#define FAILED(hr) (((HRESULT)(hr)) < 0)
#define HR_SUCCEEDED(hr) SUCCEEDED(hr)
#define HR_FAILED(hr) FAILED(hr)

typedef struct _GUID {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
} GUID;
typedef GUID IID;
typedef GUID *LPGUID;
typedef const IID &REFIID;
typedef const IID *LPCIID;

typedef struct _FILETIME {
    DWORD dwLowDateTime;
    DWORD dwHighDateTime;
} FILETIME;

typedef union _LARGE_INTEGER {
    struct {
        DWORD LowPart;
        LONG HighPart;
    } u;
    int64_t QuadPart;
} LARGE_INTEGER;

typedef union tagCY {
    struct {
        uint32_t Lo;
        int32_t Hi;
    } s;
    int64_t int64;
} CURRENCY;

/* ---- IUnknown ----------------------------------------------------------------------------- */

#ifdef SPOOLCHECK_MAPI_LAYOUT_M4L
class IUnknown
{
public:
    virtual ~IUnknown() {}
    virtual STDMETHODIMP_(ULONG) AddRef() = 0;
    virtual STDMETHODIMP_(ULONG) Release() = 0;
    virtual STDMETHODIMP QueryInterface(REFIID riid, void **ppvObject) = 0;
};
#define MAPI_IUNKNOWN_BASE                                                                         \
public                                                                                             \
    virtual IUnknown
#else
class IUnknown
{
public:
    virtual STDMETHODIMP QueryInterface(REFIID riid, void **ppvObject) = 0;
    virtual STDMETHODIMP_(ULONG) AddRef() = 0;
    virtual STDMETHODIMP_(ULONG) Release() = 0;
};
#define MAPI_IUNKNOWN_BASE                                                                         \
public                                                                                             \
    IUnknown
#endif
typedef IUnknown *LPUNKNOWN;

/* The OLE allocator handed to MSProviderInit. */
class IMalloc : MAPI_IUNKNOWN_BASE
{
public:
    virtual STDMETHODIMP_(void *) Alloc(SIZE_T cb) = 0;
    virtual STDMETHODIMP_(void *) Realloc(void *pv, SIZE_T cb) = 0;
    virtual STDMETHODIMP_(void) Free(void *pv) = 0;
    virtual STDMETHODIMP_(SIZE_T) GetSize(void *pv) = 0;
    virtual STDMETHODIMP_(int) DidAlloc(void *pv) = 0;
    virtual STDMETHODIMP_(void) HeapMinimize() = 0;
};
typedef IMalloc *LPMALLOC;

/* ---- Identifiers -------------------------------------------------------------------------- */

typedef struct _ENTRYID {
    BYTE abFlags[4];
    BYTE ab[MAPI_DIM];
} ENTRYID, *LPENTRYID;

typedef struct _MAPIUID {
    BYTE ab[16];
} MAPIUID, *LPMAPIUID;

typedef struct _SBinary {
    ULONG cb;
    LPBYTE lpb;
} SBinary, *LPSBinary;

typedef struct _SBinaryArray {
    ULONG cValues;
    SBinary *lpbin;
} SBinaryArray, ENTRYLIST, *LPENTRYLIST;

typedef struct _NOTIFKEY {
    ULONG cb;
    BYTE ab[MAPI_DIM];
} NOTIFKEY, *LPNOTIFKEY;

/* Object types (PR_OBJECT_TYPE, OpenEntry's *lpulObjType). */
#define MAPI_STORE 0x00000001u
#define MAPI_ADDRBOOK 0x00000002u
#define MAPI_FOLDER 0x00000003u
#define MAPI_ABCONT 0x00000004u
#define MAPI_MESSAGE 0x00000005u
#define MAPI_MAILUSER 0x00000006u
#define MAPI_ATTACH 0x00000007u
#define MAPI_DISTLIST 0x00000008u
#define MAPI_PROFSECT 0x00000009u
#define MAPI_STATUS 0x0000000Au
#define MAPI_SESSION 0x0000000Bu

/* ---- Property values ---------------------------------------------------------------------- */

#define PT_UNSPECIFIED 0x0000u
#define PT_NULL 0x0001u
#define PT_I2 0x0002u
#define PT_LONG 0x0003u
#define PT_R4 0x0004u
#define PT_DOUBLE 0x0005u
#define PT_CURRENCY 0x0006u
#define PT_APPTIME 0x0007u
#define PT_ERROR 0x000Au
#define PT_BOOLEAN 0x000Bu
#define PT_OBJECT 0x000Du
#define PT_I8 0x0014u
#define PT_STRING8 0x001Eu
#define PT_UNICODE 0x001Fu
#define PT_SYSTIME 0x0040u
#define PT_CLSID 0x0048u
#define PT_BINARY 0x0102u
#define MV_FLAG 0x1000u

#define PROP_TYPE(tag) ((ULONG)(tag)&0xFFFFu)
#define PROP_ID(tag) (((ULONG)(tag)) >> 16)
#define PROP_TAG(type, id) ((((ULONG)(id)) << 16) | ((ULONG)(type)))
#define CHANGE_PROP_TYPE(tag, type) (((ULONG)0xFFFF0000u & (tag)) | (type))

typedef struct _SShortArray {
    ULONG cValues;
    short *lpi;
} SShortArray;
typedef struct _SLongArray {
    ULONG cValues;
    LONG *lpl;
} SLongArray;
typedef struct _SRealArray {
    ULONG cValues;
    float *lpflt;
} SRealArray;
typedef struct _SDoubleArray {
    ULONG cValues;
    double *lpdbl;
} SDoubleArray;
typedef struct _SCurrencyArray {
    ULONG cValues;
    CURRENCY *lpcur;
} SCurrencyArray;
typedef struct _SAppTimeArray {
    ULONG cValues;
    double *lpat;
} SAppTimeArray;
typedef struct _SDateTimeArray {
    ULONG cValues;
    FILETIME *lpft;
} SDateTimeArray;
typedef struct _SLPSTRArray {
    ULONG cValues;
    LPSTR *lppszA;
} SLPSTRArray;
typedef struct _SWStringArray {
    ULONG cValues;
    LPWSTR *lppszW;
} SWStringArray;
typedef struct _SGuidArray {
    ULONG cValues;
    GUID *lpguid;
} SGuidArray;
typedef struct _SLargeIntegerArray {
    ULONG cValues;
    LARGE_INTEGER *lpli;
} SLargeIntegerArray;

union _PV {
    short i;
    LONG l;
    ULONG ul;
    float flt;
    double dbl;
    unsigned short b;
    CURRENCY cur;
    double at;
    FILETIME ft;
    LPSTR lpszA;
    SBinary bin;
    LPWSTR lpszW;
    LPGUID lpguid;
    LARGE_INTEGER li;
    SShortArray MVi;
    SLongArray MVl;
    SRealArray MVflt;
    SDoubleArray MVdbl;
    SCurrencyArray MVcur;
    SAppTimeArray MVat;
    SDateTimeArray MVft;
    SBinaryArray MVbin;
    SLPSTRArray MVszA;
    SWStringArray MVszW;
    SGuidArray MVguid;
    SLargeIntegerArray MVli;
    SCODE err;
    LONG x;
};

typedef struct _SPropValue {
    ULONG ulPropTag;
    ULONG dwAlignPad;
    union _PV Value;
} SPropValue, *LPSPropValue;

typedef struct _SPropTagArray {
    ULONG cValues;
    ULONG aulPropTag[MAPI_DIM];
} SPropTagArray, *LPSPropTagArray;

/* Bytes of an SPropTagArray of n tags, for MAPIAllocateBuffer. */
#define CbNewSPropTagArray(n) (offsetof(SPropTagArray, aulPropTag) + (n) * sizeof(ULONG))

typedef struct _SPropProblem {
    ULONG ulIndex;
    ULONG ulPropTag;
    SCODE scode;
} SPropProblem;

typedef struct _SPropProblemArray {
    ULONG cProblem;
    SPropProblem aProblem[MAPI_DIM];
} SPropProblemArray, *LPSPropProblemArray;

typedef struct _SRow {
    ULONG ulAdrEntryPad;
    ULONG cValues;
    LPSPropValue lpProps;
} SRow, *LPSRow;

typedef struct _SRowSet {
    ULONG cRows;
    SRow aRow[MAPI_DIM];
} SRowSet, *LPSRowSet;

#define CbNewSRowSet(n) (offsetof(SRowSet, aRow) + (n) * sizeof(SRow))

typedef struct _ADRENTRY {
    ULONG ulReserved1;
    ULONG cValues;
    LPSPropValue rgPropVals;
} ADRENTRY, *LPADRENTRY;

typedef struct _ADRLIST {
    ULONG cEntries;
    ADRENTRY aEntries[MAPI_DIM];
} ADRLIST, *LPADRLIST;

#define CbNewADRLIST(n) (offsetof(ADRLIST, aEntries) + (n) * sizeof(ADRENTRY))

typedef struct _MAPIERROR {
    ULONG ulVersion;
    LPTSTR lpszError;
    LPTSTR lpszComponent;
    ULONG ulLowLevelError;
    ULONG ulContext;
} MAPIERROR, *LPMAPIERROR;

/* Tables: sorting and restrictions are declared only as far as the interfaces name them. */
typedef struct _SSortOrder {
    ULONG ulPropTag;
    ULONG ulOrder;
} SSortOrder;
typedef struct _SSortOrderSet {
    ULONG cSorts;
    ULONG cCategories;
    ULONG cExpanded;
    SSortOrder aSort[MAPI_DIM];
} SSortOrderSet, *LPSSortOrderSet;
typedef struct _SRestriction SRestriction, *LPSRestriction;
typedef ULONG BOOKMARK;

/* ---- Notifications ------------------------------------------------------------------------ */

#define fnevCriticalError 0x00000001u
#define fnevNewMail 0x00000002u
#define fnevObjectCreated 0x00000004u
#define fnevObjectDeleted 0x00000008u
#define fnevObjectModified 0x00000010u
#define fnevObjectMoved 0x00000020u
#define fnevObjectCopied 0x00000040u
#define fnevSearchComplete 0x00000080u
#define fnevTableModified 0x00000100u
#define fnevStatusObjectModified 0x00000200u
#define fnevExtended 0x80000000u

#define TABLE_CHANGED 1u
#define TABLE_ERROR 2u
#define TABLE_ROW_ADDED 3u
#define TABLE_ROW_DELETED 4u
#define TABLE_ROW_MODIFIED 5u
#define TABLE_SORT_DONE 6u
#define TABLE_RESTRICT_DONE 7u
#define TABLE_SETCOL_DONE 8u
#define TABLE_RELOAD 9u

typedef struct _ERROR_NOTIFICATION {
    ULONG cbEntryID;
    LPENTRYID lpEntryID;
    SCODE scode;
    ULONG ulFlags;
    LPMAPIERROR lpMAPIError;
} ERROR_NOTIFICATION;

typedef struct _NEWMAIL_NOTIFICATION {
    ULONG cbEntryID;
    LPENTRYID lpEntryID;
    ULONG cbParentID;
    LPENTRYID lpParentID;
    ULONG ulFlags;
    LPTSTR lpszMessageClass;
    ULONG ulMessageFlags;
} NEWMAIL_NOTIFICATION;

typedef struct _OBJECT_NOTIFICATION {
    ULONG cbEntryID;
    LPENTRYID lpEntryID;
    ULONG ulObjType;
    ULONG cbParentID;
    LPENTRYID lpParentID;
    ULONG cbOldID;
    LPENTRYID lpOldID;
    ULONG cbOldParentID;
    LPENTRYID lpOldParentID;
    LPSPropTagArray lpPropTagArray;
} OBJECT_NOTIFICATION;

typedef struct _TABLE_NOTIFICATION {
    ULONG ulTableEvent;
    HRESULT hResult;
    SPropValue propIndex;
    SPropValue propPrior;
    SRow row;
    ULONG ulPad;
} TABLE_NOTIFICATION;

typedef struct _EXTENDED_NOTIFICATION {
    ULONG ulEvent;
    ULONG cb;
    LPBYTE pbEventParameters;
} EXTENDED_NOTIFICATION;

typedef struct _STATUS_OBJECT_NOTIFICATION {
    ULONG cbEntryID;
    LPENTRYID lpEntryID;
    ULONG cValues;
    LPSPropValue lpPropVals;
} STATUS_OBJECT_NOTIFICATION;

typedef struct _NOTIFICATION {
    ULONG ulEventType;
    ULONG ulAlignPad;
    union {
        ERROR_NOTIFICATION err;
        NEWMAIL_NOTIFICATION newmail;
        OBJECT_NOTIFICATION obj;
        TABLE_NOTIFICATION tab;
        EXTENDED_NOTIFICATION ext;
        STATUS_OBJECT_NOTIFICATION statobj;
    } info;
} NOTIFICATION, *LPNOTIFICATION;

class IMAPIAdviseSink : MAPI_IUNKNOWN_BASE
{
public:
    virtual STDMETHODIMP_(ULONG) OnNotify(ULONG cNotif, LPNOTIFICATION lpNotifications) = 0;
};
typedef IMAPIAdviseSink *LPMAPIADVISESINK;

/* Interfaces named in signatures only; the harness implements none of them. */
class IMAPIProgress;
typedef IMAPIProgress *LPMAPIPROGRESS;
class IAttach;
typedef IAttach *LPATTACH;
typedef struct _MAPINAMEID MAPINAMEID, *LPMAPINAMEID;

/* ---- IMAPIProp and the objects built on it ------------------------------------------------- */

/* Flags of SaveChanges, OpenEntry, ModifyRecipients and the others. */
#define MAPI_MODIFY 0x00000001u
#define MAPI_CREATE 0x00000002u
#define MAPI_DEFERRED_ERRORS 0x00000008u
#define MAPI_BEST_ACCESS 0x00000010u
#define MAPI_UNICODE 0x80000000u
#define KEEP_OPEN_READONLY 0x00000001u
#define KEEP_OPEN_READWRITE 0x00000002u
#define FORCE_SAVE 0x00000004u
#define MODRECIP_ADD 0x00000002u
#define MODRECIP_MODIFY 0x00000004u
#define MODRECIP_REMOVE 0x00000008u
#define MAPI_ORIG 0u
#define MAPI_TO 1u
#define MAPI_CC 2u
#define MAPI_BCC 3u
#define DEL_MESSAGES 0x00000001u
#define DEL_FOLDERS 0x00000004u
#define DEL_ASSOCIATED 0x00000008u
#define DELETE_HARD_DELETE 0x00000010u
#define CLEAR_READ_FLAG 0x00000004u
#define FOLDER_GENERIC 1u

class IMAPITable;
typedef IMAPITable *LPMAPITABLE;

class IMAPIProp : MAPI_IUNKNOWN_BASE
{
public:
    virtual STDMETHODIMP GetLastError(HRESULT hResult, ULONG ulFlags,
                                      LPMAPIERROR *lppMAPIError) = 0;
    virtual STDMETHODIMP SaveChanges(ULONG ulFlags) = 0;
    virtual STDMETHODIMP GetProps(LPSPropTagArray lpPropTagArray, ULONG ulFlags, ULONG *lpcValues,
                                  LPSPropValue *lppPropArray) = 0;
    virtual STDMETHODIMP GetPropList(ULONG ulFlags, LPSPropTagArray *lppPropTagArray) = 0;
    virtual STDMETHODIMP OpenProperty(ULONG ulPropTag, LPCIID lpiid, ULONG ulInterfaceOptions,
                                      ULONG ulFlags, LPUNKNOWN *lppUnk) = 0;
    virtual STDMETHODIMP SetProps(ULONG cValues, LPSPropValue lpPropArray,
                                  LPSPropProblemArray *lppProblems) = 0;
    virtual STDMETHODIMP DeleteProps(LPSPropTagArray lpPropTagArray,
                                     LPSPropProblemArray *lppProblems) = 0;
    virtual STDMETHODIMP CopyTo(ULONG ciidExclude, LPCIID rgiidExclude,
                                LPSPropTagArray lpExcludeProps, ULONG_PTR ulUIParam,
                                LPMAPIPROGRESS lpProgress, LPCIID lpInterface, LPVOID lpDestObj,
                                ULONG ulFlags, LPSPropProblemArray *lppProblems) = 0;
    virtual STDMETHODIMP CopyProps(LPSPropTagArray lpIncludeProps, ULONG_PTR ulUIParam,
                                   LPMAPIPROGRESS lpProgress, LPCIID lpInterface, LPVOID lpDestObj,
                                   ULONG ulFlags, LPSPropProblemArray *lppProblems) = 0;
    virtual STDMETHODIMP GetNamesFromIDs(LPSPropTagArray *lppPropTags, LPGUID lpPropSetGuid,
                                         ULONG ulFlags, ULONG *lpcPropNames,
                                         LPMAPINAMEID **lpppPropNames) = 0;
    virtual STDMETHODIMP GetIDsFromNames(ULONG cPropNames, LPMAPINAMEID *lppPropNames,
                                         ULONG ulFlags, LPSPropTagArray *lppPropTags) = 0;
};
typedef IMAPIProp *LPMAPIPROP;

/* A profile section is an IMAPIProp with no methods of its own. */
class IProfSect : public IMAPIProp
{
};
typedef IProfSect *LPPROFSECT;

class IMAPIContainer : public IMAPIProp
{
public:
    virtual STDMETHODIMP GetContentsTable(ULONG ulFlags, LPMAPITABLE *lppTable) = 0;
    virtual STDMETHODIMP GetHierarchyTable(ULONG ulFlags, LPMAPITABLE *lppTable) = 0;
    virtual STDMETHODIMP OpenEntry(ULONG cbEntryID, LPENTRYID lpEntryID, LPCIID lpInterface,
                                   ULONG ulFlags, ULONG *lpulObjType, LPUNKNOWN *lppUnk) = 0;
    virtual STDMETHODIMP SetSearchCriteria(LPSRestriction lpRestriction,
                                           LPENTRYLIST lpContainerList, ULONG ulSearchFlags) = 0;
    virtual STDMETHODIMP GetSearchCriteria(ULONG ulFlags, LPSRestriction *lppRestriction,
                                           LPENTRYLIST *lppContainerList,
                                           ULONG *lpulSearchState) = 0;
};
typedef IMAPIContainer *LPMAPICONTAINER;

class IMessage;
typedef IMessage *LPMESSAGE;
class IMAPIFolder;
typedef IMAPIFolder *LPMAPIFOLDER;

class IMAPIFolder : public IMAPIContainer
{
public:
    virtual STDMETHODIMP CreateMessage(LPCIID lpInterface, ULONG ulFlags,
                                       LPMESSAGE *lppMessage) = 0;
    virtual STDMETHODIMP CopyMessages(LPENTRYLIST lpMsgList, LPCIID lpInterface,
                                      LPVOID lpDestFolder, ULONG_PTR ulUIParam,
                                      LPMAPIPROGRESS lpProgress, ULONG ulFlags) = 0;
    virtual STDMETHODIMP DeleteMessages(LPENTRYLIST lpMsgList, ULONG_PTR ulUIParam,
                                        LPMAPIPROGRESS lpProgress, ULONG ulFlags) = 0;
    virtual STDMETHODIMP CreateFolder(ULONG ulFolderType, LPTSTR lpszFolderName,
                                      LPTSTR lpszFolderComment, LPCIID lpInterface, ULONG ulFlags,
                                      LPMAPIFOLDER *lppFolder) = 0;
    virtual STDMETHODIMP CopyFolder(ULONG cbEntryID, LPENTRYID lpEntryID, LPCIID lpInterface,
                                    LPVOID lpDestFolder, LPTSTR lpszNewFolderName,
                                    ULONG_PTR ulUIParam, LPMAPIPROGRESS lpProgress,
                                    ULONG ulFlags) = 0;
    virtual STDMETHODIMP DeleteFolder(ULONG cbEntryID, LPENTRYID lpEntryID, ULONG_PTR ulUIParam,
                                      LPMAPIPROGRESS lpProgress, ULONG ulFlags) = 0;
    virtual STDMETHODIMP SetReadFlags(LPENTRYLIST lpMsgList, ULONG_PTR ulUIParam,
                                      LPMAPIPROGRESS lpProgress, ULONG ulFlags) = 0;
    virtual STDMETHODIMP GetMessageStatus(ULONG cbEntryID, LPENTRYID lpEntryID, ULONG ulFlags,
                                          ULONG *lpulMessageStatus) = 0;
    virtual STDMETHODIMP SetMessageStatus(ULONG cbEntryID, LPENTRYID lpEntryID, ULONG ulNewStatus,
                                          ULONG ulNewStatusMask, ULONG *lpulOldStatus) = 0;
    virtual STDMETHODIMP SaveContentsSort(LPSSortOrderSet lpSortCriteria, ULONG ulFlags) = 0;
    virtual STDMETHODIMP EmptyFolder(ULONG_PTR ulUIParam, LPMAPIPROGRESS lpProgress,
                                     ULONG ulFlags) = 0;
};

class IMessage : public IMAPIProp
{
public:
    virtual STDMETHODIMP GetAttachmentTable(ULONG ulFlags, LPMAPITABLE *lppTable) = 0;
    virtual STDMETHODIMP OpenAttach(ULONG ulAttachmentNum, LPCIID lpInterface, ULONG ulFlags,
                                    LPATTACH *lppAttach) = 0;
    virtual STDMETHODIMP CreateAttach(LPCIID lpInterface, ULONG ulFlags, ULONG *lpulAttachmentNum,
                                      LPATTACH *lppAttach) = 0;
    virtual STDMETHODIMP DeleteAttach(ULONG ulAttachmentNum, ULONG_PTR ulUIParam,
                                      LPMAPIPROGRESS lpProgress, ULONG ulFlags) = 0;
    virtual STDMETHODIMP GetRecipientTable(ULONG ulFlags, LPMAPITABLE *lppTable) = 0;
    virtual STDMETHODIMP ModifyRecipients(ULONG ulFlags, LPADRLIST lpMods) = 0;
    virtual STDMETHODIMP SubmitMessage(ULONG ulFlags) = 0;
    virtual STDMETHODIMP SetReadFlag(ULONG ulFlags) = 0;
};

/* IMsgStore's SetLockState, FinishedMsg and StoreLogoff flags. */
#define MSG_LOCKED 0x00000001u
#define MSG_UNLOCKED 0x00000000u
#define LOGOFF_NO_WAIT 0x00000001u
#define LOGOFF_ORDERLY 0x00000002u
#define LOGOFF_PURGE 0x00000004u
#define LOGOFF_ABORT 0x00000008u
#define LOGOFF_QUIET 0x00000010u
#define LOGOFF_COMPLETE 0x00010000u
#define LOGOFF_INBOUND 0x00020000u
#define LOGOFF_OUTBOUND 0x00040000u
#define LOGOFF_OUTBOUND_QUEUE 0x00080000u

class IMsgStore : public IMAPIProp
{
public:
    virtual STDMETHODIMP Advise(ULONG cbEntryID, LPENTRYID lpEntryID, ULONG ulEventMask,
                                LPMAPIADVISESINK lpAdviseSink, ULONG *lpulConnection) = 0;
    virtual STDMETHODIMP Unadvise(ULONG ulConnection) = 0;
    virtual STDMETHODIMP CompareEntryIDs(ULONG cbEntryID1, LPENTRYID lpEntryID1, ULONG cbEntryID2,
                                         LPENTRYID lpEntryID2, ULONG ulFlags,
                                         ULONG *lpulResult) = 0;
    virtual STDMETHODIMP OpenEntry(ULONG cbEntryID, LPENTRYID lpEntryID, LPCIID lpInterface,
                                   ULONG ulFlags, ULONG *lpulObjType, LPUNKNOWN *lppUnk) = 0;
    virtual STDMETHODIMP SetReceiveFolder(LPTSTR lpszMessageClass, ULONG ulFlags, ULONG cbEntryID,
                                          LPENTRYID lpEntryID) = 0;
    virtual STDMETHODIMP GetReceiveFolder(LPTSTR lpszMessageClass, ULONG ulFlags,
                                          ULONG *lpcbEntryID, LPENTRYID *lppEntryID,
                                          LPTSTR *lppszExplicitClass) = 0;
    virtual STDMETHODIMP GetReceiveFolderTable(ULONG ulFlags, LPMAPITABLE *lppTable) = 0;
    virtual STDMETHODIMP StoreLogoff(ULONG *lpulFlags) = 0;
    virtual STDMETHODIMP AbortSubmit(ULONG cbEntryID, LPENTRYID lpEntryID, ULONG ulFlags) = 0;
    virtual STDMETHODIMP GetOutgoingQueue(ULONG ulFlags, LPMAPITABLE *lppTable) = 0;
    virtual STDMETHODIMP SetLockState(LPMESSAGE lpMessage, ULONG ulLockState) = 0;
    virtual STDMETHODIMP FinishedMsg(ULONG ulFlags, ULONG cbEntryID, LPENTRYID lpEntryID) = 0;
    virtual STDMETHODIMP NotifyNewMail(LPNOTIFICATION lpNotification) = 0;
};
typedef IMsgStore *LPMDB;

/* ---- IMAPITable --------------------------------------------------------------------------- */

#define TBL_ALL_COLUMNS 0x00000001u
#define TBL_NOADVANCE 0x00000001u
#define TBL_ASYNC 0x00000001u
#define TBL_BATCH 0x00000002u
#define BOOKMARK_BEGINNING ((BOOKMARK)0)
#define BOOKMARK_CURRENT ((BOOKMARK)1)
#define BOOKMARK_END ((BOOKMARK)2)
#define TBLSTAT_COMPLETE 0u
#define TBLTYPE_SNAPSHOT 0u
#define TBLTYPE_KEYSET 1u
#define TBLTYPE_DYNAMIC 2u

class IMAPITable : MAPI_IUNKNOWN_BASE
{
public:
    virtual STDMETHODIMP GetLastError(HRESULT hResult, ULONG ulFlags,
                                      LPMAPIERROR *lppMAPIError) = 0;
    virtual STDMETHODIMP Advise(ULONG ulEventMask, LPMAPIADVISESINK lpAdviseSink,
                                ULONG *lpulConnection) = 0;
    virtual STDMETHODIMP Unadvise(ULONG ulConnection) = 0;
    virtual STDMETHODIMP GetStatus(ULONG *lpulTableStatus, ULONG *lpulTableType) = 0;
    virtual STDMETHODIMP SetColumns(LPSPropTagArray lpPropTagArray, ULONG ulFlags) = 0;
    virtual STDMETHODIMP QueryColumns(ULONG ulFlags, LPSPropTagArray *lpPropTagArray) = 0;
    virtual STDMETHODIMP GetRowCount(ULONG ulFlags, ULONG *lpulCount) = 0;
    virtual STDMETHODIMP SeekRow(BOOKMARK bkOrigin, LONG lRowCount, LONG *lplRowsSought) = 0;
    virtual STDMETHODIMP SeekRowApprox(ULONG ulNumerator, ULONG ulDenominator) = 0;
    virtual STDMETHODIMP QueryPosition(ULONG *lpulRow, ULONG *lpulNumerator,
                                       ULONG *lpulDenominator) = 0;
    virtual STDMETHODIMP FindRow(LPSRestriction lpRestriction, BOOKMARK bkOrigin,
                                 ULONG ulFlags) = 0;
    virtual STDMETHODIMP Restrict(LPSRestriction lpRestriction, ULONG ulFlags) = 0;
    virtual STDMETHODIMP CreateBookmark(BOOKMARK *lpbkPosition) = 0;
    virtual STDMETHODIMP FreeBookmark(BOOKMARK bkPosition) = 0;
    virtual STDMETHODIMP SortTable(LPSSortOrderSet lpSortCriteria, ULONG ulFlags) = 0;
    virtual STDMETHODIMP QuerySortOrder(LPSSortOrderSet *lppSortCriteria) = 0;
    virtual STDMETHODIMP QueryRows(LONG lRowCount, ULONG ulFlags, LPSRowSet *lppRows) = 0;
    virtual STDMETHODIMP Abort() = 0;
    virtual STDMETHODIMP ExpandRow(ULONG cbInstanceKey, LPBYTE pbInstanceKey, ULONG ulRowCount,
                                   ULONG ulFlags, LPSRowSet *lppRows, ULONG *lpulMoreRows) = 0;
    virtual STDMETHODIMP CollapseRow(ULONG cbInstanceKey, LPBYTE pbInstanceKey, ULONG ulFlags,
                                     ULONG *lpulRowCount) = 0;
    virtual STDMETHODIMP WaitForCompletion(ULONG ulFlags, ULONG ulTimeout,
                                           ULONG *lpulTableStatus) = 0;
    virtual STDMETHODIMP GetCollapseState(ULONG ulFlags, ULONG cbInstanceKey, LPBYTE lpbInstanceKey,
                                          ULONG *lpcbCollapseState, LPBYTE *lppbCollapseState) = 0;
    virtual STDMETHODIMP SetCollapseState(ULONG ulFlags, ULONG cbCollapseState,
                                          LPBYTE pbCollapseState, BOOKMARK *lpbkLocation) = 0;
};

/* ---- The allocators ----------------------------------------------------------------------- */

typedef SCODE(STDMETHODCALLTYPE ALLOCATEBUFFER)(ULONG cbSize, LPVOID *lppBuffer);
typedef SCODE(STDMETHODCALLTYPE ALLOCATEMORE)(ULONG cbSize, LPVOID lpObject, LPVOID *lppBuffer);
typedef ULONG(STDAPICALLTYPE FREEBUFFER)(LPVOID lpBuffer);
typedef ALLOCATEBUFFER *LPALLOCATEBUFFER;
typedef ALLOCATEMORE *LPALLOCATEMORE;
typedef FREEBUFFER *LPFREEBUFFER;

#endif /* SPOOLCHECK_MAPIDEFS_H */
