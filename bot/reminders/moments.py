"""When reminders are due: the moments of a dated item, the digest and daily moments, and `plan_due`."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from bot.reminders.settings import ReminderSettings, defer, in_quiet
from bot.store.records import Deadline

CATCH_UP = timedelta(days=3)  # a missed moment older than this is skipped
LATE_AFTER = timedelta(minutes=15)  # sent later than this after its moment: marked "(nhắc muộn)"


def _at(d: date, t: time, tz: tzinfo | None) -> datetime:
    return datetime.combine(d, t, tzinfo=tz)


def snooze_instant(item: Deadline, s: ReminderSettings, tz: tzinfo | None) -> datetime | None:
    """When a snoozed item wakes up (a snooze to a day wakes at the time of day), or None."""
    value = item.snoozed_until
    if not value:
        return None
    if len(value) <= 10:
        return _at(date.fromisoformat(value), s.at, tz)
    instant = datetime.fromisoformat(value)
    return instant if instant.tzinfo else instant.replace(tzinfo=tz)


def moments(item: Deadline, s: ReminderSettings, tz: tzinfo | None) -> list[tuple[str, datetime]]:
    """Every reminder moment of an item, as (key, instant) sorted by instant."""
    base = f"dl:{item.id}:{item.day.isoformat()}"
    out = [(f"{base}:{n}", defer(_at(item.day - timedelta(days=n), s.at, tz), s)) for n in s.offsets()]
    wake = snooze_instant(item, s, tz)
    if wake is not None:
        out = [m for m in out if m[1] >= wake] + [(f"{base}:w{item.snoozed_until}", defer(wake, s))]
    return sorted(out, key=lambda m: m[1])


def latest(candidates: Iterable[tuple[str, datetime]], now: datetime) -> tuple[str, datetime] | None:
    """The latest of the (key, instant) candidates at or before `now`."""
    best = None
    for key, instant in candidates:
        if instant <= now and (best is None or instant >= best[1]):
            best = (key, instant)
    return best


def monday_of(d: date) -> date:
    return d - timedelta(days=d.weekday())


def digest_moment(now: datetime, s: ReminderSettings) -> tuple[str, datetime]:
    """This week's digest moment, or last week's when this Monday's has not come yet."""
    monday = monday_of(now.date())
    instant = defer(_at(monday, s.at, now.tzinfo), s)
    if instant > now:
        monday -= timedelta(days=7)
        instant = defer(_at(monday, s.at, now.tzinfo), s)
    return f"digest:{monday.isoformat()}", instant


def daily_moment(now: datetime, s: ReminderSettings) -> tuple[date, datetime]:
    """The latest daily moment (the time of day, out of quiet hours) at or before now."""
    day = now.date()
    instant = defer(_at(day, s.at, now.tzinfo), s)
    if instant > now:
        day -= timedelta(days=1)
        instant = defer(_at(day, s.at, now.tzinfo), s)
    return day, instant


@dataclass(frozen=True)
class Recipient:
    unit_id: int
    chat_id: str
    since: datetime | None = None  # when the chat started receiving this unit's reminders
    person_id: int | None = None  # a member's private chat: only the items assigned to this roster member


@dataclass(frozen=True)
class Due:
    key: str
    chat_id: str
    unit_id: int
    scheduled_for: datetime
    late: bool
    item_id: int | None = None
    text: str | None = None  # for rhythm notices: the text itself
    resend: bool = False  # claimed earlier and not confirmed: send again
    member: bool = False  # to the member the item is assigned to (her reminder offers "Đã xong", "Hoãn 3 ngày")
    claim: str | None = None  # a resend: the claimed_at it was found with (taken over only while unchanged)


def _latest_since(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def notice_key(text: str) -> str:
    """The log key of a meeting rhythm notice: its text's hash (the text is stable over its period)."""
    return "rhythm:" + hashlib.sha1(text.encode()).hexdigest()[:16]


def plan_due(now: datetime, recipients: Iterable[Recipient], settings: dict[int, ReminderSettings],
             items: Iterable[Deadline], *, item_since: Callable[[Deadline], datetime | None] = lambda item: None,
             skip: set[int] | frozenset[int] = frozenset(),
             notices: dict[int, list[str]] | None = None) -> list[Due]:
    """Pure: the (key, chat) pairs due at `now`, before looking at the log.

    `skip`: ids of items that need no reminder (a meeting duty whose meeting is logged); `notices`: the
    meeting rhythm notices of each unit for the latest daily moment.
    """
    by_unit: dict[int, list[Deadline]] = defaultdict(list)
    for item in items:
        if item.status == "open" and item.id not in skip:
            by_unit[item.unit_id].append(item)
    floor = now - CATCH_UP
    out: list[Due] = []

    def add(key: str, chat: Recipient, instant: datetime, since: datetime | None, **extra: Any) -> None:
        if instant <= floor or (since is not None and instant < since):
            return
        out.append(Due(key, chat.chat_id, chat.unit_id, instant, now - instant > LATE_AFTER,
                       member=chat.person_id is not None, **extra))

    for chat in recipients:
        s = settings.get(chat.unit_id, ReminderSettings())
        if in_quiet(now.time(), s):
            continue
        if chat.person_id is not None:  # a member: her own items only, no digest, no notices
            for item in by_unit.get(chat.unit_id, ()):
                if item.person_id != chat.person_id or (item.kind == "event" and now.date() > item.day):
                    continue
                found = latest(moments(item, s, now.tzinfo), now)
                if found is not None:
                    add(found[0], chat, found[1], _latest_since(chat.since, item_since(item)), item_id=item.id)
            continue
        if s.digest:
            key, instant = digest_moment(now, s)
            add(key, chat, instant, chat.since)
        if notices and notices.get(chat.unit_id):
            day, instant = daily_moment(now, s)
            for text in notices[chat.unit_id]:
                add(notice_key(text), chat, instant, chat.since, text=text)
        for item in by_unit.get(chat.unit_id, ()):
            if item.kind == "event" and now.date() > item.day:
                continue
            found = latest(moments(item, s, now.tzinfo), now)
            if found is not None:
                add(found[0], chat, found[1], _latest_since(chat.since, item_since(item)), item_id=item.id)
    return out
