/*
 * recipients.cpp: the one place the bridge writes and reads recipients: the rows CreateMessage
 * adds with ModifyRecipients, the table MAPI's ExpandRecips leaves (ModifyRecipients with no
 * flag, which replaces every row), the spooler's mark of one row as handled (PR_RESPONSIBILITY
 * TRUE, MODRECIP_MODIFY of the whole row), and the rows the observation reads back. Rows are the
 * recipient table's in its default order; the suite numbers them from 0.
 *
 * A row is PR_RECIPIENT_TYPE, PR_ADDRTYPE, PR_DISPLAY_NAME, PR_EMAIL_ADDRESS and, once it names an
 * entry, PR_ENTRYID (entryid.cpp), with PR_RESPONSIBILITY beside them. Strings are the harness's
 * UTF-8 as they are, in PT_STRING8 properties (the bridge logs on without MAPI_UNICODE).
 */
#include "bridge.h"

#include <cstring>

namespace bridge
{

namespace
{

/* ---- Codes ----------------------------------------------------------------------------------- */

struct AddrTypeName {
    uint32_t code;
    const char *name; /* PR_ADDRTYPE */
};
const AddrTypeName ADDR_TYPES[] = {
    {SPOOLCHECK_ADDR_SMTP, "SMTP"},
    {SPOOLCHECK_ADDR_FAX, "FAX"},
    {SPOOLCHECK_ADDR_X400, "X400"},
    {SPOOLCHECK_ADDR_MAPIPDL, "MAPIPDL"},
};

struct RecipType {
    uint32_t code;
    ULONG mapi; /* PR_RECIPIENT_TYPE */
};
const RecipType RECIP_TYPES[] = {
    {SPOOLCHECK_RECIP_TO, MAPI_TO},
    {SPOOLCHECK_RECIP_CC, MAPI_CC},
    {SPOOLCHECK_RECIP_BCC, MAPI_BCC},
};

/* Each finder returns NULL for a value that is none of the table's. */
const AddrTypeName *addr_type_of_code(uint32_t code)
{
    for (const AddrTypeName &a : ADDR_TYPES)
        if (a.code == code)
            return &a;
    return nullptr;
}

const AddrTypeName *addr_type_of_name(const char *name)
{
    for (const AddrTypeName &a : ADDR_TYPES)
        if (std::strcmp(a.name, name) == 0)
            return &a;
    return nullptr;
}

const RecipType *recip_type_of_code(uint32_t code)
{
    for (const RecipType &t : RECIP_TYPES)
        if (t.code == code)
            return &t;
    return nullptr;
}

const RecipType *recip_type_of_mapi(ULONG mapi)
{
    for (const RecipType &t : RECIP_TYPES)
        if (t.mapi == mapi)
            return &t;
    return nullptr;
}

bool known_entry_kind(uint32_t kind)
{
    return kind >= SPOOLCHECK_ENTRY_UNRESOLVED && kind <= SPOOLCHECK_ENTRY_LIST;
}

/* ---- Writing --------------------------------------------------------------------------------- */

SPropValue prop(ULONG tag)
{
    SPropValue v;
    std::memset(&v, 0, sizeof v);
    v.ulPropTag = tag;
    return v;
}

/* Rows for one ModifyRecipients, in ordinary memory that lives as long as this value:
 * ModifyRecipients reads the list during the call and copies what it keeps. The strings are the
 * operation's own (valid for the call), the entry IDs are kept here. */
class RowList
{
public:
    explicit RowList(const char *what) : what_(what) {}

    /* A row of the harness's; `responsibility` adds PR_RESPONSIBILITY with that value. */
    void add(const spoolcheck_recipient &r, const bool *responsibility = nullptr)
    {
        std::string where = std::string(what_) + ", recipient row " + std::to_string(rows_.size());
        const RecipType *type = recip_type_of_code(r.recip_type);
        const AddrTypeName *addr = addr_type_of_code(r.addr);
        if (!type || !addr || !known_entry_kind(r.entry.kind))
            throw Failure(where + ": codes the bridge does not know (recipient type " +
                          std::to_string(r.recip_type) + ", address type " +
                          std::to_string(r.addr) + ", entry kind " + std::to_string(r.entry.kind) +
                          ")");
        if (!r.name || !r.email)
            throw Failure(where + ": a NULL display name or address");
        std::vector<SPropValue> v;
        v.push_back(prop(PR_RECIPIENT_TYPE));
        v.back().Value.ul = type->mapi;
        v.push_back(prop(PR_ADDRTYPE));
        v.back().Value.lpszA = const_cast<LPSTR>(addr->name);
        v.push_back(prop(PR_DISPLAY_NAME));
        v.back().Value.lpszA = const_cast<LPSTR>(r.name);
        v.push_back(prop(PR_EMAIL_ADDRESS));
        v.back().Value.lpszA = const_cast<LPSTR>(r.email);
        if (r.entry.kind != SPOOLCHECK_ENTRY_UNRESOLVED) {
            entry_ids_.push_back(entry_id(r, addr->name, where));
            v.push_back(prop(PR_ENTRYID));
            v.back().Value.bin.cb = static_cast<ULONG>(entry_ids_.back().size());
            v.back().Value.bin.lpb = entry_ids_.back().data();
        }
        if (responsibility) {
            v.push_back(prop(PR_RESPONSIBILITY));
            v.back().Value.b = *responsibility;
        }
        rows_.push_back(std::move(v));
    }

