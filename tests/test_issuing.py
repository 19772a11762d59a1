"""Issuing a numbered document: the series, the file name, numbers under a race, one transaction, then the PDF."""

from __future__ import annotations

import asyncio
import sqlite3
import unicodedata
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot import issuing
from bot.documents import Document, Signature
from bot.issuing import Issued, IssueRequest, file_name, issue, outgoing_documents, pdf_note, series
from bot.store import IntegrityError, Store, Unit
from bot.store.records import NewMeeting

UNIT = {"kind": "chi_bo", "superior": "Đảng bộ xã Kim Phú", "name": "Chi bộ Xóm Định Thành", "code": "CB",
        "place": "Tuyên Quang", "signer_name": "Nguyễn Thị Thược", "signer_title": "BÍ THƯ", "spelling": "ủy"}
ISSUED = date(2026, 11, 20)
TASKS = [{"kind": "deadline", "title": "Nộp đảng phí", "due": "2026-11-30", "who": "Đ/c An", "source": "Biên bản"}]


def document(number: int | None) -> Document:
    return Document(superior="ĐẢNG BỘ XÃ KIM PHÚ", issuer="CHI BỘ XÓM ĐỊNH THÀNH",
                    number=f"Số {number:02d}-BB/CB" if number else "Số      -BB/CB",
                    place_date="Tuyên Quang, ngày 20 tháng 11 năm 2026", doc_type="BIÊN BẢN",
                    subject="Sinh hoạt chi bộ thường kỳ tháng 11 năm 2026", body="Nội dung.",
                    recipients=[], signature=Signature("T/M CHI BỘ", "BÍ THƯ", "Nguyễn Thị Thược"))


def meeting(kind: str = "thuong_ky") -> NewMeeting:
    return NewMeeting(kind=kind, period_year=2026, period_month=11, topic=None, held_on="2026-11-20",
                      started_at="08:00", ended_at="10:00", answers={},
                      attendance=(("Nguyễn Văn An", "present", None), ("Trần Thị Bình", "excused", "ốm")))


def request(unit: Unit, **changes: Any) -> IssueRequest:
    values: dict[str, Any] = dict(
        unit=unit, kind="minutes", doc_type="BB", issued_on=ISSUED, title="Biên bản sinh hoạt chi bộ",
        answers={"held_on": "2026-11-20"}, created_by="test:1", build=document, file_head="Biên bản",
        file_title="Sinh hoạt chi bộ thường kỳ tháng 11 năm 2026")
    return IssueRequest(**(values | changes))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "issuing.sqlite3"


@pytest.fixture
async def store(path: Path) -> AsyncIterator[Store]:
    store = await Store.open(str(path))
    yield store
    await store.close()


@pytest.fixture
async def unit(store: Store) -> Unit:
    unit = await store.get_unit(await store.create_unit(UNIT, []))
    assert unit is not None
    return unit


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    """What another connection sees: committed rows only."""
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def count(path: Path, table: str) -> int:
    return rows(path, f"SELECT COUNT(*) FROM {table}")[0][0]


def test_series_per_term_or_per_year() -> None:
    by_term = Unit(id=1, **UNIT, settings={})
    by_year = Unit(id=1, **UNIT, settings={"numbering": "year"})
    assert series(by_term, "KH", date(2023, 9, 5)) == "KH:2020-2025"
    assert series(by_term, "BB", date(2025, 1, 1)) == "BB:2025-2030"
    assert series(by_term, "NQ", date(2031, 12, 31)) == "NQ:2030-2035"
    assert series(by_year, "KL", date(2026, 11, 20)) == "KL:2026"


def test_file_names() -> None:
    assert file_name("Kế hoạch", 46, "KH", "ĐU", "Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2023") \
        == "Kế hoạch 46-KH-ĐU - Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2023.docx"
    assert file_name("Biên bản", 1, "BB", "CB", "Sinh hoạt chi bộ thường kỳ tháng 11 năm 2026") \
        == "Biên bản 01-BB-CB - Sinh hoạt chi bộ thường kỳ tháng 11 năm 2026.docx"
    assert file_name("Kế hoạch", None, "KH", "CB", "Sơ kết giữa nhiệm kỳ") == "Kế hoạch - Sơ kết giữa nhiệm kỳ.docx"
    assert file_name("Kế hoạch", 3, "KH", "A/B", 'Về “Ngày hội”:  đợt 1/2 <mới>?') \
        == "Kế hoạch 03-KH-A B - Về Ngày hội đợt 1 2 mới.docx"
    long = file_name("Kế hoạch", 7, "KH", "CB", "Tổ chức " * 40)
    assert len(long.removesuffix(".docx").encode()) <= issuing.NAME_BYTES  # bytes of UTF-8, not characters
    assert long.startswith("Kế hoạch 07-KH-CB - Tổ chức") and long.endswith(" Tổ chức Tổ.docx")  # whole words


