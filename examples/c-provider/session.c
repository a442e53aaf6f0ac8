/*
 * session.c: creating messages, the store's properties, and the life of a session: Advise,
 * StoreLogoff, and the shutdown and start of a restart (S115; PERSIST-01, PERSIST-03, PERSIST-04).
 */
#include "store.h"

#include <string.h>

/* CreateMessage, SetProps, ModifyRecipients and, if the client wants, SaveChanges. Entry IDs are
 * handed out in creation order. */
void create_message(struct store *s, const spoolcheck_new_message *create, spoolcheck_ret *ret)
{
    struct message *m = message_new(s, create);
    if (!m)
        return;
    uint32_t id = message_insert(s, m);
    if (id == 0) {
        message_free(m);
        return;
    }
    folder_add(s, create->folder, id, false);
    ret_ok(ret, SPOOLCHECK_DATA_CREATED, id);
}

/* IMsgStore::Advise with no entry ID and fnevNewMail: a store-wide new-mail sink. */
void advise_new_mail(struct store *s, spoolcheck_ret *ret)
{
    uint32_t sink = s->next_sink++;
    if (!idlist_push(s, &s->session.new_mail_sinks, sink))
        return;
    ret_ok(ret, SPOOLCHECK_DATA_SINK, sink);
}

/* PR_STORE_SUPPORT_MASK: STORE_SUBMIT_OK exactly when the store supports sending (CAP-03). */
void support_mask(struct store *s, spoolcheck_ret *ret)
{
    uint32_t mask = SPOOLCHECK_STORE_MODIFY_OK | SPOOLCHECK_STORE_CREATE_OK;
    if (s->choices.submission)
        mask |= SPOOLCHECK_STORE_SUBMIT_OK;
    ret_ok(ret, SPOOLCHECK_DATA_SUPPORT_MASK, mask);
}

/* IMsgStore::StoreLogoff: the flags are kept for shutdown; a later call replaces them. */
uint32_t store_logoff(struct store *s, uint32_t flags)
{
    s->session.has_logoff_flags = true;
    s->session.logoff_flags = flags;
    return SPOOLCHECK_S_OK;
}

/* Shutdown: tell MAPI, forget what was never saved, end the session. */
static void shut_down(struct store *s)
{
    /* Exactly once, with the saved StoreLogoff flags, or LOGOFF_ABORT without them (PERSIST-04). */
    if (!plays_mapi(s)) {
        spoolcheck_call call = {0};
        call.kind = SPOOLCHECK_CALL_STORE_LOGOFF_TRANSPORTS;
        call.flags =
            s->session.has_logoff_flags ? s->session.logoff_flags : SPOOLCHECK_LOGOFF_ABORT;
        support_call(s, &call, NULL);
    }
    /* Messages never saved are gone, in entry ID order. */
    for (uint32_t id = 1; id < s->next_entry_id; id++) {
        struct message *m = message_find(s, id);
        if (m && !m->saved)
            delete_message(s, id);
    }
    /* The session's READYTOSEND, sinks and logoff flags go with it, and so do all client objects. */
    idlist_free(&s->session.new_mail_sinks);
    memset(&s->session, 0, sizeof s->session);
    for (uint32_t id = 1; id < s->next_entry_id; id++) {
        struct message *m = message_find(s, id);
        if (m)
            m->submitter_dead = true;
    }
}

/* Start: the saved messages and the queue are still there (PERSIST-03). The spooler's locks belong
 * to its session; they survive only if the store declared persistent locks (PERSIST-01, S115;
 * AMB-28). Under "either" the store drops them. */
static void start(struct store *s)
{
    /* Profile system: the spooler starts over too, so preprocessing a message begins again. */
    for (uint32_t id = 1; id < s->next_entry_id; id++) {
        struct message *m = message_find(s, id);
        if (m)
            idlist_free(&m->preprocessed);
    }
    if (s->choices.lock_after_restart == SPOOLCHECK_LOCK_KEPT)
        return;
    for (size_t i = 0; i < s->locks.len; i++) {
        struct message *m = message_find(s, s->locks.v[i]);
        if (m)
            set_bits(&m->props.submit_flags, SPOOLCHECK_SUBMITFLAG_LOCKED, false);
    }
    s->locks.len = 0;
}

/* The store shuts down and starts again. */
uint32_t restart(struct store *s)
{
    shut_down(s);
    start(s);
    return SPOOLCHECK_S_OK;
}
