"""CSV import and export of households, people and their cards.

The format (one row per person, the household's columns repeated on each of
its people's rows; header names are these fixed English keys, in any order):

=============  ================================================================
``unit``       the household's unit, ``3-2-501`` (empty only for staff)
``card_quota`` the household's card quota, 0 to 50 (empty: the community's)
``name``       the person's name (empty: a row for a household without people)
``role``       owner, family, tenant, helper, staff or contractor (or the
               Chinese words 业主, 家庭成员, 租户, 家政人员, 工作人员, 施工人员)
``id_number``  the ID document number (needed for a card; contractors too)
``phone``      the phone number
``valid_from`` ``2026-03-01``, ``2026/3/1``, ``2026-03-01 08:00`` or ISO 8601
``valid_until`` with an offset; without one, the community's local time. A
               date alone: ``valid_from`` from its start, ``valid_until`` to
               its end. Contractors need ``valid_until``.
``card_number`` a card to issue to the person (4 to 64 digits or A-F)
``card_deposit`` its deposit in yuan (empty: the community's deposit)
=============  ================================================================

Only ``unit``, ``name`` and ``role`` must be in the header. The text is UTF-8,
with or without the byte-order mark Excel's "CSV UTF-8" writes;
:func:`decode_csv` also reads GB18030 (GBK), what Excel in China writes for
plain "CSV". Excel shows long numbers in scientific notation and drops their
last digits: such ID or card numbers are refused with their own reason.

An import is checked as a whole first (:func:`check`): every row error
``(line, column, reason key, placeholders)`` is found with the core's own
rules before anything is written; only a file without errors is written, in
ONE transaction, and the in-memory index is updated after the commit, so a
failure leaves neither the database nor the index changed.

An export (:func:`export_csv`) has the same columns but is not a backup: ID
numbers are left out, phones and card numbers are masked (the database keeps
them only encrypted and hashed), and only people and households that have
not moved out, each person's newest active card, are written. Importing an
export skips masked values (no card is issued for a masked card number).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
import io
import re
from typing import Any

from .carddesk import CONTRACTOR_HOURS
from .community import Community, utcnow
from .decision import AccessIndex
from .errors import CommunityError
from .models import (
    Credential,
    CredentialKind,
    CredentialStatus,
    Household,
    LedgerEntry,
    LedgerKind,
    Person,
    PersonStatus,
    Role,
    Unit,
)
from .privacy import (
    card_number_issuable,
    mask_credential,
    normalize_credential,
    valid_id_number,
)
from .storage import Database
from .text import clean_name

#: The columns, in the order exports and the template write them.
COLUMNS = (
    "unit",
    "card_quota",
    "name",
    "role",
    "id_number",
    "phone",
    "valid_from",
    "valid_until",
    "card_number",
    "card_deposit",
)
REQUIRED_COLUMNS = ("unit", "name", "role")
#: Person columns: a row with none of them describes a household only.
PERSON_COLUMNS = COLUMNS[2:]
QUOTA_MAX = 50
DEPOSIT_MAX_CENTS = 100_000 * 100
#: An import stops listing errors after this many (the count is still given).
MAX_ERRORS = 1000
#: Roles a file may give: visitors go through the visitor desk.
IMPORT_ROLES = {
    role.value: role
    for role in (
        Role.OWNER,
        Role.FAMILY,
        Role.TENANT,
        Role.HELPER,
        Role.STAFF,
        Role.CONTRACTOR,
    )
} | {
    "业主": Role.OWNER,
    "家庭成员": Role.FAMILY,
    "家属": Role.FAMILY,
    "租户": Role.TENANT,
    "租客": Role.TENANT,
    "家政人员": Role.HELPER,
    "保姆": Role.HELPER,
    "工作人员": Role.STAFF,
    "施工人员": Role.CONTRACTOR,
}
TEMPLATE_ROW = (
    "3-2-501",
    "4",
    "张伟",
    "owner",
    "11010519491231002X",
    "13800138000",
    "2026-01-01",
    "",
    "0012345678",
    "20",
)

_DATE = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
#: What Excel makes of a long number: 1.10105E+17.
_SCIENTIFIC = re.compile(r"\d(\.\d+)?E\+?\d+", re.IGNORECASE)
_AMOUNT = re.compile(r"\d{1,9}(\.\d{1,2})?")
#: A cell Excel would run as a formula; exports quote it with a leading "'".
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one cell of the file cannot be imported (line 1 is the header)."""

    line: int
    column: str
    key: str
    placeholders: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import found, and whether it was written."""

    rows: int
    households: int
    people: int
    cards: int
    errors: tuple[RowError, ...]
    written: bool
    #: Errors found beyond :data:`MAX_ERRORS` (not listed).
    more_errors: int = 0


@dataclass(slots=True)
class _NewHousehold:
    unit: Unit
    line: int
    card_quota: int | None = None
    quota_line: int = 0
    existing: Household | None = None


@dataclass(slots=True)
class _NewPerson:
    line: int
    unit: str | None
    values: dict[str, Any]
    card: dict[str, Any] | None = None
    deposit_cents: int = 0


@dataclass(slots=True)
class Plan:
    """A checked file: what it would write, or its errors."""

    rows: int = 0
    households: dict[str, _NewHousehold] = field(default_factory=dict)
    people: list[_NewPerson] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def new_households(self) -> list[_NewHousehold]:
        """Households the file registers (new, or moving into a vacated unit)."""
        return [
            h
            for h in self.households.values()
            if h.existing is None or h.existing.moved_out_at is not None
        ]

    @property
    def cards(self) -> int:
        """Cards the file issues."""
        return sum(1 for p in self.people if p.card is not None)


@dataclass(frozen=True, slots=True)
class Known:
    """What validation needs of the community as it is (a consistent copy)."""

    households: dict[str, Household]
    #: Household id → active cards of its people (visitors' passes excluded).
    active_cards: dict[int, int]
    #: (household id, name) of people not moved out.
    names: set[tuple[int, str]]
    #: Keyed hash of a credential value → status of the credential owning it.
    digests: dict[str, CredentialStatus]
    #: Keyed hashes of the ID numbers of people not moved out.
    id_hashes: set[str]


def decode_csv(data: bytes) -> str:
    """Return a file's text: UTF-8 (byte-order mark dropped), else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


