/*
 * system.c: profile system: the store is also MAPI's support object and the spooler. The harness
 * plays the transports, which register preprocessors, go up and down, and record what they are
 * asked to do (S139-S143). In profile provider the harness is the spooler and these operations
 * change nothing that can be observed.
 */
#include "store.h"

#include <stdlib.h>

/* A transport registers a preprocessor (PRE-08, S142). Each address type has its own transport,
 * so registering by the transport's MAPIUID selects the same messages as registering for its
 * address type; registering with neither selects every message. */
uint32_t register_preprocessor(struct store *s, uint32_t addr, uint32_t scope)
{
    struct mapi_side *mapi = &s->mapi;
    if (mapi->preprocessor_count == mapi->preprocessor_cap) {
        size_t cap = mapi->preprocessor_cap ? mapi->preprocessor_cap * 2 : 4;
        struct preprocessor *p = realloc(mapi->preprocessors, cap * sizeof *p);
        if (!p) {
            s->out_of_memory = true;
            return HR_S_OK;
        }
        mapi->preprocessors = p;
        mapi->preprocessor_cap = cap;
    }
    struct preprocessor *p = &mapi->preprocessors[mapi->preprocessor_count];
    p->number = (uint32_t)mapi->preprocessor_count + 1;
    p->addr = addr;
    p->scope = scope;
    mapi->preprocessor_count++;
    return HR_S_OK;
}

/* A transport becomes unavailable or available again. */
uint32_t set_transport_available(struct store *s, uint32_t addr, bool available)
{
    s->mapi.transport_down[addr] = !available;
    return HR_S_OK;
}

/* Whether a preprocessor is for messages with a recipient of this address type. */
static bool preprocessor_for(const struct preprocessor *p, uint32_t addr)
{
    return p->scope == SPOOLCHECK_SCOPE_ALL_MESSAGES || p->addr == addr;
}

/* Whether any registered preprocessor is for this address type. */
static bool has_preprocessor_for(const struct store *s, uint32_t addr)
{
    for (size_t i = 0; i < s->mapi.preprocessor_count; i++)
        if (preprocessor_for(&s->mapi.preprocessors[i], addr))
            return true;
    return false;
}

/* MAPI's ExpandRecips, as the store plays it: preprocessing is needed when a registered
 * preprocessor's transport has a recipient (PR_PREPROCESS is set then), and the spooler is needed
 * when the coupled transport cannot handle every recipient. */
uint32_t mapi_expand_recips(const struct store *s, const struct message *m, bool *preprocess)
{
    bool needs_preprocessing = false;
    bool needs_spooler = false;
    for (uint32_t r = 0; r < m->recipients.count; r++) {
        uint32_t addr = m->recipients.addr_type[r];
        if (has_preprocessor_for(s, addr))
            needs_preprocessing = true;
        if (s->choices.tight_coupling && !tc_handles(s, addr))
            needs_spooler = true;
    }
    *preprocess = needs_preprocessing;
    return (needs_preprocessing ? NEEDS_PREPROCESSING : 0) | (needs_spooler ? NEEDS_SPOOLER : 0);
}

/* Whether every recipient no one has handled yet waits on a transport that is up. */
static bool transports_up_for(const struct store *s, uint32_t id)
{
    const struct message *m = message_find(s, id);
    if (!m)
        return false;
    for (uint32_t r = 0; r < m->recipients.count; r++)
        if (m->recipients.responsibility[r] != SPOOLCHECK_RESPONSIBILITY_TRUE &&
            s->mapi.transport_down[m->recipients.addr_type[r]])
            return false;
    return true;
}

/* Messages handed over by CompleteMsg first, in hand-over order, then the queue oldest first
 * (SPL-02), passing over a message whose remaining recipients wait on a transport that is down.
 * Returns 0 when none can be served. */
static uint32_t next_to_serve(const struct store *s)
{
    for (size_t i = 0; i < s->mapi.handed_over.len; i++)
        if (transports_up_for(s, s->mapi.handed_over.v[i]))
            return s->mapi.handed_over.v[i];
    for (size_t i = 0; i < s->queue.len; i++)
        if (transports_up_for(s, s->queue.v[i]))
            return s->queue.v[i];
    return 0;
}

