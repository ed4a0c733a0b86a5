"""The change feed: several instances on one PostgreSQL database keep in step.

Each instance decides from its own memory (:class:`AccessIndex`). When
another instance writes a row decisions depend on, this one hears of it
within a fraction of a second and reloads that row:

* **Writing.** A trigger on each table of :data:`FEED_TABLES` appends
  ``(table, row id)`` to ``changes`` in the writing transaction and calls
  ``pg_notify`` (delivered when, and only if, that transaction commits).
  Every writer is covered, this integration's code or plain SQL.
* **No change skipped.** Before taking the change's id from its sequence the
  trigger takes ``pg_advisory_xact_lock(FEED_LOCK)``, held until the
  transaction ends. So a transaction holding change id *n* has committed
  (or rolled back: its ids are gone for good) before any other can take an
  id above *n*: ids become visible in their order, and a reader that has
  seen *n* committed will never later find a new id below it. Reading
  "changes after the last one I applied" therefore never skips one (a plain
  sequence would: ids are taken in one order and committed in another).
  PostgreSQL makes a commit visible before it releases the transaction's
  locks, so the next id's transaction cannot even start its write first.
  Cost: writes to those tables are serialised across instances from their
  first feed row to their commit (card-desk rates, not door rates: access
  records are not in the feed).
* **Reading.** :class:`ChangeListener` keeps a psycopg2 connection in
  autocommit with ``LISTEN``, watched by the event loop (``add_reader`` on
  its socket, ``poll()`` when readable: no polling of the table). A
  notification wakes a catch-up: the changes after the last one applied
  are read with their rows in a worker thread (:func:`read_changes`), then
  applied to the index on the loop (:func:`apply_changes`). A row no
  longer there is removed. Own changes come back too and are applied again
  (idempotent: the row as committed).
* **Database away.** Decisions never read the database. When the listening
  connection breaks the listener reconnects with back-off (0.5 s doubling to
  30 s), listens again and catches up on every change since the last one
  it applied.
* **Pruning.** Changes older than :data:`KEEP_CHANGES` are deleted
  (:func:`prune_changes`, nightly); the newest id deleted is kept in
  ``settings_kv`` (:data:`PRUNED_KEY`). An instance whose last applied
  change is below it (away longer than that) cannot catch up change by
  change: :func:`read_changes` says so and the listener reloads the whole
  index from the database instead.

SQLite (one instance by nature) has the table but no triggers: the feed is
PostgreSQL's only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import importlib
import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from .compounds import keeps_credential, keeps_person
from .errors import CommunityError
from .models import Credential, Household, Person, Visit
from .schema import (
    changes,
    credentials,
    household_links,
    households,
    penalties,
    persons,
    settings_kv,
    visits,
)

if TYPE_CHECKING:
    from .community import Community
    from .storage import Database

_LOGGER = logging.getLogger(__name__)
Executor = Callable[..., Awaitable[Any]]

#: The notification channel and the advisory-lock key of the feed.
CHANNEL = "community_access_changes"
FEED_LOCK = 0x43414348  # "CACH"
#: Tables whose rows decisions depend on → their key column.
FEED_TABLES: dict[str, str] = {
    "households": "id",
    "persons": "id",
    "credentials": "id",
    "visits": "id",
    "penalties": "id",
    "household_links": "household_id",
}
#: At most this many changes read in one go (a long outage: several rounds).
BATCH = 5000
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 30.0
#: Changes kept: an instance away longer reloads its whole index.
KEEP_CHANGES = timedelta(days=7)
#: The ``settings_kv`` key of the newest change id pruned.
PRUNED_KEY = "changes_pruned_through"

_FUNCTION = f"""
CREATE OR REPLACE FUNCTION community_access_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    rid bigint;
    cid bigint;
