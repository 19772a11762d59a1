"""Recall and precision of bot.extract on the hand-checked excerpts of tests/fixtures/extract_cases.yaml.

Run from the repository root:

    python bench/extract_cases.py [--cases tests/fixtures/extract_cases.yaml] [-v]

An expected item is found when a returned item has the same kind, due, start (None when the case gives
none) and tentative flag; "by date" scores the due dates alone. A returned item that no expected item
claims is a false positive; one whose due or start is among the case's `not` dates (citations, issue
dates, signatures, laws in passing, the meeting date of minutes) is also counted as a forbidden date.
Targets (issue 11): recall >= 0.95 and no forbidden date. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.extract import Item, extract  # noqa: E402

CASES = ROOT / "tests" / "fixtures" / "extract_cases.yaml"


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    date_tp: int = 0
    date_fp: int = 0
    date_fn: int = 0
    forbidden: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def date_recall(self) -> float:
        return self.date_tp / (self.date_tp + self.date_fn) if self.date_tp + self.date_fn else 1.0

    @property
    def date_precision(self) -> float:
        return self.date_tp / (self.date_tp + self.date_fp) if self.date_tp + self.date_fp else 1.0


def _iso(value: object) -> str | None:
    return None if value is None else str(value)


def load(path: Path = CASES) -> tuple[date, list[dict]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return date.fromisoformat(str(data["today"])), data["cases"]


def key(exp: dict) -> tuple:
    return exp["kind"], _iso(exp["due"]), _iso(exp.get("start")), bool(exp.get("tentative", False))


def item_key(it: Item) -> tuple:
    return it.kind, it.due.isoformat(), it.start.isoformat() if it.start else None, it.tentative


def score_case(case: dict, today: date, total: Score) -> list[Item]:
    """Adds the case's counts to ``total`` (and a line per problem); returns the items found."""
    items = extract(case["text"], today=date.fromisoformat(str(case.get("today", today))))
    expected = [key(e) for e in case.get("items") or []]
    got = [item_key(it) for it in items]
    left = list(got)
    for exp in expected:
        if exp in left:
            left.remove(exp)
            total.tp += 1
        else:
            total.fn += 1
            total.problems.append(f"{case['id']}: missing {exp}")
    for extra in left:
        total.fp += 1
        total.problems.append(f"{case['id']}: not expected {extra}")
    dues = [g[1] for g in got]
    for due in [e[1] for e in expected]:
        if due in dues:
            dues.remove(due)
            total.date_tp += 1
        else:
            total.date_fn += 1
    total.date_fp += len(dues)
    forbidden = {_iso(d) for d in case.get("not") or []}
    for g in got:
        if g[1] in forbidden or g[2] in forbidden:
            total.forbidden += 1
            total.problems.append(f"{case['id']}: forbidden date returned {g}")
    return items


def run(path: Path = CASES) -> tuple[int, Score]:
    today, cases = load(path)
    total = Score()
    for case in cases:
        score_case(case, today, total)
    return len(cases), total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=Path, default=CASES)
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss and extra item")
    args = ap.parse_args(argv)
    n, s = run(args.cases)
    expected = s.tp + s.fn
    print(f"{n} cases, {expected} expected items: tp {s.tp}, fp {s.fp}, fn {s.fn}")
    print(f"items (kind, due, start, tentative): recall {s.recall:.3f}, precision {s.precision:.3f}")
    print(f"by due date alone:                  recall {s.date_recall:.3f}, precision {s.date_precision:.3f}")
    print(f"citation / issue / signature / law / meeting dates returned: {s.forbidden}")
    if args.verbose or s.problems:
        for p in s.problems:
            print("  " + p)
    ok = s.recall >= 0.95 and s.forbidden == 0
    print(f"targets: recall >= 0.95: {'yes' if s.recall >= 0.95 else 'NO'}; "
          f"no forbidden date: {'yes' if s.forbidden == 0 else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
