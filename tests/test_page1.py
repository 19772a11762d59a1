"""A picture of page 1 (issue 12, point 4): LibreOffice makes the PDF — here a fake `soffice` on PATH that
writes a valid PDF where LibreOffice would (tests/fakes/soffice.py) — and pypdfium2 draws its page 1; shown
on the document page, served at /d/<token>/page1.png, and sent on Zalo as a photo with the document's line as
its caption when the links are public https."""

from __future__ import annotations

import asyncio
import io
import os
import shlex
import shutil
import sys
from pathlib import Path

import pytest
from PIL import Image

from bot import pdf
from bot.channels.zalo import PAGE1
from bot.config import load_settings
from bot.links import document_link
from bot.messages import OutDocument
from tests import test_web
from tests.conftest import NOW, select
from tests.fakes import soffice as fake_soffice
from tests.fakes.zalo import FakeZalo
from tests.test_pdf import DOC
from tests.test_zalo import CHAT, replay
from tests.zalo_harness import running_zalo

site = test_web.site  # the document pages over real HTTP, with a plan issued by seed 000

FAKE_SOFFICE = """#!/bin/sh
exec {python} {script} "$@"
"""


@pytest.fixture
def soffice(tmp_path, monkeypatch) -> Path:
    """A fake `soffice` first on PATH (tests/fakes/soffice.py: a valid PDF of 3 pages), conversion switched on;
    returns the file listing its conversions."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    log = tmp_path / "soffice.log"
    script = bin_dir / "soffice"
    script.write_text(FAKE_SOFFICE.format(python=sys.executable, script=shlex.quote(fake_soffice.__file__)))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("CHIBO_PDF", "on")
    monkeypatch.setenv("FAKE_SOFFICE_LOG", str(log))
    return log


def conversions(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


def dark_pixels(png: bytes) -> int:
    """How many pixels of a picture are nearly black (the fake PDF's bar: longer on each page)."""
    image = Image.open(io.BytesIO(png)).convert("L")
    return sum(count for shade, count in enumerate(image.histogram()) if shade < 64)


async def test_page_image_is_a_png_and_none_when_off_or_missing(soffice, monkeypatch, tmp_path):
    picture = await pdf.page_picture(b"PK fake docx", "ke-hoach.docx")
    assert picture is not None and conversions(soffice) == ["pdf"]
    data = picture.png
    assert data.startswith(pdf.PNG_SIGNATURE)
    image = Image.open(io.BytesIO(data))
    assert image.width == pdf.PAGE_WIDTH and image.height in (1754, 1755) and image.mode == "P"  # A4, 150 dpi, greys
    assert dark_pixels(data) > 0 and len(data) < 20_000
    monkeypatch.setenv("CHIBO_PDF", "off")
    assert not pdf.available() and await pdf.page_picture(b"x", "a.docx") is None
    monkeypatch.setenv("CHIBO_PDF", "on")
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert not pdf.available() and await pdf.page_picture(b"x", "a.docx") is None
    assert conversions(soffice) == ["pdf"]  # no process started for either


async def test_any_page_and_its_count_from_the_pdf(soffice):
    first, second, beyond = [await pdf.page_picture(b"PK fake docx", "a.docx", page) for page in (1, 2, 9)]
    assert first is not None and second is not None and beyond is not None
    assert (first.page, first.pages, second.page, beyond.page) == (1, 3, 2, 3)  # past the end: the last page
    assert dark_pixels(second.png) > 1.9 * dark_pixels(first.png)  # page 2's bar is twice as long
    assert pdf.page_png(b"%PDF-1.4 not really") is None  # an unreadable PDF: no picture, no exception


async def test_a_slow_libreoffice_is_given_up_and_killed(soffice, monkeypatch):
    monkeypatch.setenv("FAKE_SOFFICE_SLEEP", "30")
    started = asyncio.get_running_loop().time()
    assert await pdf.page_picture(b"PK fake docx", "a.docx", timeout=0.5) is None
    assert asyncio.get_running_loop().time() - started < 5 and conversions(soffice) == ["pdf"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
async def test_libreoffice_draws_page_1(monkeypatch):
    from bot.documents import render_docx

    monkeypatch.delenv("CHIBO_PDF", raising=False)
    picture = await pdf.page_picture(render_docx(DOC), "ke-hoach.docx")
    assert picture is not None and picture.png.startswith(pdf.PNG_SIGNATURE)


async def test_the_page_shows_page_1_and_serves_it_once_converted(site, soffice):
    url = await site.link()
    html = (await site.client.get(url)).text
    token = url.rsplit("/", 1)[1]
    assert f'<img src="/d/{token}/page1.png" alt="Trang 1 của văn bản">' in html and "Tải tệp PDF" in html
    assert conversions(soffice) == []  # the page does not wait for LibreOffice: the picture is made when asked
    for _ in range(2):
        got = await site.client.get(url + PAGE1)
        assert got.status_code == 200 and got.headers["content-type"] == "image/png"
        assert got.content.startswith(pdf.PNG_SIGNATURE) and got.headers["cache-control"] == "no-store"
    assert conversions(soffice) == ["pdf"]  # the second from memory
    assert "img-src 'self'" in got.headers["content-security-policy"]
    assert (await site.client.get(url + "/pdf")).content.startswith(b"%PDF")
    assert conversions(soffice) == ["pdf"]  # the picture was drawn from the PDF, which is kept too
    head = url.rsplit("/", 1)[0]
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    tampered = await site.client.get(f"{head}/{changed}{PAGE1}")
    assert tampered.status_code == 403 and "Đường dẫn không hợp lệ" in tampered.text
    site.clock.at = NOW.replace(year=NOW.year + 1)
    assert (await site.client.get(url + PAGE1)).status_code == 410


@pytest.mark.parametrize("missing", ["switched off", "not installed"])
async def test_no_picture_without_libreoffice(site, soffice, monkeypatch, tmp_path, missing):
    if missing == "switched off":
        monkeypatch.setenv("CHIBO_PDF", "off")
    else:
        monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    url = await site.link()
    page = await site.client.get(url)
    assert page.status_code == 200 and "<img" not in page.text
    got = await site.client.get(url + PAGE1)
    assert got.status_code == 404 and "Không tìm thấy văn bản" in got.text
    assert conversions(soffice) == []


async def _seed_002_on_zalo(tmp_path, public_url: str, photos: bool):
    settings = load_settings({"CHIBO_PUBLIC_URL": public_url})
    async with FakeZalo() as fake, running_zalo(fake, tmp_path / "z.sqlite3") as run:
        async def link(doc: OutDocument) -> str | None:
            assert doc.unit_id is not None and doc.doc_id is not None
            return await document_link(run.store, settings, doc.unit_id, doc.doc_id, NOW)

        run.channel.document_link = link
        run.channel.photos = photos
        answers = await replay(run, CHAT, "seed_002")
        docs = await select(run.store, "SELECT filename FROM documents")
        return fake, answers, docs[0]["filename"]


async def test_zalo_sends_page_1_as_a_photo_with_the_link_in_the_caption(soffice, tmp_path):
    fake, answers, filename = await _seed_002_on_zalo(tmp_path, "https://chibo.example.vn", photos=True)
    [photo] = [s for s in fake.sent if s.method == "sendPhoto"]
    assert photo.chat_id == CHAT
    assert photo.text.startswith(f"Văn bản đã được tạo: {filename}. Tải về: https://chibo.example.vn/d/")
    link = photo.text.rsplit(" ", 1)[1]
    assert photo.photo == link + PAGE1
    last = answers[-1][1]  # the texts of the last answer: the saved note and its choice, after the photo
    assert "Đã lưu kế hoạch 46-KH/ĐU" in last[-1] and "Văn bản đã được tạo" not in "\n".join(last)
    assert fake.sent[-1].method == "sendMessage" and fake.sent[-2] is photo  # the photo, then the note


@pytest.mark.parametrize("case", ["http", "no soffice"])
async def test_zalo_sends_a_text_line_without_https_or_libreoffice(soffice, tmp_path, monkeypatch, case):
    if case == "no soffice":
        monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    url = "http://127.0.0.1:8080" if case == "http" else "https://chibo.example.vn"
    fake, answers, filename = await _seed_002_on_zalo(tmp_path, url, photos=case != "http")
    assert fake.count("sendPhoto") == 0
    [last] = answers[-1][1]
    assert f"Văn bản đã được tạo: {filename}. Tải về: {url}/d/" in last and "Đã lưu kế hoạch 46-KH/ĐU" in last


@pytest.mark.parametrize(("public_url", "photos"), [("https://chibo.example.vn", True), ("http://127.0.0.1:8080", False)])
async def test_chibo_serve_sends_photos_only_on_a_public_https_address(tmp_path, public_url, photos):
    from bot.clock import Clock
    from bot.store import Store
    from bot.web.serve import zalo_channel

    store = await Store.open(str(tmp_path / "s.sqlite3"))
    try:
        settings = load_settings({"CHIBO_PUBLIC_URL": public_url, "ZALO_BOT_TOKEN": "1:x"})
        channel = zalo_channel(store, settings, Clock(frozen=NOW))
        assert channel.photos is photos and channel.document_link is not None
        await channel.bot.close()
    finally:
        await store.close()