BEGIN
    -- serialise change ids with commits (see core/changefeed.py)
    PERFORM pg_advisory_xact_lock({FEED_LOCK});
    IF TG_OP = 'DELETE' THEN
        rid := (to_jsonb(OLD) ->> TG_ARGV[0])::bigint;
    ELSE
        rid := (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
    END IF;
    INSERT INTO changes (at, table_name, row_id)
        VALUES (now() AT TIME ZONE 'UTC', TG_TABLE_NAME, rid)
        RETURNING id INTO cid;
    PERFORM pg_notify('{CHANNEL}', cid::text);
    RETURN NULL;
END
$fn$
"""  # noqa: S608 - constants only


#: SQLSTATE of "this card number is held already" (raised by the trigger below).
CARD_HELD = "CA001"

_CARD_UNIQUE = f"""
CREATE OR REPLACE FUNCTION community_access_card_unique() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    other text;
BEGIN
    IF NEW.kind = 'card' AND NEW.status IN ('active', 'lost') THEN
        -- under the feed's lock: a card issued by another instance has
        -- committed, or will take its id (and run this check) after us
        PERFORM pg_advisory_xact_lock({FEED_LOCK});
        SELECT status INTO other FROM credentials
            WHERE digest = NEW.digest AND id <> NEW.id AND kind = 'card'
              AND status IN ('active', 'lost')
            ORDER BY id DESC LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'card held: %', other USING ERRCODE = '{CARD_HELD}';
        END IF;
    END IF;
    RETURN NEW;
END
$fn$
"""  # noqa: S608 - constants only


def install_triggers(conn: Connection) -> None:
    """Create the feed's trigger function and one trigger per feed table (PostgreSQL).

    Also the check keeping card numbers unique across instances (cards that
    count: active or reported lost), serialised with the feed's lock.
    """
    conn.execute(text(_FUNCTION))
    conn.execute(text(_CARD_UNIQUE))
    conn.execute(text("DROP TRIGGER IF EXISTS community_access_card ON credentials"))
    conn.execute(
        text(
            "CREATE TRIGGER community_access_card BEFORE INSERT OR UPDATE OF "
            "digest, status, kind ON credentials FOR EACH ROW "
            "EXECUTE FUNCTION community_access_card_unique()"
        )
    )
    for table, key in FEED_TABLES.items():
        conn.execute(text(f"DROP TRIGGER IF EXISTS community_access_feed ON {table}"))
        conn.execute(
            text(
                f"CREATE TRIGGER community_access_feed AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION community_access_change('{key}')"
            )
        )


@dataclass
class Changed:
    """The rows named by a run of changes, as committed now (None: gone)."""

    last_id: int
    #: How many changes were read (BATCH: there may be more).
    count: int = 0
    #: Changes after ``after`` were pruned: reload everything instead.
    reload: bool = False
    households: dict[int, Household | None] = field(default_factory=dict)
    persons: dict[int, Person | None] = field(default_factory=dict)
    credentials: dict[int, Credential | None] = field(default_factory=dict)
    visits: dict[int, Visit | None] = field(default_factory=dict)
    penalties: dict[int, Any] = field(default_factory=dict)
    links: dict[int, tuple[list[str], list[str]] | None] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Whether nothing was named."""
        return not any(
            (
                self.households,
                self.persons,
                self.credentials,
                self.visits,
                self.penalties,
                self.links,
            )
        )


def last_change_id(db: Database) -> int:
    """Return the id of the newest change (0 when none or no table yet). Blocking.

    Not below the newest pruned: a table pruned empty does not send a fresh
    instance back before the prune.
    """
    with db.transaction() as tx:
        if not inspect(tx.conn).has_table("changes"):
            return 0  # before v10: the migration creates it empty
        newest = int(tx.conn.execute(select(func.max(changes.c.id))).scalar() or 0)
        return max(newest, _pruned_through(tx.conn))


def _pruned_through(conn: Connection) -> int:
    value = conn.execute(
        select(settings_kv.c.value).where(settings_kv.c.key == PRUNED_KEY)
    ).scalar_one_or_none()
    return int(value) if value else 0


def prune_changes(db: Database, before: datetime) -> int:
    """Delete the changes written before ``before``; how many. Blocking.

    Remembers the newest id deleted (:data:`PRUNED_KEY`), never lowering
    it. On PostgreSQL under the feed's lock: two instances pruning at the
    same minute take turns.
    """
    with db.transaction() as tx:
        conn = tx.conn
        if conn.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(FEED_LOCK)))
        newest = conn.execute(
            select(func.max(changes.c.id)).where(changes.c.at < before)
        ).scalar()
        if newest is None:
            return 0
        deleted = conn.execute(delete(changes).where(changes.c.id <= newest)).rowcount
        through = max(int(newest), _pruned_through(conn))
        tx.set_setting(PRUNED_KEY, str(through))
        return int(deleted or 0)


