"""Drafts: the state of every unfinished conversation, one row per (channel, chat, user).

A draft issued as a document is not deleted in the issuing transaction: it is marked with the document's id
(`DocumentsStore.save_document`), so a confirm repeated after a crash finds no draft to issue again, and the
reply that was never delivered can be sent from the stored document. The channel marks such a row
delivered once it has sent the reply (`mark_delivered`); the next flow started in the chat replaces it.
"""

from __future__ import annotations

import json
from typing import Any

from bot.store.base import Base, now_text
from bot.store.records import IssuedDraft


class DraftsStore(Base):
    async def draft(self, channel: str, chat_id: str, user_id: str) -> dict[str, Any] | None:
        """The unfinished conversation (never one already issued as a document)."""
        row = await self._one(
            "SELECT state FROM drafts WHERE channel = ? AND chat_id = ? AND user_id = ? AND document_id IS NULL",
            (channel, chat_id, user_id),
        )
        return json.loads(row["state"]) if row else None

    async def save_draft(self, channel: str, chat_id: str, user_id: str, state: dict[str, Any]) -> None:
        await self.conn.execute(
            "INSERT INTO drafts (channel, chat_id, user_id, flow, state, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (channel, chat_id, user_id) DO UPDATE SET flow = excluded.flow, "
            "state = excluded.state, updated_at = excluded.updated_at, document_id = NULL, delivered_at = NULL",
            (channel, chat_id, user_id, state["flow"], json.dumps(state, ensure_ascii=False), now_text()),
        )

    async def delete_draft(self, channel: str, chat_id: str, user_id: str) -> None:
        """End the conversation: an unfinished draft is deleted; an issued one stays until the channel has
        delivered its reply (`mark_delivered`) and the next flow replaces it."""
        await self.conn.execute(
            "DELETE FROM drafts WHERE channel = ? AND chat_id = ? AND user_id = ? AND document_id IS NULL",
            (channel, chat_id, user_id))

    async def issued_draft(self, channel: str, chat_id: str, user_id: str) -> IssuedDraft | None:
        """The last draft of this chat and user issued as a document, delivered or not (None: none kept)."""
        row = await self._one(
            "SELECT flow, document_id, delivered_at FROM drafts "
            "WHERE channel = ? AND chat_id = ? AND user_id = ? AND document_id IS NOT NULL",
            (channel, chat_id, user_id),
        )
        if row is None:
            return None
        return IssuedDraft(flow=row["flow"], document_id=row["document_id"], delivered=row["delivered_at"] is not None)

    async def mark_delivered(self, channel: str, chat_id: str, user_id: str) -> None:
        await self.conn.execute(
            "UPDATE drafts SET delivered_at = ? WHERE channel = ? AND chat_id = ? AND user_id = ? "
            "AND document_id IS NOT NULL AND delivered_at IS NULL", (now_text(), channel, chat_id, user_id))
