"""The reminder log, recurring duties, linked group chats, and what the reminder sweep reads.

The log's claim is ONE statement (``INSERT … SELECT … ON CONFLICT DO NOTHING``): it both decides (the
item is still open, the pair is not logged yet) and records, so no transaction is held across the
sweep's awaits (see bot/reminders/__init__.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from bot.store.base import Base
from bot.store.records import Deadline, ReminderClaim, deadline_of

T = TypeVar("T")
MEETING_DUTIES = ("sinh_hoat", "chuyen_de")


def _wall() -> datetime:
    """Real time, for record stamps (creation, claim, confirmation), whatever the clock says."""
    return datetime.now(UTC)


def _chunks(values: list[T], size: int = 400) -> Iterator[list[T]]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _marks(values: list[Any]) -> str:
    return ", ".join("?" for _ in values)


def chat_key(channel: str, chat_id: str) -> str:
    """How a linked chat is named in its unit's settings["linked_at"]: "telegram:-100…"."""
    return f"{channel}:{chat_id}"


class RemindersStore(Base):
    # -- the reminder log: claim → send → confirm ----------------------------------------------

    async def logged_reminders(self, channel: str, keys: Iterable[str]) -> set[tuple[str, str]]:
        """The (key, chat) pairs of the log among `keys`, claimed or confirmed."""
        logged: set[tuple[str, str]] = set()
        for chunk in _chunks(sorted(set(keys))):
            rows = await self._all(
                f"SELECT key, chat_id FROM reminder_log WHERE channel = ? AND key IN ({_marks(chunk)})",
                (channel, *chunk))
            logged |= {(r["key"], r["chat_id"]) for r in rows}
        return logged

    async def claim_reminder(self, channel: str, key: str, chat_id: str, unit_id: int, scheduled_for: datetime,
                             late: bool, deadline_id: int | None = None) -> bool:
        """Record (key, chat) as claimed, unless it is logged already or its item is no longer open.

        One statement, hence one transaction that decides and records; True when this call claimed it.
        """
        params = (key, channel, chat_id, unit_id, scheduled_for.isoformat(),
                  _wall().isoformat(timespec="microseconds"), int(late))
        columns = "INSERT INTO reminder_log (key, channel, chat_id, unit_id, scheduled_for, claimed_at, late) "
        if deadline_id is None:
            cur = await self.conn.execute(columns + "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", params)
        else:
            cur = await self.conn.execute(
                columns + "SELECT ?, ?, ?, ?, ?, ?, ? FROM deadlines WHERE id = ? AND status = 'open' "
                "ON CONFLICT DO NOTHING", (*params, deadline_id))
        claimed = cur.rowcount == 1
        await cur.close()
        return claimed

    async def confirm_reminder(self, channel: str, key: str, chat_id: str, late: bool) -> None:
        """The message was sent: write ``sent_at``."""
        await self.conn.execute(
            "UPDATE reminder_log SET sent_at = ?, late = ? WHERE key = ? AND channel = ? AND chat_id = ?",
            (_wall().isoformat(timespec="microseconds"), int(late), key, channel, chat_id))

    async def drop_reminder(self, channel: str, key: str, chat_id: str) -> None:
        """Forget an unconfirmed claim (its item is gone, or the chat refuses the bot)."""
        await self.conn.execute(
            "DELETE FROM reminder_log WHERE key = ? AND channel = ? AND chat_id = ? AND sent_at IS NULL",
            (key, channel, chat_id))

    async def unconfirmed_reminders(self, channel: str, chat_id: str | None = None) -> list[ReminderClaim]:
        """Claimed rows never confirmed (of one chat, when given)."""
        rows = await self._all(
            "SELECT key, chat_id, unit_id, scheduled_for, claimed_at, late FROM reminder_log "
            "WHERE sent_at IS NULL AND channel = ?" + (" AND chat_id = ?" if chat_id else ""),
            (channel, chat_id) if chat_id else (channel,))
        return [ReminderClaim(r["key"], r["chat_id"], r["unit_id"], r["scheduled_for"], r["claimed_at"],
                              bool(r["late"])) for r in rows]

    # -- what the sweep reads ------------------------------------------------------------------

    async def owner_chats(self, channel: str, chat_id: str | None = None) -> list[tuple[int, str, str | None]]:
        """(unit, private chat, account created_at) of every owner account on the channel."""
        rows = await self._all(
            "SELECT unit_id, user_id AS chat_id, created_at FROM accounts WHERE channel = ? AND role = 'owner'"
            + (" AND user_id = ?" if chat_id else ""), (channel, *((chat_id,) if chat_id else ())))
        return [(r["unit_id"], str(r["chat_id"]), r["created_at"]) for r in rows]

    async def member_chats(self, channel: str, chat_id: str | None = None) -> list[tuple[int, str, str | None, int]]:
        """(unit, private chat, account created_at, roster member) of every account on the channel that is a roster
        member and not the unit's owner (who hears of every item already): its own items are reminded to it."""
        rows = await self._all(
            "SELECT unit_id, user_id AS chat_id, created_at, person_id FROM accounts WHERE channel = ? "
            "AND role != 'owner' AND person_id IS NOT NULL" + (" AND user_id = ?" if chat_id else ""),
            (channel, *((chat_id,) if chat_id else ())))
        return [(r["unit_id"], str(r["chat_id"]), r["created_at"], r["person_id"]) for r in rows]

    async def linked_chat_ids(self, channel: str, chat_id: str | None = None) -> set[str]:
        rows = await self._all(
            "SELECT chat_id FROM chats WHERE channel = ? AND linked = 1" + (" AND chat_id = ?" if chat_id else ""),
            (channel, *((chat_id,) if chat_id else ())))
        return {r["chat_id"] for r in rows}

    async def settings_of_linking_units(self) -> dict[int, dict[str, Any]]:
        """The settings of every unit with a linked chat (settings["linked_at"] set)."""
        rows = await self._all("SELECT id, settings FROM units WHERE json_extract(settings, '$.linked_at') IS NOT NULL")
        return {r["id"]: json.loads(r["settings"] or "{}") for r in rows}

    async def settings_of_units(self, unit_ids: list[int]) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        for chunk in _chunks(unit_ids):
            for row in await self._all(f"SELECT id, settings FROM units WHERE id IN ({_marks(chunk)})", chunk):
                out[row["id"]] = json.loads(row["settings"] or "{}")
        return out

    async def deadlines_to_remind(self, unit_ids: list[int], first: date, last: date, today: date) -> list[Deadline]:
        """Open items of the units whose day is between `first` and `last`, or snoozed until a day between
        `first` and `today`."""
        out: list[Deadline] = []
        for chunk in _chunks(unit_ids):
            rows = await self._all(
                f"SELECT * FROM deadlines WHERE unit_id IN ({_marks(chunk)}) AND status = 'open' AND ("
                "(due >= ? AND (CASE WHEN kind = 'event' THEN COALESCE(start, due) ELSE due END) <= ?) "
                "OR (snoozed_until IS NOT NULL AND substr(snoozed_until, 1, 10) BETWEEN ? AND ?))",
                (*chunk, first.isoformat(), last.isoformat(), first.isoformat(), today.isoformat()))
            out += [deadline_of(r) for r in rows]
        return out

    async def units_with_meeting_duty(self, unit_ids: list[int]) -> list[int]:
        """Those of the units with the regular or the thematic meeting duty switched on."""
        rows = await self._all(
            f"SELECT DISTINCT unit_id FROM duties WHERE enabled = 1 AND duty IN ('sinh_hoat', 'chuyen_de') "
            f"AND unit_id IN ({_marks(unit_ids)})", unit_ids)
        return [r["unit_id"] for r in rows]

    async def held_meetings(self, unit_ids: list[int], from_year: int) -> set[tuple[int, str, int, int]]:
        """(unit, kind, year, month) of the meetings logged for the units since `from_year`."""
        rows = await self._all(
            f"SELECT unit_id, kind, period_year, period_month FROM meetings WHERE unit_id IN ({_marks(unit_ids)}) "
            "AND period_year >= ?", (*unit_ids, from_year))
        return {(r["unit_id"], r["kind"], r["period_year"], r["period_month"]) for r in rows}

    # -- recurring duties ----------------------------------------------------------------------

    async def duty_switches(self, unit_id: int | None = None) -> list[tuple[int, str]]:
        """(unit, duty) of every duty switched on (of one unit, when given)."""
        rows = await self._all(
            "SELECT unit_id, duty FROM duties WHERE enabled = 1" + (" AND unit_id = ?" if unit_id else ""),
            (unit_id,) if unit_id else ())
        return [(r["unit_id"], r["duty"]) for r in rows]

    async def enabled_duties(self, unit_id: int) -> set[str]:
        rows = await self._all("SELECT duty FROM duties WHERE unit_id = ? AND enabled = 1", (unit_id,))
        return {r["duty"] for r in rows}

    async def switch_duty(self, unit_id: int, duty: str, on: bool) -> None:
        await self.conn.execute(
            "INSERT INTO duties (unit_id, duty, enabled) VALUES (?, ?, ?) "
            "ON CONFLICT (unit_id, duty) DO UPDATE SET enabled = excluded.enabled", (unit_id, duty, int(on)))

    async def add_duty_deadline(self, unit_id: int, duty: str, period: str, kind: str, title: str, due: date,
                                start: date, source: str) -> Deadline | None:
        """The deadline of a duty for one period, or None when that period has one already."""
        created_at = _wall().isoformat(timespec="seconds")
        new_id = await self._insert(
            "INSERT INTO deadlines (unit_id, kind, title, due, start, source, duty, duty_period, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (unit_id, duty, duty_period) WHERE duty IS NOT NULL DO NOTHING",
            (unit_id, kind, title, due.isoformat(), start.isoformat(), source, duty, period, created_at))
        if new_id is None:
            return None
        return Deadline(id=new_id, unit_id=unit_id, kind=kind, title=title, due=due, start=start, source=source,
                        created_at=created_at, duty=duty, duty_period=period)

    async def remove_open_duty_deadlines(self, unit_id: int, duty: str, from_day: date) -> None:
        """Delete the duty's open deadlines due on or after `from_day`."""
        await self.conn.execute(
            "DELETE FROM deadlines WHERE unit_id = ? AND duty = ? AND status = 'open' AND due >= ?",
            (unit_id, duty, from_day.isoformat()))

    # -- unit settings and linked groups -------------------------------------------------------

    async def patch_unit_settings(self, unit_id: int, patch: dict[str, Any]) -> None:
        """Merge `patch` into the unit's settings JSON (RFC 7396: nested objects merge, null removes)."""
        await self.conn.execute("UPDATE units SET settings = json_patch(settings, ?) WHERE id = ?",
                                (json.dumps(patch, ensure_ascii=False), unit_id))

    async def linked_unit(self, channel: str, chat_id: str) -> int | None:
        """The unit a group chat is linked to (its key is in that unit's settings["linked_at"])."""
        row = await self._one(
            "SELECT u.id FROM units u JOIN chats c ON c.channel = ? AND c.chat_id = ? AND c.linked = 1 "
            "WHERE json_extract(u.settings, ?) IS NOT NULL ORDER BY u.id LIMIT 1",
            (channel, chat_id, f'$.linked_at."{chat_key(channel, chat_id)}"'))
        return row["id"] if row else None

    async def link_chat(self, channel: str, chat_id: str, chat_type: str, unit_id: int) -> int | None:
        """Link a group chat to the unit. Returns the other unit it is linked to (and then changes nothing).

        The unit of a linked chat is recorded in the unit's settings (``linked_at``: chat → when linked), not
        taken from ``chats.unit_id``, which follows whoever wrote last in the group.
        """
        owner = await self.linked_unit(channel, chat_id)
        if owner is not None and owner != unit_id:
            return owner
        await self.conn.execute(
            "INSERT INTO chats (channel, chat_id, chat_type, unit_id, last_seen, linked) VALUES (?, ?, ?, ?, ?, 1) "
            "ON CONFLICT (channel, chat_id) DO UPDATE SET unit_id = excluded.unit_id, linked = 1",
            (channel, chat_id, chat_type, unit_id, _wall().isoformat(timespec="seconds")))
        if owner is None:
            await self.patch_unit_settings(unit_id, {"linked_at": {chat_key(channel, chat_id): _wall().isoformat()}})
        return None

    async def unlink_chat(self, channel: str, chat_id: str, unit_id: int) -> bool:
        """Unlink a group chat from the unit; False when it was not linked to it."""
        if await self.linked_unit(channel, chat_id) != unit_id:
            return False
        await self.patch_unit_settings(unit_id, {"linked_at": {chat_key(channel, chat_id): None}})
        await self.conn.execute("UPDATE chats SET linked = 0 WHERE channel = ? AND chat_id = ?", (channel, chat_id))
        return True

    async def linked_chats(self, unit_id: int) -> list[str]:
        """The keys ("telegram:-100…") of the chats linked to the unit."""
        row = await self._one("SELECT settings FROM units WHERE id = ?", (unit_id,))
        keys = list((json.loads(row["settings"]).get("linked_at") or {}) if row else {})
        out = []
        for key in keys:
            channel, _, chat_id = key.partition(":")
            if await self.linked_unit(channel, chat_id) == unit_id:
                out.append(key)
        return out
