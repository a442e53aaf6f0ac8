/*
 * provider.cpp: the entry point MSProviderInit, the provider object (IMSProvider), the logon
 * object (IMSLogon) and the session they share with the store object. Logon reads the profile
 * section through IMAPISupport::OpenProfileSection, registers the store's MAPIUID, sets its
 * status row and hands the spooler what it needs to log on to the same store.
 */
#include "example.h"

#include <cstring>
#include <mutex>

namespace example
{

Logon::Logon(std::shared_ptr<Store> s, Settings st, LPMAPISUP sup, Allocators a, bool spool)
    : store(std::move(s)), settings(std::move(st)), support(sup), alloc(a), spooler(spool)
{
    support->AddRef(); /* held for the life of the logon (imsprovider-logon) */
}

Logon::~Logon()
{
    support->Release();
}

/* The session ends: its subscriptions go, and so does what a restart forgets (S115): messages
 * never saved (the client's), the spooler's locks unless they persist (PERSIST-01, AMB-28), the
 * session's READYTOSEND. */
void Logon::end()
{
    if (ended)
        return;
    ended = true;
    for (ULONG connection : subscriptions)
        support->Unsubscribe(connection);
    subscriptions.clear();
    Act a = act();
    if (!spooler) {
        std::vector<uint32_t> unsaved;
        for (const auto &entry : store->messages)
            if (!entry.second.saved)
                unsaved.push_back(entry.first);
        for (uint32_t id : unsaved)
            delete_message(a, id);
        store->ready_to_send = false;
    } else if (!settings.locks_kept) {
        for (uint32_t id : std::vector<uint32_t>(store->locks))
            unlock_message(a, id);
    }
}

/* ---- The profile section ------------------------------------------------------------------ */

static const ULONG SETTING_TAGS[] = {
    PR_EXAMPLE_STORE,  PR_EXAMPLE_SUBMISSION, PR_EXAMPLE_PREPARE_SUBMIT, PR_EXAMPLE_SPOOLER_ONLY,
    PR_EXAMPLE_LOCKS,  PR_EXAMPLE_COUPLED,    PR_EXAMPLE_COMPLETION,     PR_EXAMPLE_DISPOSITION,
    PR_EXAMPLE_DELETE, PR_EXAMPLE_SENTMAIL};
static const ULONG SETTING_COUNT = sizeof SETTING_TAGS / sizeof SETTING_TAGS[0];

static std::vector<std::string> split(const std::string &list)
{
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= list.size()) {
        size_t comma = list.find(',', start);
        std::string item = list.substr(start, comma == std::string::npos ? comma : comma - start);
        if (!item.empty())
            out.push_back(item);
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return out;
}

/* Reads the provider's settings; MAPI_E_UNCONFIGURED without a store name (imsprovider-logon). */
static HRESULT read_settings(LPMAPISUP support, const Allocators &a, Settings *out)
{
    LPPROFSECT section = nullptr;
    HRESULT hr = support->OpenProfileSection(nullptr, 0, &section);
    if (FAILED(hr))
        return hr;
    struct {
        ULONG cValues;
        ULONG aulPropTag[SETTING_COUNT];
    } tags;
    tags.cValues = SETTING_COUNT;
    std::memcpy(tags.aulPropTag, SETTING_TAGS, sizeof SETTING_TAGS);
    ULONG count = 0;
    LPSPropValue props = nullptr;
    hr = section->GetProps(reinterpret_cast<LPSPropTagArray>(&tags), 0, &count, &props);
    section->Release();
    if (FAILED(hr))
        return hr;
    auto text = [&](ULONG tag, const char *fallback) -> std::string {
        const SPropValue *p = find_prop(count, props, tag);
        return p && p->Value.lpszA ? std::string(p->Value.lpszA) : std::string(fallback);
    };
    auto flag = [&](ULONG tag, bool fallback) {
        const SPropValue *p = find_prop(count, props, tag);
        return p ? p->Value.b != 0 : fallback;
    };
    Settings s;
    s.store = text(PR_EXAMPLE_STORE, "");
    s.submission = flag(PR_EXAMPLE_SUBMISSION, true);
    s.prepare_resend_only = text(PR_EXAMPLE_PREPARE_SUBMIT, "always") == "resend-only";
    s.spooler_only = flag(PR_EXAMPLE_SPOOLER_ONLY, true);
    s.locks_kept = text(PR_EXAMPLE_LOCKS, "either") == "kept";
    s.coupled = split(text(PR_EXAMPLE_COUPLED, ""));
    s.complete_msg = text(PR_EXAMPLE_COMPLETION, "complete-msg") != "local";
    s.disposition_by_do_sent_mail = text(PR_EXAMPLE_DISPOSITION, "store") == "do-sent-mail";
    s.delete_to_deleted_items = text(PR_EXAMPLE_DELETE, "hard-delete") == "move-to-deleted-items";
    s.sentmail_copy = text(PR_EXAMPLE_SENTMAIL, "move") == "copy";
    a.free(props);
    if (s.store.empty())
        return MAPI_E_UNCONFIGURED;
    *out = s;
    return S_OK;
}

/* ---- IMSLogon ------------------------------------------------------------------------------- */

class MSLogon : public IMSLogon, public RefCounted
{
public:
    explicit MSLogon(std::shared_ptr<Logon> l) : logon_(std::move(l)) {}

