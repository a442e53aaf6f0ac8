"""Unit tests of the store without gRPC, and one round trip over gRPC.

    python3 -m unittest discover -s examples/python-provider
"""

import socket
import subprocess
import sys
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from mapi import (  # noqa: E402
    HR,
    MSGFLAG_SUBMIT,
    MSGFLAG_UNSENT,
    NEEDS_PREPROCESSING,
    SUBMITFLAG_LOCKED,
    SUBMITFLAG_PREPROCESS,
    AddrType,
    Completion,
    EntryKind,
    Folder,
    LockAfterRestart,
    PreprocessorScope,
    Profile,
    RecipType,
    Role,
    TableEvent,
)
from seam import (  # noqa: E402
    BookEntry,
    Choices,
    EntryRef,
    NewMessage,
    RecipientRow,
    ScriptedSupport,
    SpoolerScript,
    SubmitScript,
    TightCoupling,
)
from store import MessageStore  # noqa: E402

# An address book after the harness's (model/src/recipient.rs): Ann, Bo, Cy, Di; Team (Ann, Bo);
# Everyone (Team, Di, someone the book lacks, and Everyone itself). Fax desk is not in it.
ANN, BO, CY, DI = (EntryRef(EntryKind.PERSON, n) for n in (1, 2, 3, 4))
TEAM, FAX_DESK, EVERYONE = (EntryRef(EntryKind.LIST, n) for n in (1, 2, 3))
BOOK = [
    BookEntry(ANN, "Ann Archer", AddrType.SMTP, "ann@example.test"),
    BookEntry(BO, "Bo Baker", AddrType.SMTP, "bo@example.test"),
    BookEntry(CY, "Cy Cole", AddrType.FAX, "+1 555 0103"),
    BookEntry(DI, "Di Dunn", AddrType.X400, "c=us;p=example;s=dunn"),
    BookEntry(TEAM, "Team", AddrType.MAPIPDL, "", (ANN, BO)),
    BookEntry(EVERYONE, "Everyone", AddrType.MAPIPDL, "",
              (TEAM, DI, EntryRef(EntryKind.PERSON, 9), EVERYONE)),
]


def row(entry, kind=RecipType.TO, name=None):
    """The row a client writes for a book entry, under its name or another."""
    b = next(b for b in BOOK if b.entry == entry)
    return RecipientRow(kind, b.addr, b.name if name is None else name, b.email, entry)


def typed(kind, name, email):
    """An address the client typed."""
    return RecipientRow(kind, AddrType.SMTP, name, email, EntryRef(EntryKind.UNRESOLVED))


def to(addr):
    """A To row for the book's person of this address type."""
    return row(next(b.entry for b in BOOK if b.addr == addr))


def outbox(*addrs, rows=(), **kw):
    recipients = [to(a) for a in addrs] + list(rows)
    return NewMessage(folder=Folder.OUTBOX, recipients=recipients or [to(AddrType.SMTP)],
                      saved=kw.pop("saved", True), **kw)


