/*
 * msgstore.cpp: the message store object (IMsgStore) of one logon, and OpenEntry for the store, the
 * logon object and the folders. The store object of IMSProvider::SpoolerLogon is the spooler's:
 * only it may call the spooler's methods when the store enforces that (AMB-19).
 */
#include "example.h"

#include <cstring>

namespace example
{

HRESULT open_entry(std::shared_ptr<Logon> logon, ULONG cb, LPENTRYID eid, ULONG flags, ULONG *type,
                   LPUNKNOWN *unk)
{
    if (!type || !unk)
        return MAPI_E_INVALID_PARAMETER;
    *unk = nullptr;
    if (cb == 0 || !eid) {
        *type = MAPI_FOLDER; /* the root folder */
        *unk = reinterpret_cast<LPUNKNOWN>(new_folder(logon, 0));
        return S_OK;
    }
    Kind kind;
    uint32_t number = 0;
    bool parsed =
        parse_entry_id(logon->store->uid, cb, reinterpret_cast<BYTE *>(eid), &kind, &number);
    if (parsed && kind == Kind::Root) {
        *type = MAPI_FOLDER;
        *unk = reinterpret_cast<LPUNKNOWN>(new_folder(logon, 0));
        return S_OK;
    }
    if (parsed && kind == Kind::Folder && number >= INBOX && number <= DELETED_ITEMS) {
        *type = MAPI_FOLDER;
        *unk = reinterpret_cast<LPUNKNOWN>(new_folder(logon, number));
        return S_OK;
    }
    if (parsed && kind == Kind::Copy)
        return MAPI_E_NO_SUPPORT; /* sent-mail copies are folder items only in this example */
    if (!parsed || kind != Kind::Message)
        return MAPI_E_INVALID_ENTRYID;
    Act a = logon->act();
    bool modify = false;
    HRESULT hr = open_access(a, number, flags, &modify);
    if (FAILED(hr))
        return hr;
    *type = MAPI_MESSAGE;
    *unk = reinterpret_cast<LPUNKNOWN>(new_message(logon, number, modify));
    return S_OK;
}

/* Reads the message an IMessage passed to SetLockState stands for, by its PR_ENTRYID. */
static HRESULT message_number(const Store &s, LPMESSAGE message, const Allocators &a,
                              uint32_t *number)
{
    if (!message)
        return MAPI_E_INVALID_PARAMETER;
    struct {
        ULONG cValues;
        ULONG aulPropTag[1];
    } tags = {1, {PR_ENTRYID}};
    ULONG count = 0;
    LPSPropValue props = nullptr;
    HRESULT hr = message->GetProps(reinterpret_cast<LPSPropTagArray>(&tags), 0, &count, &props);
    if (FAILED(hr))
        return hr;
    Kind kind;
    bool ok = count == 1 && props[0].ulPropTag == PR_ENTRYID &&
              parse_entry_id(s.uid, props[0].Value.bin.cb, props[0].Value.bin.lpb, &kind, number) &&
              kind == Kind::Message;
    a.free(props);
    return ok ? S_OK : MAPI_E_INVALID_ENTRYID;
}

class MsgStore : public IMsgStore, public RefCounted
{
public:
    explicit MsgStore(std::shared_ptr<Logon> l) : logon_(std::move(l)) {}

    /* The last reference: StoreLogoffTransports, once, with the saved StoreLogoff flags or
     * LOGOFF_ABORT (PERSIST-04; shutting-down-a-message-store-provider). */
    ~MsgStore() override
    {
        if (!logon_->logged_off_transports) {
            logon_->logged_off_transports = true;
            ULONG flags = logon_->has_logoff_flags ? logon_->logoff_flags : LOGOFF_ABORT;
            logon_->support->StoreLogoffTransports(&flags);
        }
    }

    STDMETHODIMP QueryInterface(REFIID riid, void **out) override
    {
        if (!out)
            return MAPI_E_INVALID_PARAMETER;
        if (same_iid(riid, IID_IMsgStore) || same_iid(riid, IID_IMAPIProp) ||
            same_iid(riid, IID_IUnknown)) {
            AddRef();
            *out = static_cast<IMsgStore *>(this);
            return S_OK;
        }
        *out = nullptr;
        return MAPI_E_INTERFACE_NOT_SUPPORTED;
    }
    STDMETHODIMP_(ULONG) AddRef() override { return add_ref(); }
    STDMETHODIMP_(ULONG) Release() override { return release_ref(); }

