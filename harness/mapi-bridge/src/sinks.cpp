/*
 * sinks.cpp: the harness's advise sinks. A new-mail sink stands for one of the suite's sinks
 * (numbered 1, 2, 3 ... in Advise order since the reset); the queue sink listens on the
 * spooler's outgoing queue table for the whole session, as MAPI's spooler does, and turns each
 * TABLE_NOTIFICATION into the suite's queue-table notification of the message its row names.
 */
#include "bridge.h"

namespace bridge
{

namespace
{

class Sink final : public IMAPIAdviseSink
{
public:
    Sink(Instance &in, uint32_t number) : in_(in), number_(number) {}

    STDMETHODIMP QueryInterface(REFIID riid, void **out) override
    {
        if (!out)
            return MAPI_E_INVALID_PARAMETER;
        if (same_iid(riid, IID_IMAPIAdviseSink) || same_iid(riid, IID_IUnknown)) {
            AddRef();
            *out = static_cast<IMAPIAdviseSink *>(this);
            return S_OK;
        }
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

    STDMETHODIMP_(ULONG) OnNotify(ULONG count, LPNOTIFICATION notifications) override
    {
        if (dead || !notifications)
            return 0;
        guarded(in_, "IMAPIAdviseSink::OnNotify", [&]() -> HRESULT {
            for (ULONG i = 0; i < count; i++)
                number_ ? new_mail(notifications[i]) : table(notifications[i]);
            return S_OK;
        });
        return 0;
    }

    bool dead = false;

private:
    static Bytes bytes(ULONG cb, const void *p)
    {
        const BYTE *b = static_cast<const BYTE *>(p);
        return b ? Bytes(b, b + cb) : Bytes();
    }

    void new_mail(const NOTIFICATION &n)
    {
        if (n.ulEventType != fnevNewMail) {
            in_.notes.once("note", "a new-mail sink was sent event type " +
                                       hex(static_cast<HRESULT>(n.ulEventType)) + "; ignored");
            return;
        }
        spoolcheck_notification out{};
        out.kind = SPOOLCHECK_NOTIFY_NEW_MAIL;
        out.sink = number_;
        out.msg = in_.number_of(bytes(n.info.newmail.cbEntryID, n.info.newmail.lpEntryID));
        if (out.msg == 0) {
            in_.fail_later("fnevNewMail names an entry ID the harness never gave out or saw");
            return;
        }
        in_.notify(out);
    }

    /* The message a row names: its PR_ENTRYID, or its index column as the queue reported it. */
    uint32_t row_message(const TABLE_NOTIFICATION &t, bool forget)
    {
        Session *s = in_.session.get();
        for (ULONG i = 0; i < t.row.cValues && t.row.lpProps; i++)
            if (t.row.lpProps[i].ulPropTag == PR_ENTRYID) {
                const SBinary &b = t.row.lpProps[i].Value.bin;
                uint32_t msg = in_.number_of(bytes(b.cb, b.lpb));
                if (s && t.propIndex.ulPropTag == PR_INSTANCE_KEY)
                    s->queue_keys[bytes(t.propIndex.Value.bin.cb, t.propIndex.Value.bin.lpb)] = msg;
                return msg;
            }
        const SBinary &index = t.propIndex.Value.bin;
        if (t.propIndex.ulPropTag == PR_ENTRYID)
            return in_.number_of(bytes(index.cb, index.lpb));
        if (t.propIndex.ulPropTag == PR_INSTANCE_KEY && s) {
            auto it = s->queue_keys.find(bytes(index.cb, index.lpb));
            if (it == s->queue_keys.end())
                return 0;
            uint32_t msg = it->second;
            if (forget)
                s->queue_keys.erase(it);
            return msg;
        }
        return 0;
    }

    void table(const NOTIFICATION &n)
    {
        if (n.ulEventType != fnevTableModified)
            return;
        const TABLE_NOTIFICATION &t = n.info.tab;
        spoolcheck_notification out{};
        out.kind = SPOOLCHECK_NOTIFY_QUEUE_TABLE;
        switch (t.ulTableEvent) {
        case TABLE_CHANGED: out.table_event = SPOOLCHECK_TABLE_CHANGED; break;
        case TABLE_ROW_ADDED:
        case TABLE_ROW_MODIFIED:
            out.table_event = t.ulTableEvent == TABLE_ROW_ADDED ? SPOOLCHECK_TABLE_ROW_ADDED
                                                                : SPOOLCHECK_TABLE_ROW_MODIFIED;
            out.msg = row_message(t, false);
            break;
        case TABLE_ROW_DELETED:
            out.table_event = SPOOLCHECK_TABLE_ROW_DELETED;
            out.msg = row_message(t, true);
            break;
        default:
            in_.notes.once("note", "the outgoing queue table sent table event " +
                                       std::to_string(t.ulTableEvent) +
                                       ", which the suite does not judge; ignored");
            return;
        }
        if (out.table_event != SPOOLCHECK_TABLE_CHANGED && out.msg == 0)
            in_.notes.once("note", "a queue table notification named a row the harness could not "
                                   "tie to a message (neither PR_ENTRYID in the row nor a known "
                                   "PR_INSTANCE_KEY); it is reported without a message");
        in_.notify(out);
    }

    Instance &in_;
    uint32_t number_; /* 0: the queue sink */
    std::atomic<ULONG> refs_{1};
};

} // namespace

IMAPIAdviseSink *new_mail_sink(Instance &instance, uint32_t number)
{
    return new Sink(instance, number);
}

IMAPIAdviseSink *new_queue_sink(Instance &instance)
{
    return new Sink(instance, 0);
}

void kill_sink(IMAPIAdviseSink *sink)
{
    if (sink)
        static_cast<Sink *>(sink)->dead = true;
}

} // namespace bridge
