"""Benchmark: bot.extract.extract against dateparser's search_dates on the seed plans.

Run from the repository root:

    python bench/extract_dates.py [--runs 50] [--dp-runs 3] [--seeds ../shared/seeds]

For each seed: the median time of ``extract`` over ``--runs`` runs, next to
``dateparser.search.search_dates(text, languages=['vi'], settings={'DATE_ORDER': 'DMY'})`` on the same
text (``--dp-runs`` runs after one warm-up call, it is slow), and both methods' precision, recall and F1
against expected.json:

* search_dates, by date: a found date is a true positive when it equals the ``due`` of an expected
  item not matched yet; a ``not_dates`` hit or any other date is a false positive; ``neutral`` dates
  are ignored.
* ours, strictly: a returned item is a true positive when it matches an expected item not matched yet
  on kind, due, start and time (when given) and who (loosely, ``bot.extract.who_matches``); any other
  item is a false positive unless its due is ``neutral``. The last table also scores ours by date
  alone, the way search_dates is scored.

Targets: ours at most 5 ms per seed, at least 10 times faster than search_dates, and a higher F1.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.extract import Item, extract, who_matches  # noqa: E402

DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"
TODAY = date(2026, 11, 23)


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def _fits(exp: dict, item: Item) -> bool:
    if item.kind != exp["kind"] or item.due.isoformat() != exp["due"]:
        return False
    if exp.get("start") and (item.start is None or item.start.isoformat() != exp["start"]):
        return False
    if exp.get("time") and (item.time is None or item.time.strftime("%H:%M") != exp["time"]):
        return False
    return not exp.get("who") or who_matches(exp["who"], item.who)


def _score_items(items: list[Item], facts: dict) -> tuple[int, int, int]:
    """(tp, fp, fn), strict item matching."""
    unmatched = list(facts["dates"])
    neutral = set(facts["neutral"])
    tp = fp = 0
    for it in items:
        exp = next((e for e in unmatched if _fits(e, it)), None)
        if exp is not None:
            unmatched.remove(exp)
            tp += 1
        elif it.due.isoformat() not in neutral:
            fp += 1
    return tp, fp, len(unmatched)


def _score_dates(found: list[str], facts: dict) -> tuple[int, int, int]:
    """(tp, fp, fn), by date: each expected due can be matched once."""
    unmatched = [e["due"] for e in facts["dates"]]
    neutral = set(facts["neutral"])
    tp = fp = 0
    for d in found:
        if d in unmatched:
            unmatched.remove(d)
            tp += 1
        elif d not in neutral:
            fp += 1
    return tp, fp, len(unmatched)


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _fmt(scores: tuple[int, int, int]) -> str:
    p, r, f = _prf(*scores)
    return f"{p:5.2f} {r:5.2f} {f:5.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=50, help="runs of extract per seed (median)")
    ap.add_argument("--dp-runs", type=int, default=3, help="runs of search_dates per seed (median)")
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="folder with expected.json")
    args = ap.parse_args(argv)

    expected_path = args.seeds / "expected.json"
    if not expected_path.exists():
        print(f"no {expected_path}", file=sys.stderr)
        return 2
    seeds = json.loads(expected_path.read_text(encoding="utf-8"))["seeds"]

    t0 = time.perf_counter()
    from dateparser.search import search_dates

    search_dates("ngày 15 tháng 6 năm 2023", languages=["vi"], settings={"DATE_ORDER": "DMY"})  # warm-up
    dp_load = time.perf_counter() - t0

    def dp_dates(text: str) -> list[str]:
        try:
            found = search_dates(text, languages=["vi"], settings={"DATE_ORDER": "DMY"}) or []
        except Exception as exc:  # count a crash as "found nothing"
            print(f"  search_dates failed: {exc!r}", file=sys.stderr)
            return []
        return [d.date().isoformat() for _s, d in found]

    rows = []
    tot_ours, tot_dp, tot_ours_dates = [0, 0, 0], [0, 0, 0], [0, 0, 0]
    for name, facts in seeds.items():
        text = (args.seeds / name).read_text(encoding="utf-8")
        ours_ms = _median_ms(lambda text=text: extract(text, today=TODAY), args.runs)
        dp_ms = _median_ms(lambda text=text: dp_dates(text), args.dp_runs)
        items = extract(text, today=TODAY)
        s_ours = _score_items(items, facts)
        s_ours_dates = _score_dates([i.due.isoformat() for i in items], facts)
        s_dp = _score_dates(dp_dates(text), facts)
        for tot, sc in ((tot_ours, s_ours), (tot_dp, s_dp), (tot_ours_dates, s_ours_dates)):
            for k in range(3):
                tot[k] += sc[k]
        rows.append((name, len(text), ours_ms, dp_ms, s_ours, s_dp, s_ours_dates))

    print(f"search_dates: import and Vietnamese data load {dp_load * 1000:.0f} ms (not in the times below)")
    print(f"extract: median of {args.runs} runs; search_dates: median of {args.dp_runs} runs\n")
    head = (f"{'seed':<26} {'chars':>6} {'ours ms':>8} {'sd ms':>9} {'speedup':>8}   "
            f"{'ours P     R     F1':<19}   {'search_dates P R F1':<19}")
    print(head)
    print("-" * len(head))
    for name, n, o, d, so, sd, _sod in rows:
        print(f"{name:<26} {n:>6} {o:>8.2f} {d:>9.1f} {d / o:>7.0f}x   {_fmt(tuple(so)):<19}   {_fmt(tuple(sd)):<19}")
    print("-" * len(head))
    o_all = [r[2] for r in rows]
    d_all = [r[3] for r in rows]
    print(f"{'total / worst':<26} {sum(r[1] for r in rows):>6} {max(o_all):>8.2f} {max(d_all):>9.1f} "
          f"{sum(d_all) / sum(o_all):>7.0f}x   {_fmt(tuple(tot_ours)):<19}   {_fmt(tuple(tot_dp)):<19}")
    print(f"\ntp/fp/fn: ours {tuple(tot_ours)}, search_dates {tuple(tot_dp)}; "
          f"ours scored by date alone: {tuple(tot_ours_dates)} -> P R F1 {_fmt(tuple(tot_ours_dates))}")
    ok_speed = max(o_all) <= 5.0
    ok_ratio = min(d / o for o, d in zip(o_all, d_all, strict=True)) >= 10
    ok_f1 = _prf(*tot_ours)[2] > _prf(*tot_dp)[2]
    print(f"targets: ours <= 5 ms per seed: {'yes' if ok_speed else 'NO'}; >= 10x faster on every seed: "
          f"{'yes' if ok_ratio else 'NO'}; higher F1: {'yes' if ok_f1 else 'NO'}")
    _bench_absolute_dates(args.seeds, args.runs)
    return 0 if ok_speed and ok_ratio and ok_f1 else 1


SLOPPY_ANSWERS = ["- thời gian: 14h thứ 6 tuần sau", "hoàn thành báo cáo trước cuối tháng",
                  "8h sáng mai họp chi ủy", "Thực hiện qđ 125-QĐ/ĐU ngày 25/11 của đảng ủy phường tân mai",
                  "Biểu quyết: 5/5 tán thành.", "tổng kết tháng 11, kết nạp vào chủ nhật tuần sau"]


def _bench_absolute_dates(seeds: Path, runs: int) -> None:
    """bot.dates.absolute_dates on what a secretary types: each seed line of at most 300 characters as an
    answer, and a few sloppy answers; the target is 1 ms per answer."""
    from bot.dates import absolute_dates

    today = date(2026, 12, 1)
    answers = [line for p in sorted(seeds.glob("*.txt")) for line in p.read_text(encoding="utf-8").splitlines()
               if line.strip() and len(line) <= 300] + SLOPPY_ANSWERS
    times = sorted(_median_ms(lambda a=a: absolute_dates(a, today=today), max(runs // 5, 3)) for a in answers)
    typical, worst = statistics.median(times), times[-1]
    print(f"\nabsolute_dates: {len(answers)} answers, median {typical:.3f} ms, worst {worst:.3f} ms per answer; "
          f"target median <= 1 ms: {'yes' if typical <= 1.0 else 'NO'}")


if __name__ == "__main__":
    sys.exit(main())
