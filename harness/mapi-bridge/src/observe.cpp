/*
 * observe.cpp: the store read back through its own interfaces, on the spooler's store object
 * (which the client rules do not bind): each message the suite created by its entry ID (GetProps,
 * the recipient table), the contents tables of the five standard folders (items recognised by the
 * subject the suite gave them, so a sent-mail copy shows as its original), and the outgoing queue.
 */
#include "bridge.h"

#include <algorithm>

namespace bridge
{

/* A PR_CLIENT_SUBMIT_TIME in the harness's clock: the stamp the provider made at the submission
 * the harness recorded reads as that submission's clock reading; any other value as it is. */
uint64_t harness_time(const Record &r, uint64_t provider_time)
{
    return r.has_stamp && r.stamp == provider_time ? r.script_now : provider_time;
}

static uint64_t filetime(const SPropValue *v)
{
    return (static_cast<uint64_t>(v->Value.ft.dwHighDateTime) << 32) | v->Value.ft.dwLowDateTime;
}

static bool gone(HRESULT hr)
{
    return hr == MAPI_E_NOT_FOUND || hr == MAPI_E_INVALID_ENTRYID || hr == MAPI_E_OBJECT_DELETED;
}

static void observe_messages(Instance &in, const spoolcheck_host &host)
{
    LPMDB store = in.session->spooler.store.get();
    for (uint32_t n = 1; n <= in.records.size(); n++) {
        Record &r = in.records[n - 1];
        Ref<IMessage> opened;
        LPMESSAGE msg = nullptr;
        Bytes eid = in.entry_id(n);
        if (!r.entry_id.empty()) {
            HRESULT hr = open_message(store, eid, 0, &opened);
            if (gone(hr))
                continue;
            if (FAILED(hr))
                throw Failure("observe: the spooler's OpenEntry of message " + std::to_string(n) +
                              " failed with " + hr_name(hr));
            msg = opened.get();
        } else if (r.creator) {
            msg = r.creator.get(); /* not saved, no entry ID yet: the client's object is all */
        } else {
            continue;
        }
        Props p(msg, {PR_MESSAGE_FLAGS, PR_SUBMIT_FLAGS, PR_CLIENT_SUBMIT_TIME}, "a message");
        if (gone(p.hr()))
            continue;
        if (FAILED(p.hr()))
            throw Failure("observe: GetProps of message " + std::to_string(n) + " failed with " +
                          hr_name(p.hr()));
        RecipientView recipients(msg, n);
        spoolcheck_message_view v{};
        v.msg = n;
        const SPropValue *flags = p.get(PR_MESSAGE_FLAGS);
        const SPropValue *submit = p.get(PR_SUBMIT_FLAGS);
        const SPropValue *time = p.get(PR_CLIENT_SUBMIT_TIME);
        v.message_flags = flags ? flags->Value.ul : 0;
        v.submit_flags = submit ? submit->Value.ul : 0;
        if (time) {
            v.has_client_submit_time = 1;
            v.client_submit_time = harness_time(r, filetime(time));
        }
        v.recipient_count = recipients.count();
        v.recipients = recipients.rows();
        v.responsibility = recipients.responsibility();
        host.message(host.ctx, &v);
    }
}

static void observe_folders(Instance &in, const spoolcheck_host &host)
{
    LPMDB store = in.session->spooler.store.get();
    for (uint32_t f = SPOOLCHECK_FOLDER_INBOX; f <= SPOOLCHECK_FOLDER_DELETED_ITEMS; f++) {
        Ref<IMAPIFolder> folder;
        HRESULT hr = open_folder(store, in.session->folders[f], 0, &folder);
        Ref<IMAPITable> contents;
        if (SUCCEEDED(hr))
            hr = folder->GetContentsTable(0, contents.out());
        TagArray columns({PR_ENTRYID, PR_SUBJECT});
        if (SUCCEEDED(hr))
            hr = contents->SetColumns(columns.get(), 0);
        std::vector<Row> rows;
        if (SUCCEEDED(hr))
            hr = read_rows(contents.get(), &rows);
        if (FAILED(hr))
            throw Failure("observe: the contents table of folder " + std::to_string(f) +
                          " cannot be read: " + hr_name(hr));
        std::vector<uint32_t> items;
        for (const Row &row : rows) {
            const SPropValue *s = row.get(PR_SUBJECT);
            uint32_t n = s && s->Value.lpszA ? in.number_of_subject(s->Value.lpszA) : 0;
            if (n == 0) {
                in.notes.once("note", "a folder holds items the suite did not create; they are "
                                      "not observed (start each case from an empty store)");
                continue;
            }
            items.push_back(n);
            /* Where the original is now, for the calls that name its folder. */
            const SPropValue *e = row.get(PR_ENTRYID);
            if (e && in.number_of(Bytes(e->Value.bin.lpb, e->Value.bin.lpb + e->Value.bin.cb)) == n)
                in.records[n - 1].folder = f;
        }
        std::sort(items.begin(), items.end());
        for (uint32_t n : items)
            host.folder_item(host.ctx, f, n);
    }
}

static void observe_queue(Instance &in, const spoolcheck_host &host)
{
    Ref<IMAPITable> table;
    HRESULT hr = in.session->spooler.store->GetOutgoingQueue(0, table.out());
    TagArray columns({PR_ENTRYID});
    if (SUCCEEDED(hr))
        hr = table->SetColumns(columns.get(), 0);
    std::vector<Row> rows;
    if (SUCCEEDED(hr))
        hr = read_rows(table.get(), &rows);
    if (FAILED(hr))
        throw Failure("observe: the spooler's outgoing queue cannot be read: " + hr_name(hr));
    for (const Row &row : rows) {
        const SPropValue *e = row.get(PR_ENTRYID);
        uint32_t n =
            e ? in.number_of(Bytes(e->Value.bin.lpb, e->Value.bin.lpb + e->Value.bin.cb)) : 0;
        if (n == 0)
            throw Failure("observe: the outgoing queue has a row whose PR_ENTRYID is no message "
                          "the suite created");
        host.queue_item(host.ctx, n);
    }
}

void observe_store(Instance &in, const spoolcheck_host &host)
{
    if (!in.session)
        throw Failure("observe before the first reset");
    observe_messages(in, host);
    observe_folders(in, host);
    observe_queue(in, host);
}

} // namespace bridge
