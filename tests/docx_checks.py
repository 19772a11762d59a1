"""Reading generated .docx files back in tests: their text as a reader compares it, and the page layout."""

from __future__ import annotations

import re

from docx.shared import Mm


def norm(text: str) -> str:
    """Compare text as a reader would: case, spacing, markup and leading zeros of numbers aside."""
    text = re.sub(r"[*_]", "", text.casefold())
    text = re.sub(r"\b0(\d)\b", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def cell_lines(cell) -> list[str]:
    return [p.text for p in cell.paragraphs if p.text.strip()]


def all_text(document) -> str:
    parts = paragraphs(document)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts += cell_lines(cell)
    return "\n".join(parts)


def table_text(table) -> str:
    return "\n".join(p.text for row in table.rows for cell in row.cells for p in cell.paragraphs)


def assert_layout(document) -> None:
    """The page of a Party document: A4, margins 20/20/30/15 mm, Times New Roman, the header's party line 15 pt bold."""
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [20, 20, 30, 15]
    assert document.styles["Normal"].font.name == "Times New Roman"
    header = document.tables[0]
    assert any(r.bold and r.font.size.pt == 15 for p in header.rows[0].cells[1].paragraphs for r in p.runs
               if "ĐẢNG CỘNG SẢN VIỆT NAM" in r.text)
