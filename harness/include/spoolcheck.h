/*
 * spoolcheck.h: the C ABI of the spoolcheck provider contract, version 2.
 *
 * A shared library under test exports one function, spoolcheck_provider_v2(), which returns a
 * table of functions. The harness (spoolcheck run --cabi PATH) loads the library, creates one
 * instance, and drives it: reset with declared choices, apply one operation at a time, observe.
 *
 * While it applies an operation, the implementation makes its calls to MAPI's support object (and,
 * in profile "system", to the transports) and raises its notifications through the host table the
 * harness passes in. The host answers each call (MAPI is scripted: see spoolcheck_script).
 *
 * Identifiers: the harness names messages 1, 2, 3 ... in creation order since the last reset, and
 * new-mail sinks 1, 2, 3 ... in Advise order since the last reset. An operation may name 0, or a
 * number not given out yet: that is an entry ID the store never gave out. What the implementation
 * reports (results, calls, observations) never names 0.
 * HRESULTs are their 32-bit values (S_OK = 0, MAPI_E_SUBMITTED = 0x80040608 ...).
 *
 * Every numeric code below is stable within version 2; new codes are only added. An
 * implementation that meets a code it does not know returns SPOOLCHECK_UNSUPPORTED.
 *
 * Version 2 (from version 1): recipient rows are whole rows (recipient type, address type, display
 * name, address, entry ID) instead of address types; SubmitMessage's script carries the table
 * MAPI's ExpandRecips leaves and the address book; RunSpooler carries what the transports and
 * preprocessors answer; observations report each message's recipient rows. A version 1 library
 * exports spoolcheck_provider_v1 and is refused with a message saying so.
 *
 * Threads: instances are independent; the harness may create several and use them at once, each
 * from one thread at a time (so keep no mutable global state). create, the calls on an instance
 * and destroy may come from different threads. Host callbacks are called synchronously, from the
 * thread of the call in progress, never after it returns. Nothing may unwind or throw across this
 * interface, in either direction. Pointers the harness passes are valid only during the call;
 * the implementation copies what it keeps. Pointers the implementation passes to host callbacks
 * are read during the callback only. Strings are NUL-terminated; `name` lives as long as the
 * library is loaded.
 *
 * A declared choice the implementation does not support: reset returns SPOOLCHECK_UNSUPPORTED and
 * the run stops before it starts, naming it (declare the choices you do support). An operation it
 * does not support: apply returns SPOOLCHECK_UNSUPPORTED, the harness stops asking for that kind
 * and reports its rules as unsupported, and the run is not conformant.
 *
 * A library that crashes takes an in-process harness with it, and one that hangs leaves a thread
 * spinning until the harness exits: run it with --isolate to have either reported instead.
 *
 * The same contract over gRPC is harness/proto/spoolcheck/v2/provider.proto.
 */
#ifndef SPOOLCHECK_H
#define SPOOLCHECK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SPOOLCHECK_ABI_VERSION 2u

/* Status of a table function: whether the call could be carried out at all. A wrong answer is
 * not an error: it is SPOOLCHECK_OK with a result that the harness judges. */
#define SPOOLCHECK_OK 0
/* The implementation does not implement this (an operation kind, a declared choice): see above. */
#define SPOOLCHECK_UNSUPPORTED 1
/* Anything else. last_error() says what; the run ends. */
#define SPOOLCHECK_ERROR 2

/* ---- Shared vocabulary ------------------------------------------------------------------- */

#define SPOOLCHECK_ROLE_CLIENT 1u  /* a client application's session */
#define SPOOLCHECK_ROLE_SPOOLER 2u /* the store object of IMSProvider::SpoolerLogon */

#define SPOOLCHECK_FOLDER_NONE 0u /* only where a folder is optional */
#define SPOOLCHECK_FOLDER_INBOX 1u
#define SPOOLCHECK_FOLDER_OUTBOX 2u
#define SPOOLCHECK_FOLDER_DRAFTS 3u
#define SPOOLCHECK_FOLDER_SENT_ITEMS 4u
#define SPOOLCHECK_FOLDER_DELETED_ITEMS 5u