    /* IMAPIProp: the store's properties are read-only. */
    STDMETHODIMP GetLastError(HRESULT, ULONG, LPMAPIERROR *error) override
    {
        if (error)
            *error = nullptr;
        return S_OK;
    }
    STDMETHODIMP SaveChanges(ULONG) override { return MAPI_E_NO_ACCESS; }
    STDMETHODIMP GetProps(LPSPropTagArray tags, ULONG, ULONG *count, LPSPropValue *props) override
    {
        const Store &s = *logon_->store;
        ULONG mask = STORE_MODIFY_OK | STORE_CREATE_OK;
        if (logon_->settings.submission)
            mask |= STORE_SUBMIT_OK; /* exactly when it sends (CAP-03) */
        std::vector<Value> have{
            binary_value(PR_ENTRYID, s.entry_id(Kind::Root, 0)),
            binary_value(PR_STORE_ENTRYID, s.entry_id(Kind::Root, 0)),
            long_value(PR_OBJECT_TYPE, MAPI_STORE),
            long_value(PR_STORE_SUPPORT_MASK, mask),
            text_value(PR_DISPLAY_NAME, "spoolcheck example store"),
            binary_value(PR_IPM_SUBTREE_ENTRYID, s.entry_id(Kind::Root, 0)),
            binary_value(PR_IPM_OUTBOX_ENTRYID, s.entry_id(Kind::Folder, OUTBOX)),
            binary_value(PR_IPM_SENTMAIL_ENTRYID, s.entry_id(Kind::Folder, SENT_ITEMS)),
            binary_value(PR_IPM_WASTEBASKET_ENTRYID, s.entry_id(Kind::Folder, DELETED_ITEMS)),
        };
        return get_props(logon_->alloc, have, tags, count, props);
    }
    STDMETHODIMP GetPropList(ULONG, LPSPropTagArray *) override { return MAPI_E_NO_SUPPORT; }
    STDMETHODIMP OpenProperty(ULONG, LPCIID, ULONG, ULONG, LPUNKNOWN *) override
    {
        return MAPI_E_NO_SUPPORT;
    }
    STDMETHODIMP SetProps(ULONG, LPSPropValue, LPSPropProblemArray *) override
    {
        return MAPI_E_NO_ACCESS;
    }
    STDMETHODIMP DeleteProps(LPSPropTagArray, LPSPropProblemArray *) override
    {
        return MAPI_E_NO_ACCESS;
    }
    STDMETHODIMP CopyTo(ULONG, LPCIID, LPSPropTagArray, ULONG_PTR, LPMAPIPROGRESS, LPCIID, LPVOID,
                        ULONG, LPSPropProblemArray *) override
    {
        return MAPI_E_NO_SUPPORT;
    }
    STDMETHODIMP CopyProps(LPSPropTagArray, ULONG_PTR, LPMAPIPROGRESS, LPCIID, LPVOID, ULONG,
                           LPSPropProblemArray *) override
    {
        return MAPI_E_NO_SUPPORT;
    }
    STDMETHODIMP GetNamesFromIDs(LPSPropTagArray *, LPGUID, ULONG, ULONG *,
                                 LPMAPINAMEID **) override
    {
        return MAPI_E_NO_SUPPORT;
    }
    STDMETHODIMP GetIDsFromNames(ULONG, LPMAPINAMEID *, ULONG, LPSPropTagArray *) override
    {
        return MAPI_E_NO_SUPPORT;
    }

