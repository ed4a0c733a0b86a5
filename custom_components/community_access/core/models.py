"""Data model of a residential community: households, people, credentials, doors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
import re
from typing import Any

from .schedule import Schedule


class Role(StrEnum):
    """The role of a person in the community."""

    OWNER = "owner"
    FAMILY = "family"
    TENANT = "tenant"
    HELPER = "helper"
    STAFF = "staff"
    CONTRACTOR = "contractor"
    VISITOR = "visitor"


#: Roles that live in a household and may enter their own building (seed 113).
RESIDENT_ROLES = frozenset({Role.OWNER, Role.FAMILY, Role.TENANT})
#: Roles that may be declared by an owner for a temporary card (seed 4.4).
TEMPORARY_ROLES = frozenset({Role.TENANT, Role.HELPER})
#: Roles allowed into public areas when a door names no roles of its own
#: (seed 4.6 of the card rules: 持卡人可以使用门禁卡进入小区内的公共区域).
DEFAULT_PUBLIC_ROLES = frozenset({Role.OWNER, Role.FAMILY, Role.TENANT, Role.STAFF})


class PersonStatus(StrEnum):
    """Whether a person may currently use the access system."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    MOVED_OUT = "moved_out"


class CredentialKind(StrEnum):
    """How a person identifies at a reader."""

    CARD = "card"
    PIN = "pin"
    FINGERPRINT = "fingerprint"
    FACE = "face"
    PHONE_TAG = "phone_tag"
    PLATE = "plate"


class CredentialStatus(StrEnum):
    """Life-cycle state of a credential."""

    ACTIVE = "active"
    LOST = "lost"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class ZoneKind(StrEnum):
    """The kinds of zones a door can lead into."""

    GATE = "gate"
    BUILDING = "building"
    PUBLIC = "public"


class Direction(StrEnum):
    """Which way a door's reader lets people pass."""

    IN = "in"
    OUT = "out"
    BOTH = "both"


_UNIT_RE = re.compile(r"^([0-9A-Za-z]{1,6})-([0-9A-Za-z]{1,4})-([0-9A-Za-z]{1,6})$")
_AREA_RE = re.compile(r"^[0-9a-z_]{1,40}$")


@dataclass(frozen=True, slots=True)
class Unit:
    """A dwelling such as ``3-2-501``: building 3, unit (entrance) 2, room 501."""

    building: str
    entrance: str
    room: str

    @classmethod
    def parse(cls, text: str) -> Unit:
        """Parse ``building-entrance-room``; raise ``ValueError`` if malformed."""
        text = text.strip()
        if not text.isascii():
            raise ValueError(text)
        match = _UNIT_RE.match(text.upper())
        if match is None:
            raise ValueError(text)
        building, entrance, room = match.groups()
        return cls(building, entrance, room)

    def __str__(self) -> str:
        """Return the canonical ``3-2-501`` form."""
        return f"{self.building}-{self.entrance}-{self.room}"


