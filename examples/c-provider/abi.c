/*
 * abi.c: the spoolcheck C ABI (harness/include/spoolcheck.h): the exported function table, checks
 * of the codes the harness passes, dispatch of operations, and the observation.
 */
#include "store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef SPOOLCHECK_EXAMPLE_MUTANT
#define PROVIDER_NAME "c-example (mutant: access01-read-locked)"
#else
#define PROVIDER_NAME "c-example"
#endif

/* Records what went wrong and returns `status`. */
static int32_t fail(struct store *s, int32_t status, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(s->last_error, sizeof s->last_error, format, args);
    va_end(args);
    return status;
}

static void *provider_create(void)
{
    struct store *s = malloc(sizeof *s);
    if (!s)
        return NULL;
    store_init(s);
    s->choices.profile = SPOOLCHECK_PROFILE_PROVIDER;
    s->choices.submission = 1;
    s->choices.prepare_submit = SPOOLCHECK_PREPARE_ALWAYS;
    s->choices.enforce_spooler_only = 1;
    s->choices.lock_after_restart = SPOOLCHECK_LOCK_EITHER;
    s->choices.disposition_by = SPOOLCHECK_DISPOSITION_BY_STORE;
    s->choices.delete_means = SPOOLCHECK_DELETE_HARD;
    s->choices.sentmail = SPOOLCHECK_SENTMAIL_MOVE;
    return s;
}

static void provider_destroy(void *self)
{
    if (!self)
        return;
    store_free(self);
    free(self);
}

static bool in_range(uint32_t value, uint32_t low, uint32_t high)
{
    return value >= low && value <= high;
}

/* Every declared choice is supported; a code this version does not know is not. */
static int32_t check_choices(struct store *s, const spoolcheck_choices *c)
{
    if (!in_range(c->profile, SPOOLCHECK_PROFILE_PROVIDER, SPOOLCHECK_PROFILE_SYSTEM))
        return fail(s, SPOOLCHECK_UNSUPPORTED, "unknown profile %u", c->profile);
    if (!in_range(c->prepare_submit, SPOOLCHECK_PREPARE_ALWAYS, SPOOLCHECK_PREPARE_RESEND_ONLY))
        return fail(s, SPOOLCHECK_UNSUPPORTED, "unknown prepare_submit %u", c->prepare_submit);
    if (!in_range(c->lock_after_restart, SPOOLCHECK_LOCK_DROPPED, SPOOLCHECK_LOCK_EITHER))
        return fail(s, SPOOLCHECK_UNSUPPORTED, "unknown lock_after_restart %u",
                    c->lock_after_restart);
    if (c->tight_coupling) {
        uint32_t known = (1u << SPOOLCHECK_ADDR_SMTP) | (1u << SPOOLCHECK_ADDR_FAX) |
                         (1u << SPOOLCHECK_ADDR_X400);
        if (c->tc_handles & ~known)
            return fail(s, SPOOLCHECK_UNSUPPORTED, "unknown address type in tc_handles 0x%X",
                        c->tc_handles);
        if (!in_range(c->tc_completion, SPOOLCHECK_COMPLETION_COMPLETE_MSG,
                      SPOOLCHECK_COMPLETION_LOCAL))
            return fail(s, SPOOLCHECK_UNSUPPORTED, "unknown tc_completion %u", c->tc_completion);
    }
    if (!in_range(c->disposition_by, SPOOLCHECK_DISPOSITION_BY_STORE,
                  SPOOLCHECK_DISPOSITION_BY_DO_SENT_MAIL))
        return fail(s, SPOOLCHECK_UNSUPPORTED, "unknown disposition_by %u", c->disposition_by);
    if (!in_range(c->delete_means, SPOOLCHECK_DELETE_HARD, SPOOLCHECK_DELETE_TO_DELETED_ITEMS))
        return fail(s, SPOOLCHECK_UNSUPPORTED, "unknown delete_means %u", c->delete_means);
    if (!in_range(c->sentmail, SPOOLCHECK_SENTMAIL_MOVE, SPOOLCHECK_SENTMAIL_COPY))
        return fail(s, SPOOLCHECK_UNSUPPORTED, "unknown sentmail %u", c->sentmail);
    return SPOOLCHECK_OK;
}

