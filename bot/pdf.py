"""A PDF beside the .docx when LibreOffice is installed on the server."""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)


async def to_pdf(docx: bytes, name: str, timeout: float = 60) -> bytes | None:
    """The PDF of a .docx, or None when `soffice` is not installed or fails."""
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
