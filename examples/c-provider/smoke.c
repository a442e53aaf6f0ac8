/*
 * smoke.c: a small driver for a spoolcheck C provider, independent of the Rust harness.
 *
 *   smoke [--quiet] [--mutant] LIBRARY.so
 *
 * It loads the library as the harness does (dlopen, spoolcheck_provider_v2), runs scripted
 * scenarios with known answers, then a long pseudo-random sequence under each preset of declared
 * choices, which checks nothing but that the store neither fails nor crashes (run it under
 * valgrind for leaks: `make valgrind`). The scenarios: create, submit, lock, open, queue, finish,
 * restart, and the table MAPI's ExpandRecips leaves (profile provider); in profile system, the
 * three forms of preprocessor registration, the store's own ExpandRecips against an address book,
 * and a busy preprocessor and a waiting transport. With --mutant, the first scenario expects the
 * mutant's answer (a locked message opens read-only).
 */
#include <dlfcn.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoolcheck.h"

static const spoolcheck_provider *P;
static int failures;
static int quiet;

/* ---- The host: records calls and notifications, answers from the current scripts --------- */

#define LOG_MAX 64
#define ROWS_MAX 8

/* What the host keeps of one recipient row of the observation: the view's own memory is valid
 * only during the callback. */
struct seen_row {
    uint32_t recip_type, addr, entry_kind, entry_id;
    int8_t responsibility;
    char name[32], email[48];
};

struct host_state {
    spoolcheck_script script;         /* SubmitMessage's, answered by call() */
    spoolcheck_spooler_script spooler; /* RunSpooler's, answered by call() */
    int has_script;
    uint32_t calls[LOG_MAX][5]; /* kind, msg, flags, preprocessor, transport */
    int ncalls;
    uint32_t notes[LOG_MAX][3]; /* kind, event, msg */
    int nnotes;
    int nrows;
    uint32_t row_submit_flags[LOG_MAX];
    /* observation */
    int nmessages;
    spoolcheck_message_view view[LOG_MAX];
    struct seen_row rows[LOG_MAX][ROWS_MAX];
    uint32_t queue[LOG_MAX];
    int nqueue;
    uint32_t folder[6][LOG_MAX];
    int nfolder[6];
};

/* The answer the harness gives: PrepareSubmit and ExpandRecips from the submission's script, the
 * busy preprocessor and the waiting transport from the spooler's, S_OK otherwise. */
static uint32_t answer(const struct host_state *h, const spoolcheck_call *call, uint32_t *out_flags)
{
    switch (call->kind) {
    case SPOOLCHECK_CALL_PREPARE_SUBMIT:
        return h->has_script ? h->script.prepare : 0;
    case SPOOLCHECK_CALL_EXPAND_RECIPS:
        if (h->has_script && !(h->script.expand & 0x80000000u) && out_flags) /* not a failure */
            *out_flags = h->script.expand_flags;
        return h->has_script ? h->script.expand : 0;
    case SPOOLCHECK_CALL_PREPROCESS:
        return call->preprocessor == h->spooler.busy_preprocessor ? SPOOLCHECK_MAPI_E_BUSY : 0;
    case SPOOLCHECK_CALL_TRANSPORT_SEND:
        return call->transport == h->spooler.waiting_transport ? SPOOLCHECK_MAPI_E_WAIT : 0;
    }
    return 0;
}

static uint32_t host_call(void *ctx, const spoolcheck_call *call, uint32_t *out_flags)
{
    struct host_state *h = ctx;
    if (h->ncalls < LOG_MAX) {
        h->calls[h->ncalls][0] = call->kind;
        h->calls[h->ncalls][1] = call->msg;
        h->calls[h->ncalls][2] = call->flags;
        h->calls[h->ncalls][3] = call->preprocessor;
        h->calls[h->ncalls][4] = call->transport;
    }
    h->ncalls++;
    if (out_flags)
        *out_flags = 0;
    return answer(h, call, out_flags);
}

static void host_notify(void *ctx, const spoolcheck_notification *n)
{
    struct host_state *h = ctx;
    if (h->nnotes < LOG_MAX) {
        h->notes[h->nnotes][0] = n->kind;
        h->notes[h->nnotes][1] = n->table_event;
        h->notes[h->nnotes][2] = n->msg;
    }
    h->nnotes++;
}

static void host_queue_row(void *ctx, const spoolcheck_queue_row *row)
{
    struct host_state *h = ctx;
    if (h->nrows < LOG_MAX)
        h->row_submit_flags[h->nrows] = row->submit_flags;
    h->nrows++;
}

static void copy_text(char *to, size_t size, const char *from)
{
    snprintf(to, size, "%s", from ? from : "(NULL)");
}

static void host_message(void *ctx, const spoolcheck_message_view *v)
{
    struct host_state *h = ctx;
    if (h->nmessages < LOG_MAX) {
        h->view[h->nmessages] = *v;
        for (uint32_t r = 0; r < v->recipient_count && r < ROWS_MAX; r++) {
            struct seen_row *seen = &h->rows[h->nmessages][r];
            const spoolcheck_recipient *row = &v->recipients[r];
            seen->recip_type = row->recip_type;
            seen->addr = row->addr;
            seen->entry_kind = row->entry.kind;
            seen->entry_id = row->entry.id;
            seen->responsibility = v->responsibility[r];
            copy_text(seen->name, sizeof seen->name, row->name);
            copy_text(seen->email, sizeof seen->email, row->email);
        }
    }
    h->nmessages++;
}

static void host_folder_item(void *ctx, uint32_t folder, uint32_t msg)
{
    struct host_state *h = ctx;
    if (folder <= 5 && h->nfolder[folder] < LOG_MAX)
        h->folder[folder][h->nfolder[folder]++] = msg;
}

static void host_queue_item(void *ctx, uint32_t msg)
{
    struct host_state *h = ctx;
    if (h->nqueue < LOG_MAX)
        h->queue[h->nqueue++] = msg;
}

static struct host_state H;
static const spoolcheck_host HOST = {&H,          host_call,        host_notify, host_queue_row,
                                     host_message, host_folder_item, host_queue_item};