    /* IMsgStore. */
    STDMETHODIMP Advise(ULONG cb, LPENTRYID eid, ULONG mask, LPMAPIADVISESINK sink,
                        ULONG *connection) override
    {
        /* Store-wide new-mail notifications, through MAPI's notification engine (NNM-02). */
        if (cb != 0 || eid || mask != fnevNewMail)
            return MAPI_E_NO_SUPPORT;
        if (!sink || !connection)
            return MAPI_E_INVALID_PARAMETER;
        HRESULT hr = logon_->support->Subscribe(logon_->store->newmail_key(), fnevNewMail, 0, sink,
                                                connection);
        if (SUCCEEDED(hr))
            logon_->subscriptions.push_back(*connection);
        return hr;
    }
    STDMETHODIMP Unadvise(ULONG connection) override
    {
        auto &subs = logon_->subscriptions;
        for (auto it = subs.begin(); it != subs.end(); ++it)
            if (*it == connection) {
                subs.erase(it);
                return logon_->support->Unsubscribe(connection);
            }
        return MAPI_E_NOT_FOUND;
    }
    STDMETHODIMP CompareEntryIDs(ULONG cb1, LPENTRYID e1, ULONG cb2, LPENTRYID e2, ULONG,
                                 ULONG *result) override
    {
        if (!result)
            return MAPI_E_INVALID_PARAMETER;
        *result = cb1 == cb2 && e1 && e2 && std::memcmp(e1, e2, cb1) == 0;
        return S_OK;
    }
    STDMETHODIMP OpenEntry(ULONG cb, LPENTRYID eid, LPCIID, ULONG flags, ULONG *type,
                           LPUNKNOWN *unk) override
    {
        return open_entry(logon_, cb, eid, flags, type, unk);
    }
    STDMETHODIMP SetReceiveFolder(LPTSTR, ULONG, ULONG, LPENTRYID) override
    {
        return MAPI_E_NO_SUPPORT;
    }
    /* Every message class arrives in the Inbox. */
    STDMETHODIMP GetReceiveFolder(LPTSTR, ULONG, ULONG *cb, LPENTRYID *eid,
                                  LPTSTR *explicit_class) override
    {
        if (!cb || !eid)
            return MAPI_E_INVALID_PARAMETER;
        Bytes inbox = logon_->store->entry_id(Kind::Folder, INBOX);
        void *buffer = nullptr;
        if (logon_->alloc.allocate(static_cast<ULONG>(inbox.size()), &buffer) != S_OK)
            return MAPI_E_NOT_ENOUGH_MEMORY;
        std::memcpy(buffer, inbox.data(), inbox.size());
        *cb = static_cast<ULONG>(inbox.size());
        *eid = static_cast<LPENTRYID>(buffer);
        if (explicit_class)
            *explicit_class = nullptr;
        return S_OK;
    }
    STDMETHODIMP GetReceiveFolderTable(ULONG, LPMAPITABLE *) override { return MAPI_E_NO_SUPPORT; }
    STDMETHODIMP StoreLogoff(ULONG *flags) override
    {
        if (!flags)
            return MAPI_E_INVALID_PARAMETER;
        /* Kept for shutdown; a later call replaces them (imsgstore-storelogoff). */
        logon_->has_logoff_flags = true;
        logon_->logoff_flags = *flags;
        return S_OK;
    }
    STDMETHODIMP AbortSubmit(ULONG cb, LPENTRYID eid, ULONG) override
    {
        Kind kind;
        uint32_t number = 0;
        Act a = logon_->act();
        if (!parse_entry_id(a.store.uid, cb, reinterpret_cast<BYTE *>(eid), &kind, &number) ||
            kind != Kind::Message)
            return MAPI_E_INVALID_ENTRYID;
        return abort_submit(a, number);
    }
    STDMETHODIMP GetOutgoingQueue(ULONG, LPMAPITABLE *table) override;
    STDMETHODIMP SetLockState(LPMESSAGE message, ULONG state) override
    {
        Act a = logon_->act();
        if (!a.spooler() && a.settings.spooler_only)
            return MAPI_E_NO_SUPPORT; /* SPL-04 */
        uint32_t number = 0;
        HRESULT hr = message_number(a.store, message, a.alloc(), &number);
        if (FAILED(hr))
            return hr;
        return set_lock_state(a, number, state == MSG_LOCKED);
    }
    STDMETHODIMP FinishedMsg(ULONG, ULONG cb, LPENTRYID eid) override
    {
        Act a = logon_->act();
        if (!a.spooler())
            return MAPI_E_NO_SUPPORT; /* SPL-11 */
        Kind kind;
        uint32_t number = 0;
        if (!parse_entry_id(a.store.uid, cb, reinterpret_cast<BYTE *>(eid), &kind, &number) ||
            kind != Kind::Message)
            return MAPI_E_INVALID_ENTRYID;
        return finished_msg(a, number);
    }
    /* One fnevNewMail to every store-wide sink (NNM-01, NNM-02). */
    STDMETHODIMP NotifyNewMail(LPNOTIFICATION notification) override
    {
        if (!logon_->spooler && logon_->settings.spooler_only)
            return MAPI_E_NO_SUPPORT;
        if (!notification)
            return MAPI_E_INVALID_PARAMETER;
        ULONG flags = 0;
        return logon_->support->Notify(logon_->store->newmail_key(), 1, notification, &flags);
    }

private:
    std::shared_ptr<Logon> logon_;
};

/* The rows of the outgoing queue table: one per queued message, oldest submission first (OQ-01,
 * OQ-03). */
static std::vector<std::vector<Value>> queue_rows(Act &a, uint32_t)
{
    std::vector<std::vector<Value>> rows;
    for (uint32_t id : a.store.queue)
        if (const Message *m = a.store.find(id))
            rows.push_back(queue_row(a.store, *m));
    return rows;
}

STDMETHODIMP MsgStore::GetOutgoingQueue(ULONG, LPMAPITABLE *table)
{
    if (!table)
        return MAPI_E_INVALID_PARAMETER;
    if (!logon_->spooler && logon_->settings.spooler_only)
        return MAPI_E_NO_SUPPORT; /* OQ-01 */
    std::vector<ULONG> columns{PR_INSTANCE_KEY,       PR_ENTRYID, PR_SUBMIT_FLAGS, PR_MESSAGE_FLAGS,
                               PR_CLIENT_SUBMIT_TIME, PR_SUBJECT};
    *table = new_table(logon_, columns, queue_rows, 0, logon_->store->queue_key());
    return S_OK;
}

IMsgStore *new_msg_store(std::shared_ptr<Logon> logon)
{
    return new MsgStore(std::move(logon));
}

} // namespace example
