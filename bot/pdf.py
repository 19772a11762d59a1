"""A PDF beside the .docx when LibreOffice is installed on the server (and CHIBO_PDF is not "off")."""

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


async def to_pdf(docx: bytes, name: str, timeout: float = 60) -> bytes | None:
    """The PDF of a .docx, or None when conversion is switched off, `soffice` is not installed or it fails."""
    if disabled():
        return None
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "document.docx"
        source.write_bytes(docx)
        profile = Path(folder, "profile").as_uri()  # a profile of its own: conversions can run at once
        proc = await asyncio.create_subprocess_exec(
            soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", folder,
            str(source),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        try:
            await asyncio.wait_for(proc.wait(), timeout)
        except TimeoutError:
            proc.kill()
            log.warning("soffice timed out converting %s", name)
            return None
        result = Path(folder) / "document.pdf"
        return result.read_bytes() if result.exists() else None
