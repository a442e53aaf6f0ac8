/*
 * spooler.c: the IMsgStore methods only the spooler calls (S111): SetLockState, GetOutgoingQueue,
 * FinishedMsg and NotifyNewMail, and the spooler's (a transport's) writes to a locked message.
 * A store that supports sending implements all four for the spooler (CAP-02; S108-S111).
 */
#include "store.h"

/* A client calls a spooler-only method and the store enforces the restriction (AMB-19). */
static bool refuses_client(const struct store *s, uint32_t caller)
{
    return caller == SPOOLCHECK_ROLE_CLIENT && s->choices.enforce_spooler_only;
}

/* IMsgStore::SetLockState (SPL-03..07; AMB-20). */
uint32_t set_lock_state(struct store *s, uint32_t caller, uint32_t id, bool lock)
{
    if (refuses_client(s, caller))
        return SPOOLCHECK_MAPI_E_NO_SUPPORT; /* SPL-04 (S111, S112) */
    const struct message *m = message_find(s, id);
    if (!m)
        return unknown_entry_id(s, id);
    if (!idlist_contains(&s->queue, id) && !m->handed_to_spooler)
        return SPOOLCHECK_MAPI_E_NOT_IN_QUEUE; /* nothing the spooler could be sending */
    if (lock == is_locked(s, id))
        return SPOOLCHECK_S_OK; /* locking twice or unlocking twice changes nothing */
    if (lock)
        /* Any queued message can be locked, not only the oldest (SPL-03, S140). */
        lock_message(s, id); /* SPL-06 (S113, S120) */
    else
        unlock_message(s, id); /* SPL-07: queued and unlocked again */
    row_modified(s, id);       /* OQ-11: PR_SUBMIT_FLAGS is a column */
    return SPOOLCHECK_S_OK;
}

/* IMsgStore::GetOutgoingQueue: one row per queued message, oldest submission first, with the
 * required columns (OQ-01, OQ-02, OQ-03; S109, S111). */
void get_outgoing_queue(struct store *s, uint32_t caller, spoolcheck_ret *ret)
{
    if (refuses_client(s, caller)) {
        ret_hr(ret, SPOOLCHECK_MAPI_E_NO_SUPPORT);
        return;
    }
    for (size_t i = 0; i < s->queue.len; i++) {
        const struct message *m = message_find(s, s->queue.v[i]);
        spoolcheck_queue_row row = {0};
        row.msg = s->queue.v[i];
        row.has_submit_flags = 1;
        row.submit_flags = m->props.submit_flags;
        row.has_message_flags = 1;
        row.message_flags = m->props.message_flags & OBSERVED_MESSAGE_FLAGS;
        row.has_client_submit_time = m->props.has_client_submit_time;
        row.client_submit_time = m->props.client_submit_time;
        s->host->queue_row(s->host->ctx, &row);
    }
    ret_ok(ret, SPOOLCHECK_DATA_QUEUE, 0);
}

/* The spooler, for a transport, sets PR_RESPONSIBILITY TRUE on one recipient and saves. The
 * spooler may write to the messages it sends (ACCESS-05), and the store keeps what it writes
 * (SPL-08). A client's write is an ordinary write. */
uint32_t mark_responsibility(struct store *s, uint32_t caller, uint32_t id, uint32_t row)
{
    if (caller == SPOOLCHECK_ROLE_CLIENT)
        return write_message(s, caller, id, SPOOLCHECK_VIA_REOPENED);
    struct message *m = message_find(s, id);
    if (!m)
        return unknown_entry_id(s, id);
    if (row >= m->recipients.count)
        return SPOOLCHECK_MAPI_E_INVALID_PARAMETER;
    m->recipients.responsibility[row] = SPOOLCHECK_RESPONSIBILITY_TRUE;
    m->saved = true;
    return SPOOLCHECK_S_OK;
}

/* IMAPISupport::DoSentMail(0, message). In profile system the store is MAPI: its DoSentMail does
 * the disposition when the declared choice leaves it to DoSentMail. */
static void do_sent_mail(struct store *s, uint32_t id, uint32_t sentmail, bool delete_it)
{
    if (!plays_mapi(s)) {
        spoolcheck_call call = {0};
        call.kind = SPOOLCHECK_CALL_DO_SENT_MAIL;
        call.msg = id;
        call.flags = 0;
        support_call(s, &call, NULL);
    } else if (s->choices.disposition_by == SPOOLCHECK_DISPOSITION_BY_DO_SENT_MAIL &&
               message_find(s, id)) {
        dispose(s, id, sentmail, delete_it);
    }
}

/* The work of FinishedMsg: unlock (SPL-12), end the submission, leave the queue (SPL-16), the
 * sent-mail disposition (SPL-13), then DoSentMail once (SPL-14). */
void finish_message(struct store *s, uint32_t id)
{
    const struct message *m = message_find(s, id);
    uint32_t sentmail = m->props.sentmail_entryid;
    bool delete_it = m->props.delete_after_submit;
    unlock_message(s, id);
    clear_submission(s, id);
    dequeue(s, id);
    if (s->choices.disposition_by == SPOOLCHECK_DISPOSITION_BY_STORE)
        dispose(s, id, sentmail, delete_it);
    do_sent_mail(s, id, sentmail, delete_it);
}

/* IMsgStore::FinishedMsg (SPL-11..16; AMB-17, AMB-18). */
uint32_t finished_msg(struct store *s, uint32_t caller, uint32_t id)
{
    if (caller == SPOOLCHECK_ROLE_CLIENT)
        return SPOOLCHECK_MAPI_E_NO_SUPPORT; /* SPL-11: documented, whatever the enforcement */
    const struct message *m = resolve_entry_id(s, id);
    if (!m)
        return unknown_entry_id(s, id);
    if (!is_submitted(m))
        return SPOOLCHECK_MAPI_E_NOT_IN_QUEUE;
    /* The spooler only finishes messages it has locked and preprocessed (AMB-18). */
    if (!is_locked(s, id) || awaits_preprocessing(m))
        return SPOOLCHECK_MAPI_E_CALL_FAILED;
    finish_message(s, id);
    return SPOOLCHECK_S_OK;
}

/* IMsgStore::NotifyNewMail: one fnevNewMail to each store-wide sink (NNM-01, NNM-02). */
uint32_t notify_new_mail(struct store *s, uint32_t caller, uint32_t id)
{
    if (refuses_client(s, caller))
        return SPOOLCHECK_MAPI_E_NO_SUPPORT;
    for (size_t i = 0; i < s->session.new_mail_sinks.len; i++) {
        spoolcheck_notification n = {0};
        n.kind = SPOOLCHECK_NOTIFY_NEW_MAIL;
        n.msg = id;
        n.sink = s->session.new_mail_sinks.v[i];
        s->host->notify(s->host->ctx, &n);
    }
    return SPOOLCHECK_S_OK;
}
