#!/usr/bin/env python3
"""Differential check: the same random request streams to this provider and to the bundled Rust
reference (`spoolcheck serve`), and every reply must be identical, byte for byte. Stricter than
`spoolcheck run`, which accepts any outcome the rules allow.

    python3 examples/python-provider/differential.py --spoolcheck target/release/spoolcheck \\
        --sessions 200 --steps 60 --seed 1 [--profile system]
"""

from __future__ import annotations

import argparse
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

S_OK = 0
FAILURES = [0x80004005, 0x80040115, 0x8004011B, 0x80070005]

# The harness's address book (model/src/recipient.rs): (kind, number, name, address type, address,
# members). Kind 3 is a person, 4 a personal distribution list (address type 4, MAPIPDL).
BOOK = [
    (3, 1, "Ann Archer", 1, "ann@example.test", []),
    (3, 2, "Bo Baker", 1, "bo@example.test", []),
    (3, 3, "Cy Cole", 2, "+1 555 0103", []),
    (3, 4, "Di Dunn", 3, "c=us;p=example;s=dunn", []),
    (3, 5, "Ed Eames", 1, "ed@example.test", []),
    (4, 1, "Team", 4, "", [(3, 1), (3, 2)]),
    (4, 2, "Fax desk", 4, "", [(3, 3), (3, 1)]),
    (4, 3, "Everyone", 4, "", [(4, 1), (3, 4), (3, 5)]),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def random_choices(pb, rng: random.Random, profile: str = "any"):
    profiles = {"any": [pb.PROFILE_PROVIDER, pb.PROFILE_PROVIDER, pb.PROFILE_SYSTEM],
                "provider": [pb.PROFILE_PROVIDER], "system": [pb.PROFILE_SYSTEM]}[profile]
    c = pb.Choices(
        profile=rng.choice(profiles),
        submission=rng.random() < 0.9,
        prepare_submit=rng.choice([pb.PREPARE_SUBMIT_ALWAYS, pb.PREPARE_SUBMIT_RESEND_ONLY]),
        enforce_spooler_only=rng.random() < 0.5,
        lock_after_restart=rng.choice([pb.LOCK_DROPPED, pb.LOCK_KEPT, pb.LOCK_EITHER]),
        disposition_by=rng.choice([pb.DISPOSITION_BY_STORE, pb.DISPOSITION_BY_DO_SENT_MAIL]),
        delete_means=rng.choice([pb.DELETE_MEANS_HARD_DELETE,
                                 pb.DELETE_MEANS_MOVE_TO_DELETED_ITEMS]),
        sentmail=rng.choice([pb.SENT_MAIL_MOVE, pb.SENT_MAIL_COPY]),
    )
    if rng.random() < 0.5:
        c.tight_coupling.handles.extend(sorted(rng.sample([1, 2, 3], rng.randint(1, 2))))
        c.tight_coupling.completion = rng.choice([pb.COMPLETION_COMPLETE_MSG,
                                                  pb.COMPLETION_LOCAL])
    return c


def random_row(pb, rng: random.Random):
    """A row of the book under its name or another, an address typed by hand (its case varied,
    so that duplicates differ in case), or a list the book may not have."""
    kind = rng.choice([pb.RECIPIENT_TYPE_TO, pb.RECIPIENT_TYPE_TO, pb.RECIPIENT_TYPE_CC,
                       pb.RECIPIENT_TYPE_BCC])
    pick = rng.random()
    if pick < 0.15:
        email = rng.choice(["guest@example.test", "ann@example.test", "Ann@Example.TEST"])
        return pb.RecipientRow(recipient_type=kind, addr_type=pb.ADDR_TYPE_SMTP,
                               display_name="Guest", email_address=email,
                               entry_kind=pb.ENTRY_KIND_UNRESOLVED)
    if pick < 0.2:
        return pb.RecipientRow(recipient_type=kind, addr_type=pb.ADDR_TYPE_MAPIPDL,
                               display_name="Gone", entry_kind=pb.ENTRY_KIND_LIST, entry_id=9)
    entry_kind, number, name, addr, email, _ = rng.choice(BOOK)
    if rng.random() < 0.2:
        name = "Renamed"
    return pb.RecipientRow(recipient_type=kind, addr_type=addr, display_name=name,
                           email_address=email, entry_kind=entry_kind, entry_id=number)


def random_rows(pb, rng: random.Random, most: int):
    return [random_row(pb, rng) for _ in range(rng.randint(0, most))]


def random_book(pb, rng: random.Random):
    """The book, some entries left out (a member or a list the book lacks)."""
    return [pb.BookEntry(entry_kind=kind, entry_id=number, display_name=name, addr_type=addr,
                         email_address=email,
                         members=[pb.BookMember(entry_kind=k, entry_id=n) for k, n in members])
            for kind, number, name, addr, email, members in BOOK if rng.random() < 0.85]


def random_spooler(pb, rng: random.Random):
    """Now and then a preprocessor still running, or a transport with a temporary problem."""
    op = pb.RunSpooler()
    if rng.random() < 0.3:
        op.busy_preprocessor = rng.randint(1, 3)
    if rng.random() < 0.3:
        op.waiting_transport = rng.randint(1, 3)
    return op


def random_op(pb, rng: random.Random, created: int, clock: list):
    # Mostly messages that exist, sometimes one never given out (0, the next number).
    msg = rng.randint(1, created) if created and rng.random() < 0.9 else rng.randint(0, created + 1)
    client = rng.random() < 0.5
    kind = rng.choices(
        ["create", "submit", "abort", "open", "write", "lock", "queue", "mark", "finished",
         "advise", "notify", "read", "delete", "empty", "mask", "logoff", "restart",
         "register", "transport", "spooler"],
        weights=[6, 8, 2, 3, 2, 5, 2, 2, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4])[0]
    if kind == "create":
        return pb.Op(create_message=pb.CreateMessage(
            folder=rng.randint(1, 5), recipients=random_rows(pb, rng, 4),
            sentmail=rng.choice([0, 0, 4, 5, 3]), delete_after_submit=rng.random() < 0.3,
            unsent=rng.random() < 0.3, resend=rng.random() < 0.3, saved=rng.random() < 0.7))
    spooler_ops = ("lock", "finished", "mark", "queue", "notify")
    if kind in spooler_ops:
        client = rng.random() < 0.2
    elif kind == "submit":
        client = rng.random() < 0.8
    role = pb.ROLE_CLIENT if client else pb.ROLE_SPOOLER
    if kind == "submit":
        clock[0] += rng.randint(1, 5)
        script = pb.SubmitScript(
            now=clock[0],
            prepare=S_OK if rng.random() < 0.85 else rng.choice(FAILURES),
            expand=S_OK if rng.random() < 0.85 else rng.choice(FAILURES),
            expand_flags=rng.choice([0, 0, 1, 2, 3]),
            book=random_book(pb, rng))
        if rng.random() < 0.3:
            script.expanded.rows.extend(random_rows(pb, rng, 3))
        return pb.Op(submit_message=pb.SubmitMessage(
            caller=role, msg=msg, flags=rng.choice([0] * 8 + [1, 2]), script=script))
    if kind == "abort":
        return pb.Op(abort_submit=pb.AbortSubmit(caller=role, msg=msg))
    if kind == "open":
        return pb.Op(open_entry=pb.OpenEntry(caller=role, msg=msg, access=rng.randint(1, 3),
                                             path=rng.randint(1, 2)))
    if kind == "write":
        return pb.Op(write_message=pb.WriteMessage(caller=role, msg=msg, via=rng.randint(1, 2)))
    if kind == "lock":
        return pb.Op(set_lock_state=pb.SetLockState(caller=role, msg=msg,
                                                    lock=rng.random() < 0.7))
    if kind == "queue":
        return pb.Op(get_outgoing_queue=pb.GetOutgoingQueue(caller=role))
    if kind == "mark":
        return pb.Op(mark_responsibility=pb.MarkResponsibility(caller=role, msg=msg,
                                                               recipient=rng.randint(0, 3)))
    if kind == "finished":
        return pb.Op(finished_msg=pb.FinishedMsg(caller=role, msg=msg))
    if kind == "advise":
        return pb.Op(advise_new_mail=pb.AdviseNewMail())
    if kind == "notify":
        return pb.Op(notify_new_mail=pb.NotifyNewMail(caller=role, msg=msg))
    if kind == "read":
        return pb.Op(set_read_flag=pb.SetReadFlag(caller=role, msg=msg))
    if kind == "delete":
        return pb.Op(delete_message=pb.DeleteMessage(caller=role, msg=msg))
    if kind == "empty":
        return pb.Op(empty_folder=pb.EmptyFolder(caller=role, folder=rng.randint(1, 5)))
    if kind == "mask":
        return pb.Op(get_support_mask=pb.GetSupportMask())
    if kind == "logoff":
        return pb.Op(store_logoff=pb.StoreLogoff(flags=rng.choice([0, 1, 2, 4])))
    if kind == "restart":
        return pb.Op(restart=pb.Restart())
    if kind == "register":
        # Every form of registration (PRE-08, AMB-37).
        return pb.Op(register_preprocessor=pb.RegisterPreprocessor(
            transport=rng.randint(1, 3),
            scope=rng.choice([pb.PREPROCESSOR_SCOPE_ADDRESS_TYPE, pb.PREPROCESSOR_SCOPE_MAPIUID,
                              pb.PREPROCESSOR_SCOPE_ALL_MESSAGES])))
    if kind == "transport":
        return pb.Op(set_transport_available=pb.SetTransportAvailable(
            transport=rng.randint(1, 3), available=rng.random() < 0.6))
    return pb.Op(run_spooler=random_spooler(pb, rng))


def session_requests(pb, rng: random.Random, steps: int, profile: str):
    requests = [pb.Request(reset=random_choices(pb, rng, profile)),
                pb.Request(observe=pb.Observe())]
    created, clock = 0, [100]
    for _ in range(steps):
        op = random_op(pb, rng, created, clock)
        if op.WhichOneof("kind") == "create_message":
            created += 1
        requests.append(pb.Request(apply=op))
    return requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spoolcheck", default="target/release/spoolcheck")
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", choices=["any", "provider", "system"], default="any",
                        help="the profile of the sessions' choices (any: a third are system)")
    parser.add_argument("--mutant", help="serve this mutant as the reference (the check must fail)")
    args = parser.parse_args()

    import grpc
    import provider

    pb, pb_grpc = provider.generated_stubs()
    ref_port, py_port = free_port(), free_port()
    servers = [
        subprocess.Popen([args.spoolcheck, "serve", "--port", str(ref_port)]
                         + (["--mutant", args.mutant] if args.mutant else []),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen([sys.executable, str(HERE / "provider.py"), "--port", str(py_port)]),
    ]
    try:
        stubs = []
        for port in (ref_port, py_port):
            stub = pb_grpc.ProviderStub(grpc.insecure_channel(f"127.0.0.1:{port}"))
            deadline = time.time() + 30
            while True:
                try:
                    stub.Describe(pb.DescribeRequest(contract_version=pb.CONTRACT_VERSION_2),
                                  timeout=1)
                    break
                except grpc.RpcError:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.1)
            stubs.append(stub)
        rng = random.Random(args.seed)
        total, kinds, calls = 0, {}, 0
        for n in range(args.sessions):
            requests = session_requests(pb, rng, args.steps, args.profile)
            ref = list(stubs[0].Session(iter(requests), timeout=60))
            ours = list(stubs[1].Session(iter(requests), timeout=60))
            for i, (request, a, b) in enumerate(zip(requests, ref, ours)):
                if a != b:
                    print(f"session {n}, request {i} differs:\n{request}")
                    print(f"reference:\n{a}\npython:\n{b}")
                    print("choices:\n", requests[0])
                    return 1
            if len(ref) != len(ours):
                print(f"session {n}: {len(ref)} replies from the reference, {len(ours)} from ours")
                return 1
            total += len(requests)
            for reply in ours:
                kind = reply.WhichOneof("kind")
                if kind == "applied":
                    kind = f"hr {reply.applied.ret.hr:#x}"
                    calls += len(reply.applied.calls)
                kinds[kind] = kinds.get(kind, 0) + 1
        print(f"identical: {args.sessions} sessions, {total} requests, {calls} support calls")
        print("  " + ", ".join(f"{k}: {v}" for k, v in sorted(kinds.items())))
        return 0
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
