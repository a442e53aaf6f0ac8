/*
 * example.h: an in-memory MAPI message store provider that supports sending, behind the entry
 * point MSProviderInit and the real interfaces (IMSProvider, IMSLogon, IMsgStore, IMAPIFolder,
 * IMessage, IMAPITable). It reaches MAPI only through the IMAPISupport object of each logon and
 * the allocators MSProviderInit was given, as a real provider does.
 *
 * The behaviour is that of spoolcheck's reference provider (harness/src/reference/) and of the C
 * example (examples/c-provider/); comments cite the rule IDs of specs/rules.toml. Where the
 * documentation leaves a choice, the provider reads it from its profile section (properties
 * 0x6600.. below), so one build can be configured to make each choice.
 */
#ifndef SPOOLCHECK_MAPI_EXAMPLE_H
#define SPOOLCHECK_MAPI_EXAMPLE_H

#include <mapicode.h>
#include <mapidefs.h>
#include <mapiguid.h>
#include <mapispi.h>
#include <mapitags.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace example
{

/* ---- The provider's private profile properties (0x6600-0x67FF are the provider's own) -------- */

#define PR_EXAMPLE_STORE PROP_TAG(PT_STRING8, 0x6600)          /* which in-memory store */
#define PR_EXAMPLE_SUBMISSION PROP_TAG(PT_BOOLEAN, 0x6601)     /* supports sending */
#define PR_EXAMPLE_PREPARE_SUBMIT PROP_TAG(PT_STRING8, 0x6602) /* always | resend-only */
#define PR_EXAMPLE_SPOOLER_ONLY                                                                    \
    PROP_TAG(PT_BOOLEAN, 0x6603)                        /* refuse clients the spooler's calls */
#define PR_EXAMPLE_LOCKS PROP_TAG(PT_STRING8, 0x6604)   /* dropped | kept | either */
#define PR_EXAMPLE_COUPLED PROP_TAG(PT_STRING8, 0x6605) /* address types of the coupled transport  \
                                                         */
#define PR_EXAMPLE_COMPLETION PROP_TAG(PT_STRING8, 0x6606)  /* complete-msg | local */
#define PR_EXAMPLE_DISPOSITION PROP_TAG(PT_STRING8, 0x6607) /* store | do-sent-mail */
#define PR_EXAMPLE_DELETE PROP_TAG(PT_STRING8, 0x6608)   /* hard-delete | move-to-deleted-items */
#define PR_EXAMPLE_SENTMAIL PROP_TAG(PT_STRING8, 0x6609) /* move | copy */

/* What the profile section says. */
struct Settings {
    std::string store;
    bool submission = true;
    bool prepare_resend_only = false;
    bool spooler_only = true;
    bool locks_kept = false;          /* "either" drops them, as the reference does */
    std::vector<std::string> coupled; /* empty: not tightly coupled */
    bool complete_msg = true;
    bool disposition_by_do_sent_mail = false;
    bool delete_to_deleted_items = false;
    bool sentmail_copy = false;
};

/* ---- MAPI's allocators, as MSProviderInit gave them ----------------------------------------- */

struct Allocators {
    LPALLOCATEBUFFER allocate = nullptr;
    LPALLOCATEMORE more = nullptr;
    LPFREEBUFFER free = nullptr;
};

/* A property value the store keeps, in C++ terms; to_mapi() makes MAPI memory of it. */
struct Value {
    ULONG tag = PR_NULL;
    ULONG ul = 0;            /* PT_LONG, PT_BOOLEAN, PT_ERROR (the SCODE) */
    uint64_t time = 0;       /* PT_SYSTIME (a FILETIME) */
    std::string text;        /* PT_STRING8 */
    std::vector<BYTE> bytes; /* PT_BINARY */
};
Value long_value(ULONG tag, ULONG v);
Value bool_value(ULONG tag, bool v);
Value time_value(ULONG tag, uint64_t v);
Value text_value(ULONG tag, const std::string &v);
Value binary_value(ULONG tag, const std::vector<BYTE> &v);
Value error_value(ULONG tag, SCODE sc);

/* Writes `values` into `out[i]`, string and binary data allocated with MAPIAllocateMore on
 * `parent`. */
HRESULT fill_props(const Allocators &a, const std::vector<Value> &values, LPSPropValue out,
                   void *parent);
/* A new MAPI buffer of `values` (the caller frees it with MAPIFreeBuffer). */
HRESULT to_mapi(const Allocators &a, const std::vector<Value> &values, ULONG *count,
                LPSPropValue *props);
/* Answers GetProps for `tags` (NULL: every value) from `have`: a missing tag is PT_ERROR with
 * MAPI_E_NOT_FOUND and the call returns MAPI_W_ERRORS_RETURNED. */
HRESULT get_props(const Allocators &a, const std::vector<Value> &have, LPSPropTagArray tags,
                  ULONG *count, LPSPropValue *props);
const SPropValue *find_prop(ULONG count, const SPropValue *props, ULONG tag);

/* ---- Entry IDs ------------------------------------------------------------------------------- */

/* ENTRYID: 4 flag bytes, the store's MAPIUID, a kind and a number. */
enum class Kind : uint32_t { Root = 1, Folder = 2, Message = 3, Copy = 4 };
using Bytes = std::vector<BYTE>;
Bytes make_entry_id(const MAPIUID &store, Kind kind, uint32_t number);
bool parse_entry_id(const MAPIUID &store, ULONG cb, const BYTE *eid, Kind *kind, uint32_t *number);

/* ---- The store's data --------------------------------------------------------------------- */

enum Folder : uint32_t { INBOX = 1, OUTBOX, DRAFTS, SENT_ITEMS, DELETED_ITEMS, FOLDER_COUNT = 5 };
extern const char *const FOLDER_NAMES[FOLDER_COUNT + 1];

struct Recipient {
    ULONG row_id = 0;
    std::vector<Value> props; /* as ModifyRecipients gave them: PR_ADDRTYPE, PR_ENTRYID ... */
    int responsibility = -1;  /* PR_RESPONSIBILITY: -1 no value, 0 FALSE, 1 TRUE */
    std::string addr_type() const;
};

struct Message {
    uint32_t id = 0;
    uint32_t folder = 0;
    std::string subject, message_class;
    ULONG message_flags = 0; /* PR_MESSAGE_FLAGS */
    ULONG submit_flags = 0;  /* PR_SUBMIT_FLAGS (FLAG-05, FLAG-06) */
    bool has_submit_time = false;
    uint64_t submit_time = 0; /* PR_CLIENT_SUBMIT_TIME */
    uint32_t sentmail = 0;    /* PR_SENTMAIL_ENTRYID as a folder, 0 for none */
    bool delete_after_submit = false;
    std::vector<Recipient> recipients;
    ULONG next_row_id = 0;
    bool saved = false;             /* committed: survives a restart (SUBMIT-01) */
    bool needs_spooler = false;     /* ExpandRecips answered NEEDS_SPOOLER */
    bool handed_to_spooler = false; /* CompleteMsg handed it over (AMB-21) */
    bool submitted() const { return (message_flags & MSGFLAG_SUBMIT) != 0; }
    bool awaits_preprocessing() const { return (submit_flags & SUBMITFLAG_PREPROCESS) != 0; }
};

/* An item of a folder's contents table: a message, or a sent-mail copy (its own entry ID, its
 * original's subject). */
struct Item {
    uint32_t msg = 0;
    uint32_t copy = 0; /* non-zero for a copy */
    std::string subject;
};

/* One store, shared by the logons on it and kept by the provider object, so it outlives a logoff
 * and a logon again (a restart) as a store file would. */
struct Store {
    std::string name;
    MAPIUID uid{};
    std::map<uint32_t, Message> messages;
    std::vector<Item> folders[FOLDER_COUNT + 1];
    std::vector<uint32_t> queue;  /* the outgoing queue, in SubmitMessage order */
    std::vector<uint32_t> locks;  /* the messages the spooler holds */
    std::vector<uint32_t> handed; /* handed over by CompleteMsg, in order */
    uint32_t next_id = 1, next_copy = 1;
    bool ready_to_send = false; /* SpoolerNotify(NOTIFY_READYTOSEND) sent this session (CAP-09) */

    Message *find(uint32_t id);
    bool locked(uint32_t id) const;
    bool queued(uint32_t id) const;
    Bytes entry_id(Kind kind, uint32_t number) const { return make_entry_id(uid, kind, number); }
    NOTIFKEY *queue_key(); /* the notification keys of its queue table and its new mail */
    NOTIFKEY *newmail_key();

private:
    std::vector<BYTE> keys_[2];
};

class Logon;

/* What one call into the store acts with: the store, the logon it came through (its support
 * object and session), and the settings. */
struct Act {
    Store &store;
    Logon &logon;
    const Settings &settings;
    bool spooler() const;
    LPMAPISUP support() const;
    const Allocators &alloc() const;
};

/* store.cpp: bookkeeping shared by the methods. */
void enqueue(Act &a, uint32_t id);
void dequeue(Act &a, uint32_t id);
void row_modified(Act &a, uint32_t id);
void lock_message(Act &a, uint32_t id);
void unlock_message(Act &a, uint32_t id);
void clear_submission(Act &a, uint32_t id);
void dispose(Act &a, uint32_t id, uint32_t sentmail, bool delete_it);
void delete_message(Act &a, uint32_t id);
void move_message(Act &a, uint32_t id, uint32_t folder);
HRESULT unknown_entry_id(const Store &s, Kind kind, uint32_t id, bool parsed);
std::vector<Value> queue_row(const Store &s, const Message &m);
bool tc_handles(const Settings &st, const std::string &addr_type);

/* submit.cpp, client.cpp, spooler.cpp: the methods' work. `self` is the IMessage the call came
 * through (PrepareSubmit, ExpandRecips and DoSentMail are told about it). */
HRESULT submit_message(Act &a, uint32_t id, ULONG flags, LPMESSAGE self);
HRESULT abort_submit(Act &a, uint32_t id);
HRESULT open_access(Act &a, uint32_t id, ULONG flags, bool *modify);
HRESULT set_read_flag(Act &a, uint32_t id);
HRESULT delete_messages(Act &a, uint32_t id);
HRESULT empty_folder(Act &a, uint32_t folder);
HRESULT set_lock_state(Act &a, uint32_t id, bool lock);
HRESULT finished_msg(Act &a, uint32_t id);

/* ---- COM plumbing --------------------------------------------------------------------------- */

/* Reference counting for the objects below; each deletes itself at zero. */
class RefCounted
{
public:
    virtual ~RefCounted() = default;
    ULONG add_ref() { return ++refs_; }
    ULONG release_ref()
    {
        ULONG left = --refs_;
        if (left == 0)
            delete this;
        return left;
    }

private:
    std::atomic<ULONG> refs_{1};
};

bool same_iid(REFIID a, const IID &b);

/* The IMAPIProp methods this store does not implement, for the classes built on IMAPIProp. */
#define EXAMPLE_UNSUPPORTED_PROP_METHODS                                                           \
    STDMETHODIMP GetPropList(ULONG, LPSPropTagArray *) override                                    \
    {                                                                                              \
        return MAPI_E_NO_SUPPORT;                                                                  \
    }                                                                                              \
    STDMETHODIMP OpenProperty(ULONG, LPCIID, ULONG, ULONG, LPUNKNOWN *) override                   \
    {                                                                                              \
        return MAPI_E_NO_SUPPORT;                                                                  \
    }                                                                                              \
    STDMETHODIMP DeleteProps(LPSPropTagArray, LPSPropProblemArray *) override                      \
    {                                                                                              \
        return MAPI_E_NO_SUPPORT;                                                                  \
    }                                                                                              \
    STDMETHODIMP CopyTo(ULONG, LPCIID, LPSPropTagArray, ULONG_PTR, LPMAPIPROGRESS, LPCIID, LPVOID, \
                        ULONG, LPSPropProblemArray *) override                                     \
    {                                                                                              \
        return MAPI_E_NO_SUPPORT;                                                                  \
    }                                                                                              \
    STDMETHODIMP CopyProps(LPSPropTagArray, ULONG_PTR, LPMAPIPROGRESS, LPCIID, LPVOID, ULONG,      \
                           LPSPropProblemArray *) override                                         \
    {                                                                                              \
        return MAPI_E_NO_SUPPORT;                                                                  \
    }                                                                                              \
    STDMETHODIMP GetNamesFromIDs(LPSPropTagArray *, LPGUID, ULONG, ULONG *, LPMAPINAMEID **)       \
        override                                                                                   \
    {                                                                                              \
        return MAPI_E_NO_SUPPORT;                                                                  \
    }                                                                                              \
    STDMETHODIMP GetIDsFromNames(ULONG, LPMAPINAMEID *, ULONG, LPSPropTagArray *) override         \
    {                                                                                              \
        return MAPI_E_NO_SUPPORT;                                                                  \
    }                                                                                              \
    STDMETHODIMP GetLastError(HRESULT, ULONG, LPMAPIERROR *error) override                         \
    {                                                                                              \
        if (error)                                                                                 \
            *error = nullptr;                                                                      \
        return S_OK;                                                                               \
    }

/* The provider object of one MSProviderInit: the allocators and the stores, by name. */
class Provider;
/* A logon (client or spooler): its IMSLogon, its IMsgStore and its support object. */
class Logon;

IMAPITable *new_table(std::shared_ptr<Logon> logon, std::vector<ULONG> columns,
                      std::vector<std::vector<Value>> (*rows)(Act &, uint32_t), uint32_t arg,
                      NOTIFKEY *advise_key);
IMAPIFolder *new_folder(std::shared_ptr<Logon> logon, uint32_t folder);
IMessage *new_message(std::shared_ptr<Logon> logon, uint32_t id, bool modify);
IMsgStore *new_msg_store(std::shared_ptr<Logon> logon);
IMSLogon *new_ms_logon(std::shared_ptr<Logon> logon);

/* Opens an entry ID for a caller: OpenEntry of the store, the logon and the folders (ACCESS-10). */
HRESULT open_entry(std::shared_ptr<Logon> logon, ULONG cb, LPENTRYID eid, ULONG flags, ULONG *type,
                   LPUNKNOWN *unk);

class Logon : public std::enable_shared_from_this<Logon>
{
public:
    Logon(std::shared_ptr<Store> store, Settings settings, LPMAPISUP support, Allocators alloc,
          bool spooler);
    ~Logon();

    std::shared_ptr<Store> store;
    Settings settings;
    LPMAPISUP support;
    Allocators alloc;
    bool spooler;
    bool ended = false; /* IMSLogon::Logoff was called: its objects are dead */
    bool has_logoff_flags = false;
    ULONG logoff_flags = 0; /* StoreLogoff's flags, for StoreLogoffTransports (PERSIST-04) */
    bool logged_off_transports = false;
    std::vector<ULONG> subscriptions; /* IMAPISupport::Subscribe connections to cancel */
    Act act() { return Act{*store, *this, settings}; }
    /* The end of the session (IMSLogon::Logoff): what a restart forgets (S115). */
    void end();
};

} // namespace example

#endif /* SPOOLCHECK_MAPI_EXAMPLE_H */
