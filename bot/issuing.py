"""Issuing a numbered document: its number in the unit's series, the .docx, one transaction, then the PDF.

Every document the assistant writes (Kế hoạch, Biên bản, Nghị quyết, Kết luận) goes through `issue()`:

1. the number: the one requested when it is still free, otherwise the next free one in the series (the
   request is then reported `renumbered`); a document may also be issued without a number;
2. the Document for that number is built and rendered as .docx, and its dated items are taken (given, or
   computed from the rendered Document);
3. `DocumentsStore.save_document` writes the document, its number, its dated items, the meeting it records
   and the completion of the draft it came from in ONE transaction; when the number was taken meanwhile
   (sqlite3.IntegrityError) the next free number is tried, a few times;
4. after the commit, the PDF (None when LibreOffice is not installed).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.documents import Document, render_docx
from bot.messages import OutDocument, Outgoing
from bot.pdf import to_pdf
from bot.store.documents import DocumentsStore
from bot.store.records import NewMeeting, Unit

TERM_YEARS = 5
FIRST_TERM = 2020  # congress terms run 2020-2025, 2025-2030, ...
RETRIES = 2  # after the first attempt, when another account takes the number meanwhile
NO_PDF_NOTE = "(Máy chủ chưa cài LibreOffice nên chưa có bản PDF; tệp .docx mở được bằng Word hoặc WPS.)"

DatedItem = dict[str, Any]  # kind, title, due, and optionally start, time, who, source (see save_document)


def series(unit: Unit, doc_type: str, issued: date) -> str:
    """One running series per document type, restarting each term (or each year, as the unit chooses)."""
    if unit.settings.get("numbering") == "year":
        return f"{doc_type}:{issued.year}"
    start = FIRST_TERM + TERM_YEARS * ((issued.year - FIRST_TERM) // TERM_YEARS)
    return f"{doc_type}:{start}-{start + TERM_YEARS}"


_UNSAFE = re.compile(r'[\\/:*?"<>|\n“”]+')


def file_name(head: str, number: int | None, doc_type: str, unit_code: str, title: str) -> str:
    """'Kế hoạch 46-KH-ĐU - Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2023.docx': safe on every file system
    (no path separators, reserved characters or curly quotes), one space between words, at most 110
    characters before the extension."""
    code = f" {number:02d}-{doc_type}-{unit_code}" if number else ""
    name = _UNSAFE.sub(" ", f"{head}{code} - {title}")
    name = re.sub(r"\s+", " ", name).strip()
    return name[:110].rstrip() + ".docx"


@dataclass(frozen=True)
class IssueRequest:
    """Everything needed to issue one document.

    `number` is the number asked for (None: the next free one); `numbered=False` issues the document
    without a number. When a number was asked for, the stored answers hold the number finally given under
    "number". `build(number)` makes the Document; its dated items are `items`, or `items_of(document,
    number)` when given. `meeting` is the meeting the document records; `draft` the (channel, chat, user)
    key of the draft it completes.
    """

    unit: Unit
    kind: str  # documents.kind: plan_thematic, …, minutes, resolution
    doc_type: str  # KH, BB, NQ, KL
    issued_on: date
    title: str
    answers: dict[str, Any]
    created_by: str  # 'channel:user_id'
    build: Callable[[int | None], Document]
    file_head: str  # 'Kế hoạch', 'Biên bản', 'Nghị quyết', …
    file_title: str
    number: int | None = None
    numbered: bool = True
    items: Sequence[DatedItem] = ()
    items_of: Callable[[Document, int | None], list[DatedItem]] | None = None
    meeting: NewMeeting | None = None
    draft: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class Issued:
    """A document stored, and what the answer to the user needs."""

    doc_id: int
    meeting_id: int | None
    number: int | None
    document: Document
    title: str
    docx: bytes
    file_name: str
    pdf: bytes | None
    items: list[DatedItem] = field(default_factory=list)
    renumbered: bool = False  # the number asked for was taken; `number` is the one given instead

    @property
    def caption(self) -> str:
        return f"{self.document.number} — {self.title}"


async def _first_number(store: DocumentsStore, request: IssueRequest, doc_series: str) -> int | None:
    if not request.numbered:
        return None
    wanted = request.number
    if wanted is not None and not await store.number_taken(request.unit.id, doc_series, wanted):
        return wanted
    return await store.next_number(request.unit.id, doc_series)


async def issue(store: DocumentsStore, request: IssueRequest, *, retries: int = RETRIES) -> Issued:
    """Number, render and store the document in one transaction, then convert it to PDF.

    Raises sqlite3.IntegrityError when the document cannot be stored (its number taken on every attempt,
    or a constraint of what it creates violated); nothing is then written.
    """
    unit = request.unit
    doc_series = series(unit, request.doc_type, request.issued_on)
    number = await _first_number(store, request, doc_series)
    for attempt in range(retries + 1):
        document = request.build(number)
        data = render_docx(document)
        items = request.items_of(document, number) if request.items_of else list(request.items)
        name = file_name(request.file_head, number, request.doc_type, unit.code, request.file_title)
        answers = request.answers if request.number is None else {**request.answers, "number": number}
        try:
            doc_id, meeting_id = await store.save_document({
                "unit_id": unit.id, "kind": request.kind, "doc_type": request.doc_type, "series": doc_series,
                "number": number, "issued_on": request.issued_on.isoformat(), "title": request.title,
                "answers": answers, "filename": name, "content": data, "created_by": request.created_by,
            }, items, meeting=request.meeting, draft=request.draft)
            break
        except sqlite3.IntegrityError:  # another account took the number meanwhile
            if number is None or attempt == retries:
                raise
            number = await store.next_number(unit.id, doc_series)
    renumbered = request.number is not None and number != request.number
    return Issued(doc_id=doc_id, meeting_id=meeting_id, number=number, document=document, title=request.title,
                  docx=data, file_name=name, pdf=await to_pdf(data, name), items=items, renumbered=renumbered)


def outgoing_documents(issued: Issued, caption: str | None = None) -> list[Outgoing]:
    """The .docx (captioned '<number> — <title>' unless told otherwise) and, when made, the PDF."""
    out = [Outgoing(document=OutDocument(issued.file_name, issued.docx,
                                         issued.caption if caption is None else caption))]
    if issued.pdf is not None:
        out.append(Outgoing(document=OutDocument(issued.file_name.removesuffix(".docx") + ".pdf", issued.pdf)))
    return out


def pdf_note(issued: Issued) -> list[str]:
    """The line telling the user why there is no PDF, when there is none."""
    return [] if issued.pdf is not None else [NO_PDF_NOTE]