@dataclass(frozen=True, slots=True)
class Zone:
    """Where a door leads: the community gates, one building, or a public area."""

    kind: ZoneKind
    key: str = ""
    #: Stable identifier: ``gate``, ``building:3`` or ``public:gym``. Made
    #: once: every decision and every presence the detector keeps reads it
    #: (one string per zone, not one per read).
    id: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Make the identifier."""
        object.__setattr__(
            self,
            "id",
            self.kind.value
            if self.kind is ZoneKind.GATE
            else f"{self.kind}:{self.key}",
        )

    @classmethod
    def parse(cls, text: str) -> Zone:
        """Parse a zone id; raise ``ValueError`` if malformed."""
        text = text.strip()
        if text == ZoneKind.GATE:
            return cls(ZoneKind.GATE)
        kind, sep, key = text.partition(":")
        if not sep or not key:
            raise ValueError(text)
        if kind == ZoneKind.BUILDING and re.fullmatch(r"[0-9A-Za-z]{1,6}", key):
            return cls(ZoneKind.BUILDING, key.upper())
        if kind == ZoneKind.PUBLIC and _AREA_RE.fullmatch(key):
            return cls(ZoneKind.PUBLIC, key)
        raise ValueError(text)

    @classmethod
    def gate(cls) -> Zone:
        """Return the community gates zone."""
        return cls(ZoneKind.GATE)

    @classmethod
    def building(cls, building: str) -> Zone:
        """Return the zone of one building."""
        return cls(ZoneKind.BUILDING, building.upper())

    @classmethod
    def public(cls, area: str) -> Zone:
        """Return a public area zone such as ``parking`` or ``gym``."""
        return cls(ZoneKind.PUBLIC, area)


@dataclass(frozen=True, slots=True)
class Household:
    """A household living in one unit."""

    id: int
    unit: Unit
    card_quota: int | None = None
    created_at: datetime | None = None
    moved_out_at: datetime | None = None
    #: Which household of the unit this is: 1 for the first, one more each
    #: time a new household moves into the vacated unit.
    occupancy: int = 1
    #: When the current occupancy began.
    occupied_since: datetime | None = None
    #: v10: the compound the unit is in ("": a single-compound installation).
    compound: str = ""


class _Keep:
    """Default of an argument not given (``None`` is a value of its own)."""

    __slots__ = ()

    def __repr__(self) -> str:
        """Name the marker."""
        return "<keep>"


_KEEP = _Keep()

#: What a person holds besides what decisions and lists read: ``created_at``,
#: ``has_id_number``, ``declared_by``, ``moved_out_at``, ``erase_after``,
#: ``occupancy``.
type PersonRest = tuple[
    datetime | None, bool, int | None, datetime | None, datetime | None, int
]
#: The rest of a person with nothing set.
_NO_PERSON_REST: PersonRest = (None, False, None, None, None, 1)


@dataclass(frozen=True, slots=True, init=False)
class Person:
    """A resident, staff member, contractor or visitor.

    Personal data kept here is only what decisions and displays need: the ID
    number and phone live encrypted in the database and appear here masked.

    Held lean for the 50,000 people of a big community (issue 14): the fields
    no decision reads (``created_at``, ``has_id_number``, ``declared_by``,
    ``moved_out_at``, ``erase_after``, ``occupancy``: read as attributes)
    live in one tuple ``rest`` that equal ones share (the start-up reader
    does). The constructor takes every field by its name or place as
    before (the fields of ``rest`` one by one, or ``rest``, or both: those
    named win).
    """

    id: int
    household_id: int | None
    name: str
    role: Role
    status: PersonStatus = PersonStatus.ACTIVE
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    extra_zones: frozenset[str] = field(default_factory=frozenset)
    id_number_masked: str | None = None
    phone_masked: str | None = None
    #: Contractors: company, tools and materials (seed 143).
    details: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)
    #: ``created_at``, ``has_id_number``, ``declared_by``, ``moved_out_at``,
    #: ``erase_after``, ``occupancy``.
    rest: PersonRest = _NO_PERSON_REST

    def __init__(  # noqa: PLR0913, PLR0917 - the fields of a person, in order
        self,
        id: int,  # noqa: A002 - the field's name
        household_id: int | None,
        name: str,
        role: Role,
        status: PersonStatus = PersonStatus.ACTIVE,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
        extra_zones: frozenset[str] | None = None,
        id_number_masked: str | None = None,
        phone_masked: str | None = None,
        created_at: datetime | None | _Keep = _KEEP,
        has_id_number: bool | _Keep = _KEEP,  # noqa: FBT001 - a field
        declared_by: int | None | _Keep = _KEEP,
        details: Mapping[str, Any] | None = None,
        moved_out_at: datetime | None | _Keep = _KEEP,
        erase_after: datetime | None | _Keep = _KEEP,
        occupancy: int | _Keep = _KEEP,
        *,
        rest: PersonRest | None = None,
    ) -> None:
        """Make a person (see the class for the arguments)."""
        base = _NO_PERSON_REST if rest is None else rest
        if not (
            created_at is _KEEP
            and has_id_number is _KEEP
            and declared_by is _KEEP
            and moved_out_at is _KEEP
            and erase_after is _KEEP
            and occupancy is _KEEP
        ):
            base = (
                base[0] if isinstance(created_at, _Keep) else created_at,
                base[1] if isinstance(has_id_number, _Keep) else has_id_number,
                base[2] if isinstance(declared_by, _Keep) else declared_by,
                base[3] if isinstance(moved_out_at, _Keep) else moved_out_at,
                base[4] if isinstance(erase_after, _Keep) else erase_after,
                base[5] if isinstance(occupancy, _Keep) else occupancy,
            )
            if base == _NO_PERSON_REST:
                base = _NO_PERSON_REST
        put = object.__setattr__
        put(self, "id", id)
        put(self, "household_id", household_id)
        put(self, "name", name)
        put(self, "role", role)
        put(self, "status", status)
        put(self, "valid_from", valid_from)
        put(self, "valid_until", valid_until)
        put(self, "extra_zones", _NO_ZONES if extra_zones is None else extra_zones)
        put(self, "id_number_masked", id_number_masked)
        put(self, "phone_masked", phone_masked)
        put(self, "details", details)
        put(self, "rest", base)

    @property
    def created_at(self) -> datetime | None:
        """When the person was registered."""
        return self.rest[0]

    @property
    def has_id_number(self) -> bool:
        """Whether an ID number is on file (encrypted; shown masked)."""
        return self.rest[1]

    @property
    def declared_by(self) -> int | None:
        """The owner who declared a temporary tenant or helper (seed 4.4)."""
        return self.rest[2]

    @property
    def moved_out_at(self) -> datetime | None:
        """When the person moved out."""
        return self.rest[3]

    @property
    def erase_after(self) -> datetime | None:
        """When the person's personal data is erased after moving out."""
        return self.rest[4]

    @property
    def occupancy(self) -> int:
        """The occupancy of the household's unit the person belongs to."""
        return self.rest[5]

    def __repr__(self) -> str:
        """Every field by its name."""
        return (
            f"Person(id={self.id!r}, household_id={self.household_id!r},"
            f" name={self.name!r}, role={self.role!r}, status={self.status!r},"
            f" valid_from={self.valid_from!r}, valid_until={self.valid_until!r},"
            f" extra_zones={self.extra_zones!r},"
            f" id_number_masked={self.id_number_masked!r},"
            f" phone_masked={self.phone_masked!r}, created_at={self.created_at!r},"
            f" has_id_number={self.has_id_number!r},"
            f" declared_by={self.declared_by!r}, details={self.details!r},"
            f" moved_out_at={self.moved_out_at!r},"
            f" erase_after={self.erase_after!r}, occupancy={self.occupancy!r})"
        )