/* ---- Helpers ------------------------------------------------------------------------------ */

#define CHECK(cond)                                                                               \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr, "smoke: %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);        \
            failures++;                                                                           \
        }                                                                                         \
    } while (0)

static void *self;

/* Applies one operation and observes, as one harness round trip does. */
static spoolcheck_ret apply(const spoolcheck_op *op)
{
    spoolcheck_ret ret = {0xFFFFFFFFu, 99, 0};
    memset(&H, 0, sizeof H);
    if (op->kind == SPOOLCHECK_OP_SUBMIT_MESSAGE) {
        H.script = op->script;
        H.has_script = 1;
    }
    if (op->kind == SPOOLCHECK_OP_RUN_SPOOLER)
        H.spooler = op->spooler;
    int32_t status = P->apply(self, op, &HOST, &ret);
    if (status != SPOOLCHECK_OK) {
        const char *e = P->last_error(self);
        fprintf(stderr, "smoke: apply(kind %u) -> status %d: %s\n", op->kind, status,
                e ? e : "(no message)");
        failures++;
    }
    status = P->observe(self, &HOST);
    CHECK(status == SPOOLCHECK_OK);
    if (!quiet)
        printf("  op %-2u -> hr 0x%08X data %u/%u, %d call(s), %d notification(s), %d queued\n",
               op->kind, ret.hr, ret.data_kind, ret.value, H.ncalls, H.nnotes, H.nqueue);
    return ret;
}

static spoolcheck_op op_of(uint32_t kind, uint32_t caller, uint32_t msg)
{
    spoolcheck_op op;
    memset(&op, 0, sizeof op);
    op.kind = kind;
    op.caller = caller;
    op.msg = msg;
    return op;
}

/* Rows of the harness's address book (model/src/recipient.rs), as a client writes them. */
#define PERSON(n) {SPOOLCHECK_ENTRY_PERSON, n}
#define LIST(n) {SPOOLCHECK_ENTRY_LIST, n}
#define ANN {SPOOLCHECK_RECIP_TO, SPOOLCHECK_ADDR_SMTP, "Ann Archer", "ann@example.test", PERSON(1)}
#define CY {SPOOLCHECK_RECIP_TO, SPOOLCHECK_ADDR_FAX, "Cy Cole", "+1 555 0103", PERSON(3)}
#define DI                                                                                        \
    {SPOOLCHECK_RECIP_TO, SPOOLCHECK_ADDR_X400, "Di Dunn", "c=us;p=example;s=dunn", PERSON(4)}
#define TEAM {SPOOLCHECK_RECIP_TO, SPOOLCHECK_ADDR_MAPIPDL, "Team", "", LIST(1)}

static const spoolcheck_recipient ONE_SMTP[] = {ANN};

/* An address book after the harness's: Ann, Bo, Cy, Di; Team (Ann, Bo); Everyone (Team, Di,
 * someone the book lacks, and Everyone itself, which must not expand forever). */
static const spoolcheck_entry TEAM_MEMBERS[] = {PERSON(1), PERSON(2)};
static const spoolcheck_entry EVERYONE_MEMBERS[] = {LIST(1), PERSON(4), PERSON(9), LIST(3)};
static const spoolcheck_book_entry BOOK[] = {
    {PERSON(1), "Ann Archer", SPOOLCHECK_ADDR_SMTP, "ann@example.test", 0, NULL},
    {PERSON(2), "Bo Baker", SPOOLCHECK_ADDR_SMTP, "bo@example.test", 0, NULL},
    {PERSON(3), "Cy Cole", SPOOLCHECK_ADDR_FAX, "+1 555 0103", 0, NULL},
    {PERSON(4), "Di Dunn", SPOOLCHECK_ADDR_X400, "c=us;p=example;s=dunn", 0, NULL},
    {LIST(1), "Team", SPOOLCHECK_ADDR_MAPIPDL, "", 2, TEAM_MEMBERS},
    {LIST(3), "Everyone", SPOOLCHECK_ADDR_MAPIPDL, "", 4, EVERYONE_MEMBERS},
};
#define BOOK_SIZE ((uint32_t)(sizeof BOOK / sizeof BOOK[0]))

static spoolcheck_ret create(uint32_t folder, const spoolcheck_recipient *recipients, uint32_t n,
                             uint32_t sentmail, int saved)
{
    spoolcheck_op op = op_of(SPOOLCHECK_OP_CREATE_MESSAGE, 0, 0);
    op.create.folder = folder;
    op.create.recipients = recipients;
    op.create.recipient_count = n;
    op.create.sentmail = sentmail;
    op.create.saved = (uint32_t)saved;
    return apply(&op);
}

/* A submission MAPI answers with S_OK, the whole book at hand. */
static spoolcheck_ret submit(uint32_t caller, uint32_t msg, uint64_t now)
{
    spoolcheck_op op = op_of(SPOOLCHECK_OP_SUBMIT_MESSAGE, caller, msg);
    op.script.now = now;
    op.script.book = BOOK;
    op.script.book_count = BOOK_SIZE;
    return apply(&op);
}

/* Whether an observed row is this one, still to be handled (PR_RESPONSIBILITY FALSE). */
static int row_is(const struct seen_row *r, uint32_t recip_type, uint32_t entry_kind,
                  uint32_t entry_id, const char *name)
{
    return r->recip_type == recip_type && r->entry_kind == entry_kind &&
           r->entry_id == entry_id && !strcmp(r->name, name) &&
           r->responsibility == SPOOLCHECK_RESPONSIBILITY_FALSE;
}

static spoolcheck_choices preset_default(void)
{
    spoolcheck_choices c;
    memset(&c, 0, sizeof c);
    c.profile = SPOOLCHECK_PROFILE_PROVIDER;
    c.submission = 1;
    c.prepare_submit = SPOOLCHECK_PREPARE_ALWAYS;
    c.enforce_spooler_only = 1;
    c.lock_after_restart = SPOOLCHECK_LOCK_EITHER;
    c.disposition_by = SPOOLCHECK_DISPOSITION_BY_STORE;
    c.delete_means = SPOOLCHECK_DELETE_HARD;
    c.sentmail = SPOOLCHECK_SENTMAIL_MOVE;
    return c;
}

