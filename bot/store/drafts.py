"""Drafts: the state of every unfinished conversation, one row per (channel, chat, user)."""

from __future__ import annotations

import json
from typing import Any

from bot.store.base import Base, now_text


class DraftsStore(Base):
    async def draft(self, channel: str, chat_id: str, user_id: str) -> dict[str, Any] | None:
        row = await self._one(
            "SELECT state FROM drafts WHERE channel = ? AND chat_id = ? AND user_id = ?",
            (channel, chat_id, user_id),
        )
        return json.loads(row["state"]) if row else None

    async def save_draft(self, channel: str, chat_id: str, user_id: str, state: dict[str, Any]) -> None:
        await self.conn.execute(
            "INSERT INTO drafts (channel, chat_id, user_id, flow, state, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (channel, chat_id, user_id) DO UPDATE SET flow = excluded.flow, "
            "state = excluded.state, updated_at = excluded.updated_at",
            (channel, chat_id, user_id, state["flow"], json.dumps(state, ensure_ascii=False), now_text()),
        )

    async def delete_draft(self, channel: str, chat_id: str, user_id: str) -> None:
        await self.conn.execute(
            "DELETE FROM drafts WHERE channel = ? AND chat_id = ? AND user_id = ?", (channel, chat_id, user_id)
        )