/* Every preprocessor whose transport has a recipient of the message, in registration order. */
static void matching_preprocessors(struct store *s, uint32_t id, struct idlist *out)
{
    const struct message *m = message_find(s, id);
    for (size_t i = 0; i < s->mapi.preprocessor_count; i++) {
        const struct preprocessor *p = &s->mapi.preprocessors[i];
        for (uint32_t r = 0; r < m->recipients.count; r++) {
            if (preprocessor_for(p, m->recipients.addr_type[r])) {
                idlist_push(s, out, p->number);
                break;
            }
        }
    }
}

/* Each transport gets its own recipients that no one has handled yet, then they are handled. */
static void send_to_transports(struct store *s, uint32_t id)
{
    struct idlist rows = {0};
    for (uint32_t transport = 1; transport <= ADDR_TYPE_COUNT; transport++) {
        struct message *m = message_find(s, id);
        rows.len = 0;
        for (uint32_t r = 0; r < m->recipients.count; r++)
            if (m->recipients.addr_type[r] == transport &&
                m->recipients.responsibility[r] != SPOOLCHECK_RESPONSIBILITY_TRUE)
                idlist_push(s, &rows, r);
        if (rows.len == 0)
            continue;
        spoolcheck_call call = {0};
        call.kind = SPOOLCHECK_CALL_TRANSPORT_SEND;
        call.transport = transport;
        call.msg = id;
        call.recipient_count = (uint32_t)rows.len;
        call.recipients = rows.v;
        call.locked = is_locked(s, id);
        support_call(s, &call, NULL);
        for (uint32_t r = 0; r < m->recipients.count; r++)
            if (m->recipients.addr_type[r] == transport)
                m->recipients.responsibility[r] = SPOOLCHECK_RESPONSIBILITY_TRUE;
    }
    idlist_free(&rows);
}

/* Lock (SPL-19); run the matching preprocessors in registration order and re-submit (PRE-02,
 * PRE-08); send to the recipients still FALSE (SPL-20, TC-06); RemovePreprocessInfo when
 * PR_PREPROCESS is set (SPL-10); FinishedMsg (SPL-21). */
static void serve(struct store *s, uint32_t id)
{
    static const spoolcheck_script no_script = {0, HR_S_OK, HR_S_OK, 0};
    if (!is_locked(s, id))
        lock_message(s, id);
    struct idlist preprocessors = {0};
    matching_preprocessors(s, id, &preprocessors);
    if (awaits_preprocessing(message_find(s, id))) {
        for (size_t i = 0; i < preprocessors.len; i++) {
            spoolcheck_call call = {0};
            call.kind = SPOOLCHECK_CALL_PREPROCESS;
            call.preprocessor = preprocessors.v[i];
            call.msg = id;
            call.locked = is_locked(s, id);
            support_call(s, &call, NULL);
        }
        /* The spooler's SubmitMessage: preprocessing is done, the store routes the message. */
        submit_message(s, SPOOLCHECK_ROLE_SPOOLER, id, 0, &no_script);
    }
    send_to_transports(s, id);
    if (message_find(s, id)->props.preprocess) {
        for (size_t i = 0; i < preprocessors.len; i++) {
            spoolcheck_call call = {0};
            call.kind = SPOOLCHECK_CALL_REMOVE_PREPROCESS_INFO;
            call.preprocessor = preprocessors.v[i];
            call.msg = id;
            support_call(s, &call, NULL);
        }
    }
    idlist_free(&preprocessors);
    /* FinishedMsg once, after the send (SPL-21), handed-over messages too (TC-06). */
    finish_message(s, id);
}

/* The spooler serves one message completely, if one can be served. */
uint32_t run_spooler(struct store *s)
{
    if (plays_mapi(s)) {
        uint32_t id = next_to_serve(s);
        if (id != 0)
            serve(s, id);
    }
    return HR_S_OK;
}
