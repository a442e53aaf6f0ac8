/*
 * ops.cpp: each of the suite's operations as the real calls a client or the spooler makes, on the
 * store object of the caller's role (docs/adapters.md has the table). What the provider answers
 * is the operation's result; when a preliminary call fails (opening the message, say), its error
 * is the result, as it would be for a real caller.
 */
#include "bridge.h"

#include <cstring>

namespace bridge
{

LPMDB store_of(Instance &in, uint32_t role)
{
    return role == SPOOLCHECK_ROLE_SPOOLER ? in.session->spooler.store.get()
                                           : in.session->client.store.get();
}

static HRESULT open_as(LPMDB store, const Bytes &eid, ULONG flags, ULONG want, LPUNKNOWN *out)
{
    ULONG type = 0;
    HRESULT hr = store->OpenEntry(
        static_cast<ULONG>(eid.size()),
        eid.empty() ? nullptr : reinterpret_cast<LPENTRYID>(const_cast<BYTE *>(eid.data())),
        nullptr, flags, &type, out);
    if (SUCCEEDED(hr) && (!*out || type != want)) {
        if (*out)
            (*out)->Release();
        *out = nullptr;
        throw Failure("IMsgStore::OpenEntry returned object type " + std::to_string(type) +
                      " where the entry ID names a " +
                      (want == MAPI_MESSAGE ? "message" : "folder"));
    }
    return hr;
}

/* An interface pointer OpenEntry returns is of the interface asked for, or the object's own
 * (IMessage, IMAPIFolder) when none is named: it is taken as that, never cast through IUnknown. */
HRESULT open_message(LPMDB store, const Bytes &eid, ULONG flags, Ref<IMessage> *out)
{
    LPUNKNOWN unk = nullptr;
    HRESULT hr = open_as(store, eid, flags, MAPI_MESSAGE, &unk);
    out->reset(reinterpret_cast<LPMESSAGE>(unk));
    return hr;
}

HRESULT open_folder(LPMDB store, const Bytes &eid, ULONG flags, Ref<IMAPIFolder> *out)
{
    LPUNKNOWN unk = nullptr;
    HRESULT hr = open_as(store, eid, flags, MAPI_FOLDER, &unk);
    out->reset(reinterpret_cast<LPMAPIFOLDER>(unk));
    return hr;
}

static void check(HRESULT hr, const std::string &what)
{
    if (FAILED(hr))
        throw Failure(what + " failed with " + hr_name(hr));
}

struct Ops {
    Instance &in;
    const spoolcheck_op &op;
    spoolcheck_ret &ret;

    Session &s() { return *in.session; }
    LPMDB caller() { return store_of(in, op.caller); }
    Bytes eid() { return in.entry_id(op.msg); }
    Record *record()
    {
        return op.msg >= 1 && op.msg <= in.records.size() ? &in.records[op.msg - 1] : nullptr;
    }
    void hr(HRESULT h)
    {
        ret.hr = static_cast<uint32_t>(h);
        ret.data_kind = SPOOLCHECK_DATA_NONE;
        ret.value = 0;
    }
    void data(uint32_t kind, uint32_t value)
    {
        ret.hr = SPOOLCHECK_S_OK;
        ret.data_kind = kind;
        ret.value = value;
    }
    const Bytes &folder(uint32_t f)
    {
        if (f < SPOOLCHECK_FOLDER_INBOX || f > SPOOLCHECK_FOLDER_DELETED_ITEMS)
            throw Failure("folder code " + std::to_string(f) + " is not SPOOLCHECK_FOLDER_*");
        return s().folders[f];
    }

