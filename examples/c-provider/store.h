/*
 * store.h: the example in-memory message store's data structures.
 *
 * The store keeps its own tables, the way a MAPI message store provider would:
 *
 *   message table   entry ID -> message: a property bag (PR_MESSAGE_FLAGS, PR_SUBMIT_FLAGS,
 *                   PR_CLIENT_SUBMIT_TIME, PR_SENTMAIL_ENTRYID, PR_DELETE_AFTER_SUBMIT) and a
 *                   recipient table (PR_RECIPIENT_TYPE, PR_ADDRTYPE, PR_DISPLAY_NAME,
 *                   PR_EMAIL_ADDRESS, PR_ENTRYID and PR_RESPONSIBILITY per row), whether a
 *                   committed copy exists, and whether the client's submitting object is dead.
 *   folder table    each folder's items, in arrival order; sent-mail copies are items too.
 *   outgoing queue  entry IDs in SubmitMessage order (= ascending PR_CLIENT_SUBMIT_TIME).
 *   lock table      the messages the spooler holds; SUBMITFLAG_LOCKED mirrors it.
 *   session         READYTOSEND sent, new-mail sinks, saved StoreLogoff flags. A restart ends it.
 *
 * Entry IDs are the harness's numbers (1, 2, 3 ... in creation order), so no mapping is needed.
 * Every table grows on demand: nothing has a fixed limit.
 *
 * The behaviour is that of spoolcheck's Rust reference provider (harness/src/reference/); comments
 * cite the rule IDs of specs/rules.toml where a rule decides what the store does.
 */
#ifndef SPOOLCHECK_EXAMPLE_STORE_H
#define SPOOLCHECK_EXAMPLE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Only the entry point is exported (the library is built with -fvisibility=hidden). */
#pragma GCC visibility push(default)
#include "spoolcheck.h"
#pragma GCC visibility pop

/* ---- MAPI values ------------------------------------------------------------------------- */

/* The HRESULTs, PR_MESSAGE_FLAGS and PR_SUBMIT_FLAGS bits, ExpandRecips and SubmitMessage flags,
 * PR_STORE_SUPPORT_MASK bits and StoreLogoff flags are spoolcheck.h's SPOOLCHECK_MAPI_E_*,
 * SPOOLCHECK_MSGFLAG_* ... (the SDK headers' values). */

#define HR_FAILED(hr) (((hr)&0x80000000u) != 0)

/* The PR_MESSAGE_FLAGS bits the harness compares. */
#define OBSERVED_MESSAGE_FLAGS                                                                     \
    (SPOOLCHECK_MSGFLAG_READ | SPOOLCHECK_MSGFLAG_SUBMIT | SPOOLCHECK_MSGFLAG_UNSENT |             \
     SPOOLCHECK_MSGFLAG_RESEND)

#define FOLDER_COUNT 5u    /* SPOOLCHECK_FOLDER_INBOX .. SPOOLCHECK_FOLDER_DELETED_ITEMS */
/* The address types with a transport: SPOOLCHECK_ADDR_SMTP .. SPOOLCHECK_ADDR_X400. MAPIPDL (a
 * personal distribution list) has none: ExpandRecips replaces a list by its members. */
#define TRANSPORT_COUNT 3u

/* ---- Growable tables ---------------------------------------------------------------------- */

/* A list of 32-bit identifiers (entry IDs, sink numbers). */
struct idlist {
    uint32_t *v;
    size_t len, cap;
};

/* A message's recipient table, as two parallel columns, so that the observation can hand both to
 * the host as they are. */
struct recipient_table {
    uint32_t count, cap;
    /* PR_RECIPIENT_TYPE, PR_ADDRTYPE, PR_DISPLAY_NAME, PR_EMAIL_ADDRESS, PR_ENTRYID. The strings
     * are the table's own copies: what the harness passes lives only during its call. */
    spoolcheck_recipient *rows;
    int8_t *responsibility; /* PR_RESPONSIBILITY: SPOOLCHECK_RESPONSIBILITY_* (ABSENT: no value) */
};

/* The properties the store keeps for a message, under their MAPI names. */
struct property_bag {
    uint32_t message_flags; /* PR_MESSAGE_FLAGS */
    uint32_t submit_flags;  /* PR_SUBMIT_FLAGS (FLAG-05, FLAG-06) */
    bool has_client_submit_time;
    uint64_t client_submit_time; /* PR_CLIENT_SUBMIT_TIME (a FILETIME) */
    uint32_t sentmail_entryid;   /* PR_SENTMAIL_ENTRYID: a folder, or SPOOLCHECK_FOLDER_NONE */
    bool delete_after_submit;    /* PR_DELETE_AFTER_SUBMIT */
    bool preprocess;             /* PR_PREPROCESS: reserved for MAPI (only profile system sets it) */
};

