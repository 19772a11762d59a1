"""A PDF beside the .docx, and a picture of its page 1, when LibreOffice is installed on the server (and
CHIBO_PDF is not "off")."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)


def disabled() -> bool:
    """CHIBO_PDF=off skips the conversion, as if LibreOffice were not installed (the tests set it)."""
    return os.environ.get("CHIBO_PDF", "").strip().lower() == "off"


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    """LibreOffice is installed and CHIBO_PDF is not "off" (cheap: no process is started)."""
    return not disabled() and _soffice() is not None


async def _convert(docx: bytes, name: str, kind: str, timeout: float) -> bytes | None:
    """`soffice --convert-to kind` of the .docx, or None when switched off, not installed, failed or too slow."""
    if disabled():
        return None
    soffice = _soffice()
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "document.docx"
        source.write_bytes(docx)
        profile = Path(folder, "profile").as_uri()  # a profile of its own: conversions can run at once
        proc = await asyncio.create_subprocess_exec(
            soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", kind, "--outdir", folder,
            str(source),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        try:
            await asyncio.wait_for(proc.wait(), timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            log.warning("soffice timed out converting %s to %s", name, kind)
            return None
        result = Path(folder) / f"document.{kind}"
        return result.read_bytes() if result.exists() else None


async def to_pdf(docx: bytes, name: str, timeout: float = 60) -> bytes | None:
    """The PDF of a .docx, or None when conversion is switched off, `soffice` is not installed or it fails."""
    return await _convert(docx, name, "pdf", timeout)


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def page_image(docx: bytes, name: str, timeout: float = 60) -> bytes | None:
    """Page 1 of a .docx as a PNG (LibreOffice's PNG export renders the first page), or None as for to_pdf."""
    data = await _convert(docx, name, "png", timeout)
    if data is not None and not data.startswith(PNG_SIGNATURE):
        log.warning("soffice made no PNG of %s", name)
        return None
    return data
