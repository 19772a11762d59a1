"""Deadlines, events and periods of a unit (the tracker)."""

from __future__ import annotations

from datetime import date

from bot.store.base import Base
from bot.store.records import Deadline, NewDeadline, deadline_of

COLUMNS = "id, unit_id, kind, title, due, start, at_time, assignee, source, status, snoozed_until, document_id"


class DeadlinesStore(Base):
    async def deadlines_between(self, unit_id: int, first: date, last: date) -> list[Deadline]:
        """Open items due or running between two days (periods that overlap them included)."""
        rows = await self._all(
            f"SELECT {COLUMNS} FROM deadlines WHERE unit_id = ? AND status = 'open' AND due >= ? "
            "AND COALESCE(start, due) <= ? ORDER BY due, at_time, id",
            (unit_id, first.isoformat(), last.isoformat()))
        return [deadline_of(r) for r in rows]

    async def overdue_deadlines(self, unit_id: int, today: date) -> list[Deadline]:
        """Open deadlines and periods whose due day is before `today` (events are not 'overdue')."""
        rows = await self._all(
            f"SELECT {COLUMNS} FROM deadlines WHERE unit_id = ? AND status = 'open' AND due < ? "
            "AND kind != 'event' ORDER BY due, id", (unit_id, today.isoformat()))
        return [deadline_of(r) for r in rows]

    async def deadlines_after(self, unit_id: int, after: date, limit: int) -> list[Deadline]:
        """Open items starting after `after`, the first `limit` of them."""
        rows = await self._all(
            f"SELECT {COLUMNS} FROM deadlines WHERE unit_id = ? AND status = 'open' AND COALESCE(start, due) > ? "
            "ORDER BY due, id LIMIT ?", (unit_id, after.isoformat(), limit))
        return [deadline_of(r) for r in rows]

    async def tracked_deadlines(self, unit_id: int, since: date, limit: int) -> list[Deadline]:
        """The items a question in words is matched against: every open item, and the items done that were
        due on or after `since`; open first, each group by due day, at most `limit`."""
        rows = await self._all(
            f"SELECT {COLUMNS} FROM deadlines WHERE unit_id = ? AND (status = 'open' OR due >= ?) "
            "ORDER BY status = 'done', due, id LIMIT ?", (unit_id, since.isoformat(), limit))
        return [deadline_of(r) for r in rows]

    async def deadline(self, deadline_id: int, unit_id: int | None = None) -> Deadline | None:
        """One item by id (of the unit, when given)."""
        if unit_id is None:
            row = await self._one("SELECT * FROM deadlines WHERE id = ?", (deadline_id,))
        else:
            row = await self._one("SELECT * FROM deadlines WHERE unit_id = ? AND id = ?", (unit_id, deadline_id))
        return deadline_of(row) if row is not None else None

    async def add_deadline(self, unit_id: int, item: NewDeadline, *, source: str, created_at: str) -> int:
        cur = await self.conn.execute(
            "INSERT INTO deadlines (title, kind, due, start, at_time, assignee, unit_id, source, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (*_values(item), unit_id, source, created_at))
        deadline_id = cur.lastrowid
        await cur.close()
        assert deadline_id is not None
        return deadline_id

    async def add_deadlines(self, unit_id: int, items: list[NewDeadline], *, source: str, created_at: str) -> None:
        await self.conn.executemany(
            "INSERT INTO deadlines (title, kind, due, start, at_time, assignee, unit_id, source, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [(*_values(i), unit_id, source, created_at) for i in items])

    async def update_deadline(self, unit_id: int, deadline_id: int, item: NewDeadline) -> None:
        await self.conn.execute(
            "UPDATE deadlines SET title = ?, kind = ?, due = ?, start = ?, at_time = ?, assignee = ? "
            "WHERE id = ? AND unit_id = ?", (*_values(item), deadline_id, unit_id))

    async def mark_deadline_done(self, unit_id: int, deadline_id: int, done_at: str) -> None:
        await self.conn.execute("UPDATE deadlines SET status = 'done', done_at = ? WHERE id = ? AND unit_id = ?",
                                (done_at, deadline_id, unit_id))

    async def snooze_deadline(self, unit_id: int, deadline_id: int, until: date) -> None:
        """No reminder of the item before `until` (then one on that day)."""
        await self.conn.execute("UPDATE deadlines SET snoozed_until = ? WHERE id = ? AND unit_id = ?",
                                (until.isoformat(), deadline_id, unit_id))

    async def delete_deadline(self, unit_id: int, deadline_id: int) -> None:
        await self.conn.execute("DELETE FROM deadlines WHERE id = ? AND unit_id = ?", (deadline_id, unit_id))


def _values(item: NewDeadline) -> tuple[str, str, str, str | None, str | None, str | None]:
    return (item.title, item.kind, item.due.isoformat(), item.start.isoformat() if item.start else None,
            item.at_time, item.assignee)
