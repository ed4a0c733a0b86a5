"""Benchmark of the CSV import (issue 12: 2,000 households in under 30 s).

Run: ``.venv/bin/python benchmarks/bench_import_csv.py`` (``--help`` for sizes).

Builds a file of 2,000 households (half with two people, half with three:
5,000 people, every one with a valid ID number and a phone; the first two of
each household with a card: 4,000 cards and deposits) and imports it into a
community on a real SQLite file through ``core.transfer.import_csv``, as the
``office/import_csv`` websocket command does: a dry run (every row checked,
nothing written), then the real import (checked again under the write lock,
then one transaction). Blocking work runs in worker threads; a ticker on the
event loop reports the longest stall the loop saw during each step. Then the
export of the imported community, and a dry run of the same file again (every
row a duplicate against the database).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable
from pathlib import Path
import sys
import tempfile
import time
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from custom_components.community_access.core import transfer  # noqa: E402
from custom_components.community_access.core.community import Community  # noqa: E402
from custom_components.community_access.core.models import Door, Zone  # noqa: E402
from custom_components.community_access.core.privacy import Vault, new_key  # noqa: E402
from custom_components.community_access.core.storage import Database  # noqa: E402

T = TypeVar("T")
TZ = ZoneInfo("Asia/Shanghai")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏建国志海燕辉波宁"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(serial: int) -> str:
    """A valid, distinct 18-digit resident ID number for each serial."""
    body = f"310104{1950 + serial // 1000}0101{serial % 1000:03d}"
    total = sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def make_file(households: int) -> tuple[str, int, int]:
    """The CSV text; and how many people and cards it holds."""
    rows = [",".join(transfer.COLUMNS)]
    people = cards = 0
    for h in range(households):
        unit = f"{1 + h // 120}-{1 + (h // 40) % 3}-{1 + (h % 40) // 4}{1 + h % 4:02d}"
        for p in range(2 + h % 2):
            name = SURNAMES[(h + p) % len(SURNAMES)] + GIVEN[(7 * h + p) % len(GIVEN)]
            role = "owner" if p == 0 else "family"
            card = f"47{people:08d}" if p < 2 else ""
            deposit = "20" if card else ""
            quota = "4" if p == 0 else ""
            rows.append(
                f"{unit},{quota},{name}{p},{role},{id_number(people)},"
                f"138{people:08d},2026-01-01,,{card},{deposit}"
            )
            people += 1
            cards += bool(card)
    return "\r\n".join(rows) + "\r\n", people, cards


class Ticker:
    """Measures the longest gap between 10 ms ticks of the event loop."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last - 0.01)
            last = now

    async def measure(self, work: Awaitable[T]) -> tuple[T, float, float]:
        """Run ``work``; return its result, seconds taken and the longest stall."""
        self.longest = 0.0
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0)
        t0 = time.perf_counter()
        try:
            result = await work
        finally:
            elapsed = time.perf_counter() - t0
            self._task.cancel()
        return result, elapsed, self.longest


async def run(households: int, folder: Path) -> dict[str, Any]:
    """Import into a fresh community in ``folder``; return the figures."""
    text, people, cards = make_file(households)
    community = Community(
        Database(f"sqlite:///{folder}/bench.db"),
        Vault(new_key(), new_key()),
        TZ,
        asyncio.to_thread,
    )
    community.set_doors([Door("gate", "Gate", Zone.gate())])
    await community.async_load()
    ticker = Ticker()
    figures: dict[str, Any] = {
        "households": households,
        "people": people,
        "cards": cards,
        "bytes": len(text.encode()),
    }
    try:
        dry, figures["dry_run_s"], figures["dry_run_stall_ms"] = await ticker.measure(
            transfer.import_csv(community, text, dry_run=True)
        )
        assert dry.errors == (), dry.errors[:5]
        assert (dry.households, dry.people, dry.cards) == (households, people, cards)
        done, figures["write_s"], figures["write_stall_ms"] = await ticker.measure(
            transfer.import_csv(community, text, dry_run=False)
        )
        assert done.written, done.errors[:5]
        counts = community.counts()
        assert counts["households"] == households
        assert counts["persons"] == people
        assert counts["active_credentials"] == cards
        assert community.deposits_held_cents == cards * 2000
        t0 = time.perf_counter()
        exported = transfer.export_csv(community.index)
        figures["export_s"] = time.perf_counter() - t0
        assert exported.count("\n") == people + 1
        again, figures["duplicates_dry_run_s"], _ = await ticker.measure(
            transfer.import_csv(community, text, dry_run=True)
        )
        figures["duplicate_errors"] = len(again.errors) + again.more_errors
    finally:
        await community.async_close()
    for key in ("dry_run_stall_ms", "write_stall_ms"):
        figures[key] *= 1000
    return figures


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        f = asyncio.run(run(args.households, Path(folder)))
    print(
        f"CSV import: {f['households']:,} households, {f['people']:,} people, "
        f"{f['cards']:,} cards ({f['bytes'] / 1e6:.2f} MB)"
    )
    print(
        f"  dry run          {f['dry_run_s']:6.2f} s "
        f"(longest event-loop stall {f['dry_run_stall_ms']:.0f} ms)"
    )
    print(
        f"  import (written) {f['write_s']:6.2f} s "
        f"(check again + one transaction; longest stall {f['write_stall_ms']:.0f} ms)"
    )
    print(f"  export           {f['export_s']:6.2f} s")
    print(
        f"  same file again  {f['duplicates_dry_run_s']:6.2f} s dry run, "
        f"{f['duplicate_errors']:,} row errors (duplicates against the database)"
    )


if __name__ == "__main__":
    main()