/* Empties the store (freeing the old one) and starts over with these choices. */
static int32_t provider_reset(void *self, const spoolcheck_choices *choices)
{
    struct store *s = self;
    if (!choices)
        return fail(s, SPOOLCHECK_ERROR, "reset without choices");
    int32_t status = check_choices(s, choices);
    if (status != SPOOLCHECK_OK)
        return status;
    store_free(s);
    store_init(s);
    s->choices = *choices;
    s->choices.submission = choices->submission != 0;
    s->choices.enforce_spooler_only = choices->enforce_spooler_only != 0;
    s->choices.tight_coupling = choices->tight_coupling != 0;
    return SPOOLCHECK_OK;
}

/* An entry ID: a known kind, and a number for an address-book entry. */
static int32_t check_entry(struct store *s, const char *what, spoolcheck_entry e)
{
    if (!in_range(e.kind, SPOOLCHECK_ENTRY_UNRESOLVED, SPOOLCHECK_ENTRY_LIST))
        return fail(s, SPOOLCHECK_UNSUPPORTED, "%s: unknown entry kind %u", what, e.kind);
    bool in_book = e.kind == SPOOLCHECK_ENTRY_PERSON || e.kind == SPOOLCHECK_ENTRY_LIST;
    if (in_book && e.id == 0)
        return fail(s, SPOOLCHECK_ERROR, "%s: address-book entry 0", what);
    return SPOOLCHECK_OK;
}

/* What every row and book entry has: strings, and an address type the header defines. */
static int32_t check_addressee(struct store *s, const char *what, uint32_t addr, const char *name,
                               const char *email, spoolcheck_entry entry)
{
    if (!in_range(addr, SPOOLCHECK_ADDR_SMTP, SPOOLCHECK_ADDR_MAPIPDL))
        return fail(s, SPOOLCHECK_UNSUPPORTED, "%s: unknown address type %u", what, addr);
    if (!name || !email)
        return fail(s, SPOOLCHECK_ERROR, "%s: a NULL display name or address", what);
    return check_entry(s, what, entry);
}

static int32_t check_recipients(struct store *s, const char *what,
                                const spoolcheck_recipient *rows, uint32_t count)
{
    if (count > 0 && !rows)
        return fail(s, SPOOLCHECK_ERROR, "%s: %u recipients and no array", what, count);
    for (uint32_t i = 0; i < count; i++) {
        const spoolcheck_recipient *r = &rows[i];
        if (!in_range(r->recip_type, SPOOLCHECK_RECIP_TO, SPOOLCHECK_RECIP_BCC))
            return fail(s, SPOOLCHECK_UNSUPPORTED, "%s: unknown recipient type %u", what,
                        r->recip_type);
        int32_t status = check_addressee(s, what, r->addr, r->name, r->email, r->entry);
        if (status != SPOOLCHECK_OK)
            return status;
    }
    return SPOOLCHECK_OK;
}

static int32_t check_book(struct store *s, const spoolcheck_script *script)
{
    const char *what = "SubmitMessage's address book";
    if (script->book_count > 0 && !script->book)
        return fail(s, SPOOLCHECK_ERROR, "%s: %u entries and no array", what, script->book_count);
    for (uint32_t i = 0; i < script->book_count; i++) {
        const spoolcheck_book_entry *b = &script->book[i];
        int32_t status = check_addressee(s, what, b->addr, b->name, b->email, b->entry);
        if (status != SPOOLCHECK_OK)
            return status;
        if (b->member_count > 0 && !b->members)
            return fail(s, SPOOLCHECK_ERROR, "%s: %u members and no array", what,
                        b->member_count);
        for (uint32_t m = 0; m < b->member_count; m++)
            if ((status = check_entry(s, what, b->members[m])) != SPOOLCHECK_OK)
                return status;
    }
    return SPOOLCHECK_OK;
}