#define SPOOLCHECK_ADDR_SMTP 1u
#define SPOOLCHECK_ADDR_FAX 2u
#define SPOOLCHECK_ADDR_X400 3u
#define SPOOLCHECK_ADDR_MAPIPDL 4u /* a personal distribution list: no transport handles it */

/* ---- MAPI's values that cross this interface (mapicode.h, mapidefs.h, mapispi.h) --------- */

#define SPOOLCHECK_S_OK 0x00000000u
#define SPOOLCHECK_MAPI_W_PARTIAL_COMPLETION 0x00040680u
#define SPOOLCHECK_MAPI_E_CALL_FAILED 0x80004005u
#define SPOOLCHECK_MAPI_E_NO_ACCESS 0x80070005u
#define SPOOLCHECK_MAPI_E_INVALID_PARAMETER 0x80070057u
#define SPOOLCHECK_MAPI_E_NO_SUPPORT 0x80040102u
#define SPOOLCHECK_MAPI_E_UNKNOWN_FLAGS 0x80040106u
#define SPOOLCHECK_MAPI_E_INVALID_ENTRYID 0x80040107u
#define SPOOLCHECK_MAPI_E_NOT_FOUND 0x8004010Fu
#define SPOOLCHECK_MAPI_E_UNABLE_TO_ABORT 0x80040114u
#define SPOOLCHECK_MAPI_E_NETWORK_ERROR 0x80040115u
#define SPOOLCHECK_MAPI_E_CORRUPT_DATA 0x8004011Bu
#define SPOOLCHECK_MAPI_E_CORRUPT_STORE 0x80040600u
#define SPOOLCHECK_MAPI_E_NOT_IN_QUEUE 0x80040601u
#define SPOOLCHECK_MAPI_E_NON_STANDARD 0x80040606u
#define SPOOLCHECK_MAPI_E_NO_RECIPIENTS 0x80040607u
#define SPOOLCHECK_MAPI_E_SUBMITTED 0x80040608u
#define SPOOLCHECK_MAPI_E_BUSY 0x8004010Bu
#define SPOOLCHECK_MAPI_E_WAIT 0x80040500u

/* PR_MESSAGE_FLAGS bits; the harness compares READ, SUBMIT, UNSENT and RESEND only. */
#define SPOOLCHECK_MSGFLAG_READ 0x00000001u
#define SPOOLCHECK_MSGFLAG_UNMODIFIED 0x00000002u
#define SPOOLCHECK_MSGFLAG_SUBMIT 0x00000004u
#define SPOOLCHECK_MSGFLAG_UNSENT 0x00000008u
#define SPOOLCHECK_MSGFLAG_RESEND 0x00000080u
/* PR_SUBMIT_FLAGS bits. */
#define SPOOLCHECK_SUBMITFLAG_LOCKED 0x00000001u
#define SPOOLCHECK_SUBMITFLAG_PREPROCESS 0x00000002u
/* ExpandRecips output flags. */
#define SPOOLCHECK_NEEDS_PREPROCESSING 0x00000001u
#define SPOOLCHECK_NEEDS_SPOOLER 0x00000002u
/* SubmitMessage flag, SpoolerNotify flag. */
#define SPOOLCHECK_FORCE_SUBMIT 0x00000001u
#define SPOOLCHECK_NOTIFY_READYTOSEND 0x00000002u
/* PR_STORE_SUPPORT_MASK bits. */
#define SPOOLCHECK_STORE_MODIFY_OK 0x00000008u
#define SPOOLCHECK_STORE_CREATE_OK 0x00000010u
#define SPOOLCHECK_STORE_SUBMIT_OK 0x00000080u
/* StoreLogoff flags; LOGOFF_ABORT is what a store forwards when StoreLogoff was never called. */
#define SPOOLCHECK_LOGOFF_NO_WAIT 0x00000001u
#define SPOOLCHECK_LOGOFF_ORDERLY 0x00000002u
#define SPOOLCHECK_LOGOFF_PURGE 0x00000004u
#define SPOOLCHECK_LOGOFF_ABORT 0x00000008u

/* ---- Declared choices (spoolcheck's choices.toml; `spoolcheck choices` explains each) ------ */

