"""CSV import and export of households, people and cards (issue 12).

Every row error comes with its line and column before anything is written;
a file is written whole in one transaction or not at all (database and
index); an export imports into an empty community.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select

from custom_components.community_access.core import transfer
from custom_components.community_access.core.carddesk import CardDesk
from custom_components.community_access.core.community import Community
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import (
    CredentialKind,
    CredentialStatus,
    LedgerKind,
    Role,
)
from custom_components.community_access.core.schema import (
    credentials,
    households,
    ledger,
    persons,
)

from .common import TZ, make_id_number, open_community

pytestmark = pytest.mark.both_databases

HEADER = ",".join(transfer.COLUMNS)
ID_1 = make_id_number(11)
ID_2 = make_id_number(12)
ID_3 = make_id_number(13)
CARD_1 = "4711517391"
CARD_2 = "4711528462"


def csv_of(*rows: str) -> str:
    return "\n".join((HEADER, *rows)) + "\n"


def errors_of(result: transfer.ImportResult) -> list[tuple[int, str, str]]:
    return [(e.line, e.column, e.key) for e in result.errors]


def table_counts(community: Community) -> dict[str, int]:
    with community.db.engine.connect() as conn:
        return {
            table.name: conn.execute(
                select(func.count()).select_from(table)
            ).scalar_one()
            for table in (households, persons, credentials, ledger)
        }


GOOD = csv_of(
    f"3-2-501,3,张伟,owner,{ID_1},13800138000,2026-01-01,,{CARD_1},20",
    f"3-2-501,,李娜,family,{ID_2},,,,{CARD_2},",
    "3-2-502,,,,,,,,,",
    f",,王强,staff,{ID_3},,,2027/6/30,,",
)


async def test_dry_run_counts_and_writes_nothing(community: Community) -> None:
    before = table_counts(community)
    result = await transfer.import_csv(community, GOOD, dry_run=True)
    assert result.errors == ()
    assert (result.rows, result.households, result.people, result.cards) == (
        4,
        2,
        3,
        2,
    )
    assert result.written is False
    assert table_counts(community) == before
    assert community.counts()["households"] == 0


async def test_import_writes_households_people_cards_and_deposits(
    community: Community,
) -> None:
    result = await transfer.import_csv(
        community, "\ufeff" + GOOD, dry_run=False, recorded_by="admin-1"
    )
    assert result.errors == ()
    assert result.written is True
    household = community.household("3-2-501")
    assert household.card_quota == 3
    assert community.household("3-2-502").card_quota is None
    people = community.index.persons_of(household.id)
    assert [(p.name, p.role, p.has_id_number) for p in people] == [
        ("张伟", Role.OWNER, True),
        ("李娜", Role.FAMILY, True),
    ]
    assert people[0].phone_masked == "138****8000"
    assert people[0].valid_from == datetime(2026, 1, 1, tzinfo=TZ)
    staff = [p for p in community.index.persons.values() if p.role is Role.STAFF]
    assert staff[0].household_id is None
    # A date alone as the end: valid through that day.
    assert staff[0].valid_until == datetime(2027, 7, 1, tzinfo=TZ)
    cards = [c for p in people for c in community.index.credentials_of(p.id)]
    assert [(c.kind, c.status, c.deposit_cents) for c in cards] == [
        (CredentialKind.CARD, CredentialStatus.ACTIVE, 2000),
        (CredentialKind.CARD, CredentialStatus.ACTIVE, 2000),
    ]
    # The cards open the door of their building; the ledger holds the deposits.
    at = datetime(2026, 6, 1, 10, tzinfo=TZ)
    assert community.decide("b3", CredentialKind.CARD, CARD_1, at).granted
    statement = await CardDesk(community).statement("3-2-501")
    assert [(e.kind, e.amount_cents, e.recorded_by) for e in statement.entries] == [
        (LedgerKind.DEPOSIT, 2000, "admin-1"),
        (LedgerKind.DEPOSIT, 2000, "admin-1"),
    ]
    assert community.deposits_held_cents == 4000
    # The index is what a fresh load of the database gives.
    reloaded = await open_community(community.db.url)
    try:
        assert reloaded.index.persons == community.index.persons
        assert reloaded.index.credentials == community.index.credentials
        assert reloaded.deposits_held_cents == 4000
    finally:
        await reloaded.async_close()


@pytest.mark.parametrize(
    ("row", "column", "key"),
    [
        (f"3-2,,张伟,owner,{ID_1},,,,,", "unit", "invalid_unit"),
        (f"3-2-501,x,张伟,owner,{ID_1},,,,,", "card_quota", "csv_invalid_quota"),
        (f"3-2-501,51,张伟,owner,{ID_1},,,,,", "card_quota", "csv_invalid_quota"),
        (",4,,,,,,,,", "unit", "csv_unit_required"),
        ("3-2-501,,张\u202e伟,owner,,,,,,", "name", "invalid_name"),
        ("3-2-501,,,owner,,,,,,", "name", "csv_name_required"),
        ("3-2-501,,张伟,landlord,,,,,,", "role", "csv_invalid_role"),
        ("3-2-501,,张伟,visitor,,,,,,", "role", "csv_invalid_role"),
        (
            "3-2-501,,张伟,owner,110105198001010111,,,,,",
            "id_number",
            "invalid_id_number",
        ),
        ("3-2-501,,张伟,owner,1.10105E+17,,,,,", "id_number", "csv_excel_number"),
        ("3-2-501,,张伟,owner,,12,,,,", "phone", "invalid_phone"),
        ("3-2-501,,张伟,owner,,,2026-13-01,,,", "valid_from", "csv_invalid_datetime"),
        ("3-2-501,,张伟,owner,,,,tomorrow,,", "valid_until", "csv_invalid_datetime"),
        (
            "3-2-501,,张伟,owner,,,2026-05-01,2026-04-01,,",
            "valid_until",
            "invalid_validity",
        ),
        (
            f"3-2-501,,张伟,contractor,{ID_1},,,,,",
            "valid_until",
            "valid_until_required",
        ),
        ("3-2-501,,张伟,contractor,,,,2027-01-01,,", "id_number", "id_required"),
        (f"3-2-501,,张伟,owner,{ID_1},,,,12G4,", "card_number", "invalid_card_number"),
        (
            f"3-2-501,,张伟,owner,{ID_1},,,,4.71152E+09,",
            "card_number",
            "csv_excel_number",
        ),
        (f"3-2-501,,张伟,owner,,,,,{CARD_1},", "card_number", "id_required"),
        (
            f"3-2-501,,张伟,owner,{ID_1},,,,{CARD_1},-5",
            "card_deposit",
            "csv_invalid_deposit",
        ),
        (
            f"3-2-501,,张伟,owner,{ID_1},,,,{CARD_1},1.234",
            "card_deposit",
            "csv_invalid_deposit",
        ),
        (
            f"3-2-501,,张伟,owner,{ID_1},,,,,20",
            "card_deposit",
            "csv_deposit_without_card",
        ),
        (",,张伟,owner,,,,,,", "unit", "household_required"),
        (f"3-2-501,,张伟,owner,{ID_1},,,,,,extra", "", "csv_too_many_cells"),
    ],
)
async def test_each_row_error_has_its_line_and_column(
    community: Community, row: str, column: str, key: str
) -> None:
    text = csv_of(f"5-1-101,,李娜,owner,{ID_2},,,,,", row)
    result = await transfer.import_csv(community, text, dry_run=False)
    assert errors_of(result) == [(3, column, key)]
    assert result.written is False
    assert table_counts(community)["persons"] == 0
    assert community.counts()["persons"] == 0


async def test_every_error_of_a_file_is_listed_at_once(community: Community) -> None:
    text = csv_of(
        "3-2,,张伟,landlord,123,,soon,,,",
        f"3-2-501,,李娜,owner,{ID_1},,,,{CARD_1},",
    )
    result = await transfer.import_csv(community, text, dry_run=True)
    assert errors_of(result) == [
        (2, "unit", "invalid_unit"),
        (2, "role", "csv_invalid_role"),
        (2, "id_number", "invalid_id_number"),
        (2, "valid_from", "csv_invalid_datetime"),
    ]
    assert result.people == 1  # the good row would be imported


async def test_header_errors(community: Community) -> None:
    text = "unit,name,name,colour\n3-2-501,张伟,张伟,red\n"
    result = await transfer.import_csv(community, text, dry_run=True)
    assert errors_of(result) == [
        (1, "name", "csv_duplicate_column"),
        (1, "role", "csv_missing_column"),
        (1, "colour", "csv_unknown_column"),
    ]
    assert errors_of(await transfer.import_csv(community, "", dry_run=True)) == [
        (1, "", "csv_no_rows")
    ]
    assert errors_of(
        await transfer.import_csv(community, HEADER + "\n\n", dry_run=True)
    ) == [(1, "", "csv_no_rows")]
    # Mojibake (a GBK file read as UTF-8) is refused, not imported as names.
    result = await transfer.import_csv(
        community, csv_of("3-2-501,,\ufffd\ufffd,owner,,,,,,"), dry_run=True
    )
    assert errors_of(result) == [(2, "", "csv_not_utf8")]


async def test_header_in_any_order_and_only_required_columns(
    community: Community,
) -> None:
    text = "Role,NAME,unit\r\n业主,张伟,3-2-501\r\n家庭成员,李娜,3-2-501\r\n"
    result = await transfer.import_csv(community, text, dry_run=False)
    assert result.errors == ()
    roles = [p.role for p in community.index.persons.values()]
    assert roles == [Role.OWNER, Role.FAMILY]


async def test_duplicates_inside_the_file(community: Community) -> None:
    text = csv_of(
        f"3-2-501,4,张伟,owner,{ID_1},,,,{CARD_1},",
        f"3-2-502,,李娜,owner,{ID_1},,,,,",
        f"3-2-503,,王强,owner,{ID_2},,,,{CARD_1},",
        "3-2-501,,张伟,family,,,,,,",
        "3-2-501,5,,,,,,,,",
    )
    result = await transfer.import_csv(community, text, dry_run=True)
    assert errors_of(result) == [
        (3, "id_number", "csv_duplicate_in_file"),
        (4, "card_number", "csv_duplicate_in_file"),
        (5, "name", "csv_duplicate_in_file"),
        (6, "card_quota", "csv_quota_conflict"),
    ]
    assert [e.placeholders.get("line") for e in result.errors] == ["2", "2", "2", "2"]


async def test_duplicates_against_the_database(community: Community) -> None:
    await community.add_household("3-2-501", card_quota=2)
    owner = await community.add_person(
        name="张伟", role=Role.OWNER, unit="3-2-501", id_number=ID_1
    )
    desk = CardDesk(community)
    await desk.issue_card(person_id=owner.id, card_number=CARD_1)
    lost = await desk.issue_card(person_id=owner.id, card_number=CARD_2)
    await desk.report_lost(lost.credential.id)
    text = csv_of(
        "3-2-501,,张伟,family,,,,,,",
        f"3-2-501,,李娜,family,{ID_1},,,,,",
        f"3-3-301,,王强,owner,{ID_2},,,,{CARD_1},",
        f"3-3-301,,赵磊,family,{ID_3},,,,{CARD_2},",
        "3-2-501,4,,,,,,,,",
    )
    result = await transfer.import_csv(community, text, dry_run=True)
    assert errors_of(result) == [
        (2, "name", "csv_person_exists"),
        (3, "id_number", "csv_id_number_registered"),
        (4, "card_number", "credential_in_use"),
        (5, "card_number", "credential_reported_lost"),
        (6, "card_quota", "csv_quota_differs"),
    ]


async def test_people_join_an_existing_household_within_its_quota(
    community: Community,
) -> None:
    await community.add_household("3-2-501", card_quota=2)
    owner = await community.add_person(
        name="张伟", role=Role.OWNER, unit="3-2-501", id_number=ID_1
    )
    await CardDesk(community).issue_card(person_id=owner.id, card_number=CARD_1)
    text = csv_of(
        f"3-2-501,,李娜,family,{ID_2},,,,{CARD_2},",
        f"3-2-501,,王强,family,{ID_3},,,,4711539573,",
    )
    result = await transfer.import_csv(community, text, dry_run=True)
    assert errors_of(result) == [(3, "card_number", "card_quota_reached")]
    assert result.errors[0].placeholders == {"unit": "3-2-501", "quota": "2"}
    result = await transfer.import_csv(
        community, csv_of(text.splitlines()[1]), dry_run=False
    )
    assert result.written
    assert result.households == 0
    assert len(community.index.persons_of(community.household("3-2-501").id)) == 2


async def test_quota_of_a_new_household_from_the_file_or_the_default(
    community: Community,
) -> None:
    rows = [
        f"3-2-501,,P{i},family,{make_id_number(100 + i)},,,,47115{i:05d},"
        for i in range(5)
    ]
    # The community's default quota is 4.
    result = await transfer.import_csv(community, csv_of(*rows), dry_run=True)
    assert errors_of(result) == [(6, "card_number", "card_quota_reached")]
    rows[4] = rows[4].replace("3-2-501,,", "3-2-501,5,", 1)
    result = await transfer.import_csv(community, csv_of(*rows), dry_run=True)
    assert result.errors == ()


async def test_a_vacated_unit_is_reoccupied(community: Community) -> None:
    await community.add_household("3-2-501")
    await CardDesk(community).move_out(unit="3-2-501")
    result = await transfer.import_csv(
        community, csv_of(f"3-2-501,2,张伟,owner,{ID_1},,,,{CARD_1},"), dry_run=False
    )
    assert result.errors == ()
    assert result.households == 1
    household = community.household("3-2-501")
    assert (household.moved_out_at, household.occupancy, household.card_quota) == (
        None,
        2,
        2,
    )
    person = community.index.persons_of(household.id)[0]
    assert person.occupancy == 2


#: A trigger that aborts the insert of a second card, per dialect.
FAILING_TRIGGER = {
    "sqlite": (
        (
            "CREATE TRIGGER fail_second_card BEFORE INSERT ON credentials "
            "WHEN (SELECT count(*) FROM credentials) >= 1 "
            "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END"
        ),
    ),
    "postgresql": (
        (
            "CREATE FUNCTION fail_second_card() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN IF (SELECT count(*) FROM credentials) >= 1 THEN "
            "RAISE EXCEPTION 'disk trouble'; END IF; RETURN NEW; END $$"
        ),
        (
            "CREATE TRIGGER fail_second_card BEFORE INSERT ON credentials "
            "FOR EACH ROW EXECUTE FUNCTION fail_second_card()"
        ),
    ),
}
DROP_TRIGGER = {
    "sqlite": "DROP TRIGGER fail_second_card",
    "postgresql": "DROP TRIGGER fail_second_card ON credentials",
}


def run_sql(url: str, *statements: str) -> None:
    """Run statements as another client of the database would."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


