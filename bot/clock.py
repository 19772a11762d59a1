"""The one source of 'now': real time in the unit's time zone, or a frozen instant (`--now`)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


class Clock:
    def __init__(self, tz: str = "Asia/Ho_Chi_Minh", frozen: datetime | None = None):
        self.tz = ZoneInfo(tz)
        if frozen is not None and frozen.tzinfo is None:
            frozen = frozen.replace(tzinfo=self.tz)
        self._frozen = frozen

    @property
    def frozen(self) -> bool:
        """True when the clock was stopped at a given instant (`--now`, CHIBO_NOW)."""
        return self._frozen is not None

    def now(self) -> datetime:
        return self._frozen.astimezone(self.tz) if self._frozen else datetime.now(self.tz)

    def today(self) -> date:
        return self.now().date()

    def advance_to(self, moment: datetime) -> None:
        """Move a frozen clock forward to `moment` (a script's `#time` line); never backward."""
        if self._frozen is None:
            raise ValueError("the clock is not frozen")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.tz)
        if moment < self._frozen:
            raise ValueError("the clock never goes back")
        self._frozen = moment
