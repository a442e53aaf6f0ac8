/*
 * props.cpp: property values in MAPI memory (every buffer a caller receives comes from the
 * MAPIAllocateBuffer MSProviderInit was given, sub-allocations from MAPIAllocateMore), and the
 * store's entry IDs.
 */
#include "example.h"

#include <cstring>

namespace example
{

Value long_value(ULONG tag, ULONG v)
{
    Value x;
    x.tag = tag;
    x.ul = v;
    return x;
}

Value bool_value(ULONG tag, bool v)
{
    return long_value(tag, v ? 1 : 0);
}

Value time_value(ULONG tag, uint64_t v)
{
    Value x;
    x.tag = tag;
    x.time = v;
    return x;
}

Value text_value(ULONG tag, const std::string &v)
{
    Value x;
    x.tag = tag;
    x.text = v;
    return x;
}

Value binary_value(ULONG tag, const std::vector<BYTE> &v)
{
    Value x;
    x.tag = tag;
    x.bytes = v;
    return x;
}

Value error_value(ULONG tag, SCODE sc)
{
    return long_value(CHANGE_PROP_TYPE(tag, PT_ERROR), static_cast<ULONG>(sc));
}

HRESULT fill_props(const Allocators &a, const std::vector<Value> &values, LPSPropValue out,
                   void *parent)
{
    for (size_t i = 0; i < values.size(); i++) {
        const Value &v = values[i];
        SPropValue &p = out[i];
        p.ulPropTag = v.tag;
        p.dwAlignPad = 0;
        switch (PROP_TYPE(v.tag)) {
        case PT_LONG: p.Value.ul = v.ul; break;
        case PT_BOOLEAN: p.Value.b = static_cast<unsigned short>(v.ul != 0); break;
        case PT_ERROR: p.Value.err = static_cast<SCODE>(v.ul); break;
        case PT_SYSTIME:
            p.Value.ft.dwLowDateTime = static_cast<DWORD>(v.time);
            p.Value.ft.dwHighDateTime = static_cast<DWORD>(v.time >> 32);
            break;
        case PT_STRING8: {
            void *text = nullptr;
            if (a.more(static_cast<ULONG>(v.text.size() + 1), parent, &text) != S_OK)
                return MAPI_E_NOT_ENOUGH_MEMORY;
            std::memcpy(text, v.text.c_str(), v.text.size() + 1);
            p.Value.lpszA = static_cast<LPSTR>(text);
            break;
        }
        case PT_BINARY: {
            void *bytes = nullptr;
            if (a.more(static_cast<ULONG>(v.bytes.size() ? v.bytes.size() : 1), parent, &bytes) !=
                S_OK)
                return MAPI_E_NOT_ENOUGH_MEMORY;
            if (!v.bytes.empty())
                std::memcpy(bytes, v.bytes.data(), v.bytes.size());
            p.Value.bin.cb = static_cast<ULONG>(v.bytes.size());
            p.Value.bin.lpb = static_cast<LPBYTE>(bytes);
            break;
        }
        default: p.ulPropTag = CHANGE_PROP_TYPE(v.tag, PT_ERROR); p.Value.err = MAPI_E_INVALID_TYPE;
        }
    }
    return S_OK;
}

HRESULT to_mapi(const Allocators &a, const std::vector<Value> &values, ULONG *count,
                LPSPropValue *props)
{
    void *buffer = nullptr;
    size_t n = values.empty() ? 1 : values.size();
    if (a.allocate(static_cast<ULONG>(n * sizeof(SPropValue)), &buffer) != S_OK)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    auto *out = static_cast<LPSPropValue>(buffer);
    HRESULT hr = fill_props(a, values, out, buffer);
    if (hr != S_OK) {
        a.free(buffer);
        return hr;
    }
    *count = static_cast<ULONG>(values.size());
    *props = out;
    return S_OK;
}

HRESULT get_props(const Allocators &a, const std::vector<Value> &have, LPSPropTagArray tags,
                  ULONG *count, LPSPropValue *props)
{
    if (!count || !props)
        return MAPI_E_INVALID_PARAMETER;
    if (!tags)
        return to_mapi(a, have, count, props);
    std::vector<Value> out;
    bool missing = false;
    for (ULONG i = 0; i < tags->cValues; i++) {
        ULONG tag = tags->aulPropTag[i];
        const Value *found = nullptr;
        for (const Value &v : have)
            if (PROP_ID(v.tag) == PROP_ID(tag) &&
                (PROP_TYPE(tag) == PT_UNSPECIFIED || PROP_TYPE(tag) == PROP_TYPE(v.tag)))
                found = &v;
        if (found) {
            out.push_back(*found);
        } else {
            out.push_back(error_value(tag, MAPI_E_NOT_FOUND));
            missing = true;
        }
    }
    HRESULT hr = to_mapi(a, out, count, props);
    if (hr != S_OK)
        return hr;
    return missing ? MAPI_W_ERRORS_RETURNED : S_OK;
}

const SPropValue *find_prop(ULONG count, const SPropValue *props, ULONG tag)
{
    for (ULONG i = 0; props && i < count; i++)
        if (props[i].ulPropTag == tag)
            return &props[i];
    return nullptr;
}

/* ---- Entry IDs ------------------------------------------------------------------------------ */

static const size_t ENTRY_ID_SIZE = 4 + sizeof(MAPIUID) + 4 + 4;

static void put32(BYTE *at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        at[i] = static_cast<BYTE>(v >> (8 * i));
}

static uint32_t get32(const BYTE *at)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= static_cast<uint32_t>(at[i]) << (8 * i);
    return v;
}

Bytes make_entry_id(const MAPIUID &store, Kind kind, uint32_t number)
{
    Bytes id(ENTRY_ID_SIZE, 0);
    std::memcpy(&id[4], store.ab, sizeof store.ab);
    put32(&id[4 + sizeof store.ab], static_cast<uint32_t>(kind));
    put32(&id[8 + sizeof store.ab], number);
    return id;
}

/* False for bytes this store did not make (another store's, or not an entry ID at all). */
bool parse_entry_id(const MAPIUID &store, ULONG cb, const BYTE *eid, Kind *kind, uint32_t *number)
{
    if (!eid || cb != ENTRY_ID_SIZE || std::memcmp(eid + 4, store.ab, sizeof store.ab) != 0)
        return false;
    uint32_t k = get32(eid + 4 + sizeof store.ab);
    if (k < static_cast<uint32_t>(Kind::Root) || k > static_cast<uint32_t>(Kind::Copy))
        return false;
    *kind = static_cast<Kind>(k);
    *number = get32(eid + 8 + sizeof store.ab);
    return true;
}

bool same_iid(REFIID a, const IID &b)
{
    return std::memcmp(&a, &b, sizeof(IID)) == 0;
}

} // namespace example
