"""The document model and its renderers: seed 002 rebuilt and read back with python-docx."""

from __future__ import annotations

import io
import re

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.documents import (
    Document,
    Run,
    Signature,
    escape_markup,
    parse_inline,
    parse_markup,
    plain_text,
    render_docx,
    render_text,
)

SEED_002_BODY = """
Thực hiện Kế hoạch số 65-KH/ĐUK ngày 02/11/2022 của Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh về tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2023, Đảng ủy Sở Tư pháp ban hành Kế hoạch tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2023, như sau:

# I- MỤC ĐÍCH, YÊU CẦU
1- Nâng cao nhận thức, trách nhiệm của các cấp ủy, tổ chức đảng, đảng viên về vai trò của sinh hoạt chuyên đề; tăng cường sự lãnh đạo của Đảng trong việc nâng cao chất lượng sinh hoạt chi bộ; thực hiện nghiêm các nguyên tắc tổ chức và sinh hoạt đảng, xây dựng chi, đảng bộ hoàn thành xuất sắc nhiệm vụ.
2- Cấp ủy, chi bộ tổ chức sinh hoạt chuyên đề theo định hướng chung tại Kế hoạch này; đồng thời có thể lựa chọn thêm một số vấn đề mới, phù hợp với nhiệm vụ của chi bộ để tổ chức sinh hoạt chuyên đề nhằm thảo luận sâu, tìm ra những giải pháp để thực hiện các việc mới, việc khó, việc nổi cộm, bức xúc của ngành, cơ quan, đơn vị.
3- Việc tổ chức sinh hoạt chuyên đề năm 2023 ở các chi bộ phải được thực hiện ít nhất mỗi quý một lần; đảm bảo thiết thực, cụ thể, phù hợp với tình hình, đặc điểm của chi bộ; tránh hình thức.

# II- NỘI DUNG, THỜI GIAN THỰC HIỆN
Nội dung, thời gian thực hiện theo định hướng của Ban Thường vụ Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh, cụ thể:
- **Chuyên đề 1:** Nâng cao chất lượng sinh hoạt chi bộ (*Quý I/2023*).
- **Chuyên đề 2:** Thực hiện chuyển đổi số trong cơ quan, đơn vị (*Quý II/2023*).
- **Chuyên đề 3:** Nâng cao chất lượng quán triệt, học tập các chỉ thị, nghị quyết của Đảng (*Quý III/2023*).
- **Chuyên đề 4:** Thực hiện trách nhiệm nêu gương của cán bộ, đảng viên (*Quý IV/2023*).
- **Chuyên đề 5:** Lãnh đạo, chỉ đạo nâng cao chất lượng hoạt động của các đoàn thể trong cơ quan.
- **Chuyên đề 6:** Nâng cao chất lượng, hiệu quả công tác chuyên môn của cơ quan, đơn vị.
**\\* Lưu ý:**
- Ngoài các chuyên đề nêu trên, các chi bộ có thể bổ sung, thay thế chuyên đề khác cho phù hợp với nhiệm vụ chính trị và tình hình thực tiễn của từng chi bộ.
- Việc tổ chức sinh hoạt chuyên đề không thay thế sinh hoạt chi bộ thường kỳ. Không tổ chức sinh hoạt chuyên đề lồng ghép với sinh hoạt chi bộ thường kỳ.

# III- CHƯƠNG TRÌNH SINH HOẠT CHUYÊN ĐỀ
Chương trình sinh hoạt chi bộ chuyên đề thực hiện theo hướng dẫn của Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh, cụ thể:
1- Tuyên bố lý do, giới thiệu đại biểu (nếu có);
2- Thông báo tình hình đảng viên (số đảng viên có mặt, vắng mặt, lý do vắng mặt). Cờ thư ký ghi chép nội dung sinh hoạt.
3- Bí thư chi bộ nêu mục đích, yêu cầu của buổi sinh hoạt chuyên đề.
4- Bí thư, phó bí thư chi bộ hoặc đảng viên được phân công chuẩn bị trình bày báo cáo đề dẫn.
5- Đồng chí bí thư gợi ý phát biểu thảo luận.
6- Đảng viên tham gia ý kiến vào báo cáo đề dẫn, tham gia các giải pháp để thực hiện các chuyên đề tại cơ quan, đơn vị, doanh nghiệp.
7- Đồng chí bí thư chi bộ tổng hợp, kết luận những nội dung đã được thảo luận trong sinh hoạt chuyên đề.
8- Sau buổi sinh hoạt chuyên đề, cấp ủy chi bộ hoàn thiện báo cáo, gửi đảng viên trong chi bộ nghiên cứu, học tập và báo cáo Đảng ủy.

# IV- TỔ CHỨC THỰC HIỆN
## 1- Các chi bộ trực thuộc
- Xây dựng kế hoạch sinh hoạt chuyên đề năm 2023, lựa chọn chuyên đề sinh hoạt theo từng quý đảm bảo phù hợp, báo cáo Đảng ủy **trước ngày 05/01/2023**.
- Nghiên cứu Đề cương báo cáo đề dẫn theo hướng dẫn của Đảng ủy Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh để thực hiện; tổ chức sinh hoạt chuyên đề theo kế hoạch đảm bảo thực chất, chất lượng, hiệu quả; báo cáo Đảng ủy bằng văn bản đề phân công cấp ủy dự sinh hoạt theo quy định; kết thúc sinh hoạt chuyên đề báo cáo kết quả thực hiện về Đảng ủy để tổng hợp.
## 2- Các đồng chí Ủy viên Ban Chấp hành, Lãnh đạo Sở phụ trách chi bộ
Lãnh đạo, theo dõi, đôn đốc, kiểm tra, giám sát chi bộ được phân công phụ trách thực hiện Kế hoạch này; Dự sinh hoạt chi bộ chuyên đề; chỉ đạo chi bộ tổ chức sinh hoạt đảm bảo thực chất, chất lượng, hiệu quả; thực hiện chấm điểm sinh hoạt chi bộ, báo cáo Đảng ủy theo quy định./.
"""