async def test_a_failure_during_the_write_leaves_nothing(
    community: Community, db_url: str
) -> None:
    """The database refuses the second card mid-way: no row, no index change."""
    await community.add_household("9-9-999")
    before = table_counts(community)
    index = community.index
    before_index = (
        dict(index.households),
        dict(index.persons),
        dict(index.credentials),
        community.deposits_held_cents,
        index.active_card_count,
    )
    # A real failure inside the real database: a trigger aborts an insert.
    run_sql(db_url, *FAILING_TRIGGER[community.db.engine.dialect.name])
    with pytest.raises(Exception, match="disk trouble"):
        await transfer.import_csv(community, GOOD, dry_run=False)
    assert table_counts(community) == before
    assert (
        dict(index.households),
        dict(index.persons),
        dict(index.credentials),
        community.deposits_held_cents,
        index.active_card_count,
    ) == before_index
    assert community.index.household_by_unit("3-2-501") is None
    # Once the trouble is gone the same file imports whole.
    run_sql(db_url, DROP_TRIGGER[community.db.engine.dialect.name])
    result = await transfer.import_csv(community, GOOD, dry_run=False)
    assert result.written
    assert table_counts(community)["credentials"] == 2


async def test_export_leaves_secrets_out_and_imports_into_an_empty_community(
    community: Community, other_db_url: str
) -> None:
    text = csv_of(
        f"3-2-501,3,张伟,owner,{ID_1},13800138000,2026-01-01,,{CARD_1},20",
        f"3-2-501,,=HYPERLINK(1),family,{ID_2},,,2027-01-01 18:30,{CARD_2},50.5",
        "10-1-101,,,,,,,,,",
        f",,王强,staff,{ID_3},,,2027/6/30,,",
    )
    assert (await transfer.import_csv(community, text, dry_run=False)).written
    exported = transfer.export_csv(community.index)
    assert exported.startswith("\ufeff" + HEADER + "\r\n")
    assert ID_1 not in exported
    assert ID_1[-4:] not in exported  # not even masked
    assert CARD_1 not in exported
    assert "13800138000" not in exported
    lines = exported.removeprefix("\ufeff").splitlines()
    assert lines[1:] == [
        "3-2-501,3,张伟,owner,,138****8000,2026-01-01T00:00:00+08:00,,****7391,20.00",
        "3-2-501,3,'=HYPERLINK(1),family,,,,2027-01-01T18:30:00+08:00,****8462,50.50",
        "10-1-101,,,,,,,,,",
        ",,王强,staff,,,,2027-07-01T00:00:00+08:00,,",
    ]
    empty = await open_community(other_db_url)
    try:
        result = await transfer.import_csv(empty, exported, dry_run=False)
        assert result.errors == ()
        assert (result.households, result.people, result.cards) == (2, 3, 0)
        assert transfer.export_rows(empty.index)[1:] == [
            [*row[:5], "", *row[6:8], "", ""]
            for row in transfer.export_rows(community.index)[1:]
        ]
    finally:
        await empty.async_close()