/* ---- The scripted scenario ---------------------------------------------------------------- */

static void scenario(int mutant)
{
    spoolcheck_choices c = preset_default();
    CHECK(P->reset(self, &c) == SPOOLCHECK_OK);
    if (!quiet)
        printf("scenario (default choices)\n");

    spoolcheck_ret r = create(SPOOLCHECK_FOLDER_OUTBOX, ONE_SMTP, 1, SPOOLCHECK_FOLDER_SENT_ITEMS, 1);
    CHECK(r.hr == 0 && r.data_kind == SPOOLCHECK_DATA_CREATED && r.value == 1);
    CHECK(H.nmessages == 1 && H.view[0].message_flags == 0 && H.rows[0][0].responsibility == -1);
    CHECK(H.nfolder[SPOOLCHECK_FOLDER_OUTBOX] == 1);

    /* SUBMIT: SpoolerNotify, PrepareSubmit, ExpandRecips; a queue row; the properties. */
    r = submit(SPOOLCHECK_ROLE_CLIENT, 1, 7);
    CHECK(r.hr == 0 && r.data_kind == SPOOLCHECK_DATA_NONE);
    CHECK(H.ncalls == 3);
    CHECK(H.calls[0][0] == SPOOLCHECK_CALL_SPOOLER_NOTIFY &&
          H.calls[0][2] == SPOOLCHECK_NOTIFY_READYTOSEND);
    CHECK(H.calls[1][0] == SPOOLCHECK_CALL_PREPARE_SUBMIT && H.calls[1][1] == 1);
    CHECK(H.calls[2][0] == SPOOLCHECK_CALL_EXPAND_RECIPS);
    CHECK(H.nnotes == 1 && H.notes[0][1] == SPOOLCHECK_TABLE_ROW_ADDED && H.notes[0][2] == 1);
    CHECK(H.nqueue == 1 && H.queue[0] == 1);
    CHECK(H.view[0].message_flags == (SPOOLCHECK_MSGFLAG_SUBMIT | SPOOLCHECK_MSGFLAG_UNSENT) &&
          H.view[0].client_submit_time == 7);
    CHECK(H.rows[0][0].responsibility == SPOOLCHECK_RESPONSIBILITY_FALSE);

    /* A second submission: no second SpoolerNotify; refused (already submitted). */
    r = submit(SPOOLCHECK_ROLE_CLIENT, 1, 8);
    CHECK(r.hr == SPOOLCHECK_MAPI_E_NO_ACCESS && H.ncalls == 0);

    spoolcheck_op op = op_of(SPOOLCHECK_OP_OPEN_ENTRY, SPOOLCHECK_ROLE_CLIENT, 1);
    op.access = SPOOLCHECK_ACCESS_MODIFY;
    op.path = SPOOLCHECK_PATH_STORE;
    CHECK(apply(&op).hr == SPOOLCHECK_MAPI_E_SUBMITTED);
    op.access = SPOOLCHECK_ACCESS_BEST;
    r = apply(&op);
    CHECK(r.hr == 0 && r.data_kind == SPOOLCHECK_DATA_OPENED && r.value == 0);

    op = op_of(SPOOLCHECK_OP_GET_OUTGOING_QUEUE, SPOOLCHECK_ROLE_CLIENT, 0);
    CHECK(apply(&op).hr == SPOOLCHECK_MAPI_E_NO_SUPPORT); /* enforced */

    op = op_of(SPOOLCHECK_OP_SET_LOCK_STATE, SPOOLCHECK_ROLE_SPOOLER, 1);
    op.lock = 1;
    CHECK(apply(&op).hr == 0);
    CHECK(H.nnotes == 1 && H.notes[0][1] == SPOOLCHECK_TABLE_ROW_MODIFIED);
    CHECK(H.view[0].submit_flags == SPOOLCHECK_SUBMITFLAG_LOCKED);

    /* ACCESS-01: a locked message does not open for a client (the mutant opens it read-only). */
    op = op_of(SPOOLCHECK_OP_OPEN_ENTRY, SPOOLCHECK_ROLE_CLIENT, 1);
    op.access = SPOOLCHECK_ACCESS_DEFAULT;
    op.path = SPOOLCHECK_PATH_FOLDER;
    r = apply(&op);
    if (mutant)
        CHECK(r.hr == 0 && r.data_kind == SPOOLCHECK_DATA_OPENED);
    else
        CHECK(r.hr == SPOOLCHECK_MAPI_E_NO_ACCESS && r.data_kind == SPOOLCHECK_DATA_NONE);

    op = op_of(SPOOLCHECK_OP_GET_OUTGOING_QUEUE, SPOOLCHECK_ROLE_SPOOLER, 0);
    r = apply(&op);
    CHECK(r.hr == 0 && r.data_kind == SPOOLCHECK_DATA_QUEUE && H.nrows == 1);
    CHECK(H.row_submit_flags[0] == SPOOLCHECK_SUBMITFLAG_LOCKED);

    op = op_of(SPOOLCHECK_OP_MARK_RESPONSIBILITY, SPOOLCHECK_ROLE_SPOOLER, 1);
    CHECK(apply(&op).hr == 0 && H.rows[0][0].responsibility == SPOOLCHECK_RESPONSIBILITY_TRUE);
    op.recipient = 5;
    CHECK(apply(&op).hr == SPOOLCHECK_MAPI_E_INVALID_PARAMETER);

    /* FinishedMsg: unlocked, out of the queue, moved to Sent Items, DoSentMail. */
    op = op_of(SPOOLCHECK_OP_FINISHED_MSG, SPOOLCHECK_ROLE_SPOOLER, 1);
    CHECK(apply(&op).hr == 0);
    CHECK(H.ncalls == 1 && H.calls[0][0] == SPOOLCHECK_CALL_DO_SENT_MAIL);
    CHECK(H.nnotes == 1 && H.notes[0][1] == SPOOLCHECK_TABLE_ROW_DELETED);
    CHECK(H.nqueue == 0 && H.view[0].message_flags == 0 && H.view[0].submit_flags == 0);
    CHECK(H.nfolder[SPOOLCHECK_FOLDER_SENT_ITEMS] == 1 && H.nfolder[SPOOLCHECK_FOLDER_OUTBOX] == 0);

    op = op_of(SPOOLCHECK_OP_ABORT_SUBMIT, SPOOLCHECK_ROLE_CLIENT, 1);
    CHECK(apply(&op).hr == SPOOLCHECK_MAPI_E_NOT_IN_QUEUE);
    op.msg = 99;
    CHECK(apply(&op).hr == SPOOLCHECK_MAPI_E_INVALID_ENTRYID);

    /* An unsaved message is gone after a restart; StoreLogoffTransports(LOGOFF_ABORT). */
    r = create(SPOOLCHECK_FOLDER_DRAFTS, NULL, 0, 0, 0);
    CHECK(r.value == 2);
    op = op_of(SPOOLCHECK_OP_RESTART, 0, 0);
    CHECK(apply(&op).hr == 0);
    CHECK(H.ncalls == 1 && H.calls[0][0] == SPOOLCHECK_CALL_STORE_LOGOFF_TRANSPORTS &&
          H.calls[0][2] == SPOOLCHECK_LOGOFF_ABORT);
    CHECK(H.nmessages == 1);
    op = op_of(SPOOLCHECK_OP_ABORT_SUBMIT, SPOOLCHECK_ROLE_CLIENT, 2);
    CHECK(apply(&op).hr == SPOOLCHECK_MAPI_E_NOT_FOUND);

    /* A code the store does not know. */
    op = op_of(999, 0, 0);
    spoolcheck_ret ignored;
    CHECK(P->apply(self, &op, &HOST, &ignored) == SPOOLCHECK_UNSUPPORTED);
    CHECK(P->last_error(self) != NULL);
}