@pytest.mark.parametrize("title", [
    "Tổ chức\x00sinh hoạt",  # NUL: "embedded null byte" when written
    "Tổ chức\u202esinh hoạt\u202c\u2066\u2069\u200b\u200d\ufeff",  # bidi overrides, zero-width characters
    "Tổ chức\nsinh\thoạt\r\x1b[31m",  # controls, a terminal escape
    "Tổ chức sinh hoạt " + "\U0001F600" * 80,  # 80 emoji: "File name too long" (4 bytes each)
    "..\\..//CON:*?\"<>|“”",  # separators, reserved characters, a reserved Windows name
    "\x00\u202e   ",  # nothing left of the title
    "To\u0302\u0301 chu\u031bc",  # decomposed (NFD) Vietnamese
    "\ud800 lone surrogate",
])
def test_file_names_are_safe_on_every_file_system(title: str, tmp_path: Path) -> None:
    name = file_name("Kế hoạch", 1, "KH", "CB", title)
    stem = name.removesuffix(".docx")
    assert stem.startswith("Kế hoạch 01-KH-CB")  # the type and number are always kept: never empty
    assert len(stem.encode()) <= issuing.NAME_BYTES
    assert unicodedata.is_normalized("NFC", name)
    assert not any(unicodedata.category(ch).startswith("C") for ch in name)
    assert not set('\\/:*?"<>|“”') & set(name)
    assert not stem.endswith((" ", ".")) and "  " not in name
    (tmp_path / name).write_bytes(b"x")  # and the file system takes it
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_file_names_of_nfd_and_bidi_titles() -> None:
    assert file_name("Kế hoạch", 1, "KH", "CB", "To\u0302\u0301 chu\u031b\u0301c") == "Kế hoạch 01-KH-CB - Tố chức.docx"
    assert file_name("Kế hoạch", 1, "KH", "CB", "abc\u202etxt.exe") == "Kế hoạch 01-KH-CB - abctxt.exe.docx"
    assert file_name("Kế hoạch", 1, "KH", "CB", "\x00") == "Kế hoạch 01-KH-CB.docx"


async def test_one_issue_stores_the_document_its_deadlines_and_its_meeting(store: Store, path: Path, unit: Unit) -> None:
    await store.save_draft("test", "c1", "u1", {"flow": "meeting"})
    done = await issue(store, request(unit, items=TASKS, meeting=meeting(), draft=("test", "c1", "u1")))
    assert (done.number, done.renumbered, done.pdf) == (1, False, None)
    assert done.file_name == "Biên bản 01-BB-CB - Sinh hoạt chi bộ thường kỳ tháng 11 năm 2026.docx"
    stored = await store.document(unit.id, done.doc_id)
    assert stored is not None and stored.content == done.docx
    assert (stored.number, stored.series, stored.issued_on, stored.filename) == (
        1, "BB:2025-2030", ISSUED, done.file_name)
    assert stored.answers == {"held_on": "2026-11-20"}  # no number asked for: the answers as given
    assert rows(path, "SELECT title, document_id, meeting_id FROM deadlines") == [
        ("Nộp đảng phí", done.doc_id, done.meeting_id)]
    assert count(path, "attendance") == 2
    assert await store.draft("test", "c1", "u1") is None
    assert done.items == TASKS
    assert [o.document.filename for o in outgoing_documents(done) if o.document] == [done.file_name]
    assert pdf_note(done) == [issuing.NO_PDF_NOTE]


async def test_a_failed_transaction_leaves_nothing_behind(store: Store, path: Path, unit: Unit) -> None:
    await store.save_draft("test", "c1", "u1", {"flow": "meeting"})
    with pytest.raises(IntegrityError):  # meetings.kind is checked by the schema
        await issue(store, request(unit, items=TASKS, meeting=meeting("bogus"), draft=("test", "c1", "u1")),
                    retries=0)
    for table in ("documents", "number_series", "deadlines", "meetings", "attendance"):
        assert count(path, table) == 0, table
    assert await store.draft("test", "c1", "u1") is not None


