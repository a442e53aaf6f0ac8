/*
 * client.c: what clients do to submitted messages: AbortSubmit, OpenEntry, writes, SetReadFlag,
 * DeleteMessages and EmptyFolder (S113-S118). Every check asks two questions: does the spooler
 * hold the message (the lock table), and is it submitted (MSGFLAG_SUBMIT)?
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#define ACCESS_LEVEL_READ_ONLY 0u /* PR_ACCESS_LEVEL */
#define ACCESS_LEVEL_MODIFY 1u

/* After an abort the message is a draft again: MSGFLAG_SUBMIT and SUBMITFLAG_PREPROCESS are
 * cleared, MSGFLAG_UNSENT stays (ABORT-07, AMB-13). */
static void clear_abort_flags(struct store *s, uint32_t id)
{
    spooler_forget(s, id);
    struct message *m = message_find(s, id);
    set_bits(&m->props.submit_flags, SPOOLCHECK_SUBMITFLAG_PREPROCESS, false);
    m->handed_to_spooler = false;
    set_bits(&m->props.message_flags, SPOOLCHECK_MSGFLAG_SUBMIT, false);
}

/* IMsgStore::AbortSubmit with the entry ID read before submission (ABORT-01..07; AMB-16). Clients
 * may call it (ABORT-01). An entry ID that names no message, deleted or never given out, fails as
 * unknown_entry_id() says (ABORT-03). */
uint32_t abort_submit(struct store *s, uint32_t caller, uint32_t id)
{
    (void)caller;
    struct message *m = resolve_entry_id(s, id);
    if (!m)
        return unknown_entry_id(s, id);
    if (is_locked(s, id))
        return SPOOLCHECK_MAPI_E_UNABLE_TO_ABORT; /* ABORT-04 (S113) */
    if (m->handed_to_spooler)
        return SPOOLCHECK_MAPI_E_UNABLE_TO_ABORT; /* handed over by CompleteMsg: past cancelling (ABORT-05, AMB-21) */
    if (!idlist_contains(&s->queue, id))
        return SPOOLCHECK_MAPI_E_NOT_IN_QUEUE; /* ABORT-03: never submitted, or already sent */
    dequeue(s, id);                    /* ABORT-02, with a notification (OQ-05) */
    clear_abort_flags(s, id);
    return SPOOLCHECK_S_OK;
}

/* While the spooler holds a message, no client opens it, whatever the flags (ACCESS-01, S113), and
 * the error is MAPI_E_NO_ACCESS (ACCESS-11, S114). */
static void deny_locked(spoolcheck_ret *ret)
{
#ifdef SPOOLCHECK_EXAMPLE_MUTANT
    /* MUTANT (breaks ACCESS-01): the lock is taken to mean "no writing" only, so a client still
     * opens the message read-only. */
    ret_ok(ret, SPOOLCHECK_DATA_OPENED, ACCESS_LEVEL_READ_ONLY);
#else
    ret_hr(ret, SPOOLCHECK_MAPI_E_NO_ACCESS);
#endif
}

/* IMsgStore::OpenEntry and IMAPIFolder::OpenEntry on a message: the access the caller gets
 * (ACCESS-01..05, ACCESS-10..12; AMB-14). A folder opens its messages through the store, so the
 * answer does not depend on the path (ACCESS-10). */
void open_entry(struct store *s, uint32_t caller, uint32_t id, uint32_t access, uint32_t path,
                spoolcheck_ret *ret)
{
    (void)path;
    const struct message *m = resolve_entry_id(s, id);
    if (!m) {
        ret_hr(ret, unknown_entry_id(s, id));
        return;
    }
    uint32_t requested =
        access == SPOOLCHECK_ACCESS_DEFAULT ? ACCESS_LEVEL_READ_ONLY : ACCESS_LEVEL_MODIFY;
    if (caller == SPOOLCHECK_ROLE_SPOOLER) {
        /* The spooler's store object is not bound by the client rules (ACCESS-05, CAP-06). */
        ret_ok(ret, SPOOLCHECK_DATA_OPENED, requested);
        return;
    }
    if (is_locked(s, id)) {
        deny_locked(ret);
        return;
    }
    if (!is_submitted(m)) {
        ret_ok(ret, SPOOLCHECK_DATA_OPENED, requested); /* an ordinary message (ACCESS-12) */
        return;
    }
    /* Queued or handed over, not locked: read-only (S116-S118). */
    if (access == SPOOLCHECK_ACCESS_MODIFY)
        ret_hr(ret, SPOOLCHECK_MAPI_E_SUBMITTED); /* ACCESS-02 */
    else
        ret_ok(ret, SPOOLCHECK_DATA_OPENED, ACCESS_LEVEL_READ_ONLY); /* ACCESS-03, ACCESS-04 */
}