#: Shared by every person without extra zones.
_NO_ZONES: frozenset[str] = frozenset()


def pack_digest(digest: str) -> bytes | str:
    """Return the compact form of a keyed hash, as the index keeps it.

    A keyed hash is 64 lowercase hex characters (a ``str`` of 105 bytes):
    kept as its 32 bytes instead (a ``bytes`` of 65). Any other text (not a
    keyed hash: a made-up value) is kept as it is. The form is canonical:
    equal digests give equal keys, and :func:`unpack_digest` gives the text
    back.
    """
    if len(digest) == 64:
        try:
            packed = bytes.fromhex(digest)
        except ValueError:
            return digest
        if packed.hex() == digest:
            return packed
    return digest


def unpack_digest(key: bytes | str) -> str:
    """Return the text of a keyed hash from its compact form (:func:`pack_digest`)."""
    return key.hex() if isinstance(key, bytes) else key


#: What a credential holds besides what decisions read: ``created_at``,
#: ``updated_at``, ``deposit_cents``, ``replaces_id``, ``damaged``.
type CredentialRest = tuple[datetime | None, datetime | None, int, int | None, bool]
#: The rest of a credential with nothing set.
_NO_REST: CredentialRest = (None, None, 0, None, False)


@dataclass(frozen=True, slots=True, init=False)
class Credential:
    """A card, PIN, fingerprint, face, phone tag or plate of one person.

    ``digest`` is the keyed hash of the value: the only form in which the
    value is looked up. ``masked`` is what people see (``****5678``).

    Held lean for the 150,000 credentials of a big community (issue 14): the
    keyed hash in its compact form ``key`` (:func:`pack_digest`; ``digest``
    gives its text), and the fields no decision reads in one tuple ``rest``
    (``created_at``, ``updated_at``, ``deposit_cents``, ``replaces_id``,
    ``damaged``: read as attributes), which equal credentials may share (the
    start-up reader does: a batch written at once has one). The constructor
    takes every field by its name (``digest`` or ``key``; the fields of
    ``rest`` one by one, or ``rest``, or both: those named win).
    """

    id: int
    person_id: int
    kind: CredentialKind
    #: The keyed hash in its compact form (``digest``: its text).
    key: bytes | str = field(repr=False)
    masked: str
    status: CredentialStatus = CredentialStatus.ACTIVE
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    schedule: Schedule | None = None
    #: ``created_at``, ``updated_at``, ``deposit_cents``, ``replaces_id``, ``damaged``.
    rest: CredentialRest = _NO_REST

    def __init__(  # noqa: PLR0913, PLR0917 - the fields of a credential, in order
        self,
        id: int,  # noqa: A002 - the field's name
        person_id: int,
        kind: CredentialKind,
        digest: str | None = None,
        masked: str = "",
        status: CredentialStatus = CredentialStatus.ACTIVE,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
        schedule: Schedule | None = None,
        created_at: datetime | None | _Keep = _KEEP,
        updated_at: datetime | None | _Keep = _KEEP,
        deposit_cents: int | _Keep = _KEEP,
        replaces_id: int | None | _Keep = _KEEP,
        damaged: bool | _Keep = _KEEP,  # noqa: FBT001 - a field
        *,
        key: bytes | str | None = None,
        rest: CredentialRest | None = None,
    ) -> None:
        """Make a credential (see the class for the arguments)."""
        if digest is not None:
            key = pack_digest(digest)
        elif key is None:
            raise TypeError("a credential needs its digest")
        base = _NO_REST if rest is None else rest
        if not (
            created_at is _KEEP
            and updated_at is _KEEP
            and deposit_cents is _KEEP
            and replaces_id is _KEEP
            and damaged is _KEEP
        ):
            base = (
                base[0] if isinstance(created_at, _Keep) else created_at,
                base[1] if isinstance(updated_at, _Keep) else updated_at,
                base[2] if isinstance(deposit_cents, _Keep) else deposit_cents,
                base[3] if isinstance(replaces_id, _Keep) else replaces_id,
                base[4] if isinstance(damaged, _Keep) else damaged,
            )
            if base == _NO_REST:
                base = _NO_REST
        put = object.__setattr__
        put(self, "id", id)
        put(self, "person_id", person_id)
        put(self, "kind", kind)
        put(self, "key", key)
        put(self, "masked", masked)
        put(self, "status", status)
        put(self, "valid_from", valid_from)
        put(self, "valid_until", valid_until)
        put(self, "schedule", schedule)
        put(self, "rest", base)

    @property
    def digest(self) -> str:
        """The keyed hash of the value (64 hex characters)."""
        return unpack_digest(self.key)

    @property
    def created_at(self) -> datetime | None:
        """When the credential was issued."""
        return self.rest[0]

    @property
    def updated_at(self) -> datetime | None:
        """When the credential last changed."""
        return self.rest[1]

    @property
    def deposit_cents(self) -> int:
        """Card deposit held for this credential, in fen (1/100 yuan)."""
        return self.rest[2]

    @property
    def replaces_id(self) -> int | None:
        """The credential this one was reissued for."""
        return self.rest[3]

    @property
    def damaged(self) -> bool:
        """Whether the card came back damaged."""
        return self.rest[4]

    def __repr__(self) -> str:
        """Every field by its name (the keyed hash left out)."""
        return (
            f"Credential(id={self.id!r}, person_id={self.person_id!r},"
            f" kind={self.kind!r}, masked={self.masked!r}, status={self.status!r},"
            f" valid_from={self.valid_from!r}, valid_until={self.valid_until!r},"
            f" schedule={self.schedule!r}, created_at={self.created_at!r},"
            f" updated_at={self.updated_at!r}, deposit_cents={self.deposit_cents!r},"
            f" replaces_id={self.replaces_id!r}, damaged={self.damaged!r})"
        )