/* ---- Profile system: the three forms of preprocessor registration (PRE-08, AMB-37) --------- */

static spoolcheck_op register_op(uint32_t transport, uint32_t scope)
{
    spoolcheck_op op = op_of(SPOOLCHECK_OP_REGISTER_PREPROCESSOR, 0, 0);
    op.addr = transport;
    op.scope = scope;
    return op;
}

/* Every preprocessor and transport answers at once. */
static const spoolcheck_spooler_script ANSWERS_OK = {0, 0};

/* Runs the spooler once with the preprocessors and transports answering by `script`, and checks
 * its calls: each expected one is {kind, preprocessor or transport}. */
static void expect_spooler(spoolcheck_spooler_script script, const uint32_t (*expected)[2], int n,
                           int line)
{
    spoolcheck_op op = op_of(SPOOLCHECK_OP_RUN_SPOOLER, SPOOLCHECK_ROLE_SPOOLER, 0);
    op.spooler = script;
    CHECK(apply(&op).hr == 0);
    int ok = H.ncalls == n;
    for (int i = 0; ok && i < n; i++) {
        uint32_t which = H.calls[i][0] == SPOOLCHECK_CALL_TRANSPORT_SEND ? H.calls[i][4]
                                                                         : H.calls[i][3];
        ok = H.calls[i][0] == expected[i][0] && which == expected[i][1];
    }
    if (!ok) {
        fprintf(stderr, "smoke: %s:%d: unexpected spooler calls (%d)\n", __FILE__, line, H.ncalls);
        failures++;
    }
}

