"""The header's line breaks and column widths (bot/header_layout.py), and text measurement (bot/text_width.py),
without LibreOffice: invented committee names as well as the seeds'."""

from __future__ import annotations

import pytest

from bot.header_layout import (
    LEFT_MIN,
    LEFT_SHARE,
    PARTY,
    SAFETY,
    TEXT_WIDTH,
    break_name,
    break_place_date,
    header_layout,
)
from bot.text_width import width_mm

HCM_DATE = "Thành phố Hồ Chí Minh, ngày 25 tháng 9 năm 2023"


# -- measurement -------------------------------------------------------------------------------------------


def test_widths_are_times_new_roman_metrics():
    # Times New Roman advance widths (units of 2048 per em): "H" 1479, "n" 1024, space 512; bold "H" 1593
    assert width_mm("H", 14) == pytest.approx(1479 / 2048 * 14 * 25.4 / 72)
    assert width_mm("n n", 12) == pytest.approx((1024 * 2 + 512) / 2048 * 12 * 25.4 / 72)
    assert width_mm("H", 14, bold=True) > width_mm("H", 14)
    assert width_mm(PARTY, 15, bold=True) == pytest.approx(72.9, abs=0.1)


def test_vietnamese_letters_are_measured_like_their_base_letters():
    assert width_mm("Ệ", 14) == pytest.approx(width_mm("E", 14))
    assert width_mm("ậ", 14, italic=True) == pytest.approx(width_mm("a", 14, italic=True))
    decomposed = "Đa\u0309ng"  # "Đảng" typed with a combining hook: measured as the composed word
    assert width_mm(decomposed, 14) == pytest.approx(width_mm("Đảng", 14))
    assert width_mm("😀", 14) > 0  # anything outside the table still takes room


# -- names ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "bold", "width", "lines"), [
    # the seeds'
    ("ĐẢNG BỘ THÀNH PHỐ HỒ CHÍ MINH", False, 58, ["ĐẢNG BỘ THÀNH PHỐ", "HỒ CHÍ MINH"]),
    ("ĐẢNG ỦY SỞ GIÁO DỤC VÀ ĐÀO TẠO", True, 58, ["ĐẢNG ỦY SỞ", "GIÁO DỤC VÀ ĐÀO TẠO"]),
    ("ĐẢNG ỦY KHỐI CÁC TRƯỜNG ĐẠI HỌC, CAO ĐẲNG HÀ NỘI", True, 78,
     ["ĐẢNG ỦY KHỐI CÁC TRƯỜNG", "ĐẠI HỌC, CAO ĐẲNG HÀ NỘI"]),
    ("CHI BỘ XÓM ĐỊNH THÀNH", True, 70, ["CHI BỘ XÓM ĐỊNH THÀNH"]),
    # invented ones
    ("ĐẢNG BỘ TỈNH THỪA THIÊN HUẾ", False, 60, ["ĐẢNG BỘ TỈNH", "THỪA THIÊN HUẾ"]),
    ("ĐẢNG ỦY PHƯỜNG NGUYỄN THÁI BÌNH", True, 58, ["ĐẢNG ỦY PHƯỜNG", "NGUYỄN THÁI BÌNH"]),
    ("ĐẢNG BỘ KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH BÌNH DƯƠNG", False, 72,
     ["ĐẢNG BỘ KHỐI CÁC CƠ QUAN", "VÀ DOANH NGHIỆP", "TỈNH BÌNH DƯƠNG"]),
    ("ĐẢNG BỘ TRƯỜNG ĐẠI HỌC SƯ PHẠM KỸ THUẬT THÀNH PHỐ HỒ CHÍ MINH", True, 72,
     ["ĐẢNG BỘ TRƯỜNG ĐẠI HỌC", "SƯ PHẠM KỸ THUẬT", "THÀNH PHỐ HỒ CHÍ MINH"]),
    ("CHI BỘ BỆNH VIỆN ĐA KHOA TRUNG ƯƠNG HUẾ", True, 72, ["CHI BỘ BỆNH VIỆN", "ĐA KHOA TRUNG ƯƠNG HUẾ"]),
    ("ĐẢNG ỦY CÔNG TY CỔ PHẦN XI MĂNG HÀ TIÊN 1", True, 75, ["ĐẢNG ỦY CÔNG TY CỔ PHẦN", "XI MĂNG HÀ TIÊN 1"]),
])
def test_names_break_where_a_person_would(name, bold, width, lines):
    assert list(break_name(name, width, bold=bold).lines) == lines