    /* OpenEntry of the folder, IMAPIFolder::CreateMessage, SetProps, ModifyRecipients and, if the
     * client saves first, SaveChanges. The subject names the message for the observation. */
    void create_message()
    {
        const spoolcheck_new_message &m = op.create;
        uint32_t number = static_cast<uint32_t>(in.records.size() + 1);
        Ref<IMAPIFolder> f;
        check(open_folder(caller(), folder(m.folder), MAPI_MODIFY, &f),
              "CreateMessage: OpenEntry of the folder");
        Ref<IMessage> msg;
        check(f->CreateMessage(nullptr, 0, msg.out()), "IMAPIFolder::CreateMessage");
        Record r;
        r.subject = "spoolcheck message " + std::to_string(number);
        r.folder = m.folder;
        std::vector<SPropValue> v;
        auto add = [&](ULONG tag) -> SPropValue & {
            v.emplace_back();
            std::memset(&v.back(), 0, sizeof(SPropValue));
            v.back().ulPropTag = tag;
            return v.back();
        };
        char message_class[] = "IPM.Note";
        add(PR_SUBJECT).Value.lpszA = const_cast<LPSTR>(r.subject.c_str());
        add(PR_MESSAGE_CLASS).Value.lpszA = message_class;
        ULONG flags = (m.unsent ? MSGFLAG_UNSENT : 0) | (m.resend ? MSGFLAG_RESEND : 0);
        if (flags)
            add(PR_MESSAGE_FLAGS).Value.ul = flags;
        Bytes sentmail;
        if (m.sentmail != SPOOLCHECK_FOLDER_NONE) {
            sentmail = folder(m.sentmail);
            SPropValue &p = add(PR_SENTMAIL_ENTRYID);
            p.Value.bin.cb = static_cast<ULONG>(sentmail.size());
            p.Value.bin.lpb = sentmail.data();
        }
        if (m.delete_after_submit)
            add(PR_DELETE_AFTER_SUBMIT).Value.b = 1;
        LPSPropProblemArray problems = nullptr;
        HRESULT h = msg->SetProps(static_cast<ULONG>(v.size()), v.data(), &problems);
        mapi_free(problems);
        check(h, "CreateMessage: IMessage::SetProps");
        add_recipients(msg.get(), m);
        if (m.saved)
            check(msg->SaveChanges(KEEP_OPEN_READWRITE), "CreateMessage: IMessage::SaveChanges");
        Props p(msg.get(), {PR_ENTRYID}, "the new message");
        r.entry_id = p.binary(PR_ENTRYID);
        r.creator = std::move(msg);
        in.records.push_back(std::move(r));
        data(SPOOLCHECK_DATA_CREATED, number);
    }

    /* The client submits the object it created, or, once that object is dead (its SubmitMessage
     * succeeded, or a restart released it), one it opens again with MAPI_BEST_ACCESS; the spooler
     * opens the message through its own store. */
    void submit_message()
    {
        Record *r = record();
        Bytes id = eid();
        bool first = false;
        {
            Ref<IMessage> look;
            if (SUCCEEDED(open_message(s().spooler.store.get(), id, 0, &look))) {
                Props p(look.get(), {PR_MESSAGE_FLAGS}, "the message");
                const SPropValue *f = p.get(PR_MESSAGE_FLAGS);
                first = !f || !(f->Value.ul & MSGFLAG_SUBMIT);
            }
        }
        Ref<IMessage> reopened;
        LPMESSAGE target = nullptr;
        bool via_creator =
            op.caller == SPOOLCHECK_ROLE_CLIENT && r && r->creator && !r->creator_dead;
        if (via_creator) {
            target = r->creator.get();
        } else {
            HRESULT h = open_message(caller(), id, MAPI_BEST_ACCESS, &reopened);
            if (FAILED(h))
                return hr(h);
            target = reopened.get();
        }
        HRESULT h = target->SubmitMessage(op.flags);
        if (SUCCEEDED(h) && via_creator)
            r->creator_dead = true; /* only Release is allowed on it now (SUBMIT-14) */
        hr(h);
        if (SUCCEEDED(h) && first && r)
            note_stamp(*r, id);
    }

