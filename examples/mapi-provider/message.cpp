/*
 * message.cpp: IMessage: properties, the recipient table, ModifyRecipients, SaveChanges,
 * SubmitMessage and SetReadFlag. An object opened read-only, one SubmitMessage killed (SUBMIT-14,
 * AMB-30) and one whose logon ended refuse writes with MAPI_E_NO_ACCESS.
 */
#include "example.h"

#include <cstring>

namespace example
{

/* The recipient table: one row per recipient, in the order they were added. */
static std::vector<std::vector<Value>> recipient_rows(Act &a, uint32_t id)
{
    std::vector<std::vector<Value>> rows;
    const Message *m = a.store.find(id);
    if (!m)
        return rows;
    for (const Recipient &r : m->recipients) {
        Bytes key(4);
        std::memcpy(key.data(), &r.row_id, 4);
        std::vector<Value> row{long_value(PR_ROWID, r.row_id), binary_value(PR_INSTANCE_KEY, key)};
        row.insert(row.end(), r.props.begin(), r.props.end());
        if (r.responsibility >= 0)
            row.push_back(bool_value(PR_RESPONSIBILITY, r.responsibility == 1));
        rows.push_back(row);
    }
    return rows;
}

/* A copy of a value the caller passed, in the store's terms (the types this store keeps). */
static bool keep(const SPropValue &p, Value *out)
{
    switch (PROP_TYPE(p.ulPropTag)) {
    case PT_LONG: *out = long_value(p.ulPropTag, p.Value.ul); return true;
    case PT_BOOLEAN: *out = bool_value(p.ulPropTag, p.Value.b != 0); return true;
    case PT_STRING8:
        *out = text_value(p.ulPropTag, p.Value.lpszA ? p.Value.lpszA : "");
        return true;
    case PT_BINARY:
        *out = binary_value(p.ulPropTag, Bytes(p.Value.bin.lpb, p.Value.bin.lpb + p.Value.bin.cb));
        return true;
    default: return false;
    }
}

class MessageObject : public IMessage, public RefCounted
{
public:
    MessageObject(std::shared_ptr<Logon> l, uint32_t id, bool modify)
        : logon_(std::move(l)), id_(id), modify_(modify)
    {
    }

    STDMETHODIMP QueryInterface(REFIID riid, void **out) override
    {
        if (!out)
            return MAPI_E_INVALID_PARAMETER;
        if (same_iid(riid, IID_IMessage) || same_iid(riid, IID_IMAPIProp) ||
            same_iid(riid, IID_IUnknown)) {
            AddRef();
            *out = static_cast<IMessage *>(this);
            return S_OK;
        }
        *out = nullptr;
        return MAPI_E_INTERFACE_NOT_SUPPORTED;
    }
    STDMETHODIMP_(ULONG) AddRef() override { return add_ref(); }
    STDMETHODIMP_(ULONG) Release() override { return release_ref(); }

    EXAMPLE_UNSUPPORTED_PROP_METHODS

    STDMETHODIMP GetProps(LPSPropTagArray tags, ULONG, ULONG *count, LPSPropValue *props) override
    {
        const Store &s = *logon_->store;
        auto it = s.messages.find(id_);
        if (it == s.messages.end()) {
            /* Deleted (by delete-after-submit, say): the object still knows what it was, as
             * DoSentMail needs after FinishedMsg disposed of the message. */
            std::vector<Value> identity{binary_value(PR_ENTRYID, s.entry_id(Kind::Message, id_)),
                                        long_value(PR_OBJECT_TYPE, MAPI_MESSAGE)};
            return get_props(logon_->alloc, identity, tags, count, props);
        }
        const Message &m = it->second;
        std::vector<Value> have{
            binary_value(PR_ENTRYID, s.entry_id(Kind::Message, id_)),
            binary_value(PR_PARENT_ENTRYID, s.entry_id(Kind::Folder, m.folder)),
            binary_value(PR_STORE_ENTRYID, s.entry_id(Kind::Root, 0)),
            long_value(PR_OBJECT_TYPE, MAPI_MESSAGE),
            long_value(PR_ACCESS_LEVEL, modify_ ? MAPI_MODIFY : MAPI_ACCESS_READ_ONLY),
            text_value(PR_SUBJECT, m.subject),
            text_value(PR_MESSAGE_CLASS, m.message_class),
            long_value(PR_MESSAGE_FLAGS, m.message_flags),
            long_value(PR_SUBMIT_FLAGS, m.submit_flags),
            bool_value(PR_DELETE_AFTER_SUBMIT, m.delete_after_submit),
        };
        if (m.has_submit_time)
            have.push_back(time_value(PR_CLIENT_SUBMIT_TIME, m.submit_time));
        if (m.sentmail)
            have.push_back(binary_value(PR_SENTMAIL_ENTRYID, s.entry_id(Kind::Folder, m.sentmail)));
        return get_props(logon_->alloc, have, tags, count, props);
    }