/* Whether a client object opened afresh with MAPI_BEST_ACCESS can write: not while the spooler
 * holds the message (ACCESS-01), and not once it is submitted, when it opens read-only
 * (ACCESS-03, ACCESS-09). */
static bool reopened_is_writable(const struct store *s, uint32_t id)
{
    if (is_locked(s, id))
        return false;
    return !is_submitted(message_find(s, id));
}

/* A property write and SaveChanges through a client object (SUBMIT-14, ACCESS-09), or through the
 * spooler's (ACCESS-05). */
uint32_t write_message(struct store *s, uint32_t caller, uint32_t id, uint32_t via)
{
    struct message *m = message_find(s, id);
    if (!m)
        return unknown_entry_id(s, id);
    if (caller == SPOOLCHECK_ROLE_CLIENT) {
        bool writable;
        if (via == SPOOLCHECK_VIA_SUBMITTER)
            /* The object the client created and submitted: read/write until SubmitMessage killed
             * it (SUBMIT-14). */
            writable = !m->submitter_dead;
        else
            writable = reopened_is_writable(s, id);
        if (!writable)
            return SPOOLCHECK_MAPI_E_NO_ACCESS;
    }
    m->saved = true;
    return SPOOLCHECK_S_OK;
}

/* IMessage::SetReadFlag: a submitted message's read flag does not change (ACCESS-07, AMB-31). */
uint32_t set_read_flag(struct store *s, uint32_t caller, uint32_t id)
{
    (void)caller;
    struct message *m = message_find(s, id);
    if (!m)
        return unknown_entry_id(s, id);
    if (is_submitted(m))
        return SPOOLCHECK_MAPI_E_NO_ACCESS;
    set_bits(&m->props.message_flags, SPOOLCHECK_MSGFLAG_READ, true);
    return SPOOLCHECK_S_OK;
}

/* IMAPIFolder::DeleteMessages on one message: a submitted message stays (ACCESS-06, AMB-31). */
uint32_t delete_messages(struct store *s, uint32_t caller, uint32_t id)
{
    (void)caller;
    const struct message *m = message_find(s, id);
    if (!m)
        return SPOOLCHECK_MAPI_E_NOT_FOUND;
    if (is_submitted(m))
        return SPOOLCHECK_MAPI_W_PARTIAL_COMPLETION;
    delete_message(s, id);
    return SPOOLCHECK_S_OK;
}

/* IMAPIFolder::EmptyFolder: submitted messages stay and are not aborted (ACCESS-08). */
uint32_t empty_folder(struct store *s, uint32_t caller, uint32_t folder)
{
    (void)caller;
    /* Work on a snapshot of the folder's contents: deleting changes them. */
    const struct folder_contents *c = &s->folders.folder[folder];
    size_t n = c->len;
    if (n == 0)
        return SPOOLCHECK_S_OK;
    struct folder_item *items = malloc(n * sizeof *items);
    if (!items) {
        s->out_of_memory = true;
        return SPOOLCHECK_S_OK;
    }
    memcpy(items, c->v, n * sizeof *items);
    bool kept = false;
    for (size_t i = 0; i < n; i++) {
        if (items[i].sent_copy) {
            folder_remove_item(s, folder, items[i]);
        } else if (is_submitted(message_find(s, items[i].msg))) {
            kept = true;
        } else {
            delete_message(s, items[i].msg);
        }
    }
    free(items);
    return kept ? SPOOLCHECK_MAPI_W_PARTIAL_COMPLETION : SPOOLCHECK_S_OK;
}