struct message {
    struct property_bag props;
    struct recipient_table recipients;
    bool saved;             /* a committed copy exists: survives a restart (SUBMIT-01) */
    bool needs_spooler;     /* ExpandRecips answered NEEDS_SPOOLER at the client's submission */
    bool handed_to_spooler; /* CompleteMsg handed it over; no longer a queue row (AMB-21) */
    bool submitter_dead;    /* the client's object SubmitMessage was called on is dead (SUBMIT-14) */
    /* Profile system: what MAPI's spooler remembers of its work on this submission, the
     * preprocessors that have run on it, in the order they ran. They get RemovePreprocessInfo
     * after the send, and a busy one and those after it are called when the spooler comes back. */
    struct idlist preprocessed;
};

/* The message table: slot i holds entry ID i + 1, NULL once that message is deleted. */
struct message_table {
    struct message **slots;
    size_t len, cap;
};

/* An item of a folder's contents table. */
struct folder_item {
    uint32_t msg;   /* the message, or for a copy its original */
    bool sent_copy; /* a copy made by sent-mail processing (not tracked further) */
};

struct folder_contents {
    struct folder_item *v;
    size_t len, cap;
};

/* Index 0 is unused so that a SPOOLCHECK_FOLDER_* code indexes it directly. */
struct folder_table {
    struct folder_contents folder[FOLDER_COUNT + 1];
};

/* What one session of the store remembers; a restart starts a new one. */
struct session {
    bool ready_to_send;           /* SpoolerNotify(NOTIFY_READYTOSEND) was sent (CAP-09) */
    struct idlist new_mail_sinks; /* store-wide fnevNewMail sinks (NNM-02) */
    bool has_logoff_flags;        /* StoreLogoff was called; its flags are kept for shutdown */
    uint32_t logoff_flags;        /* (PERSIST-04) */
};

/* A MAPIUID: the 16 bytes that name a transport to MAPI. */
struct mapiuid {
    uint8_t ab[16];
};

/* What a preprocessor was registered for: RegisterPreprocessor's lpMuid and lpszAdrType. */
enum filter_kind {
    FILTER_ADDR_TYPE, /* lpszAdrType given: recipients of this address type */
    FILTER_UID,       /* lpMuid given: recipients routed to the transport with this MAPIUID */
    FILTER_EVERYTHING /* both NULL: every message (AMB-37) */
};

/* Profile system: one row of MAPI's preprocessor table (PRE-08, S142). */
struct preprocessor {
    uint32_t number;    /* registration number, 1, 2, 3 ...: the spooler calls them in this order
                           (PRE-02) */
    uint32_t transport; /* the transport that registered it (SPOOLCHECK_ADDR_*) */
    enum filter_kind filter;
    uint32_t addr_type; /* FILTER_ADDR_TYPE: the address type */
    struct mapiuid uid; /* FILTER_UID: the MAPIUID */
};

/* Profile system: what MAPI's spooler knows. */
struct mapi_side {
    struct preprocessor *preprocessors;
    size_t preprocessor_count, preprocessor_cap;
    bool transport_down[TRANSPORT_COUNT + 1]; /* by SPOOLCHECK_ADDR_* */
    struct idlist handed_over; /* handed over by CompleteMsg, in order: served first */
};

struct store {
    spoolcheck_choices choices;
    struct message_table messages;
    struct folder_table folders;
    struct idlist queue; /* the outgoing queue table */
    struct idlist locks; /* the lock table */
    struct session session;
    uint32_t next_entry_id; /* the entry ID the next CreateMessage hands out */
    uint32_t next_sink;     /* the next Advise's connection number (counts across sessions) */
    struct mapi_side mapi;

    const spoolcheck_host *host; /* during apply() only */
    bool out_of_memory;          /* a table could not grow: apply() reports SPOOLCHECK_ERROR */
    char last_error[256];
};

/* ---- tables.c ----------------------------------------------------------------------------- */

void store_init(struct store *s);
void store_free(struct store *s);

bool idlist_push(struct store *s, struct idlist *l, uint32_t id);
bool idlist_contains(const struct idlist *l, uint32_t id);
bool idlist_remove(struct idlist *l, uint32_t id);
void idlist_free(struct idlist *l);

struct message *message_find(const struct store *s, uint32_t id);
uint32_t message_insert(struct store *s, struct message *m); /* 0 when out of memory */
void message_remove(struct store *s, uint32_t id);
struct message *message_new(struct store *s, const spoolcheck_new_message *create);
void message_free(struct message *m);
bool recipients_append(struct store *s, struct recipient_table *t, const spoolcheck_recipient *row,
                       int8_t responsibility);