#define SPOOLCHECK_PROFILE_PROVIDER 1u /* the harness plays MAPI, the spooler and the transports */
#define SPOOLCHECK_PROFILE_SYSTEM 2u   /* the implementation also plays MAPI and the spooler */

#define SPOOLCHECK_PREPARE_ALWAYS 1u      /* PrepareSubmit on every client submission */
#define SPOOLCHECK_PREPARE_RESEND_ONLY 2u /* only for messages with MSGFLAG_RESEND */

#define SPOOLCHECK_LOCK_DROPPED 1u
#define SPOOLCHECK_LOCK_KEPT 2u
#define SPOOLCHECK_LOCK_EITHER 3u

#define SPOOLCHECK_COMPLETION_COMPLETE_MSG 1u /* call IMAPISupport::CompleteMsg */
#define SPOOLCHECK_COMPLETION_LOCAL 2u        /* sent-mail disposition, delete, unlock itself */

#define SPOOLCHECK_DISPOSITION_BY_STORE 1u
#define SPOOLCHECK_DISPOSITION_BY_DO_SENT_MAIL 2u

#define SPOOLCHECK_DELETE_HARD 1u
#define SPOOLCHECK_DELETE_TO_DELETED_ITEMS 2u

#define SPOOLCHECK_SENTMAIL_MOVE 1u
#define SPOOLCHECK_SENTMAIL_COPY 2u

typedef struct spoolcheck_choices {
    uint32_t profile;              /* SPOOLCHECK_PROFILE_* */
    uint32_t submission;           /* 1: supports outgoing submission (STORE_SUBMIT_OK) */
    uint32_t prepare_submit;       /* SPOOLCHECK_PREPARE_* */
    uint32_t enforce_spooler_only; /* 1: spooler-only methods refuse clients (MAPI_E_NO_SUPPORT) */
    uint32_t lock_after_restart;   /* SPOOLCHECK_LOCK_* */
    uint32_t tight_coupling;       /* 1: tightly coupled with a transport; then: */
    uint32_t tc_handles;           /*   bit (1 << SPOOLCHECK_ADDR_*) per address type it handles */
    uint32_t tc_completion;        /*   SPOOLCHECK_COMPLETION_* */
    uint32_t disposition_by;       /* SPOOLCHECK_DISPOSITION_BY_* */
    uint32_t delete_means;         /* SPOOLCHECK_DELETE_* */
    uint32_t sentmail;             /* SPOOLCHECK_SENTMAIL_* */
} spoolcheck_choices;

/* ---- Operations (each names the rule IDs it checks; `spoolcheck explain RULE`) ------------- */

/* Operations 18 to 20 belong to profile "system"; in profile "provider" the harness never sends
 * them. Recipient rows are numbered from 0 and stay below 256. */

#define SPOOLCHECK_OP_CREATE_MESSAGE 1u        /* ret data: CREATED */
#define SPOOLCHECK_OP_SUBMIT_MESSAGE 2u        /* caller, msg, flags, script */
#define SPOOLCHECK_OP_ABORT_SUBMIT 3u          /* caller, msg */
#define SPOOLCHECK_OP_OPEN_ENTRY 4u            /* caller, msg, access, path; ret data: OPENED */
#define SPOOLCHECK_OP_WRITE_MESSAGE 5u         /* caller, msg, via */
#define SPOOLCHECK_OP_SET_LOCK_STATE 6u        /* caller, msg, lock */
#define SPOOLCHECK_OP_GET_OUTGOING_QUEUE 7u    /* caller; ret data: QUEUE (rows via host) */
#define SPOOLCHECK_OP_MARK_RESPONSIBILITY 8u   /* caller, msg, recipient */
#define SPOOLCHECK_OP_FINISHED_MSG 9u          /* caller, msg */
#define SPOOLCHECK_OP_ADVISE_NEW_MAIL 10u      /* ret data: SINK */
#define SPOOLCHECK_OP_NOTIFY_NEW_MAIL 11u      /* caller, msg */
#define SPOOLCHECK_OP_SET_READ_FLAG 12u        /* caller, msg */
#define SPOOLCHECK_OP_DELETE_MESSAGE 13u       /* caller, msg */
#define SPOOLCHECK_OP_EMPTY_FOLDER 14u         /* caller, folder */
#define SPOOLCHECK_OP_GET_SUPPORT_MASK 15u     /* ret data: SUPPORT_MASK */
#define SPOOLCHECK_OP_STORE_LOGOFF 16u         /* flags */
#define SPOOLCHECK_OP_RESTART 17u              /* shut down and start again: a new session */
#define SPOOLCHECK_OP_REGISTER_PREPROCESSOR 18u /* profile system: addr (the transport), scope */
#define SPOOLCHECK_OP_SET_TRANSPORT_AVAILABLE 19u /* profile system: addr, available */
#define SPOOLCHECK_OP_RUN_SPOOLER 20u           /* profile system: spooler */

