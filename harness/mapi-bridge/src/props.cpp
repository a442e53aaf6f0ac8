/*
 * props.cpp: reading properties and table rows from the provider's objects, freeing what the
 * provider allocated for the harness (MAPI's conventions: a GetProps result is one buffer; each
 * row of a row set and the set itself are separate buffers), names of codes and interfaces, and
 * the notes file.
 */
#include "bridge.h"

#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace bridge
{

std::string hex(HRESULT hr)
{
    char text[16];
    std::snprintf(text, sizeof text, "0x%08X", static_cast<unsigned>(hr));
    return text;
}

std::string hr_name(HRESULT hr)
{
    static const struct {
        HRESULT hr;
        const char *name;
    } names[] = {
        {S_OK, "S_OK"},
        {MAPI_E_CALL_FAILED, "MAPI_E_CALL_FAILED"},
        {MAPI_E_NOT_ENOUGH_MEMORY, "MAPI_E_NOT_ENOUGH_MEMORY"},
        {MAPI_E_INVALID_PARAMETER, "MAPI_E_INVALID_PARAMETER"},
        {MAPI_E_INTERFACE_NOT_SUPPORTED, "MAPI_E_INTERFACE_NOT_SUPPORTED"},
        {MAPI_E_NO_ACCESS, "MAPI_E_NO_ACCESS"},
        {MAPI_E_NO_SUPPORT, "MAPI_E_NO_SUPPORT"},
        {MAPI_E_INVALID_ENTRYID, "MAPI_E_INVALID_ENTRYID"},
        {MAPI_E_NOT_FOUND, "MAPI_E_NOT_FOUND"},
        {MAPI_E_VERSION, "MAPI_E_VERSION"},
        {MAPI_E_LOGON_FAILED, "MAPI_E_LOGON_FAILED"},
        {MAPI_E_UNCONFIGURED, "MAPI_E_UNCONFIGURED"},
        {MAPI_E_OBJECT_DELETED, "MAPI_E_OBJECT_DELETED"},
        {MAPI_W_ERRORS_RETURNED, "MAPI_W_ERRORS_RETURNED"},
    };
    for (const auto &n : names)
        if (n.hr == hr)
            return std::string(n.name) + " (" + hex(hr) + ")";
    return hex(hr);
}

bool same_iid(REFIID a, const IID &b)
{
    return std::memcmp(&a, &b, sizeof(IID)) == 0;
}

std::string iid_name(REFIID iid)
{
    static const struct {
        const IID *iid;
        const char *name;
    } names[] = {
        {&IID_IUnknown, "IID_IUnknown"},
        {&IID_IMAPITable, "IID_IMAPITable"},
        {&IID_IMAPIAdviseSink, "IID_IMAPIAdviseSink"},
        {&IID_IMAPIProp, "IID_IMAPIProp"},
        {&IID_IProfSect, "IID_IProfSect"},
        {&IID_IMAPIStatus, "IID_IMAPIStatus"},
        {&IID_IMsgStore, "IID_IMsgStore"},
        {&IID_IMessage, "IID_IMessage"},
        {&IID_IAddrBook, "IID_IAddrBook"},
        {&IID_IMAPIContainer, "IID_IMAPIContainer"},
        {&IID_IMAPIFolder, "IID_IMAPIFolder"},
        {&IID_IMAPISup, "IID_IMAPISup"},
        {&IID_IMSProvider, "IID_IMSProvider"},
        {&IID_IMSLogon, "IID_IMSLogon"},
    };
    for (const auto &n : names)
        if (same_iid(iid, *n.iid))
            return n.name;
    char text[48];
    std::snprintf(text, sizeof text, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
                  iid.Data1, iid.Data2, iid.Data3, iid.Data4[0], iid.Data4[1], iid.Data4[2],
                  iid.Data4[3], iid.Data4[4], iid.Data4[5], iid.Data4[6], iid.Data4[7]);
    return text;
}

/* ---- Properties --------------------------------------------------------------------------------
 */

TagArray::TagArray(const std::vector<ULONG> &tags)
{
    storage_.push_back(static_cast<ULONG>(tags.size()));
    storage_.insert(storage_.end(), tags.begin(), tags.end());
}

Props::Props(LPMAPIPROP object, const std::vector<ULONG> &tags, const char *)
{
    TagArray array(tags);
    hr_ = object ? object->GetProps(array.get(), 0, &count_, &values_) : MAPI_E_INVALID_PARAMETER;
    if (FAILED(hr_)) {
        count_ = 0;
        values_ = nullptr;
    }
}

Props::~Props()
{
    mapi_free(values_);
}

const SPropValue *Props::get(ULONG tag) const
{
    for (ULONG i = 0; values_ && i < count_; i++)
        if (values_[i].ulPropTag == tag)
            return &values_[i];
    return nullptr;
}

Bytes Props::binary(ULONG tag) const
{
    const SPropValue *v = get(tag);
    if (!v || !v->Value.bin.lpb)
        return Bytes();
    return Bytes(v->Value.bin.lpb, v->Value.bin.lpb + v->Value.bin.cb);
}

std::string Props::text(ULONG tag) const
{
    const SPropValue *v = get(tag);
    return v && v->Value.lpszA ? std::string(v->Value.lpszA) : std::string();
}

const SPropValue *Row::get(ULONG tag) const
{
    for (const SPropValue &v : values)
        if (v.ulPropTag == tag)
            return &v;
    return nullptr;
}

void free_rows(LPSRowSet rows)
{
    if (!rows)
        return;
    for (ULONG i = 0; i < rows->cRows; i++)
        mapi_free(rows->aRow[i].lpProps);
    mapi_free(rows);
}

HRESULT read_rows(LPMAPITABLE table, std::vector<Row> *out)
{
    for (;;) {
        LPSRowSet rows = nullptr;
        HRESULT hr = table->QueryRows(64, 0, &rows);
        if (FAILED(hr))
            return hr;
        if (!rows)
            return MAPI_E_CALL_FAILED;
        ULONG n = rows->cRows;
        /* The rows keep the provider's buffers alive until the last copy goes. */
        std::shared_ptr<void> data(rows, [](void *p) { free_rows(static_cast<LPSRowSet>(p)); });
        for (ULONG i = 0; i < n; i++) {
            Row r;
            r.data = data;
            r.values.assign(rows->aRow[i].lpProps, rows->aRow[i].lpProps + rows->aRow[i].cValues);
            out->push_back(std::move(r));
        }
        if (n == 0)
            return S_OK;
    }
}

/* ---- Notes ----------------------------------------------------------------------------------- */

void Notes::open(const std::string &path)
{
    path_ = path;
}

void Notes::once(const std::string &kind, const std::string &text) noexcept
{
    try {
        bool first;
        {
            std::lock_guard<std::mutex> hold(lock_);
            first = seen_.insert(kind + "\t" + text).second;
        }
        if (first)
            write(kind, text);
    } catch (...) {
        /* Out of memory: the note is lost, the call goes on. */
    }
}

/* One line per note, appended in a single write(2) so that the lines of several processes do not
 * interleave. */
void Notes::write(const std::string &kind, const std::string &text) noexcept
{
    try {
        if (path_.empty())
            return;
        std::string line = kind + "\t" + text + "\n";
        int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return;
        ssize_t written = ::write(fd, line.data(), line.size());
        (void)written;
        ::close(fd);
    } catch (...) {
    }
}

} // namespace bridge
