"""bot.dates_text: relative dates inside free text written as real dates (issue 10, point 3)."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest

from bot.dates import _canon
from bot.dates_text import _canon_map, absolute_dates, date_changes

TODAY = date(2026, 12, 1)  # a Tuesday
SEEDS = sorted((Path(__file__).resolve().parents[2] / "shared" / "seeds").glob("*.txt"))


@pytest.mark.parametrize(("typed", "written"), [
    # the two examples
    ("- thời gian: 14h thứ 6 tuần sau", "- thời gian: 14 giờ 00, thứ Sáu, ngày 11/12/2026"),
    ("trước cuối tháng", "trước ngày 31/12/2026"),
    ("Hoàn thành báo cáo trước cuối tháng.", "Hoàn thành báo cáo trước ngày 31/12/2026."),
    # the brief's list
    ("ngày mai", "ngày 02/12/2026"),
    ("tuần sau", "tuần từ ngày 07/12/2026 đến ngày 13/12/2026"),
    ("thứ 5 này", "thứ Năm, ngày 03/12/2026"),
    ("3 ngày nữa", "ngày 04/12/2026"),
    ("15/12", "ngày 15/12/2026"),
    ("cuối tháng 12", "cuối tháng 12"),  # a named period is left as typed
    ("8h sáng mai", "08 giờ 00, ngày 02/12/2026"),
    # more forms
    ("họp lúc 2 giờ chiều thứ 6 tuần sau", "họp lúc 14 giờ 00, thứ Sáu, ngày 11/12/2026"),
    ("vào ngày thứ 6 tuần sau", "vào thứ Sáu, ngày 11/12/2026"),
    ("chiều mai họp chi ủy", "chiều ngày 02/12/2026 họp chi ủy"),
    ("Sáng nay chi bộ họp", "Sáng ngày 01/12/2026 chi bộ họp"),
    ("hạn 15/1", "hạn ngày 15/01/2027"),
    ("Họp chi bộ ngày 15 tháng 1", "Họp chi bộ ngày 15 tháng 01 năm 2027"),
    ("Tháng sau tổ chức kết nạp", "Tháng 01/2027 tổ chức kết nạp"),
    ("trong năm nay", "trong năm 2026"),
    ("xong trong 3 ngày", "xong đến ngày 04/12/2026"),
    ("tổng kết tháng 11", "tổng kết tháng 11"),  # likewise
    ("mai họp chi bộ", "ngày 02/12/2026 họp chi bộ"),
    ("kết nạp vào chủ nhật tuần sau", "kết nạp vào Chủ nhật, ngày 13/12/2026"),
    ("thu nộp đảng phí trước ngày 15", "thu nộp đảng phí trước ngày 15/12/2026"),
])
def test_relative_dates_become_real_dates(typed, written):
    assert absolute_dates(typed, today=TODAY) == written


@pytest.mark.parametrize("typed", [
    "Thực hiện Kế hoạch số 65-KH/ĐUK ngày 02/11/2022 của Ban Thường vụ Đảng ủy.",
    "Thực hiện qđ 125-QĐ/ĐU ngày 25/11 của đảng ủy phường tân mai",  # a citation's date: bot.citations
    "Căn cứ Kết luận số 21-KL/TW, ngày 25/10/2021",
    "Biểu quyết: 5/5 tán thành.", "Đạt 8/10 điểm", "có mặt 9/11 đồng chí, tỷ lệ 81,8%",
    "Tăng 12.5% so với cùng kỳ, thu 1.500.000 đồng.",
    "đ/c mai phát biểu ý kiến", "Đồng chí Mai phát biểu", "hoa mai nở",
    "Lúc 08 giờ 00 thứ năm, ngày 28 tháng 3 năm 2024.",
    "Quý II/2023, tháng 7/2023, 6 tháng đầu năm 2023, ngày 15/6/2027",
    "9 tháng đầu năm, phương hướng nhiệm vụ 3 tháng cuối năm 2023.",  # the year written beside it
    "số điện thoại 0912.345.678, mã 12-KH", "Nhất trí 100%.", "lúc 14h00", "",
    "Tổng vệ sinh đường làng.",
])
def test_what_is_not_a_relative_date_stays_as_typed(typed):
    assert absolute_dates(typed, today=TODAY) == typed


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_seed_plans_come_out_unchanged(seed):
    text = seed.read_text(encoding="utf-8")
    assert absolute_dates(text, today=TODAY) == text
    for line in text.splitlines():
        assert absolute_dates(line, today=TODAY) == line


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_the_position_map_follows_the_normalisation(seed):
    text = unicodedata.normalize("NFC", seed.read_text(encoding="utf-8"))
    tricky = "ngày 15-20/6, 01/7-15/7, thứ sáu tối, 1 tuần,   T6  " + text[:500]
    for sample in (text, tricky):
        canon, pos = _canon_map(sample)
        assert canon == _canon(sample) and len(pos) == len(canon)
        assert all(0 <= p < len(sample) for p in pos) and pos == sorted(pos)


def test_read_back_pairs_and_tense():
    assert date_changes("- thời gian: 14h thứ 6 tuần sau; hạn trước cuối tháng", today=TODAY) == [
        ("14h thứ 6 tuần sau", "14 giờ 00, thứ Sáu, ngày 11/12/2026"), ("cuối tháng", "ngày 31/12/2026")]
    assert absolute_dates("hạn 15/11", today=TODAY) == "hạn ngày 15/11/2026"
    assert absolute_dates("hạn 15/11", today=TODAY, tense="future") == "hạn ngày 15/11/2027"


def test_an_impossible_date_is_left_for_the_read_back():
    assert absolute_dates("họp ngày 31/2, mai nộp", today=TODAY) == "họp ngày 31/2, mai nộp"


def test_the_agreed_interface_lives_in_bot_dates():
    from bot import dates

    assert dates.absolute_dates("trước cuối tháng", today=TODAY) == "trước ngày 31/12/2026"
    assert dates.date_changes("ngày mai", today=TODAY) == [("ngày mai", "ngày 02/12/2026")]
