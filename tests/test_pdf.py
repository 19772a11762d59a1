"""The PDF beside the .docx: made by LibreOffice when it is installed; None (and a note to the user) when not."""

from __future__ import annotations

import shutil

import pytest

from bot import pdf
from bot.documents import Document, Signature, render_docx

DOC = Document(superior="", issuer="CHI BỘ XÓM ĐỊNH THÀNH", number="Số 05-KH/CB",
               place_date="Tuyên Quang, ngày 05 tháng 01 năm 2027", doc_type="KẾ HOẠCH",
               subject="Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2027", body="# I. MỤC ĐÍCH, YÊU CẦU\n- Thử.",
               recipients=["Lưu Chi bộ."], signature=Signature("T/M CHI BỘ", "BÍ THƯ", "Nguyễn Thị Thược"))


@pytest.fixture(autouse=True)
def pdf_on(monkeypatch):
    """The test session switches PDF conversion off (tests/conftest.py); these tests exercise it."""
    monkeypatch.delenv("CHIBO_PDF", raising=False)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
async def test_pdf_is_made_when_libreoffice_is_installed():
    data = await pdf.to_pdf(render_docx(DOC), "ke-hoach.docx")
    assert data is not None and data.startswith(b"%PDF")


async def test_no_pdf_without_libreoffice(monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    assert await pdf.to_pdf(render_docx(DOC), "ke-hoach.docx") is None


async def test_switched_off_even_with_libreoffice(monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: "/usr/bin/soffice")
    monkeypatch.setenv("CHIBO_PDF", "off")

    async def no_process(*args, **kwargs):
        raise AssertionError("soffice started although CHIBO_PDF=off")

    monkeypatch.setattr(pdf.asyncio, "create_subprocess_exec", no_process)
    assert await pdf.to_pdf(render_docx(DOC), "ke-hoach.docx") is None