def read_changes(db: Database, after: int, limit: int = BATCH) -> Changed:
    """Read the changes after ``after`` and their rows as they are now. Blocking."""
    # Late imports: storage imports schema, which imports this module lazily.
    import json  # noqa: PLC0415

    from .rules import _penalty  # noqa: PLC0415
    from .storage import _credential, _household, _person, _visit  # noqa: PLC0415

    with db.transaction() as tx:
        conn = tx.conn
        rows = conn.execute(
            select(changes.c.id, changes.c.table_name, changes.c.row_id)
            .where(changes.c.id > after)
            .order_by(changes.c.id)
            .limit(limit)
        ).all()
        # After reading them: a prune committed meanwhile shows here (a
        # reload, maybe not needed); one committed before shows too.
        pruned = _pruned_through(conn)
        if pruned > after:
            return Changed(last_id=after, reload=True)
        changed = Changed(
            last_id=max((int(r[0]) for r in rows), default=after), count=len(rows)
        )
        named: dict[str, set[int]] = {}
        for _id, table, row_id in rows:
            named.setdefault(str(table), set()).add(int(row_id))

        def fetch(table: Any, key: Any, ids: set[int]) -> dict[int, Mapping[Any, Any]]:
            found = conn.execute(select(table).where(key.in_(sorted(ids)))).mappings()
            return {int(r[key.name]): r for r in found}

        sources: list[
            tuple[str, Any, Any, Callable[[Mapping[Any, Any]], Any], dict[int, Any]]
        ] = [
            ("households", households, households.c.id, _household, changed.households),
            ("persons", persons, persons.c.id, _person, changed.persons),
            (
                "credentials",
                credentials,
                credentials.c.id,
                _credential,
                changed.credentials,
            ),
            ("visits", visits, visits.c.id, _visit, changed.visits),
            ("penalties", penalties, penalties.c.id, _penalty, changed.penalties),
            (
                "household_links",
                household_links,
                household_links.c.household_id,
                lambda r: (json.loads(r["notify_services"]), json.loads(r["user_ids"])),
                changed.links,
            ),
        ]
        for name, table, key, convert, into in sources:
            ids = named.get(name)
            if not ids:
                continue
            found = fetch(table, key, ids)
            for row_id in ids:
                row = found.get(row_id)
                into[row_id] = None if row is None else convert(row)
        return changed


def apply_changes(
    community: Community,
    changed: Changed,
    on_penalties: Callable[[], None] | None = None,
) -> None:
    """Put the reloaded rows into the community's memory (on the loop)."""
    index = community.index
    compound = community.db.compound
    for hid, household in changed.households.items():
        if household is None or household.compound != compound:
            index.remove_household(hid)  # gone, or another compound's
        else:
            index.put_household(household)
    for pid, person in changed.persons.items():
        if person is None or not keeps_person(person, index.households):
            index.remove_person(pid)
        else:
            index.put_person(person)
    for cid, credential in changed.credentials.items():
        if credential is None or not keeps_credential(credential, index.persons):
            index.remove_credential(cid)
        else:
            index.put_credential(credential)
    for vid, visit in changed.visits.items():
        _apply_visit(community, vid, visit)
    for hid, link in changed.links.items():
        if link is None:
            community.links.pop(hid, None)
        else:
            community.links[hid] = link
    if changed.penalties:
        for penalty_id, penalty in changed.penalties.items():
            if penalty is None or penalty.lifted_at is not None:
                community.penalties.pop(penalty_id, None)
            else:
                community.penalties[penalty_id] = penalty
        if on_penalties is not None:
            on_penalties()
    if not changed.empty:
        community.notify_changed()


