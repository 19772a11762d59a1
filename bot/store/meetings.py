"""Chi bộ meetings and their attendance."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from bot.store.base import Base
from bot.store.records import (
    AttendanceCount,
    Deadline,
    LoggedMeeting,
    MeetingAnswers,
    MeetingAttendance,
    NewMeeting,
    deadline_of,
    logged_meeting_of,
)

_LOGGED = "SELECT id, kind, period_year, period_month, held_on, topic FROM meetings"


class MeetingsStore(Base):
    async def _insert_meeting(self, unit_id: int, meeting: NewMeeting, doc_id: int) -> int:
        """The meetings row, its attendance and the link from the minutes' tasks; runs inside the caller's
        transaction (see DocumentsStore.save_document)."""
        meeting_id = await self._insert(
            "INSERT INTO meetings (unit_id, kind, period_year, period_month, topic, held_on, started_at, ended_at, "
            "answers, document_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (unit_id, meeting.kind, meeting.period_year, meeting.period_month, meeting.topic, meeting.held_on,
             meeting.started_at, meeting.ended_at, json.dumps(meeting.answers, ensure_ascii=False), doc_id,
             datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")))
        assert meeting_id is not None
        await self.conn.executemany(
            "INSERT INTO attendance (meeting_id, person_name, status, reason) VALUES (?, ?, ?, ?)",
            [(meeting_id, *row) for row in meeting.attendance])
        await self.conn.execute("UPDATE deadlines SET meeting_id = ? WHERE document_id = ?", (meeting_id, doc_id))
        return meeting_id

    async def _replace_meeting(self, unit_id: int, meeting: NewMeeting, doc_id: int) -> int | None:
        """A revised Biên bản: its meetings row and attendance rewritten in place (same meeting id, so the
        Nghị quyết / Kết luận written from it keep their link); runs inside the caller's transaction. A
        document that recorded no meeting gets one. Returns the meeting's id."""
        async with self.conn.execute("SELECT id FROM meetings WHERE unit_id = ? AND document_id = ? ORDER BY id "
                                     "LIMIT 1", (unit_id, doc_id)) as cur:
            row = await cur.fetchone()
        if row is None:
            return await self._insert_meeting(unit_id, meeting, doc_id)
        meeting_id: int = row["id"]
        await self.conn.execute(
            "UPDATE meetings SET kind = ?, period_year = ?, period_month = ?, topic = ?, held_on = ?, started_at = ?, "
            "ended_at = ?, answers = ? WHERE id = ?",
            (meeting.kind, meeting.period_year, meeting.period_month, meeting.topic, meeting.held_on,
             meeting.started_at, meeting.ended_at, json.dumps(meeting.answers, ensure_ascii=False), meeting_id))
        await self.conn.execute("DELETE FROM attendance WHERE meeting_id = ?", (meeting_id,))
        await self.conn.executemany(
            "INSERT INTO attendance (meeting_id, person_name, status, reason) VALUES (?, ?, ?, ?)",
            [(meeting_id, *r) for r in meeting.attendance])
        await self.conn.execute("UPDATE deadlines SET meeting_id = ? WHERE document_id = ?", (meeting_id, doc_id))
        return meeting_id

    # -- which meetings were held -----------------------------------------------------------------

    async def meetings_in_year(self, unit_id: int, year: int) -> list[LoggedMeeting]:
        """The meetings logged for periods of `year`, in the order they were held."""
        rows = await self._all(f"{_LOGGED} WHERE unit_id = ? AND period_year = ? ORDER BY held_on, id",
                               (unit_id, year))
        return [logged_meeting_of(r) for r in rows]

    async def meetings_between(self, unit_id: int, start: date, end: date) -> list[LoggedMeeting]:
        """The meetings held from `start` to `end` (both included), in the order they were held."""
        rows = await self._all(f"{_LOGGED} WHERE unit_id = ? AND held_on BETWEEN ? AND ? ORDER BY held_on",
                               (unit_id, start.isoformat(), end.isoformat()))
        return [logged_meeting_of(r) for r in rows]

    async def meetings_since(self, unit_id: int, since: date | None) -> list[LoggedMeeting]:
        """The meetings held on or after `since` (all of them when None), in the order they were held."""
        rows = await self._all(f"{_LOGGED} WHERE unit_id = ? AND held_on >= ? ORDER BY held_on, id",
                               (unit_id, since.isoformat() if since else "0000-00-00"))
        return [logged_meeting_of(r) for r in rows]

    async def previous_regular_meeting(self, unit_id: int) -> LoggedMeeting | None:
        """The regular meeting held last."""
        row = await self._one(f"{_LOGGED} WHERE unit_id = ? AND kind = 'thuong_ky' "
                              "ORDER BY held_on DESC, id DESC LIMIT 1", (unit_id,))
        return logged_meeting_of(row) if row else None

    async def regular_meeting_of_month(self, unit_id: int, year: int, month: int) -> LoggedMeeting | None:
        """The regular meeting logged last for the month `month`/`year`."""
        row = await self._one(f"{_LOGGED} WHERE unit_id = ? AND kind = 'thuong_ky' AND period_year = ? AND "
                              "period_month = ? ORDER BY id DESC LIMIT 1", (unit_id, year, month))
        return logged_meeting_of(row) if row else None

    async def meeting_answers(self, unit_id: int, meeting_id: int) -> MeetingAnswers | None:
        """The answers of the unit's meeting `meeting_id`."""
        row = await self._one("SELECT id, answers FROM meetings WHERE unit_id = ? AND id = ?", (unit_id, meeting_id))
        return MeetingAnswers(row["id"], json.loads(row["answers"])) if row else None

    async def last_meeting_answers(self, unit_id: int) -> MeetingAnswers | None:
        """The answers of the meeting held last."""
        row = await self._one("SELECT id, answers FROM meetings WHERE unit_id = ? "
                              "ORDER BY held_on DESC, id DESC LIMIT 1", (unit_id,))
        return MeetingAnswers(row["id"], json.loads(row["answers"])) if row else None

    async def last_places(self, unit_id: int, meetings: int = 10) -> list[str]:
        """Where the last `meetings` meetings were held, latest first (blank places left out, repeats kept)."""
        rows = await self._all("SELECT json_extract(answers, '$.place') AS place FROM meetings WHERE unit_id = ? "
                               "ORDER BY held_on DESC, id DESC LIMIT ?", (unit_id, meetings))
        return [r["place"] for r in rows if r["place"]]

    # -- what they decided and who came ------------------------------------------------------------

    async def meeting_tasks(self, meeting_id: int) -> list[Deadline]:
        """The deadlines a meeting gave, by due day."""
        rows = await self._all("SELECT * FROM deadlines WHERE meeting_id = ? ORDER BY due, id", (meeting_id,))
        return [deadline_of(r) for r in rows]

    async def meeting_tasks_between(self, unit_id: int, start: date, end: date) -> list[Deadline]:
        """The deadlines given by the meetings held from `start` to `end` (both included)."""
        rows = await self._all(
            "SELECT d.* FROM deadlines d JOIN meetings m ON m.id = d.meeting_id "
            "WHERE m.unit_id = ? AND m.held_on BETWEEN ? AND ?", (unit_id, start.isoformat(), end.isoformat()))
        return [deadline_of(r) for r in rows]

    async def attendance_per_member(self, unit_id: int, start: date, end: date) -> list[AttendanceCount]:
        """For each member and attendance status, the number of meetings held from `start` to `end`."""
        rows = await self._all(
            "SELECT a.person_name AS name, a.status AS status, COUNT(*) AS n FROM attendance a "
            "JOIN meetings m ON m.id = a.meeting_id WHERE m.unit_id = ? AND m.held_on BETWEEN ? AND ? "
            "GROUP BY a.person_name, a.status", (unit_id, start.isoformat(), end.isoformat()))
        return [AttendanceCount(r["name"], r["status"], r["n"]) for r in rows]

    async def attendance_per_meeting(self, unit_id: int, start: date, end: date) -> list[MeetingAttendance]:
        """For each meeting held from `start` to `end`, in the order they were held, its attendance counts."""
        rows = await self._all(
            "SELECT m.id AS id, m.kind AS kind, m.held_on AS held_on, "
            "COALESCE(SUM(CASE WHEN a.status = 'present' THEN 1 ELSE 0 END), 0) AS present, COALESCE(SUM(CASE WHEN a.status = 'excused' THEN 1 ELSE 0 END), 0) AS excused, "
            "COALESCE(SUM(CASE WHEN a.status = 'absent' THEN 1 ELSE 0 END), 0) AS absent, COALESCE(SUM(CASE WHEN a.status = 'exempt' THEN 1 ELSE 0 END), 0) AS exempt "
            "FROM meetings m LEFT JOIN attendance a ON a.meeting_id = m.id "
            "WHERE m.unit_id = ? AND m.held_on BETWEEN ? AND ? GROUP BY m.id ORDER BY m.held_on, m.id",
            (unit_id, start.isoformat(), end.isoformat()))
        return [MeetingAttendance(r["id"], r["kind"], date.fromisoformat(r["held_on"][:10]), r["present"],
                                  r["excused"], r["absent"], r["exempt"]) for r in rows]

    async def thematic_plans(self, unit_id: int) -> list[dict[str, Any]]:
        """The answers of the unit's yearly thematic plans, latest issued first."""
        rows = await self._all("SELECT answers FROM documents WHERE unit_id = ? AND kind = 'plan_thematic' "
                               "ORDER BY issued_on DESC, id DESC", (unit_id,))
        return [json.loads(r["answers"]) for r in rows]
