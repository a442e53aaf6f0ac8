/*
 * tables.c: the store's data: growable lists, the message table with each message's property bag
 * and recipient table, the recipient tables, and the folder table.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

/* Makes room for one more element of `size` bytes in *items (holding *len of *cap). */
static bool grow(struct store *s, void **items, size_t len, size_t *cap, size_t size)
{
    if (len < *cap)
        return true;
    size_t new_cap = *cap ? *cap * 2 : 8;
    if (new_cap > SIZE_MAX / size) {
        s->out_of_memory = true;
        return false;
    }
    void *p = realloc(*items, new_cap * size);
    if (!p) {
        s->out_of_memory = true;
        return false;
    }
    *items = p;
    *cap = new_cap;
    return true;
}

void store_init(struct store *s)
{
    memset(s, 0, sizeof *s);
    s->next_entry_id = 1;
    s->next_sink = 1;
}

void store_free(struct store *s)
{
    for (size_t i = 0; i < s->messages.len; i++)
        message_free(s->messages.slots[i]);
    free(s->messages.slots);
    for (uint32_t f = 0; f <= FOLDER_COUNT; f++)
        free(s->folders.folder[f].v);
    idlist_free(&s->queue);
    idlist_free(&s->locks);
    idlist_free(&s->session.new_mail_sinks);
    free(s->mapi.preprocessors);
    idlist_free(&s->mapi.handed_over);
    s->messages.slots = NULL;
    s->messages.len = s->messages.cap = 0;
}

/* ---- Lists of identifiers ------------------------------------------------------------------ */

bool idlist_push(struct store *s, struct idlist *l, uint32_t id)
{
    void *items = l->v;
    if (!grow(s, &items, l->len, &l->cap, sizeof *l->v))
        return false;
    l->v = items;
    l->v[l->len++] = id;
    return true;
}

bool idlist_contains(const struct idlist *l, uint32_t id)
{
    for (size_t i = 0; i < l->len; i++)
        if (l->v[i] == id)
            return true;
    return false;
}

/* Removes every occurrence, keeping the order of the rest. Returns whether there was one. */
bool idlist_remove(struct idlist *l, uint32_t id)
{
    size_t kept = 0;
    for (size_t i = 0; i < l->len; i++)
        if (l->v[i] != id)
            l->v[kept++] = l->v[i];
    bool removed = kept != l->len;
    l->len = kept;
    return removed;
}

void idlist_free(struct idlist *l)
{
    free(l->v);
    l->v = NULL;
    l->len = l->cap = 0;
}

/* ---- The message table --------------------------------------------------------------------- */

struct message *message_find(const struct store *s, uint32_t id)
{
    if (id == 0 || id > s->messages.len)
        return NULL;
    return s->messages.slots[id - 1];
}

/* Adds a message under the next entry ID and returns that ID (0 when out of memory). */
uint32_t message_insert(struct store *s, struct message *m)
{
    void *slots = s->messages.slots;
    if (!grow(s, &slots, s->messages.len, &s->messages.cap, sizeof *s->messages.slots))
        return 0;
    s->messages.slots = slots;
    s->messages.slots[s->messages.len++] = m;
    uint32_t id = s->next_entry_id++;
    return id;
}

/* Removes a message from the message table; its entry ID is never given out again. */
void message_remove(struct store *s, uint32_t id)
{
    struct message *m = message_find(s, id);
    if (!m)
        return;
    message_free(m);
    s->messages.slots[id - 1] = NULL;
}

/* A new message as the client creates it (CreateMessage, SetProps, ModifyRecipients, and
 * SaveChanges if it asks). */
struct message *message_new(struct store *s, const spoolcheck_new_message *create)
{
    struct message *m = calloc(1, sizeof *m);
    if (!m) {
        s->out_of_memory = true;
        return NULL;
    }
    if (create->unsent)
        m->props.message_flags |= SPOOLCHECK_MSGFLAG_UNSENT;
    if (create->resend)
        m->props.message_flags |= SPOOLCHECK_MSGFLAG_RESEND;
    m->props.sentmail_entryid = create->sentmail;
    m->props.delete_after_submit = create->delete_after_submit != 0;
    m->saved = create->saved != 0;
    for (uint32_t i = 0; i < create->recipient_count; i++) {
        /* PR_RESPONSIBILITY has no value until submission gives it one (SUBMIT-06). */
        if (!recipients_append(s, &m->recipients, &create->recipients[i],
                               SPOOLCHECK_RESPONSIBILITY_ABSENT)) {
            message_free(m);
            return NULL;
        }
    }
    return m;
}

void message_free(struct message *m)
{
    if (!m)
        return;
    recipients_free(&m->recipients);
    idlist_free(&m->preprocessed);
    free(m);
}

