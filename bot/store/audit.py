"""The audit trail: who changed the profile, the roster and roles, who issued, revised or deleted which document."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.store.base import Base
from bot.store.records import AuditEntry, AuditNote


class AuditStore(Base):
    async def record_audit(self, unit_id: int, at: datetime, actor: str, action: str, detail: str = "",
                           actor_name: str = "") -> None:
        """Append one line at `at` (the assistant's clock); inside a caller's transaction it commits with it."""
        await self.conn.execute(
            "INSERT INTO audit (unit_id, at, actor, actor_name, action, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (unit_id, at.isoformat(timespec="seconds"), actor, actor_name, action, detail),
        )

    async def audit_trail(self, unit_id: int, limit: int = 50, before: int | None = None) -> list[AuditEntry]:
        """The latest lines first (those older than id `before` when given)."""
        rows = await self._all(
            "SELECT id, at, actor, actor_name, action, detail FROM audit WHERE unit_id = ? AND id < ? "
            "ORDER BY id DESC LIMIT ?",
            (unit_id, before if before is not None else 2**63 - 1, limit),
        )
        return [AuditEntry(**dict(r)) for r in rows]


async def write_note(conn: aiosqlite.Connection, note: AuditNote) -> None:
    """Write an audit line on `conn`, inside the transaction of the change it records."""
    await conn.execute(
        "INSERT INTO audit (unit_id, at, actor, actor_name, action, detail) VALUES (?, ?, ?, ?, ?, ?)",
        (note.unit_id, note.at.isoformat(timespec="seconds"), note.actor, note.actor_name, note.action, note.detail),
    )
