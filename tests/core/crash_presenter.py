"""A process that presents phone tags as fast as it can, for the crash test.

Run as ``python -m tests.core.crash_presenter <database URL> <people> [<spool>]``: opens
the community written by the test, then keeps ``CONCURRENCY`` presentations
in flight at the gate (known tags and unknown ones) and prints one line per
call that has returned: ``<record id> <granted 0/1> <note>``. The test kills
it with SIGKILL at some point and checks that every printed record is in the
database. With a spool path the community keeps records there while the
database is away (the test stops the server under it).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
import itertools
from pathlib import Path
import sys

from custom_components.community_access.core.community import Community
from custom_components.community_access.core.models import CredentialKind
from custom_components.community_access.core.spool import Spool
from custom_components.community_access.core.storage import Database

from .common import DOORS, TZ, make_vault

CONCURRENCY = 16


def tag(n: int) -> str:
    """The phone tag of the test's ``n``-th person."""
    return f"tag-{n:06d}"


async def main(url: str, people: int, spool: str | None = None) -> None:
    vault = make_vault()
    community = Community(Database(url), vault, TZ, asyncio.to_thread)
    community.set_doors(DOORS)
    await community.async_load()
    if spool is not None:
        await community.writer.async_use_spool(
            Spool(Path(spool), vault.encrypt, vault.decrypt),
            community.db.add_audits_once,
        )
    counter = itertools.count()
    out = sys.stdout

    async def presenter() -> None:
        while True:
            n = next(counter)
            value = tag(n % people) if n % 4 else tag(people + n)
            decision = await community.present(
                "gate",
                CredentialKind.PHONE_TAG,
                value,
                datetime.now(UTC),
                source=f"n{n}",
            )
            out.write(f"{n} {int(decision.granted)}\n")
            out.flush()

    await asyncio.gather(*(presenter() for _ in range(CONCURRENCY)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), *sys.argv[3:4]))
