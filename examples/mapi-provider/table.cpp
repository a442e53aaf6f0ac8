/*
 * table.cpp: IMAPITable over rows the store computes when they are read (contents, recipient and
 * outgoing queue tables), with a column set, a cursor, and Advise through MAPI's notification
 * engine for the tables that have a notification key (the outgoing queue's).
 */
#include "example.h"

#include <algorithm>

namespace example
{

class Table : public IMAPITable, public RefCounted
{
public:
    using Rows = std::vector<std::vector<Value>> (*)(Act &, uint32_t);

    Table(std::shared_ptr<Logon> l, std::vector<ULONG> columns, Rows rows, uint32_t arg,
          NOTIFKEY *key)
        : logon_(std::move(l)), columns_(std::move(columns)), rows_(rows), arg_(arg), key_(key)
    {
    }

    ~Table() override
    {
        for (ULONG connection : connections_)
            logon_->support->Unsubscribe(connection);
    }

    STDMETHODIMP QueryInterface(REFIID riid, void **out) override
    {
        if (!out)
            return MAPI_E_INVALID_PARAMETER;
        if (same_iid(riid, IID_IMAPITable) || same_iid(riid, IID_IUnknown)) {
            AddRef();
            *out = static_cast<IMAPITable *>(this);
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
    STDMETHODIMP Advise(ULONG mask, LPMAPIADVISESINK sink, ULONG *connection) override
    {
        if (!key_)
            return MAPI_E_NO_SUPPORT;
        if (!sink || !connection)
            return MAPI_E_INVALID_PARAMETER;
        HRESULT hr =
            logon_->support->Subscribe(key_, mask & fnevTableModified, 0, sink, connection);
        if (SUCCEEDED(hr))
            connections_.push_back(*connection);
        return hr;
    }
    STDMETHODIMP Unadvise(ULONG connection) override
    {
        for (auto it = connections_.begin(); it != connections_.end(); ++it)
            if (*it == connection) {
                connections_.erase(it);
                return logon_->support->Unsubscribe(connection);
            }
        return MAPI_E_NOT_FOUND;
    }
    STDMETHODIMP GetStatus(ULONG *status, ULONG *type) override
    {
        if (!status || !type)
            return MAPI_E_INVALID_PARAMETER;
        *status = TBLSTAT_COMPLETE;
        *type = TBLTYPE_DYNAMIC;
        return S_OK;
    }
    STDMETHODIMP SetColumns(LPSPropTagArray tags, ULONG) override
    {
        if (!tags)
            return MAPI_E_INVALID_PARAMETER;
        columns_.assign(tags->aulPropTag, tags->aulPropTag + tags->cValues);
        return S_OK;
    }
    STDMETHODIMP QueryColumns(ULONG, LPSPropTagArray *out) override
    {
        if (!out)
            return MAPI_E_INVALID_PARAMETER;
        void *buffer = nullptr;
        if (logon_->alloc.allocate(static_cast<ULONG>(CbNewSPropTagArray(columns_.size())),
                                   &buffer) != S_OK)
            return MAPI_E_NOT_ENOUGH_MEMORY;
        auto *tags = static_cast<LPSPropTagArray>(buffer);
        tags->cValues = static_cast<ULONG>(columns_.size());
        for (size_t i = 0; i < columns_.size(); i++)
            tags->aulPropTag[i] = columns_[i];
        *out = tags;
        return S_OK;
    }
    STDMETHODIMP GetRowCount(ULONG, ULONG *count) override
    {
        if (!count)
            return MAPI_E_INVALID_PARAMETER;
        Act a = logon_->act();
        *count = static_cast<ULONG>(rows_(a, arg_).size());
        return S_OK;
    }
    STDMETHODIMP SeekRow(BOOKMARK origin, LONG count, LONG *sought) override
    {
        if (origin != BOOKMARK_BEGINNING && origin != BOOKMARK_CURRENT)
            return MAPI_E_NO_SUPPORT;
        Act a = logon_->act();
        LONG total = static_cast<LONG>(rows_(a, arg_).size());
        LONG from = origin == BOOKMARK_BEGINNING ? 0 : static_cast<LONG>(position_);
        LONG to = std::max<LONG>(0, std::min<LONG>(total, from + count));
        position_ = static_cast<size_t>(to);
        if (sought)
            *sought = to - from;
        return S_OK;
    }
    STDMETHODIMP SeekRowApprox(ULONG, ULONG) override { return MAPI_E_NO_SUPPORT; }
    STDMETHODIMP QueryPosition(ULONG *row, ULONG *num, ULONG *den) override
    {
        if (!row || !num || !den)
            return MAPI_E_INVALID_PARAMETER;
        *row = static_cast<ULONG>(position_);
        *num = *row;
        *den = 1;
        return S_OK;
    }
    STDMETHODIMP FindRow(LPSRestriction, BOOKMARK, ULONG) override { return MAPI_E_NO_SUPPORT; }
    STDMETHODIMP Restrict(LPSRestriction, ULONG) override { return MAPI_E_NO_SUPPORT; }
    STDMETHODIMP CreateBookmark(BOOKMARK *) override { return MAPI_E_NO_SUPPORT; }
    STDMETHODIMP FreeBookmark(BOOKMARK) override { return MAPI_E_NO_SUPPORT; }
    STDMETHODIMP SortTable(LPSSortOrderSet, ULONG) override { return MAPI_E_NO_SUPPORT; }
    STDMETHODIMP QuerySortOrder(LPSSortOrderSet *) override { return MAPI_E_NO_SUPPORT; }

    /* The rows from the cursor on, with the current columns; a column a row lacks is PT_ERROR. */
    STDMETHODIMP QueryRows(LONG count, ULONG flags, LPSRowSet *out) override
    {
        if (!out || count < 0)
            return MAPI_E_INVALID_PARAMETER;
        Act a = logon_->act();
        std::vector<std::vector<Value>> all = rows_(a, arg_);
        size_t from = std::min(position_, all.size());
        size_t n = std::min(all.size() - from, static_cast<size_t>(count));
        const Allocators &mem = logon_->alloc;
        void *buffer = nullptr;
        if (mem.allocate(static_cast<ULONG>(CbNewSRowSet(n ? n : 1)), &buffer) != S_OK)
            return MAPI_E_NOT_ENOUGH_MEMORY;
        auto *set = static_cast<LPSRowSet>(buffer);
        set->cRows = 0;
        for (size_t i = 0; i < n; i++) {
            std::vector<Value> row;
            for (ULONG tag : columns_) {
                const Value *found = nullptr;
                for (const Value &v : all[from + i])
                    if (PROP_ID(v.tag) == PROP_ID(tag))
                        found = &v;
                row.push_back(found ? *found : error_value(tag, MAPI_E_NOT_FOUND));
            }
            SRow &r = set->aRow[i];
            r.ulAdrEntryPad = 0;
            if (to_mapi(mem, row, &r.cValues, &r.lpProps) != S_OK) {
                for (size_t j = 0; j < i; j++)
                    mem.free(set->aRow[j].lpProps);
                mem.free(set);
                return MAPI_E_NOT_ENOUGH_MEMORY;
            }
            set->cRows++;
        }
        if (!(flags & TBL_NOADVANCE))
            position_ = from + n;
        *out = set;
        return S_OK;
    }
    STDMETHODIMP Abort() override { return S_OK; }
    STDMETHODIMP ExpandRow(ULONG, LPBYTE, ULONG, ULONG, LPSRowSet *, ULONG *) override
    {
        return MAPI_E_NO_SUPPORT;
    }
    STDMETHODIMP CollapseRow(ULONG, LPBYTE, ULONG, ULONG *) override { return MAPI_E_NO_SUPPORT; }
    STDMETHODIMP WaitForCompletion(ULONG, ULONG, ULONG *status) override
    {
        if (status)
            *status = TBLSTAT_COMPLETE;
        return S_OK;
    }
    STDMETHODIMP GetCollapseState(ULONG, ULONG, LPBYTE, ULONG *, LPBYTE *) override
    {
        return MAPI_E_NO_SUPPORT;
    }
    STDMETHODIMP SetCollapseState(ULONG, ULONG, LPBYTE, BOOKMARK *) override
    {
        return MAPI_E_NO_SUPPORT;
    }

private:
    std::shared_ptr<Logon> logon_;
    std::vector<ULONG> columns_;
    Rows rows_;
    uint32_t arg_;
    NOTIFKEY *key_;
    size_t position_ = 0;
    std::vector<ULONG> connections_;
};

IMAPITable *new_table(std::shared_ptr<Logon> logon, std::vector<ULONG> columns,
                      std::vector<std::vector<Value>> (*rows)(Act &, uint32_t), uint32_t arg,
                      NOTIFKEY *advise_key)
{
    return new Table(std::move(logon), std::move(columns), rows, arg, advise_key);
}

} // namespace example