# ---- reading the file


def read_rows(
    text: str,
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """Split a file into (line, {column: cell}) rows; header errors on line 1."""
    text = text.removeprefix("\ufeff")
    errors: list[RowError] = []
    if "\ufffd" in text:
        # A file in another encoding read as UTF-8: names would be garbage.
        line = text.count("\n", 0, text.index("\ufffd")) + 1
        return [], [RowError(line, "", "csv_not_utf8", {"line": str(line)})]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            return [], [RowError(1, "", "csv_no_rows")]
        columns = [cell.strip().lower() for cell in header]
        seen: set[str] = set()
        for column in columns:
            if column not in COLUMNS:
                errors.append(
                    RowError(
                        1, column[:40], "csv_unknown_column", {"column": column[:40]}
                    )
                )
            elif column in seen:
                errors.append(
                    RowError(1, column, "csv_duplicate_column", {"column": column})
                )
            seen.add(column)
        errors.extend(
            RowError(1, column, "csv_missing_column", {"column": column})
            for column in REQUIRED_COLUMNS
            if column not in seen
        )
        if errors:
            return [], errors  # the rows cannot be read without a sound header
        rows: list[tuple[int, dict[str, str]]] = []
        last = reader.line_num
        for cells in reader:
            line = last + 1
            last = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(columns):
                errors.append(RowError(line, "", "csv_too_many_cells"))
                continue
            rows.append(
                (
                    line,
                    {
                        column: _unquote(cell.strip())
                        for column, cell in zip(columns, cells, strict=False)
                        if column in COLUMNS
                    },
                )
            )
    except csv.Error:
        return [], [RowError(reader.line_num or 1, "", "csv_unreadable")]
    if not rows and not errors:
        errors.append(RowError(1, "", "csv_no_rows"))
    return rows, errors


def _unquote(cell: str) -> str:
    """Drop the ``'`` an export puts before a cell that looks like a formula."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in _FORMULA_START:
        return cell[1:]
    return cell


# ---- checking


def known_from(
    households: dict[int, Household],
    persons: dict[int, Person],
    credentials: dict[int, Credential],
    id_hashes: set[str],
) -> Known:
    """Build :class:`Known` from copies of the index's tables (any thread)."""
    by_unit = {str(h.unit): h for h in households.values()}
    names = {
        (p.household_id, p.name)
        for p in persons.values()
        if p.household_id is not None and p.status is not PersonStatus.MOVED_OUT
    }
    digests: dict[str, CredentialStatus] = {}
    active_cards: dict[int, int] = {}
    for credential in sorted(credentials.values(), key=lambda c: c.id):
        digests[credential.digest] = credential.status
        if (
            credential.kind is CredentialKind.CARD
            and credential.status is CredentialStatus.ACTIVE
        ):
            person = persons.get(credential.person_id)
            if (
                person is not None
                and person.household_id is not None
                and person.role is not Role.VISITOR
            ):
                active_cards[person.household_id] = (
                    active_cards.get(person.household_id, 0) + 1
                )
    return Known(by_unit, active_cards, names, digests, id_hashes)


def check(community: Community, text: str, known: Known) -> Plan:
    """Check a whole file against the core's rules; blocking (run in a thread).

    Touches no shared state: ``known`` is a copy of what the community holds.
    """
    rows, errors = read_rows(text)
    plan = Plan(rows=len(rows), errors=errors)
    checker = _Checker(community, known, plan)
    for line, row in rows:
        checker.row(line, row)
    checker.quotas()
    plan.errors.sort(key=lambda e: (e.line, _column_order(e.column)))
    return plan


def _column_order(column: str) -> int:
    return COLUMNS.index(column) if column in COLUMNS else len(COLUMNS)


class _Checker:
    """Checks rows one by one, remembering what earlier rows claimed."""

    def __init__(self, community: Community, known: Known, plan: Plan) -> None:
        self.community = community
        self.known = known
        self.plan = plan
        self.tz: tzinfo = community.index.tz
        self.id_lines: dict[str, int] = {}
        self.card_lines: dict[str, int] = {}
        self.name_lines: dict[tuple[str, str], int] = {}

    def error(self, at: int, column: str, key: str, /, **placeholders: str) -> None:
        self.plan.errors.append(RowError(at, column, key, placeholders))

    def row(self, line: int, row: dict[str, str]) -> None:
        household = self.household(line, row)
        if not any(row.get(c) for c in PERSON_COLUMNS):
            return  # a household without people
        ok = True
        try:
            name = clean_name(row.get("name", ""))
        except CommunityError as err:
            key = "csv_name_required" if not row.get("name") else err.key
            self.error(line, "name", key)
            ok, name = False, ""
        role = IMPORT_ROLES.get(row.get("role", "").strip().lower())
        if role is None:
            role = IMPORT_ROLES.get(row.get("role", "").strip())
        if role is None:
            self.error(line, "role", "csv_invalid_role", role=row.get("role", "")[:20])
            ok = False
        elif not row.get("unit") and role is not Role.STAFF:
            self.error(line, "unit", "household_required", role=role.value)
            ok = False
        if row.get("unit") and household is None:
            ok = False
        values: dict[str, Any] = {"name": name, "role": role}
        ok &= self.id_number(line, row, values)
        ok &= self.phone(line, row, values)
        ok &= self.window(line, row, values, role)
        if household is not None and name and ok:
            person_key = (str(household.unit), name)
            if person_key in self.name_lines:
                self.error(
                    line,
                    "name",
                    "csv_duplicate_in_file",
                    line=str(self.name_lines[person_key]),
                )
                ok = False
            elif (
                household.existing is not None
                and household.existing.moved_out_at is None
                and (household.existing.id, name) in self.known.names
            ):
                self.error(line, "name", "csv_person_exists", unit=str(household.unit))
                ok = False
            else:
                self.name_lines[person_key] = line
        person = _NewPerson(line, str(household.unit) if household else None, values)
        ok &= self.card(line, row, person)
        if ok:
            self.plan.people.append(person)

    def household(self, line: int, row: dict[str, str]) -> _NewHousehold | None:
        text = row.get("unit", "")
        quota_text = row.get("card_quota", "")
        quota: int | None = None
        if quota_text:
            if not quota_text.isdigit() or int(quota_text) > QUOTA_MAX:
                self.error(line, "card_quota", "csv_invalid_quota")
            else:
                quota = int(quota_text)
        if not text:
            if quota_text:
                self.error(line, "unit", "csv_unit_required")
            return None
        try:
            unit = Unit.parse(text)
        except ValueError:
            self.error(line, "unit", "invalid_unit", unit=text[:40])
            return None
        key = str(unit)
        household = self.plan.households.get(key)
        if household is None:
            household = _NewHousehold(
                unit, line, existing=self.known.households.get(key)
            )
            self.plan.households[key] = household
        if quota is None:
            return household
        existing = household.existing
        if household.card_quota is not None and household.card_quota != quota:
            self.error(
                line,
                "card_quota",
                "csv_quota_conflict",
                unit=key,
                line=str(household.quota_line),
            )
        elif (
            existing is not None
            and existing.moved_out_at is None
            and existing.card_quota != quota
        ):
            self.error(line, "card_quota", "csv_quota_differs", unit=key)
        else:
            household.card_quota = quota
            household.quota_line = household.quota_line or line
        return household

    def id_number(self, line: int, row: dict[str, str], values: dict[str, Any]) -> bool:
        text = row.get("id_number", "")
        if _SCIENTIFIC.fullmatch(text):
            self.error(line, "id_number", "csv_excel_number")
            return False
        if text and not valid_id_number(text):
            self.error(line, "id_number", "invalid_id_number")
            return False
        values.update(self.community.id_number_values(text or None))
        digest = values["id_number_hash"]
        if digest is None:
            return True
        if digest in self.id_lines:
            self.error(
                line,
                "id_number",
                "csv_duplicate_in_file",
                line=str(self.id_lines[digest]),
            )
            return False
        self.id_lines[digest] = line
        if digest in self.known.id_hashes:
            self.error(line, "id_number", "csv_id_number_registered")
            return False
        return True

    def phone(self, line: int, row: dict[str, str], values: dict[str, Any]) -> bool:
        text = row.get("phone", "")
        if "*" in text:
            text = ""  # masked by an export: not imported
        try:
            values.update(self.community.phone_values(text or None))
        except CommunityError as err:
            self.error(line, "phone", err.key)
            return False
        return True

    def window(
        self,
        line: int,
        row: dict[str, str],
        values: dict[str, Any],
        role: Role | None,
    ) -> bool:
        ok = True
        for column in ("valid_from", "valid_until"):
            text = row.get(column, "")
            moment = (
                parse_moment(text, self.tz, end=column == "valid_until")
                if text
                else None
            )
            if text and moment is None:
                self.error(line, column, "csv_invalid_datetime")
                ok = False
            values[column] = moment
        start, end = values["valid_from"], values["valid_until"]
        if ok and start is not None and end is not None and end <= start:
            self.error(line, "valid_until", "invalid_validity")
            ok = False
        if role is Role.CONTRACTOR:
            if not row.get("valid_until"):
                self.error(line, "valid_until", "valid_until_required")
                ok = False
            if not row.get("id_number"):
                self.error(line, "id_number", "id_required", name=values["name"])
                ok = False
        return ok

    def card(self, line: int, row: dict[str, str], person: _NewPerson) -> bool:
        text = row.get("card_number", "")
        deposit_text = row.get("card_deposit", "")
        if "*" in text:
            return True  # masked by an export: no card issued
        ok = True
        deposit = self.community.settings.card_deposit_cents
        if deposit_text:
            parsed = _cents(deposit_text)
            if parsed is None:
                self.error(line, "card_deposit", "csv_invalid_deposit")
                ok = False
            else:
                deposit = parsed
        if not text:
            if deposit_text:
                self.error(line, "card_deposit", "csv_deposit_without_card")
                return False
            return ok
        if _SCIENTIFIC.fullmatch(text):
            self.error(line, "card_number", "csv_excel_number")
            return False
        if not card_number_issuable(text):
            self.error(line, "card_number", "invalid_card_number")
            return False
        values = person.values
        if values.get("id_number_hash") is None and not row.get("id_number"):
            self.error(line, "card_number", "id_required", name=values["name"])
            ok = False
        vault = self.community.vault
        digest = vault.credential_digest(CredentialKind.CARD, text)
        if digest in self.card_lines:
            self.error(
                line,
                "card_number",
                "csv_duplicate_in_file",
                line=str(self.card_lines[digest]),
            )
            return False
        self.card_lines[digest] = line
        status = self.known.digests.get(digest)
        if status is CredentialStatus.ACTIVE:
            self.error(line, "card_number", "credential_in_use", kind="card")
            return False
        if status is CredentialStatus.LOST:
            self.error(line, "card_number", "credential_reported_lost", kind="card")
            return False
        person.card = {
            "kind": CredentialKind.CARD,
            "digest": digest,
            "value_enc": vault.encrypt(normalize_credential(CredentialKind.CARD, text)),
            "masked": mask_credential(CredentialKind.CARD, text),
            "valid_from": values["valid_from"],
            "valid_until": values["valid_until"],
            "schedule": CONTRACTOR_HOURS if values["role"] is Role.CONTRACTOR else None,
        }
        person.deposit_cents = deposit
        return ok

    def quotas(self) -> None:
        """Refuse the cards that would take a household over its quota."""
        held: dict[str, int] = {}
        for person in self.plan.people:
            if person.card is None or person.unit is None:
                continue
            household = self.plan.households[person.unit]
            existing = household.existing
            current = existing is not None and existing.moved_out_at is None
            quota = household.card_quota
            if quota is None:
                quota = (
                    existing.card_quota if current and existing is not None else None
                )
            if quota is None:
                quota = self.community.settings.card_quota
            if person.unit not in held:
                held[person.unit] = (
                    self.known.active_cards.get(existing.id, 0)
                    if current and existing is not None
                    else 0
                )
            held[person.unit] += 1
            if held[person.unit] > quota:
                self.error(
                    person.line,
                    "card_number",
                    "card_quota_reached",
                    unit=person.unit,
                    quota=str(quota),
                )
        failed = {e.line for e in self.plan.errors}
        self.plan.people = [p for p in self.plan.people if p.line not in failed]


def parse_moment(text: str, tz: tzinfo, *, end: bool = False) -> datetime | None:
    """Parse a date or a date and time; local to ``tz`` without an offset.

    A date alone is its start, or with ``end`` its end (the next midnight).
    """
    match = _DATE.fullmatch(text.strip())
    try:
        if match is not None:
            year, month, day, hour, minute, second = match.groups()
            day_ = date(int(year), int(month), int(day))
            if hour is None:
                moment = datetime.combine(day_, time(), tz)
                return moment + timedelta(days=1) if end else moment
            return datetime.combine(
                day_, time(int(hour), int(minute), int(second or 0)), tz
            )
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def _cents(text: str) -> int | None:
    if not _AMOUNT.fullmatch(text):
        return None
    try:
        cents = int(Decimal(text) * 100)
    except InvalidOperation:
        return None
    return cents if cents <= DEPOSIT_MAX_CENTS else None


# ---- writing


@dataclass(frozen=True, slots=True)
class Written:
    """What the import's transaction committed."""

    households: tuple[Household, ...]
    persons: tuple[Person, ...]
    credentials: tuple[Credential, ...]
    ledger: tuple[LedgerEntry, ...]


def write(db: Database, plan: Plan, recorded_by: str | None) -> Written:
    """Write a checked plan in ONE transaction; blocking (run in a thread).

    Rows go in a few statements of many rows each (an import of thousands
    of people would spend most of its time building statements one by one).
    """
    now = utcnow()
    with db.transaction() as tx:
        fresh = [h for h in plan.households.values() if h.existing is None]
        households = tx.insert_households([(h.unit, h.card_quota) for h in fresh])
        by_unit = {str(h.unit): h for h in households}
        for key, planned in plan.households.items():
            existing = planned.existing
            if existing is None:
                continue
            if existing.moved_out_at is not None:
                # A new household moves into a vacated unit (as add_household).
                tx.delete_links(existing.id)
                existing = tx.update_household(
                    existing.id,
                    moved_out_at=None,
                    card_quota=planned.card_quota,
                    occupancy=existing.occupancy + 1,
                    occupied_since=now,
                )
                households.append(existing)
            by_unit[key] = existing
        person_rows = []
        for planned_person in plan.people:
            home = by_unit[planned_person.unit] if planned_person.unit else None
            person_rows.append(
                {
                    "household_id": home.id if home else None,
                    "occupancy": home.occupancy if home else 1,
                    **planned_person.values,
                }
            )
        persons = tx.insert_persons(person_rows)
        with_cards = [
            (planned_person, person)
            for planned_person, person in zip(plan.people, persons, strict=True)
            if planned_person.card is not None
        ]
        credentials = tx.insert_credentials(
            [
                {
                    "person_id": person.id,
                    "deposit_cents": planned_person.deposit_cents,
                    **(planned_person.card or {}),
                }
                for planned_person, person in with_cards
            ]
        )
        entries = tx.insert_ledger_many(
            [
                LedgerEntry(
                    at=now,
                    kind=LedgerKind.DEPOSIT,
                    amount_cents=credential.deposit_cents,
                    household_id=person.household_id,
                    person_id=person.id,
                    credential_id=credential.id,
                    recorded_by=recorded_by,
                    occupancy=person.occupancy,
                )
                for (_planned, person), credential in zip(
                    with_cards, credentials, strict=True
                )
                if credential.deposit_cents
            ]
        )
    return Written(
        tuple(households), tuple(persons), tuple(credentials), tuple(entries)
    )


async def import_csv(
    community: Community,
    text: str,
    *,
    dry_run: bool,
    recorded_by: str | None = None,
) -> ImportResult:
    """Check a file and, unless ``dry_run`` or it has errors, write it whole.

    The check and the write run in worker threads; the check of a real
    import and its write happen under the community's write lock, so no
    other change slips in between them.
    """
    if dry_run:
        plan = await _check(community, text)
        return _result(plan, written=False)
    async with community.write_lock:
        plan = await _check(community, text)
        if plan.errors:
            return _result(plan, written=False)
        done: Written = await community.run(write, community.db, plan, recorded_by)
        index = community.index
        for household in done.households:
            index.put_household(household)
            community.links.pop(household.id, None)
        for person in done.persons:
            index.put_person(person)
        for credential in done.credentials:
            index.put_credential(credential)
        community.apply_ledger(done.ledger)
    community.notify_changed()
    return _result(plan, written=True)


async def _check(community: Community, text: str) -> Plan:
    index = community.index
    # Shallow copies on the event loop (the only thread that changes the
    # index); the rest of the work happens in a worker thread.
    tables = (dict(index.households), dict(index.persons), dict(index.credentials))
    id_hashes: set[str] = await community.run(community.db.id_hashes_in_use)

    def _work() -> Plan:
        return check(community, text, known_from(*tables, id_hashes))

    plan: Plan = await community.run(_work)
    return plan


def _result(plan: Plan, *, written: bool) -> ImportResult:
    errors = plan.errors
    return ImportResult(
        rows=plan.rows,
        households=len(plan.new_households),
        people=len(plan.people),
        cards=plan.cards,
        errors=tuple(errors[:MAX_ERRORS]),
        written=written,
        more_errors=max(len(errors) - MAX_ERRORS, 0),
    )


# ---- export and template


def export_rows(index: AccessIndex) -> list[list[str]]:
    """Return the rows of an export (header first): see the module's notes."""
    rows: list[list[str]] = [list(COLUMNS)]
    tz = index.tz
    households = sorted(
        (h for h in index.households.values() if h.moved_out_at is None),
        key=lambda h: _unit_key(h.unit),
    )
    for household in households:
        quota = "" if household.card_quota is None else str(household.card_quota)
        people = [
            p
            for p in index.persons_of(household.id)
            if p.status is not PersonStatus.MOVED_OUT and p.role is not Role.VISITOR
        ]
        if not people:
            rows.append([str(household.unit), quota, *[""] * len(PERSON_COLUMNS)])
        rows.extend(
            [str(household.unit), quota, *_person_cells(index, p, tz)] for p in people
        )
    staff = sorted(
        (
            p
            for p in index.persons.values()
            if p.household_id is None
            and p.status is not PersonStatus.MOVED_OUT
            and p.role is Role.STAFF
        ),
        key=lambda p: p.id,
    )
    rows.extend(["", "", *_person_cells(index, p, tz)] for p in staff)
    return rows


def _person_cells(index: AccessIndex, person: Person, tz: tzinfo) -> list[str]:
    cards = [
        c
        for c in index.credentials_of(person.id)
        if c.kind is CredentialKind.CARD and c.status is CredentialStatus.ACTIVE
    ]
    card = cards[-1] if cards else None
    return [
        person.name,
        person.role.value,
        "",  # ID numbers are never exported
        person.phone_masked or "",
        _moment(person.valid_from, tz),
        _moment(person.valid_until, tz),
        card.masked if card else "",
        f"{card.deposit_cents / 100:.2f}" if card else "",
    ]


def _moment(moment: datetime | None, tz: tzinfo) -> str:
    return "" if moment is None else moment.astimezone(tz).isoformat()


def _unit_key(unit: Unit) -> tuple[tuple[int, str], ...]:
    return tuple(
        (int(part), "") if part.isdigit() else (1 << 30, part)
        for part in (unit.building, unit.entrance, unit.room)
    )


def to_csv(rows: list[list[str]]) -> str:
    """CSV text for Excel: UTF-8 byte-order mark, CRLF, formulas quoted."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(
            ["'" + cell if cell.startswith(_FORMULA_START) else cell for cell in row]
        )
    return out.getvalue()


def export_csv(index: AccessIndex) -> str:
    """Return the community's households, people and cards as CSV (not a backup)."""
    return to_csv(export_rows(index))


def template_csv() -> str:
    """Return the header and one example row."""
    return to_csv([list(COLUMNS), list(TEMPLATE_ROW)])
