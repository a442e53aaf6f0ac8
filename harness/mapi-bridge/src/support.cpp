/*
 * support.cpp: the harness's IMAPISupport, one per logon, and the profile section it opens. The
 * calls the suite's model knows (SpoolerNotify, PrepareSubmit, ExpandRecips, CompleteMsg,
 * DoSentMail, StoreLogoffTransports) go to the operation's host, which records them and answers
 * from the operation's script, and ExpandRecips then leaves the script's expanded recipient table
 * in the message; Subscribe and Notify are MAPI's notification engine; the rest of
 * what a store's support object offers is here as far as a test needs it, and everything else is
 * answered MAPI_E_NO_SUPPORT and noted for the report.
 */
#include "bridge.h"

#include <cstring>

namespace bridge
{

namespace
{

/* Writes `values` to a new MAPI buffer, as GetProps returns them. */
HRESULT section_values(const std::vector<PropValue> &values, LPSPropTagArray tags, ULONG *count,
                       LPSPropValue *out)
{
    std::vector<const PropValue *> chosen;
    std::vector<ULONG> missing_tags;
    if (tags) {
        for (ULONG i = 0; i < tags->cValues; i++) {
            const PropValue *found = nullptr;
            for (const PropValue &v : values)
                if (PROP_ID(v.tag) == PROP_ID(tags->aulPropTag[i]) &&
                    (PROP_TYPE(tags->aulPropTag[i]) == PT_UNSPECIFIED ||
                     PROP_TYPE(tags->aulPropTag[i]) == PROP_TYPE(v.tag)))
                    found = &v;
            chosen.push_back(found);
            missing_tags.push_back(tags->aulPropTag[i]);
        }
    } else {
        for (const PropValue &v : values)
            chosen.push_back(&v);
        missing_tags.resize(values.size());
    }
    void *buffer = nullptr;
    size_t n = chosen.empty() ? 1 : chosen.size();
    if (allocate_buffer(static_cast<ULONG>(n * sizeof(SPropValue)), &buffer) != S_OK)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    auto *props = static_cast<LPSPropValue>(buffer);
    bool errors = false;
    for (size_t i = 0; i < chosen.size(); i++) {
        SPropValue &p = props[i];
        std::memset(&p, 0, sizeof p);
        const PropValue *v = chosen[i];
        if (!v) {
            p.ulPropTag = CHANGE_PROP_TYPE(missing_tags[i], PT_ERROR);
            p.Value.err = MAPI_E_NOT_FOUND;
            errors = true;
            continue;
        }
        p.ulPropTag = v->tag;
        void *data = nullptr;
        switch (PROP_TYPE(v->tag)) {
        case PT_STRING8:
            if (allocate_more(static_cast<ULONG>(v->text.size() + 1), buffer, &data) != S_OK)
                return MAPI_E_NOT_ENOUGH_MEMORY;
            std::memcpy(data, v->text.c_str(), v->text.size() + 1);
            p.Value.lpszA = static_cast<LPSTR>(data);
            break;
        case PT_UNICODE: {
            /* The config's text is UTF-8 (TOML), so this does not throw. */
            std::wstring wide = wide_from_utf8(v->text, "a profile section value");
            if (allocate_more(static_cast<ULONG>((wide.size() + 1) * sizeof(wchar_t)), buffer,
                              &data) != S_OK)
                return MAPI_E_NOT_ENOUGH_MEMORY;
            auto *w = static_cast<wchar_t *>(data);
            std::memcpy(w, wide.c_str(), (wide.size() + 1) * sizeof(wchar_t));
            p.Value.lpszW = w;
            break;
        }
        case PT_BINARY:
            if (allocate_more(static_cast<ULONG>(v->bytes.size() + 1), buffer, &data) != S_OK)
                return MAPI_E_NOT_ENOUGH_MEMORY;
            if (!v->bytes.empty())
                std::memcpy(data, v->bytes.data(), v->bytes.size());
            p.Value.bin.cb = static_cast<ULONG>(v->bytes.size());
            p.Value.bin.lpb = static_cast<LPBYTE>(data);
            break;
        case PT_BOOLEAN: p.Value.b = static_cast<unsigned short>(v->ul != 0); break;
        default: p.Value.ul = v->ul;
        }
    }
    *count = static_cast<ULONG>(chosen.size());
    *out = props;
    return errors ? MAPI_W_ERRORS_RETURNED : S_OK;
}

/* The provider's profile section: the provider config's properties, and whatever the provider
 * writes there itself (kept until the next reset). */
class ProfileSection final : public IProfSect
{
public:
    explicit ProfileSection(Instance &in) : in_(in) {}