#define SPOOLCHECK_ACCESS_DEFAULT 1u /* no access flag: read-only */
#define SPOOLCHECK_ACCESS_MODIFY 2u  /* MAPI_MODIFY */
#define SPOOLCHECK_ACCESS_BEST 3u    /* MAPI_BEST_ACCESS */

#define SPOOLCHECK_PATH_STORE 1u  /* IMsgStore::OpenEntry */
#define SPOOLCHECK_PATH_FOLDER 2u /* IMAPIFolder::OpenEntry on the message's folder */

#define SPOOLCHECK_VIA_SUBMITTER 1u /* the object SubmitMessage was called on */
#define SPOOLCHECK_VIA_REOPENED 2u  /* an object opened afresh with MAPI_BEST_ACCESS */

#define SPOOLCHECK_SCOPE_ADDRESS_TYPE 1u /* RegisterPreprocessor for the transport's address type */
#define SPOOLCHECK_SCOPE_MAPIUID 2u      /* by the transport's MAPIUID */
#define SPOOLCHECK_SCOPE_ALL_MESSAGES 3u /* NULL, NULL: every message */

/* ---- Recipients and the address book ---------------------------------------------------- */

#define SPOOLCHECK_RECIP_TO 1u  /* MAPI_TO */
#define SPOOLCHECK_RECIP_CC 2u  /* MAPI_CC */
#define SPOOLCHECK_RECIP_BCC 3u /* MAPI_BCC */

#define SPOOLCHECK_ENTRY_UNRESOLVED 1u /* no PR_ENTRYID: an address the client typed */
#define SPOOLCHECK_ENTRY_ONE_OFF 2u    /* a one-off entry ID, made when a typed address is resolved */
#define SPOOLCHECK_ENTRY_PERSON 3u     /* an address-book person; id is its number */
#define SPOOLCHECK_ENTRY_LIST 4u       /* an address-book personal distribution list; id is its number */

/* PR_ENTRYID of a recipient row or of an address-book entry, as the harness names them. */
typedef struct spoolcheck_entry {
    uint32_t kind; /* SPOOLCHECK_ENTRY_* */
    uint32_t id;   /* PERSON and LIST: the entry's number, from 1; otherwise 0 */
} spoolcheck_entry;

/* One recipient row's properties. PR_RESPONSIBILITY travels beside it. Strings are UTF-8. */
typedef struct spoolcheck_recipient {
    uint32_t recip_type;    /* PR_RECIPIENT_TYPE: SPOOLCHECK_RECIP_* */
    uint32_t addr;          /* PR_ADDRTYPE: SPOOLCHECK_ADDR_* */
    const char *name;       /* PR_DISPLAY_NAME */
    const char *email;      /* PR_EMAIL_ADDRESS (empty for a list) */
    spoolcheck_entry entry; /* PR_ENTRYID */
} spoolcheck_recipient;

/* One entry of the harness's address book. */
typedef struct spoolcheck_book_entry {
    spoolcheck_entry entry;           /* PERSON or LIST */
    const char *name;                 /* its original display name */
    uint32_t addr;                    /* SPOOLCHECK_ADDR_* (MAPIPDL for a list) */
    const char *email;                /* its address (empty for a list) */
    uint32_t member_count;            /* a list's members, in order; 0 for a person */
    const spoolcheck_entry *members;
} spoolcheck_book_entry;