    /* The provider stamps PR_CLIENT_SUBMIT_TIME from its own clock; the harness ties that stamp to
     * its clock reading for this submission, so observations speak of the harness's time. */
    void note_stamp(Record &r, const Bytes &id)
    {
        Ref<IMessage> look;
        if (FAILED(open_message(s().spooler.store.get(), id, 0, &look)))
            return;
        Props p(look.get(), {PR_CLIENT_SUBMIT_TIME}, "the message");
        const SPropValue *t = p.get(PR_CLIENT_SUBMIT_TIME);
        if (!t)
            return;
        r.has_stamp = true;
        r.stamp =
            (static_cast<uint64_t>(t->Value.ft.dwHighDateTime) << 32) | t->Value.ft.dwLowDateTime;
        r.script_now = op.script.now;
    }

    void abort_submit()
    {
        Bytes id = eid();
        hr(caller()->AbortSubmit(static_cast<ULONG>(id.size()),
                                 reinterpret_cast<LPENTRYID>(id.data()), 0));
    }

    /* OpenEntry through the store or the message's folder; the result is PR_ACCESS_LEVEL. */
    void open_entry()
    {
        ULONG flags = op.access == SPOOLCHECK_ACCESS_MODIFY ? MAPI_MODIFY
                      : op.access == SPOOLCHECK_ACCESS_BEST ? MAPI_BEST_ACCESS
                                                            : 0;
        Bytes id = eid();
        Ref<IMessage> msg;
        HRESULT h;
        if (op.path == SPOOLCHECK_PATH_FOLDER) {
            Record *r = record();
            Ref<IMAPIFolder> f;
            h = open_folder(caller(), folder(r ? r->folder : SPOOLCHECK_FOLDER_OUTBOX),
                            MAPI_BEST_ACCESS, &f);
            if (FAILED(h))
                return hr(h);
            ULONG type = 0;
            LPUNKNOWN unk = nullptr;
            h = f->OpenEntry(static_cast<ULONG>(id.size()), reinterpret_cast<LPENTRYID>(id.data()),
                             nullptr, flags, &type, &unk);
            msg.reset(reinterpret_cast<LPMESSAGE>(unk));
        } else {
            h = open_message(caller(), id, flags, &msg);
        }
        if (FAILED(h))
            return hr(h);
        if (!msg)
            throw Failure("OpenEntry succeeded and returned no object");
        Props p(msg.get(), {PR_ACCESS_LEVEL}, "the opened message");
        const SPropValue *level = p.get(PR_ACCESS_LEVEL);
        if (!level)
            throw Failure("OpenEntry: the opened message has no PR_ACCESS_LEVEL (" +
                          hr_name(p.hr()) + "); the suite reads the access it got from it");
        data(SPOOLCHECK_DATA_OPENED, level->Value.ul & MAPI_MODIFY ? 1 : 0);
    }

    /* A property write and SaveChanges, through the object the client created or one it opens
     * afresh with MAPI_BEST_ACCESS. */
    void write_message()
    {
        Record *r = record();
        Ref<IMessage> reopened;
        LPMESSAGE target = nullptr;
        if (op.via == SPOOLCHECK_VIA_SUBMITTER) {
            if (!r || !r->creator) {
                /* That object ended with its session (a restart): nothing reaches the store. */
                return hr(MAPI_E_NO_ACCESS);
            }
            target = r->creator.get();
        } else {
            HRESULT h = open_message(caller(), eid(), MAPI_BEST_ACCESS, &reopened);
            if (FAILED(h))
                return hr(h);
            target = reopened.get();
        }
        SPropValue body;
        std::memset(&body, 0, sizeof body);
        body.ulPropTag = PR_BODY;
        char text[] = "written by spoolcheck";
        body.Value.lpszA = text;
        LPSPropProblemArray problems = nullptr;
        HRESULT h = target->SetProps(1, &body, &problems);
        mapi_free(problems);
        if (SUCCEEDED(h))
            h = target->SaveChanges(KEEP_OPEN_READWRITE);
        hr(h);
    }

