"""Signed links handed out (their ids, so a link can be revoked) and the application's own settings (the
key that signs them)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.store.base import Base, now_text
from bot.store.records import Link
from bot.store.units import _parse_utc, utc_text


class LinksStore(Base):
    async def setting(self, name: str, default: str) -> str:
        """The application setting `name`; when there is none yet, `default` is stored and returned. Two
        processes starting at once agree on one value: the first insert wins, both read it back."""
        await self.conn.execute(
            "INSERT INTO app_settings (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
            (name, default, now_text()))
        row = await self._one("SELECT value FROM app_settings WHERE name = ?", (name,))
        assert row is not None
        return str(row["value"])

    async def add_link(self, link_id: str, kind: str, unit_id: int, document_id: int | None, now: datetime,
                       expires_at: datetime, chat: tuple[str, str, str] | None = None) -> None:
        """A new link; `chat` (channel, chat id, user id): the chat an upload link feeds."""
        channel, chat_id, user_id = chat or (None, None, None)
        await self.conn.execute(
            "INSERT INTO links (id, kind, unit_id, document_id, created_at, expires_at, channel, chat_id, user_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (link_id, kind, unit_id, document_id, utc_text(now), utc_text(expires_at), channel, chat_id, user_id))

    async def link(self, link_id: str) -> Link | None:
        row = await self._one("SELECT * FROM links WHERE id = ?", (link_id,))
        return _link(row) if row else None

    async def revoke_link(self, link_id: str, now: datetime) -> bool:
        """Revoke one link; False when there is no such link or it was revoked already."""
        cur = await self.conn.execute(
            "UPDATE links SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (utc_text(now), link_id))
        return cur.rowcount > 0

    async def revoke_document_links(self, unit_id: int, document_id: int, now: datetime) -> int:
        """Revoke every link to a document; the number revoked."""
        cur = await self.conn.execute(
            "UPDATE links SET revoked_at = ? WHERE unit_id = ? AND document_id = ? AND revoked_at IS NULL",
            (utc_text(now), unit_id, document_id))
        return cur.rowcount

    async def reachable(self) -> bool:
        """The database answers a query (the health check)."""
        try:
            row = await self._one("SELECT 1 AS ok")
        except (sqlite3.Error, ValueError):  # ValueError: the connection was closed
            return False
        return row is not None and row["ok"] == 1


def _link(row: sqlite3.Row) -> Link:
    return Link(id=row["id"], kind=row["kind"], unit_id=row["unit_id"], document_id=row["document_id"],
                created_at=_parse_utc(row["created_at"]), expires_at=_parse_utc(row["expires_at"]),
                revoked_at=_parse_utc(row["revoked_at"]) if row["revoked_at"] else None,
                channel=row["channel"], chat_id=row["chat_id"], user_id=row["user_id"])