SEED_002_RECIPIENTS = [
    "ĐUK các CQ và DN tỉnh (B/cáo);",
    "Các đồng chí ĐUV;",
    "Lãnh đạo STP;",
    "UBKT Đảng ủy;",
    "Các Chi bộ trực thuộc;",
    "Toàn thể ĐV;",
    "Website STP;",
    "Lưu Đảng ủy.",
]


def seed_002_document() -> Document:
    """Seed 002 (Đảng ủy Sở Tư pháp, Kế hoạch 46-KH/ĐU) as a Document; also used by bench/render_docx.py."""
    return Document(
        superior="Đảng bộ tỉnh Tuyên Quang",
        issuer="Đảng ủy Sở Tư pháp",
        number="Số 46-KH/ĐU",
        place_date="Tuyên Quang, ngày 22 tháng 11 năm 2022",
        doc_type="KẾ HOẠCH",
        subject="Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2023",
        body=SEED_002_BODY,
        recipients=list(SEED_002_RECIPIENTS),
        signature=Signature("T/M ĐẢNG ỦY", "BÍ THƯ", "Nguyễn Thị Thược"),
    )


# ------------------------------------------------------------------------------------------- helpers


def read(document: Document):
    return docx.Document(io.BytesIO(render_docx(document)))


def cell_runs(table):
    return [(p, r) for row in table.rows for cell in row.cells for p in cell.paragraphs for r in p.runs]


def find_paragraph(paragraphs, text: str):
    matches = [p for p in paragraphs if p.text == text]
    assert matches, f"no paragraph {text!r}"
    return matches[0]


def run_with(paragraphs, text: str):
    for p in paragraphs:
        for r in p.runs:
            if r.text == text:
                return r
    raise AssertionError(f"no run {text!r}")


def borders_are_none(table) -> bool:
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    return borders is not None and len(borders) == 6 and all(b.get(qn("w:val")) == "none" for b in borders)


@pytest.fixture(scope="module")
def seed():
    return read(seed_002_document())