# ---- the start-up reader's constructors (core/loading.py)
# 200,000 people and credentials are made at start-up: every field is given
# in the order of the class, already of its type and shared where it can
# be, so none is checked or merged here. Each field is set through its slot
# (the class is frozen: ``object.__setattr__`` would look it up by name).

_new = object.__new__
_set_person = tuple(
    getattr(Person, name).__set__
    for name in (
        "id",
        "household_id",
        "name",
        "role",
        "status",
        "valid_from",
        "valid_until",
        "extra_zones",
        "id_number_masked",
        "phone_masked",
        "details",
        "rest",
    )
)
_set_credential = tuple(
    getattr(Credential, name).__set__
    for name in (
        "id",
        "person_id",
        "kind",
        "key",
        "masked",
        "status",
        "valid_from",
        "valid_until",
        "schedule",
        "rest",
    )
)


def loaded_person(  # noqa: PLR0913, PLR0917 - the fields of a person, in order
    id: int,  # noqa: A002 - the field's name
    household_id: int | None,
    name: str,
    role: Role,
    status: PersonStatus,
    valid_from: datetime | None,
    valid_until: datetime | None,
    extra_zones: frozenset[str],
    id_number_masked: str | None,
    phone_masked: str | None,
    details: Mapping[str, Any] | None,
    rest: PersonRest,
) -> Person:
    """Make a person for the start-up reader: every field given, none checked."""
    (s_id, s_household, s_name, s_role, s_status, s_from, s_until, s_zones,
     s_id_number, s_phone, s_details, s_rest) = _set_person  # fmt: skip
    person: Person = _new(Person)
    s_id(person, id)
    s_household(person, household_id)
    s_name(person, name)
    s_role(person, role)
    s_status(person, status)
    s_from(person, valid_from)
    s_until(person, valid_until)
    s_zones(person, extra_zones)
    s_id_number(person, id_number_masked)
    s_phone(person, phone_masked)
    s_details(person, details)
    s_rest(person, rest)
    return person


