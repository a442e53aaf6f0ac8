/*
 * bridge.h: spoolcheck's MAPI bridge. It is MAPI to a message store provider (it loads the
 * provider's library, calls MSProviderInit with its own allocators, logs on for the client and
 * the spooler with its own IMAPISupport, serves the profile section from the provider config) and
 * it is a spoolcheck C-ABI library to the harness (spoolcheck.h): each operation becomes the real
 * calls on the provider's IMsgStore, IMAPIFolder, IMessage and IMAPITable, and each observation
 * reads the store back through them.
 *
 * The source names only the documented MAPI interfaces, methods, structures and constants, so it
 * compiles against whichever MAPI headers the provider was built with (make MAPI_INCLUDE=DIR).
 * No C++ exception leaves the bridge: every entry point of spoolcheck.h catches them (abi.cpp).
 */
#ifndef SPOOLCHECK_MAPI_BRIDGE_H
#define SPOOLCHECK_MAPI_BRIDGE_H

#include <mapicode.h>
#include <mapidefs.h>
#include <mapiguid.h>
#include <mapispi.h>
#include <mapitags.h>

#include "spoolcheck.h"

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace bridge
{

using Bytes = std::vector<BYTE>;

/* A failure of the harness or the provider that ends the run (SPOOLCHECK_ERROR with the text). */
struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string hex(HRESULT hr);      /* "0x80040107" */
std::string hr_name(HRESULT hr);  /* "MAPI_E_INVALID_ENTRYID (0x80040107)" */
std::string iid_name(REFIID iid); /* "IID_IMsgStore" or the GUID */
bool same_iid(REFIID a, const IID &b);

/* ---- config.cpp: what the harness passes (the provider config, resolved by spoolcheck) --------
 */

struct ConfigProp {
    ULONG tag = 0;
    std::string text; /* may hold {reset}, {instance} and {choices.NAME} */
};

struct Config {
    std::string provider; /* the provider's shared library */
    std::string notes;    /* where notes go (may be empty) */
    bool reset_empty = false;
    std::vector<ConfigProp> props;
};

Config parse_config(const std::string &text);
/* The profile section's values for one reset: placeholders replaced, types applied. */
struct PropValue {
    ULONG tag = 0;
    ULONG ul = 0;
    std::string text;
    Bytes bytes;
};
std::vector<PropValue> resolve_props(const Config &c, const spoolcheck_choices &choices,
                                     const std::string &instance, uint64_t reset);

/* ---- alloc.cpp: MAPI's allocators, tracked -----------------------------------------------------
 */

SCODE STDMETHODCALLTYPE allocate_buffer(ULONG size, LPVOID *out);
SCODE STDMETHODCALLTYPE allocate_more(ULONG size, LPVOID parent, LPVOID *out);
ULONG STDAPICALLTYPE free_buffer(LPVOID buffer);
LPMALLOC new_malloc();

/* Blocks are attributed to the instance whose call is running on the thread. */
void set_current_owner(uint64_t owner);
uint64_t current_owner();
struct Leaks {
    uint64_t blocks = 0, bytes = 0, malloc_blocks = 0, bad_frees = 0;
};
/* The owner's blocks still live; they are then forgotten (counted once). */
Leaks take_leaks(uint64_t owner);

/* Frees what MAPIFreeBuffer frees, if not NULL. */
void mapi_free(void *p);

/* ---- notes.cpp: what the run's report lists besides verdicts ----------------------------------
 */

class Notes
{
public:
    void open(const std::string &path);
    /* A note, written once per instance (the first time). Neither throws: the provider's calls
     * note things too. */
    void once(const std::string &kind, const std::string &text) noexcept;
    void write(const std::string &kind, const std::string &text) noexcept;

private:
    std::string path_;
    std::mutex lock_;
    std::set<std::string> seen_;
};

/* ---- props.cpp ----------------------------------------------------------------------------------
 */

/* GetProps of a few tags: each value, or nullptr when the object has none. The buffer is freed
 * with the object. */
class Props
{
public:
    Props(LPMAPIPROP object, const std::vector<ULONG> &tags, const char *what);
    ~Props();
    Props(const Props &) = delete;
    Props &operator=(const Props &) = delete;
    HRESULT hr() const { return hr_; }
    const SPropValue *get(ULONG tag) const;
    Bytes binary(ULONG tag) const;
    std::string text(ULONG tag) const;

private:
    HRESULT hr_;
    ULONG count_ = 0;
    LPSPropValue values_ = nullptr;
};

/* A property tag array of these tags (in ordinary memory, for SetColumns and GetProps). */
class TagArray
{
public:
    explicit TagArray(const std::vector<ULONG> &tags);
    LPSPropTagArray get() { return reinterpret_cast<LPSPropTagArray>(storage_.data()); }

private:
    std::vector<ULONG> storage_;
};

/* Every row of a table (QueryRows until it is empty), each row as a copy. */
struct Row {
    std::vector<SPropValue> values; /* pointers into `data` */
    std::shared_ptr<void> data;     /* the SRowSet's buffers, freed with the last row */
    const SPropValue *get(ULONG tag) const;
};
HRESULT read_rows(LPMAPITABLE table, std::vector<Row> *rows);
void free_rows(LPSRowSet rows);

/* Releases an interface pointer at the end of a scope. */
template <class T> class Ref
{
public:
    Ref() = default;
    explicit Ref(T *p) : p_(p) {}
    ~Ref() { reset(); }
    Ref(const Ref &) = delete;
    Ref &operator=(const Ref &) = delete;
    Ref(Ref &&o) noexcept : p_(o.p_) { o.p_ = nullptr; }
    Ref &operator=(Ref &&o) noexcept
    {
        if (this != &o) {
            reset();
            p_ = o.p_;
            o.p_ = nullptr;
        }
        return *this;
    }
    void reset(T *p = nullptr)
    {
        if (p_)
            p_->Release();
        p_ = p;
    }
    T *get() const { return p_; }
    T *operator->() const { return p_; }
    T **out()
    {
        reset();
        return &p_;
    }
    explicit operator bool() const { return p_ != nullptr; }
    T *release()
    {
        T *p = p_;
        p_ = nullptr;
        return p;
    }

private:
    T *p_ = nullptr;
};

/* ---- The instance ---------------------------------------------------------------------------- */

class Instance;

/* One message the suite created, by its number (1, 2, 3 ...). */
struct Record {
    Bytes entry_id;            /* the provider's PR_ENTRYID (empty until it has one) */
    std::string subject;       /* "spoolcheck message N": how folder items are recognised */
    uint32_t folder = 0;       /* SPOOLCHECK_FOLDER_*: where the suite last saw it */
    Ref<IMessage> creator;     /* the client's object CreateMessage gave; released by a restart */
    bool creator_gone = false; /* released by a restart */
    bool creator_dead = false; /* SubmitMessage succeeded through it (SUBMIT-14) */
    bool has_stamp = false;    /* PR_CLIENT_SUBMIT_TIME as the provider stamped it, and ... */
    uint64_t stamp = 0;
    uint64_t script_now = 0; /* ... the harness's clock reading of that SubmitMessage */
};

/* The logons of one session: the client's and the spooler's, each with its support object. */
struct Logon {
    Ref<IMAPISupport> support;
    Ref<IMSLogon> logon;
    Ref<IMsgStore> store;
};

struct Session {
    Logon client, spooler;
    Bytes folders[6];      /* entry IDs by SPOOLCHECK_FOLDER_* */
    Ref<IMAPITable> queue; /* the spooler's outgoing queue table, advised (OQ-05) */
    Ref<IMAPIAdviseSink> queue_sink;
    ULONG queue_connection = 0;
    std::map<Bytes, uint32_t> queue_keys; /* PR_INSTANCE_KEY of queue rows -> message */
};

/* One subscription of IMAPISupport::Subscribe. */
struct Subscription {
    Bytes key;
    ULONG mask = 0;
    LPMAPIADVISESINK sink = nullptr; /* AddRef'd */
};

class Instance
{
public:
    Instance(const std::string &config_text);
    ~Instance();

    void reset(const spoolcheck_choices &choices);
    void apply(const spoolcheck_op &op, const spoolcheck_host &host, spoolcheck_ret &ret);
    void observe(const spoolcheck_host &host);

    const uint64_t owner; /* for the allocators' accounting */
    Config config;
    Notes notes;
    std::string last_error;

    /* The operation in progress: support calls and notifications made on its thread report to
     * its host (spoolcheck.h allows no other thread); those from the provider's own threads, or
     * outside an operation, are answered S_OK and not reported. */
    const spoolcheck_host *host = nullptr;
    const spoolcheck_op *op = nullptr;
    std::thread::id op_thread;
    std::atomic<bool> in_op{false};
    bool reporting();
    uint32_t call(spoolcheck_call &c, uint32_t *out_flags);
    /* The SubmitMessage script whose ExpandRecips leaves a table (has_expanded), when the
     * operation in progress has one and the call comes from its thread; NULL otherwise. */
    const spoolcheck_script *expansion();
    void notify(const spoolcheck_notification &n);
    /* What went wrong inside a call from the provider, where nothing may throw: the operation
     * fails with it once the provider returns. */
    std::string fault;
    void fail_later(const std::string &why)
    {
        if (fault.empty())
            fault = why;
    }

    /* MAPI's notification engine, shared by the support objects of the instance. */
    ULONG subscribe(LPNOTIFKEY key, ULONG mask, LPMAPIADVISESINK sink);
    bool unsubscribe(ULONG connection);
    void deliver(LPNOTIFKEY key, ULONG count, LPNOTIFICATION notifications);

    /* The profile section's properties for this reset, and what the provider wrote to it. */
    std::vector<PropValue> section;

    /* Identifying messages. */
    uint32_t number_of(const Bytes &entry_id) const; /* 0: not the suite's */
    uint32_t number_of_subject(const std::string &subject) const;
    uint32_t number_of(LPMESSAGE message, const char *what);
    Bytes entry_id(uint32_t number); /* a never-given-out one past the end */
    std::vector<Record> records;

    std::unique_ptr<Session> session;
    std::map<uint32_t, Ref<IMAPIAdviseSink>> sinks; /* new-mail sinks by the suite's number */
    uint32_t next_sink = 1;

private:
    void load();
    void init_provider();
    void release_provider(bool report);
    void log_on();
    void log_off();
    void empty_store();
    void read_folders();
    void advise_queue();
    void check_leaks();
    void drop_subscriptions();

public:
    void restart();

private:
    void *library_ = nullptr;
    MSPROVIDERINIT *init_ = nullptr;
    LPMALLOC malloc_ = nullptr;
    LPMSPROVIDER provider_ = nullptr;
    std::string instance_tag_;
    uint64_t resets_ = 0;
    spoolcheck_choices choices_{};
    std::mutex engine_; /* the provider may Subscribe and Notify from threads of its own */
    std::map<ULONG, Subscription> subscriptions_;
    ULONG next_connection_ = 1;
    friend struct Ops;
};

/* Runs the body of a method the provider calls: an exception becomes a fault of the operation
 * and MAPI_E_CALL_FAILED, never an unwinding through the provider. */
template <class F> HRESULT guarded(Instance &in, const char *what, F body)
{
    try {
        return body();
    } catch (const std::exception &e) {
        in.fail_later(std::string(what) + ": " + e.what());
    } catch (...) {
        in.fail_later(std::string(what) + ": an exception");
    }
    return MAPI_E_CALL_FAILED;
}

/* support.cpp */
IMAPISupport *new_support(Instance &instance, bool spooler);
/* sinks.cpp: the harness's advise sinks: new mail (numbered by the suite) and the queue table. */
IMAPIAdviseSink *new_mail_sink(Instance &instance, uint32_t number);
IMAPIAdviseSink *new_queue_sink(Instance &instance);
void kill_sink(IMAPIAdviseSink *sink); /* a sink of an ended session reports nothing more */

/* entryid.cpp: PR_ENTRYID of recipient rows: the entry IDs of the bridge's own address book
 * (PERSON n, LIST n) and MAPI's one-off entry IDs, encoded and decoded exactly. */
Bytes book_entry_id(const spoolcheck_entry &entry); /* PERSON or LIST */
Bytes one_off_entry_id(const std::string &name, const std::string &addr_type,
                       const std::string &email);
/* What an entry ID decodes to: PERSON n, LIST n, or ONE_OFF with the strings it holds. */
struct EntryId {
    spoolcheck_entry entry{};
    std::string name, addr_type, email; /* ONE_OFF only */
};
/* Throws a Failure that shows the bytes and says what they are not. */
EntryId decode_entry_id(const Bytes &eid);
/* PT_UNICODE text: UTF-8 to wchar_t (UTF-16 units where wchar_t has 16 bits, code points where it
 * has 32; throws a Failure naming `what` when the bytes are not UTF-8) and back. */
std::wstring wide_from_utf8(const std::string &s, const char *what);
std::string utf8_from_wide(const wchar_t *w);

/* recipients.cpp: the one place recipients are written and read. */
/* Whether every row's codes (recipient type, address type, entry kind) are ones the bridge knows;
 * spoolcheck.h has an unknown code answered SPOOLCHECK_UNSUPPORTED. */
bool known_recipients(const spoolcheck_recipient *rows, uint32_t count);
/* CreateMessage's rows, with ModifyRecipients(MODRECIP_ADD). */
void add_recipients(LPMESSAGE message, const spoolcheck_new_message &m);
/* MAPI's ExpandRecips leaving `expanded` in the message: ModifyRecipients(0), which replaces
 * every row, PR_RESPONSIBILITY FALSE on each. Returns ModifyRecipients' result. */
HRESULT replace_recipients(LPMESSAGE message, const spoolcheck_script &script);
HRESULT mark_responsible(LPMESSAGE message, uint32_t row);
/* A message's recipient table as the observation reports it: every row in table order, decoded
 * into the harness's terms, the pointers valid while this value lives. A row the bridge cannot
 * decode is a Failure naming the message and the row. */
class RecipientView
{
public:
    RecipientView(LPMESSAGE message, uint32_t number);
    RecipientView(const RecipientView &) = delete;
    RecipientView &operator=(const RecipientView &) = delete;
    uint32_t count() const { return static_cast<uint32_t>(rows_.size()); }
    const spoolcheck_recipient *rows() const { return rows_.empty() ? nullptr : rows_.data(); }
    const int8_t *responsibility() const
    {
        return responsibility_.empty() ? nullptr : responsibility_.data();
    }

private:
    std::deque<std::string> text_; /* the rows' strings; a deque never moves what it holds */
    std::vector<spoolcheck_recipient> rows_;
    std::vector<int8_t> responsibility_;
};

/* ops.cpp, observe.cpp */
void apply_op(Instance &in, const spoolcheck_op &op, spoolcheck_ret &ret);
void observe_store(Instance &in, const spoolcheck_host &host);
uint64_t harness_time(const Record &r, uint64_t provider_time);

/* The store object of a role, and opening things through it. */
LPMDB store_of(Instance &in, uint32_t role);
HRESULT open_message(LPMDB store, const Bytes &eid, ULONG flags, Ref<IMessage> *out);
HRESULT open_folder(LPMDB store, const Bytes &eid, ULONG flags, Ref<IMAPIFolder> *out);

} // namespace bridge

#endif /* SPOOLCHECK_MAPI_BRIDGE_H */
