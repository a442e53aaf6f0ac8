/*
 * submit.c: IMessage::SubmitMessage: the client's submission (S123-S138) with the routing phase
 * (S144-S170), and the spooler's call after preprocessing (S143).
 *
 * The client path, in order: refuse what cannot be submitted; SpoolerNotify once per session and
 * PrepareSubmit; ExpandRecips; then commit the recipient table it leaves, MSGFLAG_SUBMIT,
 * MSGFLAG_UNSENT, PR_RESPONSIBILITY and PR_CLIENT_SUBMIT_TIME and save; then route on
 * ExpandRecips' answer: queue for preprocessing, queue for the spooler, hand over with
 * CompleteMsg, or (tightly coupled) complete locally.
 */
#include "store.h"

static uint32_t client_submit(struct store *s, uint32_t id, uint32_t flags,
                              const spoolcheck_script *script);
static uint32_t submit_after_preprocessing(struct store *s, uint32_t id);
static void route(struct store *s, uint32_t id, bool after_preprocessing);

/* IMessage::SubmitMessage on the caller's open message. */
uint32_t submit_message(struct store *s, uint32_t caller, uint32_t id, uint32_t flags,
                        const spoolcheck_script *script)
{
    struct message *m = message_find(s, id);
    if (!m)
        return unknown_entry_id(s, id);
    /* From the spooler, on a submitted message, the call means preprocessing is done (PRE-03). On
     * a message never submitted it is a first submission, as a client's would be (AMB-36). */
    if (caller == SPOOLCHECK_ROLE_SPOOLER && is_submitted(m))
        return submit_after_preprocessing(s, id);
    return client_submit(s, id, flags, script);
}

/* Why the message cannot be submitted at all, before MAPI is called. Returns S_OK if it can. */
static uint32_t refusal(const struct store *s, uint32_t id, uint32_t flags)
{
    const struct message *m = message_find(s, id);
    if (!s->choices.submission)
        return SPOOLCHECK_MAPI_E_NO_SUPPORT; /* a store that does not support sending says so (CAP-01, AMB-10) */
    /* A client cannot reach a locked message (ACCESS-01), and a submitted one only read-only
     * (FLAG-01), so it cannot submit it again (AMB-10). */
    if (is_locked(s, id) || is_submitted(m))
        return SPOOLCHECK_MAPI_E_NO_ACCESS;
    /* Bits with no meaning: refused before anything changes or MAPI is called (AMB-10). */
    if (flags & ~SPOOLCHECK_FORCE_SUBMIT)
        return SPOOLCHECK_MAPI_E_UNKNOWN_FLAGS;
    if (m->recipients.count == 0)
        return SPOOLCHECK_MAPI_E_NO_RECIPIENTS; /* SUBMIT-02 */
    /* FORCE_SUBMIT is accepted and means nothing (SUBMIT-03, AMB-33). */
    return SPOOLCHECK_S_OK;
}

/* SpoolerNotify(NOTIFY_READYTOSEND): the spooler is to run and log its transports on (CAP-09). */
static void ready_to_send(struct store *s)
{
    spoolcheck_call call = {0};
    call.kind = SPOOLCHECK_CALL_SPOOLER_NOTIFY;
    call.flags = SPOOLCHECK_NOTIFY_READYTOSEND;
    support_call(s, &call, NULL);
}

/* SpoolerNotify(NOTIFY_READYTOSEND) once per session, then PrepareSubmit (S125, S126). Returns
 * PrepareSubmit's error, which the store passes on unchanged (SUBMIT-04), or S_OK. */
static uint32_t prepare_submit(struct store *s, uint32_t id)
{
    if (plays_mapi(s))
        return SPOOLCHECK_S_OK; /* MAPI's own PrepareSubmit: nothing crosses the seam. */
    const struct message *m = message_find(s, id);
    bool resend = (m->props.message_flags & SPOOLCHECK_MSGFLAG_RESEND) != 0;
    if (s->choices.prepare_submit == SPOOLCHECK_PREPARE_RESEND_ONLY && !resend)
        return SPOOLCHECK_S_OK; /* only MSGFLAG_RESEND messages need preparing (AMB-04) */
    /* Before the session's first PrepareSubmit, make sure the spooler runs (CAP-09). */
    if (!s->session.ready_to_send) {
        s->session.ready_to_send = true;
        ready_to_send(s);
    }
    spoolcheck_call call = {0};
    call.kind = SPOOLCHECK_CALL_PREPARE_SUBMIT;
    call.msg = id;
    call.flags = 0; /* PREP-02: *lpulFlags = 0 */
    uint32_t hr = support_call(s, &call, NULL);
    return HR_FAILED(hr) ? hr : SPOOLCHECK_S_OK;
}