NAMES = [
    "ĐẢNG BỘ THÀNH PHỐ HỒ CHÍ MINH", "ĐẢNG ỦY SỞ GIÁO DỤC VÀ ĐÀO TẠO", "ĐẢNG BỘ TỈNH BÀ RỊA - VŨNG TÀU",
    "ĐẢNG ỦY KHỐI CÁC TRƯỜNG ĐẠI HỌC, CAO ĐẲNG HÀ NỘI", "ĐẢNG ỦY KHỐI CƠ QUAN VÀ DOANH NGHIỆP THÀNH PHỐ CẦN THƠ",
    "CHI BỘ TRƯỜNG TRUNG HỌC PHỔ THÔNG CHUYÊN HÙNG VƯƠNG", "ĐẢNG ỦY XÃ ĐÔNG HƯNG", "CHI BỘ THÔN 5",
    "ĐẢNG ỦY BỆNH VIỆN CHỢ RẪY", "ĐẢNG BỘ QUẬN HAI BÀ TRƯNG", "CHI BỘ KHU PHỐ 3 PHƯỜNG MINH XUÂN",
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("width", [56.0, 62.0, 70.0, 80.0])
def test_lines_fit_and_never_leave_a_short_word_alone(name, width):
    for bold in (False, True):
        lines = break_name(name, width, bold=bold).lines
        assert " ".join(lines) == name  # nothing lost, nothing reordered
        assert all(width_mm(line, 14, bold=bold) <= width for line in lines), lines
        assert not any(len(line.split()) == 1 and len(line) <= 6 for line in lines if len(lines) > 1), lines
        # a kind of body is never split, nor a line ended on a link word
        assert not any(line.endswith(("ĐẢNG", "CHI", "THÀNH", " VÀ", " CÁC", "CAO", "ĐẠI")) for line in lines[:-1]), lines


def test_a_user_line_break_is_kept():
    assert break_name("CHI BỘ\nXÓM ĐỊNH THÀNH", 100, bold=True).lines == ("CHI BỘ", "XÓM ĐỊNH THÀNH")


def test_a_very_long_name_is_filled_greedily_and_quickly():
    name = " ".join(["ĐẢNG BỘ"] * 30)
    lines = break_name(name, 60).lines
    assert " ".join(lines) == name and all(width_mm(line, 14) <= 60 for line in lines)


# -- place and date -------------------------------------------------------------------------------------------


def test_the_date_line_breaks_after_its_comma_only_when_it_must():
    assert break_place_date(HCM_DATE, 110).lines == (HCM_DATE,)
    assert break_place_date(HCM_DATE, 90).lines == ("Thành phố Hồ Chí Minh,", "ngày 25 tháng 9 năm 2023")
    no_comma = "Thành phố Hồ Chí Minh ngày 25 tháng 9 năm 2023"
    lines = break_place_date(no_comma, 80).lines
    assert len(lines) == 2 and all(len(line.split()) > 1 for line in lines)


# -- columns --------------------------------------------------------------------------------------------------


def _check_fits(layout, superior, issuer, date):
    assert layout.left >= LEFT_MIN and layout.left + layout.right == pytest.approx(TEXT_WIDTH)
    assert width_mm(PARTY, 15, bold=True) <= layout.right - SAFETY
    assert all(width_mm(line, 14) <= layout.left - SAFETY for line in layout.superior)
    assert all(width_mm(line, 14, bold=True) <= layout.left - SAFETY for line in layout.issuer)
    assert all(width_mm(line, 14, italic=True) <= layout.right - SAFETY for line in layout.place_date)
    assert " ".join(layout.superior) == superior and " ".join(layout.issuer) == issuer
    assert " ".join(layout.place_date) == date


def test_seed_000_header():
    sup, iss = "ĐẢNG BỘ THÀNH PHỐ HỒ CHÍ MINH", "ĐẢNG ỦY SỞ GIÁO DỤC VÀ ĐÀO TẠO"
    layout = header_layout(sup, iss, HCM_DATE)
    _check_fits(layout, sup, iss, HCM_DATE)
    assert layout.superior == ("ĐẢNG BỘ THÀNH PHỐ", "HỒ CHÍ MINH")
    assert layout.issuer == ("ĐẢNG ỦY SỞ", "GIÁO DỤC VÀ ĐÀO TẠO")
    assert layout.place_date == (HCM_DATE,)  # the right column grew for it


def test_short_names_keep_the_usual_proportions():
    layout = header_layout("ĐẢNG BỘ XÃ KIM PHÚ", "CHI BỘ XÓM ĐỊNH THÀNH", "Tuyên Quang, ngày 20 tháng 11 năm 2026")
    assert layout.left == pytest.approx(LEFT_SHARE * TEXT_WIDTH, abs=1)
    assert layout.superior == ("ĐẢNG BỘ XÃ KIM PHÚ",) and layout.issuer == ("CHI BỘ XÓM ĐỊNH THÀNH",)


def test_the_date_gives_way_when_the_names_would_take_too_many_lines():
    sup = "ĐẢNG ỦY KHỐI CƠ QUAN VÀ DOANH NGHIỆP THÀNH PHỐ HỒ CHÍ MINH"
    iss = "ĐẢNG BỘ TRƯỜNG ĐẠI HỌC SƯ PHẠM KỸ THUẬT THÀNH PHỐ HỒ CHÍ MINH"
    date = "Thành phố Hồ Chí Minh, ngày 25 tháng 12 năm 2023"
    layout = header_layout(sup, iss, date)
    _check_fits(layout, sup, iss, date)
    assert layout.place_date == ("Thành phố Hồ Chí Minh,", "ngày 25 tháng 12 năm 2023")
    assert len(layout.superior) <= 3 and len(layout.issuer) <= 3


@pytest.mark.parametrize("superior", ["", *NAMES[:4]])
@pytest.mark.parametrize("issuer", NAMES[4:])
def test_every_header_fits_its_columns(superior, issuer):
    date = "Thành phố Hồ Chí Minh, ngày 05 tháng 10 năm 2025"
    _check_fits(header_layout(superior, issuer, date), superior, issuer, date)


def test_a_date_too_long_for_any_column_still_breaks():
    date = "Thị trấn Nông trường Mộc Châu, huyện Mộc Châu, tỉnh Sơn La, ngày 25 tháng 12 năm 2023"
    layout = header_layout("ĐẢNG BỘ TỈNH SƠN LA", "CHI BỘ TIỂU KHU 3", date)
    assert len(layout.place_date) >= 2 and " ".join(layout.place_date) == date
