/*
 * entryid.cpp: the PR_ENTRYID values of recipient rows. The bridge is MAPI's address book to the
 * provider, so it defines the entry IDs of the suite's address-book entries, and it writes one-off
 * entry IDs in MAPI's own format. Both are plain bytes (a store keeps them as PT_BINARY without
 * looking inside), and each decodes back to exactly what was encoded, or not at all.
 *
 * The bridge's address-book entry ID, 28 bytes, integers little-endian:
 *
 *   offset  size  value
 *        0     4  00 00 00 00        abFlags: a long-term entry ID, as every stored one is
 *        4    16  "spoolcheck book"  the bridge's address-book MAPIUID: the 15 ASCII bytes and a 0
 *       20     4  object type        MAPI_MAILUSER (6) for a person, MAPI_DISTLIST (8) for a list
 *       24     4  number             the entry's number in the suite's address book, from 1
 *
 * A one-off entry ID ("One-off entry identifiers" in the MAPI reference), as CreateOneOff with
 * MAPI_UNICODE makes it:
 *
 *   offset  size  value
 *        0     4  00 00 00 00        abFlags
 *        4    16  81 2B 1F A4 BE A3 10 19 9D 6E 00 DD 01 0F 54 02   MAPI's one-off MAPIUID
 *       20     2  0x0000             version
 *       22     2  0x8000             flags: MAPI_ONE_OFF_UNICODE
 *       24        display name, address type, address: each UTF-16LE, NUL-terminated
 *
 * The bridge writes the Unicode form because the suite's strings are UTF-8: the 8-bit form holds
 * strings in a code page the entry ID does not name, so reading it back would be a guess.
 */
