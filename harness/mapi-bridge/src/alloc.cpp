/*
 * alloc.cpp: MAPIAllocateBuffer, MAPIAllocateMore and MAPIFreeBuffer as the harness hands them to
 * MSProviderInit (and IMAPISupport::GetMemAllocRoutines), and the IMalloc it passes too. Every
 * block is tracked, so that what the provider allocated and never freed is reported when its
 * provider object is released, and a free of something MAPI never allocated is counted instead
 * of crashing.
 *
 * The allocator functions take no context, so a block belongs to the instance whose call is
 * running on the allocating thread (set_current_owner); a block allocated on a thread of the
 * provider's own belongs to nobody and is not reported.
 */
#include "bridge.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>

namespace bridge
{

namespace
{

struct Block {
    uint64_t owner = 0;
    size_t size = 0;
    void *root = nullptr; /* the MAPIAllocateBuffer block a MAPIAllocateMore block hangs on */
    std::vector<void *> children;
};

std::mutex lock;
std::unordered_map<void *, Block> blocks;        /* MAPIAllocateBuffer / MAPIAllocateMore */
std::unordered_map<void *, Block> malloc_blocks; /* IMalloc */
std::map<uint64_t, uint64_t> bad_frees;          /* frees of pointers MAPI never gave out */
thread_local uint64_t owner_on_thread = 0;

} // namespace

void set_current_owner(uint64_t owner)
{
    owner_on_thread = owner;
}
uint64_t current_owner()
{
    return owner_on_thread;
}

SCODE STDMETHODCALLTYPE allocate_buffer(ULONG size, LPVOID *out)
{
    if (!out)
        return MAPI_E_INVALID_PARAMETER;
    void *p = std::malloc(size ? size : 1);
    if (!p)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    std::lock_guard<std::mutex> hold(lock);
    Block b;
    b.owner = owner_on_thread;
    b.size = size;
    blocks[p] = std::move(b);
    *out = p;
    return S_OK;
}

SCODE STDMETHODCALLTYPE allocate_more(ULONG size, LPVOID parent, LPVOID *out)
{
    if (!out)
        return MAPI_E_INVALID_PARAMETER;
    std::lock_guard<std::mutex> hold(lock);
    auto it = blocks.find(parent);
    if (it == blocks.end()) {
        bad_frees[owner_on_thread]++;
        return MAPI_E_INVALID_PARAMETER; /* not a buffer of MAPIAllocateBuffer */
    }
    void *root = it->second.root ? it->second.root : parent;
    void *p = std::malloc(size ? size : 1);
    if (!p)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    Block b;
    b.owner = blocks[root].owner;
    b.size = size;
    b.root = root;
    blocks[p] = std::move(b);
    blocks[root].children.push_back(p);
    *out = p;
    return S_OK;
}

ULONG STDAPICALLTYPE free_buffer(LPVOID buffer)
{
    if (!buffer)
        return S_OK;
    std::lock_guard<std::mutex> hold(lock);
    auto it = blocks.find(buffer);
    if (it == blocks.end() || it->second.root) {
        /* Never allocated here, freed twice, or a MAPIAllocateMore block freed on its own. */
        bad_frees[owner_on_thread]++;
        return S_OK;
    }
    for (void *child : it->second.children) {
        blocks.erase(child);
        std::free(child);
    }
    blocks.erase(it);
    std::free(buffer);
    return S_OK;
}

void mapi_free(void *p)
{
    free_buffer(p);
}

Leaks take_leaks(uint64_t owner)
{
    std::lock_guard<std::mutex> hold(lock);
    Leaks l;
    for (auto &entry : blocks) {
        Block &b = entry.second;
        if (b.owner != owner)
            continue;
        if (!b.root)
            l.blocks++;
        l.bytes += b.size;
        b.owner = 0; /* counted once */
    }
    for (auto &entry : malloc_blocks)
        if (entry.second.owner == owner) {
            l.malloc_blocks++;
            entry.second.owner = 0;
        }
    l.bad_frees = bad_frees[owner];
    bad_frees.erase(owner);
    return l;
}

/* ---- IMalloc -------------------------------------------------------------------------------- */

namespace
{

class Malloc final : public IMalloc
{
public:
    STDMETHODIMP QueryInterface(REFIID riid, void **out) override
    {
        if (!out)
            return MAPI_E_INVALID_PARAMETER;
        if (same_iid(riid, IID_IMalloc) || same_iid(riid, IID_IUnknown)) {
            AddRef();
            *out = static_cast<IMalloc *>(this);
            return S_OK;
        }
        *out = nullptr;
        return MAPI_E_INTERFACE_NOT_SUPPORTED;
    }
    STDMETHODIMP_(ULONG) AddRef() override { return ++refs_; }
    STDMETHODIMP_(ULONG) Release() override
    {
        ULONG left = --refs_;
        if (left == 0)
            delete this;
        return left;
    }
    STDMETHODIMP_(void *) Alloc(SIZE_T cb) override
    {
        void *p = std::malloc(cb ? cb : 1);
        if (p) {
            std::lock_guard<std::mutex> hold(lock);
            Block b;
            b.owner = owner_on_thread;
            b.size = cb;
            malloc_blocks[p] = std::move(b);
        }
        return p;
    }
    STDMETHODIMP_(void *) Realloc(void *pv, SIZE_T cb) override
    {
        if (!pv)
            return Alloc(cb);
        std::lock_guard<std::mutex> hold(lock);
        auto it = malloc_blocks.find(pv);
        if (it == malloc_blocks.end())
            return nullptr;
        void *p = std::realloc(pv, cb ? cb : 1);
        if (!p)
            return nullptr;
        Block b = it->second;
        b.size = cb;
        malloc_blocks.erase(it);
        malloc_blocks[p] = std::move(b);
        return p;
    }
    STDMETHODIMP_(void) Free(void *pv) override
    {
        if (!pv)
            return;
        std::lock_guard<std::mutex> hold(lock);
        auto it = malloc_blocks.find(pv);
        if (it == malloc_blocks.end()) {
            bad_frees[owner_on_thread]++;
            return;
        }
        malloc_blocks.erase(it);
        std::free(pv);
    }
    STDMETHODIMP_(SIZE_T) GetSize(void *pv) override
    {
        std::lock_guard<std::mutex> hold(lock);
        auto it = malloc_blocks.find(pv);
        return it == malloc_blocks.end() ? static_cast<SIZE_T>(-1) : it->second.size;
    }
    STDMETHODIMP_(int) DidAlloc(void *pv) override
    {
        std::lock_guard<std::mutex> hold(lock);
        return malloc_blocks.count(pv) ? 1 : 0;
    }
    STDMETHODIMP_(void) HeapMinimize() override {}

private:
    std::atomic<ULONG> refs_{1};
};

} // namespace

LPMALLOC new_malloc()
{
    return new Malloc();
}

} // namespace bridge
