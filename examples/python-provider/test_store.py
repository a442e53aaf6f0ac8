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
    Folder,
    LockAfterRestart,
    PreprocessorScope,
    Profile,
    Role,
    TableEvent,
)
from seam import Choices, NewMessage, ScriptedSupport, SubmitScript, TightCoupling  # noqa: E402
from store import MessageStore  # noqa: E402


def outbox(*recipients, **kw):
    return NewMessage(folder=Folder.OUTBOX, recipients=list(recipients) or [AddrType.SMTP],
                      saved=kw.pop("saved", True), **kw)


class StoreTest(unittest.TestCase):
    def submit(self, store, msg, caller=Role.CLIENT, **script):
        s = SubmitScript(now=script.pop("now", 7), **script)
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

    def spool(self, store):
        support = ScriptedSupport()
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
                    reply = stub.Describe(pb.DescribeRequest(contract_version=1), timeout=1)
                    break
                except grpc.RpcError:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.1)
            self.assertEqual(reply.contract_version, pb.CONTRACT_VERSION_1)
            choices = pb.Choices(profile=1, submission=True, prepare_submit=1,
                                 enforce_spooler_only=True, lock_after_restart=3,
                                 disposition_by=1, delete_means=1, sentmail=1)
            requests = [
                pb.Request(reset=choices),
                pb.Request(apply=pb.Op(create_message=pb.CreateMessage(
                    folder=pb.FOLDER_OUTBOX, recipients=[pb.ADDR_TYPE_SMTP], saved=True))),
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
            self.assertEqual(replies[4].failure.kind, pb.Failure.UNSUPPORTED)
            channel.close()
        finally:
            proc.terminate()
            self.assertEqual(proc.wait(timeout=10), 0)


if __name__ == "__main__":
    unittest.main()