/* The table MAPI's ExpandRecips wrote into the message in profile provider (as through its
 * ModifyRecipients), if the script says it rewrote one. */
static void take_mapi_table(struct store *s, const spoolcheck_script *script, struct expansion *out)
{
    if (!script->has_expanded)
        return;
    out->rewritten = true;
    for (uint32_t i = 0; i < script->expanded_count; i++)
        if (!recipients_append(s, &out->table, &script->expanded[i],
                               SPOOLCHECK_RESPONSIBILITY_FALSE))
            return;
}

/* ExpandRecips (SUBMIT-08, S130): its HRESULT and, on success, what it leaves in *out. In profile
 * system the store is MAPI and expands the table itself, also deciding PR_PREPROCESS. */
static uint32_t expand_recips(struct store *s, uint32_t id, const spoolcheck_script *script,
                              struct expansion *out)
{
    if (plays_mapi(s)) {
        mapi_expand_recips(s, message_find(s, id), script, out);
        return SPOOLCHECK_S_OK;
    }
    spoolcheck_call call = {0};
    call.kind = SPOOLCHECK_CALL_EXPAND_RECIPS;
    call.msg = id;
    uint32_t flags = 0;
    uint32_t hr = support_call(s, &call, &flags);
    if (HR_FAILED(hr))
        return hr;
    out->flags = flags;
    take_mapi_table(s, script, out);
    return hr;
}

/* Steps 2 to 4 of the starting page (S127-S129). */
static void mark_submitted(struct message *m, uint64_t now)
{
    set_bits(&m->props.message_flags, SPOOLCHECK_MSGFLAG_SUBMIT, true); /* FLAG-01 (S127) */
    set_bits(&m->props.message_flags, SPOOLCHECK_MSGFLAG_UNSENT, true); /* FLAG-02: set unless the client did */
    /* No transport has taken any recipient yet (SUBMIT-06, S128). */
    for (uint32_t r = 0; r < m->recipients.count; r++)
        m->recipients.responsibility[r] = SPOOLCHECK_RESPONSIBILITY_FALSE;
    m->props.has_client_submit_time = true; /* SUBMIT-07 (S129): the harness's clock */
    m->props.client_submit_time = now;
}

/* The preprocess route (SUBMIT-09; S133, S135, S136): queued with SUBMITFLAG_PREPROCESS (FLAG-06)
 * and back to the client. Nothing is sent, even by a coupled transport (S138). */
static void queue_for_preprocessing(struct store *s, uint32_t id)
{
    set_bits(&message_find(s, id)->props.submit_flags, SPOOLCHECK_SUBMITFLAG_PREPROCESS, true);
    enqueue(s, id);
}

static uint32_t client_submit(struct store *s, uint32_t id, uint32_t flags,
                              const spoolcheck_script *script)
{
    uint32_t hr = refusal(s, id, flags);
    if (hr != SPOOLCHECK_S_OK)
        return hr;
    hr = prepare_submit(s, id);
    if (hr != SPOOLCHECK_S_OK)
        return hr;
    /* Steps 2 to 4 (S127-S129) take effect only once ExpandRecips succeeds: a failed submission
     * leaves the message as it was (SUBMIT-15, AMB-09). None of them changes what ExpandRecips is
     * told, so the store asks first and commits after, the table MAPI left included: the
     * submission saves it (SUBMIT-01). */
    struct expansion expansion = {0};
    hr = expand_recips(s, id, script, &expansion);
    /* Out of memory, the table may be incomplete: nothing is committed and apply() fails. */
    if (HR_FAILED(hr) || s->out_of_memory) {
        recipients_free(&expansion.table);
        return hr;
    }
    struct message *m = message_find(s, id);
    if (expansion.rewritten)
        recipients_replace(&m->recipients, &expansion.table);
    mark_submitted(m, script->now);
    if (plays_mapi(s))
        m->props.preprocess = expansion.preprocess;
    /* Submitting saves every pending change, even on a message never saved before (SUBMIT-01). */
    m->saved = true;
    /* The client's object is dead now: only Release is allowed on it (SUBMIT-14, AMB-30). */
    m->submitter_dead = true;
    m->needs_spooler = (expansion.flags & SPOOLCHECK_NEEDS_SPOOLER) != 0;
    /* A new submission is preprocessed from the start. */
    idlist_free(&m->preprocessed);
    if (expansion.flags & SPOOLCHECK_NEEDS_PREPROCESSING)
        queue_for_preprocessing(s, id);
    else
        route(s, id, false);
    return SPOOLCHECK_S_OK;
}

