/*
 * recipients.cpp: the one place the bridge writes and reads recipients: the rows CreateMessage
 * adds with ModifyRecipients, the spooler's mark of one row as handled (PR_RESPONSIBILITY TRUE,
 * MODRECIP_MODIFY of the whole row), and PR_RESPONSIBILITY per row for the observation. Rows are
 * the recipient table's in its default order; the suite numbers them from 0.
 */
#include "bridge.h"

#include <cstring>

namespace bridge
{

namespace
{

const char *addr_type_name(uint32_t code)
{
    switch (code) {
    case SPOOLCHECK_ADDR_SMTP: return "SMTP";
    case SPOOLCHECK_ADDR_FAX: return "FAX";
    case SPOOLCHECK_ADDR_X400: return "X400";
    default:
        throw Failure("CreateMessage: address type code " + std::to_string(code) +
                      " is not SPOOLCHECK_ADDR_*");
    }
}

/* The recipient table's rows, read with the columns the bridge needs. */
HRESULT recipient_rows(LPMESSAGE message, std::vector<Row> *rows)
{
    Ref<IMAPITable> table;
    HRESULT hr = message->GetRecipientTable(0, table.out());
    if (FAILED(hr))
        return hr;
    return read_rows(table.get(), rows);
}

} // namespace

void add_recipients(LPMESSAGE message, const spoolcheck_new_message &m)
{
    if (m.recipient_count == 0)
        return;
    /* One buffer per row, as MAPI's ADRLIST convention has it; the strings live in `text`. */
    std::vector<std::string> text;
    std::vector<std::vector<SPropValue>> props(m.recipient_count);
    text.reserve(m.recipient_count * 3);
    for (uint32_t i = 0; i < m.recipient_count; i++) {
        std::string type = addr_type_name(m.recipients[i]);
        text.push_back("Recipient " + std::to_string(i));
        const char *name = text.back().c_str();
        text.push_back(type);
        const char *addr_type = text.back().c_str();
        text.push_back("recipient" + std::to_string(i) + "@" + type + ".spoolcheck.invalid");
        const char *address = text.back().c_str();
        SPropValue v[4];
        std::memset(v, 0, sizeof v);
        v[0].ulPropTag = PR_DISPLAY_NAME;
        v[0].Value.lpszA = const_cast<LPSTR>(name);
        v[1].ulPropTag = PR_ADDRTYPE;
        v[1].Value.lpszA = const_cast<LPSTR>(addr_type);
        v[2].ulPropTag = PR_EMAIL_ADDRESS;
        v[2].Value.lpszA = const_cast<LPSTR>(address);
        v[3].ulPropTag = PR_RECIPIENT_TYPE;
        v[3].Value.ul = MAPI_TO;
        props[i].assign(v, v + 4);
    }
    std::vector<BYTE> list(CbNewADRLIST(m.recipient_count));
    auto *adr = reinterpret_cast<LPADRLIST>(list.data());
    adr->cEntries = m.recipient_count;
    for (uint32_t i = 0; i < m.recipient_count; i++) {
        adr->aEntries[i].ulReserved1 = 0;
        adr->aEntries[i].cValues = static_cast<ULONG>(props[i].size());
        adr->aEntries[i].rgPropVals = props[i].data();
    }
    HRESULT hr = message->ModifyRecipients(MODRECIP_ADD, adr);
    if (FAILED(hr))
        throw Failure("CreateMessage: IMessage::ModifyRecipients(MODRECIP_ADD) failed with " +
                      hr_name(hr));
}

HRESULT mark_responsible(LPMESSAGE message, uint32_t row)
{
    std::vector<Row> rows;
    HRESULT hr = recipient_rows(message, &rows);
    if (FAILED(hr))
        return hr;
    std::vector<SPropValue> values;
    if (row < rows.size()) {
        for (const SPropValue &v : rows[row].values)
            if (PROP_TYPE(v.ulPropTag) != PT_ERROR && v.ulPropTag != PR_RESPONSIBILITY &&
                v.ulPropTag != PR_INSTANCE_KEY)
                values.push_back(v);
    } else {
        /* A row the message does not have: the store answers for it. */
        SPropValue id;
        std::memset(&id, 0, sizeof id);
        id.ulPropTag = PR_ROWID;
        id.Value.ul = row;
        values.push_back(id);
    }
    SPropValue handled;
    std::memset(&handled, 0, sizeof handled);
    handled.ulPropTag = PR_RESPONSIBILITY;
    handled.Value.b = 1;
    values.push_back(handled);
    std::vector<BYTE> list(CbNewADRLIST(1));
    auto *adr = reinterpret_cast<LPADRLIST>(list.data());
    adr->cEntries = 1;
    adr->aEntries[0].ulReserved1 = 0;
    adr->aEntries[0].cValues = static_cast<ULONG>(values.size());
    adr->aEntries[0].rgPropVals = values.data();
    return message->ModifyRecipients(MODRECIP_MODIFY, adr);
}

std::vector<int8_t> responsibilities(LPMESSAGE message, uint32_t number)
{
    std::vector<Row> rows;
    HRESULT hr = recipient_rows(message, &rows);
    if (FAILED(hr))
        throw Failure("observe: the recipient table of message " + std::to_string(number) +
                      " cannot be read: " + hr_name(hr));
    std::vector<int8_t> out;
    for (const Row &r : rows) {
        const SPropValue *v = r.get(PR_RESPONSIBILITY);
        out.push_back(!v           ? SPOOLCHECK_RESPONSIBILITY_ABSENT
                      : v->Value.b ? SPOOLCHECK_RESPONSIBILITY_TRUE
                                   : SPOOLCHECK_RESPONSIBILITY_FALSE);
    }
    return out;
}

} // namespace bridge