    STDMETHODIMP QueryInterface(REFIID riid, void **out) override
    {
        if (!out)
            return MAPI_E_INVALID_PARAMETER;
        if (same_iid(riid, IID_IMSLogon) || same_iid(riid, IID_IUnknown)) {
            AddRef();
            *out = static_cast<IMSLogon *>(this);
            return S_OK;
        }
        *out = nullptr;
        return MAPI_E_INTERFACE_NOT_SUPPORTED;
    }
    STDMETHODIMP_(ULONG) AddRef() override { return add_ref(); }
    STDMETHODIMP_(ULONG) Release() override { return release_ref(); }
    STDMETHODIMP GetLastError(HRESULT, ULONG, LPMAPIERROR *error) override
    {
        if (error)
            *error = nullptr;
        return S_OK;
    }
    STDMETHODIMP Logoff(ULONG *) override
    {
        logon_->end();
        return S_OK;
    }
    STDMETHODIMP OpenEntry(ULONG cb, LPENTRYID eid, LPCIID, ULONG flags, ULONG *type,
                           LPUNKNOWN *unk) override
    {
        return open_entry(logon_, cb, eid, flags, type, unk);
    }
    STDMETHODIMP CompareEntryIDs(ULONG cb1, LPENTRYID e1, ULONG cb2, LPENTRYID e2, ULONG,
                                 ULONG *result) override
    {
        if (!result)
            return MAPI_E_INVALID_PARAMETER;
        *result = cb1 == cb2 && e1 && e2 && std::memcmp(e1, e2, cb1) == 0;
        return S_OK;
    }
    STDMETHODIMP Advise(ULONG, LPENTRYID, ULONG, LPMAPIADVISESINK, ULONG *) override
    {
        return MAPI_E_NO_SUPPORT;
    }
    STDMETHODIMP Unadvise(ULONG) override { return MAPI_E_NO_SUPPORT; }
    STDMETHODIMP OpenStatusEntry(LPCIID, ULONG, ULONG *, LPVOID *) override
    {
        return MAPI_E_NO_SUPPORT;
    }

private:
    std::shared_ptr<Logon> logon_;
};

IMSLogon *new_ms_logon(std::shared_ptr<Logon> logon)
{
    return new MSLogon(std::move(logon));
}

/* ---- IMSProvider ------------------------------------------------------------------------------
 */

class Provider : public IMSProvider, public RefCounted
{
public:
    explicit Provider(Allocators a) : alloc_(a) {}

    STDMETHODIMP QueryInterface(REFIID riid, void **out) override
    {
        if (!out)
            return MAPI_E_INVALID_PARAMETER;
        if (same_iid(riid, IID_IMSProvider) || same_iid(riid, IID_IUnknown)) {
            AddRef();
            *out = static_cast<IMSProvider *>(this);
            return S_OK;
        }
        *out = nullptr;
        return MAPI_E_INTERFACE_NOT_SUPPORTED;
    }
    STDMETHODIMP_(ULONG) AddRef() override { return add_ref(); }
    STDMETHODIMP_(ULONG) Release() override { return release_ref(); }

    STDMETHODIMP Shutdown(ULONG *) override
    {
        std::lock_guard<std::mutex> hold(lock_);
        stores_.clear();
        return S_OK;
    }

    STDMETHODIMP Logon(LPMAPISUP support, ULONG_PTR, LPSTR, ULONG, LPENTRYID, ULONG, LPCIID,
                       ULONG *cb_security, LPBYTE *security, LPMAPIERROR *error,
                       LPMSLOGON *ms_logon, LPMDB *mdb) override
    {
#ifdef SPOOLCHECK_FAULT_LOGON_CRASH
        /* A fault for the harness's tests: the provider dies while it logs on. */
        volatile int *nowhere = nullptr;
        *nowhere = 1;
#endif
        if (!support || !ms_logon || !mdb)
            return MAPI_E_INVALID_PARAMETER;
        if (error)
            *error = nullptr;
#ifdef SPOOLCHECK_FAULT_LEAK
        /* A fault for the harness's tests: memory from MAPI never given back, and a support
         * method the harness does not offer. */
        void *lost = nullptr;
        alloc_.allocate(64, &lost);
        LPADRBOOK book = nullptr;
        support->OpenAddressBook(nullptr, 0, &book);
#endif
        Settings settings;
        HRESULT hr = read_settings(support, alloc_, &settings);
        if (FAILED(hr))
            return hr;
        std::shared_ptr<Store> store;
        hr = open_store(support, settings.store, &store);
        if (FAILED(hr))
            return hr;
        /* The spooler finds the same store from the store's name. */
        if (cb_security && security) {
            void *buffer = nullptr;
            if (alloc_.allocate(static_cast<ULONG>(settings.store.size()), &buffer) != S_OK)
                return MAPI_E_NOT_ENOUGH_MEMORY;
            std::memcpy(buffer, settings.store.data(), settings.store.size());
            *cb_security = static_cast<ULONG>(settings.store.size());
            *security = static_cast<LPBYTE>(buffer);
        }
        return start(support, store, settings, false, ms_logon, mdb);
    }