static int32_t check_create(struct store *s, const spoolcheck_new_message *c)
{
    if (!in_range(c->folder, SPOOLCHECK_FOLDER_INBOX, SPOOLCHECK_FOLDER_DELETED_ITEMS))
        return fail(s, SPOOLCHECK_UNSUPPORTED, "CreateMessage: unknown folder %u", c->folder);
    if (c->sentmail > SPOOLCHECK_FOLDER_DELETED_ITEMS)
        return fail(s, SPOOLCHECK_UNSUPPORTED, "CreateMessage: unknown sent-mail folder %u",
                    c->sentmail);
    return check_recipients(s, "CreateMessage", c->recipients, c->recipient_count);
}

static int32_t check_script(struct store *s, const spoolcheck_script *script)
{
    if (script->has_expanded) {
        int32_t status = check_recipients(s, "SubmitMessage's expanded table", script->expanded,
                                          script->expanded_count);
        if (status != SPOOLCHECK_OK)
            return status;
    }
    return check_book(s, script);
}

/* Checks the codes an operation carries before anything changes. RunSpooler's script is the
 * host's: its preprocessors and transports answer by it, and the store acts on their answers. */
static int32_t check_op(struct store *s, const spoolcheck_op *op)
{
    bool has_caller = false, has_folder = false, has_addr = false;
    switch (op->kind) {
    case SPOOLCHECK_OP_CREATE_MESSAGE:
        return check_create(s, &op->create);
    case SPOOLCHECK_OP_SUBMIT_MESSAGE: {
        int32_t status = check_script(s, &op->script);
        if (status != SPOOLCHECK_OK)
            return status;
        has_caller = true;
        break;
    }
    case SPOOLCHECK_OP_OPEN_ENTRY:
        if (!in_range(op->access, SPOOLCHECK_ACCESS_DEFAULT, SPOOLCHECK_ACCESS_BEST))
            return fail(s, SPOOLCHECK_UNSUPPORTED, "OpenEntry: unknown access %u", op->access);
        if (!in_range(op->path, SPOOLCHECK_PATH_STORE, SPOOLCHECK_PATH_FOLDER))
            return fail(s, SPOOLCHECK_UNSUPPORTED, "OpenEntry: unknown path %u", op->path);
        has_caller = true;
        break;
    case SPOOLCHECK_OP_WRITE_MESSAGE:
        if (!in_range(op->via, SPOOLCHECK_VIA_SUBMITTER, SPOOLCHECK_VIA_REOPENED))
            return fail(s, SPOOLCHECK_UNSUPPORTED, "WriteMessage: unknown via %u", op->via);
        has_caller = true;
        break;
    case SPOOLCHECK_OP_EMPTY_FOLDER:
        has_caller = has_folder = true;
        break;
    case SPOOLCHECK_OP_ABORT_SUBMIT:
    case SPOOLCHECK_OP_SET_LOCK_STATE:
    case SPOOLCHECK_OP_GET_OUTGOING_QUEUE:
    case SPOOLCHECK_OP_MARK_RESPONSIBILITY:
    case SPOOLCHECK_OP_FINISHED_MSG:
    case SPOOLCHECK_OP_NOTIFY_NEW_MAIL:
    case SPOOLCHECK_OP_SET_READ_FLAG:
    case SPOOLCHECK_OP_DELETE_MESSAGE:
        has_caller = true;
        break;
    case SPOOLCHECK_OP_REGISTER_PREPROCESSOR:
        /* Codes the header does not define are refused, as it asks. */
        if (op->scope < SPOOLCHECK_SCOPE_ADDRESS_TYPE || op->scope > SPOOLCHECK_SCOPE_ALL_MESSAGES)
            return fail(s, SPOOLCHECK_UNSUPPORTED, "RegisterPreprocessor: unknown scope %u",
                        op->scope);
        has_addr = true;
        break;
    case SPOOLCHECK_OP_SET_TRANSPORT_AVAILABLE:
        has_addr = true;
        break;
    case SPOOLCHECK_OP_ADVISE_NEW_MAIL:
    case SPOOLCHECK_OP_GET_SUPPORT_MASK:
    case SPOOLCHECK_OP_STORE_LOGOFF:
    case SPOOLCHECK_OP_RESTART:
    case SPOOLCHECK_OP_RUN_SPOOLER:
        break;
    default:
        return fail(s, SPOOLCHECK_UNSUPPORTED, "unknown operation kind %u", op->kind);
    }
    if (has_caller && !in_range(op->caller, SPOOLCHECK_ROLE_CLIENT, SPOOLCHECK_ROLE_SPOOLER))
        return fail(s, SPOOLCHECK_UNSUPPORTED, "operation %u: unknown caller %u", op->kind,
                    op->caller);
    if (has_folder &&
        !in_range(op->folder, SPOOLCHECK_FOLDER_INBOX, SPOOLCHECK_FOLDER_DELETED_ITEMS))
        return fail(s, SPOOLCHECK_UNSUPPORTED, "operation %u: unknown folder %u", op->kind,
                    op->folder);
    if (has_addr && !in_range(op->addr, SPOOLCHECK_ADDR_SMTP, SPOOLCHECK_ADDR_X400))
        return fail(s, SPOOLCHECK_UNSUPPORTED, "operation %u: unknown address type %u", op->kind,
                    op->addr);
    return SPOOLCHECK_OK;
}

