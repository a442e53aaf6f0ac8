/*
 * folder.cpp: IMAPIFolder for the root folder and the five standard folders: contents tables,
 * CreateMessage, OpenEntry (which answers as the store's, ACCESS-10), DeleteMessages and
 * EmptyFolder.
 */
#include "example.h"

namespace example
{

/* A folder's contents table: each item with its entry ID and subject (a copy shows its
 * original's). */
static std::vector<std::vector<Value>> contents_rows(Act &a, uint32_t folder)
{
    std::vector<std::vector<Value>> rows;
    if (folder == 0)
        return rows;
    for (const Item &item : a.store.folders[folder]) {
        Kind kind = item.copy ? Kind::Copy : Kind::Message;
        uint32_t number = item.copy ? item.copy : item.msg;
        Bytes key = a.store.entry_id(kind, number);
        std::string subject = item.subject;
        if (const Message *m = item.copy ? nullptr : a.store.find(item.msg))
            subject = m->subject;
        rows.push_back({binary_value(PR_INSTANCE_KEY, key), binary_value(PR_ENTRYID, key),
                        text_value(PR_SUBJECT, subject)});
    }
    return rows;
}

class FolderObject : public IMAPIFolder, public RefCounted
{
public:
    FolderObject(std::shared_ptr<Logon> l, uint32_t folder) : logon_(std::move(l)), folder_(folder)
    {
    }

    STDMETHODIMP QueryInterface(REFIID riid, void **out) override
    {
        if (!out)
            return MAPI_E_INVALID_PARAMETER;
        if (same_iid(riid, IID_IMAPIFolder) || same_iid(riid, IID_IMAPIContainer) ||
            same_iid(riid, IID_IMAPIProp) || same_iid(riid, IID_IUnknown)) {
            AddRef();
            *out = static_cast<IMAPIFolder *>(this);
            return S_OK;
        }
        *out = nullptr;
        return MAPI_E_INTERFACE_NOT_SUPPORTED;
    }
    STDMETHODIMP_(ULONG) AddRef() override { return add_ref(); }
    STDMETHODIMP_(ULONG) Release() override { return release_ref(); }

    EXAMPLE_UNSUPPORTED_PROP_METHODS
    STDMETHODIMP SaveChanges(ULONG) override { return S_OK; }
    STDMETHODIMP SetProps(ULONG, LPSPropValue, LPSPropProblemArray *) override
    {
        return MAPI_E_NO_ACCESS;
    }
    STDMETHODIMP GetProps(LPSPropTagArray tags, ULONG, ULONG *count, LPSPropValue *props) override
    {
        const Store &s = *logon_->store;
        Bytes self = folder_ ? s.entry_id(Kind::Folder, folder_) : s.entry_id(Kind::Root, 0);
        std::vector<Value> have{binary_value(PR_ENTRYID, self),
                                binary_value(PR_PARENT_ENTRYID, s.entry_id(Kind::Root, 0)),
                                long_value(PR_OBJECT_TYPE, MAPI_FOLDER),
                                long_value(PR_ACCESS_LEVEL, MAPI_MODIFY),
                                text_value(PR_DISPLAY_NAME, FOLDER_NAMES[folder_])};
        /* Drafts is found from the root folder or the Inbox (pidtagipmdraftsentryid). */
        if (folder_ == 0 || folder_ == INBOX)
            have.push_back(binary_value(PR_IPM_DRAFTS_ENTRYID, s.entry_id(Kind::Folder, DRAFTS)));
        return get_props(logon_->alloc, have, tags, count, props);
    }

    STDMETHODIMP GetContentsTable(ULONG, LPMAPITABLE *table) override
    {
        if (!table)
            return MAPI_E_INVALID_PARAMETER;
        *table = new_table(logon_, {PR_INSTANCE_KEY, PR_ENTRYID, PR_SUBJECT}, contents_rows,
                           folder_, nullptr);
        return S_OK;
    }
    STDMETHODIMP GetHierarchyTable(ULONG, LPMAPITABLE *) override { return MAPI_E_NO_SUPPORT; }
    STDMETHODIMP OpenEntry(ULONG cb, LPENTRYID eid, LPCIID, ULONG flags, ULONG *type,
                           LPUNKNOWN *unk) override
    {
        return open_entry(logon_, cb, eid, flags, type, unk);
    }
    STDMETHODIMP SetSearchCriteria(LPSRestriction, LPENTRYLIST, ULONG) override
    {
        return MAPI_E_NO_SUPPORT;
    }
    STDMETHODIMP GetSearchCriteria(ULONG, LPSRestriction *, LPENTRYLIST *, ULONG *) override
    {
        return MAPI_E_NO_SUPPORT;
    }