/* ---- Recipient tables ---------------------------------------------------------------------- */

/* A copy of a string the harness passed (valid only during its call). */
static char *copy_text(struct store *s, const char *text)
{
    size_t n = strlen(text) + 1;
    char *copy = malloc(n);
    if (!copy) {
        s->out_of_memory = true;
        return NULL;
    }
    memcpy(copy, text, n);
    return copy;
}

/* Room for one more row in both columns. */
static bool recipients_grow(struct store *s, struct recipient_table *t)
{
    if (t->count < t->cap)
        return true;
    uint32_t cap = t->cap ? t->cap * 2 : 4;
    spoolcheck_recipient *rows = realloc(t->rows, cap * sizeof *rows);
    if (!rows) {
        s->out_of_memory = true;
        return false;
    }
    t->rows = rows;
    int8_t *responsibility = realloc(t->responsibility, cap * sizeof *responsibility);
    if (!responsibility) {
        s->out_of_memory = true;
        return false;
    }
    t->responsibility = responsibility;
    t->cap = cap;
    return true;
}

/* Adds a row at the end of the table, with copies of its strings. */
bool recipients_append(struct store *s, struct recipient_table *t, const spoolcheck_recipient *row,
                       int8_t responsibility)
{
    if (!recipients_grow(s, t))
        return false;
    char *name = copy_text(s, row->name);
    char *email = copy_text(s, row->email);
    if (!name || !email) {
        free(name);
        free(email);
        return false;
    }
    spoolcheck_recipient *r = &t->rows[t->count];
    *r = *row;
    r->name = name;
    r->email = email;
    t->responsibility[t->count] = responsibility;
    t->count++;
    return true;
}

/* Puts `with` in place of the table's rows; `with` is left empty. */
void recipients_replace(struct recipient_table *t, struct recipient_table *with)
{
    recipients_free(t);
    *t = *with;
    memset(with, 0, sizeof *with);
}

void recipients_free(struct recipient_table *t)
{
    for (uint32_t i = 0; i < t->count; i++) {
        /* The table's own copies (recipients_append), const only in the header's struct. */
        free((void *)t->rows[i].name);
        free((void *)t->rows[i].email);
    }
    free(t->rows);
    free(t->responsibility);
    memset(t, 0, sizeof *t);
}

void set_bits(uint32_t *value, uint32_t bits, bool on)
{
    if (on)
        *value |= bits;
    else
        *value &= ~bits;
}

/* MSGFLAG_SUBMIT: SubmitMessage succeeded and sending has not finished or been aborted. */
bool is_submitted(const struct message *m)
{
    return (m->props.message_flags & SPOOLCHECK_MSGFLAG_SUBMIT) != 0;
}

/* SUBMITFLAG_PREPROCESS: queued and waiting for preprocessing. */
bool awaits_preprocessing(const struct message *m)
{
    return (m->props.submit_flags & SPOOLCHECK_SUBMITFLAG_PREPROCESS) != 0;
}

/* ---- The folder table ---------------------------------------------------------------------- */

/* An item arrives in a folder. */
void folder_add(struct store *s, uint32_t folder, uint32_t msg, bool sent_copy)
{
    struct folder_contents *c = &s->folders.folder[folder];
    void *items = c->v;
    if (!grow(s, &items, c->len, &c->cap, sizeof *c->v))
        return;
    c->v = items;
    c->v[c->len].msg = msg;
    c->v[c->len].sent_copy = sent_copy;
    c->len++;
}

/* Takes a message (not its copies) out of whatever folder holds it. */
void folder_remove_message(struct store *s, uint32_t msg)
{
    for (uint32_t f = 1; f <= FOLDER_COUNT; f++) {
        struct folder_contents *c = &s->folders.folder[f];
        size_t kept = 0;
        for (size_t i = 0; i < c->len; i++)
            if (c->v[i].sent_copy || c->v[i].msg != msg)
                c->v[kept++] = c->v[i];
        c->len = kept;
    }
}

/* Moves a message to another folder. */
void folder_move_message(struct store *s, uint32_t msg, uint32_t to)
{
    folder_remove_message(s, msg);
    folder_add(s, to, msg, false);
}

/* Removes one item (the first equal one) from a folder. */
void folder_remove_item(struct store *s, uint32_t folder, struct folder_item item)
{
    struct folder_contents *c = &s->folders.folder[folder];
    for (size_t i = 0; i < c->len; i++) {
        if (c->v[i].msg == item.msg && c->v[i].sent_copy == item.sent_copy) {
            memmove(&c->v[i], &c->v[i + 1], (c->len - i - 1) * sizeof *c->v);
            c->len--;
            return;
        }
    }
}