static void system_scenario(void)
{
    static const spoolcheck_recipient SMTP_FAX[] = {ANN, CY};
    static const uint32_t pre_smtp_remove[][2] = {
        {SPOOLCHECK_CALL_PREPROCESS, 1},
        {SPOOLCHECK_CALL_TRANSPORT_SEND, SPOOLCHECK_ADDR_SMTP},
        {SPOOLCHECK_CALL_REMOVE_PREPROCESS_INFO, 1}};
    static const uint32_t smtp_only[][2] = {{SPOOLCHECK_CALL_TRANSPORT_SEND, SPOOLCHECK_ADDR_SMTP}};
    static const uint32_t pre_smtp_fax_remove[][2] = {
        {SPOOLCHECK_CALL_PREPROCESS, 1},
        {SPOOLCHECK_CALL_TRANSPORT_SEND, SPOOLCHECK_ADDR_SMTP},
        {SPOOLCHECK_CALL_TRANSPORT_SEND, SPOOLCHECK_ADDR_FAX},
        {SPOOLCHECK_CALL_REMOVE_PREPROCESS_INFO, 1}};
    static const uint32_t pre_fax_remove[][2] = {
        {SPOOLCHECK_CALL_PREPROCESS, 1},
        {SPOOLCHECK_CALL_TRANSPORT_SEND, SPOOLCHECK_ADDR_FAX},
        {SPOOLCHECK_CALL_REMOVE_PREPROCESS_INFO, 1}};
    spoolcheck_choices c = preset_default();
    c.profile = SPOOLCHECK_PROFILE_SYSTEM;
    if (!quiet)
        printf("scenario (profile system: preprocessor registrations)\n");

    /* For all messages: a message with no recipient of the registering transport's type. */
    CHECK(P->reset(self, &c) == SPOOLCHECK_OK);
    spoolcheck_op op = register_op(SPOOLCHECK_ADDR_FAX, SPOOLCHECK_SCOPE_ALL_MESSAGES);
    CHECK(apply(&op).hr == 0);
    create(SPOOLCHECK_FOLDER_OUTBOX, ONE_SMTP, 1, 0, 1);
    CHECK(submit(SPOOLCHECK_ROLE_CLIENT, 1, 5).hr == 0 && H.ncalls == 0);
    CHECK(H.view[0].submit_flags == SPOOLCHECK_SUBMITFLAG_PREPROCESS);
    expect_spooler(ANSWERS_OK, pre_smtp_remove, 3, __LINE__);

    /* By MAPIUID: the same messages as by address type. */
    CHECK(P->reset(self, &c) == SPOOLCHECK_OK);
    op = register_op(SPOOLCHECK_ADDR_FAX, SPOOLCHECK_SCOPE_MAPIUID);
    CHECK(apply(&op).hr == 0);
    create(SPOOLCHECK_FOLDER_OUTBOX, ONE_SMTP, 1, 0, 1);
    create(SPOOLCHECK_FOLDER_OUTBOX, SMTP_FAX, 2, 0, 1);
    CHECK(submit(SPOOLCHECK_ROLE_CLIENT, 1, 5).hr == 0 && H.view[0].submit_flags == 0);
    CHECK(submit(SPOOLCHECK_ROLE_CLIENT, 2, 6).hr == 0 &&
          H.view[1].submit_flags == SPOOLCHECK_SUBMITFLAG_PREPROCESS);
    expect_spooler(ANSWERS_OK, smtp_only, 1, __LINE__);
    expect_spooler(ANSWERS_OK, pre_smtp_fax_remove, 4, __LINE__);

    /* Judged on the recipients still to be handled when the spooler takes the message. */
    CHECK(P->reset(self, &c) == SPOOLCHECK_OK);
    op = register_op(SPOOLCHECK_ADDR_FAX, SPOOLCHECK_SCOPE_ADDRESS_TYPE);
    CHECK(apply(&op).hr == 0);
    op = register_op(SPOOLCHECK_ADDR_SMTP, SPOOLCHECK_SCOPE_MAPIUID);
    CHECK(apply(&op).hr == 0);
    create(SPOOLCHECK_FOLDER_OUTBOX, SMTP_FAX, 2, 0, 1);
    CHECK(submit(SPOOLCHECK_ROLE_CLIENT, 1, 5).hr == 0);
    op = op_of(SPOOLCHECK_OP_MARK_RESPONSIBILITY, SPOOLCHECK_ROLE_SPOOLER, 1);
    CHECK(apply(&op).hr == 0 && H.rows[0][0].responsibility == SPOOLCHECK_RESPONSIBILITY_TRUE);
    expect_spooler(ANSWERS_OK, pre_fax_remove, 3, __LINE__);

    /* A message queued without preprocessing is not preprocessed later. */
    CHECK(P->reset(self, &c) == SPOOLCHECK_OK);
    create(SPOOLCHECK_FOLDER_OUTBOX, ONE_SMTP, 1, 0, 1);
    CHECK(submit(SPOOLCHECK_ROLE_CLIENT, 1, 5).hr == 0);
    op = register_op(SPOOLCHECK_ADDR_SMTP, SPOOLCHECK_SCOPE_ALL_MESSAGES);
    CHECK(apply(&op).hr == 0);
    expect_spooler(ANSWERS_OK, smtp_only, 1, __LINE__);
}

/* ---- Profile provider: the table MAPI's ExpandRecips leaves (SUBMIT-01) ------------------- */

static void provider_expansion_scenario(void)
{
    static const spoolcheck_recipient TEAM_ROW[] = {TEAM};
    static const spoolcheck_recipient TEAM_EXPANDED[] = {
        ANN, {SPOOLCHECK_RECIP_TO, SPOOLCHECK_ADDR_SMTP, "Bo Baker", "bo@example.test", PERSON(2)}};
    spoolcheck_choices c = preset_default();
    CHECK(P->reset(self, &c) == SPOOLCHECK_OK);
    if (!quiet)
        printf("scenario (profile provider: MAPI's ExpandRecips rewrites the table)\n");

    /* A failed ExpandRecips leaves the table as the client wrote it. */
    create(SPOOLCHECK_FOLDER_OUTBOX, TEAM_ROW, 1, 0, 1);
    spoolcheck_op op = op_of(SPOOLCHECK_OP_SUBMIT_MESSAGE, SPOOLCHECK_ROLE_CLIENT, 1);
    op.script.now = 5;
    op.script.expand = SPOOLCHECK_MAPI_E_NETWORK_ERROR;
    op.script.has_expanded = 1;
    op.script.expanded = TEAM_EXPANDED;
    op.script.expanded_count = 2;
    CHECK(apply(&op).hr == SPOOLCHECK_MAPI_E_NETWORK_ERROR);
    CHECK(H.view[0].recipient_count == 1 && H.rows[0][0].entry_kind == SPOOLCHECK_ENTRY_LIST &&
          H.rows[0][0].responsibility == SPOOLCHECK_RESPONSIBILITY_ABSENT);

    /* A successful one leaves its rows, each FALSE, and the submission keeps them. */
    op.script.expand = SPOOLCHECK_S_OK;
    CHECK(apply(&op).hr == 0 && H.view[0].recipient_count == 2);
    CHECK(row_is(&H.rows[0][0], SPOOLCHECK_RECIP_TO, SPOOLCHECK_ENTRY_PERSON, 1, "Ann Archer"));
    CHECK(row_is(&H.rows[0][1], SPOOLCHECK_RECIP_TO, SPOOLCHECK_ENTRY_PERSON, 2, "Bo Baker"));

    /* Without `expanded`, the table stays. */
    create(SPOOLCHECK_FOLDER_OUTBOX, TEAM_ROW, 1, 0, 1);
    CHECK(submit(SPOOLCHECK_ROLE_CLIENT, 2, 6).hr == 0 && H.view[1].recipient_count == 1);
    CHECK(row_is(&H.rows[1][0], SPOOLCHECK_RECIP_TO, SPOOLCHECK_ENTRY_LIST, 1, "Team"));
}

/* ---- Profile system: the store's own ExpandRecips (EXP-04..08) ---------------------------- */

