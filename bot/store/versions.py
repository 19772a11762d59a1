"""Versions of an issued document: a revision rewrites the `documents` row in place (same id, number and
series, `version` + 1) and keeps the version it replaces, file included, in `document_versions`.

The row keeping its id means everything pointing at the document follows the revision without being
touched: its deadlines, the meeting a Biên bản recorded, the Nghị quyết written from that meeting, links
and shares. The (unit, series, number) uniqueness of `documents` holds for the current versions; the
earlier ones keep their number beside it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.store.audit import write_note
from bot.store.base import now_text
from bot.store.deadlines import match_people
from bot.store.meetings import MeetingsStore
from bot.store.records import AuditNote, Deadline, DeadlineChanges, DocumentVersion, NewMeeting, deadline_of

if TYPE_CHECKING:
    from bot.revisions import ItemPlan


class AlreadyIssued(Exception):
    """The draft was issued already (a repeated confirm, another process): nothing new was written."""

    def __init__(self, document_id: int):
        super().__init__(document_id)
        self.document_id = document_id


class VersionConflict(Exception):
    """The version a revision was opened from is no longer the current one (or the document is gone)."""

    def __init__(self, current: int | None):
        super().__init__(current)
        self.current = current


_VERSION = ("id, document_id, unit_id, version, number, issued_on, title, filename, made_at, superseded_at")


class VersionsStore(MeetingsStore):
    async def _check_draft(self, draft: tuple[str, str, str] | None) -> None:
        """Inside a transaction: AlreadyIssued when the draft was issued as a document already."""
        if draft is None:
            return
        async with self.conn.execute("SELECT document_id FROM drafts WHERE channel = ? AND chat_id = ? "
                                     "AND user_id = ? AND document_id IS NOT NULL", draft) as cur:
            done = await cur.fetchone()
        if done is not None:
            raise AlreadyIssued(done["document_id"])

    async def _mark_draft(self, draft: tuple[str, str, str] | None, doc_id: int) -> None:
        if draft is not None:  # kept, marked issued: a repeated confirm finds nothing left to issue
            await self.conn.execute(
                "UPDATE drafts SET document_id = ?, delivered_at = NULL "
                "WHERE channel = ? AND chat_id = ? AND user_id = ?", (doc_id, *draft))

    async def revise_document(self, unit_id: int, doc_id: int, base_version: int, doc: dict[str, Any],
                              items: Sequence[dict[str, Any]], match: Callable[[list[Deadline], list[dict[str, Any]]],
                                                                             ItemPlan], *,
                              meeting: NewMeeting | None = None, draft: tuple[str, str, str] | None = None,
                              audit: AuditNote | None = None) -> tuple[int, int | None, DeadlineChanges]:
        """Re-issue document `doc_id` (opened at version `base_version`) in ONE transaction: the current
        version copied into `document_versions`, the row rewritten with `doc` (issued_on, title, answers,
        filename, content, revised_by) as version + 1, its dated items replaced as `match(old rows, items)`
        says, the meeting it records rewritten (not duplicated), the record of the chats it was shared with
        cleared (so it can be shared again), and the draft marked with the document.

        Returns (the new version, the meeting id or None, what happened to the dated items). Raises
        AlreadyIssued when the draft was issued already, VersionConflict when `base_version` is no longer
        the current one; nothing is then written.
        """
        async with self.transaction() as conn:
            await self._check_draft(draft)
            async with conn.execute("SELECT * FROM documents WHERE unit_id = ? AND id = ?", (unit_id, doc_id)) as cur:
                current = await cur.fetchone()
            if current is None or current["version"] != base_version:
                raise VersionConflict(current["version"] if current is not None else None)
            made_by = current["revised_by"] or current["created_by"]
            made_at = current["revised_at"] or current["created_at"]
            now = now_text()
            version = base_version + 1
            # A compare-and-set on the version, first: a revision confirmed meanwhile in another process makes it
            # change nothing (PostgreSQL waits for that one to commit, then sees its version).
            cur = await conn.execute(
                "UPDATE documents SET issued_on = ?, title = ?, answers = ?, filename = ?, content = ?, version = ?, "
                "revised_at = ?, revised_by = ? WHERE id = ? AND version = ?",
                (doc["issued_on"], doc["title"], json.dumps(doc["answers"], ensure_ascii=False), doc["filename"],
                 doc["content"], version, now, doc["revised_by"], doc_id, base_version))
            if cur.rowcount != 1:
                raise VersionConflict(await self._version_of(doc_id))
            await conn.execute(
                "INSERT INTO document_versions (document_id, unit_id, version, number, issued_on, title, answers, "
                "filename, content, made_by, made_at, superseded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc_id, unit_id, current["version"], current["number"], current["issued_on"], current["title"],
                 current["answers"], current["filename"], current["content"], made_by, made_at, now))
            changes = await self._replace_items(unit_id, doc_id, list(items), match)
            meeting_id = await self._replace_meeting(unit_id, meeting, doc_id) if meeting else None
            # The chats sent the earlier version may be sent this one ("Gửi cho chi bộ" again); rows still
            # waiting send the current version anyway.
            await conn.execute("DELETE FROM outbox WHERE doc_id = ? AND sent_at IS NOT NULL", (doc_id,))
            await self._mark_draft(draft, doc_id)
            if audit is not None:
                await write_note(conn, audit)
        return version, meeting_id, changes

    async def _version_of(self, doc_id: int) -> int | None:
        row = await self._one("SELECT version FROM documents WHERE id = ?", (doc_id,))
        return row["version"] if row else None

    async def _replace_items(self, unit_id: int, doc_id: int, items: list[dict[str, Any]],
                             match: Callable[[list[Deadline], list[dict[str, Any]]], ItemPlan]) -> DeadlineChanges:
        async with self.conn.execute("SELECT * FROM deadlines WHERE unit_id = ? AND document_id = ? ORDER BY id",
                                     (unit_id, doc_id)) as cur:
            old = [deadline_of(r) for r in await cur.fetchall()]
        plan = match(old, items)
        meeting = next((d.meeting_id for d in old if d.meeting_id is not None), None)
        for row_id, item in plan.keep + plan.update:
            await self.conn.execute(
                "UPDATE deadlines SET kind = ?, title = ?, due = ?, start = ?, at_time = ?, assignee = ?, source = ? "
                "WHERE id = ? AND unit_id = ?",
                (item["kind"], item["title"], item["due"], item.get("start"), item.get("time"), item.get("who"),
                 item.get("source", ""), row_id, unit_id))
        await self.conn.executemany("DELETE FROM deadlines WHERE id = ? AND unit_id = ?",
                                    [(row_id, unit_id) for row_id in plan.drop])
        await self.conn.executemany(
            "INSERT INTO deadlines (unit_id, kind, title, due, start, at_time, assignee, document_id, meeting_id, "
            "source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(unit_id, d["kind"], d["title"], d["due"], d.get("start"), d.get("time"), d.get("who"), doc_id, meeting,
              d.get("source", ""), now_text()) for d in plan.add])
        await match_people(self.conn, unit_id, [row_id for row_id, _ in plan.keep + plan.update])
        return DeadlineChanges(kept=len(plan.keep), updated=len(plan.update), added=len(plan.add),
                               dropped=len(plan.drop))

    async def document_versions(self, unit_id: int, doc_id: int) -> list[DocumentVersion]:
        """The earlier versions of a document, oldest first, without their content."""
        rows = await self._all(f"SELECT {_VERSION} FROM document_versions WHERE unit_id = ? AND document_id = ? "
                               "ORDER BY version", (unit_id, doc_id))
        return [_version(r) for r in rows]

    async def document_version(self, unit_id: int, doc_id: int, version: int) -> DocumentVersion | None:
        """One earlier version of a document, with its content."""
        row = await self._one(f"SELECT {_VERSION}, content FROM document_versions WHERE unit_id = ? AND "
                              "document_id = ? AND version = ?", (unit_id, doc_id, version))
        return _version(row) if row else None

    async def resolutions_of_meeting(self, unit_id: int, meeting_id: int) -> list[tuple[int, str, int | None]]:
        """(id, doc type, number) of the Nghị quyết / Kết luận written from a meeting, in the order issued."""
        rows = await self._all("SELECT id, doc_type, number FROM documents WHERE unit_id = ? AND kind = 'resolution' "
                               "AND CAST(json_extract(answers, '$.meeting_id') AS TEXT) = ? ORDER BY id",
                               (unit_id, str(meeting_id)))
        return [(r["id"], r["doc_type"], r["number"]) for r in rows]


def _version(row: sqlite3.Row) -> DocumentVersion:
    return DocumentVersion(
        id=row["id"], document_id=row["document_id"], unit_id=row["unit_id"], version=row["version"],
        number=row["number"], issued_on=date.fromisoformat(row["issued_on"]), title=row["title"],
        filename=row["filename"], made_at=row["made_at"], superseded_at=row["superseded_at"],
        content=row["content"] if "content" in row.keys() else None)
