"""Benchmark of moving a long outage's spool into the database (file work only).

Run: ``.venv/bin/python benchmarks/bench_spool.py`` (``--records``,
``--batch``; the spool in a temporary folder of ``--dir``, default the
system's).

Appends ``--records`` sealed access records to a spool (as the writer does
while the database is away, 500 at a time), then moves them out the way the
replay does, ``--batch`` at a time (``RecordWriter``'s 5,000): read a
batch, drop it (:meth:`Spool.drop_through`). No database: what is measured
is what the spool itself costs a replay, and the bytes it writes to disk
while doing so (``/proc/self/io``'s ``write_bytes`` where the kernel keeps
it).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
import sys
import tempfile
import time

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from custom_components.community_access.core.privacy import Vault  # noqa: E402
from custom_components.community_access.core.spool import Spool  # noqa: E402
from custom_components.community_access.core.storage import AuditRecord  # noqa: E402


def written_bytes() -> int | None:
    """Bytes this process has caused to be written to storage, if known."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("write_bytes:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def main() -> None:
    """Fill a spool, then empty it batch by batch; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--dir", default=None)
    args = parser.parse_args()
    vault = Vault(bytes(range(32)), bytes(range(32, 64)))
    at = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        spool = Spool(Path(folder) / "bench.spool", vault.encrypt, vault.decrypt)
        t0 = time.perf_counter()
        for start in range(0, args.records, 500):
            spool.append(
                [
                    AuditRecord(
                        at=at,
                        granted=True,
                        reason="granted",
                        door_id="door_gate",
                        kind="card",
                        masked="****5678",
                        person_id=n,
                        person_name="张三丰",
                        unit="3-2-501",
                        source="bench",
                        uid=f"{n:032x}",
                    )
                    for n in range(start, min(start + 500, args.records))
                ]
            )
        filled = time.perf_counter() - t0
        size = spool.path.stat().st_size
        before = written_bytes()
        t0 = time.perf_counter()
        reading = dropping = 0.0
        batches = 0
        while True:
            t = time.perf_counter()
            read = spool.read(args.batch)
            reading += time.perf_counter() - t
            if not read.lines:
                break
            t = time.perf_counter()
            spool.drop_through(read.end)
            dropping += time.perf_counter() - t
            batches += 1
        moved = time.perf_counter() - t0
        after = written_bytes()
    io = (
        f", {(after - before) / 2**20:,.1f} MiB written to disk while moving"
        if before is not None and after is not None
        else ""
    )
    print(
        f"spool: {args.records:,} records ({size / 2**20:,.1f} MiB) appended in"
        f" {filled:.2f} s; moved out in {batches:,} batches of {args.batch:,}"
        f" in {moved:.2f} s (reading and unsealing {reading:.2f} s, dropping"
        f" {dropping:.2f} s){io}"
    )


if __name__ == "__main__":
    main()