static void system_expansion_scenario(void)
{
    static const spoolcheck_recipient ROWS[] = {
        {SPOOLCHECK_RECIP_TO, SPOOLCHECK_ADDR_MAPIPDL, "Everyone", "", LIST(3)},
        {SPOOLCHECK_RECIP_CC, SPOOLCHECK_ADDR_SMTP, "Bobby", "BO@example.test", PERSON(2)},
        ANN,
        {SPOOLCHECK_RECIP_BCC, SPOOLCHECK_ADDR_SMTP, "Guest", "guest@example.test",
         {SPOOLCHECK_ENTRY_UNRESOLVED, 0}},
        {SPOOLCHECK_RECIP_CC, SPOOLCHECK_ADDR_SMTP, "Bo again", "bo@EXAMPLE.test",
         {SPOOLCHECK_ENTRY_UNRESOLVED, 0}},
        {SPOOLCHECK_RECIP_CC, SPOOLCHECK_ADDR_MAPIPDL, "Fax desk", "", LIST(2)},
    };
    static const uint32_t smtp_x400[][2] = {{SPOOLCHECK_CALL_TRANSPORT_SEND, SPOOLCHECK_ADDR_SMTP},
                                           {SPOOLCHECK_CALL_TRANSPORT_SEND, SPOOLCHECK_ADDR_X400}};
    spoolcheck_choices c = preset_default();
    c.profile = SPOOLCHECK_PROFILE_SYSTEM;
    CHECK(P->reset(self, &c) == SPOOLCHECK_OK);
    if (!quiet)
        printf("scenario (profile system: ExpandRecips against the address book)\n");

    create(SPOOLCHECK_FOLDER_OUTBOX, ROWS, 6, 0, 1);
    CHECK(submit(SPOOLCHECK_ROLE_CLIENT, 1, 5).hr == 0 && H.view[0].recipient_count == 7);
    const struct seen_row *r = H.rows[0];
    /* Everyone: Team (Ann, Bo), Di; a member not in the book left out; Everyone within itself
     * kept as a row. */
    CHECK(row_is(&r[0], SPOOLCHECK_RECIP_TO, SPOOLCHECK_ENTRY_PERSON, 1, "Ann Archer"));
    CHECK(row_is(&r[1], SPOOLCHECK_RECIP_TO, SPOOLCHECK_ENTRY_PERSON, 2, "Bo Baker"));
    CHECK(row_is(&r[2], SPOOLCHECK_RECIP_TO, SPOOLCHECK_ENTRY_PERSON, 4, "Di Dunn"));
    CHECK(row_is(&r[3], SPOOLCHECK_RECIP_TO, SPOOLCHECK_ENTRY_LIST, 3, "Everyone"));
    /* Bobby under the book's name, in Cc beside Bo in To; Ann in To again removed. */
    CHECK(row_is(&r[4], SPOOLCHECK_RECIP_CC, SPOOLCHECK_ENTRY_PERSON, 2, "Bo Baker"));
    CHECK(!strcmp(r[4].email, "BO@example.test"));
    /* The typed address resolved; "Bo again" names Bo in Cc once more, whatever the case. */
    CHECK(row_is(&r[5], SPOOLCHECK_RECIP_BCC, SPOOLCHECK_ENTRY_ONE_OFF, 0, "Guest"));
    /* A list the book lacks stays as it is. (In To it would repeat Everyone's row: lists have no
     * address, so two in one recipient type name the same recipient.) */
    CHECK(row_is(&r[6], SPOOLCHECK_RECIP_CC, SPOOLCHECK_ENTRY_LIST, 2, "Fax desk"));
    /* The lists' rows have no transport: they stay unhandled. */
    expect_spooler(ANSWERS_OK, smtp_x400, 2, __LINE__);
}

/* ---- Profile system: a busy preprocessor, a waiting transport (SPL-06, SPL-10, AMB-34) ---- */

static uint32_t submit_flags_of(uint32_t msg)
{
    for (int i = 0; i < H.nmessages && i < LOG_MAX; i++)
        if (H.view[i].msg == msg)
            return H.view[i].submit_flags;
    return 0;
}

