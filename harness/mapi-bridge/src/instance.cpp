/*
 * instance.cpp: one instance of the bridge, as MAPI is to the provider: the library loaded once,
 * a provider object from MSProviderInit for each case (so each case starts from nothing and the
 * memory the last one left allocated is reported), the client's logon (IMSProvider::Logon) and
 * the spooler's (IMSProvider::SpoolerLogon), each with its own support object, and the shut-down
 * MAPI performs when a store is released (shutting-down-a-message-store-provider): the store's
 * Release, then IMSLogon::Logoff and the logon's Release.
 */
#include "bridge.h"

#include <cstring>
#include <dlfcn.h>
#include <unistd.h>

namespace bridge
{

static std::atomic<uint64_t> instances{0};

Instance::Instance(const std::string &config_text) : owner(++instances)
{
    config = parse_config(config_text);
    notes.open(config.notes);
    instance_tag_ = std::to_string(getpid()) + "-" + std::to_string(owner);
    load();
}

Instance::~Instance()
{
    try {
        log_off();
        /* Not reported: an instance goes when its run is over and the report may be out, and a
         * report must not depend on how soon that is. Leaks are reported at each reset. */
        release_provider(false);
        drop_subscriptions();
    } catch (...) {
        /* Nothing can be reported from a destructor; the instance is gone either way. */
    }
    if (malloc_)
        malloc_->Release();
    /* The library stays loaded: a provider's threads or atexit handlers may still run code. */
}

void Instance::load()
{
    library_ = dlopen(config.provider.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!library_)
        throw Failure("cannot load the MAPI provider " + config.provider + ": " + dlerror());
    init_ = reinterpret_cast<MSPROVIDERINIT *>(dlsym(library_, "MSProviderInit"));
    if (!init_)
        throw Failure(config.provider +
                      " does not export MSProviderInit, the entry point of a MAPI message store "
                      "provider (msproviderinit)");
    malloc_ = new_malloc();
}

/* MSProviderInit with the harness's allocators and the SPI version MAPI passes. */
void Instance::init_provider()
{
    ULONG version = 0;
    LPMSPROVIDER provider = nullptr;
    HRESULT hr = init_(library_, malloc_, allocate_buffer, allocate_more, free_buffer, 0,
                       CURRENT_SPI_VERSION, &version, &provider);
    if (FAILED(hr) || !provider)
        throw Failure("MSProviderInit failed with " + hr_name(hr));
    if (version != CURRENT_SPI_VERSION)
        notes.once("note", "MSProviderInit returned SPI version " +
                               hex(static_cast<HRESULT>(version)) + "; MAPI passed " +
                               hex(static_cast<HRESULT>(CURRENT_SPI_VERSION)));
    provider_ = provider;
}

void Instance::release_provider(bool report)
{
    if (provider_) {
        ULONG flags = 0;
        provider_->Shutdown(&flags);
        provider_->Release();
        provider_ = nullptr;
    }
    if (report)
        check_leaks();
    else
        take_leaks(owner);
}

/* What the provider object allocated through MAPI and never freed, now that it is released. */
void Instance::check_leaks()
{
    Leaks l = take_leaks(owner);
    if (l.blocks)
        notes.write("leak", std::to_string(l.blocks) + "\t" + std::to_string(l.bytes));
    if (l.malloc_blocks)
        notes.write("malloc-leak", std::to_string(l.malloc_blocks));
    if (l.bad_frees)
        notes.write("bad-free", std::to_string(l.bad_frees));
}

static Logon logon_for(Instance &in, LPMSPROVIDER provider, bool spooler, ULONG *cb_security,
                       LPBYTE *security)
{
    Logon l;
    l.support.reset(new_support(in, spooler));
    LPMAPIERROR error = nullptr;
    char profile[] = "spoolcheck";
    const ULONG flags = MDB_NO_DIALOG | MDB_WRITE;
    HRESULT hr =
        spooler
            ? provider->SpoolerLogon(l.support.get(), 0, profile, 0, nullptr, flags, nullptr,
                                     *cb_security, *security, &error, l.logon.out(), l.store.out())
            : provider->Logon(l.support.get(), 0, profile, 0, nullptr, flags, nullptr, cb_security,
                              security, &error, l.logon.out(), l.store.out());
    std::string detail;
    if (error) {
        if (error->lpszError)
            detail = std::string(": ") + error->lpszError;
        mapi_free(error);
    }
    const char *what = spooler ? "IMSProvider::SpoolerLogon" : "IMSProvider::Logon";
    if (FAILED(hr))
        throw Failure(std::string(what) + " failed with " + hr_name(hr) + detail +
                      (hr == MAPI_E_UNCONFIGURED
                           ? " (the profile section lacks what the provider needs: see "
                             "--provider-config)"
                           : ""));
    if (!l.store || !l.logon)
        throw Failure(std::string(what) + " returned no store or no logon object");
    return l;
}

/* Logs on as a client and as the spooler, reads the standard folders, listens on the queue. */
void Instance::log_on()
{
    session.reset(new Session());
    ULONG cb_security = 0;
    LPBYTE security = nullptr;
    session->client = logon_for(*this, provider_, false, &cb_security, &security);
    try {
        session->spooler = logon_for(*this, provider_, true, &cb_security, &security);
    } catch (...) {
        mapi_free(security);
        throw;
    }
    mapi_free(security); /* MAPI frees the spool security data (imsprovider-logon) */
    read_folders();
    advise_queue();
}

/* The session ends as MAPI ends it: the harness lets go of everything it opened, releases the
 * client's store (the provider calls StoreLogoffTransports), then the spooler's, and logs each
 * logon off. */
void Instance::log_off()
{
    if (!session)
        return;
    std::unique_ptr<Session> s = std::move(session);
    if (s->queue) {
        s->queue->Unadvise(s->queue_connection);
        s->queue.reset();
    }
    kill_sink(s->queue_sink.get());
    s->queue_sink.reset();
    for (auto &entry : sinks)
        kill_sink(entry.second.get());
    for (Record &r : records) {
        if (r.creator) {
            r.creator.reset();
            r.creator_gone = true;
        }
    }
    for (Logon *l : {&s->client, &s->spooler}) {
        l->store.reset();
        if (l->logon) {
            ULONG flags = 0;
            l->logon->Logoff(&flags);
            l->logon.reset();
        }
        l->support.reset();
    }
}

static Bytes binary_of(const SPropValue *v)
{
    if (!v || !v->Value.bin.lpb)
        return Bytes();
    return Bytes(v->Value.bin.lpb, v->Value.bin.lpb + v->Value.bin.cb);
}

/* The entry IDs of the five standard folders: the store's PR_IPM_* properties, the Inbox from
 * GetReceiveFolder, Drafts from the store, the root folder or the Inbox. */
void Instance::read_folders()
{
    LPMDB store = session->client.store.get();
    Bytes *f = session->folders;
    {
        Props p(store,
                {PR_IPM_OUTBOX_ENTRYID, PR_IPM_SENTMAIL_ENTRYID, PR_IPM_WASTEBASKET_ENTRYID,
                 PR_IPM_DRAFTS_ENTRYID},
                "the store");
        f[SPOOLCHECK_FOLDER_OUTBOX] = p.binary(PR_IPM_OUTBOX_ENTRYID);
        f[SPOOLCHECK_FOLDER_SENT_ITEMS] = p.binary(PR_IPM_SENTMAIL_ENTRYID);
        f[SPOOLCHECK_FOLDER_DELETED_ITEMS] = p.binary(PR_IPM_WASTEBASKET_ENTRYID);
        f[SPOOLCHECK_FOLDER_DRAFTS] = p.binary(PR_IPM_DRAFTS_ENTRYID);
    }
    ULONG cb = 0;
    LPENTRYID eid = nullptr;
    char ipm[] = "IPM";
    HRESULT hr = store->GetReceiveFolder(ipm, 0, &cb, &eid, nullptr);
    if (SUCCEEDED(hr) && eid)
        f[SPOOLCHECK_FOLDER_INBOX].assign(reinterpret_cast<BYTE *>(eid),
                                          reinterpret_cast<BYTE *>(eid) + cb);
    mapi_free(eid);
    for (int from_root = 1; from_root >= 0 && f[SPOOLCHECK_FOLDER_DRAFTS].empty(); from_root--) {
        Ref<IMAPIFolder> folder;
        Bytes where = from_root ? Bytes() : f[SPOOLCHECK_FOLDER_INBOX];
        if (!from_root && where.empty())
            break;
        if (SUCCEEDED(open_folder(store, where, 0, &folder))) {
            Props p(folder.get(), {PR_IPM_DRAFTS_ENTRYID}, "a folder");
            f[SPOOLCHECK_FOLDER_DRAFTS] = p.binary(PR_IPM_DRAFTS_ENTRYID);
        }
    }
    const char *names[] = {
        "",
        "the Inbox (IMsgStore::GetReceiveFolder)",
        "the Outbox (PR_IPM_OUTBOX_ENTRYID)",
        "Drafts (PR_IPM_DRAFTS_ENTRYID on the store, the root folder or the Inbox)",
        "Sent Items (PR_IPM_SENTMAIL_ENTRYID)",
        "Deleted Items (PR_IPM_WASTEBASKET_ENTRYID)"};
    for (uint32_t i = SPOOLCHECK_FOLDER_INBOX; i <= SPOOLCHECK_FOLDER_DELETED_ITEMS; i++)
        if (f[i].empty())
            throw Failure(std::string("the store does not give the entry ID of ") + names[i] +
                          "; the suite needs the five standard folders");
}

/* The spooler keeps the outgoing queue table open and advised for the session (OQ-05). */
void Instance::advise_queue()
{
    Session &s = *session;
    HRESULT hr = s.spooler.store->GetOutgoingQueue(0, s.queue.out());
    if (FAILED(hr) || !s.queue)
        throw Failure("the spooler's IMsgStore::GetOutgoingQueue failed with " + hr_name(hr));
    TagArray columns({PR_INSTANCE_KEY, PR_ENTRYID});
    s.queue->SetColumns(columns.get(), 0);
    std::vector<Row> rows;
    if (SUCCEEDED(read_rows(s.queue.get(), &rows)))
        for (const Row &r : rows) {
            uint32_t msg = number_of(binary_of(r.get(PR_ENTRYID)));
            if (msg)
                s.queue_keys[binary_of(r.get(PR_INSTANCE_KEY))] = msg;
        }
    s.queue_sink.reset(new_queue_sink(*this));
    hr = s.queue->Advise(fnevTableModified, s.queue_sink.get(), &s.queue_connection);
    if (FAILED(hr))
        throw Failure("IMAPITable::Advise(fnevTableModified) on the outgoing queue failed with " +
                      hr_name(hr) + "; the spooler needs the queue's notifications (OQ-05)");
}

/* Empties the standard folders through the spooler's store (provider config reset = "empty"). */
void Instance::empty_store()
{
    for (uint32_t f = SPOOLCHECK_FOLDER_INBOX; f <= SPOOLCHECK_FOLDER_DELETED_ITEMS; f++) {
        Ref<IMAPIFolder> folder;
        HRESULT hr =
            open_folder(session->spooler.store.get(), session->folders[f], MAPI_MODIFY, &folder);
        if (SUCCEEDED(hr))
            hr = folder->EmptyFolder(0, nullptr, DEL_ASSOCIATED);
        Ref<IMAPITable> contents;
        std::vector<Row> rows;
        if (SUCCEEDED(hr))
            hr = folder->GetContentsTable(0, contents.out());
        if (SUCCEEDED(hr))
            hr = read_rows(contents.get(), &rows);
        if (FAILED(hr) || !rows.empty())
            throw Failure("reset = \"empty\": folder " + std::to_string(f) + " still holds " +
                          std::to_string(rows.size()) + " items after EmptyFolder (" + hr_name(hr) +
                          "); a store whose submitted messages stay needs reset = \"fresh\" with "
                          "{reset} in the path of its store");
    }
}

void Instance::reset(const spoolcheck_choices &choices)
{
    log_off();
    release_provider(true);
    records.clear();
    sinks.clear();
    next_sink = 1;
    drop_subscriptions();
    choices_ = choices;
    section = resolve_props(config, choices, instance_tag_, ++resets_);
    init_provider();
    log_on();
    if (config.reset_empty)
        empty_store();
}

/* ---- Calls and notifications ------------------------------------------------------------------
 */

bool Instance::reporting()
{
    if (!in_op.load())
        return false;
    if (std::this_thread::get_id() == op_thread)
        return true;
    notes.once("note", "the provider called MAPI from a thread of its own during an operation; "
                       "the harness answered S_OK and did not report the call (spoolcheck.h "
                       "reports only what happens on the operation's thread)");
    return false;
}

uint32_t Instance::call(spoolcheck_call &c, uint32_t *out_flags)
{
    uint32_t flags = 0;
    bool names_message = c.kind != SPOOLCHECK_CALL_SPOOLER_NOTIFY &&
                         c.kind != SPOOLCHECK_CALL_STORE_LOGOFF_TRANSPORTS;
    uint32_t hr = SPOOLCHECK_S_OK;
    if (!reporting())
        hr = SPOOLCHECK_S_OK;
    else if (names_message && c.msg == 0)
        hr = static_cast<uint32_t>(MAPI_E_CALL_FAILED); /* fail_later says why */
    else
        hr = host->call(host->ctx, &c, &flags);
    if (out_flags)
        *out_flags = flags;
    return hr;
}

const spoolcheck_script *Instance::expansion()
{
    if (!reporting() || op->kind != SPOOLCHECK_OP_SUBMIT_MESSAGE || op->script.has_expanded != 1)
        return nullptr;
    return &op->script;
}

void Instance::notify(const spoolcheck_notification &n)
{
    if (reporting())
        host->notify(host->ctx, &n);
}

ULONG Instance::subscribe(LPNOTIFKEY key, ULONG mask, LPMAPIADVISESINK sink)
{
    std::lock_guard<std::mutex> hold(engine_);
    Subscription s;
    s.key.assign(key->ab, key->ab + key->cb);
    s.mask = mask;
    s.sink = sink;
    sink->AddRef();
    ULONG connection = next_connection_++;
    subscriptions_[connection] = s;
    return connection;
}

/* Subscriptions the provider left behind when its provider object went. */
void Instance::drop_subscriptions()
{
    std::map<ULONG, Subscription> left;
    {
        std::lock_guard<std::mutex> hold(engine_);
        left.swap(subscriptions_);
    }
    for (auto &entry : left)
        entry.second.sink->Release();
}

bool Instance::unsubscribe(ULONG connection)
{
    LPMAPIADVISESINK sink = nullptr;
    {
        std::lock_guard<std::mutex> hold(engine_);
        auto it = subscriptions_.find(connection);
        if (it == subscriptions_.end())
            return false;
        sink = it->second.sink;
        subscriptions_.erase(it);
    }
    sink->Release(); /* outside the lock: a sink's release may call back */
    return true;
}

/* Every subscription of the key gets the notifications its mask selects, in subscription order. */
void Instance::deliver(LPNOTIFKEY key, ULONG count, LPNOTIFICATION notifications)
{
    Bytes k(key->ab, key->ab + key->cb);
    std::vector<std::pair<LPMAPIADVISESINK, ULONG>> targets;
    {
        std::lock_guard<std::mutex> hold(engine_);
        for (auto &entry : subscriptions_)
            if (entry.second.key == k) {
                entry.second.sink->AddRef();
                targets.emplace_back(entry.second.sink, entry.second.mask);
            }
    }
    /* The sinks run outside the lock: one may Subscribe or Unsubscribe. */
    for (auto &t : targets) {
        std::vector<NOTIFICATION> chosen;
        for (ULONG i = 0; i < count; i++)
            if (notifications[i].ulEventType & t.second)
                chosen.push_back(notifications[i]);
        if (!chosen.empty())
            t.first->OnNotify(static_cast<ULONG>(chosen.size()), chosen.data());
        t.first->Release();
    }
}

/* ---- Messages ---------------------------------------------------------------------------------
 */

uint32_t Instance::number_of(const Bytes &entry_id) const
{
    if (entry_id.empty())
        return 0;
    for (size_t i = 0; i < records.size(); i++)
        if (records[i].entry_id == entry_id)
            return static_cast<uint32_t>(i + 1);
    return 0;
}

uint32_t Instance::number_of_subject(const std::string &subject) const
{
    for (size_t i = 0; i < records.size(); i++)
        if (records[i].subject == subject)
            return static_cast<uint32_t>(i + 1);
    return 0;
}

/* The suite's number of a message object the provider passes: by its PR_ENTRYID, or by the
 * subject the suite gave it (a message whose entry ID is not known yet). */
uint32_t Instance::number_of(LPMESSAGE message, const char *what)
{
    if (!message) {
        fail_later(std::string(what) + ": the provider passed a NULL message");
        return 0;
    }
    Props p(message, {PR_ENTRYID, PR_SUBJECT}, what);
    uint32_t n = number_of(p.binary(PR_ENTRYID));
    if (n == 0)
        n = number_of_subject(p.text(PR_SUBJECT));
    if (n != 0 && records[n - 1].entry_id.empty())
        records[n - 1].entry_id = p.binary(PR_ENTRYID);
    if (n == 0)
        fail_later(std::string(what) +
                   ": the provider passed a message whose PR_ENTRYID and "
                   "PR_SUBJECT are none the suite created (GetProps: " +
                   hr_name(p.hr()) + ")");
    return n;
}

/* The provider's entry ID of message `number`; for 0 or a number the suite never gave out, bytes
 * no store ever gives out. */
Bytes Instance::entry_id(uint32_t number)
{
    if (number >= 1 && number <= records.size()) {
        Record &r = records[number - 1];
        if (r.entry_id.empty() && r.creator) {
            Props p(r.creator.get(), {PR_ENTRYID}, "the new message");
            r.entry_id = p.binary(PR_ENTRYID);
        }
        if (!r.entry_id.empty())
            return r.entry_id;
    }
    std::string text = "spoolcheck: an entry ID no store gave out, #" + std::to_string(number);
    Bytes id(4, 0);
    id.insert(id.end(), text.begin(), text.end());
    return id;
}

} // namespace bridge

namespace bridge
{

/* Restart: the store shuts down and starts again, a new session on the same provider object (its
 * data is its store's). The client's objects and the session's sinks are gone. */
void Instance::restart()
{
    log_off();
    sinks.clear();
    log_on();
}

} // namespace bridge