# --------------------------------------------------------------------------------------------- .docx


def test_page_size_and_margins(seed):
    section = seed.sections[0]
    for actual, mm in [(section.page_width, 210), (section.page_height, 297), (section.top_margin, 20),
                       (section.bottom_margin, 20), (section.left_margin, 30), (section.right_margin, 15)]:
        assert abs(actual.mm - mm) < 0.1


def test_times_new_roman_everywhere(seed):
    normal = seed.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        assert fonts.get(qn(attr)) == "Times New Roman"
    assert normal.font.size == Pt(14)


def test_header_table(seed):
    header = seed.tables[0]
    assert len(header.columns) == 2
    assert borders_are_none(header)
    assert header.columns[0].width < header.columns[1].width
    widths = [c.width.mm for c in header.columns]
    assert abs(sum(widths) - 165) < 0.5 and abs(widths[0] / sum(widths) - 0.45) < 0.01
    left = [p for row in header.rows for p in row.cells[0].paragraphs]
    right = [p for row in header.rows for p in row.cells[1].paragraphs]
    assert [p.text for p in left] == ["ĐẢNG BỘ TỈNH TUYÊN QUANG", "ĐẢNG ỦY SỞ TƯ PHÁP", "*", "Số 46-KH/ĐU"]
    assert [p.text for p in right] == ["ĐẢNG CỘNG SẢN VIỆT NAM", "Tuyên Quang, ngày 22 tháng 11 năm 2022"]
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in left + right)
    assert not run_with(left, "ĐẢNG BỘ TỈNH TUYÊN QUANG").bold
    assert run_with(left, "ĐẢNG ỦY SỞ TƯ PHÁP").bold
    number = run_with(left, "Số 46-KH/ĐU")
    assert not number.bold and not number.italic and number.font.size == Pt(14)
    party = run_with(right, "ĐẢNG CỘNG SẢN VIỆT NAM")
    assert party.bold and party.font.size == Pt(15) and party.underline
    date = run_with(right, "Tuyên Quang, ngày 22 tháng 11 năm 2022")
    assert date.italic and not date.bold
    # number and place/date share the second row, so they are level whatever wraps above
    assert header.rows[1].cells[0].text == "Số 46-KH/ĐU"
    assert header.rows[1].cells[1].text.startswith("Tuyên Quang")


def test_title_block(seed):
    paragraphs = seed.paragraphs
    kind = find_paragraph(paragraphs, "KẾ HOẠCH")
    assert kind.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert all(r.bold for r in kind.runs) and kind.runs[0].font.size == Pt(16)
    subject = find_paragraph(paragraphs, "Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2023")
    assert subject.alignment == WD_ALIGN_PARAGRAPH.CENTER and all(r.bold for r in subject.runs)
    dashes = paragraphs[paragraphs.index(subject) + 1]
    assert dashes.text == "-----" and dashes.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_roman_headings_bold(seed):
    headings = [p for p in seed.paragraphs if re.match(r"(I|II|III|IV)- ", p.text)]
    assert [p.text.split("-")[0] for p in headings] == ["I", "II", "III", "IV"]
    for p in headings:
        assert p.runs and all(r.bold for r in p.runs)
        assert p.paragraph_format.line_spacing == Pt(18)
    numbered = find_paragraph(seed.paragraphs, "1- Các chi bộ trực thuộc")
    assert all(r.bold for r in numbered.runs) and not any(r.italic for r in numbered.runs)


def test_body_paragraph_format(seed):
    para = next(p for p in seed.paragraphs if p.text.startswith("Thực hiện Kế hoạch số 65-KH/ĐUK"))
    fmt = para.paragraph_format
    assert para.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert abs(fmt.first_line_indent.mm - 10) < 0.1
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY and fmt.line_spacing == Pt(18)
    assert fmt.space_before == Pt(6) and fmt.space_after == Pt(6)
    bullet = next(p for p in seed.paragraphs if p.text.startswith("- Ngoài các chuyên đề"))
    assert bullet.runs[0].text.startswith("- ")
    body = seed.paragraphs[[p.text for p in seed.paragraphs].index("-----") + 1 :]
    assert len(body) == len(parse_markup(SEED_002_BODY))
    for p in body:  # headings and bullets alike
        fmt = p.paragraph_format
        assert p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY and abs(fmt.first_line_indent.mm - 10) < 0.1
        assert fmt.line_spacing == Pt(18) and fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
        assert fmt.space_before == Pt(6) and fmt.space_after == Pt(6)