static void busy_and_wait_scenario(void)
{
    static const spoolcheck_recipient ANN_CY_DI[] = {ANN, CY, DI};
    static const spoolcheck_spooler_script busy_2 = {2, 0};
    static const spoolcheck_spooler_script fax_waits = {0, SPOOLCHECK_ADDR_FAX};
    static const spoolcheck_spooler_script smtp_waits = {0, SPOOLCHECK_ADDR_SMTP};
    static const uint32_t pre_1_2[][2] = {{SPOOLCHECK_CALL_PREPROCESS, 1},
                                          {SPOOLCHECK_CALL_PREPROCESS, 2}};
    static const uint32_t pre_2_send_remove[][2] = {
        {SPOOLCHECK_CALL_PREPROCESS, 2},
        {SPOOLCHECK_CALL_TRANSPORT_SEND, SPOOLCHECK_ADDR_SMTP},
        {SPOOLCHECK_CALL_REMOVE_PREPROCESS_INFO, 1},
        {SPOOLCHECK_CALL_REMOVE_PREPROCESS_INFO, 2}};
    static const uint32_t smtp_fax[][2] = {{SPOOLCHECK_CALL_TRANSPORT_SEND, SPOOLCHECK_ADDR_SMTP},
                                          {SPOOLCHECK_CALL_TRANSPORT_SEND, SPOOLCHECK_ADDR_FAX}};
    static const uint32_t fax_x400[][2] = {{SPOOLCHECK_CALL_TRANSPORT_SEND, SPOOLCHECK_ADDR_FAX},
                                          {SPOOLCHECK_CALL_TRANSPORT_SEND, SPOOLCHECK_ADDR_X400}};
    static const uint32_t pre_1_smtp[][2] = {{SPOOLCHECK_CALL_PREPROCESS, 1},
                                            {SPOOLCHECK_CALL_TRANSPORT_SEND, SPOOLCHECK_ADDR_SMTP}};
    static const uint32_t smtp_remove_1[][2] = {
        {SPOOLCHECK_CALL_TRANSPORT_SEND, SPOOLCHECK_ADDR_SMTP},
        {SPOOLCHECK_CALL_REMOVE_PREPROCESS_INFO, 1}};
    const uint32_t locked_preprocess =
        SPOOLCHECK_SUBMITFLAG_LOCKED | SPOOLCHECK_SUBMITFLAG_PREPROCESS;
    spoolcheck_choices c = preset_default();
    c.profile = SPOOLCHECK_PROFILE_SYSTEM;
    if (!quiet)
        printf("scenario (profile system: a busy preprocessor, a waiting transport)\n");

    /* Busy: the message stays locked and queued; the next run calls only the preprocessor still
     * due, then sends, then RemovePreprocessInfo for both. */
    CHECK(P->reset(self, &c) == SPOOLCHECK_OK);
    spoolcheck_op op = register_op(SPOOLCHECK_ADDR_SMTP, SPOOLCHECK_SCOPE_ADDRESS_TYPE);
    CHECK(apply(&op).hr == 0);
    op = register_op(SPOOLCHECK_ADDR_FAX, SPOOLCHECK_SCOPE_ALL_MESSAGES);
    CHECK(apply(&op).hr == 0);
    create(SPOOLCHECK_FOLDER_OUTBOX, ONE_SMTP, 1, 0, 1);
    CHECK(submit(SPOOLCHECK_ROLE_CLIENT, 1, 5).hr == 0);
    expect_spooler(busy_2, pre_1_2, 2, __LINE__);
    CHECK(H.nqueue == 1 && submit_flags_of(1) == locked_preprocess);
    op = op_of(SPOOLCHECK_OP_ABORT_SUBMIT, SPOOLCHECK_ROLE_CLIENT, 1);
    CHECK(apply(&op).hr == SPOOLCHECK_MAPI_E_UNABLE_TO_ABORT);
    expect_spooler(ANSWERS_OK, pre_2_send_remove, 4, __LINE__);
    CHECK(H.nqueue == 0 && submit_flags_of(1) == 0);

    /* A restart forgets the spooler's progress: preprocessing starts over. */
    create(SPOOLCHECK_FOLDER_OUTBOX, ONE_SMTP, 1, 0, 1);
    CHECK(submit(SPOOLCHECK_ROLE_CLIENT, 2, 6).hr == 0);
    expect_spooler(busy_2, pre_1_2, 2, __LINE__);
    op = op_of(SPOOLCHECK_OP_RESTART, 0, 0);
    CHECK(apply(&op).hr == 0);
    expect_spooler(busy_2, pre_1_2, 2, __LINE__);

    /* Wait after preprocessing: RemovePreprocessInfo only once every send succeeded. */
    CHECK(P->reset(self, &c) == SPOOLCHECK_OK);
    op = register_op(SPOOLCHECK_ADDR_SMTP, SPOOLCHECK_SCOPE_ADDRESS_TYPE);
    CHECK(apply(&op).hr == 0);
    create(SPOOLCHECK_FOLDER_OUTBOX, ONE_SMTP, 1, 0, 1);
    CHECK(submit(SPOOLCHECK_ROLE_CLIENT, 1, 5).hr == 0);
    expect_spooler(smtp_waits, pre_1_smtp, 2, __LINE__);
    CHECK(H.rows[0][0].responsibility == SPOOLCHECK_RESPONSIBILITY_FALSE);
    expect_spooler(ANSWERS_OK, smtp_remove_1, 2, __LINE__);

    /* Wait: the rows of the waiting transport stay unhandled, the transports after it are not
     * called, the message stays locked and queued; the next run sends only what is left. */
    CHECK(P->reset(self, &c) == SPOOLCHECK_OK);
    create(SPOOLCHECK_FOLDER_OUTBOX, ANN_CY_DI, 3, 0, 1);
    CHECK(submit(SPOOLCHECK_ROLE_CLIENT, 1, 5).hr == 0);
    expect_spooler(fax_waits, smtp_fax, 2, __LINE__);
    CHECK(H.rows[0][0].responsibility == SPOOLCHECK_RESPONSIBILITY_TRUE &&
          H.rows[0][1].responsibility == SPOOLCHECK_RESPONSIBILITY_FALSE &&
          H.rows[0][2].responsibility == SPOOLCHECK_RESPONSIBILITY_FALSE);
    CHECK(H.nqueue == 1 && submit_flags_of(1) == SPOOLCHECK_SUBMITFLAG_LOCKED);
    expect_spooler(ANSWERS_OK, fax_x400, 2, __LINE__);
    CHECK(H.nqueue == 0 && H.view[0].message_flags == 0);
}

