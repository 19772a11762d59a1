"""The time to draw the charts of /thongke and /nhipsinhhoat (bot/charts.py), and their size.

Prints, in a fresh process: the import of matplotlib (paid once, by the first chart a process draws), the
first chart, then the median of further draws of each chart (a year of 14 meetings and 5 kinds of tasks; a
year grid with every status), with the PNG's pixel size and bytes. CPU: the process's CPU time, the figure to
read on a busy machine. Run from the repository root:
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

    started, cpu_started = time.perf_counter(), time.process_time()
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401
    imported, cpu_imported = time.perf_counter(), time.process_time()
    charts.statistics_png(UNIT, stats)
    first, cpu_first = time.perf_counter(), time.process_time()
    print(f"import matplotlib: {1000 * (imported - started):.0f} ms (CPU {1000 * (cpu_imported - cpu_started):.0f} ms); "
          f"first chart after it: {1000 * (first - imported):.0f} ms (CPU {1000 * (cpu_first - cpu_imported):.0f} ms); "
          "a process pays both once")

    for name, draw in (("/thongke (14 meetings, tasks)", lambda: charts.statistics_png(UNIT, stats)),
                       ("/nhipsinhhoat (year grid)", lambda: charts.rhythm_png(UNIT, year))):
        times, cpu = [], []
        for _ in range(args.runs):
            t, c = time.perf_counter(), time.process_time()
            png = draw()
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        print(f"{name}: median {1000 * statistics.median(times):.0f} ms (CPU {1000 * statistics.median(cpu):.0f} ms), "
              f"max {1000 * max(times):.0f} ms over {args.runs} draws; {size(png)}")
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            path = args.out / f"{name.split()[0].strip('/')}.png"
            path.write_bytes(png)
            print(f"  written: {path}")


if __name__ == "__main__":
    main()