    STDMETHODIMP QueryInterface(REFIID riid, void **out) override
    {
        if (!out)
            return MAPI_E_INVALID_PARAMETER;
        if (same_iid(riid, IID_IProfSect) || same_iid(riid, IID_IMAPIProp) ||
            same_iid(riid, IID_IUnknown)) {
            AddRef();
            *out = static_cast<IProfSect *>(this);
            return S_OK;
        }
        in_.notes.once("no-support", "QueryInterface(" + iid_name(riid) + ") on a profile section");
        *out = nullptr;
        return MAPI_E_INTERFACE_NOT_SUPPORTED;
    }
    STDMETHODIMP_(ULONG) AddRef() override { return ++refs_; }
    STDMETHODIMP_(ULONG) Release() override
    {
        ULONG left = --refs_;
        if (left == 0)
            delete this;
        return left;
    }
    STDMETHODIMP GetLastError(HRESULT, ULONG, LPMAPIERROR *error) override
    {
        if (error)
            *error = nullptr;
        return S_OK;
    }
    STDMETHODIMP SaveChanges(ULONG) override { return S_OK; }
    STDMETHODIMP GetProps(LPSPropTagArray tags, ULONG, ULONG *count, LPSPropValue *props) override
    {
        return guarded(in_, "IProfSect::GetProps", [&]() -> HRESULT {
            if (!count || !props)
                return MAPI_E_INVALID_PARAMETER;
            return section_values(in_.section, tags, count, props);
        });
    }
    STDMETHODIMP GetPropList(ULONG, LPSPropTagArray *out) override
    {
        return guarded(in_, "IProfSect::GetPropList", [&]() -> HRESULT {
            if (!out)
                return MAPI_E_INVALID_PARAMETER;
            void *buffer = nullptr;
            if (allocate_buffer(static_cast<ULONG>(CbNewSPropTagArray(in_.section.size())),
                                &buffer) != S_OK)
                return MAPI_E_NOT_ENOUGH_MEMORY;
            auto *tags = static_cast<LPSPropTagArray>(buffer);
            tags->cValues = static_cast<ULONG>(in_.section.size());
            for (size_t i = 0; i < in_.section.size(); i++)
                tags->aulPropTag[i] = in_.section[i].tag;
            *out = tags;
            return S_OK;
        });
    }
    STDMETHODIMP SetProps(ULONG n, LPSPropValue values, LPSPropProblemArray *problems) override
    {
        return guarded(in_, "IProfSect::SetProps", [&]() -> HRESULT {
            if (problems)
                *problems = nullptr;
            if (n && !values)
                return MAPI_E_INVALID_PARAMETER;
            for (ULONG i = 0; i < n; i++) {
                const SPropValue &p = values[i];
                PropValue v;
                v.tag = p.ulPropTag;
                switch (PROP_TYPE(p.ulPropTag)) {
                case PT_STRING8: v.text = p.Value.lpszA ? p.Value.lpszA : ""; break;
                case PT_UNICODE: v.text = utf8_from_wide(p.Value.lpszW); break;
                case PT_BINARY:
                    v.bytes.assign(p.Value.bin.lpb, p.Value.bin.lpb + p.Value.bin.cb);
                    break;
                case PT_BOOLEAN: v.ul = p.Value.b != 0; break;
                case PT_LONG: v.ul = p.Value.ul; break;
                default:
                    in_.notes.once("no-support",
                                   "IProfSect::SetProps of property type " +
                                       hex(static_cast<HRESULT>(PROP_TYPE(p.ulPropTag))));
                    continue;
                }
                bool replaced = false;
                for (PropValue &old : in_.section)
                    if (PROP_ID(old.tag) == PROP_ID(v.tag)) {
                        old = v;
                        replaced = true;
                    }
                if (!replaced)
                    in_.section.push_back(v);
            }
            return S_OK;
        });
    }
    STDMETHODIMP DeleteProps(LPSPropTagArray tags, LPSPropProblemArray *problems) override
    {
        return guarded(in_, "IProfSect::DeleteProps", [&]() -> HRESULT {
            if (problems)
                *problems = nullptr;
            if (!tags)
                return MAPI_E_INVALID_PARAMETER;
            for (ULONG i = 0; i < tags->cValues; i++)
                for (auto it = in_.section.begin(); it != in_.section.end();)
                    it = PROP_ID(it->tag) == PROP_ID(tags->aulPropTag[i]) ? in_.section.erase(it)
                                                                          : it + 1;
            return S_OK;
        });
    }
    STDMETHODIMP OpenProperty(ULONG, LPCIID, ULONG, ULONG, LPUNKNOWN *) override
    {
        return unsupported("OpenProperty");
    }
    STDMETHODIMP CopyTo(ULONG, LPCIID, LPSPropTagArray, ULONG_PTR, LPMAPIPROGRESS, LPCIID, LPVOID,
                        ULONG, LPSPropProblemArray *) override
    {
        return unsupported("CopyTo");
    }
    STDMETHODIMP CopyProps(LPSPropTagArray, ULONG_PTR, LPMAPIPROGRESS, LPCIID, LPVOID, ULONG,
                           LPSPropProblemArray *) override
    {
        return unsupported("CopyProps");
    }
    STDMETHODIMP GetNamesFromIDs(LPSPropTagArray *, LPGUID, ULONG, ULONG *,
                                 LPMAPINAMEID **) override
    {
        return unsupported("GetNamesFromIDs");
    }
    STDMETHODIMP GetIDsFromNames(ULONG, LPMAPINAMEID *, ULONG, LPSPropTagArray *) override
    {
        return unsupported("GetIDsFromNames");
    }

private:
    HRESULT unsupported(const char *method)
    {
        in_.notes.once("no-support", std::string("IProfSect::") + method);
        return MAPI_E_NO_SUPPORT;
    }
    Instance &in_;
    std::atomic<ULONG> refs_{1};
};

class Support final : public IMAPISupport
{
public:
    Support(Instance &in, bool spooler) : in_(in), spooler_(spooler) {}

