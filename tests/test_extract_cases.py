"""bot.extract on the hand-checked excerpts of tests/fixtures/extract_cases.yaml (issue 11, points 1-3, 5, 6):
every case exactly, and the recall/precision targets of bench/extract_cases.py."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("extract_cases", ROOT / "bench" / "extract_cases.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
sys.modules["extract_cases"] = bench  # its dataclasses look their module up
_spec.loader.exec_module(bench)

TODAY, CASES = bench.load()


def test_the_set_is_large_and_covers_every_trap():
    assert len(CASES) >= 60
    assert len({c["id"] for c in CASES}) == len(CASES)
    ids = " ".join(c["id"] for c in CASES)
    for shape in ("month", "range", "end-of-month", "quarter-schedule", "half", "year-", "to-end-q1", "tentative",
                  "cite-", "law", "signature", "flat-", "rule", "guide", "minutes", "mid-document"):
        assert shape in ids, shape
    assert sum(1 for c in CASES if c.get("not")) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case):
    score = bench.Score()
    items = bench.score_case(case, TODAY, score)
    assert not score.problems, "\n".join(score.problems + [json.dumps(i.as_json(), ensure_ascii=False)
                                                           for i in items])


def test_recall_and_precision_targets(capsys):
    n, score = bench.run()
    print(f"{n} cases: recall {score.recall:.3f}, precision {score.precision:.3f}, forbidden {score.forbidden}")
    assert score.recall >= 0.95
    assert score.forbidden == 0
    assert score.precision >= 0.95


def test_bench_script_exit_status():
    assert bench.main([]) == 0


def test_tentative_in_json():
    from datetime import date

    from bot.extract import extract

    got = extract("Dự kiến tổ chức Đại hội chi bộ trong tháng 10/2021.", today=date(2026, 5, 10))
    assert [i.as_json()["tentative"] for i in got] == [True]
    got = extract("Các chi bộ nộp báo cáo trước ngày 10/12/2024.", today=date(2026, 5, 10))
    assert [i.as_json()["tentative"] for i in got] == [False]


def test_a_tentative_item_is_labelled_in_lists():
    from bot.extract import extract

    items = extract("Kế hoạch năm 2024.\n- Tổ chức Hội nghị sơ kết dự kiến vào cuối tháng 7/2024.", today=date(2026, 12, 1))
    assert [i.tentative for i in items] == [True], items
    assert items[0].label.endswith("(dự kiến)") and not items[0].title.endswith("(dự kiến)")