/* ---- The long sequences ------------------------------------------------------------------- */

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static uint32_t next_random(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static void long_sequence(const char *name, spoolcheck_choices c, int steps)
{
    int saved_quiet = quiet;
    quiet = 1;
    CHECK(P->reset(self, &c) == SPOOLCHECK_OK);
    uint32_t created = 0;
    uint64_t now = 1;
    /* Plain rows, a list, a nested list and a typed address, in windows of up to three. */
    static const spoolcheck_recipient recipients[] = {
        ANN, CY, TEAM, DI, {SPOOLCHECK_RECIP_CC, SPOOLCHECK_ADDR_MAPIPDL, "Everyone", "", LIST(3)},
        {SPOOLCHECK_RECIP_BCC, SPOOLCHECK_ADDR_FAX, "Fax", "+1 555 0199",
         {SPOOLCHECK_ENTRY_UNRESOLVED, 0}},
        ANN};
    static const spoolcheck_recipient expanded[] = {ANN, CY, DI};
    for (int step = 0; step < steps; step++) {
        uint32_t kind = 1 + next_random(20);
        uint32_t caller = 1 + next_random(2);
        uint32_t msg = created ? 1 + next_random(created + 1) : 0;
        spoolcheck_op op = op_of(kind, caller, msg);
        if (kind == SPOOLCHECK_OP_CREATE_MESSAGE || next_random(4) == 0) {
            op = op_of(SPOOLCHECK_OP_CREATE_MESSAGE, 0, 0);
            op.create.folder = 1 + next_random(5);
            op.create.recipients = recipients + next_random(5);
            op.create.recipient_count = next_random(3);
            op.create.sentmail = next_random(6);
            op.create.delete_after_submit = next_random(2);
            op.create.unsent = next_random(2);
            op.create.resend = next_random(2);
            op.create.saved = next_random(4) != 0;
            spoolcheck_ret r = apply(&op);
            CHECK(r.hr == 0 && r.value == created + 1);
            created = r.value;
            continue;
        }
        if (kind == SPOOLCHECK_OP_SUBMIT_MESSAGE) {
            op.flags = next_random(5) == 0 ? SPOOLCHECK_FORCE_SUBMIT : 0u;
            op.script.now = now++;
            op.script.prepare = next_random(10) == 0 ? SPOOLCHECK_MAPI_E_CALL_FAILED : 0;
            op.script.expand = next_random(10) == 0 ? SPOOLCHECK_MAPI_E_NETWORK_ERROR : 0;
            op.script.expand_flags = next_random(4);
            op.script.has_expanded = next_random(3) == 0;
            op.script.expanded = op.script.has_expanded ? expanded : NULL;
            op.script.expanded_count = op.script.has_expanded ? 1 + next_random(3) : 0;
            op.script.book = BOOK;
            op.script.book_count = next_random(BOOK_SIZE + 1); /* some entries missing */
        }
        if (kind == SPOOLCHECK_OP_RUN_SPOOLER) {
            op.spooler.busy_preprocessor = next_random(3) == 0 ? 1 + next_random(3) : 0;
            op.spooler.waiting_transport = next_random(3) == 0 ? 1 + next_random(3) : 0;
        }
        op.access = 1 + next_random(3);
        op.path = 1 + next_random(2);
        op.via = 1 + next_random(2);
        op.lock = next_random(3) != 0;
        op.recipient = next_random(3);
        op.folder = 1 + next_random(5);
        op.addr = 1 + next_random(3);
        op.available = next_random(3) != 0;
        op.scope = 1 + next_random(3); /* every SPOOLCHECK_SCOPE_* */
        op.flags = kind == SPOOLCHECK_OP_STORE_LOGOFF ? 1u << next_random(4) : op.flags;
        if (kind == SPOOLCHECK_OP_REGISTER_PREPROCESSOR && next_random(8) != 0)
            op.kind = SPOOLCHECK_OP_RUN_SPOOLER; /* keep the preprocessors few */
        apply(&op);
    }
    quiet = saved_quiet;
    if (!quiet)
        printf("long sequence %-28s %d steps, %u messages created, %d live at the end\n", name,
               steps, created, H.nmessages);
}

int main(int argc, char **argv)
{
    int mutant = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quiet"))
            quiet = 1;
        else if (!strcmp(argv[i], "--mutant"))
            mutant = 1;
        else
            path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: smoke [--quiet] [--mutant] LIBRARY.so\n");
        return 2;
    }
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "smoke: %s\n", dlerror());
        return 2;
    }
    spoolcheck_provider_fn entry;
    *(void **)&entry = dlsym(lib, SPOOLCHECK_ENTRY_POINT);
    if (!entry) {
        fprintf(stderr, "smoke: no %s in %s\n", SPOOLCHECK_ENTRY_POINT, path);
        return 2;
    }
    P = entry();
    if (P->abi_version != SPOOLCHECK_ABI_VERSION) {
        fprintf(stderr, "smoke: ABI version %u\n", P->abi_version);
        return 2;
    }
    if (!quiet)
        printf("provider: %s\n", P->name);
    self = P->create();
    if (!self) {
        fprintf(stderr, "smoke: create() returned NULL\n");
        return 2;
    }

    scenario(mutant);
    provider_expansion_scenario();
    system_scenario();
    system_expansion_scenario();
    busy_and_wait_scenario();

    /* The presets of model/src/choices.rs. */
    spoolcheck_choices d = preset_default();
    long_sequence("default", d, 4000);
    spoolcheck_choices c = d;
    c.tight_coupling = 1;
    c.tc_handles = 1u << SPOOLCHECK_ADDR_SMTP;
    c.tc_completion = SPOOLCHECK_COMPLETION_COMPLETE_MSG;
    long_sequence("tight-coupling-complete-msg", c, 4000);
    c.tc_completion = SPOOLCHECK_COMPLETION_LOCAL;
    c.sentmail = SPOOLCHECK_SENTMAIL_COPY;
    c.delete_means = SPOOLCHECK_DELETE_TO_DELETED_ITEMS;
    long_sequence("tight-coupling-local", c, 4000);
    c = d;
    c.prepare_submit = SPOOLCHECK_PREPARE_RESEND_ONLY;
    c.disposition_by = SPOOLCHECK_DISPOSITION_BY_DO_SENT_MAIL;
    c.lock_after_restart = SPOOLCHECK_LOCK_KEPT;
    long_sequence("resend-only-dosentmail", c, 4000);
    c = d;
    c.profile = SPOOLCHECK_PROFILE_SYSTEM;
    c.tight_coupling = 1;
    c.tc_handles = 1u << SPOOLCHECK_ADDR_SMTP;
    c.tc_completion = SPOOLCHECK_COMPLETION_COMPLETE_MSG;
    long_sequence("system", c, 4000);
    c.tight_coupling = 0;
    c.sentmail = SPOOLCHECK_SENTMAIL_COPY;
    c.disposition_by = SPOOLCHECK_DISPOSITION_BY_DO_SENT_MAIL;
    long_sequence("system-uncoupled-dosentmail", c, 4000);
    c = d;
    c.submission = 0;
    long_sequence("no-submission", c, 2000);
    c = d;
    c.enforce_spooler_only = 0;
    c.lock_after_restart = SPOOLCHECK_LOCK_DROPPED;
    long_sequence("permissive", c, 4000);

    /* Reset frees the old store; destroy frees everything. */
    CHECK(P->reset(self, &d) == SPOOLCHECK_OK);
    P->destroy(self);
    dlclose(lib);
    if (failures) {
        fprintf(stderr, "smoke: %d check(s) failed\n", failures);
        return 1;
    }
    printf("smoke: all checks passed%s\n", mutant ? " (mutant: ACCESS-01 broken as intended)" : "");
    return 0;
}
