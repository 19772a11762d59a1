"""Messages to another account's chat (a join request to the unit's managers), queued and sent by each channel's
sweep once each (bot/reminders/messages.py)."""

from __future__ import annotations

import json

from bot.store.base import Base, claim_stamp
from bot.store.records import OutMessage


class MessagesOutStore(Base):
    async def queue_messages(self, unit_id: int, chats: list[tuple[str, str]], text: str,
                             choices: list[tuple[str, str]]) -> None:
        """One row per (channel, chat), in one transaction."""
        async with self.transaction() as conn:
            await conn.executemany(
                "INSERT INTO messages_out (unit_id, channel, chat_id, text, choices, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [(unit_id, channel, chat_id, text, json.dumps(choices, ensure_ascii=False), claim_stamp())
                 for channel, chat_id in chats])

    async def pending_messages(self, channel: str, chat_id: str | None = None) -> list[OutMessage]:
        rows = await self._all(
            "SELECT id, unit_id, channel, chat_id, text, choices, claimed_at FROM messages_out "
            "WHERE sent_at IS NULL AND channel = ?" + (" AND chat_id = ?" if chat_id else "") + " ORDER BY id",
            (channel, chat_id) if chat_id else (channel,))
        return [OutMessage(r["id"], r["unit_id"], r["channel"], r["chat_id"], r["text"],
                           [(label, value) for label, value in json.loads(r["choices"])], r["claimed_at"])
                for r in rows]
