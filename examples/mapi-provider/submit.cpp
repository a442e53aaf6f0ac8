/*
 * submit.cpp: IMessage::SubmitMessage: the client's submission (S123-S138) with the routing phase
 * (S144-S170), and the spooler's call after preprocessing (S143). MAPI is reached through the
 * acting logon's IMAPISupport: SpoolerNotify, PrepareSubmit, ExpandRecips, CompleteMsg.
 */
#include "example.h"

#include <chrono>

namespace example
{

static HRESULT client_submit(Act &a, uint32_t id, ULONG flags, LPMESSAGE self);
static void route(Act &a, uint32_t id, bool after_preprocessing);

/* Why the message cannot be submitted at all, before MAPI is called; S_OK if it can. */
static HRESULT refusal(Act &a, Message &m, ULONG flags)
{
    /* A client cannot reach a locked message (ACCESS-01), and a submitted one only read-only
     * (FLAG-01), so it cannot submit it again (AMB-10). */
    if (a.store.locked(m.id) || m.submitted())
        return MAPI_E_NO_ACCESS;
    if (flags & ~FORCE_SUBMIT)
        return MAPI_E_UNKNOWN_FLAGS; /* refused before anything changes (AMB-10) */
    if (m.recipients.empty())
        return MAPI_E_NO_RECIPIENTS; /* SUBMIT-02 */
    return S_OK;                     /* FORCE_SUBMIT means nothing here (SUBMIT-03, AMB-33) */
}

/* SpoolerNotify(NOTIFY_READYTOSEND) once per session, then PrepareSubmit (S125, S126, CAP-09).
 * PrepareSubmit's error is passed on unchanged (SUBMIT-04). */
static HRESULT prepare_submit(Act &a, Message &m, LPMESSAGE self)
{
    bool resend = (m.message_flags & MSGFLAG_RESEND) != 0;
    if (a.settings.prepare_resend_only && !resend)
        return S_OK; /* only MSGFLAG_RESEND messages need preparing (AMB-04) */
    if (!a.store.ready_to_send) {
        a.store.ready_to_send = true;
        a.support()->SpoolerNotify(NOTIFY_READYTOSEND, nullptr);
    }
    ULONG prep_flags = 0; /* PREP-02 */
    HRESULT hr = a.support()->PrepareSubmit(self, &prep_flags);
    return FAILED(hr) ? hr : S_OK;
}

/* Steps 2 to 4 of the starting page (S127-S129): MSGFLAG_SUBMIT, MSGFLAG_UNSENT, no transport
 * responsible yet, and the submission time. */
static void mark_submitted(Message &m, uint64_t now)
{
    m.message_flags |= MSGFLAG_SUBMIT | MSGFLAG_UNSENT;
    for (Recipient &r : m.recipients)
        r.responsibility = 0; /* SUBMIT-06 (S128) */
    m.has_submit_time = true; /* SUBMIT-07 (S129) */
    m.submit_time = now;
}

/* The clock: FILETIME now, from the system clock, as a real store stamps it (the harness reads the
 * stamp back and relates it to its own clock). */
static uint64_t clock_now()
{
    using namespace std::chrono;
    const uint64_t unix_epoch = 116444736000000000ull; /* 1970-01-01 as a FILETIME */
    auto since = duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
    return unix_epoch + static_cast<uint64_t>(since / 100);
}

HRESULT submit_message(Act &a, uint32_t id, ULONG flags, LPMESSAGE self)
{
    Message *m = a.store.find(id);
    if (!m)
        return unknown_entry_id(a.store, Kind::Message, id, true);
    if (!a.settings.submission)
        return MAPI_E_NO_SUPPORT; /* a store that does not send says so (CAP-01, AMB-10) */
    /* From the spooler, on a submitted message, the call means preprocessing is done (PRE-03); on
     * one never submitted it is a first submission, as a client's (AMB-36). */
    if (a.spooler() && m->submitted()) {
        if (!m->awaits_preprocessing())
            return S_OK;
        m->submit_flags &= ~SUBMITFLAG_PREPROCESS; /* FLAG-06 */
        row_modified(a, id);                       /* OQ-11 */
        route(a, id, true);
        return S_OK;
    }
    return client_submit(a, id, flags, self);
}

static HRESULT client_submit(Act &a, uint32_t id, ULONG flags, LPMESSAGE self)
{
    Message &m = *a.store.find(id);
    HRESULT hr = refusal(a, m, flags);
    if (hr != S_OK)
        return hr;
    hr = prepare_submit(a, m, self);
    if (hr != S_OK)
        return hr;
    /* Steps 2 to 4 take effect only once ExpandRecips succeeds: a failed submission leaves the
     * message as it was (SUBMIT-15, AMB-09). MAPI may rewrite the recipient table during the call
     * (through the message's ModifyRecipients: lists expanded, names restored, duplicates gone);
     * the submission commits the table as MAPI leaves it (SUBMIT-01). */
    ULONG expand_flags = 0;
    hr = a.support()->ExpandRecips(self, &expand_flags);
    if (FAILED(hr))
        return hr;
    Message *found = a.store.find(id);
    if (!found)
        return MAPI_E_CALL_FAILED;
    mark_submitted(*found, clock_now());
    found->saved = true; /* submitting saves every pending change (SUBMIT-01) */
    found->needs_spooler = (expand_flags & NEEDS_SPOOLER) != 0;
    if (expand_flags & NEEDS_PREPROCESSING) {
        /* Queued with SUBMITFLAG_PREPROCESS; nothing is sent, even by a coupled transport
         * (SUBMIT-09, FLAG-06; S133-S138). */
        found->submit_flags |= SUBMITFLAG_PREPROCESS;
        enqueue(a, id);
    } else {
        route(a, id, false);
    }
    return S_OK;
}

/* The coupled transport takes the recipients it handles (TC-02; S145-S147). Returns whether
 * nobody is left for anyone else (AMB-02). */
static bool take_coupled_recipients(Act &a, Message &m)
{
    bool all = true;
    for (Recipient &r : m.recipients) {
        if (tc_handles(a.settings, r.addr_type()))
            r.responsibility = 1;
        else if (r.responsibility != 1)
            all = false;
    }
    return all;
}

/* Hands the message to the spooler to finish (TC-03 (a), TC-05; S149, S158): no longer a queue
 * row (OQ-10, AMB-21); MSGFLAG_SUBMIT and any lock stay until FinishedMsg. */
static void complete_msg(Act &a, uint32_t id)
{
    Bytes eid = a.store.entry_id(Kind::Message, id);
    a.support()->CompleteMsg(0, static_cast<ULONG>(eid.size()),
                             reinterpret_cast<LPENTRYID>(eid.data()));
    if (Message *m = a.store.find(id))
        m->handed_to_spooler = true;
    a.store.handed.push_back(id);
    dequeue(a, id);
}

/* Local completion (TC-04; S151-S156): sent-mail step, delete after submit, unlock; the message
 * never was a queue row (OQ-10). */
static void complete_locally(Act &a, uint32_t id)
{
    Message &m = *a.store.find(id);
    uint32_t sentmail = m.sentmail;
    bool delete_it = m.delete_after_submit;
    clear_submission(a, id);
    unlock_message(a, id);
    dispose(a, id, sentmail, delete_it);
}

/* The routing phase (S144-S170), after ExpandRecips or after preprocessing. */
static void route(Act &a, uint32_t id, bool after_preprocessing)
{
    Message &m = *a.store.find(id);
    /* An uncoupled store leaves sending to the spooler (SUBMIT-10); after preprocessing the row
     * the message already has stays (PRE-04). */
    bool coupled = !a.settings.coupled.empty();
    bool all_handled = coupled && take_coupled_recipients(a, m);
    if (!coupled || m.needs_spooler || !all_handled) {
        if (!after_preprocessing)
            enqueue(a, id);
        return;
    }
    /* Every recipient handled (TC-03). A preprocessed message goes back to the spooler (PRE-05);
     * otherwise the declared completion decides. */
    if (after_preprocessing || a.settings.complete_msg)
        complete_msg(a, id);
    else
        complete_locally(a, id);
}

} // namespace example