def _apply_visit(community: Community, visit_id: int, visit: Visit | None) -> None:
    old = community.visits.pop(visit_id, None)
    if old is not None and old.credential_id is not None:
        if community.visit_by_credential.get(old.credential_id) == visit_id:
            del community.visit_by_credential[old.credential_id]
    if (
        visit is None
        or str(visit.status) == "closed"
        or visit.household_id not in community.index.households
    ):
        return
    community.visits[visit_id] = visit
    if visit.credential_id is not None:
        community.visit_by_credential[visit.credential_id] = visit_id


def card_held_error(err: BaseException) -> CommunityError | None:
    """Return the translated refusal for the database's "card held" check, or None."""
    orig = getattr(err, "orig", None)
    if getattr(orig, "pgcode", None) != CARD_HELD:
        return None
    lost = "lost" in str(getattr(orig, "pgerror", "") or "")
    key = "credential_reported_lost" if lost else "credential_in_use"
    return CommunityError(key, kind="card")


def translating(run: Executor) -> Executor:
    """``run`` raising the translated refusal when the database finds a card held."""

    async def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return await run(*args, **kwargs)
        except DBAPIError as err:
            refusal = card_held_error(err)
            if refusal is None:
                raise
            raise refusal from None

    return wrapped


class ChangeListener:
    """Listens for the feed's notifications and applies the changes (PostgreSQL).

    :meth:`async_start` after the community has loaded, with the change id
    read before the load (:func:`last_change_id`): changes committed during
    the load are applied again, harmlessly.
    """

    def __init__(
        self,
        community: Community,
        after: int,
        *,
        on_penalties: Callable[[], None] | None = None,
        on_applied: Callable[[Changed], None] | None = None,
        on_connected: Callable[[], None] | None = None,
    ) -> None:
        """Follow ``community``'s database from change ``after`` on.

        ``on_connected``: told each time the listening connection is made
        (the database is reachable again: the record writer retries at once).
        """
        self.community = community
        self.last_id = after
        self.on_penalties = on_penalties
        self.on_applied = on_applied
        self.on_connected = on_connected
        self.connected = False
        self._conn: Any = None
        self._fd: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wanted = False
        self._task: asyncio.Task[None] | None = None
        self._connector: asyncio.Task[None] | None = None
        self._closed = False
        self._backoff = BACKOFF_FIRST
        #: Whole reloads done (away longer than the changes are kept).
        self.reloads = 0

    # ---- life cycle
    async def async_start(self) -> None:
        """Connect and listen; if the database is away, keep trying in the background.

        Awaits one connection attempt only (no timer: an absent server does
        not hold set-up up).
        """
        self._loop = asyncio.get_running_loop()
        if not await self._attempt():
            self._connector = self._loop.create_task(self._connect_loop())

    def stop(self) -> None:
        """Stop listening now (the tasks are cancelled, the connection closed)."""
        self._closed = True
        for task in (self._connector, self._task):
            if task is not None and not task.done():
                task.cancel()
        self._drop()

    async def async_stop(self) -> None:
        """Stop listening and wait for the tasks to end."""
        self.stop()
        for task in (self._connector, self._task):
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    @property
    def stopped(self) -> bool:
        """Whether :meth:`async_stop` was called."""
        return self._closed

    # ---- the connection
    def _connect_blocking(self) -> Any:
        psycopg2 = importlib.import_module("psycopg2")  # only where PostgreSQL is used

        url = self.community.db.engine.url
        conn = psycopg2.connect(
            **_connect_args(url),
            connect_timeout=10,
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=5,
            keepalives_count=3,
        )
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f"LISTEN {CHANNEL}")
        return conn

    async def _connect_loop(self) -> None:
        """Connect, with back-off, until connected."""
        while not self._closed:
            await asyncio.sleep(self._backoff)
            self._backoff = min(self._backoff * 2, BACKOFF_MAX)
            if await self._attempt():
                return

    async def _attempt(self) -> bool:
        """Try to connect and listen; when connected, catch up. Whether connected."""
        try:
            conn = await self.community.run(self._connect_blocking)
        except Exception as err:  # noqa: BLE001 - any failure: try again later
            _LOGGER.warning(
                "Change feed: database unreachable (%s); retrying in %.1f s",
                type(err).__name__,
                self._backoff,
            )
            return False
        if self.stopped:
            conn.close()
            return True
        self._conn = conn
        self.connected = True
        self._backoff = BACKOFF_FIRST
        assert self._loop is not None
        self._fd = conn.fileno()
        self._loop.add_reader(self._fd, self._readable)
        _LOGGER.info("Change feed: listening")
        self.wake()  # catch up on what happened while away
        if self.on_connected is not None:
            self.on_connected()
        return True

    def _readable(self) -> None:
        conn = self._conn
        if conn is None:
            return
        try:
            conn.poll()
        except Exception as err:  # noqa: BLE001 - the connection is gone
            _LOGGER.warning("Change feed: connection lost (%s)", type(err).__name__)
            self._lost()
            return
        if conn.notifies:
            conn.notifies.clear()
            self.wake()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        self.connected = False
        if conn is None:
            return
        if self._loop is not None and self._fd is not None:
            self._loop.remove_reader(self._fd)
        self._fd = None
        with contextlib.suppress(Exception):  # closing a broken connection
            conn.close()

    def _lost(self) -> None:
        self._drop()
        if not self._closed and self._loop is not None:
            self._connector = self._loop.create_task(self._connect_loop())

    # ---- catching up
    def wake(self) -> None:
        """Read and apply the changes after the last one applied (soon, once)."""
        self._wanted = True
        if self._loop is not None and (self._task is None or self._task.done()):
            self._task = self._loop.create_task(self._catch_up())

    async def _catch_up(self) -> None:
        # At once the first time: a pooled connection the outage cut fails
        # once, and the pool is then renewed.
        retry = 0.0
        while self._wanted and not self._closed:
            self._wanted = False
            try:
                changed = await self.community.run(
                    read_changes, self.community.db, self.last_id
                )
                if changed.reload:
                    await self._reload()  # a failed one is done again
                    continue
            except Exception as err:  # noqa: BLE001 - database away: the reconnect catches up
                _LOGGER.warning("Change feed: read failed (%s)", type(err).__name__)
                if not self.connected:
                    return
                await asyncio.sleep(retry)
                retry = min(max(retry * 2, BACKOFF_FIRST), BACKOFF_MAX)
                self._wanted = True
                continue
            if changed.last_id > self.last_id:
                apply_changes(self.community, changed, self.on_penalties)
                self.last_id = changed.last_id
                if self.on_applied is not None:
                    self.on_applied(changed)
                if changed.count >= BATCH:
                    self._wanted = True  # a long outage: the next batch

    async def _reload(self) -> None:
        """Away longer than the changes are kept: load everything afresh.

        The position is read before the load (changes committed during it
        are applied again, harmlessly), as at start-up.
        """
        from .rules import RuleBook, read_open_penalties  # noqa: PLC0415 - no cycle

        community = self.community
        _LOGGER.warning(
            "Change feed: changes since %d were pruned; reloading everything",
            self.last_id,
        )
        after = await community.run(last_change_id, community.db)
        await community.async_reload()
        community.penalties = {
            p.id: p for p in await community.run(read_open_penalties, community.db)
        }
        (self.on_penalties or RuleBook(community).reindex)()
        community.notify_changed()
        self.last_id = after
        self.reloads += 1
        self._wanted = True  # then what came after the position


def _connect_args(url: Any) -> dict[str, Any]:
    """psycopg2 keyword arguments from an SQLAlchemy URL (query options kept)."""
    args: dict[str, Any] = {"dbname": url.database}
    if url.username:
        args["user"] = url.username
    if url.password:
        args["password"] = url.password
    if url.host:
        args["host"] = url.host
    if url.port:
        args["port"] = url.port
    for key, value in dict(url.query).items():
        args[key] = value if isinstance(value, str) else value[-1]
    return args


__all__ = [
    "CHANNEL",
    "FEED_LOCK",
    "FEED_TABLES",
    "ChangeListener",
    "Changed",
    "apply_changes",
    "install_triggers",
    "last_change_id",
    "prune_changes",
    "read_changes",
]