/* What MAPI answers while the store runs one SubmitMessage. The host's call() answers from it:
 * PrepareSubmit returns `prepare`; ExpandRecips returns `expand` and, when that succeeds, sets the
 * output flags to `expand_flags`; every other call returns S_OK.
 *
 * Profile "provider": when ExpandRecips succeeds and `has_expanded` is 1, MAPI has rewritten the
 * message's recipient table (as through its ModifyRecipients): the store puts `expanded` in place
 * of the message's rows, PR_RESPONSIBILITY FALSE on each, and keeps them (SUBMIT-01).
 * Profile "system": the store is MAPI, and its own ExpandRecips expands the table (EXP-04..08),
 * looking entries up in `book`: the address-book entries the message's rows name, lists' members
 * included. */
typedef struct spoolcheck_script {
    uint64_t now;          /* FILETIME to stamp into PR_CLIENT_SUBMIT_TIME */
    uint32_t prepare;      /* HRESULT of IMAPISupport::PrepareSubmit */
    uint32_t expand;       /* HRESULT of IMAPISupport::ExpandRecips */
    uint32_t expand_flags; /* NEEDS_PREPROCESSING 0x1, NEEDS_SPOOLER 0x2 */
    uint32_t has_expanded; /* 1: ExpandRecips leaves `expanded`; 0: it leaves the table alone */
    uint32_t expanded_count;
    const spoolcheck_recipient *expanded;
    uint32_t book_count;
    const spoolcheck_book_entry *book;
} spoolcheck_script;

/* What the harness's transports and preprocessors answer during one RunSpooler (profile
 * "system"); every other call answers S_OK. */
typedef struct spoolcheck_spooler_script {
    uint32_t busy_preprocessor; /* registration number of the preprocessor that answers
                                 * MAPI_E_BUSY (still running), or 0 */
    uint32_t waiting_transport; /* SPOOLCHECK_ADDR_* of the transport that answers MAPI_E_WAIT
                                 * (a temporary problem), or 0 */
} spoolcheck_spooler_script;

typedef struct spoolcheck_new_message {
    uint32_t folder;              /* SPOOLCHECK_FOLDER_* */
    uint32_t recipient_count;
    const spoolcheck_recipient *recipients; /* the rows ModifyRecipients writes, in order */
    uint32_t sentmail;            /* PR_SENTMAIL_ENTRYID: a folder, or SPOOLCHECK_FOLDER_NONE */
    uint32_t delete_after_submit; /* PR_DELETE_AFTER_SUBMIT */
    uint32_t unsent;              /* the client sets MSGFLAG_UNSENT itself */
    uint32_t resend;              /* MSGFLAG_RESEND */
    uint32_t saved;               /* SaveChanges before anything else */
} spoolcheck_new_message;

/* One operation. `kind` says which fields mean something; the others are 0, except `caller`, which
 * always names the role making the call (the client for CreateMessage, the spooler for
 * RunSpooler). */
typedef struct spoolcheck_op {
    uint32_t kind;      /* SPOOLCHECK_OP_* */
    uint32_t caller;    /* SPOOLCHECK_ROLE_* */
    uint32_t msg;       /* the message */
    uint32_t flags;     /* SubmitMessage ulFlags (FORCE_SUBMIT 0x1); StoreLogoff flags */
    uint32_t access;    /* SPOOLCHECK_ACCESS_* */
    uint32_t path;      /* SPOOLCHECK_PATH_* */
    uint32_t via;       /* SPOOLCHECK_VIA_* */
    uint32_t lock;      /* 1: MSG_LOCKED, 0: MSG_UNLOCKED */
    uint32_t recipient; /* recipient row, from 0 */
    uint32_t folder;    /* SPOOLCHECK_FOLDER_* */
    uint32_t addr;      /* SPOOLCHECK_ADDR_*: the transport */
    uint32_t available; /* 1: available */
    uint32_t scope;     /* SPOOLCHECK_SCOPE_* */
    spoolcheck_new_message create;
    spoolcheck_script script;          /* SUBMIT_MESSAGE */
    spoolcheck_spooler_script spooler; /* RUN_SPOOLER */
} spoolcheck_op;

