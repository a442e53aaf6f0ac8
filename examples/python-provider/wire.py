"""Conversion between the contract's messages (provider.proto, generated at start-up) and the
store's own terms, and the handling of one Request. Everything a request carries is converted
before the store is touched, so a request answered UNSUPPORTED changes nothing."""

from __future__ import annotations

import traceback
from typing import Callable, Tuple

from mapi import (
    TRANSPORTS,
    Access,
    AddrType,
    Completion,
    DeleteMeans,
    DispositionBy,
    EntryKind,
    Folder,
    Handle,
    LockAfterRestart,
    OpenPath,
    PrepareSubmitPolicy,
    PreprocessorScope,
    Profile,
    RecipType,
    Role,
    SentMailMode,
)
from seam import (
    BookEntry,
    Choices,
    EntryRef,
    NewMessage,
    RecipientRow,
    Ret,
    ScriptedSupport,
    SpoolerScript,
    SubmitScript,
    TightCoupling,
)
from store import MessageStore


class Unsupported(Exception):
    """The request uses something this implementation does not implement."""


def _enum(cls, value: int, what: str):
    try:
        return cls(value)
    except ValueError:
        raise Unsupported(f"{what} = {value}") from None


def _mapped(table: dict, value: int, what: str):
    if value not in table:
        raise Unsupported(f"{what} = {value}")
    return table[value]


def _transport(value: int, what: str) -> AddrType:
    """An address type with a transport: a list (MAPIPDL) has none."""
    addr = _enum(AddrType, value, what)
    if addr not in TRANSPORTS:
        raise Unsupported(f"{what} = {value} (no transport has that address type)")
    return addr


def _entry(kind: int, number: int, what: str) -> EntryRef:
    kind = _enum(EntryKind, kind, f"{what}.entry_kind")
    in_book = kind in (EntryKind.PERSON, EntryKind.LIST)
    return EntryRef(kind, number if in_book else 0)


def _recipient(r, what: str) -> RecipientRow:
    return RecipientRow(
        kind=_enum(RecipType, r.recipient_type, f"{what}.recipient_type"),
        addr=_enum(AddrType, r.addr_type, f"{what}.addr_type"),
        name=r.display_name,
        email=r.email_address,
        entry=_entry(r.entry_kind, r.entry_id, what),
    )


def _recipients(rows, what: str):
    return [_recipient(r, f"{what}[{i}]") for i, r in enumerate(rows)]


def _book_entry(b, what: str) -> BookEntry:
    return BookEntry(
        entry=_entry(b.entry_kind, b.entry_id, what),
        name=b.display_name,
        addr=_enum(AddrType, b.addr_type, f"{what}.addr_type"),
        email=b.email_address,
        members=tuple(_entry(m.entry_kind, m.entry_id, f"{what}.members[{i}]")
                      for i, m in enumerate(b.members)),
    )


