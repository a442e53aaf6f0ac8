/*
 * store.cpp: the store's own bookkeeping, shared by the MAPI methods: queue rows and their table
 * notifications (through IMAPISupport::Notify), locks, the end of a submission, sent-mail
 * disposition and deletion.
 */
#include "example.h"

#include <algorithm>
#include <cstring>

namespace example
{

const char *const FOLDER_NAMES[FOLDER_COUNT + 1] = {"",       "Inbox",      "Outbox",
                                                    "Drafts", "Sent Items", "Deleted Items"};

std::string Recipient::addr_type() const
{
    for (const Value &v : props)
        if (v.tag == PR_ADDRTYPE)
            return v.text;
    return "";
}

Message *Store::find(uint32_t id)
{
    auto it = messages.find(id);
    return it == messages.end() ? nullptr : &it->second;
}

bool Store::locked(uint32_t id) const
{
    return std::find(locks.begin(), locks.end(), id) != locks.end();
}

bool Store::queued(uint32_t id) const
{
    return std::find(queue.begin(), queue.end(), id) != queue.end();
}

/* A NOTIFKEY is a length and bytes: the store's MAPIUID and what is notified. */
static NOTIFKEY *key(std::vector<BYTE> &storage, const MAPIUID &uid, BYTE what)
{
    if (storage.empty()) {
        storage.resize(offsetof(NOTIFKEY, ab) + sizeof uid.ab + 1);
        auto *k = reinterpret_cast<NOTIFKEY *>(storage.data());
        k->cb = sizeof uid.ab + 1;
        std::memcpy(k->ab, uid.ab, sizeof uid.ab);
        k->ab[sizeof uid.ab] = what;
    }
    return reinterpret_cast<NOTIFKEY *>(storage.data());
}

NOTIFKEY *Store::queue_key()
{
    return key(keys_[0], uid, 'Q');
}
NOTIFKEY *Store::newmail_key()
{
    return key(keys_[1], uid, 'N');
}

bool Act::spooler() const
{
    return logon.spooler;
}
LPMAPISUP Act::support() const
{
    return logon.support;
}
const Allocators &Act::alloc() const
{
    return logon.alloc;
}

bool tc_handles(const Settings &st, const std::string &addr_type)
{
    return std::find(st.coupled.begin(), st.coupled.end(), addr_type) != st.coupled.end();
}

/* The columns of an outgoing queue row (OQ-02), also the row of its table notifications. */
std::vector<Value> queue_row(const Store &s, const Message &m)
{
    Bytes key(4);
    std::memcpy(key.data(), &m.id, 4);
    std::vector<Value> row{binary_value(PR_INSTANCE_KEY, key),
                           binary_value(PR_ENTRYID, s.entry_id(Kind::Message, m.id)),
                           long_value(PR_SUBMIT_FLAGS, m.submit_flags),
                           long_value(PR_MESSAGE_FLAGS, m.message_flags),
                           text_value(PR_SUBJECT, m.subject)};
    if (m.has_submit_time)
        row.push_back(time_value(PR_CLIENT_SUBMIT_TIME, m.submit_time));
    return row;
}

/* fnevTableModified on the outgoing queue table, through MAPI's notification engine, to every
 * table advised on it (OQ-05, AMB-25). */
static void queue_notification(Act &a, ULONG event, uint32_t id)
{
    NOTIFICATION n;
    std::memset(&n, 0, sizeof n);
    n.ulEventType = fnevTableModified;
    n.info.tab.ulTableEvent = event;
    Bytes key(4);
    std::memcpy(key.data(), &id, 4);
    n.info.tab.propIndex.ulPropTag = PR_INSTANCE_KEY;
    n.info.tab.propIndex.Value.bin.cb = 4;
    n.info.tab.propIndex.Value.bin.lpb = key.data();
    n.info.tab.propPrior.ulPropTag = PR_NULL;
    LPSPropValue props = nullptr;
    const Message *m = a.store.find(id);
    if (event != TABLE_ROW_DELETED && m) {
        ULONG count = 0;
        if (to_mapi(a.alloc(), queue_row(a.store, *m), &count, &props) == S_OK) {
            n.info.tab.row.cValues = count;
            n.info.tab.row.lpProps = props;
        }
    }
    ULONG flags = 0;
    a.support()->Notify(a.store.queue_key(), 1, &n, &flags);
    if (props)
        a.alloc().free(props);
}

/* A message joins the outgoing queue as its newest row (OQ-05, S137; SUBMIT-12). */
void enqueue(Act &a, uint32_t id)
{
    a.store.queue.push_back(id);
    queue_notification(a, TABLE_ROW_ADDED, id);
}

/* A message leaves the outgoing queue, if it was there (OQ-05). */
void dequeue(Act &a, uint32_t id)
{
    auto &q = a.store.queue;
    auto it = std::find(q.begin(), q.end(), id);
    if (it == q.end())
        return;
    q.erase(it);
    queue_notification(a, TABLE_ROW_DELETED, id);
}

/* A queued row's PR_SUBMIT_FLAGS changed (OQ-11). */
void row_modified(Act &a, uint32_t id)
{
    if (a.store.queued(id))
        queue_notification(a, TABLE_ROW_MODIFIED, id);
}

/* The spooler takes the message: the lock table, and SUBMITFLAG_LOCKED (SPL-06, FLAG-06). */
void lock_message(Act &a, uint32_t id)
{
    if (!a.store.locked(id))
        a.store.locks.push_back(id);
#ifdef SPOOLCHECK_EXAMPLE_MUTANT
    /* MUTANT (breaks SPL-06): the lock table knows, but PR_SUBMIT_FLAGS never says so, as if the
     * flag were the spooler's business only. */
    return;
#endif
    if (Message *m = a.store.find(id))
        m->submit_flags |= SUBMITFLAG_LOCKED;
}

/* The lock is released (SPL-07, SPL-12). */
void unlock_message(Act &a, uint32_t id)
{
    auto &l = a.store.locks;
    l.erase(std::remove(l.begin(), l.end(), id), l.end());
    if (Message *m = a.store.find(id))
        m->submit_flags &= ~SUBMITFLAG_LOCKED;
}

/* Sending is over: MSGFLAG_SUBMIT, MSGFLAG_UNSENT and SUBMITFLAG_PREPROCESS are cleared and the
 * spooler no longer owns the message (SPL-12, TC-04; AMB-13, AMB-22). */
void clear_submission(Act &a, uint32_t id)
{
    auto &h = a.store.handed;
    h.erase(std::remove(h.begin(), h.end(), id), h.end());
    Message *m = a.store.find(id);
    if (!m)
        return;
    m->message_flags &= ~(MSGFLAG_SUBMIT | MSGFLAG_UNSENT);
    m->submit_flags &= ~SUBMITFLAG_PREPROCESS;
    m->handed_to_spooler = false;
}

static void remove_from_folders(Store &s, uint32_t id)
{
    for (auto &items : s.folders)
        items.erase(std::remove_if(items.begin(), items.end(),
                                   [id](const Item &i) { return i.copy == 0 && i.msg == id; }),
                    items.end());
}

void move_message(Act &a, uint32_t id, uint32_t folder)
{
    Message *m = a.store.find(id);
    if (!m)
        return;
    remove_from_folders(a.store, id);
    m->folder = folder;
    a.store.folders[folder].push_back(Item{id, 0, m->subject});
}

/* Removes a message from the message table, its folder, the queue and the lock table. */
void delete_message(Act &a, uint32_t id)
{
    dequeue(a, id);
    remove_from_folders(a.store, id);
    unlock_message(a, id);
    a.store.messages.erase(id);
}

/* The sent-mail disposition (SPL-13, TC-04; AMB-17, AMB-35): to the PR_SENTMAIL_ENTRYID folder,
 * moved or copied as declared, then deleted if PR_DELETE_AFTER_SUBMIT asks (a copy stays). */
void dispose(Act &a, uint32_t id, uint32_t sentmail, bool delete_it)
{
    if (sentmail != 0) {
        if (!a.settings.sentmail_copy) {
            move_message(a, id, sentmail);
        } else if (Message *m = a.store.find(id)) {
            a.store.folders[sentmail].push_back(Item{id, a.store.next_copy++, m->subject});
        }
    }
    if (delete_it) {
        if (a.settings.delete_to_deleted_items)
            move_message(a, id, DELETED_ITEMS);
        else
            delete_message(a, id);
    }
}

/* An entry ID that names no message (ABORT-03, ACCESS-12; AMB-16): MAPI_E_NOT_FOUND when the
 * store gave it out and the message is gone, MAPI_E_INVALID_ENTRYID when it never did. */
HRESULT unknown_entry_id(const Store &s, Kind kind, uint32_t id, bool parsed)
{
    if (parsed && kind == Kind::Message && id != 0 && id < s.next_id)
        return MAPI_E_NOT_FOUND;
    return MAPI_E_INVALID_ENTRYID;
}

} // namespace example