    /* IMsgStore::SetLockState takes the message object: the spooler's, which its lock does not
     * keep out. */
    void set_lock_state()
    {
        Ref<IMessage> msg;
        HRESULT h = open_message(s().spooler.store.get(), eid(), MAPI_BEST_ACCESS, &msg);
        if (FAILED(h))
            return hr(h);
        hr(caller()->SetLockState(msg.get(), op.lock ? MSG_LOCKED : MSG_UNLOCKED));
    }

    /* GetOutgoingQueue, and every row of the table in its default order and columns (OQ-02). */
    void get_outgoing_queue()
    {
        Ref<IMAPITable> table;
        HRESULT h = caller()->GetOutgoingQueue(0, table.out());
        if (FAILED(h))
            return hr(h);
        std::vector<Row> rows;
        check(read_rows(table.get(), &rows), "IMAPITable::QueryRows on the outgoing queue");
        for (const Row &row : rows) {
            const SPropValue *e = row.get(PR_ENTRYID);
            uint32_t msg =
                e ? in.number_of(Bytes(e->Value.bin.lpb, e->Value.bin.lpb + e->Value.bin.cb)) : 0;
            if (msg == 0)
                throw Failure(
                    "GetOutgoingQueue: a row without a PR_ENTRYID of a message the suite created");
            spoolcheck_queue_row q{};
            q.msg = msg;
            if (const SPropValue *v = row.get(PR_SUBMIT_FLAGS)) {
                q.has_submit_flags = 1;
                q.submit_flags = v->Value.ul;
            }
            if (const SPropValue *v = row.get(PR_MESSAGE_FLAGS)) {
                q.has_message_flags = 1;
                q.message_flags = v->Value.ul;
            }
            if (const SPropValue *v = row.get(PR_CLIENT_SUBMIT_TIME)) {
                q.has_client_submit_time = 1;
                uint64_t t = (static_cast<uint64_t>(v->Value.ft.dwHighDateTime) << 32) |
                             v->Value.ft.dwLowDateTime;
                q.client_submit_time = harness_time(in.records[msg - 1], t);
            }
            in.host->queue_row(in.host->ctx, &q);
        }
        data(SPOOLCHECK_DATA_QUEUE, 0);
    }

    /* The spooler, for a transport, sets PR_RESPONSIBILITY TRUE on one recipient and saves. */
    void mark_responsibility()
    {
        Ref<IMessage> msg;
        HRESULT h = open_message(caller(), eid(), MAPI_BEST_ACCESS, &msg);
        if (SUCCEEDED(h))
            h = mark_responsible(msg.get(), op.recipient);
        if (SUCCEEDED(h))
            h = msg->SaveChanges(KEEP_OPEN_READWRITE);
        hr(h);
    }

    void finished_msg()
    {
        Bytes id = eid();
        hr(caller()->FinishedMsg(0, static_cast<ULONG>(id.size()),
                                 reinterpret_cast<LPENTRYID>(id.data())));
    }

    /* IMsgStore::Advise with no entry ID for fnevNewMail, with a sink of its own. */
    void advise_new_mail()
    {
        uint32_t number = in.next_sink;
        Ref<IMAPIAdviseSink> sink(new_mail_sink(in, number));
        ULONG connection = 0;
        HRESULT h = caller()->Advise(0, nullptr, fnevNewMail, sink.get(), &connection);
        if (FAILED(h))
            return hr(h);
        in.next_sink++;
        in.sinks[number] = std::move(sink);
        data(SPOOLCHECK_DATA_SINK, number);
    }

    void notify_new_mail()
    {
        Bytes id = eid();
        Bytes inbox = s().folders[SPOOLCHECK_FOLDER_INBOX];
        NOTIFICATION n;
        std::memset(&n, 0, sizeof n);
        n.ulEventType = fnevNewMail;
        n.info.newmail.cbEntryID = static_cast<ULONG>(id.size());
        n.info.newmail.lpEntryID = reinterpret_cast<LPENTRYID>(id.data());
        n.info.newmail.cbParentID = static_cast<ULONG>(inbox.size());
        n.info.newmail.lpParentID = reinterpret_cast<LPENTRYID>(inbox.data());
        char message_class[] = "IPM.Note";
        n.info.newmail.lpszMessageClass = message_class;
        hr(caller()->NotifyNewMail(&n));
    }