class Wire:
    """Binds the generated module `pb` (provider_pb2)."""

    def __init__(self, pb) -> None:
        self.pb = pb

    # -- Choices --------------------------------------------------------------------------------

    def choices(self, c) -> Choices:
        pb = self.pb
        tight = None
        if c.HasField("tight_coupling"):
            tight = TightCoupling(
                handles=[_transport(a, "tight_coupling.handles") for a in c.tight_coupling.handles],
                completion=_mapped({pb.COMPLETION_COMPLETE_MSG: Completion.COMPLETE_MSG,
                                    pb.COMPLETION_LOCAL: Completion.LOCAL},
                                   c.tight_coupling.completion, "tight_coupling.completion"),
            )
        return Choices(
            profile=_mapped({pb.PROFILE_PROVIDER: Profile.PROVIDER,
                             pb.PROFILE_SYSTEM: Profile.SYSTEM}, c.profile, "profile"),
            submission=c.submission,
            prepare_submit=_mapped({pb.PREPARE_SUBMIT_ALWAYS: PrepareSubmitPolicy.ALWAYS,
                                    pb.PREPARE_SUBMIT_RESEND_ONLY: PrepareSubmitPolicy.RESEND_ONLY},
                                   c.prepare_submit, "prepare_submit"),
            enforce_spooler_only=c.enforce_spooler_only,
            lock_after_restart=_mapped({pb.LOCK_DROPPED: LockAfterRestart.DROPPED,
                                        pb.LOCK_KEPT: LockAfterRestart.KEPT,
                                        pb.LOCK_EITHER: LockAfterRestart.EITHER},
                                       c.lock_after_restart, "lock_after_restart"),
            tight_coupling=tight,
            disposition_by=_mapped({pb.DISPOSITION_BY_STORE: DispositionBy.STORE,
                                    pb.DISPOSITION_BY_DO_SENT_MAIL: DispositionBy.DO_SENT_MAIL},
                                   c.disposition_by, "disposition_by"),
            delete_means=_mapped({pb.DELETE_MEANS_HARD_DELETE: DeleteMeans.HARD_DELETE,
                                  pb.DELETE_MEANS_MOVE_TO_DELETED_ITEMS:
                                      DeleteMeans.MOVE_TO_DELETED_ITEMS},
                                 c.delete_means, "delete_means"),
            sentmail=_mapped({pb.SENT_MAIL_MOVE: SentMailMode.MOVE,
                              pb.SENT_MAIL_COPY: SentMailMode.COPY}, c.sentmail, "sentmail"),
        )

    # -- Operations -----------------------------------------------------------------------------

    def operation(self, store: MessageStore, op) -> Tuple[Callable, ScriptedSupport]:
        """The store call an Op asks for, not yet made, and the support object it will use."""
        kind = op.WhichOneof("kind")
        if kind is None:
            raise Unsupported("an Op with no kind this implementation knows")
        o = getattr(op, kind)
        role = lambda: _enum(Role, o.caller, f"{kind}.caller")  # noqa: E731

        if kind == "create_message":
            new = NewMessage(
                folder=_enum(Folder, o.folder, "create_message.folder"),
                recipients=_recipients(o.recipients, "create_message.recipients"),
                sentmail=None if o.sentmail == 0 else _enum(Folder, o.sentmail,
                                                           "create_message.sentmail"),
                delete_after_submit=o.delete_after_submit,
                unsent=o.unsent,
                resend=o.resend,
                saved=o.saved,
            )
            return (lambda s: store.create_message(new)), ScriptedSupport()
        if kind == "submit_message":
            script = self.submit_script(o.script)
            caller = role()
            return (lambda s: store.submit_message(caller, o.msg, o.flags, script, s)), \
                ScriptedSupport(script)
        if kind == "abort_submit":
            caller = role()
            return (lambda s: store.abort_submit(caller, o.msg, s)), ScriptedSupport()
        if kind == "open_entry":
            caller = role()
            access = _enum(Access, o.access, "open_entry.access")
            path = _enum(OpenPath, o.path, "open_entry.path")
            return (lambda s: store.open_entry(caller, o.msg, access, path)), ScriptedSupport()
        if kind == "write_message":
            caller = role()
            via = _enum(Handle, o.via, "write_message.via")
            return (lambda s: store.write_message(caller, o.msg, via)), ScriptedSupport()
        if kind == "set_lock_state":
            caller = role()
            return (lambda s: store.set_lock_state(caller, o.msg, o.lock, s)), ScriptedSupport()
        if kind == "get_outgoing_queue":
            caller = role()
            return (lambda s: store.get_outgoing_queue(caller)), ScriptedSupport()
        if kind == "mark_responsibility":
            caller = role()
            return (lambda s: store.mark_responsibility(caller, o.msg, o.recipient)), \
                ScriptedSupport()
        if kind == "finished_msg":
            caller = role()
            return (lambda s: store.finished_msg(caller, o.msg, s)), ScriptedSupport()
        if kind == "advise_new_mail":
            return (lambda s: store.advise_new_mail()), ScriptedSupport()
        if kind == "notify_new_mail":
            caller = role()
            return (lambda s: store.notify_new_mail(caller, o.msg, s)), ScriptedSupport()
        if kind == "set_read_flag":
            caller = role()
            return (lambda s: store.set_read_flag(caller, o.msg)), ScriptedSupport()
        if kind == "delete_message":
            caller = role()
            return (lambda s: store.delete_messages(caller, o.msg, s)), ScriptedSupport()
        if kind == "empty_folder":
            caller = role()
            folder = _enum(Folder, o.folder, "empty_folder.folder")
            return (lambda s: store.empty_folder(caller, folder, s)), ScriptedSupport()
        if kind == "get_support_mask":
            return (lambda s: store.support_mask()), ScriptedSupport()
        if kind == "store_logoff":
            return (lambda s: store.store_logoff(o.flags)), ScriptedSupport()
        if kind == "restart":
            return (lambda s: store.restart(s)), ScriptedSupport()
        if kind == "register_preprocessor":
            addr = _transport(o.transport, "register_preprocessor.transport")
            # For the transport's address type, by its MAPIUID, or for all messages (PRE-08,
            # AMB-37). UNSPECIFIED (0) is taken as the address type, the only scope the operation
            # had before the field.
            scope = (PreprocessorScope.ADDRESS_TYPE
                     if o.scope == self.pb.PREPROCESSOR_SCOPE_UNSPECIFIED
                     else _enum(PreprocessorScope, o.scope, "register_preprocessor.scope"))
            return (lambda s: store.register_preprocessor(addr, scope)), ScriptedSupport()
        if kind == "set_transport_available":
            addr = _transport(o.transport, "set_transport_available.transport")
            return (lambda s: store.set_transport_available(addr, o.available)), ScriptedSupport()
        if kind == "run_spooler":
            # The script is for the harness's preprocessors and transports, which answer by it
            # (the support object); the spooler acts on their answers.
            return (lambda s: store.run_spooler(s)), ScriptedSupport(spooler=self.spooler_script(o))
        raise Unsupported(f"operation {kind}")

    @staticmethod
    def submit_script(s) -> SubmitScript:
        expanded = None
        if s.HasField("expanded"):
            expanded = _recipients(s.expanded.rows, "submit_message.script.expanded.rows")
        return SubmitScript(
            now=s.now, prepare=s.prepare, expand=s.expand, expand_flags=s.expand_flags,
            expanded=expanded,
            book=[_book_entry(b, f"submit_message.script.book[{i}]") for i, b in enumerate(s.book)],
        )

    @staticmethod
    def spooler_script(r) -> SpoolerScript:
        """An absent field reads 0, which names no preprocessor and no transport."""
        waiting = r.waiting_transport
        return SpoolerScript(
            busy_preprocessor=r.busy_preprocessor or None,
            waiting_transport=_transport(waiting, "run_spooler.waiting_transport") if waiting
            else None,
        )

    # -- Results --------------------------------------------------------------------------------

    def ret(self, ret: Ret):
        pb = self.pb
        out = pb.Ret(hr=ret.hr)
        if ret.data is not None:
            kind, value = ret.data
            if kind == "queue":
                out.queue.SetInParent()  # an empty queue is still an answer
                for row in value:
                    r = out.queue.rows.add(msg=row.msg)
                    if row.submit_flags is not None:
                        r.submit_flags = row.submit_flags
                    if row.message_flags is not None:
                        r.message_flags = row.message_flags
                    if row.client_submit_time is not None:
                        r.client_submit_time = row.client_submit_time
            else:
                setattr(out, kind, int(value))
        return out

    def support_call(self, call):
        pb = self.pb
        out = pb.SupportCall(answer_hr=call.answer_hr, answer_flags=call.answer_flags)
        body = getattr(out, call.kind)
        body.SetInParent()
        for name, value in call.args.items():
            if isinstance(value, list):
                getattr(body, name).extend(int(v) for v in value)
            elif isinstance(value, bool):
                setattr(body, name, value)
            else:
                setattr(body, name, int(value))
        return out

    def notification(self, n):
        pb = self.pb
        out = pb.Notification()
        if n.kind == "queue_table":
            out.queue_table.event = int(n.args["event"])
            out.queue_table.msg = n.args["msg"]
        else:
            out.new_mail.sink = n.args["sink"]
            out.new_mail.msg = n.args["msg"]
        return out

    def observation(self, obs):
        pb = self.pb
        out = pb.Observation()
        responsibility = {None: pb.RESPONSIBILITY_ABSENT, False: pb.RESPONSIBILITY_FALSE,
                          True: pb.RESPONSIBILITY_TRUE}
        for v in obs.messages:
            m = out.messages.add(msg=v.msg, message_flags=v.message_flags,
                                 submit_flags=v.submit_flags)
            if v.client_submit_time is not None:
                m.client_submit_time = v.client_submit_time
            m.responsibility.extend(responsibility[r] for r in v.responsibility)
            for row in v.recipients:
                m.recipients.add(recipient_type=int(row.kind), addr_type=int(row.addr),
                                 display_name=row.name, email_address=row.email,
                                 entry_kind=int(row.entry.kind), entry_id=row.entry.id)
        for folder, msgs in obs.folders.items():
            if msgs:  # a folder left out is empty
                out.folders.add(folder=int(folder), msgs=msgs)
        out.queue.extend(obs.queue)
        return out

    # -- One request ----------------------------------------------------------------------------

    def handle(self, store: MessageStore, request):
        """The one Reply to one Request."""
        pb = self.pb
        kind = request.WhichOneof("kind")
        try:
            if kind == "reset":
                store.reset(self.choices(request.reset))
                reply = pb.Reply()
                reply.reset.SetInParent()
                return reply
            if kind == "apply":
                run, support = self.operation(store, request.apply)
                ret = run(support)
                applied = pb.Applied(ret=self.ret(ret), observation=self.observation(store.observe()))
                applied.calls.extend(self.support_call(c) for c in support.calls)
                applied.notifications.extend(self.notification(n) for n in support.notifications)
                return pb.Reply(applied=applied)
            if kind == "observe":
                return pb.Reply(observation=self.observation(store.observe()))
            raise Unsupported("a Request with no kind this implementation knows")
        except Unsupported as e:
            return pb.Reply(failure=pb.Failure(kind=pb.Failure.UNSUPPORTED, detail=str(e)))
        except Exception:  # a bug in the store: the harness ends the run and shows this
            return pb.Reply(failure=pb.Failure(kind=pb.Failure.ERROR,
                                               detail=traceback.format_exc(limit=8)))