    STDMETHODIMP QueryInterface(REFIID riid, void **out) override
    {
        if (!out)
            return MAPI_E_INVALID_PARAMETER;
        if (same_iid(riid, IID_IMAPISup) || same_iid(riid, IID_IUnknown)) {
            AddRef();
            *out = static_cast<IMAPISupport *>(this);
            return S_OK;
        }
        in_.notes.once("no-support", "QueryInterface(" + iid_name(riid) + ") on IMAPISupport");
        *out = nullptr;
        return MAPI_E_INTERFACE_NOT_SUPPORTED;
    }
    STDMETHODIMP_(ULONG) AddRef() override { return ++refs_; }
    STDMETHODIMP_(ULONG) Release() override
    {
        ULONG left = --refs_;
        if (left == 0)
            delete this;
        return left;
    }

    STDMETHODIMP GetLastError(HRESULT, ULONG, LPMAPIERROR *error) override
    {
        if (error)
            *error = nullptr;
        return S_OK;
    }
    STDMETHODIMP GetMemAllocRoutines(LPALLOCATEBUFFER *a, LPALLOCATEMORE *m,
                                     LPFREEBUFFER *f) override
    {
        if (a)
            *a = allocate_buffer;
        if (m)
            *m = allocate_more;
        if (f)
            *f = free_buffer;
        return S_OK;
    }
    STDMETHODIMP Subscribe(LPNOTIFKEY key, ULONG mask, ULONG, LPMAPIADVISESINK sink,
                           ULONG *connection) override
    {
        return guarded(in_, "IMAPISupport::Subscribe", [&]() -> HRESULT {
            if (!key || !sink || !connection)
                return MAPI_E_INVALID_PARAMETER;
            *connection = in_.subscribe(key, mask, sink);
            return S_OK;
        });
    }
    STDMETHODIMP Unsubscribe(ULONG connection) override
    {
        return in_.unsubscribe(connection) ? S_OK : MAPI_E_NOT_FOUND;
    }
    /* Delivered at once, on the caller's thread: the operation's notifications are known when it
     * returns. */
    STDMETHODIMP Notify(LPNOTIFKEY key, ULONG count, LPNOTIFICATION notifications,
                        ULONG *flags) override
    {
        return guarded(in_, "IMAPISupport::Notify", [&]() -> HRESULT {
            if (!key || (count && !notifications))
                return MAPI_E_INVALID_PARAMETER;
            in_.deliver(key, count, notifications);
            if (flags)
                *flags = 0;
            return S_OK;
        });
    }
    STDMETHODIMP ModifyStatusRow(ULONG, LPSPropValue, ULONG) override { return S_OK; }
    STDMETHODIMP OpenProfileSection(LPMAPIUID uid, ULONG, LPPROFSECT *out) override
    {
        return guarded(in_, "IMAPISupport::OpenProfileSection", [&]() -> HRESULT {
            if (!out)
                return MAPI_E_INVALID_PARAMETER;
            if (uid) {
                /* Only the provider's own section (a NULL MAPIUID) comes from the provider config.
                 */
                in_.notes.once("no-support", "OpenProfileSection of a section other than the "
                                             "provider's own (lpUid not NULL)");
                return MAPI_E_NO_SUPPORT;
            }
            *out = new ProfileSection(in_);
            return S_OK;
        });
    }
    /* Deterministic identifiers, so a run repeats exactly. */
    STDMETHODIMP NewUID(LPMAPIUID uid) override
    {
        if (!uid)
            return MAPI_E_INVALID_PARAMETER;
        static const char prefix[8] = {'s', 'p', 'o', 'o', 'l', 'c', 'h', 'k'};
        std::memcpy(uid->ab, prefix, sizeof prefix);
        uint64_t n = ++uids_ + (static_cast<uint64_t>(spooler_) << 63);
        std::memcpy(uid->ab + 8, &n, sizeof n);
        return S_OK;
    }
    STDMETHODIMP SpoolerNotify(ULONG flags, LPVOID) override
    {
        return guarded(in_, "IMAPISupport::SpoolerNotify", [&]() -> HRESULT {
            spoolcheck_call c{};
            c.kind = SPOOLCHECK_CALL_SPOOLER_NOTIFY;
            c.flags = flags;
            return static_cast<HRESULT>(in_.call(c, nullptr));
        });
    }
    STDMETHODIMP SetProviderUID(LPMAPIUID, ULONG) override { return S_OK; }
    STDMETHODIMP CompareEntryIDs(ULONG cb1, LPENTRYID e1, ULONG cb2, LPENTRYID e2, ULONG,
                                 ULONG *result) override
    {
        if (!result)
            return MAPI_E_INVALID_PARAMETER;
        *result = cb1 == cb2 && e1 && e2 && std::memcmp(e1, e2, cb1) == 0;
        return S_OK;
    }
    STDMETHODIMP PrepareSubmit(LPMESSAGE message, ULONG *flags) override
    {
        return guarded(in_, "IMAPISupport::PrepareSubmit", [&]() -> HRESULT {
            spoolcheck_call c{};
            c.kind = SPOOLCHECK_CALL_PREPARE_SUBMIT;
            c.msg = in_.number_of(message, "PrepareSubmit");
            c.flags = flags ? *flags : 0;
            return static_cast<HRESULT>(in_.call(c, nullptr));
        });
    }
    /* The host answers; when that succeeds and the script says what MAPI's expansion leaves
     * (lists replaced by their members, names restored, duplicates gone), the bridge, being
     * MAPI, writes that table into the message before it returns, as ExpandRecips does. */
    STDMETHODIMP ExpandRecips(LPMESSAGE message, ULONG *flags) override
    {
        return guarded(in_, "IMAPISupport::ExpandRecips", [&]() -> HRESULT {
            spoolcheck_call c{};
            c.kind = SPOOLCHECK_CALL_EXPAND_RECIPS;
            c.msg = in_.number_of(message, "ExpandRecips");
            uint32_t out = 0;
            HRESULT hr = static_cast<HRESULT>(in_.call(c, &out));
            if (flags)
                *flags = out;
            const spoolcheck_script *script = SUCCEEDED(hr) ? in_.expansion() : nullptr;
            HRESULT written = script ? leave_expanded(message, *script) : S_OK;
            return FAILED(written) ? written : hr; /* a warning of the host's stays */
        });
    }
    /* MAPI releases the message it is given (imapisupport-dosentmail). */
    STDMETHODIMP DoSentMail(ULONG flags, LPMESSAGE message) override
    {
        return guarded(in_, "IMAPISupport::DoSentMail", [&]() -> HRESULT {
            spoolcheck_call c{};
            c.kind = SPOOLCHECK_CALL_DO_SENT_MAIL;
            c.msg = in_.number_of(message, "DoSentMail");
            c.flags = flags;
            HRESULT hr = static_cast<HRESULT>(in_.call(c, nullptr));
            if (message)
                message->Release();
            return hr;
        });
    }
    STDMETHODIMP CompleteMsg(ULONG flags, ULONG cb, LPENTRYID eid) override
    {
        return guarded(in_, "IMAPISupport::CompleteMsg", [&]() -> HRESULT {
            spoolcheck_call c{};
            c.kind = SPOOLCHECK_CALL_COMPLETE_MSG;
            c.msg = in_.number_of(Bytes(reinterpret_cast<BYTE *>(eid),
                                        reinterpret_cast<BYTE *>(eid) + (eid ? cb : 0)));
            if (c.msg == 0)
                in_.fail_later("CompleteMsg: the provider named an entry ID the harness never saw");
            c.flags = flags;
            return static_cast<HRESULT>(in_.call(c, nullptr));
        });
    }
    /* The client's store telling MAPI it shuts down is the model's call; the spooler's store is
     * the one MAPI is releasing in answer, so its own call is MAPI's business and not reported. */
    STDMETHODIMP StoreLogoffTransports(ULONG *flags) override
    {
        return guarded(in_, "IMAPISupport::StoreLogoffTransports", [&]() -> HRESULT {
            if (!flags)
                return MAPI_E_INVALID_PARAMETER;
            HRESULT hr = S_OK;
            if (!spooler_) {
                spoolcheck_call c{};
                c.kind = SPOOLCHECK_CALL_STORE_LOGOFF_TRANSPORTS;
                c.flags = *flags;
                hr = static_cast<HRESULT>(in_.call(c, nullptr));
            }
            *flags = LOGOFF_COMPLETE;
            return hr;
        });
    }
    /* The harness's stores are not wrapped: the entry ID is handed back as it is. */
    STDMETHODIMP WrapStoreEntryID(ULONG cb, LPENTRYID eid, ULONG *cb_out, LPENTRYID *out) override
    {
        if (!eid || !cb_out || !out)
            return MAPI_E_INVALID_PARAMETER;
        void *copy = nullptr;
        if (allocate_buffer(cb, &copy) != S_OK)
            return MAPI_E_NOT_ENOUGH_MEMORY;
        std::memcpy(copy, eid, cb);
        *cb_out = cb;
        *out = static_cast<LPENTRYID>(copy);
        return S_OK;
    }
    STDMETHODIMP ModifyProfile(ULONG) override { return S_OK; }

