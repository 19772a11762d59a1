"""“Xem trước” as a picture of the page: where LibreOffice is installed (bot.pdf.available()) and the channel
shows pictures, the draft's real .docx is converted to PDF and the page asked for drawn as a PNG
(bot/pdf.py); “Xem trang 2” (then 3…) is offered with the review while pages remain. Where LibreOffice is
missing, or the conversion fails or takes longer than PREVIEW_TIMEOUT, the preview action shows its text.

The engine runs the action (handlers/engine.py, `preview_page`): the page asked for is `ctx.preview_page`,
and the choices of the action's replies are offered with the review screen.
"""

from __future__ import annotations

import hashlib
import logging

from cachetools import LRUCache

from bot import pdf
from bot.documents import Document, render_docx
from bot.messages import Choice, Outgoing, OutPicture
from handlers.context import Context
from handlers.engine import PREVIEW_PAGE

log = logging.getLogger(__name__)

PREVIEW_TIMEOUT = 20.0  # seconds for LibreOffice (a cold start takes 1-3 s); then the text preview
KEPT = 16  # PDFs of the last drafts previewed, in memory: “Xem trang 2” of an unchanged draft converts nothing
_pdfs: LRUCache[str, bytes] = LRUCache(KEPT)


def _key(doc: Document) -> str:
    """The draft document's identity: its every field (the .docx bytes differ from run to run)."""
    return hashlib.sha256(repr(doc).encode()).hexdigest()


async def _pdf_of(doc: Document, name: str) -> bytes | None:
    key = _key(doc)
    data = _pdfs.get(key)
    if data is None:
        data = await pdf.to_pdf(render_docx(doc), name, timeout=PREVIEW_TIMEOUT)
        if data is not None:
            _pdfs[key] = data
    return data


async def page_preview(ctx: Context, doc: Document, file_name: str) -> Outgoing | None:
    """The page `ctx.preview_page` of the draft as a picture named “<file stem> - trang N.png”, with “Xem trang
    N+1” while pages remain; None when no picture can be shown (the caller shows the text preview)."""
    if not ctx.incoming.pictures or not pdf.available():
        return None
    asked = ctx.preview_page
    whole = await _pdf_of(doc, file_name)
    picture = await pdf.pdf_page(whole, asked) if whole is not None else None
    if picture is None:
        _pdfs.pop(_key(doc), None)  # an unreadable PDF is not kept: the next preview converts again
        log.info("no picture of the preview: the text is shown")
        return None
    page, pages = picture.page, picture.pages
    caption = f"Xem trước: trang {page}/{pages} (bản nháp, chưa lưu)."
    if asked > pages:
        caption = f"Bản nháp chỉ có {pages} trang; đây là trang {page} (chưa lưu)."
    stem = file_name.removesuffix(".docx")
    choices = [Choice(f"Xem trang {page + 1}", f"{PREVIEW_PAGE}{page + 1}")] if page < pages else []
    return Outgoing(picture=OutPicture(f"{stem} - trang {page}.png", picture.png, caption), choices=choices)
