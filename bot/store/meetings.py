"""Chi bộ meetings and their attendance."""

from __future__ import annotations

import json

from bot.store.base import Base
from bot.store.records import NewMeeting


class MeetingsStore(Base):
    async def _insert_meeting(self, unit_id: int, meeting: NewMeeting, doc_id: int) -> int:
        """The meetings row, its attendance and the link from the minutes' tasks; runs inside the caller's
        transaction (see DocumentsStore.save_document)."""
        cur = await self.conn.execute(
            "INSERT INTO meetings (unit_id, kind, period_year, period_month, topic, held_on, started_at, ended_at, "
            "answers, document_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, datetime('now'))",
            (unit_id, meeting.kind, meeting.period_year, meeting.period_month, meeting.topic, meeting.held_on,
             meeting.started_at, meeting.ended_at, json.dumps(meeting.answers, ensure_ascii=False), doc_id))
        meeting_id = cur.lastrowid
        assert meeting_id is not None
        await self.conn.executemany(
            "INSERT INTO attendance (meeting_id, person_name, status, reason) VALUES (?, ?, ?, ?)",
            [(meeting_id, *row) for row in meeting.attendance])
        await self.conn.execute("UPDATE deadlines SET meeting_id = ? WHERE document_id = ?", (meeting_id, doc_id))
        return meeting_id
