"""Issued documents, their number series, and the dated items a document creates."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import Any

import psycopg

from bot.store.audit import write_note
from bot.store.base import now_text
from bot.store.deadlines import match_people
from bot.store.records import AuditNote, NewMeeting, StoredDocument
from bot.store.versions import AlreadyIssued, VersionConflict, VersionsStore

NUMBER_MAX = 9999  # a document number; larger ones (typed before this bound existed) are not counted
ROWID_MAX = 2**63 - 1  # SQLite's INTEGER


__all__ = ["NUMBER_MAX", "AlreadyIssued", "DocumentsStore", "VersionConflict", "number_clash", "stored_document"]


def number_clash(exc: Exception) -> bool:
    """Is this IntegrityError the number of a document taken already in its series (on either engine)?"""
    if isinstance(exc, psycopg.IntegrityError):
        return exc.diag.constraint_name == "documents_unit_id_series_number_key"
    return "UNIQUE constraint failed: documents" in str(exc)


class DocumentsStore(VersionsStore):  # a document may record a meeting in its transaction; revisions
    async def next_number(self, unit_id: int, series: str) -> int:
        """The next free number: numbers are never reused, even after a higher one was typed by hand."""
        row = await self._one(
            "SELECT MAX(n) AS n FROM (SELECT last AS n FROM number_series WHERE unit_id = ? AND series = ? "
            "AND last <= ? UNION ALL SELECT MAX(number) FROM documents WHERE unit_id = ? AND series = ? "
            "AND number <= ?) AS known",
            (unit_id, series, NUMBER_MAX, unit_id, series, NUMBER_MAX),
        )
        return ((row["n"] if row else None) or 0) + 1

    async def number_taken(self, unit_id: int, series: str, number: int) -> bool:
        if not 0 < number <= ROWID_MAX:
            return False
        row = await self._one(
            "SELECT 1 FROM documents WHERE unit_id = ? AND series = ? AND number = ?", (unit_id, series, number)
        )
        return row is not None

    async def save_document(self, doc: dict[str, Any], deadlines: list[dict[str, Any]], *,
                            meeting: NewMeeting | None = None, draft: tuple[str, str, str] | None = None,
                            audit: AuditNote | None = None) -> tuple[int, int | None]:
        """Store a finished document in ONE transaction with everything it creates: its number in the
        series, its dated items, the meeting it records (with attendance) and the completion of the draft
        it came from (the draft row is marked with the document's id, see bot/store/drafts.py). Returns (document id, meeting id or None).

        Raises IntegrityError (bot/store/base.py) when the number was taken meanwhile, AlreadyIssued when the draft
        was issued already; nothing is then written.
        """
        async with self.transaction() as conn:
            await self._check_draft(draft)
            doc_id = await self._insert(
                "INSERT INTO documents (unit_id, kind, doc_type, series, number, issued_on, title, answers, "
                "filename, content, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc["unit_id"], doc["kind"], doc["doc_type"], doc["series"], doc.get("number"), doc["issued_on"],
                 doc["title"], json.dumps(doc["answers"], ensure_ascii=False), doc["filename"], doc["content"],
                 doc["created_by"], now_text()),
            )
            assert doc_id is not None
            if doc.get("number") is not None:
                await conn.execute(
                    "INSERT INTO number_series (unit_id, series, last) VALUES (?, ?, ?) "
                    "ON CONFLICT (unit_id, series) DO UPDATE SET last = CASE WHEN excluded.last > number_series.last "
                    "THEN excluded.last ELSE number_series.last END",
                    (doc["unit_id"], doc["series"], doc["number"]),
                )
            await conn.executemany(
                "INSERT INTO deadlines (unit_id, kind, title, due, start, at_time, assignee, document_id, source, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(doc["unit_id"], d["kind"], d["title"], d["due"], d.get("start"), d.get("time"), d.get("who"),
                  doc_id, d.get("source", ""), now_text()) for d in deadlines],
            )
            if deadlines:
                await match_people(conn, doc["unit_id"])
            meeting_id = await self._insert_meeting(doc["unit_id"], meeting, doc_id) if meeting else None
            await self._mark_draft(draft, doc_id)
            if audit is not None:  # who issued it: the trail's line commits with the document
                await write_note(conn, audit)
        return doc_id, meeting_id

    async def meeting_of_document(self, doc_id: int) -> int | None:
        """The meeting a document (its minutes) recorded."""
        row = await self._one("SELECT id FROM meetings WHERE document_id = ? ORDER BY id LIMIT 1", (doc_id,))
        return row["id"] if row else None

    async def documents(self, unit_id: int, limit: int = 20) -> list[StoredDocument]:
        """The unit's latest documents, newest first, without their answers and content."""
        rows = await self._all(
            f"SELECT {LISTED} FROM documents WHERE unit_id = ? ORDER BY id DESC LIMIT ?", (unit_id, limit))
        return [stored_document(r) for r in rows]

    async def document(self, unit_id: int, doc_id: int) -> StoredDocument | None:
        if not 0 < doc_id <= ROWID_MAX:  # an id typed by hand that no row can have
            return None
        row = await self._one("SELECT * FROM documents WHERE unit_id = ? AND id = ?", (unit_id, doc_id))
        return stored_document(row) if row else None

    async def last_document_with(self, unit_id: int, key: str, kind_prefix: str = "") -> StoredDocument | None:
        """The unit's latest document whose answers hold a non-empty `key` (of the kinds starting with kind_prefix)."""
        pattern = kind_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        path = "$." + key
        row = await self._one(
            "SELECT * FROM documents WHERE unit_id = ? AND kind LIKE ? ESCAPE '\\' "
            "AND json_extract(answers, ?) IS NOT NULL AND json_extract(answers, ?) NOT IN ('', '[]') "
            "ORDER BY id DESC LIMIT 1", (unit_id, pattern, path, path))
        return stored_document(row) if row else None

    async def document_by_number(self, unit_id: int, doc_type: str, number: int) -> StoredDocument | None:
        """The latest document of this type and number (numbers restart each term)."""
        if not 0 < number <= ROWID_MAX:
            return None
        row = await self._one(
            "SELECT * FROM documents WHERE unit_id = ? AND doc_type = ? AND number = ? ORDER BY id DESC LIMIT 1",
            (unit_id, doc_type, number),
        )
        return stored_document(row) if row else None


LISTED = ("id, unit_id, kind, doc_type, series, number, issued_on, title, filename, created_by, created_at, version, "
          "revised_at")


def stored_document(row: sqlite3.Row) -> StoredDocument:
    keys = set(row.keys())
    return StoredDocument(
        id=row["id"], unit_id=row["unit_id"], kind=row["kind"], doc_type=row["doc_type"], series=row["series"],
        number=row["number"], issued_on=date.fromisoformat(row["issued_on"]), title=row["title"],
        filename=row["filename"], answers=json.loads(row["answers"]) if "answers" in keys else {},
        content=row["content"] if "content" in keys else None, created_by=row["created_by"],
        created_at=row["created_at"], version=row["version"] if "version" in keys else 1,
        revised_at=row["revised_at"] if "revised_at" in keys else None)