void recipients_replace(struct recipient_table *t, struct recipient_table *with);
void recipients_free(struct recipient_table *t);
void set_bits(uint32_t *value, uint32_t bits, bool on);
bool is_submitted(const struct message *m);
bool awaits_preprocessing(const struct message *m);

void folder_add(struct store *s, uint32_t folder, uint32_t msg, bool sent_copy);
void folder_remove_message(struct store *s, uint32_t msg);
void folder_move_message(struct store *s, uint32_t msg, uint32_t to);
void folder_remove_item(struct store *s, uint32_t folder, struct folder_item item);

/* ---- store.c: bookkeeping shared by the MAPI methods --------------------------------------- */

bool plays_mapi(const struct store *s);
bool tc_handles(const struct store *s, uint32_t addr);
uint32_t support_call(struct store *s, spoolcheck_call *call, uint32_t *out_flags);
void queue_notification(struct store *s, uint32_t table_event, uint32_t id);
void enqueue(struct store *s, uint32_t id);
void dequeue(struct store *s, uint32_t id);
void row_modified(struct store *s, uint32_t id);
bool is_locked(const struct store *s, uint32_t id);
void lock_message(struct store *s, uint32_t id);
void unlock_message(struct store *s, uint32_t id);
void spooler_forget(struct store *s, uint32_t id);
void clear_submission(struct store *s, uint32_t id);
void dispose(struct store *s, uint32_t id, uint32_t sentmail, bool delete_it);
void delete_after_submit(struct store *s, uint32_t id);
void delete_message(struct store *s, uint32_t id);
struct message *resolve_entry_id(const struct store *s, uint32_t id);
uint32_t unknown_entry_id(const struct store *s, uint32_t id);

/* ---- The MAPI methods ------------------------------------------------------------------------ */

/* session.c */
void create_message(struct store *s, const spoolcheck_new_message *create, spoolcheck_ret *ret);
void advise_new_mail(struct store *s, spoolcheck_ret *ret);
void support_mask(struct store *s, spoolcheck_ret *ret);
uint32_t store_logoff(struct store *s, uint32_t flags);
uint32_t restart(struct store *s);

/* submit.c */
uint32_t submit_message(struct store *s, uint32_t caller, uint32_t id, uint32_t flags,
                        const spoolcheck_script *script);

/* client.c */
uint32_t abort_submit(struct store *s, uint32_t caller, uint32_t id);
void open_entry(struct store *s, uint32_t caller, uint32_t id, uint32_t access, uint32_t path,
                spoolcheck_ret *ret);
uint32_t write_message(struct store *s, uint32_t caller, uint32_t id, uint32_t via);
uint32_t set_read_flag(struct store *s, uint32_t caller, uint32_t id);
uint32_t delete_messages(struct store *s, uint32_t caller, uint32_t id);
uint32_t empty_folder(struct store *s, uint32_t caller, uint32_t folder);

/* spooler.c */
uint32_t set_lock_state(struct store *s, uint32_t caller, uint32_t id, bool lock);
void get_outgoing_queue(struct store *s, uint32_t caller, spoolcheck_ret *ret);
uint32_t mark_responsibility(struct store *s, uint32_t caller, uint32_t id, uint32_t row);
uint32_t finished_msg(struct store *s, uint32_t caller, uint32_t id);
void finish_message(struct store *s, uint32_t id);
uint32_t notify_new_mail(struct store *s, uint32_t caller, uint32_t id);

/* What ExpandRecips leaves: its NEEDS_PREPROCESSING / NEEDS_SPOOLER answer, PR_PREPROCESS (profile
 * system), and, when MAPI rewrote the recipient table, the table it left. */
struct expansion {
    uint32_t flags;
    bool preprocess;
    bool rewritten;
    struct recipient_table table;
};

/* system.c */
uint32_t register_preprocessor(struct store *s, uint32_t addr, uint32_t scope);
uint32_t set_transport_available(struct store *s, uint32_t addr, bool available);
void mapi_expand_recips(struct store *s, const struct message *m, const spoolcheck_script *script,
                        struct expansion *out);
uint32_t run_spooler(struct store *s);

/* ---- Return values ------------------------------------------------------------------------ */

static inline void ret_hr(spoolcheck_ret *ret, uint32_t hr)
{
    ret->hr = hr;
    ret->data_kind = SPOOLCHECK_DATA_NONE;
    ret->value = 0;
}

static inline void ret_ok(spoolcheck_ret *ret, uint32_t data_kind, uint32_t value)
{
    ret->hr = SPOOLCHECK_S_OK;
    ret->data_kind = data_kind;
    ret->value = value;
}

#endif /* SPOOLCHECK_EXAMPLE_STORE_H */
