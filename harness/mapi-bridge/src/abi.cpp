/*
 * abi.cpp: the bridge as a spoolcheck C-ABI library (harness/include/spoolcheck.h), and the one
 * function it adds:
 *
 *   void *spoolcheck_create_configured_v2(const char *config, char *error, size_t error_size);
 *
 * which makes an instance from the configuration text spoolcheck passes (config.cpp), or returns
 * NULL with the reason in `error`. The table's own `create` has no configuration and makes none.
 *
 * Every entry point catches every exception: none crosses into the harness.
 */
#include "bridge.h"

#include <cstring>

#define BRIDGE_EXPORT extern "C" __attribute__((visibility("default")))

namespace
{

using bridge::Instance;

/* While a call runs, what the provider allocates is the instance's. */
struct Owner {
    explicit Owner(const Instance *in) { bridge::set_current_owner(in ? in->owner : 0); }
    ~Owner() { bridge::set_current_owner(0); }
};

int32_t fail(Instance *in, int32_t status, const std::string &why)
{
    in->last_error = why;
    return status;
}

template <class F> int32_t run(Instance *in, const char *what, F body)
{
    try {
        body();
        if (!in->fault.empty())
            return fail(in, SPOOLCHECK_ERROR, in->fault);
        return SPOOLCHECK_OK;
    } catch (const bridge::Failure &e) {
        return fail(in, SPOOLCHECK_ERROR, e.what());
    } catch (const std::exception &e) {
        return fail(in, SPOOLCHECK_ERROR, std::string(what) + ": " + e.what());
    } catch (...) {
        return fail(in, SPOOLCHECK_ERROR, std::string(what) + ": an unknown exception");
    }
}

void *create_unconfigured()
{
    return nullptr;
}

void destroy(void *self)
{
    auto *in = static_cast<Instance *>(self);
    Owner owner(in);
    try {
        delete in;
    } catch (...) {
    }
}

int32_t reset(void *self, const spoolcheck_choices *choices)
{
    auto *in = static_cast<Instance *>(self);
    Owner owner(in);
    in->fault.clear();
    if (!choices)
        return fail(in, SPOOLCHECK_ERROR, "reset without choices");
    if (choices->profile != SPOOLCHECK_PROFILE_PROVIDER)
        return fail(in, SPOOLCHECK_UNSUPPORTED,
                    "a MAPI store provider is tested in profile \"provider\": the harness is MAPI "
                    "and the spooler (declare profile = \"provider\")");
    return run(in, "reset", [&] { in->reset(*choices); });
}

const char *op_name(uint32_t kind)
{
    static const char *const names[] = {"",
                                        "CreateMessage",
                                        "SubmitMessage",
                                        "AbortSubmit",
                                        "OpenEntry",
                                        "SaveChanges",
                                        "SetLockState",
                                        "GetOutgoingQueue",
                                        "ModifyRecipients",
                                        "FinishedMsg",
                                        "Advise",
                                        "NotifyNewMail",
                                        "SetReadFlag",
                                        "DeleteMessages",
                                        "EmptyFolder",
                                        "GetProps",
                                        "StoreLogoff",
                                        "Restart"};
    return kind < sizeof names / sizeof names[0] ? names[kind] : "an operation";
}

bool known_op(const spoolcheck_op &op)
{
    if (op.kind < SPOOLCHECK_OP_CREATE_MESSAGE || op.kind > SPOOLCHECK_OP_RESTART)
        return false;
    if (op.caller != SPOOLCHECK_ROLE_CLIENT && op.caller != SPOOLCHECK_ROLE_SPOOLER)
        return false;
    if (op.kind == SPOOLCHECK_OP_OPEN_ENTRY &&
        (op.access < SPOOLCHECK_ACCESS_DEFAULT || op.access > SPOOLCHECK_ACCESS_BEST ||
         op.path < SPOOLCHECK_PATH_STORE || op.path > SPOOLCHECK_PATH_FOLDER))
        return false;
    if (op.kind == SPOOLCHECK_OP_WRITE_MESSAGE &&
        (op.via < SPOOLCHECK_VIA_SUBMITTER || op.via > SPOOLCHECK_VIA_REOPENED))
        return false;
    if (op.kind == SPOOLCHECK_OP_CREATE_MESSAGE &&
        !bridge::known_recipients(op.create.recipients, op.create.recipient_count))
        return false;
    if (op.kind == SPOOLCHECK_OP_SUBMIT_MESSAGE &&
        (op.script.has_expanded > 1 ||
         !bridge::known_recipients(op.script.expanded, op.script.expanded_count)))
        return false;
    return true;
}

int32_t apply(void *self, const spoolcheck_op *op, const spoolcheck_host *host, spoolcheck_ret *ret)
{
    auto *in = static_cast<Instance *>(self);
    Owner owner(in);
    in->fault.clear();
    if (!op || !host || !ret)
        return fail(in, SPOOLCHECK_ERROR, "apply without an operation, a host or a result");
    if (op->kind >= SPOOLCHECK_OP_REGISTER_PREPROCESSOR && op->kind <= SPOOLCHECK_OP_RUN_SPOOLER)
        return fail(in, SPOOLCHECK_UNSUPPORTED,
                    "operation " + std::to_string(op->kind) +
                        " belongs to profile \"system\"; a MAPI store provider has none of it");
    if (!known_op(*op))
        return fail(in, SPOOLCHECK_UNSUPPORTED,
                    "operation " + std::to_string(op->kind) +
                        " with codes this bridge does not know");
    if (!in->session)
        return fail(in, SPOOLCHECK_ERROR, "apply before the first reset");
    ret->hr = SPOOLCHECK_S_OK;
    ret->data_kind = SPOOLCHECK_DATA_NONE;
    ret->value = 0;
    in->host = host;
    in->op = op;
    in->op_thread = std::this_thread::get_id();
    in->in_op = true;
    int32_t status = run(in, op_name(op->kind), [&] { bridge::apply_op(*in, *op, *ret); });
    in->in_op = false;
    in->host = nullptr;
    in->op = nullptr;
    return status;
}

int32_t observe(void *self, const spoolcheck_host *host)
{
    auto *in = static_cast<Instance *>(self);
    Owner owner(in);
    in->fault.clear();
    if (!host)
        return fail(in, SPOOLCHECK_ERROR, "observe without a host");
    return run(in, "observe", [&] { bridge::observe_store(*in, *host); });
}

const char *last_error(void *self)
{
    auto *in = static_cast<Instance *>(self);
    return in && !in->last_error.empty() ? in->last_error.c_str() : nullptr;
}

const spoolcheck_provider table = {
    SPOOLCHECK_ABI_VERSION,
    "MAPI provider",
    create_unconfigured,
    destroy,
    reset,
    apply,
    observe,
    last_error,
};

} // namespace

BRIDGE_EXPORT const spoolcheck_provider *spoolcheck_provider_v2(void)
{
    return &table;
}

BRIDGE_EXPORT void *spoolcheck_create_configured_v2(const char *config, char *error,
                                                    size_t error_size)
{
    std::string why;
    try {
        if (!config)
            throw bridge::Failure("no configuration");
        Owner owner(nullptr);
        return new Instance(config);
    } catch (const std::exception &e) {
        why = e.what();
    } catch (...) {
        why = "an unknown exception";
    }
    if (error && error_size) {
        std::strncpy(error, why.c_str(), error_size - 1);
        error[error_size - 1] = '\0';
    }
    return nullptr;
}