def test_inline_bold_and_italic(seed):
    bullet = next(p for p in seed.paragraphs if p.text.startswith("- Chuyên đề 1:"))
    assert bullet.text == "- Chuyên đề 1: Nâng cao chất lượng sinh hoạt chi bộ (Quý I/2023)."
    assert [(r.text, bool(r.bold), bool(r.italic)) for r in bullet.runs] == [
        ("- ", False, False),
        ("Chuyên đề 1:", True, False),
        (" Nâng cao chất lượng sinh hoạt chi bộ (", False, False),
        ("Quý I/2023", False, True),
        (").", False, False),
    ]
    note = find_paragraph(seed.paragraphs, "* Lưu ý:")  # the escaped asterisk
    assert all(r.bold for r in note.runs)


def test_footer_table(seed):
    footer = seed.tables[1]
    assert len(footer.columns) == 2 and borders_are_none(footer)
    left, right = footer.rows[0].cells
    heading = left.paragraphs[0]
    assert heading.text == "Nơi nhận:"
    assert all(r.underline and not r.bold and not r.italic for r in heading.runs)
    assert [p.text for p in left.paragraphs[1:]] == [f"- {r}" for r in SEED_002_RECIPIENTS]
    for p in left.paragraphs[1:]:
        assert all(r.font.size == Pt(12) for r in p.runs)
        assert p.alignment == WD_ALIGN_PARAGRAPH.LEFT
        # a hanging indent as wide as "- " at 12 pt (2.47 mm in Times New Roman): wrapped lines align after it
        fmt = p.paragraph_format
        assert fmt.left_indent == -fmt.first_line_indent and abs(fmt.left_indent.mm - 2.47) < 0.05
    texts = [p.text for p in right.paragraphs]
    assert texts == ["T/M ĐẢNG ỦY", "BÍ THƯ", "", "", "", "", "Nguyễn Thị Thược"]
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in right.paragraphs)
    assert run_with(right.paragraphs, "T/M ĐẢNG ỦY").bold
    assert not run_with(right.paragraphs, "BÍ THƯ").bold
    assert run_with(right.paragraphs, "Nguyễn Thị Thược").bold


def test_page_numbers_from_page_two(seed):
    section = seed.sections[0]
    assert section.different_first_page_header_footer
    header = section.header
    assert not header.is_linked_to_previous
    xml = header._element.xml
    assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", xml)
    assert header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert "PAGE" not in section.first_page_header._element.xml


def test_user_text_survives():
    tricky = "<b>&amp; 🌸 \"quoted\" 'single' a\\b"
    d = read(Document(superior="", issuer="Chi bộ <A&B>", number="Số 01-KH/CB", place_date="Xã Kim Phú, ngày…",
                      doc_type="KẾ HOẠCH", subject="Về <việc> & 🌸", body=f"{tricky}\n- {tricky}",
                      recipients=[tricky], signature=Signature("T/M CHI BỘ", "BÍ THƯ", tricky)))
    texts = [p.text for p in d.paragraphs]
    assert tricky in texts and f"- {tricky}" in texts
    assert "Về <việc> & 🌸" in texts
    assert "CHI BỘ <A&B>" in [p.text for p in d.tables[0].rows[0].cells[0].paragraphs]
    left, right = d.tables[1].rows[0].cells
    assert left.paragraphs[1].text == f"- {tricky}"
    assert right.paragraphs[-1].text == tricky


