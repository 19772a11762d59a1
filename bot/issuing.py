"""Issuing a numbered document: its number in the unit's series, the .docx, one transaction, then the PDF.

Every document the assistant writes (Kế hoạch, Biên bản, Nghị quyết, Kết luận) goes through `issue()`:

1. the number: the one requested when it is still free, otherwise the next free one in the series (the
   request is then reported `renumbered`); a document may also be issued without a number;
2. the Document for that number is built and rendered as .docx, and its dated items are taken (given, or
   computed from the rendered Document);
3. `DocumentsStore.save_document` writes the document, its number, its dated items, the meeting it records
   and the completion of the draft it came from in ONE transaction; when the number was taken meanwhile
   (IntegrityError) the next free number is tried, a few times;
4. after the commit, the PDF (None when LibreOffice is not installed).

A request carrying a `Revision` re-issues an existing document instead (bot/revisions.py): the same number
and series, the new .docx, and `DocumentsStore.revise_document` in one transaction (the earlier version
kept, the dated items matched and updated, the meeting rewritten, the draft marked).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from bot.documents import Document, render_docx
from bot.messages import OutDocument, Outgoing
from bot.pdf import to_pdf
from bot.revisions import Revision, RevisionRefused, StaleRevision, match_items
from bot.store.base import IntegrityError
from bot.store.documents import NUMBER_MAX, AlreadyIssued, DocumentsStore, VersionConflict, number_clash
from bot.store.records import AuditNote, DeadlineChanges, NewMeeting, StoredDocument, Unit

TERM_YEARS = 5
FIRST_TERM = 2020  # congress terms run 2020-2025, 2025-2030, ...
RETRIES = 10  # after the first attempt, when other accounts take the number meanwhile
PAUSE_ENV = "CHIBO_TEST_PAUSE_AFTER"
NO_PDF_NOTE = "(Máy chủ chưa cài LibreOffice nên chưa có bản PDF; tệp .docx mở được bằng Word hoặc WPS.)"

log = logging.getLogger(__name__)

DatedItem = dict[str, Any]  # kind, title, due, and optionally start, time, who, source (see save_document)


def number_problem(value: int) -> str | None:
    """Why a document number typed by hand cannot be used (None: it can): numbers run 1..NUMBER_MAX."""
    if not 1 <= value <= NUMBER_MAX:
        return f"Số văn bản phải là một số từ 1 đến {NUMBER_MAX}."
    return None


def series(unit: Unit, doc_type: str, issued: date) -> str:
    """One running series per document type, restarting each term (or each year, as the unit chooses)."""
    if unit.settings.get("numbering") == "year":
        return f"{doc_type}:{issued.year}"
    start = FIRST_TERM + TERM_YEARS * ((issued.year - FIRST_TERM) // TERM_YEARS)
    return f"{doc_type}:{start}-{start + TERM_YEARS}"


NAME_BYTES = 150  # a file name's stem, in UTF-8 bytes: far below every file system's 255


# Path separators, characters Windows reserves, curly quotes (Word's), and anything that is not a letter,
# mark, number, punctuation, symbol or plain space: controls (NUL, newlines), format characters (bidi
# overrides U+202A-U+202E and U+2066-U+2069, zero-width U+200B-U+200F, U+FEFF), surrogates, unassigned.
_RESERVED = set('\\/:*?"<>|“”')


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch in _RESERVED or category == "Cc" or category.startswith("Z"):  # controls and spaces: one space
            kept.append(" ")
        elif not category.startswith("C"):
            kept.append(ch)
    return " ".join("".join(kept).split())


# Words a shortened title never ends on: they join what was cut off ("… và", "… của").
_DANGLING = frozenset("và của cho về với tại trong theo các những để từ đến trên dưới lần thứ ngày tháng năm số".split())


def _fit(text: str, limit: int) -> str:
    """`text` in at most `limit` UTF-8 bytes, shortened between whole words, never inside a word or a number:
    at the end of a clause ("…, " "…; " " - ") or of a phrase (before "và", "của", "các" …) when one ends in its
    second half, without a dangling last word ("và", "của", "năm" …). Only a single word longer than the limit is cut inside (between characters)."""
    if len(text.encode()) <= limit:
        return text
    words = text.split(" ")
    kept: list[str] = []
    for word in words:
        if len(" ".join([*kept, word]).encode()) > limit:
            break
        kept.append(word)
    if not kept:
        return text.encode()[:limit].decode(errors="ignore")
    size = len(" ".join(kept))
    following = [*kept, words[len(kept)]]
    for end in range(len(kept), 0, -1):  # the last phrase end in the second half: a clause's, or before "và", "của"…
        clause = following[end - 1].endswith((",", ";")) or following[end] in ("-", "–", "—")
        if (clause or following[end].casefold() in _DANGLING) and len(" ".join(kept[:end])) > size // 2:
            kept = kept[:end]
            break
    while len(kept) > 1 and (kept[-1].rstrip(",;").casefold() in _DANGLING or kept[-1] in ("-", "–", "—")):
        kept.pop()
    return " ".join(kept).rstrip(",;")


def file_name(head: str, number: int | None, doc_type: str, unit_code: str, title: str) -> str:
    """'Kế hoạch 46-KH-ĐU - Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2023.docx': safe on every file system.

    NFC; no path separators, reserved characters, curly quotes, control or format characters (bidi
    overrides, zero-width characters); one space between words; at most NAME_BYTES bytes of UTF-8 before
    the extension, the title cut at a word boundary; the type and number always kept, so the name is never
    empty and never a reserved Windows name (CON, NUL, …), and never ends in a dot or a space.
    """
    code = f" {number:02d}-{doc_type}-{unit_code}" if number else ""
    prefix = _fit(_clean(f"{head}{code}"), NAME_BYTES) or "Văn bản"
    rest = _clean(title)
    name = prefix
    if rest:
        room = NAME_BYTES - len(f"{prefix} - ".encode())
        rest = _fit(rest, room).rstrip(" -–—,;.")
        if rest:
            name = f"{prefix} - {rest}"
    return name.rstrip(" .") + ".docx"


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
    audit: AuditNote | None = None  # who issues it (action and detail are filled in): written with the document
    revises: Revision | None = None  # re-issue this document (same number) instead of issuing a new one


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
    unit_id: int | None = None
    version: int = 1  # > 1: a revision (bản sửa lần version - 1)
    changes: DeadlineChanges | None = None  # a revision: what happened to the document's dated items

    @property
    def shown_number(self) -> str:
        """The number as a message names the document: "46-KH/ĐU", or "không số" (its line is left blank,
        "Số      -KH/ĐU", for the number written in by hand)."""
        if self.number is None:
            return "không số"
        return self.document.number.removeprefix("Số ").strip()

    @property
    def caption(self) -> str:
        number = f"Số {self.shown_number}" if self.number is not None else "Không số"
        return f"{number} — {self.title}"


async def _first_number(store: DocumentsStore, request: IssueRequest, doc_series: str) -> int | None:
    if not request.numbered:
        return None
    wanted = request.number
    if wanted is not None and not await store.number_taken(request.unit.id, doc_series, wanted):
        return wanted
    return await store.next_number(request.unit.id, doc_series)


async def issue(store: DocumentsStore, request: IssueRequest, *, retries: int = RETRIES) -> Issued:
    """Number, render and store the document in one transaction, then convert it to PDF.

    Exactly once per draft: when `request.draft` was issued already (a confirm repeated after a crash, a
    double tap, another process), nothing is written and the stored document is returned as it was issued.

    Raises IntegrityError when the document cannot be stored (its number taken on every attempt,
    or a constraint of what it creates violated); nothing is then written.
    """
    if request.revises is not None:
        return await _revise(store, request, request.revises)
    unit = request.unit
    doc_series = series(unit, request.doc_type, request.issued_on)
    number = await _first_number(store, request, doc_series)
    for attempt in range(retries + 1):
        document = request.build(number)
        data = render_docx(document)
        items = request.items_of(document, number) if request.items_of else list(request.items)
        name = file_name(request.file_head, number, request.doc_type, unit.code, request.file_title)
        answers = request.answers if request.number is None else {**request.answers, "number": number}
        await pause("render")
        try:
            doc_id, meeting_id = await store.save_document({
                "unit_id": unit.id, "kind": request.kind, "doc_type": request.doc_type, "series": doc_series,
                "number": number, "issued_on": request.issued_on.isoformat(), "title": request.title,
                "answers": answers, "filename": name, "content": data, "created_by": request.created_by,
            }, items, meeting=request.meeting, draft=request.draft,
                audit=_audit(request, "document.issue", document, number))
            break
        except AlreadyIssued as done:
            return await _already_issued(store, request, done.document_id)
        except IntegrityError as exc:  # another account took the number meanwhile
            if number is None or attempt == retries or not number_clash(exc):
                raise
            log.info("number %s of %s taken meanwhile; trying the next free one", number, doc_series)
            number = await store.next_number(unit.id, doc_series)
    await pause("commit")
    renumbered = request.number is not None and number != request.number
    pdf = await _pdf(data, name)
    await pause("pdf")
    return Issued(doc_id=doc_id, meeting_id=meeting_id, number=number, document=document, title=request.title,
                  docx=data, file_name=name, pdf=pdf, items=items, renumbered=renumbered, unit_id=unit.id)


async def _revise(store: DocumentsStore, request: IssueRequest, revision: Revision) -> Issued:
    """Re-issue the document `revision` names: its number and series kept, its date as the answers say.

    Raises RevisionRefused (the date moved into another series, a document of another type, the document
    gone) and StaleRevision (another revision was confirmed meanwhile); nothing is then written.
    """
    unit = request.unit
    stored = await store.document(unit.id, revision.doc_id)
    if stored is None:
        raise RevisionRefused("Không tìm thấy văn bản cần sửa trong đơn vị; có thể văn bản đã bị xóa.")
    if stored.doc_type != request.doc_type:
        raise RevisionRefused("Văn bản cần sửa thuộc loại khác; xin mở lại đúng văn bản cần sửa.")
    problem = series_problem(unit, stored, request.issued_on)
    if problem:
        raise RevisionRefused(problem)
    number = stored.number
    document = request.build(number)
    data = render_docx(document)
    items = request.items_of(document, number) if request.items_of else list(request.items)
    name = file_name(request.file_head, number, request.doc_type, unit.code, request.file_title)
    answers = {**request.answers, "number": number} if "number" in request.answers else request.answers
    await pause("render")
    try:
        version, meeting_id, changes = await store.revise_document(unit.id, stored.id, revision.version, {
            "issued_on": request.issued_on.isoformat(), "title": request.title, "answers": answers,
            "filename": name, "content": data, "revised_by": request.created_by,
        }, items, match_items, meeting=request.meeting, draft=request.draft,
            audit=_audit(request, "document.revise", document, number))
    except AlreadyIssued as done:
        return await _already_issued(store, request, done.document_id)
    except VersionConflict as conflict:
        raise StaleRevision(conflict.current or 0) from None
    await pause("commit")
    pdf = await _pdf(data, name)
    await pause("pdf")
    return Issued(doc_id=stored.id, meeting_id=meeting_id, number=number, document=document, title=request.title,
                  docx=data, file_name=name, pdf=pdf, items=items, unit_id=unit.id, version=version, changes=changes)


def _audit(request: IssueRequest, action: str, document: Document, number: int | None) -> AuditNote | None:
    """The audit line of issuing or revising: "Kế hoạch 05-KH/CB: <title>"."""
    if request.audit is None:
        return None
    shown = document.number.removeprefix("Số ").strip() if number is not None else "không số"
    return replace(request.audit, unit_id=request.unit.id, action=action,
                   detail=f"{request.file_head} {shown}: {request.title}")


def series_problem(unit: Unit, stored: StoredDocument, issued_on: date) -> str | None:
    """Why a revision of `stored` cannot be dated `issued_on` (None: it can): its number belongs to the
    series of its year (or term), so the date stays in that year (or term)."""
    if stored.number is None or series(unit, stored.doc_type, issued_on) == stored.series:
        return None
    span = stored.series.partition(":")[2]
    where = f"năm {span}" if "-" not in span else f"nhiệm kỳ {span}"
    return (f"Ngày ban hành mới ({issued_on.day:02d}/{issued_on.month:02d}/{issued_on.year}) nằm ngoài {where}, "
            f"trong khi bản sửa giữ nguyên số {stored.number:02d} của {where}. Xin chọn ngày ban hành trong {where}, "
            "hoặc soạn văn bản mới (lấy số mới) từ văn bản này.")


async def _already_issued(store: DocumentsStore, request: IssueRequest, doc_id: int) -> Issued:
    """The document a draft was issued as, as `issue()` returned it then (its PDF made again)."""
    stored = await store.document(request.unit.id, doc_id)
    if stored is None or stored.content is None:
        raise LookupError(f"document {doc_id} of draft {request.draft} is gone")
    document = request.build(stored.number)
    items = request.items_of(document, stored.number) if request.items_of else list(request.items)
    meeting_id = await store.meeting_of_document(doc_id) if request.meeting is not None else None
    return Issued(doc_id=doc_id, meeting_id=meeting_id, number=stored.number, document=document,
                  title=stored.title, docx=stored.content, file_name=stored.filename,
                  pdf=await _pdf(stored.content, stored.filename), items=items, unit_id=request.unit.id,
                  version=stored.version)


async def _pdf(data: bytes, name: str) -> bytes | None:
    """The PDF, or None: a failed conversion never loses the stored document's reply."""
    try:
        return await to_pdf(data, name)
    except Exception:
        log.exception("PDF conversion of %s failed", name)
        return None