    /* A new message, in the store from the start and saved once SaveChanges is called. */
    STDMETHODIMP CreateMessage(LPCIID, ULONG, LPMESSAGE *message) override
    {
        if (!message)
            return MAPI_E_INVALID_PARAMETER;
        if (folder_ == 0)
            return MAPI_E_NO_SUPPORT; /* messages live in the standard folders only */
        Store &s = *logon_->store;
        Message m;
        m.id = s.next_id++;
        m.folder = folder_;
        m.message_class = "IPM.Note";
        s.messages[m.id] = m;
        s.folders[folder_].push_back(Item{m.id, 0, ""});
        *message = new_message(logon_, m.id, true);
        return S_OK;
    }
    STDMETHODIMP CopyMessages(LPENTRYLIST, LPCIID, LPVOID, ULONG_PTR, LPMAPIPROGRESS,
                              ULONG) override
    {
        return MAPI_E_NO_SUPPORT;
    }
    STDMETHODIMP DeleteMessages(LPENTRYLIST list, ULONG_PTR, LPMAPIPROGRESS, ULONG) override
    {
        if (!list)
            return MAPI_E_INVALID_PARAMETER;
        Act a = logon_->act();
        HRESULT result = S_OK;
        for (ULONG i = 0; i < list->cValues; i++) {
            Kind kind;
            uint32_t number = 0;
            HRESULT hr = MAPI_E_NOT_FOUND;
            if (parse_entry_id(a.store.uid, list->lpbin[i].cb, list->lpbin[i].lpb, &kind,
                               &number) &&
                kind == Kind::Message)
                hr = delete_messages(a, number);
            if (result == S_OK)
                result = hr;
        }
        return result;
    }
    STDMETHODIMP CreateFolder(ULONG, LPTSTR, LPTSTR, LPCIID, ULONG, LPMAPIFOLDER *) override
    {
        return MAPI_E_NO_SUPPORT;
    }
    STDMETHODIMP CopyFolder(ULONG, LPENTRYID, LPCIID, LPVOID, LPTSTR, ULONG_PTR, LPMAPIPROGRESS,
                            ULONG) override
    {
        return MAPI_E_NO_SUPPORT;
    }
    STDMETHODIMP DeleteFolder(ULONG, LPENTRYID, ULONG_PTR, LPMAPIPROGRESS, ULONG) override
    {
        return MAPI_E_NO_SUPPORT;
    }
    STDMETHODIMP SetReadFlags(LPENTRYLIST, ULONG_PTR, LPMAPIPROGRESS, ULONG) override
    {
        return MAPI_E_NO_SUPPORT;
    }
    STDMETHODIMP GetMessageStatus(ULONG, LPENTRYID, ULONG, ULONG *) override
    {
        return MAPI_E_NO_SUPPORT;
    }
    STDMETHODIMP SetMessageStatus(ULONG, LPENTRYID, ULONG, ULONG, ULONG *) override
    {
        return MAPI_E_NO_SUPPORT;
    }
    STDMETHODIMP SaveContentsSort(LPSSortOrderSet, ULONG) override { return MAPI_E_NO_SUPPORT; }
    STDMETHODIMP EmptyFolder(ULONG_PTR, LPMAPIPROGRESS, ULONG) override
    {
        if (folder_ == 0)
            return S_OK;
        Act a = logon_->act();
        return empty_folder(a, folder_);
    }

private:
    std::shared_ptr<Logon> logon_;
    uint32_t folder_;
};

IMAPIFolder *new_folder(std::shared_ptr<Logon> logon, uint32_t folder)
{
    return new FolderObject(std::move(logon), folder);
}

} // namespace example
