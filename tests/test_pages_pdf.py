"""The printed page: each seed plan and the meetings' documents, replayed through the console, converted by
LibreOffice (bot/pdf.py's to_pdf) and read back from the PDF with pypdfium2.

Asserts the page counts, that the signature's page also holds body text (the signature never stands alone),
that no page but the last ends with a large blank, and that the header's lines break where the document put
them (LibreOffice breaks no further: the columns are wide enough) and as a person would.

Skips without LibreOffice, and without Liberation Serif 2 (Debian fonts-liberation2): with the older
fonts-liberation 1.07 the Vietnamese letters fall back to a wider font and the pages differ from Word's.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from docx import Document as read_docx

from bot import pdf

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pages_pdf")]

SCENARIOS = ["seed_000", "seed_001", "seed_002", "seed_003", "seed_004", "meeting_regular", "meeting_thematic"]

# Measured with LibreOffice 7.4 and Liberation Serif 2.1 (pinned: a change means the layout moved).
PAGES = {
    ("seed_000", "Kế hoạch"): 3,
    ("seed_001", "Kế hoạch"): 3,
    ("seed_002", "Kế hoạch"): 3,
    ("seed_003", "Kế hoạch"): 4,
    ("seed_004", "Kế hoạch"): 3,
    ("meeting_regular", "Biên bản"): 3,
    ("meeting_regular", "Nghị quyết"): 2,
    ("meeting_thematic", "Biên bản"): 3,
    ("meeting_thematic", "Kế hoạch"): 2,
    ("meeting_thematic", "Kết luận"): 1,
}

# The left column's lines (superior, issuing body) as a person would break them.
HEADER_LEFT = {
    "seed_000": ["ĐẢNG BỘ THÀNH PHỐ", "HỒ CHÍ MINH", "ĐẢNG ỦY SỞ", "GIÁO DỤC VÀ ĐÀO TẠO"],
    "seed_001": ["ĐẢNG ỦY SỞ", "GIÁO DỤC VÀ ĐÀO TẠO"],
    "seed_002": ["ĐẢNG ỦY SỞ TƯ PHÁP"],
    "seed_003": ["ĐẢNG BỘ THÀNH PHỐ HÀ NỘI", "ĐẢNG ỦY KHỐI CÁC TRƯỜNG", "ĐẠI HỌC, CAO ĐẲNG HÀ NỘI"],
    "seed_004": ["ĐẢNG BỘ TỈNH HÒA BÌNH", "ĐẢNG ỦY KHỐI CƠ QUAN,", "DOANH NGHIỆP TỈNH"],
    "meeting_regular": ["ĐẢNG BỘ XÃ KIM PHÚ", "CHI BỘ XÓM ĐỊNH THÀNH"],
    "meeting_thematic": ["ĐẢNG BỘ PHƯỜNG MINH XUÂN", "CHI BỘ KHU PHỐ 3"],
}

MM = 72 / 25.4  # PDF points per millimetre
BOTTOM_MARGIN = 20  # mm
LARGEST_BLANK = 70  # mm at the foot of a page that is not the last: about a quarter of the text height


def _liberation_2() -> bool:
    """Liberation Serif has the Vietnamese letters (fontconfig's view, which LibreOffice uses)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    out = subprocess.run([fc_list, ":charset=1ea1", "family"], capture_output=True, text=True).stdout
    return "Liberation Serif" in out


if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
    pytest.skip("LibreOffice (soffice) is not installed", allow_module_level=True)
if not _liberation_2():
    pytest.skip("Liberation Serif 2 (fonts-liberation2) is not installed: Vietnamese letters would fall back "
                "to a wider font", allow_module_level=True)


@dataclass
class Printed:
    scenario: str
    kind: str  # "Kế hoạch", "Biên bản", …
    docx: Path
    pages: list[list[str]]  # each page's text lines
    bottoms: list[float]  # each page's blank at the foot, mm

    def __repr__(self) -> str:
        return f"{self.scenario}/{self.kind}"


def _kind(path: Path) -> str:
    return " ".join(path.name.split()[:2])


def _read_pdf(data: bytes) -> tuple[list[list[str]], list[float]]:
    document = pdfium.PdfDocument(data)
    pages, bottoms = [], []
    for page in document:
        text = page.get_textpage()
        lines = [line.strip() for line in text.get_text_range().splitlines()]
        pages.append([line for line in lines if line])
        lowest = min(text.get_charbox(i)[1] for i in range(text.count_chars())
                     if not text.get_text_range(i, 1).isspace())
        bottoms.append(lowest / MM - BOTTOM_MARGIN)
    document.close()
    return pages, bottoms


def _convert_in_one_call(docs: list[Path], folder: Path) -> list[bytes]:
    """All the documents to PDF in one `soffice` run (one start-up, one fresh profile: seconds, where a
    process per document takes half a minute on two cores), with the flags bot/pdf.py uses."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice is not None
    sources = []
    for number, path in enumerate(docs):  # distinct short names: two scenarios may name a file alike
        sources.append(folder / f"{number:02d}.docx")
        shutil.copyfile(path, sources[-1])
    subprocess.run([soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), *map(str, sources)],
                   capture_output=True, timeout=300, check=True)
    return [source.with_suffix(".pdf").read_bytes() for source in sources]


@pytest.fixture(scope="module")
def printed(replay, tmp_path_factory) -> list[Printed]:
    """Every document of the scenarios as LibreOffice prints it."""
    with ThreadPoolExecutor() as pool:  # the replays are subprocesses: run them side by side
        replays = list(pool.map(replay, SCENARIOS))
    docs = [(r.name, path) for r in replays for path in r.documents]
    assert {(name, _kind(path)) for name, path in docs} == set(PAGES)
    pdfs = _convert_in_one_call([path for _, path in docs], tmp_path_factory.mktemp("pages_pdf"))
    result = []
    for (name, path), data in zip(docs, pdfs, strict=True):
        pages, bottoms = _read_pdf(data)
        result.append(Printed(name, _kind(path), path, pages, bottoms))
    return result


def test_the_product_conversion_prints_the_same(printed, monkeypatch):
    """bot/pdf.py's to_pdf (what the bot sends) gives the same pages as the batch conversion above."""
    monkeypatch.delenv("CHIBO_PDF", raising=False)  # the session switches conversion off (tests/conftest.py)
    doc = printed[0]
    data = asyncio.run(pdf.to_pdf(doc.docx.read_bytes(), doc.docx.name, timeout=120))
    assert data is not None and _read_pdf(data)[0] == doc.pages


def _body_texts(path: Path) -> list[str]:
    """The body paragraphs of the .docx (not the header's or footer's table cells), whitespace normalised."""
    return [" ".join(p.text.split()) for p in read_docx(str(path)).paragraphs if p.text.strip()]


def _signature_names(path: Path) -> list[str]:
    """The bold last line of each signature cell in the footer table."""
    footer = read_docx(str(path)).tables[-1]
    return [cell.paragraphs[-1].text for cell in footer.rows[0].cells
            if cell.paragraphs and cell.paragraphs[-1].text.strip() and not cell.paragraphs[-1].text.startswith("- ")]


def test_page_counts(printed):
    assert {(p.scenario, p.kind): len(p.pages) for p in printed} == PAGES


def test_the_signature_page_holds_body_text(printed):
    for doc in printed:
        names = _signature_names(doc.docx)
        assert names, doc
        page = max(i for i, lines in enumerate(doc.pages) if any(names[-1] in line for line in lines))
        body = " ".join(_body_texts(doc.docx))
        # a whole line of the body (four words or more) printed on the signature's page, above the footer
        above = doc.pages[page][: next(i for i, line in enumerate(doc.pages[page])
                                      if line.startswith(("Nơi nhận", "THƯ KÝ", "T/M")))]
        body_lines = [line for line in above if len(line.split()) >= 4 and line in body]
        assert body_lines, f"{doc}: page {page + 1} holds only the footer: {doc.pages[page][:6]}"


def test_no_page_ends_with_a_large_blank(printed):
    for doc in printed:
        for number, blank in enumerate(doc.bottoms[:-1], start=1):
            assert blank <= LARGEST_BLANK, f"{doc}: page {number} ends with {blank:.0f} mm blank"


def _header(doc: Printed) -> tuple[list[str], list[str]]:
    """Page 1's left-column lines (before the star) and the line holding the number and the place-date."""
    lines = doc.pages[0]
    star = lines.index("*")
    number = next(line for line in lines[star:] if line.startswith("Số"))
    return lines[:star], [number]


def test_header_lines_break_as_a_person_would(printed):
    for doc in printed:
        left, _ = _header(doc)
        assert left == HEADER_LEFT[doc.scenario], doc
        for line in left:  # never one short word alone on a line
            assert len(line.split()) > 1 or len(line) > 6, f"{doc}: {line!r} alone"


def test_header_lines_are_the_documents_own(printed):
    """LibreOffice breaks the header nowhere else: each PDF line is one paragraph of the .docx's header."""
    for doc in printed:
        header = read_docx(str(doc.docx)).tables[0]
        left_cell, _ = header.rows[0].cells
        number_cell, date_cell = header.rows[1].cells
        assert _header(doc)[0] == [p.text for p in left_cell.paragraphs][:-1]  # less the star
        date_lines = [p.text for p in date_cell.paragraphs]
        number_line = _header(doc)[1][0]
        expected = f"{number_cell.paragraphs[0].text} {date_lines[0]}"
        assert number_line.split() == expected.split(), doc


def test_the_place_date_line_is_whole(printed):
    for doc in printed:
        header = read_docx(str(doc.docx)).tables[0]
        date = header.rows[1].cells[1].paragraphs
        assert len(date) == 1, f"{doc}: the place-date line was broken: {[p.text for p in date]}"
        assert re.search(r", ngày \d\d? tháng \d\d? năm \d{4}$", _header(doc)[1][0]), doc


def _subject(lines: list[str]) -> list[str]:
    """Page 1's subject lines: between the document type and the "-----" under it."""
    start = next(i for i, line in enumerate(lines) if line.isupper() and line.split()[0] in TYPES)
    return lines[start + 1 : lines.index("-----", start)]


TYPES = ("KẾ", "BIÊN", "NGHỊ", "KẾT")


def test_the_subject_breaks_where_a_person_would(printed):
    """LibreOffice sets the subject exactly on the lines the document gives (bot/subject_lines.py): never one
    word alone, never a number torn from its word."""
    for doc in printed:
        subject = _subject(doc.pages[0])
        body = read_docx(str(doc.docx)).paragraphs
        start = next(i for i, p in enumerate(body) if p.text.split()[:1] and p.text.split()[0] in TYPES)
        assert subject == [p.text for p in body[start + 1 : start + 1 + len(subject)]], doc
        assert body[start + 1 + len(subject)].text == "-----", doc
        for before, after in zip(subject, subject[1:], strict=False):
            assert len(after.split()) > 1 and not after.split()[0][0].isdigit(), f"{doc}: {before!r} / {after!r}"
    seed_000 = next(doc for doc in printed if doc.scenario == "seed_000")
    assert _subject(seed_000.pages[0]) == [
        "Tổ chức Hội nghị Ban Chấp hành lần thứ 14",
        "sơ kết công tác xây dựng Đảng 9 tháng đầu năm 2023,",
        "triển khai phương hướng nhiệm vụ 3 tháng cuối năm 2023",
    ]
