"""The outbox: issued documents shared with a unit's chats, sent by each channel's sweep (bot/sharing.py).

One row per (document, channel, chat): sharing a document twice does not send it twice to a chat. A row
goes claim → send → confirm like the reminder log (bot/reminders/__init__.py): the claim is ONE
compare-and-set statement on ``claimed_at``, ``sent_at`` is written right after the send.
"""

from __future__ import annotations

from bot.store.base import Base, claim_stamp
from bot.store.records import OutboxItem


class OutboxStore(Base):
    async def enqueue_share(self, unit_id: int, doc_id: int, text: str, chats: list[tuple[str, str]],
                            created_by: str) -> list[tuple[str, str]]:
        """Queue the document for each (channel, chat); returns those queued now (not queued before)."""
        added: list[tuple[str, str]] = []
        async with self.transaction() as conn:
            for channel, chat_id in chats:
                cur = await conn.execute(
                    "INSERT INTO outbox (doc_id, unit_id, channel, chat_id, text, created_by, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (doc_id, channel, chat_id) DO NOTHING",
                    (doc_id, unit_id, channel, chat_id, text, created_by, claim_stamp()))
                if cur.rowcount == 1:
                    added.append((channel, chat_id))
                await cur.close()
        return added

    async def pending_shares(self, channel: str, chat_id: str | None = None) -> list[OutboxItem]:
        """The channel's rows not confirmed yet (of one chat, when given), oldest first."""
        rows = await self._all(
            "SELECT id, doc_id, unit_id, channel, chat_id, text, claimed_at FROM outbox "
            "WHERE sent_at IS NULL AND channel = ?" + (" AND chat_id = ?" if chat_id else "") + " ORDER BY id",
            (channel, chat_id) if chat_id else (channel,))
        return [OutboxItem(r["id"], r["doc_id"], r["unit_id"], r["channel"], r["chat_id"], r["text"],
                           r["claimed_at"]) for r in rows]

    async def shared_chats(self, doc_id: int) -> list[tuple[str, str]]:
        """Every (channel, chat) the document was queued for, sent or not."""
        rows = await self._all("SELECT channel, chat_id FROM outbox WHERE doc_id = ? ORDER BY id", (doc_id,))
        return [(r["channel"], r["chat_id"]) for r in rows]