#include "bridge.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace bridge
{

namespace
{

const size_t FLAGS_SIZE = 4;
const size_t UID_SIZE = 16;
const size_t BOOK_ENTRY_ID_SIZE = FLAGS_SIZE + UID_SIZE + 4 + 4;
const size_t ONE_OFF_HEADER_SIZE = FLAGS_SIZE + UID_SIZE + 2 + 2;

const BYTE BOOK_UID[UID_SIZE] = {'s', 'p', 'o', 'o', 'l', 'c', 'h', 'e',
                                 'c', 'k', ' ', 'b', 'o', 'o', 'k', 0};
/* MAPI's constants of the one-off format (MAPI_ONE_OFF_UID, MAPI_ONE_OFF_UNICODE), under the
 * bridge's own names: a header set may spell them differently, the bytes are the format's. */
const BYTE ONE_OFF_UID[UID_SIZE] = {0x81, 0x2B, 0x1F, 0xA4, 0xBE, 0xA3, 0x10, 0x19,
                                    0x9D, 0x6E, 0x00, 0xDD, 0x01, 0x0F, 0x54, 0x02};
const uint16_t ONE_OFF_VERSION = 0x0000;
const uint16_t ONE_OFF_UNICODE = 0x8000;

void put_u16(Bytes &out, uint16_t v)
{
    out.push_back(static_cast<BYTE>(v & 0xFF));
    out.push_back(static_cast<BYTE>(v >> 8));
}

void put_u32(Bytes &out, uint32_t v)
{
    for (int shift = 0; shift < 32; shift += 8)
        out.push_back(static_cast<BYTE>((v >> shift) & 0xFF));
}

uint16_t get_u16(const Bytes &in, size_t at)
{
    return static_cast<uint16_t>(in[at] | (in[at + 1] << 8));
}

uint32_t get_u32(const Bytes &in, size_t at)
{
    return static_cast<uint32_t>(in[at]) | (static_cast<uint32_t>(in[at + 1]) << 8) |
           (static_cast<uint32_t>(in[at + 2]) << 16) | (static_cast<uint32_t>(in[at + 3]) << 24);
}

/* The flags and MAPIUID every entry ID starts with. */
Bytes header(const BYTE (&uid)[UID_SIZE])
{
    Bytes out(FLAGS_SIZE + UID_SIZE, 0);
    std::memcpy(out.data() + FLAGS_SIZE, uid, UID_SIZE);
    return out;
}

bool has_uid(const Bytes &eid, const BYTE (&uid)[UID_SIZE])
{
    return eid.size() >= FLAGS_SIZE + UID_SIZE &&
           std::memcmp(eid.data() + FLAGS_SIZE, uid, UID_SIZE) == 0;
}

std::string hex_bytes(const BYTE *p, size_t n)
{
    std::string out;
    char pair[3];
    for (size_t i = 0; i < n; i++) {
        std::snprintf(pair, sizeof pair, "%02X", p[i]);
        out += pair;
    }
    return out;
}

/* ---- UTF-8 and UTF-16 ------------------------------------------------------------------------ */

/* How many bytes a UTF-8 sequence with this first byte has; 0 if no sequence starts with it. */
size_t utf8_length(unsigned char lead)
{
    if (lead < 0x80)
        return 1;
    if ((lead & 0xE0) == 0xC0)
        return 2;
    if ((lead & 0xF0) == 0xE0)
        return 3;
    if ((lead & 0xF8) == 0xF0)
        return 4;
    return 0;
}

/* The code points of a UTF-8 string; `what` names it when its bytes are not UTF-8 (a truncated
 * or overlong sequence, a surrogate, a value past U+10FFFF). */
std::vector<uint32_t> code_points(const std::string &s, const char *what)
{
    const uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000}; /* by sequence length */
    auto bad = [&] { return Failure(std::string(what) + " is not UTF-8"); };
    std::vector<uint32_t> out;
    size_t i = 0;
    while (i < s.size()) {
        unsigned char lead = static_cast<unsigned char>(s[i]);
        size_t length = utf8_length(lead);
        if (length == 0 || i + length > s.size())
            throw bad();
        uint32_t cp = length == 1 ? lead : lead & (0x7F >> length);
        for (size_t k = 1; k < length; k++) {
            unsigned char next = static_cast<unsigned char>(s[i + k]);
            if ((next & 0xC0) != 0x80)
                throw bad();
            cp = (cp << 6) | (next & 0x3F);
        }
        if (cp < smallest[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            throw bad();
        out.push_back(cp);
        i += length;
    }
    return out;
}

/* A UTF-8 string as UTF-16LE with its NUL terminator, appended to `out`. */
void put_utf16(Bytes &out, const std::string &s, const char *what)
{
    for (uint32_t cp : code_points(s, what)) {
        if (cp < 0x10000) {
            put_u16(out, static_cast<uint16_t>(cp));
        } else {
            cp -= 0x10000;
            put_u16(out, static_cast<uint16_t>(0xD800 | (cp >> 10)));
            put_u16(out, static_cast<uint16_t>(0xDC00 | (cp & 0x3FF)));
        }
    }
    put_u16(out, 0);
}

void put_utf8(std::string &out, uint32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

/* The NUL-terminated UTF-16LE string at `*at`, as UTF-8; `*at` moves past its terminator. Returns
 * false when the bytes end first or hold a surrogate that is not half of a pair. */
bool take_utf16(const Bytes &in, size_t *at, std::string *out)
{
    out->clear();
    for (;;) {
        if (*at + 2 > in.size())
            return false;
        uint32_t unit = get_u16(in, *at);
        *at += 2;
        if (unit == 0)
            return true;
        if (unit >= 0xDC00 && unit <= 0xDFFF)
            return false;
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            if (*at + 2 > in.size())
                return false;
            uint32_t low = get_u16(in, *at);
            if (low < 0xDC00 || low > 0xDFFF)
                return false;
            *at += 2;
            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
        }
        put_utf8(*out, unit);
    }
}

/* ---- Decoding -------------------------------------------------------------------------------- */

EntryId decode_book(const Bytes &eid)
{
    if (eid.size() != BOOK_ENTRY_ID_SIZE)
        throw Failure("an entry ID of the bridge's address book of " + std::to_string(eid.size()) +
                      " bytes (they are " + std::to_string(BOOK_ENTRY_ID_SIZE) + ")");
    uint32_t type = get_u32(eid, FLAGS_SIZE + UID_SIZE);
    uint32_t number = get_u32(eid, FLAGS_SIZE + UID_SIZE + 4);
    if (type != MAPI_MAILUSER && type != MAPI_DISTLIST)
        throw Failure("an entry ID of the bridge's address book with object type " +
                      std::to_string(type) + ", neither MAPI_MAILUSER nor MAPI_DISTLIST");
    if (number == 0)
        throw Failure("an entry ID of the bridge's address book naming entry 0 (entries are "
                      "numbered from 1)");
    EntryId out;
    out.entry.kind = type == MAPI_MAILUSER ? SPOOLCHECK_ENTRY_PERSON : SPOOLCHECK_ENTRY_LIST;
    out.entry.id = number;
    return out;
}

EntryId decode_one_off(const Bytes &eid)
{
    if (eid.size() < ONE_OFF_HEADER_SIZE)
        throw Failure("a one-off entry ID that ends inside its header");
    uint16_t version = get_u16(eid, FLAGS_SIZE + UID_SIZE);
    uint16_t flags = get_u16(eid, FLAGS_SIZE + UID_SIZE + 2);
    if (version != ONE_OFF_VERSION)
        throw Failure("a one-off entry ID of version " + std::to_string(version) +
                      " (the format has version 0)");
    /* The other flag bits say how to send to the recipient, not how the entry ID is laid out. */
    if (!(flags & ONE_OFF_UNICODE))
        throw Failure("a one-off entry ID with 8-bit strings (no MAPI_ONE_OFF_UNICODE): their "
                      "code page is not recorded, and the bridge writes and reads the Unicode "
                      "form only");
    EntryId out;
    out.entry.kind = SPOOLCHECK_ENTRY_ONE_OFF;
    size_t at = ONE_OFF_HEADER_SIZE;
    if (!take_utf16(eid, &at, &out.name) || !take_utf16(eid, &at, &out.addr_type) ||
        !take_utf16(eid, &at, &out.email))
        throw Failure("a one-off entry ID whose display name, address type and address are not "
                      "three NUL-terminated UTF-16 strings");
    if (at != eid.size())
        throw Failure("a one-off entry ID with bytes after its address (" +
                      std::to_string(eid.size() - at) + " of them)");
    return out;
}

} // namespace

Bytes book_entry_id(const spoolcheck_entry &entry)
{
    if (entry.id == 0)
        throw Failure("address-book entry 0 (entries are numbered from 1)");
    Bytes out = header(BOOK_UID);
    put_u32(out, entry.kind == SPOOLCHECK_ENTRY_LIST ? MAPI_DISTLIST : MAPI_MAILUSER);
    put_u32(out, entry.id);
    return out;
}

Bytes one_off_entry_id(const std::string &name, const std::string &addr_type,
                       const std::string &email)
{
    Bytes out = header(ONE_OFF_UID);
    put_u16(out, ONE_OFF_VERSION);
    put_u16(out, ONE_OFF_UNICODE);
    put_utf16(out, name, "the display name");
    put_utf16(out, addr_type, "the address type");
    put_utf16(out, email, "the address");
    return out;
}

EntryId decode_entry_id(const Bytes &eid)
{
    try {
        if (eid.size() < FLAGS_SIZE + UID_SIZE)
            throw Failure("too short for an entry ID's flags and MAPIUID");
        if (get_u32(eid, 0) != 0)
            throw Failure("a short-term entry ID (its flags are not 00000000), which no stored "
                          "property holds");
        if (has_uid(eid, BOOK_UID))
            return decode_book(eid);
        if (has_uid(eid, ONE_OFF_UID))
            return decode_one_off(eid);
        throw Failure("an entry ID of provider " + hex_bytes(eid.data() + FLAGS_SIZE, UID_SIZE) +
                      ", neither the bridge's address book nor MAPI's one-off provider");
    } catch (const Failure &e) {
        const size_t shown = 64;
        std::string bytes =
            hex_bytes(eid.data(), std::min(eid.size(), shown)) + (eid.size() > shown ? "..." : "");
        throw Failure("PR_ENTRYID " + bytes + " is " + e.what());
    }
}

/* ---- Wide strings (PT_UNICODE) ------------------------------------------------------------ */

std::wstring wide_from_utf8(const std::string &s, const char *what)
{
    std::wstring out;
    for (uint32_t cp : code_points(s, what)) {
        if (sizeof(wchar_t) == 2 && cp >= 0x10000) {
            /* Windows' WCHAR is a UTF-16 unit: a surrogate pair. */
            cp -= 0x10000;
            out += static_cast<wchar_t>(0xD800 | (cp >> 10));
            out += static_cast<wchar_t>(0xDC00 | (cp & 0x3FF));
        } else {
            out += static_cast<wchar_t>(cp);
        }
    }
    return out;
}

std::string utf8_from_wide(const wchar_t *w)
{
    std::string out;
    for (; w && *w; w++) {
        uint32_t unit = static_cast<uint32_t>(*w);
        if (sizeof(wchar_t) == 2 && unit >= 0xD800 && unit <= 0xDBFF && w[1] >= 0xDC00 &&
            static_cast<uint32_t>(w[1]) <= 0xDFFF) {
            unit = 0x10000 + ((unit - 0xD800) << 10) + (static_cast<uint32_t>(w[1]) - 0xDC00);
            w++;
        }
        /* A lone surrogate or a value past U+10FFFF is no character: U+FFFD stands for it. */
        if ((unit >= 0xD800 && unit <= 0xDFFF) || unit > 0x10FFFF)
            unit = 0xFFFD;
        put_utf8(out, unit);
    }
    return out;
}

} // namespace bridge
