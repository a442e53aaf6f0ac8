/*
 * store.c: the store's own bookkeeping, shared by the MAPI methods: calls to MAPI, queue rows and
 * their notifications, the lock table, the end of a submission, sent-mail disposition and deletion.
 */
#include "store.h"

/* Profile system: the store is also MAPI's support object and the spooler, so its calls to them
 * and the queue table's notifications stay inside. */
bool plays_mapi(const struct store *s)
{
    return s->choices.profile == SPOOLCHECK_PROFILE_SYSTEM;
}

/* True when the tightly coupled transport handles recipients of this address type (AMB-02). */
bool tc_handles(const struct store *s, uint32_t addr)
{
    return s->choices.tight_coupling && addr < 32 && (s->choices.tc_handles & (1u << addr)) != 0;
}

/* A call to MAPI's support object (or, in profile system, a transport), answered by the host. */
uint32_t support_call(struct store *s, spoolcheck_call *call, uint32_t *out_flags)
{
    uint32_t flags = 0;
    uint32_t hr = s->host->call(s->host->ctx, call, &flags);
    if (out_flags)
        *out_flags = flags;
    return hr;
}

/* Raises fnevTableModified on the outgoing queue table for one row (OQ-05, AMB-25). */
void queue_notification(struct store *s, uint32_t table_event, uint32_t id)
{
    if (plays_mapi(s))
        return;
    spoolcheck_notification n = {0};
    n.kind = SPOOLCHECK_NOTIFY_QUEUE_TABLE;
    n.table_event = table_event;
    n.msg = id;
    s->host->notify(s->host->ctx, &n);
}

/* A message joins the outgoing queue as its newest row, and the spooler is told (OQ-05, S137).
 * Appending keeps the rows in the order of the SubmitMessage calls (SUBMIT-12). */
void enqueue(struct store *s, uint32_t id)
{
    if (!idlist_push(s, &s->queue, id))
        return;
    queue_notification(s, SPOOLCHECK_TABLE_ROW_ADDED, id);
}

/* A message leaves the outgoing queue, if it was there, and the spooler is told (OQ-05). */
void dequeue(struct store *s, uint32_t id)
{
    if (idlist_remove(&s->queue, id))
        queue_notification(s, SPOOLCHECK_TABLE_ROW_DELETED, id);
}

/* A queued row's PR_SUBMIT_FLAGS changed (OQ-11). */
void row_modified(struct store *s, uint32_t id)
{
    if (idlist_contains(&s->queue, id))
        queue_notification(s, SPOOLCHECK_TABLE_ROW_MODIFIED, id);
}

/* True while the spooler holds the message. */
bool is_locked(const struct store *s, uint32_t id)
{
    return idlist_contains(&s->locks, id);
}

/* The spooler takes the message: the lock table, and SUBMITFLAG_LOCKED ORed into PR_SUBMIT_FLAGS
 * so clients and the queue table see it (SPL-06, FLAG-06, AMB-03). */
void lock_message(struct store *s, uint32_t id)
{
    if (!is_locked(s, id) && !idlist_push(s, &s->locks, id))
        return;
    struct message *m = message_find(s, id);
    if (m)
        set_bits(&m->props.submit_flags, SPOOLCHECK_SUBMITFLAG_LOCKED, true);
}

/* The lock is released (SPL-07, SPL-12). */
void unlock_message(struct store *s, uint32_t id)
{
    idlist_remove(&s->locks, id);
    struct message *m = message_find(s, id);
    if (m)
        set_bits(&m->props.submit_flags, SPOOLCHECK_SUBMITFLAG_LOCKED, false);
}

/* Profile system: the spooler is done with the message, or will start over with it: it is no
 * longer handed over, and what the spooler had done on it is forgotten. */
void spooler_forget(struct store *s, uint32_t id)
{
    idlist_remove(&s->mapi.handed_over, id);
    struct message *m = message_find(s, id);
    if (m)
        idlist_free(&m->preprocessed);
}

/* Sending is over: MSGFLAG_SUBMIT and MSGFLAG_UNSENT are cleared, as is SUBMITFLAG_PREPROCESS, and
 * the spooler no longer owns the message (SPL-12, TC-04; AMB-13, AMB-22). */
void clear_submission(struct store *s, uint32_t id)
{
    spooler_forget(s, id);
    struct message *m = message_find(s, id);
    if (!m)
        return;
    set_bits(&m->props.message_flags, SPOOLCHECK_MSGFLAG_SUBMIT | SPOOLCHECK_MSGFLAG_UNSENT, false);
    set_bits(&m->props.submit_flags, SPOOLCHECK_SUBMITFLAG_PREPROCESS, false);
    m->handed_to_spooler = false;
}

/* The sent-mail disposition (SPL-13, TC-04; AMB-17, AMB-35): to the PR_SENTMAIL_ENTRYID folder,
 * moved or copied as the store declared, then deleted if PR_DELETE_AFTER_SUBMIT asks for it (a
 * copy stays). */
void dispose(struct store *s, uint32_t id, uint32_t sentmail, bool delete_it)
{
    if (sentmail != SPOOLCHECK_FOLDER_NONE) {
        if (s->choices.sentmail == SPOOLCHECK_SENTMAIL_MOVE)
            folder_move_message(s, id, sentmail);
        else
            folder_add(s, sentmail, id, true);
    }
    if (delete_it)
        delete_after_submit(s, id);
}

/* PR_DELETE_AFTER_SUBMIT: the message is deleted, as the store declared deleting to mean (AMB-35). */
void delete_after_submit(struct store *s, uint32_t id)
{
    if (s->choices.delete_means == SPOOLCHECK_DELETE_HARD)
        delete_message(s, id);
    else
        folder_move_message(s, id, SPOOLCHECK_FOLDER_DELETED_ITEMS);
}

/* Removes a message from the message table, its folder, the queue and the lock table. */
void delete_message(struct store *s, uint32_t id)
{
    dequeue(s, id);
    message_remove(s, id);
    folder_remove_message(s, id);
    idlist_remove(&s->locks, id);
}

/* The message named by an entry ID read before submission. The store never changes a message's
 * entry ID, so the old one keeps working while the message is queued (SUBMIT-16). */
struct message *resolve_entry_id(const struct store *s, uint32_t id)
{
    return message_find(s, id);
}

/* The answer to an entry ID that names no message (ABORT-03, ACCESS-12; AMB-16): the call fails
 * and changes nothing. MAPI_E_NOT_FOUND when the store gave the ID out and the message has since
 * been deleted; MAPI_E_INVALID_ENTRYID when the store never gave it out (it starts counting at 1,
 * so 0 never names a message). */
uint32_t unknown_entry_id(const struct store *s, uint32_t id)
{
    bool given_out = id != 0 && id < s->next_entry_id;
    if (given_out && !message_find(s, id))
        return SPOOLCHECK_MAPI_E_NOT_FOUND;
    return SPOOLCHECK_MAPI_E_INVALID_ENTRYID;
}
