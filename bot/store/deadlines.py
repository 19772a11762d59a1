"""Deadlines, events and periods of a unit (the tracker)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import aiosqlite

from bot.store.base import Base
from bot.store.records import Deadline, NewDeadline, Person, deadline_of
from bot.tasks import person_of

COLUMNS = ("id, unit_id, kind, title, due, start, at_time, assignee, source, status, snoozed_until, document_id, "
           "person_id, done_at, done_by, done_by_name")


async def match_people(conn: aiosqlite.Connection, unit_id: int, ids: Iterable[int] = ()) -> None:
    """Set the roster member of the unit's items: of those in `ids` (matched again, their who may have changed)
    and of every open item not matched yet (bot/tasks.py). Runs inside the caller's transaction, if any."""
    async with conn.execute("SELECT id, name, status, exempt FROM people WHERE unit_id = ?", (unit_id,)) as cur:
        roster = [Person(r["id"], r["name"], r["status"], bool(r["exempt"])) for r in await cur.fetchall()]
    again = sorted(set(ids))
    marks = ", ".join("?" for _ in again)
    async with conn.execute(
            "SELECT id, title, assignee, person_id FROM deadlines WHERE unit_id = ? AND duty IS NULL AND "
            f"((status = 'open' AND person_id IS NULL){f' OR id IN ({marks})' if again else ''})",
            (unit_id, *again)) as cur:
        rows = list(await cur.fetchall())
    changes = []
    for r in rows:
        person = person_of(r["assignee"], r["title"], roster)
        if person != r["person_id"]:
            changes.append((person, r["id"]))
    await conn.executemany("UPDATE deadlines SET person_id = ? WHERE id = ?", changes)


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
        """Add one item, matched to the roster member it is assigned to (bot/tasks.py)."""
        async with self.transaction() as conn:
            deadline_id = await self._insert(
                "INSERT INTO deadlines (title, kind, due, start, at_time, assignee, unit_id, source, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (*_values(item), unit_id, source, created_at))
            assert deadline_id is not None
            await match_people(conn, unit_id)
        return deadline_id

    async def add_deadlines(self, unit_id: int, items: list[NewDeadline], *, source: str, created_at: str) -> None:
        async with self.transaction() as conn:
            await conn.executemany(
                "INSERT INTO deadlines (title, kind, due, start, at_time, assignee, unit_id, source, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [(*_values(i), unit_id, source, created_at) for i in items])
            await match_people(conn, unit_id)

    async def update_deadline(self, unit_id: int, deadline_id: int, item: NewDeadline) -> None:
        async with self.transaction() as conn:
            await conn.execute(
                "UPDATE deadlines SET title = ?, kind = ?, due = ?, start = ?, at_time = ?, assignee = ? "
                "WHERE id = ? AND unit_id = ?", (*_values(item), deadline_id, unit_id))
            await match_people(conn, unit_id, [deadline_id])

    async def mark_deadline_done(self, unit_id: int, deadline_id: int, done_at: str, *, by: str | None = None,
                                 by_name: str | None = None) -> bool:
        """Mark an open item done, with who did it ("channel:user" and a name to show); False when it was not
        open (done already, or gone)."""
        cur = await self.conn.execute(
            "UPDATE deadlines SET status = 'done', done_at = ?, done_by = ?, done_by_name = ? "
            "WHERE id = ? AND unit_id = ? AND status = 'open'", (done_at, by, by_name, deadline_id, unit_id))
        changed = cur.rowcount == 1
        await cur.close()
        return changed

    async def person_tasks(self, unit_id: int, person_id: int) -> list[Deadline]:
        """The open items assigned to one roster member, overdue first (by day), then by day."""
        rows = await self._all(
            f"SELECT {COLUMNS} FROM deadlines WHERE unit_id = ? AND person_id = ? AND status = 'open' "
            "ORDER BY due, COALESCE(start, due), at_time, id", (unit_id, person_id))
        return [deadline_of(r) for r in rows]

    async def done_recently(self, unit_id: int, since: str, limit: int) -> list[Deadline]:
        """Items marked done at or after `since` (an ISO instant), the latest first."""
        rows = await self._all(
            f"SELECT {COLUMNS} FROM deadlines WHERE unit_id = ? AND status = 'done' AND done_at >= ? "
            "ORDER BY done_at DESC, id DESC LIMIT ?", (unit_id, since, limit))
        return [deadline_of(r) for r in rows]

    async def last_reminded_item(self, channel: str, chat_id: str) -> int | None:
        """The item of the latest reminder sent to a chat (to read a bare “xong” after it)."""
        row = await self._one(
            "SELECT key FROM reminder_log WHERE channel = ? AND chat_id = ? AND key LIKE 'dl:%' "
            "AND sent_at IS NOT NULL ORDER BY sent_at DESC LIMIT 1", (channel, chat_id))
        if row is None:
            return None
        ident = row["key"].split(":")[1]
        return int(ident) if ident.isdigit() else None

    async def snooze_deadline(self, unit_id: int, deadline_id: int, until: date) -> None:
        """No reminder of the item before `until` (then one on that day)."""
        await self.conn.execute("UPDATE deadlines SET snoozed_until = ? WHERE id = ? AND unit_id = ?",
                                (until.isoformat(), deadline_id, unit_id))

    async def delete_deadline(self, unit_id: int, deadline_id: int) -> None:
        await self.conn.execute("DELETE FROM deadlines WHERE id = ? AND unit_id = ?", (deadline_id, unit_id))


def _values(item: NewDeadline) -> tuple[str, str, str, str | None, str | None, str | None]:
    return (item.title, item.kind, item.due.isoformat(), item.start.isoformat() if item.start else None,
            item.at_time, item.assignee)