    void set_read_flag()
    {
        Ref<IMessage> msg;
        HRESULT h = open_message(caller(), eid(), MAPI_BEST_ACCESS, &msg);
        if (SUCCEEDED(h))
            h = msg->SetReadFlag(0);
        hr(h);
    }

    /* IMAPIFolder::DeleteMessages in the folder the message was last seen in. */
    void delete_message()
    {
        Record *r = record();
        Ref<IMAPIFolder> f;
        HRESULT h = open_folder(caller(), folder(r ? r->folder : SPOOLCHECK_FOLDER_OUTBOX),
                                MAPI_BEST_ACCESS, &f);
        if (FAILED(h))
            return hr(h);
        Bytes id = eid();
        SBinary bin{static_cast<ULONG>(id.size()), id.data()};
        ENTRYLIST list{1, &bin};
        hr(f->DeleteMessages(&list, 0, nullptr, 0));
    }

    void empty_folder()
    {
        Ref<IMAPIFolder> f;
        HRESULT h = open_folder(caller(), folder(op.folder), MAPI_BEST_ACCESS, &f);
        if (SUCCEEDED(h))
            h = f->EmptyFolder(0, nullptr, 0);
        hr(h);
    }

    void support_mask()
    {
        Props p(s().client.store.get(), {PR_STORE_SUPPORT_MASK}, "the store");
        const SPropValue *m = p.get(PR_STORE_SUPPORT_MASK);
        if (!m)
            throw Failure("the store has no PR_STORE_SUPPORT_MASK (" + hr_name(p.hr()) + ")");
        data(SPOOLCHECK_DATA_SUPPORT_MASK, m->Value.ul);
    }

    void store_logoff()
    {
        ULONG flags = op.flags;
        hr(s().client.store->StoreLogoff(&flags));
    }
};

void apply_op(Instance &in, const spoolcheck_op &op, spoolcheck_ret &ret)
{
    Ops o{in, op, ret};
    switch (op.kind) {
    case SPOOLCHECK_OP_CREATE_MESSAGE: return o.create_message();
    case SPOOLCHECK_OP_SUBMIT_MESSAGE: return o.submit_message();
    case SPOOLCHECK_OP_ABORT_SUBMIT: return o.abort_submit();
    case SPOOLCHECK_OP_OPEN_ENTRY: return o.open_entry();
    case SPOOLCHECK_OP_WRITE_MESSAGE: return o.write_message();
    case SPOOLCHECK_OP_SET_LOCK_STATE: return o.set_lock_state();
    case SPOOLCHECK_OP_GET_OUTGOING_QUEUE: return o.get_outgoing_queue();
    case SPOOLCHECK_OP_MARK_RESPONSIBILITY: return o.mark_responsibility();
    case SPOOLCHECK_OP_FINISHED_MSG: return o.finished_msg();
    case SPOOLCHECK_OP_ADVISE_NEW_MAIL: return o.advise_new_mail();
    case SPOOLCHECK_OP_NOTIFY_NEW_MAIL: return o.notify_new_mail();
    case SPOOLCHECK_OP_SET_READ_FLAG: return o.set_read_flag();
    case SPOOLCHECK_OP_DELETE_MESSAGE: return o.delete_message();
    case SPOOLCHECK_OP_EMPTY_FOLDER: return o.empty_folder();
    case SPOOLCHECK_OP_GET_SUPPORT_MASK: return o.support_mask();
    case SPOOLCHECK_OP_STORE_LOGOFF: return o.store_logoff();
    case SPOOLCHECK_OP_RESTART: in.restart(); return o.hr(S_OK);
    default: throw Failure("unsupported"); /* abi.cpp answers SPOOLCHECK_UNSUPPORTED before this */
    }
}

} // namespace bridge