/* ---- Results ------------------------------------------------------------------------------ */

#define SPOOLCHECK_DATA_NONE 0u
#define SPOOLCHECK_DATA_CREATED 1u      /* value: the new message's number */
#define SPOOLCHECK_DATA_OPENED 2u       /* value: PR_ACCESS_LEVEL, 0 read-only, 1 modify */
#define SPOOLCHECK_DATA_QUEUE 3u        /* the rows went to host->queue_row */
#define SPOOLCHECK_DATA_SINK 4u         /* value: the sink's connection number */
#define SPOOLCHECK_DATA_SUPPORT_MASK 5u /* value: PR_STORE_SUPPORT_MASK */

typedef struct spoolcheck_ret {
    uint32_t hr;        /* the HRESULT */
    uint32_t data_kind; /* SPOOLCHECK_DATA_*; NONE on failure */
    uint32_t value;
} spoolcheck_ret;

/* One row of the outgoing queue table. A column the table lacks has its has_ field 0. */
typedef struct spoolcheck_queue_row {
    uint32_t msg;
    uint32_t has_submit_flags;
    uint32_t submit_flags;
    uint32_t has_message_flags;
    uint32_t message_flags;
    uint32_t has_client_submit_time;
    uint64_t client_submit_time;
} spoolcheck_queue_row;

/* ---- Calls the implementation makes, and its notifications -------------------------------- */

#define SPOOLCHECK_CALL_SPOOLER_NOTIFY 1u          /* flags */
#define SPOOLCHECK_CALL_PREPARE_SUBMIT 2u          /* msg, flags (*lpulFlags on input) */
#define SPOOLCHECK_CALL_EXPAND_RECIPS 3u           /* msg */
#define SPOOLCHECK_CALL_COMPLETE_MSG 4u            /* msg, flags */
#define SPOOLCHECK_CALL_DO_SENT_MAIL 5u            /* msg, flags */
#define SPOOLCHECK_CALL_STORE_LOGOFF_TRANSPORTS 6u /* flags */
#define SPOOLCHECK_CALL_PREPROCESS 7u              /* profile system: preprocessor, msg, locked */
#define SPOOLCHECK_CALL_TRANSPORT_SEND 8u          /* profile system: transport, msg, recipients, locked */
#define SPOOLCHECK_CALL_REMOVE_PREPROCESS_INFO 9u  /* profile system: preprocessor, msg */

typedef struct spoolcheck_call {
    uint32_t kind;         /* SPOOLCHECK_CALL_* */
    uint32_t msg;
    uint32_t flags;
    uint32_t preprocessor; /* registration number: 1, 2, 3 ... in RegisterPreprocessor order */
    uint32_t transport;    /* SPOOLCHECK_ADDR_* */
    uint32_t locked;       /* 1: the message was locked at the call */
    uint32_t recipient_count;
    const uint32_t *recipients; /* recipient rows, from 0 */
} spoolcheck_call;

#define SPOOLCHECK_NOTIFY_QUEUE_TABLE 1u /* fnevTableModified on the outgoing queue table */
#define SPOOLCHECK_NOTIFY_NEW_MAIL 2u    /* fnevNewMail to a store-wide sink */

#define SPOOLCHECK_TABLE_CHANGED 1u
#define SPOOLCHECK_TABLE_ROW_ADDED 3u
#define SPOOLCHECK_TABLE_ROW_DELETED 4u
#define SPOOLCHECK_TABLE_ROW_MODIFIED 5u

typedef struct spoolcheck_notification {
    uint32_t kind;        /* SPOOLCHECK_NOTIFY_* */
    uint32_t table_event; /* QUEUE_TABLE: SPOOLCHECK_TABLE_* */
    uint32_t msg;         /* the row's or the new mail's message; 0 for TABLE_CHANGED */
    uint32_t sink;        /* NEW_MAIL: the sink's connection number */
} spoolcheck_notification;

/* ---- Observation: the store as it is, without MAPI's access rules ------------------------- */

