"""Meeting notices: the notice of the next meeting, the members' answers, and its sends to their chats.

A notice and one `notice_sends` row per recipient chat are written in ONE transaction; each channel's
reminder sweep then sends its rows claim → send → confirm as the outbox of shared documents does
(bot/reminders/notices.py): the claim is one compare-and-set on ``claimed_at``, ``sent_at`` is written
right after the send. A member's answer is one row per (notice, person): a second answer replaces the first.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from bot.store.base import Base
from bot.store.records import Notice, NoticeReply, NoticeSend

NOTICE_COLUMNS = "id, unit_id, kind, meeting_on, meeting_at, place, topic, agenda, text, created_by, created_at"


def _notice(r: object) -> Notice:
    row = dict(r)  # type: ignore[call-overload]
    return Notice(row["id"], row["unit_id"], row["kind"], date.fromisoformat(row["meeting_on"]), row["meeting_at"],
                  row["place"], row["topic"], json.loads(row["agenda"]), row["text"], row["created_by"],
                  row["created_at"])


class NoticesStore(Base):
    async def notice_chats(self, unit_id: int) -> list[tuple[str, str]]:
        """(channel, private chat) of every account of the unit linked to a roster member, whatever its role."""
        rows = await self._all(
            "SELECT a.channel, a.user_id FROM accounts a JOIN people p ON p.id = a.person_id AND p.unit_id = a.unit_id "
            "WHERE a.unit_id = ? ORDER BY a.created_at, a.channel, a.user_id", (unit_id,))
        return [(r["channel"], str(r["user_id"])) for r in rows]

    async def create_notice(self, unit_id: int, kind: str, meeting_on: date, meeting_at: str, place: str, topic: str,
                            agenda: list[str], text: str, created_by: str, created_at: datetime,
                            private: list[tuple[str, str]], groups: list[tuple[str, str]]) -> int:
        """Store the notice and queue it for each private chat and group, in one transaction; its id."""
        async with self.transaction() as conn:
            notice_id = await self._insert(
                "INSERT INTO notices (unit_id, kind, meeting_on, meeting_at, place, topic, agenda, text, created_by, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (unit_id, kind, meeting_on.isoformat(), meeting_at, place, topic,
                 json.dumps(agenda, ensure_ascii=False), text, created_by, created_at.isoformat(timespec="seconds")))
            assert notice_id is not None
            for chats, is_private in ((private, 1), (groups, 0)):
                for channel, chat_id in chats:
                    await conn.execute(
                        "INSERT INTO notice_sends (notice_id, unit_id, channel, chat_id, private) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT (notice_id, channel, chat_id) DO NOTHING",
                        (notice_id, unit_id, channel, chat_id, is_private))
        return notice_id

    async def notice(self, unit_id: int, notice_id: int) -> Notice | None:
        row = await self._one(f"SELECT {NOTICE_COLUMNS} FROM notices WHERE unit_id = ? AND id = ?",
                              (unit_id, notice_id))
        return _notice(row) if row else None

    async def open_notice(self, unit_id: int, today: date) -> Notice | None:
        """The latest notice of a meeting not past yet (the one members answer), if any."""
        row = await self._one(f"SELECT {NOTICE_COLUMNS} FROM notices WHERE unit_id = ? AND meeting_on >= ? "
                              "ORDER BY id DESC LIMIT 1", (unit_id, today.isoformat()))
        return _notice(row) if row else None

    async def notices_between(self, unit_id: int, start: date, end: date) -> list[Notice]:
        """Notices of meetings from `start` to `end`, the latest sent first."""
        rows = await self._all(f"SELECT {NOTICE_COLUMNS} FROM notices WHERE unit_id = ? AND meeting_on BETWEEN ? AND ? "
                               "ORDER BY id DESC", (unit_id, start.isoformat(), end.isoformat()))
        return [_notice(r) for r in rows]

    async def answer_notice(self, notice_id: int, person_id: int, status: str, reason: str, at: datetime) -> None:
        """Record a member's answer; a later answer replaces her earlier one."""
        await self.conn.execute(
            "INSERT INTO notice_replies (notice_id, person_id, status, reason, at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (notice_id, person_id) DO UPDATE SET status = excluded.status, reason = excluded.reason, "
            "at = excluded.at", (notice_id, person_id, status, reason, at.isoformat(timespec="seconds")))

    async def notice_replies(self, notice_id: int) -> list[NoticeReply]:
        """The answers to a notice, in roster order."""
        rows = await self._all(
            "SELECT r.notice_id, r.person_id, p.name, r.status, r.reason, r.at FROM notice_replies r "
            "JOIN people p ON p.id = r.person_id WHERE r.notice_id = ? ORDER BY p.position", (notice_id,))
        return [NoticeReply(r["notice_id"], r["person_id"], r["name"], r["status"], r["reason"], r["at"])
                for r in rows]

    async def notice_recipients(self, notice_id: int) -> list[tuple[str, str, bool]]:
        """(channel, chat, sent) of every chat the notice was queued for."""
        rows = await self._all("SELECT channel, chat_id, sent_at FROM notice_sends WHERE notice_id = ? ORDER BY id",
                               (notice_id,))
        return [(r["channel"], r["chat_id"], r["sent_at"] is not None) for r in rows]

    # -- sending: claim → send → confirm ----------------------------------------------------------

    async def pending_notice_sends(self, channel: str, chat_id: str | None = None) -> list[NoticeSend]:
        rows = await self._all(
            "SELECT id, notice_id, unit_id, channel, chat_id, private, claimed_at FROM notice_sends "
            "WHERE sent_at IS NULL AND channel = ?" + (" AND chat_id = ?" if chat_id else "") + " ORDER BY id",
            (channel, chat_id) if chat_id else (channel,))
        return [NoticeSend(r["id"], r["notice_id"], r["unit_id"], r["channel"], r["chat_id"], bool(r["private"]),
                           r["claimed_at"]) for r in rows]