    STDMETHODIMP SpoolerLogon(LPMAPISUP support, ULONG_PTR, LPSTR, ULONG, LPENTRYID, ULONG, LPCIID,
                              ULONG cb_security, LPBYTE security, LPMAPIERROR *error,
                              LPMSLOGON *ms_logon, LPMDB *mdb) override
    {
        if (!support || !ms_logon || !mdb)
            return MAPI_E_INVALID_PARAMETER;
        if (error)
            *error = nullptr;
        Settings settings;
        HRESULT hr = read_settings(support, alloc_, &settings);
        if (FAILED(hr))
            return hr;
        if (security && cb_security &&
            std::string(reinterpret_cast<char *>(security), cb_security) != settings.store)
            return MAPI_E_LOGON_FAILED; /* the spooler must reach the client's store */
        std::shared_ptr<Store> store;
        hr = open_store(support, settings.store, &store);
        if (FAILED(hr))
            return hr;
        return start(support, store, settings, true, ms_logon, mdb);
    }

    STDMETHODIMP CompareStoreIDs(ULONG cb1, LPENTRYID e1, ULONG cb2, LPENTRYID e2, ULONG,
                                 ULONG *result) override
    {
        if (!result)
            return MAPI_E_INVALID_PARAMETER;
        *result = cb1 == cb2 && e1 && e2 && std::memcmp(e1, e2, cb1) == 0;
        return S_OK;
    }

private:
    /* The store of this name, made empty (with a MAPIUID from MAPI) the first time. */
    HRESULT open_store(LPMAPISUP support, const std::string &name, std::shared_ptr<Store> *out)
    {
        std::lock_guard<std::mutex> hold(lock_);
        auto &store = stores_[name];
        if (!store) {
            auto made = std::make_shared<Store>();
            made->name = name;
            HRESULT hr = support->NewUID(&made->uid);
            if (FAILED(hr))
                return hr;
            store = made;
        }
        *out = store;
        return S_OK;
    }

    /* The logon and store objects, created together; the MAPIUID registered, the status row set. */
    HRESULT start(LPMAPISUP support, std::shared_ptr<Store> store, const Settings &settings,
                  bool spooler, LPMSLOGON *ms_logon, LPMDB *mdb)
    {
        HRESULT hr = support->SetProviderUID(&store->uid, 0);
        if (FAILED(hr))
            return hr;
        SPropValue status[1];
        status[0].ulPropTag = PR_DISPLAY_NAME;
        status[0].dwAlignPad = 0;
        status[0].Value.lpszA = const_cast<LPSTR>("spoolcheck example store");
        support->ModifyStatusRow(1, status, 0);
        auto logon = std::make_shared<example::Logon>(store, settings, support, alloc_, spooler);
        *ms_logon = new_ms_logon(logon);
        *mdb = new_msg_store(logon);
        return S_OK;
    }

    Allocators alloc_;
    std::mutex lock_;
    std::map<std::string, std::shared_ptr<Store>> stores_;
};

} // namespace example

/* The entry point MAPI calls (msproviderinit). A new provider object each time: the object holds
 * context. */
extern "C" __attribute__((visibility("default"))) HRESULT
MSProviderInit(HINSTANCE, LPMALLOC, LPALLOCATEBUFFER allocate, LPALLOCATEMORE more,
               LPFREEBUFFER free_buffer, ULONG, ULONG mapi_version, ULONG *provider_version,
               LPMSPROVIDER *provider)
{
    if (!allocate || !more || !free_buffer || !provider_version || !provider)
        return MAPI_E_INVALID_PARAMETER;
    *provider_version = CURRENT_SPI_VERSION;
    if (mapi_version < CURRENT_SPI_VERSION)
        return MAPI_E_VERSION;
    try {
        *provider = new example::Provider(example::Allocators{allocate, more, free_buffer});
    } catch (...) {
        return MAPI_E_NOT_ENOUGH_MEMORY;
    }
    return S_OK;
}