/* Runs one operation against the store. */
static void dispatch(struct store *s, const spoolcheck_op *op, spoolcheck_ret *ret)
{
    switch (op->kind) {
    case SPOOLCHECK_OP_CREATE_MESSAGE:
        create_message(s, &op->create, ret);
        break;
    case SPOOLCHECK_OP_SUBMIT_MESSAGE:
        ret_hr(ret, submit_message(s, op->caller, op->msg, op->flags, &op->script));
        break;
    case SPOOLCHECK_OP_ABORT_SUBMIT:
        ret_hr(ret, abort_submit(s, op->caller, op->msg));
        break;
    case SPOOLCHECK_OP_OPEN_ENTRY:
        open_entry(s, op->caller, op->msg, op->access, op->path, ret);
        break;
    case SPOOLCHECK_OP_WRITE_MESSAGE:
        ret_hr(ret, write_message(s, op->caller, op->msg, op->via));
        break;
    case SPOOLCHECK_OP_SET_LOCK_STATE:
        ret_hr(ret, set_lock_state(s, op->caller, op->msg, op->lock != 0));
        break;
    case SPOOLCHECK_OP_GET_OUTGOING_QUEUE:
        get_outgoing_queue(s, op->caller, ret);
        break;
    case SPOOLCHECK_OP_MARK_RESPONSIBILITY:
        ret_hr(ret, mark_responsibility(s, op->caller, op->msg, op->recipient));
        break;
    case SPOOLCHECK_OP_FINISHED_MSG:
        ret_hr(ret, finished_msg(s, op->caller, op->msg));
        break;
    case SPOOLCHECK_OP_ADVISE_NEW_MAIL:
        advise_new_mail(s, ret);
        break;
    case SPOOLCHECK_OP_NOTIFY_NEW_MAIL:
        ret_hr(ret, notify_new_mail(s, op->caller, op->msg));
        break;
    case SPOOLCHECK_OP_SET_READ_FLAG:
        ret_hr(ret, set_read_flag(s, op->caller, op->msg));
        break;
    case SPOOLCHECK_OP_DELETE_MESSAGE:
        ret_hr(ret, delete_messages(s, op->caller, op->msg));
        break;
    case SPOOLCHECK_OP_EMPTY_FOLDER:
        ret_hr(ret, empty_folder(s, op->caller, op->folder));
        break;
    case SPOOLCHECK_OP_GET_SUPPORT_MASK:
        support_mask(s, ret);
        break;
    case SPOOLCHECK_OP_STORE_LOGOFF:
        ret_hr(ret, store_logoff(s, op->flags));
        break;
    case SPOOLCHECK_OP_RESTART:
        ret_hr(ret, restart(s));
        break;
    case SPOOLCHECK_OP_REGISTER_PREPROCESSOR:
        ret_hr(ret, register_preprocessor(s, op->addr, op->scope));
        break;
    case SPOOLCHECK_OP_SET_TRANSPORT_AVAILABLE:
        ret_hr(ret, set_transport_available(s, op->addr, op->available != 0));
        break;
    case SPOOLCHECK_OP_RUN_SPOOLER:
        ret_hr(ret, run_spooler(s));
        break;
    default:
        break; /* check_op() refused it */
    }
}