def test_empty_superior_is_omitted():
    document = seed_002_document()
    document.superior = ""
    d = read(document)
    left = [p.text for p in d.tables[0].rows[0].cells[0].paragraphs]
    assert left == ["ĐẢNG ỦY SỞ TƯ PHÁP", "*"]
    assert render_text(document).splitlines()[0] == "ĐẢNG ỦY SỞ TƯ PHÁP"


def test_signature_left_replaces_recipients():
    document = seed_002_document()
    document.doc_type, document.subject = "BIÊN BẢN", "Sinh hoạt chi bộ thường kỳ tháng 11 năm 2026"
    document.signature_left = Signature("", "THƯ KÝ", "Trần Thị Bình")
    document.signature = Signature("", "CHỦ TRÌ", "Nguyễn Văn An")
    d = read(document)
    left, right = d.tables[1].rows[0].cells
    assert [p.text for p in left.paragraphs] == ["THƯ KÝ", "", "", "", "", "Trần Thị Bình"]
    assert [p.text for p in right.paragraphs] == ["CHỦ TRÌ", "", "", "", "", "Nguyễn Văn An"]
    for cell in (left, right):
        assert all(r.bold for p in cell.paragraphs for r in p.runs)  # no authority: the title is bold
        assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in cell.paragraphs)
    assert "Nơi nhận:" not in render_docx_text(d)
    text = render_text(document)
    assert "Nơi nhận:" not in text
    assert "THƯ KÝ\nTrần Thị Bình\n\nCHỦ TRÌ\nNguyễn Văn An" in text


def test_no_footer_without_signature_or_recipients():
    document = seed_002_document()
    document.recipients, document.signature = [], None
    assert len(read(document).tables) == 1


def test_banner_and_sub_heading():
    body = "### a) Nội dung\n= **HỘI NGHỊ**\n= BAN CHẤP HÀNH LẦN THỨ 14\n__gạch chân__ thường"
    d = read(Document("", "Đảng ủy Sở Giáo dục và Đào tạo", "Số 68-KH/ĐU", "TP, ngày", "KẾ HOẠCH", "", body))
    sub = find_paragraph(d.paragraphs, "a) Nội dung")
    assert all(r.bold and r.italic for r in sub.runs)
    banner = find_paragraph(d.paragraphs, "HỘI NGHỊ")
    assert banner.alignment == WD_ALIGN_PARAGRAPH.CENTER and banner.runs[0].bold
    assert not banner.paragraph_format.first_line_indent
    assert find_paragraph(d.paragraphs, "BAN CHẤP HÀNH LẦN THỨ 14").alignment == WD_ALIGN_PARAGRAPH.CENTER
    under = find_paragraph(d.paragraphs, "gạch chân thường")
    assert under.runs[0].underline and not under.runs[1].underline
    assert "-----" not in [p.text for p in d.paragraphs]  # no subject, no rule line