async def pause(point: str) -> None:
    """Crash tests only: with CHIBO_TEST_PAUSE_AFTER=<point> ("render": before the transaction, "commit":
    after it, "pdf": after the conversion) say so on stderr and wait there, to be killed."""
    if os.environ.get(PAUSE_ENV) == point:
        print(f"{PAUSE_ENV}: paused after {point}", file=sys.stderr, flush=True)
        await asyncio.sleep(3600)


async def stored_delivery(store: DocumentsStore, unit: Unit, doc_id: int, *, pdf: bool = True) -> list[Outgoing]:
    """The files of a stored document (the .docx as stored, the PDF made again), captioned as when issued."""
    stored = await store.document(unit.id, doc_id)
    if stored is None or stored.content is None:
        return []
    number = f"Số {stored.number:02d}-{stored.doc_type}/{unit.code}" if stored.number else ""
    caption = f"{number} — {stored.title}" if number else stored.title
    out = [Outgoing(document=OutDocument(stored.filename, stored.content, caption, unit.id, doc_id))]
    converted = await _pdf(stored.content, stored.filename) if pdf else None
    if converted is not None:
        out.append(Outgoing(document=OutDocument(stored.filename.removesuffix(".docx") + ".pdf", converted,
                                                 unit_id=unit.id, doc_id=doc_id)))
    return out


def outgoing_documents(issued: Issued, caption: str | None = None) -> list[Outgoing]:
    """The .docx (captioned '<number> — <title>' unless told otherwise) and, when made, the PDF."""
    out = [Outgoing(document=OutDocument(issued.file_name, issued.docx,
                                         issued.caption if caption is None else caption,
                                         issued.unit_id, issued.doc_id))]
    if issued.pdf is not None:
        out.append(Outgoing(document=OutDocument(issued.file_name.removesuffix(".docx") + ".pdf", issued.pdf,
                                                 unit_id=issued.unit_id, doc_id=issued.doc_id)))
    return out


def pdf_note(issued: Issued) -> list[str]:
    """The line telling the user why there is no PDF, when there is none."""
    return [] if issued.pdf is not None else [NO_PDF_NOTE]
