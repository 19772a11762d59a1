"""Tests for bot.dates: Vietnamese dates, times, deadlines and periods."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.dates import (
    DateError,
    When,
    format_date_long,
    format_date_short,
    format_when,
    parse_date,
    parse_time,
    parse_when,
    weekday_vi,
)

WED = date(2024, 3, 20)  # a Wednesday
SAT = date(2024, 3, 23)
FRI = date(2024, 3, 22)
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "expected.json"
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ---------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------


def test_weekday_vi():
    monday = date(2024, 3, 18)
    names = [weekday_vi(monday + timedelta(days=i)) for i in range(7)]
    assert names == ["thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy", "chủ nhật"]


@pytest.mark.parametrize(
    ("d", "short", "long"),
    [
        (date(2023, 10, 8), "08/10/2023", "ngày 08 tháng 10 năm 2023"),
        (date(2023, 1, 5), "05/01/2023", "ngày 05 tháng 01 năm 2023"),
        (date(2023, 2, 5), "05/02/2023", "ngày 05 tháng 02 năm 2023"),
        (date(2023, 6, 15), "15/6/2023", "ngày 15 tháng 6 năm 2023"),
        (date(2023, 3, 20), "20/3/2023", "ngày 20 tháng 3 năm 2023"),
        (date(2024, 3, 28), "28/3/2024", "ngày 28 tháng 3 năm 2024"),
        (date(2022, 11, 22), "22/11/2022", "ngày 22 tháng 11 năm 2022"),
        (date(2024, 12, 1), "01/12/2024", "ngày 01 tháng 12 năm 2024"),
    ],
)
def test_format_dates(d, short, long):
    assert format_date_short(d) == short
    assert format_date_long(d) == long


@pytest.mark.parametrize(
    ("when", "text"),
    [
        (When("deadline", date(2023, 6, 15), None, None), "thứ năm, 15/6/2023"),
        (When("event", date(2026, 11, 27), None, time(14, 0)), "14:00 thứ sáu, 27/11/2026"),
        (When("period", date(2023, 6, 30), date(2023, 4, 1), None), "Quý II/2023 (01/4/2023 – 30/6/2023)"),
        (When("period", date(2023, 7, 31), date(2023, 7, 1), None), "Tháng 7/2023 (01/7/2023 – 31/7/2023)"),
        (When("event", date(2023, 7, 10), date(2023, 7, 1), None), "Đầu tháng 7/2023 (01/7/2023 – 10/7/2023)"),
        (When("period", date(2023, 12, 31), date(2023, 1, 1), None), "Năm 2023 (01/01/2023 – 31/12/2023)"),
        (When("period", date(2023, 6, 30), date(2023, 1, 1), None), "6 tháng đầu năm 2023 (01/01/2023 – 30/6/2023)"),
        (When("period", date(2023, 7, 15), date(2023, 7, 1), None),
         "từ thứ bảy, 01/7/2023 đến thứ bảy, 15/7/2023"),
    ],
)
def test_format_when(when, text):
    assert format_when(when) == text


# ---------------------------------------------------------------------------------------------
# parse_date
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ngày 08 tháng 10 năm 2023", date(2023, 10, 8)),
        ("08/10/2023", date(2023, 10, 8)),
        ("8-10-2023", date(2023, 10, 8)),
        ("08.10.2023", date(2023, 10, 8)),
        ("ngày15/01/2024", date(2024, 1, 15)),
        ("8/10/23", date(2023, 10, 8)),
        ("05/01/2023", date(2023, 1, 5)),
        ("trước 30-6-2020", date(2020, 6, 30)),
        ("thứ năm, ngày 28 tháng 3 năm 2024", date(2024, 3, 28)),
        ("thứ 5 28/3/2024", date(2024, 3, 28)),
        ("T5, 28/3/2024", date(2024, 3, 28)),
        ("chủ nhật 31/3/2024", date(2024, 3, 31)),
        ("CN 31/3/2024", date(2024, 3, 31)),
        ("28/3/2024 (thứ năm)", date(2024, 3, 28)),
        ("Lúc 08 giờ 00 thứ năm, ngày 28 tháng 3 năm 2024", date(2024, 3, 28)),
        ("28/3/2024 lúc 14h30", date(2024, 3, 28)),
        ("thu 5, ngay 28 thang 3 nam 2024", date(2024, 3, 28)),  # typed without accents
        ("ngày 15 tháng sáu năm 2024", date(2024, 6, 15)),
        ("Ngày 1 tháng 1 năm 2000", date(2000, 1, 1)),
    ],
)
def test_parse_date_formal(text, expected):
    assert parse_date(text, today=WED) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("15/6", WED, date(2024, 6, 15)),
        ("15/6 tới", WED, date(2024, 6, 15)),
        ("ngày 15 tháng 6", WED, date(2024, 6, 15)),
        ("15/3", WED, date(2025, 3, 15)),  # already past this year: next year
        ("20/3", WED, date(2024, 3, 20)),  # today counts
        ("29/2", WED, date(2028, 2, 29)),
        ("15/6 năm sau", WED, date(2025, 6, 15)),
        ("ngày 15", WED, date(2024, 4, 15)),
        ("ngày 25", WED, date(2024, 3, 25)),
        ("hôm nay", WED, WED),
        ("ngày mai", WED, date(2024, 3, 21)),
        ("mai", WED, date(2024, 3, 21)),
        ("sáng mai", WED, date(2024, 3, 21)),
        ("2 giờ chiều mai", WED, date(2024, 3, 21)),
        ("ngày kia", WED, date(2024, 3, 22)),
        ("ngày mốt", WED, date(2024, 3, 22)),
        ("hôm qua", WED, date(2024, 3, 19)),
        ("hôm kia", WED, date(2024, 3, 18)),
        ("thứ sáu tuần sau", WED, date(2024, 3, 29)),
        ("thứ 6 tuần tới", WED, date(2024, 3, 29)),
        ("thu sau tuan sau", WED, date(2024, 3, 29)),
        ("thứ sáu này", WED, date(2024, 3, 22)),
        ("thứ sáu này", SAT, date(2024, 3, 29)),  # this week's Friday is past: the next one
        ("thứ sáu này", FRI, FRI),
        ("thứ sáu", SAT, date(2024, 3, 29)),
        ("thứ 6 tuần này", WED, date(2024, 3, 22)),
        ("thứ 6 tuần này", SAT, date(2024, 3, 22)),  # literal: the current week's Friday
        ("thứ sáu tới", FRI, date(2024, 3, 29)),
        ("thứ hai tuần trước", WED, date(2024, 3, 11)),
        ("chủ nhật", WED, date(2024, 3, 24)),
        ("T6", WED, date(2024, 3, 22)),
        ("3 ngày nữa", WED, date(2024, 3, 23)),
        ("ba ngày nữa", WED, date(2024, 3, 23)),
        ("2 tuần nữa", WED, date(2024, 4, 3)),
        ("1 tháng nữa", date(2024, 1, 31), date(2024, 2, 29)),
        ("sau 10 ngày", WED, date(2024, 3, 30)),
        ("3 ngày trước", WED, date(2024, 3, 17)),
        ("cuối tháng", WED, date(2024, 3, 31)),
        ("cuối tháng", date(2024, 2, 5), date(2024, 2, 29)),
        ("cuối tuần", WED, date(2024, 3, 24)),
        ("cuối tuần", date(2024, 3, 24), date(2024, 3, 24)),
        ("cuối tuần sau", WED, date(2024, 3, 31)),
        ("đầu tháng sau", WED, date(2024, 4, 1)),
        ("đầu tháng", WED, date(2024, 4, 1)),
        ("tuần sau", WED, date(2024, 3, 25)),
        ("tuần sau", date(2024, 3, 24), date(2024, 3, 25)),
        ("tháng sau", WED, date(2024, 4, 1)),
        ("cuối tháng 7/2023", WED, date(2023, 7, 31)),
        ("đầu tháng 7/2023", WED, date(2023, 7, 1)),
        ("đầu tháng này", WED, date(2024, 3, 1)),
        ("hết tháng 6", WED, date(2024, 6, 30)),
        ("đến hết quý I", WED, date(2024, 3, 31)),
        ("thứ 6 tuần sau nữa", WED, date(2024, 4, 5)),
        ("tuần sau nữa", WED, date(2024, 4, 1)),
        ("25.12", WED, date(2024, 12, 25)),  # a bare dot date is fine when it is the whole answer
        ("ngày 25.12", WED, date(2024, 12, 25)),
        ("ngay mai", WED, date(2024, 3, 21)),
    ],
)
def test_parse_date_conversational(text, today, expected):
    assert parse_date(text, today=today) == expected


def test_parse_date_dateparser_fallback():
    # Not covered by the rules: handed to dateparser (a short phrase of words).
    assert parse_date("ngày hôm qua", today=WED) == date(2024, 3, 19)
    assert parse_date("bây giờ", today=WED) == WED


def test_parse_date_does_not_import_dateparser_at_import_time():
    code = "import sys, bot.dates; assert 'dateparser' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])


def _error(text: str, today: date = WED) -> str:
    with pytest.raises(DateError) as info:
        parse_date(text, today=today)
    return str(info.value)


def test_invalid_date_messages():
    assert _error("31/02/2024") == (
        "Ngày 31/02/2024 không có thật: tháng 2 năm 2024 chỉ có 29 ngày. Vui lòng nhập lại, ví dụ 29/02/2024."
    )
    msg = _error("29/02/2023")
    assert "tháng 2 năm 2023 chỉ có 28 ngày" in msg and "28/02/2023" in msg
    msg = _error("32/1/2024")
    assert "không có thật" in msg and "31 ngày" in msg
    msg = _error("ngày 31 tháng 4 năm 2024")
    assert "tháng 4 năm 2024 chỉ có 30 ngày" in msg and "30/4/2024" in msg
    msg = _error("15/13/2024")
    assert "tháng 13" in msg and "12 tháng" in msg
    msg = _error("12/25/2024")  # month first: suggest the Vietnamese order
    assert "25/12/2024" in msg
    msg = _error("31/4")
    assert "tháng 4 chỉ có 30 ngày" in msg
    msg = _error("15/6/1800")
    assert "Năm 1800" in msg


def test_weekday_mismatch_message():
    msg = _error("thứ năm, ngày 29/3/2024")
    assert "29/3/2024 là thứ sáu" in msg and "không phải thứ năm" in msg
    msg = _error("CN 30/3/2024")
    assert "30/3/2024 là thứ bảy" in msg and "chủ nhật" in msg


@pytest.mark.parametrize("text", ["", "   ", "abc", "không biết", "2023", "15", "chưa rõ"])
def test_not_a_date(text):
    msg = _error(text)
    assert "Vui lòng nhập" in msg
    assert "ngày mai" in msg and "thứ sáu tuần sau" in msg  # examples of accepted forms


def test_period_is_not_one_day():
    msg = _error("Quý II/2023")
    assert "khoảng thời gian" in msg and "01/4/2023 – 30/6/2023" in msg
    assert "khoảng thời gian" in _error("tuần này")
    assert "khoảng thời gian" in _error("tháng 7/2023")


# ---------------------------------------------------------------------------------------------
# parse_time
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8h00", time(8, 0)),
        ("8h", time(8, 0)),
        ("08 giờ 00", time(8, 0)),
        ("8 giờ 30 phút", time(8, 30)),
        ("8:30", time(8, 30)),
        ("08:30", time(8, 30)),
        ("14h30", time(14, 30)),
        ("2 giờ chiều", time(14, 0)),
        ("8 giờ sáng", time(8, 0)),
        ("20g", time(20, 0)),
        ("7 giờ tối", time(19, 0)),
        ("12 giờ trưa", time(12, 0)),
        ("8 giờ rưỡi", time(8, 30)),
        ("9 giờ kém 15", time(8, 45)),
        ("lúc 8h", time(8, 0)),
        ("8", time(8, 0)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
    ],
)
def test_parse_time(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("25:00", "giờ chỉ từ 0 đến 23"),
        ("24h", "giờ chỉ từ 0 đến 23"),
        ("8:75", "phút chỉ từ 00 đến 59"),
        ("", "chưa nhập giờ"),
        ("abc", "Không hiểu"),
        ("14h sáng", "buổi sáng"),
    ],
)
def test_parse_time_errors(text, needle):
    with pytest.raises(DateError) as info:
        parse_time(text)
    assert needle in str(info.value)


# ---------------------------------------------------------------------------------------------
# parse_when
# ---------------------------------------------------------------------------------------------

D = "deadline"
E = "event"
P = "period"


@pytest.mark.parametrize(
    ("text", "kind", "start", "due", "at"),
    [
        ("họp chi ủy thứ sáu tuần sau 14h", E, None, date(2024, 3, 29), time(14, 0)),
        ("Nộp báo cáo sơ kết trước 15/6", D, None, date(2024, 6, 15), None),
        ("hạn nộp 15/6", D, None, date(2024, 6, 15), None),
        ("chậm nhất thứ 6 tuần sau", D, None, date(2024, 3, 29), None),
        ("Thời gian: 8h ngày 20/10/2024", E, None, date(2024, 10, 20), time(8, 0)),
        ("tổ chức vào ngày 20/10/2024", E, None, date(2024, 10, 20), None),
        ("dự kiến ngày 20 tháng 10 năm 2023", E, None, date(2023, 10, 20), None),
        ("15/6", D, None, date(2024, 6, 15), None),
        ("tháng 7/2023", P, date(2023, 7, 1), date(2023, 7, 31), None),
        ("tháng 12-2019", P, date(2019, 12, 1), date(2019, 12, 31), None),
        ("tháng 4.2020", P, date(2020, 4, 1), date(2020, 4, 30), None),
        ("tháng 7 năm 2023", P, date(2023, 7, 1), date(2023, 7, 31), None),
        ("trong 2/2021", P, date(2021, 2, 1), date(2021, 2, 28), None),
        ("đầu tháng 7/2023", P, date(2023, 7, 1), date(2023, 7, 10), None),
        ("giữa tháng 7/2023", P, date(2023, 7, 11), date(2023, 7, 20), None),
        ("cuối tháng 7/2023", P, date(2023, 7, 21), date(2023, 7, 31), None),
        ("cuối tháng 2/2024", P, date(2024, 2, 21), date(2024, 2, 29), None),
        ("Quý II/2023", P, date(2023, 4, 1), date(2023, 6, 30), None),
        ("quý IV.2019", P, date(2019, 10, 1), date(2019, 12, 31), None),
        ("quý 2/2023", P, date(2023, 4, 1), date(2023, 6, 30), None),
        ("quý I năm 2025", P, date(2025, 1, 1), date(2025, 3, 31), None),
        ("6 tháng đầu năm 2023", P, date(2023, 1, 1), date(2023, 6, 30), None),
        ("6 tháng cuối năm 2023", P, date(2023, 7, 1), date(2023, 12, 31), None),
        ("9 tháng đầu năm 2023", P, date(2023, 1, 1), date(2023, 9, 30), None),
        ("3 tháng cuối năm 2023", P, date(2023, 10, 1), date(2023, 12, 31), None),
        ("từ tháng 7 đến tháng 12-2019", P, date(2019, 7, 1), date(2019, 12, 31), None),
        ("từ tháng 11 đến tháng 2/2020", P, date(2019, 11, 1), date(2020, 2, 29), None),
        ("từ 01/7 đến 15/7/2023", P, date(2023, 7, 1), date(2023, 7, 15), None),
        ("từ ngày 1 đến ngày 15/7/2023", P, date(2023, 7, 1), date(2023, 7, 15), None),
        ("01/7 – 15/7/2023", P, date(2023, 7, 1), date(2023, 7, 15), None),
        ("01/7-15/7/2023", P, date(2023, 7, 1), date(2023, 7, 15), None),
        ("từ 15/12 đến 15/1/2024", P, date(2023, 12, 15), date(2024, 1, 15), None),
        ("từ nay đến 15/6", P, WED, date(2024, 6, 15), None),
        ("trong năm 2023", P, date(2023, 1, 1), date(2023, 12, 31), None),
        ("năm 2023", P, date(2023, 1, 1), date(2023, 12, 31), None),
        ("đến hết quý I", P, date(2024, 1, 1), date(2024, 3, 31), None),
        ("tháng này", P, date(2024, 3, 1), date(2024, 3, 31), None),
        ("tháng sau", P, date(2024, 4, 1), date(2024, 4, 30), None),
        ("tuần này", P, date(2024, 3, 18), date(2024, 3, 24), None),
        ("tuần sau", P, date(2024, 3, 25), date(2024, 3, 31), None),
        ("tháng 7", P, date(2024, 7, 1), date(2024, 7, 31), None),
        ("tháng 2", P, date(2025, 2, 1), date(2025, 2, 28), None),  # February 2024 is over
        ("cuối tháng", P, date(2024, 3, 21), date(2024, 3, 31), None),
        ("đầu tháng sau", P, date(2024, 4, 1), date(2024, 4, 10), None),
        ("dự kiến đầu tháng 7/2023", E, date(2023, 7, 1), date(2023, 7, 10), None),
        ("hoàn thành trong tháng 7/2023", D, date(2023, 7, 1), date(2023, 7, 31), None),
        ("xong trong tuần", D, date(2024, 3, 18), date(2024, 3, 24), None),
        ("Chuyên đề 1: Nâng cao chất lượng sinh hoạt chi bộ (Quý I/2023)", P,
         date(2023, 1, 1), date(2023, 3, 31), None),
        ("Báo cáo quý II, hạn 15/6", D, None, date(2024, 6, 15), None),
        ("sơ kết 6 tháng đầu năm 2023 trước 15/7/2023", D, None, date(2023, 7, 15), None),
        ("Đ/c Mai nộp báo cáo trước 15/6", D, None, date(2024, 6, 15), None),
        ("Hội nghị lần thứ 2 ngày 15/6/2024", D, None, date(2024, 6, 15), None),
        ("Lúc 08 giờ 00 thứ năm, ngày 28 tháng 3 năm 2024", E, None, date(2024, 3, 28), time(8, 0)),
        ("họp chi bộ tối thứ năm này lúc 19h30", E, None, date(2024, 3, 21), time(19, 30)),
        ("Thời gian tiến hành: trước ngày 10/4/2023", D, None, date(2023, 4, 10), None),
        ("ngày 15-20/6/2023", P, date(2023, 6, 15), date(2023, 6, 20), None),
        ("từ 25 đến 5/7", P, date(2024, 6, 25), date(2024, 7, 5), None),
        ("đạt 12.5% trước 15/6", D, None, date(2024, 6, 15), None),
        ("tuần sau nữa", P, date(2024, 4, 1), date(2024, 4, 7), None),
        ("tháng 7 năm sau", P, date(2025, 7, 1), date(2025, 7, 31), None),
        ("quý III năm nay", P, date(2024, 7, 1), date(2024, 9, 30), None),
    ],
)
def test_parse_when(text, kind, start, due, at):
    w = parse_when(text, today=WED)
    assert (w.kind, w.start, w.due, w.time) == (kind, start, due, at)


def test_parse_when_default_kind():
    assert parse_when("15/6/2024", today=WED, default_kind="event").kind == "event"
    assert parse_when("15/6/2024", today=WED).kind == "deadline"
    one_day = parse_when("15/6/2024", today=WED, default_kind="period")
    assert (one_day.kind, one_day.start, one_day.due) == ("period", date(2024, 6, 15), date(2024, 6, 15))
    # a cue wins over the default
    assert parse_when("trước 15/6/2024", today=WED, default_kind="event").kind == "deadline"
    with pytest.raises(ValueError):
        parse_when("15/6/2024", today=WED, default_kind="soon")


def test_parse_when_quarter_without_year_moves_forward():
    assert parse_when("đến hết quý I", today=date(2024, 4, 2)).due == date(2025, 3, 31)
    assert parse_when("đến hết quý I", today=date(2024, 3, 31)).due == date(2024, 3, 31)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("abc", "Không tìm thấy ngày tháng"),
        ("", "chưa nhập"),
        ("14h", "Không tìm thấy ngày tháng"),
        ("lúc 25h ngày 15/6", "giờ chỉ từ 0 đến 23"),
        ("trước 31/02/2024", "tháng 2 năm 2024 chỉ có 29 ngày"),
        ("quý 5/2023", "4 quý"),
        ("thứ năm, ngày 29/3/2024", "là thứ sáu"),
    ],
)
def test_parse_when_errors(text, needle):
    with pytest.raises(DateError) as info:
        parse_when(text, today=WED)
    assert needle in str(info.value)


# ---------------------------------------------------------------------------------------------
# The five seed plans
# ---------------------------------------------------------------------------------------------


def _seed_items() -> list:
    if not SEEDS.is_file():
        reason = f"needs ../shared/seeds beside the checkout ({SEEDS} not found)"
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=reason))]
    data = json.loads(SEEDS.read_text(encoding="utf-8"))
    return [
        pytest.param(name, item, id=f"{name[:3]}-{i}")
        for name, seed in data["seeds"].items()
        for i, item in enumerate(seed["dates"])
    ]


@pytest.mark.parametrize(("seed", "item"), _seed_items())
def test_seed_dates(seed, item):
    due = date.fromisoformat(item["due"])
    w = parse_when(item["quote"], today=date(due.year, 1, 1))
    assert w.kind == item["kind"]
    assert w.due == due
    if item.get("start"):
        assert w.start == date.fromisoformat(item["start"])
    if item.get("time"):
        assert w.time is not None and w.time.strftime("%H:%M") == item["time"]


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
TODAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
SHORT_WD = ["T2", "T3", "T4", "T5", "T6", "T7", "CN"]


@st.composite
def written_dates(draw):
    d = draw(DATES)
    dd = f"{d.day:02d}" if draw(st.booleans()) else str(d.day)
    mm = f"{d.month:02d}" if draw(st.booleans()) else str(d.month)
    if draw(st.booleans()):
        sep = draw(st.sampled_from("/-."))
        body = f"{dd}{sep}{mm}{sep}{d.year}"
    else:
        body = f"{dd} tháng {mm} năm {d.year}"
    body = draw(st.sampled_from(["", "ngày ", "ngày", "Ngày "])) + body
    style = draw(st.sampled_from(["none", "long", "digit", "short"]))
    if style == "long":
        name = weekday_vi(d)
        body = f"{name.capitalize() if draw(st.booleans()) else name}, {body}"
    elif style == "digit":
        body = f"{'chủ nhật' if d.weekday() == 6 else f'thứ {d.weekday() + 2}'} {body}"
    elif style == "short":
        body = f"{SHORT_WD[d.weekday()]}, {body}"
    around = draw(st.sampled_from(["", "lúc 8h00 ", "Lúc 08 giờ 00 ", "14:30 "]))
    if draw(st.booleans()):
        body = around + body
    else:
        body = body + (" " + around.strip() if around else "")
    return d, body


@FAST
@given(written_dates(), TODAYS)
def test_written_dates_parse_back(case, today):
    d, text = case
    assert parse_date(text, today=today) == d
    assert parse_when(text, today=today).due == d


@FAST
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), st.sampled_from("/-."))
def test_two_digit_years(d, sep):
    assert parse_date(f"{d.day}{sep}{d.month}{sep}{d.year % 100:02d}", today=WED) == d


@FAST
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)), TODAYS)
def test_format_round_trip(d, today):
    assert parse_date(format_date_long(d), today=today) == d
    assert parse_date(format_date_short(d), today=today) == d
    assert parse_when(format_date_short(d), today=today) == When("deadline", d, None, None)


@FAST
@given(st.integers(0, 23), st.integers(0, 59), st.sampled_from(["h", "giờ", ":"]), st.booleans())
def test_written_times_parse_back(hour, minute, style, pad):
    h = f"{hour:02d}" if pad else str(hour)
    text = {"h": f"{h}h{minute:02d}", "giờ": f"{h} giờ {minute:02d}", ":": f"{h}:{minute:02d}"}[style]
    assert parse_time(text) == time(hour, minute)


@FAST
@given(DATES, st.integers(1, 6))
def test_wrong_weekday_is_reported(d, shift):
    wrong = (d.weekday() + shift) % 7
    said = weekday_vi(d - timedelta(days=d.weekday()) + timedelta(days=wrong))
    with pytest.raises(DateError) as info:
        parse_date(f"{said}, {format_date_short(d)}", today=WED)
    assert f"là {weekday_vi(d)}" in str(info.value)


@FAST
@given(st.integers(1990, 2100), st.integers(1, 12), st.integers(29, 35))
def test_impossible_days_are_reported(year, month, day):
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    if day <= last:
        return
    with pytest.raises(DateError) as info:
        parse_date(f"{day}/{month}/{year}", today=WED)
    assert f"chỉ có {last} ngày" in str(info.value)


@FAST
@given(DATES, TODAYS)
def test_day_and_month_go_forward(d, today):
    got = parse_date(f"{d.day}/{d.month}", today=today)
    assert (got.day, got.month) == (d.day, d.month)
    assert today <= got < today + timedelta(days=366 * 8 + 2)


@FAST
@given(TODAYS, st.integers(0, 6))
def test_weekday_rules(today, wd):
    name = weekday_vi(date(2024, 3, 18) + timedelta(days=wd))
    this = parse_date(f"{name} này", today=today)
    assert this.weekday() == wd and today <= this < today + timedelta(days=7)
    monday = today - timedelta(days=today.weekday())
    assert parse_date(f"{name} tuần sau", today=today) == monday + timedelta(days=7 + wd)
    assert parse_date(f"{name} tuần này", today=today) == monday + timedelta(days=wd)


@FAST
@given(st.integers(1990, 2100), st.integers(1, 4))
def test_quarters(year, q):
    roman = ["I", "II", "III", "IV"][q - 1]
    w = parse_when(f"Quý {roman}/{year}", today=WED)
    assert w.kind == "period" and w.start == date(year, 3 * q - 2, 1)
    assert w.due == date(year + (q == 4), (3 * q) % 12 + 1, 1) - timedelta(days=1)


TOKENS = ["ngày", "tháng", "năm", "thứ", "tuần", "quý", "đầu", "cuối", "giữa", "trước", "từ", "đến", "tới",
          "hôm", "nay", "này", "sáu", "sau", "mai", "giờ", "chiều", "hạn", "họp", "lúc", "II", "IV", "T5", "CN",
          "/", "-", ".", ":", ",", "h", "0", "1", "2", "7", "12", "13", "29", "31", "32", "2023", "23", "75", "nữa"]


def _only_date_errors(text: str, today: date) -> None:
    for call in (lambda: parse_date(text, today=today), lambda: parse_when(text, today=today),
                 lambda: parse_time(text)):
        try:
            call()
        except DateError:
            pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=50), TODAYS)
def test_random_text_raises_only_date_error(text, today):
    _only_date_errors(text, today)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=8).map(" ".join), TODAYS)
def test_random_date_words_raise_only_date_error(text, today):
    _only_date_errors(text, today)
