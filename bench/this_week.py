"""'What is due this week' for one unit, in a SQLite file holding 1,000,000 deadlines over 50,000 units.

Builds the file once (in a temporary folder, through the real migrations), then times the same
queries /tuannay runs (bot.agenda.week_summary: this week's items + the overdue ones) for
random units, through the real aiosqlite store. Run from the repository root:
    python bench/this_week.py [--units 50000] [--per-unit 20] [--runs 300]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.agenda import week_summary  # noqa: E402
from bot.store import Store  # noqa: E402

TODAY = date(2026, 11, 23)
KINDS = ("deadline", "deadline", "deadline", "event", "period")


def fill(path: Path, units: int, per_unit: int) -> float:
    started = time.perf_counter()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    with conn:
        conn.executemany(
            "INSERT INTO units (id, kind, name, code, place, signer_name, signer_title, created_at) "
            "VALUES (?, 'chi_bo', ?, 'CB', 'Tuyên Quang', 'Nguyễn Văn An', 'BÍ THƯ', '2026-01-01')",
            ((u, f"Chi bộ {u}") for u in range(1, units + 1)))
    rng = random.Random(7)

    def rows():
        for u in range(1, units + 1):
            for n in range(per_unit):
                due = TODAY + timedelta(days=rng.randint(-200, 200))
                kind = rng.choice(KINDS)
                start = (due - timedelta(days=rng.randint(5, 90))).isoformat() if kind == "period" else None
                status = "done" if rng.random() < 0.3 else "open"
                yield (u, kind, f"Việc {n} của chi bộ {u}", due.isoformat(), start, status, "2026-01-01")

    with conn:
        conn.executemany(
            "INSERT INTO deadlines (unit_id, kind, title, due, start, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows())
    conn.close()
    return time.perf_counter() - started


async def migrate(path: Path) -> None:
    store = await Store.open(str(path))
    await store.close()


class Unit:
    def __init__(self, unit_id: int):
        self.id = unit_id


async def measure(path: Path, units: int, runs: int) -> list[float]:
    store = await Store.open(str(path))
    rng = random.Random(11)
    times = []
    try:
        for _ in range(runs):
            unit = Unit(rng.randint(1, units))
            start = time.perf_counter()
            await week_summary(store, unit, TODAY)
            times.append((time.perf_counter() - start) * 1000)
    finally:
        await store.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=50_000)
    parser.add_argument("--per-unit", type=int, default=20)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        asyncio.run(migrate(path))
        seconds = fill(path, args.units, args.per_unit)
        size = path.stat().st_size / 1024 / 1024
        times = sorted(asyncio.run(measure(path, args.units, args.runs)))
    total = args.units * args.per_unit
    print(f"{total:,} deadlines over {args.units:,} units ({size:.0f} MB, built in {seconds:.1f} s)")
    print(f"week_summary for one unit, {args.runs} random units: median {statistics.median(times):.2f} ms, "
          f"p95 {times[int(0.95 * len(times)) - 1]:.2f} ms, max {times[-1]:.2f} ms")
    print(f"target: at most 5 ms: {'yes' if statistics.median(times) <= 5 else 'NO'}")


if __name__ == "__main__":
    main()