    STDMETHODIMP SetProps(ULONG n, LPSPropValue values, LPSPropProblemArray *problems) override
    {
        if (problems)
            *problems = nullptr;
        Message *m = writable();
        if (!m)
            return MAPI_E_NO_ACCESS;
        if (n && !values)
            return MAPI_E_INVALID_PARAMETER;
        const ULONG client_bits = MSGFLAG_READ | MSGFLAG_UNSENT | MSGFLAG_RESEND;
        for (ULONG i = 0; i < n; i++) {
            const SPropValue &p = values[i];
            switch (p.ulPropTag) {
            case PR_SUBJECT: m->subject = p.Value.lpszA ? p.Value.lpszA : ""; break;
            case PR_MESSAGE_CLASS: m->message_class = p.Value.lpszA ? p.Value.lpszA : ""; break;
            case PR_MESSAGE_FLAGS:
                /* A client sets these bits before the first save only (pidtagmessageflags). */
                if (!m->saved)
                    m->message_flags =
                        (m->message_flags & ~client_bits) | (p.Value.ul & client_bits);
                break;
            case PR_SENTMAIL_ENTRYID: {
                Kind kind;
                uint32_t folder = 0;
                if (parse_entry_id(logon_->store->uid, p.Value.bin.cb, p.Value.bin.lpb, &kind,
                                   &folder) &&
                    kind == Kind::Folder && folder >= INBOX && folder <= DELETED_ITEMS)
                    m->sentmail = folder;
                break;
            }
            case PR_DELETE_AFTER_SUBMIT: m->delete_after_submit = p.Value.b != 0; break;
            default: break; /* other properties are accepted and not kept */
            }
        }
        return S_OK;
    }

    STDMETHODIMP SaveChanges(ULONG) override
    {
        Message *m = writable();
        if (!m)
            return MAPI_E_NO_ACCESS;
        m->saved = true;
        return S_OK;
    }

    STDMETHODIMP GetAttachmentTable(ULONG, LPMAPITABLE *) override { return MAPI_E_NO_SUPPORT; }
    STDMETHODIMP OpenAttach(ULONG, LPCIID, ULONG, LPATTACH *) override { return MAPI_E_NO_SUPPORT; }
    STDMETHODIMP CreateAttach(LPCIID, ULONG, ULONG *, LPATTACH *) override
    {
        return MAPI_E_NO_SUPPORT;
    }
    STDMETHODIMP DeleteAttach(ULONG, ULONG_PTR, LPMAPIPROGRESS, ULONG) override
    {
        return MAPI_E_NO_SUPPORT;
    }

    STDMETHODIMP GetRecipientTable(ULONG, LPMAPITABLE *table) override
    {
        if (!table)
            return MAPI_E_INVALID_PARAMETER;
        *table = new_table(logon_,
                           {PR_ROWID, PR_INSTANCE_KEY, PR_DISPLAY_NAME, PR_ADDRTYPE,
                            PR_EMAIL_ADDRESS, PR_ENTRYID, PR_RECIPIENT_TYPE, PR_RESPONSIBILITY},
                           recipient_rows, id_, nullptr);
        return S_OK;
    }