def loaded_credential(  # noqa: PLR0913, PLR0917 - the fields of a credential, in order
    id: int,  # noqa: A002 - the field's name
    person_id: int,
    kind: CredentialKind,
    key: bytes | str,
    masked: str,
    status: CredentialStatus,
    valid_from: datetime | None,
    valid_until: datetime | None,
    schedule: Schedule | None,
    rest: CredentialRest,
) -> Credential:
    """Make a credential for the start-up reader: every field given (the keyed hash packed), none checked."""
    (s_id, s_person, s_kind, s_key, s_masked, s_status, s_from, s_until,
     s_schedule, s_rest) = _set_credential  # fmt: skip
    credential: Credential = _new(Credential)
    s_id(credential, id)
    s_person(credential, person_id)
    s_kind(credential, kind)
    s_key(credential, key)
    s_masked(credential, masked)
    s_status(credential, status)
    s_from(credential, valid_from)
    s_until(credential, valid_until)
    s_schedule(credential, schedule)
    s_rest(credential, rest)
    return credential


class LedgerKind(StrEnum):
    """Kinds of money movements of the card desk."""

    DEPOSIT = "deposit"
    REFUND = "refund"
    DEPOSIT_KEPT = "deposit_kept"
    REISSUE_FEE = "reissue_fee"
    FINE = "fine"
    #: A fine lifted (waived): cancels that much of the fines.
    FINE_WAIVED = "fine_waived"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One money movement, in fen, always positive; its kind says which way."""

    at: datetime
    kind: LedgerKind
    amount_cents: int
    household_id: int | None = None
    person_id: int | None = None
    credential_id: int | None = None
    recorded_by: str | None = None
    note: str | None = None
    id: int | None = None
    #: The occupancy of the household's unit the entry belongs to (set when
    #: written: the person's occupancy, else the household's current one).
    occupancy: int | None = None


@dataclass(frozen=True, slots=True)
class Door:
    """A door (gate, unit door, public area door) with a reader.

    ``allowed_roles`` and ``schedule`` narrow who may pass and when; for a
    public-area door without ``allowed_roles`` the default public roles apply.
    ``escape_route`` marks doors that must open in a fire alarm.
    """

    id: str
    name: str
    zone: Zone
    direction: Direction = Direction.IN
    allowed_roles: frozenset[Role] | None = None
    schedule: Schedule | None = None
    escape_route: bool = False


class VisitStatus(StrEnum):
    """Where a visit stands."""

    EXPECTED = "expected"  # pre-registered, not yet arrived
    PENDING = "pending"  # registered at the gate, waiting for the host
    APPROVED = "approved"  # pass issued
    ON_SITE = "on_site"  # the pass opened a gate
    OVERDUE = "overdue"  # the visitor card was not returned in time
    CLOSED = "closed"


#: Visits that still have an entity.
ACTIVE_VISIT_STATUSES = frozenset(
    {
        VisitStatus.EXPECTED,
        VisitStatus.PENDING,
        VisitStatus.APPROVED,
        VisitStatus.ON_SITE,
        VisitStatus.OVERDUE,
    }
)


class PassKind(StrEnum):
    """What a visitor gets to pass the doors."""

    CARD = "card"  # a visitor card handed over at the gate, to be returned
    PIN = "pin"
    QR = "qr"  # a code payload scanned by a reader


@dataclass(frozen=True, slots=True)
class Visit:
    """A visitor's visit to a household."""

    id: int
    household_id: int
    visitor_name: str
    status: VisitStatus
    pre_registered: bool = False
    multiple_entries: bool = False
    purpose: str | None = None
    expected_minutes: int | None = None
    id_number_masked: str | None = None
    phone_masked: str | None = None
    window_from: datetime | None = None
    window_until: datetime | None = None
    pass_kind: PassKind | None = None
    person_id: int | None = None
    credential_id: int | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    deadline_at: datetime | None = None
    decided_by: str | None = None
    close_reason: str | None = None
    card_returned: bool | None = None
    created_at: datetime | None = None
    checked_in_at: datetime | None = None
    closed_at: datetime | None = None
    #: An accompanied viewer (4.6): the staff member who must enter with them.
    escort_person_id: int | None = None


