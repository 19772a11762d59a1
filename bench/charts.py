"""The time to draw the charts of /thongke and /nhipsinhhoat (bot/charts.py), and their size.

Prints, in a fresh process: the import of matplotlib (paid once, by the first chart a process draws), the
first chart, then the median of further draws of each chart (a year of 14 meetings and 5 kinds of tasks; a
year grid with every status), with the PNG's pixel size and bytes. Run from the repository root:
    python bench/charts.py [--runs 20] [--out DIR]   (--out: also write the two PNGs there to look at)
"""

from __future__ import annotations

import argparse
import statistics
import struct
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import charts  # noqa: E402
from bot.charts import FUTURE, HELD, MISSING, OPEN, MeetingBar, Period, Statistics, TaskCounts, YearGrid  # noqa: E402

UNIT = "Chi bộ Khu phố 3, phường Định Công"


def year_of_meetings() -> Statistics:
    bars = []
    for month in range(1, 12):
        bars.append(MeetingBar(date(2026, month, 18), "thuong_ky", 28 - month % 4, 30))
        if month % 3 == 0:
            bars.append(MeetingBar(date(2026, month, 25), "chuyen_de", 25 + month % 5, 30))
    return Statistics(date(2026, 1, 1), date(2026, 11, 23), tuple(bars), TaskCounts(14, 3, 1, 2, 5), 90.0)


def grid() -> YearGrid:
    months = [Period(HELD, date(2026, m, 18)) for m in range(1, 10)]
    months[4] = Period(MISSING)
    months += [Period(HELD, date(2026, 10, 20)), Period(OPEN, late=True), Period(FUTURE)]
    quarters = (Period(HELD, date(2026, 3, 25), "Thực hiện trách nhiệm nêu gương của cán bộ, đảng viên"),
                Period(MISSING), Period(HELD, date(2026, 9, 25), "Học tập và làm theo tư tưởng Hồ Chí Minh"),
                Period(OPEN))
    return YearGrid(2026, tuple(months), quarters, 11, 4)


def size(png: bytes) -> str:
    width, height = struct.unpack(">II", png[16:24])
    return f"{width}×{height} px, {len(png) / 1024:.0f} KB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    stats, year = year_of_meetings(), grid()

    started = time.perf_counter()
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401
    imported = time.perf_counter()
    charts.statistics_png(UNIT, stats)
    first = time.perf_counter()
    print(f"import matplotlib: {1000 * (imported - started):.0f} ms; first chart after it: "
          f"{1000 * (first - imported):.0f} ms (a process pays both once)")

    for name, draw in (("/thongke (14 meetings, tasks)", lambda: charts.statistics_png(UNIT, stats)),
                       ("/nhipsinhhoat (year grid)", lambda: charts.rhythm_png(UNIT, year))):
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            png = draw()
            times.append(time.perf_counter() - t)
        print(f"{name}: median {1000 * statistics.median(times):.0f} ms, max {1000 * max(times):.0f} ms "
              f"over {args.runs} draws; {size(png)}")
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            path = args.out / f"{name.split()[0].strip('/')}.png"
            path.write_bytes(png)
            print(f"  written: {path}")


if __name__ == "__main__":
    main()