    /* What a store's support object has and the harness does not offer. */
    STDMETHODIMP RegisterPreprocessor(LPMAPIUID, LPSTR, LPSTR, LPSTR, LPSTR, ULONG) override
    {
        return no("RegisterPreprocessor");
    }
    STDMETHODIMP MakeInvalid(ULONG, LPVOID, ULONG, ULONG) override { return no("MakeInvalid"); }
    STDMETHODIMP SpoolerYield(ULONG) override { return no("SpoolerYield"); }
    STDMETHODIMP CreateOneOff(LPTSTR, LPTSTR, LPTSTR, ULONG, ULONG *, LPENTRYID *) override
    {
        return no("CreateOneOff");
    }
    STDMETHODIMP OpenTemplateID(ULONG, LPENTRYID, ULONG, LPMAPIPROP, LPCIID, LPMAPIPROP *,
                                LPMAPIPROP) override
    {
        return no("OpenTemplateID");
    }
    STDMETHODIMP OpenEntry(ULONG, LPENTRYID, LPCIID, ULONG, ULONG *, LPUNKNOWN *) override
    {
        return no("OpenEntry");
    }
    STDMETHODIMP GetOneOffTable(ULONG, LPMAPITABLE *) override { return no("GetOneOffTable"); }
    STDMETHODIMP Address(ULONG_PTR *, LPADRPARM, LPADRLIST *) override { return no("Address"); }
    STDMETHODIMP Details(ULONG_PTR *, LPFNDISMISS, LPVOID, ULONG, LPENTRYID, LPFNBUTTON, LPVOID,
                         LPTSTR, ULONG) override
    {
        return no("Details");
    }
    STDMETHODIMP NewEntry(ULONG_PTR, ULONG, ULONG, LPENTRYID, ULONG, LPENTRYID, ULONG *,
                          LPENTRYID *) override
    {
        return no("NewEntry");
    }
    STDMETHODIMP DoConfigPropsheet(ULONG_PTR, ULONG, LPTSTR, LPMAPITABLE, LPMAPIPROP,
                                   ULONG) override
    {
        return no("DoConfigPropsheet");
    }
    STDMETHODIMP CopyMessages(LPCIID, LPVOID, LPENTRYLIST, LPCIID, LPVOID, ULONG_PTR,
                              LPMAPIPROGRESS, ULONG) override
    {
        return no("CopyMessages");
    }
    STDMETHODIMP CopyFolder(LPCIID, LPVOID, ULONG, LPENTRYID, LPCIID, LPVOID, LPTSTR, ULONG_PTR,
                            LPMAPIPROGRESS, ULONG) override
    {
        return no("CopyFolder");
    }
    STDMETHODIMP DoCopyTo(LPCIID, LPVOID, ULONG, LPCIID, LPSPropTagArray, ULONG_PTR, LPMAPIPROGRESS,
                          LPCIID, LPVOID, ULONG, LPSPropProblemArray *) override
    {
        return no("DoCopyTo");
    }
    STDMETHODIMP DoCopyProps(LPCIID, LPVOID, LPSPropTagArray, ULONG_PTR, LPMAPIPROGRESS, LPCIID,
                             LPVOID, ULONG, LPSPropProblemArray *) override
    {
        return no("DoCopyProps");
    }
    STDMETHODIMP DoProgressDialog(ULONG_PTR, ULONG, LPMAPIPROGRESS *) override
    {
        return no("DoProgressDialog");
    }
    STDMETHODIMP ReadReceipt(ULONG, LPMESSAGE, LPMESSAGE *) override { return no("ReadReceipt"); }
    /* Not `override`: UpdatePAB and Preprocess are missing from some header sets. */
    virtual STDMETHODIMP UpdatePAB(ULONG, LPMESSAGE) { return no("UpdatePAB"); }
    STDMETHODIMP OpenAddressBook(LPCIID, ULONG, LPADRBOOK *) override
    {
        return no("OpenAddressBook");
    }
    virtual STDMETHODIMP Preprocess(ULONG, ULONG, LPENTRYID) { return no("Preprocess"); }
    STDMETHODIMP StatusRecips(LPMESSAGE, LPADRLIST) override { return no("StatusRecips"); }
    STDMETHODIMP IStorageFromStream(LPUNKNOWN, LPCIID, ULONG, LPSTORAGE *) override
    {
        return no("IStorageFromStream");
    }
    STDMETHODIMP GetSvcConfigSupportObj(ULONG, IMAPISupport **) override
    {
        return no("GetSvcConfigSupportObj");
    }

private:
    HRESULT no(const char *method)
    {
        in_.notes.once("no-support", std::string("IMAPISupport::") + method);
        return MAPI_E_NO_SUPPORT;
    }
    /* The message refusing the table is the provider's doing, but it leaves the bridge unable to
     * be the MAPI the script describes, so the operation fails with why; the provider gets the
     * error, as MAPI would pass it on. */
    HRESULT leave_expanded(LPMESSAGE message, const spoolcheck_script &script)
    {
        HRESULT hr = replace_recipients(message, script);
        if (FAILED(hr))
            in_.fail_later("ExpandRecips: the message's IMessage::ModifyRecipients(0) with the "
                           "expanded recipient table failed with " +
                           hr_name(hr) + "; MAPI leaves the table it expanded in the message");
        return hr;
    }
    Instance &in_;
    bool spooler_;
    std::atomic<ULONG> refs_{1};
    uint64_t uids_ = 0;
};

} // namespace

IMAPISupport *new_support(Instance &instance, bool spooler)
{
    return new Support(instance, spooler);
}

} // namespace bridge