async def test_a_number_taken_meanwhile_and_no_retry_left_writes_nothing(
        store: Store, path: Path, unit: Unit, monkeypatch: pytest.MonkeyPatch) -> None:
    await issue(store, request(unit, number=5))

    async def looks_free(unit_id: int, series: str, number: int) -> bool:  # taken just after the check
        return False

    monkeypatch.setattr(store, "number_taken", looks_free)
    with pytest.raises(IntegrityError):
        await issue(store, request(unit, number=5, items=TASKS, meeting=meeting()), retries=0)
    assert (count(path, "documents"), count(path, "deadlines"), count(path, "meetings")) \
        == (1, 0, 0)


async def test_two_issues_racing_for_one_number_both_succeed(
        store: Store, path: Path, unit: Unit, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both see number 7 free; the second to commit gets IntegrityError, retries and is renumbered."""
    checked = asyncio.Barrier(2)
    number_taken = store.number_taken

    async def both_check_first(unit_id: int, series: str, number: int) -> bool:
        taken = await number_taken(unit_id, series, number)
        await checked.wait()
        return taken

    saves: list[int | None] = []
    save_document = store.save_document

    async def counted(doc: dict[str, Any], deadlines: list[dict[str, Any]], **kw: Any) -> tuple[int, int | None]:
        saves.append(doc["number"])
        return await save_document(doc, deadlines, **kw)

    monkeypatch.setattr(store, "number_taken", both_check_first)
    monkeypatch.setattr(store, "save_document", counted)
    first, second = sorted(await asyncio.gather(
        issue(store, request(unit, number=7, answers={"number": 7}, items=TASKS, meeting=meeting())),
        issue(store, request(unit, number=7, answers={"number": 7}, items=TASKS, meeting=meeting()))),
        key=lambda done: done.doc_id)
    assert saves == [7, 7, 8]  # the second attempt at 7 failed on the UNIQUE constraint
    assert (first.number, first.renumbered) == (7, False)
    assert (second.number, second.renumbered) == (8, True)
    assert second.document.number == "Số 08-BB/CB" and second.file_name.startswith("Biên bản 08-BB-CB")
    stored = await store.document(unit.id, second.doc_id)
    assert stored is not None and stored.answers == {"number": 8}  # the number asked for is the number given
    assert (count(path, "documents"), count(path, "deadlines"), count(path, "meetings")) \
        == (2, 2, 2)


async def test_a_number_already_taken_is_replaced_by_the_next_free_one(store: Store, unit: Unit) -> None:
    await issue(store, request(unit, number=3))
    again = await issue(store, request(unit, number=3))
    assert (again.number, again.renumbered) == (4, True)
    unnumbered = await issue(store, request(unit, numbered=False))
    assert (unnumbered.number, unnumbered.renumbered) == (None, False)
    assert unnumbered.file_name == "Biên bản - Sinh hoạt chi bộ thường kỳ tháng 11 năm 2026.docx"
    assert (await issue(store, request(unit))).number == 5


async def test_items_computed_from_the_rendered_document(store: Store, unit: Unit) -> None:
    def items_of(doc: Document, number: int | None) -> list[dict[str, Any]]:
        return [{"kind": "deadline", "title": doc.number, "due": "2026-12-01", "source": f"số {number}"}]

    done = await issue(store, request(unit, items_of=items_of))
    assert done.items == [{"kind": "deadline", "title": "Số 01-BB/CB", "due": "2026-12-01", "source": "số 1"}]


async def test_the_pdf_is_made_after_the_commit(
        store: Store, unit: Unit, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []

    async def to_pdf(data: bytes, name: str) -> bytes:
        seen.append(count(path, "documents"))
        return b"%PDF-1.7"

    monkeypatch.setattr(issuing, "to_pdf", to_pdf)
    done: Issued = await issue(store, request(unit))
    assert seen == [1] and done.pdf == b"%PDF-1.7" and pdf_note(done) == []
    assert [o.document.filename for o in outgoing_documents(done) if o.document] == [
        done.file_name, done.file_name.removesuffix(".docx") + ".pdf"]
