"""MAPI constants with their SDK values, and the small vocabularies the store speaks.

The enumerations use the numbers of the provider contract (provider.proto) so that the wire layer
converts them one to one, but the store itself never imports generated code.
"""

from enum import Enum, IntEnum


class HR:
    """HRESULTs (mapicode.h). Failures have the severity bit set."""

    S_OK = 0x0000_0000
    MAPI_W_PARTIAL_COMPLETION = 0x0004_0680
    MAPI_E_CALL_FAILED = 0x8000_4005
    MAPI_E_NO_ACCESS = 0x8007_0005
    MAPI_E_INVALID_PARAMETER = 0x8007_0057
    MAPI_E_NO_SUPPORT = 0x8004_0102
    MAPI_E_UNKNOWN_FLAGS = 0x8004_0106
    MAPI_E_INVALID_ENTRYID = 0x8004_0107
    MAPI_E_BUSY = 0x8004_010B
    MAPI_E_NOT_FOUND = 0x8004_010F
    MAPI_E_UNABLE_TO_ABORT = 0x8004_0114
    MAPI_E_NOT_IN_QUEUE = 0x8004_0601
    MAPI_E_NO_RECIPIENTS = 0x8004_0607
    MAPI_E_SUBMITTED = 0x8004_0608
    MAPI_E_WAIT = 0x8004_0500


def failed(hr: int) -> bool:
    """True for a failure code."""
    return hr & 0x8000_0000 != 0


# PR_MESSAGE_FLAGS bits.
MSGFLAG_READ = 0x01
MSGFLAG_SUBMIT = 0x04
MSGFLAG_UNSENT = 0x08
MSGFLAG_RESEND = 0x80
# The bits the harness compares (provider.proto: READ, SUBMIT and UNSENT).
OBSERVED_MESSAGE_FLAGS = MSGFLAG_READ | MSGFLAG_SUBMIT | MSGFLAG_UNSENT

# PR_SUBMIT_FLAGS bits.
SUBMITFLAG_LOCKED = 0x01
SUBMITFLAG_PREPROCESS = 0x02

# ExpandRecips output flags.
NEEDS_PREPROCESSING = 0x01
NEEDS_SPOOLER = 0x02

# SubmitMessage ulFlags.
FORCE_SUBMIT = 0x01
# SpoolerNotify flags.
NOTIFY_READYTOSEND = 0x02

# PR_STORE_SUPPORT_MASK bits.
STORE_MODIFY_OK = 0x08
STORE_CREATE_OK = 0x10
STORE_SUBMIT_OK = 0x80

# StoreLogoff flags: LOGOFF_ABORT is what the store forwards when StoreLogoff was never called.
LOGOFF_ABORT = 0x08


class Role(IntEnum):
    CLIENT = 1
    SPOOLER = 2


class Folder(IntEnum):
    INBOX = 1
    OUTBOX = 2
    DRAFTS = 3
    SENT_ITEMS = 4
    DELETED_ITEMS = 5


class AddrType(IntEnum):
    """PR_ADDRTYPE. SMTP, FAX and X400 each have a transport; MAPIPDL marks a personal distribution
    list, which ExpandRecips replaces by its members, so no transport handles it."""

    SMTP = 1
    FAX = 2
    X400 = 3
    MAPIPDL = 4


# The address types with a transport, in the order the spooler calls the transports.
TRANSPORTS = (AddrType.SMTP, AddrType.FAX, AddrType.X400)


class RecipType(IntEnum):
    """PR_RECIPIENT_TYPE."""

    TO = 1
    CC = 2
    BCC = 3


class EntryKind(IntEnum):
    """What a recipient row's PR_ENTRYID is, as the harness names its address book's entries."""

    UNRESOLVED = 1  # no entry ID: an address the client typed
    ONE_OFF = 2  # a one-off entry ID, made when a typed address is resolved
    PERSON = 3  # an address-book person
    LIST = 4  # an address-book personal distribution list


class PreprocessorScope(IntEnum):
    """Which messages a transport registers a preprocessor for: IMAPISupport::RegisterPreprocessor
    takes a MAPIUID and an address type, either of which may be NULL (PRE-08, AMB-37)."""

    ADDRESS_TYPE = 1  # lpszAdrType given: the transport's address type
    MAPIUID = 2  # lpMuid given: the transport's MAPIUID
    ALL_MESSAGES = 3  # both NULL: every message


class Access(IntEnum):
    DEFAULT = 1
    MODIFY = 2
    BEST_ACCESS = 3


class AccessLevel(IntEnum):
    READ_ONLY = 1
    MODIFY = 2


class OpenPath(IntEnum):
    STORE = 1
    FOLDER = 2


class Handle(IntEnum):
    SUBMITTER = 1
    REOPENED = 2


class TableEvent(IntEnum):
    """TABLE_NOTIFICATION.ulTableEvent values."""

    CHANGED = 1
    ROW_ADDED = 3
    ROW_DELETED = 4
    ROW_MODIFIED = 5


class Profile(Enum):
    PROVIDER = "provider"
    SYSTEM = "system"


class PrepareSubmitPolicy(Enum):
    ALWAYS = "always"
    RESEND_ONLY = "resend-only"


class LockAfterRestart(Enum):
    DROPPED = "dropped"
    KEPT = "kept"
    EITHER = "either"


class Completion(Enum):
    COMPLETE_MSG = "complete-msg"
    LOCAL = "local"


class DispositionBy(Enum):
    STORE = "store"
    DO_SENT_MAIL = "do-sent-mail"


class DeleteMeans(Enum):
    HARD_DELETE = "hard-delete"
    MOVE_TO_DELETED_ITEMS = "move-to-deleted-items"


class SentMailMode(Enum):
    MOVE = "move"
    COPY = "copy"
