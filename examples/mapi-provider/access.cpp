/*
 * access.cpp: what clients and the spooler may do to submitted messages: OpenEntry, AbortSubmit,
 * SetReadFlag, DeleteMessages, EmptyFolder (S113-S118), and the spooler-only IMsgStore methods
 * SetLockState and FinishedMsg (S111; SPL-*). Each check asks whether the spooler holds the
 * message (the lock table) and whether it is submitted (MSGFLAG_SUBMIT).
 */
#include "example.h"

namespace example
{

/* OpenEntry on a message: the access the caller gets (ACCESS-01..05, ACCESS-10..12; AMB-14). A
 * folder opens its messages through the store, so the answer does not depend on the path. */
HRESULT open_access(Act &a, uint32_t id, ULONG flags, bool *modify)
{
    const Message *m = a.store.find(id);
    if (!m)
        return unknown_entry_id(a.store, Kind::Message, id, true);
    bool best = (flags & MAPI_BEST_ACCESS) != 0;
    bool wants_modify = best || (flags & MAPI_MODIFY) != 0;
    if (a.spooler()) {
        *modify = wants_modify; /* the spooler is not bound by the client rules (ACCESS-05) */
        return S_OK;
    }
    if (a.store.locked(id))
        return MAPI_E_NO_ACCESS; /* ACCESS-01, ACCESS-11 (S113, S114) */
    if (!m->submitted()) {
        *modify = wants_modify; /* an ordinary message (ACCESS-12) */
        return S_OK;
    }
    /* Queued or handed over, not locked: read-only (S116-S118). */
    if (!best && (flags & MAPI_MODIFY))
        return MAPI_E_SUBMITTED; /* ACCESS-02 */
    *modify = false;             /* ACCESS-03, ACCESS-04 */
    return S_OK;
}

/* IMsgStore::AbortSubmit (ABORT-01..07; AMB-16). */
HRESULT abort_submit(Act &a, uint32_t id)
{
    Message *m = a.store.find(id);
    if (!m)
        return unknown_entry_id(a.store, Kind::Message, id, true);
    if (a.store.locked(id))
        return MAPI_E_UNABLE_TO_ABORT; /* ABORT-04 (S113) */
    if (m->handed_to_spooler)
        return MAPI_E_UNABLE_TO_ABORT; /* past cancelling (ABORT-05, AMB-21) */
    if (!a.store.queued(id))
        return MAPI_E_NOT_IN_QUEUE; /* ABORT-03 */
    dequeue(a, id);                 /* ABORT-02, with its notification (OQ-05) */
    /* A draft again: MSGFLAG_SUBMIT and SUBMITFLAG_PREPROCESS go, MSGFLAG_UNSENT stays (ABORT-07,
     * AMB-13). */
    m = a.store.find(id);
    m->message_flags &= ~MSGFLAG_SUBMIT;
    m->submit_flags &= ~SUBMITFLAG_PREPROCESS;
    m->handed_to_spooler = false;
    return S_OK;
}

/* IMessage::SetReadFlag: a submitted message's read flag does not change (ACCESS-07, AMB-31). */
HRESULT set_read_flag(Act &a, uint32_t id)
{
    Message *m = a.store.find(id);
    if (!m)
        return unknown_entry_id(a.store, Kind::Message, id, true);
    if (m->submitted())
        return MAPI_E_NO_ACCESS;
    m->message_flags |= MSGFLAG_READ;
    return S_OK;
}

/* IMAPIFolder::DeleteMessages on one message: a submitted message stays (ACCESS-06). */
HRESULT delete_messages(Act &a, uint32_t id)
{
    const Message *m = a.store.find(id);
    if (!m)
        return MAPI_E_NOT_FOUND;
    if (m->submitted())
        return MAPI_W_PARTIAL_COMPLETION;
    delete_message(a, id);
    return S_OK;
}

/* IMAPIFolder::EmptyFolder: submitted messages stay and are not aborted (ACCESS-08). */
HRESULT empty_folder(Act &a, uint32_t folder)
{
    std::vector<Item> items = a.store.folders[folder]; /* deleting changes the contents */
    bool kept = false;
    for (const Item &item : items) {
        if (item.copy) {
            auto &live = a.store.folders[folder];
            for (auto it = live.begin(); it != live.end(); ++it)
                if (it->copy == item.copy) {
                    live.erase(it);
                    break;
                }
        } else if (a.store.find(item.msg)->submitted()) {
            kept = true;
        } else {
            delete_message(a, item.msg);
        }
    }
    return kept ? MAPI_W_PARTIAL_COMPLETION : S_OK;
}

/* A client calls a spooler-only method and the store enforces the restriction (AMB-19). */
static bool refuses_client(const Act &a)
{
    return !a.spooler() && a.settings.spooler_only;
}

/* IMsgStore::SetLockState (SPL-03..07; AMB-20). */
HRESULT set_lock_state(Act &a, uint32_t id, bool lock)
{
    if (refuses_client(a))
        return MAPI_E_NO_SUPPORT; /* SPL-04 (S111, S112) */
    const Message *m = a.store.find(id);
    if (!m)
        return unknown_entry_id(a.store, Kind::Message, id, true);
    if (!a.store.queued(id) && !m->handed_to_spooler)
        return MAPI_E_NOT_IN_QUEUE; /* nothing the spooler could be sending */
    if (lock == a.store.locked(id))
        return S_OK; /* locking twice or unlocking twice changes nothing */
    if (lock)
        lock_message(a, id); /* any queued message, not only the oldest (SPL-03, SPL-06) */
    else
        unlock_message(a, id); /* SPL-07 */
    row_modified(a, id);       /* OQ-11: PR_SUBMIT_FLAGS is a column */
    return S_OK;
}

/* IMsgStore::FinishedMsg (SPL-11..16; AMB-17, AMB-18): unlock (SPL-12), end the submission,
 * leave the queue (SPL-16), the sent-mail disposition (SPL-13), then DoSentMail once (SPL-14),
 * which releases the message object it is given. */
HRESULT finished_msg(Act &a, uint32_t id)
{
    if (!a.spooler())
        return MAPI_E_NO_SUPPORT; /* SPL-11: documented, whatever the enforcement */
    Message *m = a.store.find(id);
    if (!m)
        return unknown_entry_id(a.store, Kind::Message, id, true);
    if (!m->submitted())
        return MAPI_E_NOT_IN_QUEUE;
    if (!a.store.locked(id) || m->awaits_preprocessing())
        return MAPI_E_CALL_FAILED; /* the spooler finishes only what it locked (AMB-18) */
    uint32_t sentmail = m->sentmail;
    bool delete_it = m->delete_after_submit;
    unlock_message(a, id);
    clear_submission(a, id);
    dequeue(a, id);
    if (!a.settings.disposition_by_do_sent_mail)
        dispose(a, id, sentmail, delete_it);
    /* DoSentMail is told about the message even when the store disposed of it: MAPI reads what
     * it needs from the object. */
    IMessage *object = new_message(a.logon.shared_from_this(), id, false);
    a.support()->DoSentMail(0, object);
    return S_OK;
}

} // namespace example