    /* MODRECIP_ADD appends rows, MODRECIP_MODIFY replaces a row's properties (PR_ROWID names it),
     * MODRECIP_REMOVE removes rows; no flag replaces the whole table, which is how MAPI's
     * ExpandRecips leaves the table it expanded. The spooler marks a recipient handled with
     * MODRECIP_MODIFY (SPL-08, ACCESS-05). */
    STDMETHODIMP ModifyRecipients(ULONG flags, LPADRLIST mods) override
    {
        Message *m = writable();
        if (!m)
            return MAPI_E_NO_ACCESS;
        if (!mods)
            return MAPI_E_INVALID_PARAMETER;
        if (!(flags & (MODRECIP_ADD | MODRECIP_MODIFY | MODRECIP_REMOVE)))
            m->recipients.clear();
        for (ULONG i = 0; i < mods->cEntries; i++) {
            const ADRENTRY &e = mods->aEntries[i];
            const SPropValue *row_id = find_prop(e.cValues, e.rgPropVals, PR_ROWID);
            Recipient *target = nullptr;
            if (flags & (MODRECIP_MODIFY | MODRECIP_REMOVE)) {
                if (!row_id)
                    return MAPI_E_INVALID_PARAMETER;
                for (Recipient &r : m->recipients)
                    if (r.row_id == row_id->Value.ul)
                        target = &r;
                if (!target)
                    return MAPI_E_INVALID_PARAMETER;
                if (flags & MODRECIP_REMOVE) {
                    m->recipients.erase(m->recipients.begin() + (target - m->recipients.data()));
                    continue;
                }
            } else {
                m->recipients.push_back(Recipient{});
                target = &m->recipients.back();
                target->row_id = m->next_row_id++;
            }
            target->props.clear();
            target->responsibility = -1;
            for (ULONG j = 0; j < e.cValues; j++) {
                const SPropValue &p = e.rgPropVals[j];
                Value v;
                if (p.ulPropTag == PR_RESPONSIBILITY)
                    target->responsibility = p.Value.b ? 1 : 0;
                else if (p.ulPropTag != PR_ROWID && p.ulPropTag != PR_INSTANCE_KEY && keep(p, &v))
                    target->props.push_back(v);
            }
        }
        return S_OK;
    }

    STDMETHODIMP SubmitMessage(ULONG flags) override
    {
#ifdef SPOOLCHECK_FAULT_SUBMIT_HANG
        /* A fault for the harness's tests: the provider never returns from SubmitMessage. */
        for (volatile bool forever = true; forever;) {
        }
#endif
        Act a = logon_->act();
        if (!a.settings.submission)
            return MAPI_E_NO_SUPPORT; /* CAP-01 */
        if (!a.spooler() && (!modify_ || dead_ || logon_->ended))
            return MAPI_E_NO_ACCESS; /* read-only (a submitted message) or killed (SUBMIT-14) */
        const Message *before = a.store.find(id_);
        bool first = before && !before->submitted();
        HRESULT hr = submit_message(a, id_, flags, this);
        if (hr == S_OK && first)
            dead_ = true; /* only Release is allowed on it now (SUBMIT-14, AMB-30) */
        return hr;
    }

    STDMETHODIMP SetReadFlag(ULONG) override
    {
        Act a = logon_->act();
        return set_read_flag(a, id_);
    }

private:
    /* The message, if this object may write to it: opened for writing, not killed, its logon
     * alive, and (for a client) not submitted since (FLAG-01). */
    Message *writable()
    {
        if (!modify_ || dead_ || logon_->ended)
            return nullptr;
        Message *m = logon_->store->find(id_);
        if (!m || (!logon_->spooler && m->submitted()))
            return nullptr;
        return m;
    }

    std::shared_ptr<Logon> logon_;
    uint32_t id_;
    bool modify_;
    bool dead_ = false;
};

IMessage *new_message(std::shared_ptr<Logon> logon, uint32_t id, bool modify)
{
    return new MessageObject(std::move(logon), id, modify);
}

} // namespace example