class StoreTest(unittest.TestCase):
    def submit(self, store, msg, caller=Role.CLIENT, **script):
        s = SubmitScript(now=script.pop("now", 7), book=script.pop("book", BOOK), **script)
        support = ScriptedSupport(s)
        return store.submit_message(caller, msg, 0, s, support), support

    def test_submission_queues_with_support_calls(self):
        store = MessageStore()
        self.assertEqual(store.create_message(outbox()).data, ("created", 1))
        ret, support = self.submit(store, 1)
        self.assertEqual(ret.hr, HR.S_OK)
        self.assertEqual([c.kind for c in support.calls],
                         ["spooler_notify", "prepare_submit", "expand_recips"])  # CAP-09
        self.assertEqual(support.notifications[0].args, {"event": TableEvent.ROW_ADDED, "msg": 1})
        obs = store.observe()
        self.assertEqual(obs.queue, [1])
        self.assertEqual(obs.messages[0].message_flags, MSGFLAG_SUBMIT | MSGFLAG_UNSENT)
        self.assertEqual(obs.messages[0].client_submit_time, 7)
        self.assertEqual(obs.messages[0].responsibility, [False])  # SUBMIT-06
        # READYTOSEND only once per session.
        store.create_message(outbox())
        _, support = self.submit(store, 2)
        self.assertEqual([c.kind for c in support.calls], ["prepare_submit", "expand_recips"])

    def test_failed_expand_leaves_message_alone(self):  # SUBMIT-15
        store = MessageStore()
        store.create_message(outbox())
        ret, support = self.submit(store, 1, expand=HR.MAPI_E_NOT_FOUND, expand_flags=3)
        self.assertEqual(ret.hr, HR.MAPI_E_NOT_FOUND)
        self.assertEqual(support.calls[-1].answer_flags, 0)
        self.assertEqual(store.observe().messages[0].message_flags, 0)

    def test_preprocess_then_spooler_submit(self):  # SUBMIT-09, PRE-03, PRE-04
        store = MessageStore()
        store.create_message(outbox())
        self.submit(store, 1, expand_flags=NEEDS_PREPROCESSING)
        self.assertEqual(store.messages[1].props.submit_flags, SUBMITFLAG_PREPROCESS)
        support = ScriptedSupport()
        store.set_lock_state(Role.SPOOLER, 1, True, support)
        ret, support = self.submit(store, 1, caller=Role.SPOOLER)
        self.assertEqual(ret.hr, HR.S_OK)
        self.assertEqual(support.calls, [])
        self.assertEqual(store.messages[1].props.submit_flags, SUBMITFLAG_LOCKED)
        self.assertEqual(store.queue.rows, [1])

    def test_finished_msg_moves_to_sent_items(self):  # SPL-12..14
        store = MessageStore()
        store.create_message(outbox(sentmail=Folder.SENT_ITEMS))
        self.submit(store, 1)
        support = ScriptedSupport()
        self.assertEqual(store.finished_msg(Role.SPOOLER, 1, support).hr, HR.MAPI_E_CALL_FAILED)
        store.set_lock_state(Role.SPOOLER, 1, True, support)
        support = ScriptedSupport()
        self.assertEqual(store.finished_msg(Role.SPOOLER, 1, support).hr, HR.S_OK)
        self.assertEqual([c.kind for c in support.calls], ["do_sent_mail"])
        obs = store.observe()
        self.assertEqual(obs.folders[Folder.SENT_ITEMS], [1])
        self.assertEqual(obs.queue, [])
        self.assertEqual(obs.messages[0].message_flags, 0)

    def test_restart_drops_unsaved_and_locks(self):  # PERSIST-01, PERSIST-04
        store = MessageStore(Choices(lock_after_restart=LockAfterRestart.EITHER))
        store.create_message(outbox())
        store.create_message(outbox(saved=False))
        self.submit(store, 1)
        store.set_lock_state(Role.SPOOLER, 1, True, ScriptedSupport())
        support = ScriptedSupport()
        store.restart(support)
        self.assertEqual(support.calls[0].args, {"flags": 0x8})
        self.assertEqual([v.msg for v in store.observe().messages], [1])
        self.assertEqual(store.messages[1].props.submit_flags, 0)
        self.assertEqual(store.unknown_entry_id(2), HR.MAPI_E_NOT_FOUND)
        self.assertEqual(store.unknown_entry_id(3), HR.MAPI_E_INVALID_ENTRYID)

    def test_tight_coupling_local_completion(self):  # TC-02, TC-04
        tc = TightCoupling(handles=[AddrType.SMTP], completion=Completion.LOCAL)
        store = MessageStore(Choices(tight_coupling=tc))
        store.create_message(outbox(sentmail=Folder.SENT_ITEMS))
        _, support = self.submit(store, 1)
        self.assertEqual([c.kind for c in support.calls],
                         ["spooler_notify", "prepare_submit", "expand_recips"])
        obs = store.observe()
        self.assertEqual(obs.queue, [])
        self.assertEqual(obs.folders[Folder.SENT_ITEMS], [1])
        self.assertEqual(obs.messages[0].responsibility, [True])

    def test_system_profile_spooler_serves(self):  # SPL-19..21, PRE-02
        tc = TightCoupling(handles=[AddrType.SMTP], completion=Completion.COMPLETE_MSG)
        store = MessageStore(Choices(profile=Profile.SYSTEM, tight_coupling=tc))
        store.register_preprocessor(AddrType.FAX, PreprocessorScope.ADDRESS_TYPE)
        store.create_message(outbox(AddrType.SMTP, AddrType.FAX))
        _, support = self.submit(store, 1)
        self.assertEqual(support.calls, [])
        support = ScriptedSupport()
        store.run_spooler(support)
        self.assertEqual([c.kind for c in support.calls],
                         ["preprocess", "transport_send", "remove_preprocess_info"])
        self.assertEqual(support.calls[1].args["recipients"], [1])
        self.assertEqual(store.observe().messages[0].message_flags, 0)

    def spool(self, store, **answers):
        support = ScriptedSupport(spooler=SpoolerScript(**answers))
        store.run_spooler(support)
        return [(c.kind, c.args.get("preprocessor", c.args.get("transport"))) for c in support.calls]

    def test_preprocessor_for_all_messages(self):  # PRE-08, AMB-37
        store = MessageStore(Choices(profile=Profile.SYSTEM))
        store.register_preprocessor(AddrType.FAX, PreprocessorScope.ALL_MESSAGES)
        store.create_message(outbox(AddrType.SMTP))
        self.submit(store, 1)
        self.assertEqual(store.messages[1].props.submit_flags, SUBMITFLAG_PREPROCESS)
        self.assertEqual(self.spool(store), [("preprocess", 1), ("transport_send", AddrType.SMTP),
                                             ("remove_preprocess_info", 1)])

    def test_preprocessor_by_mapiuid(self):  # PRE-08, AMB-37: the same messages as address type
        store = MessageStore(Choices(profile=Profile.SYSTEM))
        store.register_preprocessor(AddrType.FAX, PreprocessorScope.MAPIUID)
        store.create_message(outbox(AddrType.SMTP))
        store.create_message(outbox(AddrType.SMTP, AddrType.FAX))
        self.submit(store, 1)
        self.submit(store, 2)
        self.assertEqual(store.messages[1].props.submit_flags, 0)
        self.assertEqual(store.messages[2].props.submit_flags, SUBMITFLAG_PREPROCESS)
        self.assertEqual(self.spool(store), [("transport_send", AddrType.SMTP)])
        self.assertEqual(self.spool(store), [("preprocess", 1), ("transport_send", AddrType.SMTP),
                                             ("transport_send", AddrType.FAX),
                                             ("remove_preprocess_info", 1)])

    def test_preprocessor_skips_handled_recipients(self):  # PRE-08, AMB-37
        store = MessageStore(Choices(profile=Profile.SYSTEM))
        store.register_preprocessor(AddrType.FAX, PreprocessorScope.ADDRESS_TYPE)
        store.register_preprocessor(AddrType.SMTP, PreprocessorScope.MAPIUID)
        store.create_message(outbox(AddrType.SMTP, AddrType.FAX))
        self.submit(store, 1)
        # A transport took the SMTP recipient before the spooler took the message.
        self.assertEqual(store.mark_responsibility(Role.SPOOLER, 1, 0).hr, HR.S_OK)
        self.assertEqual(self.spool(store), [("preprocess", 1), ("transport_send", AddrType.FAX),
                                             ("remove_preprocess_info", 1)])

    def test_no_late_preprocessing(self):  # AMB-37: queued without preprocessing stays so
        store = MessageStore(Choices(profile=Profile.SYSTEM))
        store.create_message(outbox(AddrType.SMTP))
        self.submit(store, 1)
        store.register_preprocessor(AddrType.SMTP, PreprocessorScope.ALL_MESSAGES)
        self.assertEqual(self.spool(store), [("transport_send", AddrType.SMTP)])

    def test_provider_expansion_is_kept(self):  # SUBMIT-01, SUBMIT-15
        store = MessageStore()
        store.create_message(outbox(rows=[row(TEAM)]))
        expanded = [row(ANN), row(BO)]
        self.submit(store, 1, expand=HR.MAPI_E_NOT_FOUND, expanded=expanded)
        view = store.observe().messages[0]
        self.assertEqual((view.recipients, view.responsibility), ([row(TEAM)], [None]))
        self.submit(store, 1, expanded=expanded)
        view = store.observe().messages[0]
        self.assertEqual((view.recipients, view.responsibility), (expanded, [False, False]))
        # Without `expanded` the table stays.
        store.create_message(outbox(rows=[row(TEAM)]))
        self.submit(store, 2)
        self.assertEqual(store.observe().messages[1].recipients, [row(TEAM)])

    def test_system_expansion(self):  # EXP-04..08, AMB-38
        store = MessageStore(Choices(profile=Profile.SYSTEM))
        fax_desk = RecipientRow(RecipType.CC, AddrType.MAPIPDL, "Fax desk", "", FAX_DESK)
        store.create_message(outbox(rows=[
            row(EVERYONE),
            RecipientRow(RecipType.CC, AddrType.SMTP, "Bobby", "BO@example.test", BO),
            row(ANN),
            typed(RecipType.BCC, "Guest", "guest@example.test"),
            typed(RecipType.CC, "Bo again", "bo@EXAMPLE.test"),
            fax_desk,
        ]))
        self.submit(store, 1)
        view = store.observe().messages[0]
        self.assertEqual(view.recipients, [
            # Everyone: Team (Ann, Bo), Di; the member not in the book left out; Everyone within
            # itself kept as a row.
            row(ANN), row(BO), row(DI), row(EVERYONE),
            # Bobby under the book's name, in Cc beside Bo in To; Ann in To again removed.
            RecipientRow(RecipType.CC, AddrType.SMTP, "Bo Baker", "BO@example.test", BO),
            # The typed address resolved; "Bo again" is Bo in Cc once more, whatever the case.
            RecipientRow(RecipType.BCC, AddrType.SMTP, "Guest", "guest@example.test",
                         EntryRef(EntryKind.ONE_OFF)),
            # A list the book lacks stays as it is.
            fax_desk,
        ])
        self.assertEqual(view.responsibility, [False] * 7)
        # The lists' rows have no transport.
        self.assertEqual(self.spool(store), [("transport_send", AddrType.SMTP),
                                             ("transport_send", AddrType.X400)])

    def test_busy_preprocessor_resumes(self):  # SPL-06, SPL-10, AMB-34
        store = MessageStore(Choices(profile=Profile.SYSTEM))
        store.register_preprocessor(AddrType.SMTP, PreprocessorScope.ADDRESS_TYPE)
        store.register_preprocessor(AddrType.FAX, PreprocessorScope.ALL_MESSAGES)
        store.create_message(outbox(AddrType.SMTP))
        self.submit(store, 1)
        self.assertEqual(self.spool(store, busy_preprocessor=2),
                         [("preprocess", 1), ("preprocess", 2)])
        self.assertEqual(store.messages[1].props.submit_flags,
                         SUBMITFLAG_LOCKED | SUBMITFLAG_PREPROCESS)
        self.assertEqual(store.queue.rows, [1])
        self.assertEqual(store.abort_submit(Role.CLIENT, 1, ScriptedSupport()).hr,
                         HR.MAPI_E_UNABLE_TO_ABORT)
        self.assertEqual(self.spool(store), [("preprocess", 2), ("transport_send", AddrType.SMTP),
                                             ("remove_preprocess_info", 1),
                                             ("remove_preprocess_info", 2)])
        self.assertEqual(store.queue.rows, [])

    def test_restart_forgets_preprocessing(self):  # AMB-34
        store = MessageStore(Choices(profile=Profile.SYSTEM))
        store.register_preprocessor(AddrType.SMTP, PreprocessorScope.ADDRESS_TYPE)
        store.register_preprocessor(AddrType.FAX, PreprocessorScope.ALL_MESSAGES)
        store.create_message(outbox(AddrType.SMTP))
        self.submit(store, 1)
        self.spool(store, busy_preprocessor=2)
        store.restart(ScriptedSupport())
        self.assertEqual(self.spool(store, busy_preprocessor=2),
                         [("preprocess", 1), ("preprocess", 2)])

    def test_waiting_transport_resends_the_rest(self):  # SPL-06, SPL-20, AMB-34
        store = MessageStore(Choices(profile=Profile.SYSTEM))
        store.register_preprocessor(AddrType.SMTP, PreprocessorScope.ADDRESS_TYPE)
        store.create_message(outbox(AddrType.SMTP, AddrType.FAX, AddrType.X400))
        self.submit(store, 1)
        self.assertEqual(self.spool(store, waiting_transport=AddrType.FAX),
                         [("preprocess", 1), ("transport_send", AddrType.SMTP),
                          ("transport_send", AddrType.FAX)])
        view = store.observe().messages[0]
        self.assertEqual(view.responsibility, [True, False, False])
        self.assertEqual(view.submit_flags, SUBMITFLAG_LOCKED)
        self.assertEqual(store.queue.rows, [1])
        # RemovePreprocessInfo only once every send succeeded.
        self.assertEqual(self.spool(store), [("transport_send", AddrType.FAX),
                                             ("transport_send", AddrType.X400),
                                             ("remove_preprocess_info", 1)])
        self.assertEqual(store.observe().messages[0].message_flags, 0)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GrpcTest(unittest.TestCase):
    def test_round_trip(self):
        try:
            import grpc
        except ImportError:
            self.skipTest("grpcio is not installed")
        import provider

        pb, pb_grpc = provider.generated_stubs()
        port = free_port()
        proc = subprocess.Popen([sys.executable, str(HERE / "provider.py"), "--port", str(port)])
        try:
            channel = grpc.insecure_channel(f"127.0.0.1:{port}")
            stub = pb_grpc.ProviderStub(channel)
            deadline = time.time() + 30
            while True:
                try:
                    reply = stub.Describe(
                        pb.DescribeRequest(contract_version=pb.CONTRACT_VERSION_2), timeout=1)
                    break
                except grpc.RpcError:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.1)
            self.assertEqual(reply.contract_version, pb.CONTRACT_VERSION_2)
            ann = pb.RecipientRow(recipient_type=pb.RECIPIENT_TYPE_TO, addr_type=pb.ADDR_TYPE_SMTP,
                                  display_name="Ann Archer", email_address="ann@example.test",
                                  entry_kind=pb.ENTRY_KIND_PERSON, entry_id=1)
            choices = pb.Choices(profile=1, submission=True, prepare_submit=1,
                                 enforce_spooler_only=True, lock_after_restart=3,
                                 disposition_by=1, delete_means=1, sentmail=1)
            requests = [
                pb.Request(reset=choices),
                pb.Request(apply=pb.Op(create_message=pb.CreateMessage(
                    folder=pb.FOLDER_OUTBOX, recipients=[ann], saved=True))),
                pb.Request(apply=pb.Op(submit_message=pb.SubmitMessage(
                    caller=pb.ROLE_CLIENT, msg=1, script=pb.SubmitScript(now=9)))),
                pb.Request(apply=pb.Op(run_spooler=pb.RunSpooler(), )),
                pb.Request(reset=pb.Choices()),
            ]
            replies = list(stub.Session(iter(requests), timeout=30))
            self.assertEqual([r.WhichOneof("kind") for r in replies],
                             ["reset", "applied", "applied", "applied", "failure"])
            self.assertEqual(replies[1].applied.ret.created, 1)
            self.assertEqual(len(replies[2].applied.calls), 3)
            self.assertEqual(list(replies[2].applied.observation.queue), [1])
            self.assertEqual(list(replies[2].applied.observation.messages[0].recipients), [ann])
            self.assertEqual(replies[4].failure.kind, pb.Failure.UNSUPPORTED)
            channel.close()
        finally:
            proc.terminate()
            self.assertEqual(proc.wait(timeout=10), 0)


if __name__ == "__main__":
    unittest.main()
