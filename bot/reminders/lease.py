"""Claims shared by several worker processes (the store's ``claim_lease``: PostgreSQL; None on SQLite).

On SQLite one process sweeps: a claim older than the process is an orphan at once. When several workers sweep
the same tables a claim is another worker's while it is younger than the lease; older, it is an orphan any worker
may take over, by a compare-and-set on ``claimed_at`` (two workers never both take it). A worker takes a row just
before its send (after the pacer let it go), so the lease has to cover one send and its confirmation only, not a
whole sweep: keep it well above the longest send (timeouts and the rate limiter's retries).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Taken(Exception):
    """Raised by a send that first takes its row: another worker took (or finished) it first. Nothing was sent."""


def _instant(value: str | None) -> datetime | None:
    try:
        instant = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return instant if instant is None or instant.tzinfo else instant.astimezone()


def expired(claimed_at: str | None, lease: float, now: datetime | None = None) -> bool:
    """Is a claim stamped `claimed_at` (bot.store.base.claim_stamp) free to take: never made, unreadable, or older
    than `lease` seconds at `now` (real time)?"""
    instant = _instant(claimed_at)
    return instant is None or instant <= (now or datetime.now(UTC)) - timedelta(seconds=lease)