static int32_t provider_apply(void *self, const spoolcheck_op *op, const spoolcheck_host *host,
                              spoolcheck_ret *ret)
{
    struct store *s = self;
    if (!op || !host || !ret || !host->call || !host->notify || !host->queue_row)
        return fail(s, SPOOLCHECK_ERROR, "apply: missing operation, result or host callback");
    int32_t status = check_op(s, op);
    if (status != SPOOLCHECK_OK)
        return status;
    ret_hr(ret, SPOOLCHECK_S_OK);
    s->host = host;
    dispatch(s, op, ret);
    s->host = NULL;
    if (s->out_of_memory)
        return fail(s, SPOOLCHECK_ERROR, "out of memory; the store's state is unknown");
    return SPOOLCHECK_OK;
}

static int compare_ids(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Every live message in entry ID order, each folder's items by subject (a copy's subject is its
 * original's entry ID), the outgoing queue in table order. */
static int32_t provider_observe(void *self, const spoolcheck_host *host)
{
    struct store *s = self;
    if (!host || !host->message || !host->folder_item || !host->queue_item)
        return fail(s, SPOOLCHECK_ERROR, "observe: missing host callback");
    for (uint32_t id = 1; id < s->next_entry_id; id++) {
        const struct message *m = message_find(s, id);
        if (!m)
            continue;
        spoolcheck_message_view view = {0};
        view.msg = id;
        view.message_flags = m->props.message_flags & OBSERVED_MESSAGE_FLAGS;
        view.submit_flags = m->props.submit_flags;
        view.has_client_submit_time = m->props.has_client_submit_time;
        view.client_submit_time = m->props.client_submit_time;
        view.recipient_count = m->recipients.count;
        view.recipients = m->recipients.rows;
        view.responsibility = m->recipients.responsibility;
        host->message(host->ctx, &view);
    }
    struct idlist subjects = {0};
    for (uint32_t f = SPOOLCHECK_FOLDER_INBOX; f <= SPOOLCHECK_FOLDER_DELETED_ITEMS; f++) {
        const struct folder_contents *c = &s->folders.folder[f];
        subjects.len = 0;
        for (size_t i = 0; i < c->len; i++)
            if (!idlist_push(s, &subjects, c->v[i].msg))
                break;
        if (s->out_of_memory) {
            idlist_free(&subjects);
            return fail(s, SPOOLCHECK_ERROR, "out of memory");
        }
        if (subjects.len > 1)
            qsort(subjects.v, subjects.len, sizeof *subjects.v, compare_ids);
        for (size_t i = 0; i < subjects.len; i++)
            host->folder_item(host->ctx, f, subjects.v[i]);
    }
    idlist_free(&subjects);
    for (size_t i = 0; i < s->queue.len; i++)
        host->queue_item(host->ctx, s->queue.v[i]);
    return SPOOLCHECK_OK;
}

static const char *provider_last_error(void *self)
{
    struct store *s = self;
    return s && s->last_error[0] ? s->last_error : NULL;
}

static const spoolcheck_provider provider = {
    .abi_version = SPOOLCHECK_ABI_VERSION,
    .name = PROVIDER_NAME,
    .create = provider_create,
    .destroy = provider_destroy,
    .reset = provider_reset,
    .apply = provider_apply,
    .observe = provider_observe,
    .last_error = provider_last_error,
};

const spoolcheck_provider *spoolcheck_provider_v2(void)
{
    return &provider;
}