#define SPOOLCHECK_RESPONSIBILITY_ABSENT (-1)
#define SPOOLCHECK_RESPONSIBILITY_FALSE 0
#define SPOOLCHECK_RESPONSIBILITY_TRUE 1

typedef struct spoolcheck_message_view {
    uint32_t msg;
    uint32_t message_flags; /* PR_MESSAGE_FLAGS (READ, SUBMIT, UNSENT, RESEND are compared) */
    uint32_t submit_flags;  /* PR_SUBMIT_FLAGS, 0 when absent */
    uint32_t has_client_submit_time;
    uint64_t client_submit_time;
    uint32_t recipient_count;
    const spoolcheck_recipient *recipients; /* the recipient table, in row order */
    const int8_t *responsibility; /* SPOOLCHECK_RESPONSIBILITY_* per recipient row */
} spoolcheck_message_view;

/* ---- The host: what the harness offers the implementation --------------------------------- */

typedef struct spoolcheck_host {
    void *ctx; /* pass back as the first argument of every callback */

    /* A call to MAPI's support object or a transport. Returns MAPI's HRESULT; for ExpandRecips
     * also writes the output flags to *out_flags (which may be NULL for other calls). */
    uint32_t (*call)(void *ctx, const spoolcheck_call *call, uint32_t *out_flags);
    /* A notification. */
    void (*notify)(void *ctx, const spoolcheck_notification *notification);
    /* GetOutgoingQueue: one row of the result, in the table's default order. */
    void (*queue_row)(void *ctx, const spoolcheck_queue_row *row);

    /* observe(): every live message, each folder item (a sent-mail copy shows as its original's
     * number), the outgoing queue's rows in order. */
    void (*message)(void *ctx, const spoolcheck_message_view *view);
    void (*folder_item)(void *ctx, uint32_t folder, uint32_t msg);
    void (*queue_item)(void *ctx, uint32_t msg);
} spoolcheck_host;

/* ---- The function table the library exports --------------------------------------------- */

typedef struct spoolcheck_provider {
    uint32_t abi_version; /* SPOOLCHECK_ABI_VERSION */
    const char *name;     /* for reports */

    /* A new, empty instance, or NULL if none can be made. */
    void *(*create)(void);
    void (*destroy)(void *self);
    /* Empty the store and start over with these choices; message and sink numbers restart at 1. */
    int32_t (*reset)(void *self, const spoolcheck_choices *choices);
    /* Apply one operation, making calls and notifications through host, and fill *ret. */
    int32_t (*apply)(void *self, const spoolcheck_op *op, const spoolcheck_host *host,
                     spoolcheck_ret *ret);
    /* Report the store through host->message, host->folder_item and host->queue_item. */
    int32_t (*observe)(void *self, const spoolcheck_host *host);
    /* What went wrong in the last call that returned SPOOLCHECK_ERROR or UNSUPPORTED (may be
     * NULL). The string must stay valid until the next call on the instance; the harness copies it
     * at once. */
    const char *(*last_error)(void *self);
} spoolcheck_provider;

/* The symbol every library exports. */
typedef const spoolcheck_provider *(*spoolcheck_provider_fn)(void);
#define SPOOLCHECK_ENTRY_POINT "spoolcheck_provider_v2"
const spoolcheck_provider *spoolcheck_provider_v2(void);

/* Optional, for a library that needs a configuration text to make an instance: the MAPI bridge
 * (harness/mapi-bridge), to which `spoolcheck run --mapi-provider PATH [--provider-config FILE]`
 * passes the provider's path and settings. The harness then makes every instance with it instead
 * of `create`. It returns NULL, with a NUL-terminated reason of at most error_size bytes written
 * to `error`, when it cannot make one. A library loaded with --cabi need not export it. */
typedef void *(*spoolcheck_create_configured_fn)(const char *config, char *error,
                                                 size_t error_size);
#define SPOOLCHECK_CREATE_CONFIGURED "spoolcheck_create_configured_v2"
void *spoolcheck_create_configured_v2(const char *config, char *error, size_t error_size);

#ifdef __cplusplus
}
#endif

#endif /* SPOOLCHECK_H */