    /* The list, one property array per row (an ADRENTRY each), as MAPI's ADRLIST has it. */
    LPADRLIST get()
    {
        list_.assign(CbNewADRLIST(rows_.size()), 0);
        auto *adr = reinterpret_cast<LPADRLIST>(list_.data());
        adr->cEntries = static_cast<ULONG>(rows_.size());
        for (size_t i = 0; i < rows_.size(); i++) {
            adr->aEntries[i].ulReserved1 = 0;
            adr->aEntries[i].cValues = static_cast<ULONG>(rows_[i].size());
            adr->aEntries[i].rgPropVals = rows_[i].data();
        }
        return adr;
    }

private:
    static Bytes entry_id(const spoolcheck_recipient &r, const char *addr_type,
                          const std::string &where)
    {
        try {
            if (r.entry.kind == SPOOLCHECK_ENTRY_ONE_OFF)
                return one_off_entry_id(r.name, addr_type, r.email);
            return book_entry_id(r.entry);
        } catch (const Failure &e) {
            throw Failure(where + ": " + e.what());
        }
    }

    const char *what_;
    std::vector<std::vector<SPropValue>> rows_;
    std::deque<Bytes> entry_ids_; /* a deque never moves what it holds */
    std::vector<BYTE> list_;
};

/* ---- Reading --------------------------------------------------------------------------------- */

/* Every property the bridge gives a row, and PR_ROWID, which names the row to ModifyRecipients.
 * A recipient table's default columns need not hold PR_ENTRYID or PR_EMAIL_ADDRESS (they are
 * optional columns), so the bridge asks for these. */
const std::vector<ULONG> &row_columns()
{
    static const std::vector<ULONG> columns{PR_ROWID,         PR_RECIPIENT_TYPE, PR_ADDRTYPE,
                                            PR_DISPLAY_NAME,  PR_EMAIL_ADDRESS,  PR_ENTRYID,
                                            PR_RESPONSIBILITY};
    return columns;
}

/* The recipient table's rows, in its order, with row_columns(). */
HRESULT recipient_rows(LPMESSAGE message, std::vector<Row> *rows)
{
    Ref<IMAPITable> table;
    HRESULT hr = message->GetRecipientTable(0, table.out());
    if (SUCCEEDED(hr)) {
        TagArray columns(row_columns());
        hr = table->SetColumns(columns.get(), 0);
    }
    if (SUCCEEDED(hr))
        hr = read_rows(table.get(), rows);
    return hr;
}

const char *text_of(const Row &row, ULONG tag, const char *name, const std::string &where)
{
    const SPropValue *v = row.get(tag);
    if (!v || !v->Value.lpszA)
        throw Failure(where + ": the row has no " + name);
    return v->Value.lpszA;
}

int8_t responsibility_of(const Row &row)
{
    const SPropValue *v = row.get(PR_RESPONSIBILITY);
    if (!v)
        return SPOOLCHECK_RESPONSIBILITY_ABSENT;
    return v->Value.b ? SPOOLCHECK_RESPONSIBILITY_TRUE : SPOOLCHECK_RESPONSIBILITY_FALSE;
}

/* The entry the row's PR_ENTRYID names: none (UNRESOLVED), a book entry, or a one-off, which
 * must hold the row's own display name, address type and address (the bridge makes it of them). */
spoolcheck_entry entry_of(const Row &row, const char *name, const char *addr_type,
                          const char *email, const std::string &where)
{
    const SPropValue *v = row.get(PR_ENTRYID);
    if (!v)
        return spoolcheck_entry{SPOOLCHECK_ENTRY_UNRESOLVED, 0};
    EntryId e;
    try {
        e = decode_entry_id(Bytes(v->Value.bin.lpb, v->Value.bin.lpb + v->Value.bin.cb));
    } catch (const Failure &f) {
        throw Failure(where + ": " + f.what());
    }
    if (e.entry.kind == SPOOLCHECK_ENTRY_ONE_OFF &&
        (e.name != name || e.addr_type != addr_type || e.email != email))
        throw Failure(where + ": its one-off PR_ENTRYID holds \"" + e.name + "\" <" + e.addr_type +
                      ":" + e.email + ">, the row's properties \"" + name + "\" <" + addr_type +
                      ":" + email + ">");
    return e.entry;
}

} // namespace

bool known_recipients(const spoolcheck_recipient *rows, uint32_t count)
{
    for (uint32_t i = 0; rows && i < count; i++)
        if (!recip_type_of_code(rows[i].recip_type) || !addr_type_of_code(rows[i].addr) ||
            !known_entry_kind(rows[i].entry.kind))
            return false;
    return true;
}

void add_recipients(LPMESSAGE message, const spoolcheck_new_message &m)
{
    if (m.recipient_count == 0)
        return;
    if (!m.recipients)
        throw Failure("CreateMessage: " + std::to_string(m.recipient_count) +
                      " recipient rows and a NULL array");
    RowList list("CreateMessage");
    for (uint32_t i = 0; i < m.recipient_count; i++)
        list.add(m.recipients[i]);
    HRESULT hr = message->ModifyRecipients(MODRECIP_ADD, list.get());
    if (FAILED(hr))
        throw Failure("CreateMessage: IMessage::ModifyRecipients(MODRECIP_ADD) failed with " +
                      hr_name(hr));
}

HRESULT replace_recipients(LPMESSAGE message, const spoolcheck_script &script)
{
    if (script.expanded_count && !script.expanded)
        throw Failure("SubmitMessage's script: " + std::to_string(script.expanded_count) +
                      " expanded rows and a NULL array");
    RowList list("ExpandRecips' table");
    const bool not_handled = false; /* no transport has taken any row yet */
    for (uint32_t i = 0; i < script.expanded_count; i++)
        list.add(script.expanded[i], &not_handled);
    return message->ModifyRecipients(0, list.get());
}

HRESULT mark_responsible(LPMESSAGE message, uint32_t row)
{
    std::vector<Row> rows;
    HRESULT hr = recipient_rows(message, &rows);
    if (FAILED(hr))
        return hr;
    /* MODRECIP_MODIFY replaces all of the row's properties: the row goes back whole, with
     * row_columns() being every property a row of the suite's has. */
    std::vector<SPropValue> values;
    if (row < rows.size()) {
        for (const SPropValue &v : rows[row].values)
            if (PROP_TYPE(v.ulPropTag) != PT_ERROR && v.ulPropTag != PR_RESPONSIBILITY)
                values.push_back(v);
    } else {
        /* A row the message does not have: the store answers for it. */
        values.push_back(prop(PR_ROWID));
        values.back().Value.ul = row;
    }
    values.push_back(prop(PR_RESPONSIBILITY));
    values.back().Value.b = 1;
    std::vector<BYTE> list(CbNewADRLIST(1));
    auto *adr = reinterpret_cast<LPADRLIST>(list.data());
    adr->cEntries = 1;
    adr->aEntries[0].ulReserved1 = 0;
    adr->aEntries[0].cValues = static_cast<ULONG>(values.size());
    adr->aEntries[0].rgPropVals = values.data();
    return message->ModifyRecipients(MODRECIP_MODIFY, adr);
}

RecipientView::RecipientView(LPMESSAGE message, uint32_t number)
{
    std::vector<Row> rows;
    HRESULT hr = recipient_rows(message, &rows);
    std::string what = "observe: message " + std::to_string(number);
    if (FAILED(hr))
        throw Failure(what + ": its recipient table cannot be read: " + hr_name(hr));
    for (const Row &row : rows) {
        std::string where = what + ", recipient row " + std::to_string(rows_.size());
        const SPropValue *type_prop = row.get(PR_RECIPIENT_TYPE);
        const RecipType *type = type_prop ? recip_type_of_mapi(type_prop->Value.ul) : nullptr;
        if (!type)
            throw Failure(where + ": PR_RECIPIENT_TYPE is " +
                          (type_prop ? std::to_string(type_prop->Value.ul) : "missing") +
                          ", not MAPI_TO, MAPI_CC or MAPI_BCC");
        const char *addr_type = text_of(row, PR_ADDRTYPE, "PR_ADDRTYPE", where);
        const AddrTypeName *addr = addr_type_of_name(addr_type);
        if (!addr)
            throw Failure(where + ": PR_ADDRTYPE \"" + addr_type +
                          "\" is none the suite writes (SMTP, FAX, X400, MAPIPDL)");
        const char *name = text_of(row, PR_DISPLAY_NAME, "PR_DISPLAY_NAME", where);
        const char *email = text_of(row, PR_EMAIL_ADDRESS, "PR_EMAIL_ADDRESS", where);
        spoolcheck_recipient r{};
        r.recip_type = type->code;
        r.addr = addr->code;
        r.entry = entry_of(row, name, addr_type, email, where);
        text_.emplace_back(name);
        r.name = text_.back().c_str();
        text_.emplace_back(email);
        r.email = text_.back().c_str();
        rows_.push_back(r);
        responsibility_.push_back(responsibility_of(row));
    }
}

} // namespace bridge
