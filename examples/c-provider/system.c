/*
 * system.c: profile system: the store is also MAPI's support object and the spooler. The harness
 * plays the transports, which register preprocessors (for their address type, by their MAPIUID,
 * or for all messages), go up and down, and record what they are asked to do (S139-S143). In
 * profile provider the harness is the spooler and these operations change nothing that can be
 * observed.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

/* The MAPIUID of the transport of an address type. Each address type has its own transport, and
 * the spooler gives a recipient to the transport of its address type, so this is also the MAPIUID
 * a recipient is routed by. */
static struct mapiuid transport_uid(uint32_t transport)
{
    struct mapiuid uid = {{0}};
    memcpy(uid.ab, "spoolcheck-xp-", 14);
    uid.ab[15] = (uint8_t)transport; /* SPOOLCHECK_ADDR_SMTP 1, FAX 2, X400 3 */
    return uid;
}

static bool same_uid(struct mapiuid a, struct mapiuid b)
{
    return memcmp(a.ab, b.ab, sizeof a.ab) == 0;
}

/* Whether a preprocessor is for a recipient of this address type. */
static bool wants_recipient(const struct preprocessor *p, uint32_t addr)
{
    switch (p->filter) {
    case FILTER_ADDR_TYPE:
        return p->addr_type == addr;
    case FILTER_UID:
        return same_uid(p->uid, transport_uid(addr));
    case FILTER_EVERYTHING:
        return true;
    }
    return false;
}

/* Whether a preprocessor is for a message, judged on its recipients: all of them, or only those
 * no transport has handled yet (PR_RESPONSIBILITY not TRUE). One registered for all messages is
 * for every message. */
static bool wants(const struct preprocessor *p, const struct message *m, bool waiting_only)
{
    if (p->filter == FILTER_EVERYTHING)
        return true;
    for (uint32_t r = 0; r < m->recipients.count; r++) {
        if (waiting_only && m->recipients.responsibility[r] == SPOOLCHECK_RESPONSIBILITY_TRUE)
            continue;
        if (wants_recipient(p, m->recipients.addr_type[r]))
            return true;
    }
    return false;
}

/* A transport registers a preprocessor for its address type, by its MAPIUID, or, giving neither,
 * for all messages (PRE-08, S142). The harness never sends scope 0; it is taken as the address
 * type, the only scope the operation had before the field. */
uint32_t register_preprocessor(struct store *s, uint32_t addr, uint32_t scope)
{
    struct mapi_side *mapi = &s->mapi;
    if (mapi->preprocessor_count == mapi->preprocessor_cap) {
        size_t cap = mapi->preprocessor_cap ? mapi->preprocessor_cap * 2 : 4;
        struct preprocessor *p = realloc(mapi->preprocessors, cap * sizeof *p);
        if (!p) {
            s->out_of_memory = true;
            return SPOOLCHECK_S_OK;
        }
        mapi->preprocessors = p;
        mapi->preprocessor_cap = cap;
    }
    struct preprocessor *p = &mapi->preprocessors[mapi->preprocessor_count];
    memset(p, 0, sizeof *p);
    p->number = (uint32_t)mapi->preprocessor_count + 1;
    p->transport = addr;
    switch (scope) {
    case SPOOLCHECK_SCOPE_MAPIUID:
        p->filter = FILTER_UID;
        p->uid = transport_uid(addr);
        break;
    case SPOOLCHECK_SCOPE_ALL_MESSAGES:
        p->filter = FILTER_EVERYTHING;
        break;
    default: /* SPOOLCHECK_SCOPE_ADDRESS_TYPE, or 0 */
        p->filter = FILTER_ADDR_TYPE;
        p->addr_type = addr;
        break;
    }
    mapi->preprocessor_count++;
    return SPOOLCHECK_S_OK;
}

/* A transport becomes unavailable or available again. */
uint32_t set_transport_available(struct store *s, uint32_t addr, bool available)
{
    s->mapi.transport_down[addr] = !available;
    return SPOOLCHECK_S_OK;
}

/* MAPI's ExpandRecips, as the store plays it: preprocessing is needed when a registered
 * preprocessor is for the message (PR_PREPROCESS is set then), so always once one is registered
 * for all messages; the spooler is needed when the coupled transport cannot handle every
 * recipient (PRE-08, AMB-37). */
uint32_t mapi_expand_recips(const struct store *s, const struct message *m, bool *preprocess)
{
    bool needs_preprocessing = false;
    for (size_t i = 0; i < s->mapi.preprocessor_count && !needs_preprocessing; i++)
        needs_preprocessing = wants(&s->mapi.preprocessors[i], m, false);
    bool needs_spooler = false;
    for (uint32_t r = 0; r < m->recipients.count; r++)
        if (s->choices.tight_coupling && !tc_handles(s, m->recipients.addr_type[r]))
            needs_spooler = true;
    *preprocess = needs_preprocessing;
    return (needs_preprocessing ? SPOOLCHECK_NEEDS_PREPROCESSING : 0) |
           (needs_spooler ? SPOOLCHECK_NEEDS_SPOOLER : 0);
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

/* Every preprocessor that is for the message, in registration order: one registered for an
 * address type or a MAPIUID when a recipient not yet handled goes that way, one registered for all
 * messages always (PRE-08, AMB-37). */
static void matching_preprocessors(struct store *s, uint32_t id, struct idlist *out)
{
    const struct message *m = message_find(s, id);
    for (size_t i = 0; i < s->mapi.preprocessor_count; i++) {
        const struct preprocessor *p = &s->mapi.preprocessors[i];
        if (wants(p, m, true))
            idlist_push(s, out, p->number);
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
    static const spoolcheck_script no_script = {0, SPOOLCHECK_S_OK, SPOOLCHECK_S_OK, 0};
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
    return SPOOLCHECK_S_OK;
}