async def test_template_imports(community: Community) -> None:
    template = transfer.template_csv()
    assert template.count("\r\n") == 2
    result = await transfer.import_csv(community, template, dry_run=True)
    assert result.errors == ()
    assert (result.households, result.people, result.cards) == (1, 1, 1)


def test_gb18030_and_utf8_files_decode() -> None:
    text = csv_of("3-2-501,,张伟,业主,,,,,,")
    assert transfer.decode_csv(text.encode("gb18030")) == text
    assert transfer.decode_csv(b"\xef\xbb\xbf" + text.encode()) == text
    assert transfer.decode_csv(text.encode()) == text


def test_moments() -> None:
    parse = transfer.parse_moment
    assert parse("2026/3/1", TZ) == datetime(2026, 3, 1, tzinfo=TZ)
    assert parse("2026-03-01", TZ, end=True) == datetime(2026, 3, 2, tzinfo=TZ)
    assert parse("2026-03-01 08:05", TZ) == datetime(2026, 3, 1, 8, 5, tzinfo=TZ)
    moment = parse("2026-03-01T08:00:00+00:00", TZ)
    assert moment is not None
    assert moment.utcoffset() == timedelta(0)
    assert parse("2026-02-30", TZ) is None
    assert parse("next week", TZ) is None


async def test_no_other_write_slips_between_the_check_and_the_write(
    community: Community,
) -> None:
    """A card issued at the desk while the file is checked: one of them is refused."""
    await community.add_household("5-1-101")
    person = await community.add_person(
        name="赵磊", role=Role.OWNER, unit="5-1-101", id_number=make_id_number(14)
    )
    importing = asyncio.create_task(transfer.import_csv(community, GOOD, dry_run=False))
    await asyncio.sleep(0)  # the import holds the write lock from here
    with pytest.raises(CommunityError) as err:
        await CardDesk(community).issue_card(person_id=person.id, card_number=CARD_1)
    assert err.value.key == "credential_in_use"
    assert (await importing).written


async def test_errors_beyond_the_limit_are_counted(community: Community) -> None:
    rows = [f"3-2-{i},,P{i},landlord,,,,,," for i in range(1, 1006)]
    result = await transfer.import_csv(community, csv_of(*rows), dry_run=True)
    assert len(result.errors) == transfer.MAX_ERRORS
    assert result.more_errors == 1005 - transfer.MAX_ERRORS
    assert result.errors[0] == transfer.RowError(
        2, "role", "csv_invalid_role", {"role": "landlord"}
    )
