"""bot.citations: loosely typed citations rewritten in the standard form, the year inferred backward."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.citations import CitationError, parse_citation, rewrite_citations, standard_number
from bot.dates import DateError

TODAY = date(2026, 12, 1)
KNOWN = ["Đảng ủy phường Tân Mai", "Đảng bộ phường Tân Mai", "Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh"]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.mark.parametrize(("typed", "standard"), [
    # the example: abbreviation, no "số", no year, issuer in lower case
    ("qđ 125-QĐ/ĐU ngày 25/11 của đảng ủy phường tân mai",
     "Quyết định số 125-QĐ/ĐU, ngày 25/11/2026 của Đảng ủy phường Tân Mai"),
    ("qđ 125-QĐ/ĐU ngày 25/11 của đảng ủy phường tân mai về kết nạp đảng viên",
     "Quyết định số 125-QĐ/ĐU, ngày 25/11/2026 của Đảng ủy phường Tân Mai về kết nạp đảng viên"),
    # the state form typed for a Party body; unaccented issuer equal to the unit's superior
    ("kh 65/KH-ĐUK ngày 2/11/2022 cua dang uy khoi cac co quan va doanh nghiep tinh",
     "Kế hoạch số 65-KH/ĐUK, ngày 02/11/2022 của Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh"),
    # a day later in the year than today: last year
    ("nq so 12-nq/đu ngay 15/12 của đảng bộ phường tân mai", "Nghị quyết số 12-NQ/ĐU, ngày 15/12/2025 của Đảng bộ phường Tân Mai"),
    ("ct 05-ct/tw 15/5/2016", "Chỉ thị số 05-CT/TW, ngày 15/5/2016"),
    ("hd 12-hd/btctw ngày 6/7/2017 của ban tổ chức trung ương",
     "Hướng dẫn số 12-HD/BTCTW, ngày 06/7/2017 của Ban Tổ chức Trung ương"),
    ("ctr 03-ctr/đu ngày 11/11/2020", "Chương trình số 03-CTr/ĐU, ngày 11/11/2020"),
    ("tb 40-tb/tu", "Thông báo số 40-TB/TU"),
    ("kl 21-kl/tw, ngày 25/10/2021", "Kết luận số 21-KL/TW, ngày 25/10/2021"),
    ("cv 15-cv/đu ngày 1/12", "Công văn số 15-CV/ĐU, ngày 01/12/2026"),  # today is not the future
    ("bc 09-bc/cb ngày 30/11", "Báo cáo số 09-BC/CB, ngày 30/11/2026"),
    # a state document keeps the state form; TTg keeps its lower-case letters
    ("qđ 12/qđ-ubnd ngày 3/1 của ủy ban nhân dân xã kim phú",
     "Quyết định số 12/QĐ-UBND, ngày 03/01/2026 của Ủy ban nhân dân xã Kim Phú"),
    ("qđ 1234/qđ-ttg ngày 20/10/2025", "Quyết định số 1234/QĐ-TTg, ngày 20/10/2025"),
    # the type left out: taken from the code
    ("125-qđ/đu ngày 25/11 của đảng ủy phường tân mai", "Quyết định số 125-QĐ/ĐU, ngày 25/11/2026 của Đảng ủy phường Tân Mai"),
    # written out by her: her comma or none is kept (both are in the seeds)
    ("Kế hoạch số 65-KH/ĐUK ngày 02/11/2022 của Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh về tổ chức sinh hoạt chi bộ",
     "Kế hoạch số 65-KH/ĐUK ngày 02/11/2022 của Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh về tổ chức sinh hoạt chi bộ"),
    ("Kế hoạch số 146-KH/TU, ngày 17/4/2023 của Ban Thường vụ Tỉnh ủy về “sơ kết”",
     "Kế hoạch số 146-KH/TU, ngày 17/4/2023 của Ban Thường vụ Tỉnh ủy về “sơ kết”"),
    ("Hướng dẫn 02-HD/TU ngày 22 tháng 3 năm 2019 của Ban Thường vụ Thành ủy về nội dung",
     "Hướng dẫn số 02-HD/TU ngày 22/3/2019 of".replace(" of", " của Ban Thường vụ Thành ủy về nội dung")),
    # not a numbered document: kept as typed
    ("Nghị quyết Đại hội đại biểu Đảng bộ Sở lần thứ VII", "Nghị quyết Đại hội đại biểu Đảng bộ Sở lần thứ VII"),
])
def test_a_citation_is_written_in_standard_form(typed, standard):
    assert parse_citation(typed, today=TODAY, known=KNOWN).text == standard


def test_the_parts_of_a_citation():
    cited = parse_citation("qđ 125-QĐ/ĐU ngày 25/11 của đảng ủy phường tân mai về kết nạp", today=TODAY, known=KNOWN)
    assert (cited.type, cited.number, cited.date, cited.issuer, cited.subject) == (
        "Quyết định", "125-QĐ/ĐU", "2026-11-25", "Đảng ủy phường Tân Mai", "kết nạp")


@pytest.mark.parametrize("typed", ["qđ 125-QĐ/ĐU ngày 25/12/2026", "Kế hoạch số 65-KH/ĐUK ngày 02/11/2027 của Đảng ủy Khối"])
def test_a_citation_dated_after_today_asks_for_the_year(typed):
    with pytest.raises(CitationError) as caught:
        parse_citation(typed, today=TODAY)
    assert "chưa tới" in str(caught.value) and "đúng năm" in str(caught.value)
    assert isinstance(caught.value, DateError)


def test_a_day_that_does_not_exist_is_refused():
    with pytest.raises(DateError):
        parse_citation("kh 65-KH/ĐUK ngày 31/02/2022", today=TODAY)
    with pytest.raises(DateError):
        parse_citation("kh 65-KH/ĐUK ngày 12/25", today=TODAY)


def test_29_february_without_a_year_is_the_last_leap_year():
    assert parse_citation("kh 1-KH/CB ngày 29/2", today=TODAY).date == "2024-02-29"


@pytest.mark.parametrize(("typed", "standard"), [
    ("125-qđ/đu", "125-QĐ/ĐU"), ("65/KH-ĐUK", "65-KH/ĐUK"), ("125 / qđ - ubnd", "125/QĐ-UBND"),
    ("03-ctr/đu", "03-CTr/ĐU"), ("12/2025/qđ-ttg", "12/2025/QĐ-TTg"), ("7-tb/thu", "7-TB/ThU"),
])
def test_document_numbers(typed, standard):
    assert standard_number(typed) == standard


@pytest.mark.parametrize(("typed", "standard"), [
    ("Thực hiện qđ 125-QĐ/ĐU ngày 25/11 của đảng ủy phường tân mai, chi bộ xây dựng kế hoạch tổ chức lễ kết nạp.",
     "Thực hiện Quyết định số 125-QĐ/ĐU, ngày 25/11/2026 của Đảng ủy phường Tân Mai, chi bộ xây dựng kế hoạch tổ "
     "chức lễ kết nạp."),
    ("Phổ biến kh 12-kh/đu của đảng ủy phường tân mai về tổng kết năm.\n- Phổ biến nq 05-nq/tw.",
     "Phổ biến Kế hoạch số 12-KH/ĐU của Đảng ủy phường Tân Mai về tổng kết năm.\n- Phổ biến Nghị quyết số 05-NQ/TW."),
    ("theo QĐ 125-QĐ/ĐU ngày 25/11/2026 và kh 3-KH/CB ngày 1/12",
     "theo Quyết định số 125-QĐ/ĐU, ngày 25/11/2026 và Kế hoạch số 03-KH/CB, ngày 01/12/2026".replace("03-KH", "3-KH")),
    # written in the standard way already: untouched, "số" or not
    ("theo Kết luận 21-KL/TW, ngày 25/10/2021 của Hội nghị Trung ương 4 (khóa III) về xây dựng Đảng",
     "theo Kết luận 21-KL/TW, ngày 25/10/2021 của Hội nghị Trung ương 4 (khóa III) về xây dựng Đảng"),
    ("Không có trích dẫn nào ở đây; kế hoạch 2027.", "Không có trích dẫn nào ở đây; kế hoạch 2027."),
])
def test_citations_inside_free_text(typed, standard):
    assert rewrite_citations(typed, today=TODAY, known=KNOWN) == standard


def test_a_future_citation_inside_free_text_is_an_error():
    with pytest.raises(CitationError):
        rewrite_citations("Thực hiện qđ 125-QĐ/ĐU ngày 25/11/2027 của Đảng ủy", today=TODAY)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="needs ../shared/seeds beside the checkout")
def test_the_seeds_citations_are_left_as_written():
    for path in sorted(SEEDS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            assert rewrite_citations(line, today=TODAY) == line, (path.name, line[:100])
