"""Benchmark of the time-dependent refresh: the next credential end, and the due ones.

Run: ``.venv/bin/python benchmarks/bench_timeline.py`` (``--help`` for sizes).

The integration sets one timer per community at its next time-dependent
change (``core/timeline.py``). For credentials it asks the index for the
earliest active end (``AccessIndex.next_credential_end``, a heap with lazy
deletion) and, when the timer fires, for the credentials due
(``credentials_ending_by``). Before, a sweep every 10 minutes scanned every
credential. This prints, for an index of N credentials (a share of them
temporary, with ends spread over a year):

- the cost of ``next_credential_end`` (after a change, as the timer is reset),
- the cost of ``credentials_ending_by`` for the ends due in the next hour,
- the cost of the former full scan giving the same answer,
- the cost of ``put_credential`` (the heap push included).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
import random
import statistics
import sys
import time
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from custom_components.community_access.core.decision import AccessIndex  # noqa: E402
from custom_components.community_access.core.models import (  # noqa: E402
    Credential,
    CredentialKind,
    CredentialStatus,
)

NOW = datetime(2026, 12, 5, 4, 0, tzinfo=UTC)


def build(count: int, temporary: float, seed: int) -> AccessIndex:
    """An index of ``count`` active cards, a share ``temporary`` with an end."""
    rng = random.Random(seed)
    index = AccessIndex(ZoneInfo("Asia/Shanghai"))
    for cid in range(1, count + 1):
        end = (
            NOW + timedelta(minutes=rng.randrange(1, 365 * 24 * 60))
            if rng.random() < temporary
            else None
        )
        index.put_credential(
            Credential(
                id=cid,
                person_id=cid,
                kind=CredentialKind.CARD,
                digest=f"d{cid}",
                masked="****0000",
                valid_until=end,
            )
        )
    return index


def per_call(func: object, repeat: int) -> list[float]:
    """Microseconds per call, ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        func()  # type: ignore[operator]
        times.append((time.perf_counter_ns() - start) / 1000)
    return times


def full_scan(index: AccessIndex, moment: datetime) -> list[Credential]:
    """The former sweep: every credential looked at."""
    return [
        c
        for c in index.credentials.values()
        if c.status is CredentialStatus.ACTIVE
        and c.valid_until is not None
        and c.valid_until <= moment
    ]


def main() -> None:
    """Build, time and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--credentials", type=int, default=150_000)
    parser.add_argument("--temporary", type=float, default=0.3)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    start = time.perf_counter()
    index = build(args.credentials, args.temporary, args.seed)
    built = time.perf_counter() - start
    hour = NOW + timedelta(hours=1)
    due = index.credentials_ending_by(hour)
    assert [c.id for c in due] == sorted(c.id for c in full_scan(index, hour))

    nxt = per_call(index.next_credential_end, args.repeat)
    by = per_call(lambda: index.credentials_ending_by(hour), args.repeat)
    scan = per_call(lambda: full_scan(index, hour), max(5, args.repeat // 20))
    rng = random.Random(args.seed + 1)
    ids = list(index.credentials)
    puts = per_call(
        lambda: index.put_credential(
            replace(
                index.credentials[rng.choice(ids)],
                valid_until=NOW + timedelta(days=rng.randrange(1, 365)),
            )
        ),
        args.repeat,
    )

    def row(label: str, times: list[float]) -> str:
        return (
            f"{label:<42} median {statistics.median(times):>10.2f} µs"
            f"   p99 {sorted(times)[int(len(times) * 0.99) - 1]:>10.2f} µs"
        )

    print(
        f"{args.credentials:,} credentials, {args.temporary:.0%} temporary; "
        f"index built in {built:.2f} s; {len(due)} due within the hour"
    )
    print(row("next_credential_end", nxt))
    print(row("credentials_ending_by(now + 1 h)", by))
    print(row("former full scan (same answer)", scan))
    print(row("put_credential (new end pushed)", puts))


if __name__ == "__main__":
    main()
