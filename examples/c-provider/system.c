/*
 * system.c: profile system: the store is also MAPI's support object and the spooler. The harness
 * plays the transports, which register preprocessors (for their address type, by their MAPIUID,
 * or for all messages), go up and down, answer what they are asked to do (S139-S143), and may
 * keep the spooler waiting: a preprocessor still running answers MAPI_E_BUSY, a transport with a
 * temporary problem MAPI_E_WAIT. The store also plays MAPI's ExpandRecips against the address book
 * the submission's script carries (EXP-04..08). In profile provider the harness is the spooler
 * and these operations change nothing that can be observed.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

/* The MAPIUID of the transport of an address type. Each address type has its own transport, and
 * the spooler gives a recipient to the transport of its address type, so this is also the MAPIUID
 * a recipient is routed by. A list (MAPIPDL) has no transport, so its MAPIUID is no transport's. */
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

/* Whether a preprocessor is for a message with this recipient table, judged on all its rows or
 * only on those no transport has handled yet (PR_RESPONSIBILITY not TRUE). One registered for all
 * messages is for every message. */
static bool wants(const struct preprocessor *p, const struct recipient_table *t, bool waiting_only)
{
    if (p->filter == FILTER_EVERYTHING)
        return true;
    for (uint32_t r = 0; r < t->count; r++) {
        if (waiting_only && t->responsibility[r] == SPOOLCHECK_RESPONSIBILITY_TRUE)
            continue;
        if (wants_recipient(p, t->rows[r].addr))
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

/* ---- ExpandRecips ------------------------------------------------------------------------- */

/* The address-book entry an entry ID names, if the script's book has it. */
static const spoolcheck_book_entry *book_lookup(const spoolcheck_script *script,
                                                spoolcheck_entry entry)
{
    for (uint32_t i = 0; i < script->book_count; i++) {
        const spoolcheck_book_entry *b = &script->book[i];
        if (b->entry.kind == entry.kind && b->entry.id == entry.id)
            return b;
    }
    return NULL;
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Addresses compare without regard to case (AMB-38); only ASCII letters have a case here, as in
 * the harness's comparison. */
static bool same_address(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (ascii_lower(*a) != ascii_lower(*b))
            return false;
    return *a == *b;
}

/* Two rows name the same recipient: the same recipient type, address type and address (AMB-38).
 * The same person in To and in Cc is two recipients. */
static bool same_recipient(const spoolcheck_recipient *a, const spoolcheck_recipient *b)
{
    return a->recip_type == b->recip_type && a->addr == b->addr &&
           same_address(a->email, b->email);
}

/* Adds a row to the expanded table unless an earlier row names the same recipient: the first one
 * stays (EXP-07). No transport has taken any row yet: PR_RESPONSIBILITY FALSE (EXP-08). */
static void add_unique(struct store *s, struct recipient_table *out,
                       const spoolcheck_recipient *row)
{
    for (uint32_t i = 0; i < out->count; i++)
        if (same_recipient(&out->rows[i], row))
            return;
    recipients_append(s, out, row, SPOOLCHECK_RESPONSIBILITY_FALSE);
}

static void expand_row(struct store *s, const spoolcheck_script *script,
                       const spoolcheck_recipient *row, struct idlist *open,
                       struct recipient_table *out);

/* A personal distribution list in its row's place: its members in order, each with the list row's
 * recipient type, lists within it expanded too (EXP-04). A member the book lacks is left out.
 * `open` holds the lists being expanded, so a list that contains itself ends. */
static void expand_list(struct store *s, const spoolcheck_script *script,
                        const spoolcheck_recipient *row, const spoolcheck_book_entry *list,
                        struct idlist *open, struct recipient_table *out)
{
    if (!idlist_push(s, open, list->entry.id))
        return;
    for (uint32_t i = 0; i < list->member_count; i++) {
        const spoolcheck_book_entry *b = book_lookup(script, list->members[i]);
        if (!b)
            continue;
        spoolcheck_recipient member = {row->recip_type, b->addr, b->name, b->email, b->entry};
        expand_row(s, script, &member, open, out);
    }
    open->len--;
}

/* One row of the table as ExpandRecips leaves it: a list the book has replaced by its members
 * (EXP-04); a person the book has under the book's display name (EXP-05); a typed address
 * resolved to a one-off entry ID, name, address type and address kept (EXP-06); anything else,
 * a list the book lacks included, as it is. */
static void expand_row(struct store *s, const spoolcheck_script *script,
                       const spoolcheck_recipient *row, struct idlist *open,
                       struct recipient_table *out)
{
    const spoolcheck_book_entry *b = book_lookup(script, row->entry);
    spoolcheck_recipient kept = *row;
    switch (row->entry.kind) {
    case SPOOLCHECK_ENTRY_LIST:
        if (b && row->addr == SPOOLCHECK_ADDR_MAPIPDL && !idlist_contains(open, row->entry.id)) {
            expand_list(s, script, row, b, open, out);
            return;
        }
        break;
    case SPOOLCHECK_ENTRY_PERSON:
        if (b)
            kept.name = b->name;
        break;
    case SPOOLCHECK_ENTRY_UNRESOLVED:
        kept.entry.kind = SPOOLCHECK_ENTRY_ONE_OFF;
        kept.entry.id = 0;
        break;
    }
    add_unique(s, out, &kept);
}

/* MAPI's ExpandRecips, as the store plays it: the recipient table expanded against the address
 * book (EXP-04..08); then, on the expanded table, preprocessing is needed when a registered
 * preprocessor is for the message (PR_PREPROCESS is set then), so always once one is registered
 * for all messages; the spooler is needed when the coupled transport cannot handle every
 * recipient (PRE-08, AMB-37). */
void mapi_expand_recips(struct store *s, const struct message *m, const spoolcheck_script *script,
                        struct expansion *out)
{
    struct idlist open = {0};
    for (uint32_t r = 0; r < m->recipients.count; r++)
        expand_row(s, script, &m->recipients.rows[r], &open, &out->table);
    idlist_free(&open);
    out->rewritten = true;
    const struct recipient_table *t = &out->table;
    bool needs_preprocessing = false;
    for (size_t i = 0; i < s->mapi.preprocessor_count && !needs_preprocessing; i++)
        needs_preprocessing = wants(&s->mapi.preprocessors[i], t, false);
    bool needs_spooler = false;
    for (uint32_t r = 0; r < t->count; r++)
        if (s->choices.tight_coupling && !tc_handles(s, t->rows[r].addr))
            needs_spooler = true;
    out->preprocess = needs_preprocessing;
    out->flags = (needs_preprocessing ? SPOOLCHECK_NEEDS_PREPROCESSING : 0) |
                 (needs_spooler ? SPOOLCHECK_NEEDS_SPOOLER : 0);
}

/* ---- The spooler -------------------------------------------------------------------------- */

/* A transport the harness said is unavailable. A list row has no transport to be down. */
static bool transport_down(const struct store *s, uint32_t addr)
{
    return addr <= TRANSPORT_COUNT && s->mapi.transport_down[addr];
}

/* Whether every recipient no one has handled yet waits on a transport that is up. */
static bool transports_up_for(const struct store *s, uint32_t id)
{
    const struct message *m = message_find(s, id);
    if (!m)
        return false;
    for (uint32_t r = 0; r < m->recipients.count; r++)
        if (m->recipients.responsibility[r] != SPOOLCHECK_RESPONSIBILITY_TRUE &&
            transport_down(s, m->recipients.rows[r].addr))
            return false;
    return true;
}

/* Messages handed over by CompleteMsg first, in hand-over order, then the queue oldest first
 * (SPL-02), passing over a message whose remaining recipients wait on a transport that is down.
 * A message the spooler stopped working on is still one of these. Returns 0 when none can be
 * served. */
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

/* The preprocessors still to run on the message, in registration order: those that are for it
 * (one registered for an address type or a MAPIUID when a recipient not yet handled goes that way,
 * one registered for all messages always: PRE-08, AMB-37) and have not run on it yet. */
static void due_preprocessors(struct store *s, uint32_t id, struct idlist *out)
{
    const struct message *m = message_find(s, id);
    for (size_t i = 0; i < s->mapi.preprocessor_count; i++) {
        const struct preprocessor *p = &s->mapi.preprocessors[i];
        if (wants(p, &m->recipients, true) && !idlist_contains(&m->preprocessed, p->number))
            idlist_push(s, out, p->number);
    }
}

/* Runs the preprocessors still to run, in registration order (PRE-02), remembering each that
 * returns. False when one answers MAPI_E_BUSY: it is still running, so the spooler stops work on
 * the message, holding it locked (SPL-06), and calls it again when it next serves the message. */
static bool preprocess(struct store *s, uint32_t id)
{
    struct idlist due = {0};
    due_preprocessors(s, id, &due);
    bool done = true;
    for (size_t i = 0; i < due.len && done; i++) {
        spoolcheck_call call = {0};
        call.kind = SPOOLCHECK_CALL_PREPROCESS;
        call.preprocessor = due.v[i];
        call.msg = id;
        call.locked = is_locked(s, id);
        if (support_call(s, &call, NULL) == SPOOLCHECK_MAPI_E_BUSY)
            done = false;
        else
            idlist_push(s, &message_find(s, id)->preprocessed, due.v[i]);
    }
    idlist_free(&due);
    return done;
}

/* One transport gets its recipients that no one has handled yet, which are handled then. False
 * when it answers MAPI_E_WAIT: it has a temporary problem and took none of them. */
static bool send_to(struct store *s, uint32_t id, uint32_t transport)
{
    struct message *m = message_find(s, id);
    struct idlist rows = {0};
    for (uint32_t r = 0; r < m->recipients.count; r++)
        if (m->recipients.rows[r].addr == transport &&
            m->recipients.responsibility[r] != SPOOLCHECK_RESPONSIBILITY_TRUE)
            idlist_push(s, &rows, r);
    bool sent = true;
    if (rows.len > 0) {
        spoolcheck_call call = {0};
        call.kind = SPOOLCHECK_CALL_TRANSPORT_SEND;
        call.transport = transport;
        call.msg = id;
        call.recipient_count = (uint32_t)rows.len;
        call.recipients = rows.v;
        call.locked = is_locked(s, id);
        sent = support_call(s, &call, NULL) != SPOOLCHECK_MAPI_E_WAIT;
    }
    for (uint32_t r = 0; sent && r < m->recipients.count; r++)
        if (m->recipients.rows[r].addr == transport)
            m->recipients.responsibility[r] = SPOOLCHECK_RESPONSIBILITY_TRUE;
    idlist_free(&rows);
    return sent;
}

/* Each transport in turn (SPL-20, TC-06). False when one waits: the transports after it are not
 * called in this run; the next run sends to the rows still not handled. */
static bool send_to_transports(struct store *s, uint32_t id)
{
    for (uint32_t transport = 1; transport <= TRANSPORT_COUNT; transport++)
        if (!send_to(s, id, transport))
            return false;
    return true;
}

/* RemovePreprocessInfo once for every preprocessor that ran on the message, in the order they ran
 * (SPL-10), and the spooler is done with them. */
static void remove_preprocess_info(struct store *s, uint32_t id)
{
    struct idlist *ran = &message_find(s, id)->preprocessed;
    for (size_t i = 0; i < ran->len; i++) {
        spoolcheck_call call = {0};
        call.kind = SPOOLCHECK_CALL_REMOVE_PREPROCESS_INFO;
        call.preprocessor = ran->v[i];
        call.msg = id;
        support_call(s, &call, NULL);
    }
    idlist_free(ran);
}

/* Lock (SPL-19); run the preprocessors still due and re-submit (PRE-02, PRE-08); send to the
 * recipients still FALSE (SPL-20, TC-06); RemovePreprocessInfo (SPL-10); FinishedMsg (SPL-21). A
 * busy preprocessor or a waiting transport stops the run there: the message stays locked and
 * queued (or handed over), and the spooler takes it up at that point when it next serves it
 * (SPL-06, AMB-34). The spooler acts on what the preprocessors and transports answer. */
static void serve(struct store *s, uint32_t id)
{
    static const spoolcheck_script no_script = {0}; /* the spooler's call asks MAPI nothing */
    if (!is_locked(s, id))
        lock_message(s, id);
    if (awaits_preprocessing(message_find(s, id))) {
        if (!preprocess(s, id))
            return;
        /* The spooler's SubmitMessage: preprocessing is done, the store routes the message. */
        submit_message(s, SPOOLCHECK_ROLE_SPOOLER, id, 0, &no_script);
    }
    if (!send_to_transports(s, id))
        return;
    remove_preprocess_info(s, id);
    /* FinishedMsg once, after the send (SPL-21), handed-over messages too (TC-06). */
    finish_message(s, id);
}

/* The spooler serves one message as far as the preprocessors and transports let it, if one can be
 * served. */
uint32_t run_spooler(struct store *s)
{
    if (plays_mapi(s)) {
        uint32_t id = next_to_serve(s);
        if (id != 0)
            serve(s, id);
    }
    return SPOOLCHECK_S_OK;
}
