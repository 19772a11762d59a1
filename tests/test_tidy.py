"""bot/tidy: abbreviations, capitals and end punctuation, roster names, text typed without tone marks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.text import fold
from bot.tidy import tidy
from bot.tidy.abbreviations import expand
from bot.tidy.accents import looks_unaccented
from bot.tidy.people import names_in_text, whole_name
from bot.tidy.sentences import heading, item, place, recipient, sentence
from tests.conftest import ROOT

SEEDS = ROOT.parent / "shared" / "seeds"
ROSTER = ["Nguyễn Thị Hoa", "Trần Văn Thắng", "Lê Văn Nam", "Hoàng Thị Lan"]


# -- abbreviations --------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "written"), [
    ("thực hiện qđ 125-QĐ/ĐU ngày 25/11", "thực hiện Quyết định 125-QĐ/ĐU ngày 25/11"),
    ("theo kh số 12-KH/ĐU của btv", "theo Kế hoạch số 12-KH/ĐU của Ban Thường vụ"),
    ("đ/c hoa phụ trách", "Đồng chí hoa phụ trách"),
    ("giao đ/c Lan", "giao đồng chí Lan"),
    ("các đv trong cb", "các đảng viên trong chi bộ"),
    ("bt cb chủ trì buổi sh chuyên đề", "Bí thư chi bộ chủ trì buổi sinh hoạt chuyên đề"),
    ("phối hợp ubnd, hđnd và mttq xã", "phối hợp Ủy ban nhân dân, Hội đồng nhân dân và Mặt trận Tổ quốc xã"),
    ("báo cáo bch, nq tw", "báo cáo Ban Chấp hành, Nghị quyết Trung ương"),
])
def test_abbreviations_are_written_out(typed, written):
    assert expand(typed) == written


@pytest.mark.parametrize("kept", [
    "Số 125-QĐ/ĐU", "12-KH/ĐU", "UBKT Đảng ủy", "Các đồng chí UV.BCH", "khẩn trương", "khó khăn",
    "đc rồi", "tb1", "kh2026", "www.kh.vn", "(để b/c)", "ct-2", "sh", "cb", "bt",
])
def test_codes_words_and_capital_acronyms_are_left_alone(kept):
    assert expand(kept) == kept


# -- capitals and end punctuation -------------------------------------------------------------------

def test_shapes_of_text():
    assert heading("  thời gian,  địa điểm. ") == "Thời gian, địa điểm"
    assert sentence("nâng cao chất lượng sinh hoạt") == "Nâng cao chất lượng sinh hoạt."
    assert sentence("Trên đây là kế hoạch./.") == "Trên đây là kế hoạch./."
    assert item("- tổ chức hội nghị ;") == "- Tổ chức hội nghị;"
    assert item("tuyên bố lý do, giới thiệu thành phần tham dự") == "Tuyên bố lý do, giới thiệu thành phần tham dự"
    assert item("b/c cấp trên") == "b/c cấp trên"
    assert recipient("đảng bộ phường tân mai (b/c)") == "Đảng bộ phường tân mai (b/c),"
    assert recipient("lưu chi bộ") == "Lưu chi bộ."
    assert recipient("Lãnh đạo STP;") == "Lãnh đạo STP;"
    assert place("thành phố hồ chí minh") == "Thành phố Hồ Chí Minh"
    assert place("Hà Nội") == "Hà Nội"


# -- roster names ---------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["đ/c hoa", "đồng chí hoa", "hoa", "Hoa", "nguyễn thị hoa", "nguyen thi hoa",
                                   "thị hoa", "Đồng chí Nguyễn Thị Hoa"])
def test_a_name_answer_is_the_roster_member(typed):
    assert whole_name(typed, ROSTER).text == "Nguyễn Thị Hoa"


def test_two_members_of_that_name_are_an_ambiguity_not_a_guess():
    named = whole_name("hoa", [*ROSTER, "Lê Thị Hoa"])
    assert named.ambiguous[0].candidates == ("Nguyễn Thị Hoa", "Lê Thị Hoa")
    assert whole_name("hoa", [*ROSTER, "Lê Thị Hoa"], {"hoa": "Lê Thị Hoa"}).text == "Lê Thị Hoa"
    inside = names_in_text("giao đ/c hoa chuẩn bị", [*ROSTER, "Lê Thị Hoa"])
    assert inside.text == "giao đ/c hoa chuẩn bị" and inside.ambiguous[0].typed == "hoa"


def test_names_inside_text():
    assert names_in_text("vắng đ/c thắng đi làm ca, đồng chí nam ốm", ROSTER).text == \
        "vắng đồng chí Trần Văn Thắng đi làm ca, đồng chí Lê Văn Nam ốm"
    assert names_in_text("giao nguyễn thị hoa chuẩn bị", ROSTER).text == "giao Nguyễn Thị Hoa chuẩn bị"
    # Nobody of that name: the name after “đồng chí” gets its capitals, nothing else changes.
    assert names_in_text("đồng chí nguyễn văn bình phát biểu", []).text == "đồng chí Nguyễn Văn Bình phát biểu"
    assert names_in_text("đồng chí bí thư chủ trì", ROSTER).text == "đồng chí bí thư chủ trì"
    assert whole_name("tổ đảng số 1", []).text == "Tổ đảng số 1"
    assert whole_name("chi ủy", []).text == "Chi ủy"


def test_tidy_pipeline():
    done = tidy("1. đ/c hoa", how="item", roster=ROSTER)
    assert done.text == "1. Đồng chí Nguyễn Thị Hoa" and done.changed and not done.unaccented
    assert tidy("đồng chí nguyễn thị hoa", how="name", roster=ROSTER).text == "Nguyễn Thị Hoa"
    assert tidy("thời gian, địa điểm.", how="heading").text == "Thời gian, địa điểm"
    assert tidy("to chuc le ket nap dang vien moi", how="sentence").unaccented
    careful = "Tổ chức tổng vệ sinh đường làng, ngõ xóm."
    assert not tidy(careful, how="item", roster=ROSTER).changed
    assert tidy("đ/c hoa", how="none").text == "đ/c hoa"


# -- text typed without tone marks ------------------------------------------------------------------

@pytest.mark.parametrize("text", ["to chuc le ket nap dang vien moi", "thanh phan", "2. thanh phan", "hoi truong",
                                  "Nguyen Van An", "vang co ly do", "chuan bi bao cao so ket"])
def test_unaccented_vietnamese_is_noticed(text):
    assert looks_unaccented(text)


@pytest.mark.parametrize("text", ["ok", "OK", "John Smith", "Maria Ozawa", "meeting at the hall", "125-QĐ/ĐU",
                                  "KH/ĐU 12", "to be or not to be", "Zoom meeting online", "Hello team", "2026",
                                  "Tổ chức lễ kết nạp đảng viên mới", "thành phần", "Website STP", "xong",
                                  "Microsoft Teams", "Google Meet"])
def test_other_text_is_not_flagged(text):
    assert not looks_unaccented(text)


def _seed_lines() -> list[str]:
    if not SEEDS.exists():
        pytest.skip(f"needs ../shared/seeds beside the checkout ({SEEDS})")
    files = [*SEEDS.glob("*.txt"), *(p for p in (ROOT / "tests" / "scenarios").glob("*.txt") if not p.name.startswith("sloppy_"))]
    lines = []
    for path in files:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            lines += [part.strip() for part in line.split("\\n") if part.strip() and not line.startswith("#")]
    return lines


def test_no_line_of_the_seeds_is_flagged():
    lines = _seed_lines()
    assert len(lines) > 500
    assert [line for line in lines if looks_unaccented(line)] == []


def test_the_seeds_typed_without_marks_are_flagged():
    lines = [line for line in _seed_lines() if len(re.findall(r"[^\W\d_]+", line)) >= 3
             and any(not ch.isascii() for ch in line)]
    flagged = [line for line in lines if looks_unaccented(fold(line))]
    assert len(flagged) >= 0.85 * len(lines), (len(flagged), len(lines))