/* The spooler's SubmitMessage once the preprocessors have run (PRE-03; S143, S144): no second
 * PrepareSubmit, ExpandRecips or submit time; SUBMITFLAG_PREPROCESS is cleared (FLAG-06) and the
 * routing phase runs. */
static uint32_t submit_after_preprocessing(struct store *s, uint32_t id)
{
    struct message *m = message_find(s, id);
    if (!awaits_preprocessing(m))
        return SPOOLCHECK_S_OK; /* nothing was waiting; nothing to do */
    set_bits(&m->props.submit_flags, SPOOLCHECK_SUBMITFLAG_PREPROCESS, false);
    row_modified(s, id); /* OQ-11 */
    route(s, id, true);
    return SPOOLCHECK_S_OK;
}

/* The spooler route: a new queue row, or, after preprocessing, the row the message already has
 * (PRE-04; S144, S167-S169): it stays, still locked, now without SUBMITFLAG_PREPROCESS. */
static void wait_for_spooler(struct store *s, uint32_t id, bool after_preprocessing)
{
    if (!after_preprocessing)
        enqueue(s, id);
}

/* The coupled transport takes the recipients it handles: PR_RESPONSIBILITY TRUE on exactly those
 * (TC-02; S145-S147). Returns whether no recipient is left for anyone else (AMB-02). */
static bool take_coupled_recipients(struct store *s, uint32_t id)
{
    struct message *m = message_find(s, id);
    bool all_handled = true;
    for (uint32_t r = 0; r < m->recipients.count; r++) {
        if (tc_handles(s, m->recipients.rows[r].addr))
            m->recipients.responsibility[r] = SPOOLCHECK_RESPONSIBILITY_TRUE;
        else if (m->recipients.responsibility[r] != SPOOLCHECK_RESPONSIBILITY_TRUE)
            all_handled = false;
    }
    return all_handled;
}

/* Hands the message to the spooler to finish (TC-03 (a), TC-05; S149, S158). It stops being a
 * queue row (OQ-10, AMB-21) and keeps MSGFLAG_SUBMIT and any lock until FinishedMsg. */
static void complete_msg(struct store *s, uint32_t id)
{
    if (!plays_mapi(s)) {
        spoolcheck_call call = {0};
        call.kind = SPOOLCHECK_CALL_COMPLETE_MSG;
        call.msg = id;
        call.flags = 0;
        support_call(s, &call, NULL);
    }
    message_find(s, id)->handed_to_spooler = true;
    idlist_push(s, &s->mapi.handed_over, id);
    dequeue(s, id);
}

/* Local completion (TC-04; S151-S156): the sent-mail step to the PR_SENTMAIL_ENTRYID folder, then
 * delete after submit, then unlock. The steps say copy (S152) and FinishedMsg's page says move: the
 * store does what it declared for sent-mail processing (AMB-17). The sent-mail step comes first
 * (S153), so under "copy" a copy survives the delete. The message is done and never was a queue
 * row (OQ-10). */
static void complete_locally(struct store *s, uint32_t id)
{
    const struct message *m = message_find(s, id);
    uint32_t sentmail = m->props.sentmail_entryid;
    bool delete_it = m->props.delete_after_submit;
    clear_submission(s, id);
    unlock_message(s, id);
    dispose(s, id, sentmail, delete_it);
}

/* The routing phase (S144-S170), after ExpandRecips or after preprocessing. */
static void route(struct store *s, uint32_t id, bool after_preprocessing)
{
    if (!s->choices.tight_coupling) {
        /* An uncoupled store leaves sending to the spooler (SUBMIT-10; S167, S168, S170). */
        wait_for_spooler(s, id, after_preprocessing);
        return;
    }
    /* AMB-01, reading (b): the coupled transport first takes what it can (TC-02); if someone is
     * left, or MAPI asked for the spooler, the spooler sends to the rest (TC-07; S134, S167). */
    bool all_handled = take_coupled_recipients(s, id);
    if (message_find(s, id)->needs_spooler || !all_handled) {
        wait_for_spooler(s, id, after_preprocessing);
        return;
    }
    /* Every recipient handled (TC-03; S148-S151). A preprocessed message must go back to the
     * spooler (PRE-05; S149, S157); otherwise the declared completion decides. */
    bool must_hand_over = after_preprocessing;
    bool wants_hand_over = s->choices.tc_completion == SPOOLCHECK_COMPLETION_COMPLETE_MSG;
    if (must_hand_over || wants_hand_over)
        complete_msg(s, id);
    else
        complete_locally(s, id);
}
