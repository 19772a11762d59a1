"""A unit's reminder settings (``units.settings["reminders"]``) and its quiet hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

MAX_DAYS = 30  # the earliest reminder before an item, in days


def _hm(value: Any, default: time) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        return default


@dataclass(frozen=True)
class ReminderSettings:
    days: tuple[int, ...] = (7, 1)
    on_day: bool = True
    at: time = time(7, 0)
    digest: bool = True
    quiet_start: time = time(21, 0)
    quiet_end: time = time(6, 30)

    @classmethod
    def of(cls, unit_settings: dict[str, Any] | None) -> ReminderSettings:
        """The unit's settings (``units.settings["reminders"]``) over the defaults; bad values are ignored."""
        raw = (unit_settings or {}).get("reminders") or {}
        base = cls()
        days = raw.get("days", list(base.days))
        if not isinstance(days, list):
            days = list(base.days)
        days = tuple(sorted({int(d) for d in days if isinstance(d, int | float) and 0 < int(d) <= MAX_DAYS},
                            reverse=True))
        quiet = raw.get("quiet") or []
        return cls(
            days=days,
            on_day=bool(raw.get("on_day", base.on_day)),
            at=_hm(raw.get("time", ""), base.at),
            digest=bool(raw.get("digest", base.digest)),
            quiet_start=_hm(quiet[0], base.quiet_start) if len(quiet) == 2 else base.quiet_start,
            quiet_end=_hm(quiet[1], base.quiet_end) if len(quiet) == 2 else base.quiet_end,
        )

    def offsets(self) -> tuple[int, ...]:
        """Days before the item's day, earliest first (0 = on the day)."""
        return self.days + ((0,) if self.on_day else ())

    def as_json(self) -> dict[str, Any]:
        return {"days": list(self.days), "on_day": self.on_day, "time": self.at.strftime("%H:%M"),
                "digest": self.digest,
                "quiet": [self.quiet_start.strftime("%H:%M"), self.quiet_end.strftime("%H:%M")]}


def in_quiet(t: time, s: ReminderSettings) -> bool:
    """Whether the time of day `t` falls in the quiet hours (nothing is sent then)."""
    a, b = s.quiet_start, s.quiet_end
    if a == b:
        return False
    return a <= t < b if a < b else (t >= a or t < b)


def defer(moment: datetime, s: ReminderSettings) -> datetime:
    """The moment, or the end of the quiet hours it falls in (21:00-06:30 → 06:30)."""
    t = moment.time()
    if not in_quiet(t, s):
        return moment
    day = moment.date() if t < s.quiet_end else moment.date() + timedelta(days=1)
    return datetime.combine(day, s.quiet_end, tzinfo=moment.tzinfo)
