"""Pictures served by URL (`/p/<token>.png`): Zalo's sendPhoto takes an address, not a file, so a picture
sent on Zalo is stored here under a random token and fetched by Zalo's servers. Old ones are pruned on
every insert."""

from __future__ import annotations

from datetime import datetime

from bot.store.base import Base
from bot.store.units import utc_text


class PicturesStore(Base):
    async def add_picture(self, token: str, unit_id: int | None, png: bytes, now: datetime, *,
                          older_than: datetime, keep: int) -> None:
        """Store a picture; pictures made before `older_than`, and all but the `keep` newest, are deleted."""
        async with self.transaction() as conn:
            for sql, args in (
                ("INSERT INTO pictures (token, unit_id, png, created_at, seq) "
                 "VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM pictures))",
                 (token, unit_id, png, utc_text(now))),
                ("DELETE FROM pictures WHERE created_at < ?", (utc_text(older_than),)),
                ("DELETE FROM pictures WHERE token NOT IN "
                 "(SELECT token FROM pictures ORDER BY created_at DESC, seq DESC LIMIT ?)", (keep,)),
            ):
                cur = await conn.execute(sql, args)
                await cur.close()

    async def picture(self, token: str, newer_than: datetime) -> bytes | None:
        """The PNG stored under `token` if it was made at or after `newer_than`."""
        row = await self._one("SELECT png FROM pictures WHERE token = ? AND created_at >= ?",
                              (token, utc_text(newer_than)))
        return bytes(row["png"]) if row else None

    async def picture_count(self) -> int:
        row = await self._one("SELECT COUNT(*) AS n FROM pictures")
        return int(row["n"]) if row else 0
