/*
 * config.cpp: the configuration spoolcheck passes to spoolcheck_create_configured_v2, one setting
 * a line, fields separated by tabs (spoolcheck has read and checked the provider config TOML):
 *
 *   provider <path>          the provider's library
 *   notes    <path>          where the bridge appends its notes (unsupported calls, leaks)
 *   reset    fresh|empty     how a reset starts an empty store (docs/adapters.md)
 *   prop     <tag> <value>   a property of the provider's profile section: the tag in hex, the
 *                            value as text with {reset}, {instance} and {choices.NAME} in it
 */
#include "bridge.h"

#include <cstdlib>
#include <sstream>

namespace bridge
{

static std::vector<std::string> fields(const std::string &line)
{
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        size_t tab = line.find('\t', start);
        out.push_back(line.substr(start, tab == std::string::npos ? tab : tab - start));
        if (tab == std::string::npos)
            return out;
        start = tab + 1;
    }
}

Config parse_config(const std::string &text)
{
    Config c;
    std::istringstream lines(text);
    std::string line;
    int number = 0;
    while (std::getline(lines, line)) {
        number++;
        if (line.empty())
            continue;
        std::vector<std::string> f = fields(line);
        auto bad = [&](const std::string &why) {
            return Failure("bridge configuration line " + std::to_string(number) + ": " + why);
        };
        if (f[0] == "provider" && f.size() == 2) {
            c.provider = f[1];
        } else if (f[0] == "notes" && f.size() == 2) {
            c.notes = f[1];
        } else if (f[0] == "reset" && f.size() == 2 && (f[1] == "fresh" || f[1] == "empty")) {
            c.reset_empty = f[1] == "empty";
        } else if (f[0] == "prop" && f.size() == 3) {
            char *end = nullptr;
            unsigned long tag = std::strtoul(f[1].c_str(), &end, 16);
            if (f[1].empty() || *end != '\0' || tag > 0xFFFFFFFFul)
                throw bad("`" + f[1] + "` is not a property tag in hex");
            c.props.push_back(ConfigProp{static_cast<ULONG>(tag), f[2]});
        } else {
            throw bad("cannot read `" + line + "`");
        }
    }
    if (c.provider.empty())
        throw Failure("the bridge configuration names no provider library (a `provider` line)");
    return c;
}

/* The text of {choices.NAME}, spelled as in choices.toml. */
static bool choice_text(const std::string &name, const spoolcheck_choices &c, std::string *out)
{
    auto flag = [](uint32_t v) { return std::string(v ? "true" : "false"); };
    if (name == "profile")
        *out = c.profile == SPOOLCHECK_PROFILE_SYSTEM ? "system" : "provider";
    else if (name == "submission")
        *out = flag(c.submission);
    else if (name == "prepare_submit")
        *out = c.prepare_submit == SPOOLCHECK_PREPARE_RESEND_ONLY ? "resend-only" : "always";
    else if (name == "enforce_spooler_only")
        *out = flag(c.enforce_spooler_only);
    else if (name == "lock_after_restart")
        *out = c.lock_after_restart == SPOOLCHECK_LOCK_DROPPED ? "dropped"
               : c.lock_after_restart == SPOOLCHECK_LOCK_KEPT  ? "kept"
                                                               : "either";
    else if (name == "tight_coupling.handles") {
        out->clear();
        const char *names[] = {"", "SMTP", "FAX", "X400"};
        for (uint32_t a = SPOOLCHECK_ADDR_SMTP; c.tight_coupling && a <= SPOOLCHECK_ADDR_X400; a++)
            if (c.tc_handles & (1u << a))
                *out += (out->empty() ? "" : ",") + std::string(names[a]);
    } else if (name == "tight_coupling.completion")
        *out = !c.tight_coupling                                ? ""
               : c.tc_completion == SPOOLCHECK_COMPLETION_LOCAL ? "local"
                                                                : "complete-msg";
    else if (name == "disposition_by")
        *out =
            c.disposition_by == SPOOLCHECK_DISPOSITION_BY_DO_SENT_MAIL ? "do-sent-mail" : "store";
    else if (name == "delete_means")
        *out = c.delete_means == SPOOLCHECK_DELETE_TO_DELETED_ITEMS ? "move-to-deleted-items"
                                                                    : "hard-delete";
    else if (name == "sentmail")
        *out = c.sentmail == SPOOLCHECK_SENTMAIL_COPY ? "copy" : "move";
    else
        return false;
    return true;
}

static std::string substitute(const std::string &text, const spoolcheck_choices &choices,
                              const std::string &instance, uint64_t reset)
{
    std::string out;
    size_t at = 0;
    while (at < text.size()) {
        size_t open = text.find('{', at);
        if (open == std::string::npos) {
            out += text.substr(at);
            break;
        }
        size_t close = text.find('}', open);
        if (close == std::string::npos)
            throw Failure("provider config: `" + text + "` has a `{` without its `}`");
        out += text.substr(at, open - at);
        std::string name = text.substr(open + 1, close - open - 1), value;
        if (name == "reset")
            value = std::to_string(reset);
        else if (name == "instance")
            value = instance;
        else if (name.rfind("choices.", 0) != 0 || !choice_text(name.substr(8), choices, &value))
            throw Failure("provider config: unknown placeholder {" + name + "}");
        out += value;
        at = close + 1;
    }
    return out;
}

std::vector<PropValue> resolve_props(const Config &c, const spoolcheck_choices &choices,
                                     const std::string &instance, uint64_t reset)
{
    std::vector<PropValue> out;
    for (const ConfigProp &p : c.props) {
        PropValue v;
        v.tag = p.tag;
        std::string text = substitute(p.text, choices, instance, reset);
        auto bad = [&](const char *what) {
            return Failure("provider config: property " + hex(static_cast<HRESULT>(p.tag)) + ": `" +
                           text + "` is not " + what);
        };
        switch (PROP_TYPE(p.tag)) {
        case PT_STRING8:
        case PT_UNICODE: v.text = text; break;
        case PT_LONG: {
            char *end = nullptr;
            long long n = std::strtoll(text.c_str(), &end, 0);
            if (text.empty() || *end != '\0')
                throw bad("an integer");
            v.ul = static_cast<ULONG>(n);
            break;
        }
        case PT_BOOLEAN:
            if (text == "true" || text == "1")
                v.ul = 1;
            else if (text == "false" || text == "0")
                v.ul = 0;
            else
                throw bad("true or false");
            break;
        case PT_BINARY:
            if (text.size() % 2)
                throw bad("hexadecimal bytes");
            for (size_t i = 0; i < text.size(); i += 2) {
                char *end = nullptr;
                std::string pair = text.substr(i, 2);
                unsigned long b = std::strtoul(pair.c_str(), &end, 16);
                if (*end != '\0')
                    throw bad("hexadecimal bytes");
                v.bytes.push_back(static_cast<BYTE>(b));
            }
            break;
        default:
            throw bad("of a type the harness serves (PT_STRING8, PT_UNICODE, PT_LONG, "
                      "PT_BOOLEAN, PT_BINARY)");
        }
        out.push_back(v);
    }
    return out;
}

} // namespace bridge