def render_docx_text(d) -> str:
    parts = [p.text for p in d.paragraphs]
    parts += [p.text for t in d.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------- text


def test_render_text_seed():
    text = render_text(seed_002_document())
    lines = text.splitlines()
    assert lines[:4] == ["ĐẢNG BỘ TỈNH TUYÊN QUANG", "ĐẢNG ỦY SỞ TƯ PHÁP", "Số 46-KH/ĐU",
                         "Tuyên Quang, ngày 22 tháng 11 năm 2022"]
    assert "KẾ HOẠCH\nTổ chức sinh hoạt chi bộ theo Chuyên đề năm 2023" in text
    for heading in ("I- MỤC ĐÍCH, YÊU CẦU", "II- NỘI DUNG, THỜI GIAN THỰC HIỆN", "IV- TỔ CHỨC THỰC HIỆN"):
        assert f"\n\n{heading}\n" in text
    assert "\n1- Các chi bộ trực thuộc\n" in text
    assert "- Chuyên đề 1: Nâng cao chất lượng sinh hoạt chi bộ (Quý I/2023)." in lines
    assert "* Lưu ý:" in lines
    assert "Nơi nhận:\n- ĐUK các CQ và DN tỉnh (B/cáo);\n" in text
    assert text.endswith("- Lưu Đảng ủy.\n\nT/M ĐẢNG ỦY\nBÍ THƯ\nNguyễn Thị Thược")
    assert "**" not in text and "#" not in text and "__" not in text
    assert text.count("*") == 1  # only the escaped, literal one in "* Lưu ý:"
    assert all(line == line.rstrip() for line in lines)
    assert "\n\n\n" not in text and not text.startswith("\n")


def test_render_text_empty_parts():
    text = render_text(Document("", "Chi bộ Xóm Định Thành", "", "", "BIÊN BẢN", "", "Một dòng."))
    assert text == "CHI BỘ XÓM ĐỊNH THÀNH\n\nBIÊN BẢN\n\nMột dòng."


# -------------------------------------------------------------------------------------------- markup


def test_markup_blocks():
    blocks = parse_markup("# I. A\n\n## 1. B\n### a) C\n- d\n+ e\n= f\n=\nplain\n\\# literal\n#no-space\n  indented")
    assert [(b.kind, b.text) for b in blocks] == [
        ("roman", "I. A"), ("numbered", "1. B"), ("sub", "a) C"), ("bullet", "- d"), ("bullet", "+ e"),
        ("center", "f"), ("center", ""), ("para", "plain"), ("para", "# literal"), ("para", "#no-space"),
        ("para", "indented"),
    ]


def test_inline_markup():
    assert parse_inline("**a** *b* __c__ ***d***") == [
        Run("a", bold=True), Run(" "), Run("b", italic=True), Run(" "), Run("c", underline=True), Run(" "),
        Run("d", bold=True, italic=True),
    ]
    assert parse_inline("***all** italic*") == [Run("all", bold=True, italic=True), Run(" italic", italic=True)]
    assert parse_inline(r"\*not italic\*") == [Run("*not italic*")]
    assert parse_inline(r"a \\ b \_ c") == [Run("a \\ b _ c")]
    assert parse_inline("5 * 3 * 2 and a lone *star") == [Run("5 * 3 * 2 and a lone *star")]
    assert parse_inline("**unclosed bold") == [Run("**unclosed bold")]
    assert parse_inline("<b>&amp; 🌸 C:\\temp") == [Run("<b>&amp; 🌸 C:\\temp")]


def test_escaped_asterisk_in_docx():
    d = read(Document("", "Chi bộ A", "", "", "KẾ HOẠCH", "", r"Điểm \*: **\*** đậm"))
    para = find_paragraph(d.paragraphs, "Điểm *: * đậm")
    assert [(r.text, bool(r.bold)) for r in para.runs] == [("Điểm *: ", False), ("*", True), (" đậm", False)]
    assert render_text(Document("", "", "", "", "", "", r"\*x\*")) == "*x*"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_parse_markup_never_raises(text):
    blocks = parse_markup(text)
    for block in blocks:
        assert block.kind in {"roman", "numbered", "sub", "bullet", "center", "para"}


@settings(max_examples=200, deadline=None)
@given(st.text().filter(lambda t: "\n" not in t and t.strip()))
def test_escape_markup_round_trips(text):
    """Any one line of user text stays one paragraph; its words print as typed, less the markers of the emphasis
    it carries (pairs such as **…**); as plain text (plain=True) nothing is styled and every character is kept."""
    blocks = parse_markup(escape_markup(text))
    assert len(blocks) == 1 and blocks[0].kind == "para"
    assert blocks[0].text == plain_text(text).strip()
    plain = parse_markup(escape_markup(text, plain=True))
    assert plain[0].text == plain_text(text).strip()
    assert all(not (r.bold or r.italic or r.underline) for r in plain[0].runs)
    if "*" not in text and "__" not in text:
        assert blocks[0].text == text.strip() and blocks[0].runs == plain[0].runs


@settings(max_examples=25, deadline=None)
@given(st.text(), st.text(max_size=30))
def test_render_never_raises(body, field_text):
    document = Document(field_text, field_text, field_text, field_text, field_text, field_text, body,
                        recipients=[field_text], signature=Signature(field_text, field_text, field_text))
    assert render_docx(document)[:2] == b"PK"
    render_text(document)

