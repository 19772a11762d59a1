"""A PDF beside the .docx, and pictures of its pages, when LibreOffice is installed on the server (and
CHIBO_PDF is not "off").

One way to a picture: LibreOffice converts the .docx to PDF (`to_pdf`, a subprocess with a timeout, so the
event loop keeps serving other chats), then pdfium (pypdfium2) draws the page and Pillow writes a small
grey-scale PNG (`page_png`, in a worker thread). The document page's `/d/<token>/page1.png` and the chat's
"Xem trước" share it.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import shutil
import signal
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium

log = logging.getLogger(__name__)

PAGE_WIDTH = 1240  # pixels across an A4 page: 150 dpi, the size of a printed line readable on a phone
GREYS = 16  # shades of grey in the PNG (a 4-bit palette): sharp antialiased text, about 100 KB a page
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PDFIUM = threading.Lock()  # pdfium is not thread-safe: one document at a time in this process
CONVERSIONS = 2  # LibreOffice processes at once (each takes a core and ~200 MB); more wait their turn
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _slot() -> asyncio.Semaphore:
    """The running loop's semaphore of CONVERSIONS (one per loop: a semaphore belongs to the loop it waits in)."""
    loop = asyncio.get_running_loop()
    slot = _slots.get(loop)
    if slot is None:
        slot = _slots[loop] = asyncio.Semaphore(CONVERSIONS)
    return slot


def disabled() -> bool:
    """CHIBO_PDF=off skips the conversion, as if LibreOffice were not installed (the tests set it)."""
    return os.environ.get("CHIBO_PDF", "").strip().lower() == "off"


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    """LibreOffice is installed and CHIBO_PDF is not "off" (cheap: no process is started)."""
    return not disabled() and _soffice() is not None


async def _convert(docx: bytes, name: str, kind: str, timeout: float) -> bytes | None:
    """`soffice --convert-to kind` of the .docx, or None when switched off, not installed, failed or too slow
    (`timeout` seconds, waiting for a free slot included)."""
    if disabled():
        return None
    soffice = _soffice()
    if soffice is None:
        return None
    try:
        async with asyncio.timeout(timeout), _slot():
            return await _run(soffice, docx, kind)
    except TimeoutError:
        log.warning("soffice timed out converting %s to %s", name, kind)
        return None


async def _run(soffice: str, docx: bytes, kind: str) -> bytes | None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "document.docx"
        source.write_bytes(docx)
        profile = Path(folder, "profile").as_uri()  # a profile of its own: conversions can run at once
        proc = await asyncio.create_subprocess_exec(
            soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", kind, "--outdir", folder,
            str(source),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True)  # its own process group: soffice.bin and helpers are killed with it
        try:
            await proc.wait()
        finally:
            if proc.returncode is None:  # timed out or cancelled: no LibreOffice left running
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                await proc.wait()
        result = Path(folder) / f"document.{kind}"
        return result.read_bytes() if result.exists() else None


async def to_pdf(docx: bytes, name: str, timeout: float = 60) -> bytes | None:
    """The PDF of a .docx, or None when conversion is switched off, `soffice` is not installed or it fails."""
    return await _convert(docx, name, "pdf", timeout)


@dataclass(frozen=True)
class PagePicture:
    png: bytes
    page: int  # the page drawn, from 1
    pages: int  # how many the document has


def page_png(pdf: bytes, page: int = 1, width: int = PAGE_WIDTH) -> PagePicture | None:
    """Page `page` of a PDF (the last one when it has fewer) as a grey-scale PNG `width` pixels wide; None
    when the PDF cannot be read or has no page. Synchronous: call it in a thread (`pdf_page`)."""
    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as exc:
            log.warning("pdfium could not read a PDF: %s", exc)
            return None
        try:
            pages = len(document)
            if pages == 0:
                return None
            page = min(max(page, 1), pages)
            sheet = document[page - 1]
            try:
                scale = width / sheet.get_width()
                image = sheet.render(scale=scale, grayscale=True).to_pil()
            finally:
                sheet.close()
        finally:
            document.close()
    out = io.BytesIO()
    image.convert("L").quantize(GREYS).save(out, "PNG", bits=4)  # optimize=True: 1% smaller, 3x slower
    return PagePicture(out.getvalue(), page, pages)


async def pdf_page(pdf: bytes, page: int = 1) -> PagePicture | None:
    """`page_png` in a worker thread: drawing and compressing take a few hundred milliseconds."""
    return await asyncio.to_thread(page_png, pdf, page)


async def page_picture(docx: bytes, name: str, page: int = 1, timeout: float = 60) -> PagePicture | None:
    """A page of a .docx as a PNG (through its PDF), or None as for to_pdf or when the PDF is unreadable."""
    data = await to_pdf(docx, name, timeout)
    return None if data is None else await pdf_page(data, page)
