"""Taking over a reminder's claim: the compare-and-set that lets several sweepers share the reminder log.

A row of ``reminder_log`` claimed and never confirmed is resent by whichever sweep finds it orphaned. With
several worker processes two sweeps can find the same orphan at once, so the takeover is ONE statement that
changes ``claimed_at`` only while it is still the value the sweep read: of two sweeps, one wins, the other
changes no row and leaves it alone. A stale orphan is deleted the same way. Portable SQL (SQLite and PostgreSQL).
"""

from __future__ import annotations

from bot.store.base import Base, claim_stamp


class ClaimsStore(Base):
    async def take_reminder(self, channel: str, key: str, chat_id: str, seen_claim: str | None) -> str | None:
        """Claim again an unconfirmed row whose ``claimed_at`` is still `seen_claim`; the new claim stamp when
        this call took it, None when another sweep took it (or confirmed or deleted it) first."""
        stamp = claim_stamp()
        cur = await self.conn.execute(
            "UPDATE reminder_log SET claimed_at = ? WHERE channel = ? AND key = ? AND chat_id = ? "
            "AND sent_at IS NULL AND claimed_at IS NOT DISTINCT FROM ?", (stamp, channel, key, chat_id, seen_claim))
        taken = cur.rowcount == 1
        await cur.close()
        return stamp if taken else None

    async def drop_orphan_reminder(self, channel: str, key: str, chat_id: str, seen_claim: str | None) -> bool:
        """Delete an unconfirmed row no longer due, only while its ``claimed_at`` is still `seen_claim` (not taken
        over meanwhile); True when this call deleted it."""
        cur = await self.conn.execute(
            "DELETE FROM reminder_log WHERE channel = ? AND key = ? AND chat_id = ? AND sent_at IS NULL "
            "AND claimed_at IS NOT DISTINCT FROM ?", (channel, key, chat_id, seen_claim))
        dropped = cur.rowcount == 1
        await cur.close()
        return dropped