class ViolationKind(StrEnum):
    """Kinds of violations (第十条, 第十九条)."""

    USING_ANOTHERS_CARD = "using_anothers_card"
    LENDING_CARD = "lending_card"
    TAMPERING = "tampering"
    TAILGATING = "tailgating"
    OTHER = "other"


class PenaltyKind(StrEnum):
    """Rungs of the penalty ladder (第十九条) and fines (第十条)."""

    WARNING = "warning"  # 口头警告, with a deadline to correct (限期整改)
    RESTRICTION = "restriction"  # 限制使用: gates and own building only
    SUSPENSION = "suspension"  # 暂停出入
    PUBLIC_NOTICE = "public_notice"  # 公告批评
    REPORT = "report"  # 报告: for the owners' assembly and the authorities
    FINE = "fine"


#: The default ladder: the n-th violation of a person within a year gets rung n.
DEFAULT_LADDER = (
    PenaltyKind.WARNING,
    PenaltyKind.RESTRICTION,
    PenaltyKind.SUSPENSION,
    PenaltyKind.PUBLIC_NOTICE,
    PenaltyKind.REPORT,
)
#: 第十条: 100 yuan for using another's card, 200 for lending, transferring or selling.
DEFAULT_FINES_CENTS = {
    ViolationKind.USING_ANOTHERS_CARD: 10000,
    ViolationKind.LENDING_CARD: 20000,
}


@dataclass(frozen=True, slots=True)
class Violation:
    """A recorded violation."""

    id: int
    at: datetime
    kind: ViolationKind
    person_id: int | None
    household_id: int | None
    credential_id: int | None = None
    note: str | None = None
    evidence: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)
    status: str = "open"
    source: str = "manual"
    recorded_by: str | None = None


@dataclass(frozen=True, slots=True)
class Commendation:
    """A commendation recorded for a person (第九条)."""

    id: int
    at: datetime
    person_id: int | None
    household_id: int | None
    note: str | None = None
    recorded_by: str | None = None


@dataclass(frozen=True, slots=True)
class Penalty:
    """A penalty decided on a person (or household), with its period."""

    id: int
    kind: PenaltyKind
    person_id: int | None
    household_id: int | None
    start: datetime
    end: datetime | None = None
    deadline: datetime | None = None
    amount_cents: int | None = None
    violation_id: int | None = None
    note: str | None = None
    decided_by: str | None = None
    lifted_at: datetime | None = None
    lifted_by: str | None = None

    def in_force(self, at: datetime) -> bool:
        """Whether the penalty applies at a moment."""
        if self.lifted_at is not None and self.lifted_at <= at:
            return False
        return self.start <= at and (self.end is None or at < self.end)
