"""Reminders, the Monday digest and recurring duties: what is due for which chat at `now`, sent once.

The truth is in two tables: `deadlines` (what has a date) and `reminder_log` (one row per reminder
*moment* and chat, primary key (key, channel, chat_id)). Nothing about what is due lives in memory: one
periodic sweep (a PTB JobQueue job on Telegram, an asyncio task on the console) recomputes it from the
tables at `now` and sends what the log does not hold yet.

Moments (all in the clock's time zone, per unit settings ``units.settings["reminders"]``):

* a dated item (deadline, event, period) is reminded ``days`` before its day (default 7 and 1) and on the
  day (``on_day``), each at the time of day ``time`` (default 07:00). Its day is the event's first day,
  else ``due``. Key ``dl:<id>:<day>:<n>`` (n days before), so changing the time of day never re-sends a
  reminder, while moving the item to another day gives it new reminders. A snoozed item
  (``snoozed_until``, a date or date-time) gets nothing before that instant, then one reminder at it
  (key ``dl:<id>:<day>:w<until>``). Done items, events already past, and the regular/thematic meeting
  duties whose meeting is logged in ``meetings`` get nothing.
* the digest "Việc tuần này": Monday at the time of day, key ``digest:<monday>``.
* the meeting rhythm notices of handlers.meetings.rhythm_notices (for units with a meeting duty on):
  daily at the time of day, key ``rhythm:<hash of the text>`` (the text is stable over its period).

Quiet hours (default 21:00-06:30): a moment inside them moves to their end (06:30); while a unit is in
its quiet hours nothing is sent to its chats, not even a retry.

Only the latest moment at or before `now` of an item counts (when the 1-day and on-the-day reminders were
both missed, only the on-the-day one goes), and only when it is within the last 3 days (``CATCH_UP``):
after downtime whatever was missed within 3 days is sent once, marked "(nhắc muộn)" when more than
``LATE_AFTER`` late; older ones are skipped. A moment before its item or its chat existed (``created_at``
of the deadline, of the secretary's account, the time a group was linked) is not "missed" and is not
sent. With a frozen clock (``--now``, ``CHIBO_NOW``) real creation times cannot be compared with the
clock, so there: things created before this process started have no such bound, things created while it
runs count as created at `now` (deterministic for tests and demos).

Recipients: the private chat of each owner account of the unit (the secretary; on Telegram and the console
a private chat's id is the user's id) and every chat linked with /lienket (``chats.linked = 1``; which unit
it belongs to is kept in that unit's settings, ``linked_at``, because ``chats.unit_id`` follows whoever
wrote in the group last).

Exactly once, as far as a non-idempotent Bot API allows — claim → send → confirm:

1. claim: for each due (key, chat) one ``INSERT … SELECT … WHERE <item still open> ON CONFLICT DO
   NOTHING`` into reminder_log with ``claimed_at`` set and ``sent_at`` NULL. It is a single statement,
   hence a single transaction that both decides (the item is still open, the key is not logged) and
   records; only a sweep whose insert changed a row sends. The store's connection is shared with the
   conversation handlers, so the sweep never holds a transaction open across awaits (a statement that
   lands while a handler's own transaction is open on that connection commits with it).
2. send the message (one Bot API message per row: texts are cut to fit, so a row is never half-sent);
3. confirm: ``sent_at`` is written right after the response, with no other await in between.

A crash between 1 and 2 leaves a row claimed and unconfirmed: every sweep resends such rows when they were
claimed before this process started (a crashed or earlier process) or by this process and not confirmed
(a transient error: network, 5xx, flood control after the rate limiter's retries). So a reminder is never
lost. The only window for a duplicate is between the server accepting a message and the ``sent_at`` write
landing (a kill in that window, or a timed-out request that did reach the server): it is one HTTP
response plus one SQLite write long. A chat that refuses a message for good (403 blocked or kicked, 400
chat not found: the sender raises ``Undeliverable``) is given up for this process: its row is deleted and
the pair is not retried until a restart. ``sent_at`` is durable against a process crash (WAL); with
``synchronous = NORMAL`` an OS crash could lose the last confirmations, which then are resent.

Sending is paced by the sweep itself (``Pacer``: at most ``rate`` sends in flight or finished within the
last second, on Telegram ``TELEGRAM_RATE`` = 30) under the bot's AIORateLimiter: that limiter lets a burst
of 30 through and then 30/s, which a server counting a sliding second sees as up to 60, and after a 429
it pauses every request and then releases them together. Chats are served concurrently
(``concurrency``), the messages of one chat in order. When the bot stops (``keep_going``), no new send
starts; those in flight finish and are confirmed.

Recurring duties (table ``duties``): the regular meeting (monthly), the thematic meeting (at least once a
quarter), party dues (monthly), the year-end review (plan by the end of November, done by the end of
December). Switching one on creates its deadlines for the current period and the next (the unique index
``deadlines_duty`` keeps this idempotent); every sweep on a new day creates the periods that became
current. Weekends and Vietnamese public holidays (package ``holidays``, lunar New Year included) give a
warning with the nearest working day: ``holiday_warning``.

Test hook: ``CHIBO_NOW`` (ISO date-time) freezes the sweep's clock in ``chibo telegram`` (only the sweep's;
see ``sweep_clock``), for the restart test that runs the bot as a real process.
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import json
import logging
import os
import re
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.clock import Clock
from bot.dates import format_date_short, weekday_vi
from bot.messages import Outgoing

log = logging.getLogger(__name__)

CATCH_UP = timedelta(days=3)  # a missed moment older than this is skipped
LATE_AFTER = timedelta(minutes=15)  # sent later than this after its moment: marked "(nhắc muộn)"
MAX_DAYS = 30  # the earliest reminder before an item, in days
SWEEP_EVERY = 60  # seconds between two sweeps
FIRST_SWEEP = 2  # seconds after start
TELEGRAM_RATE = 30  # messages per second the sweep sends on Telegram (its limit; see Pacer)
CONCURRENCY = 16  # chats served at the same time
MAX_FAILURES = 5  # consecutive transient send failures that end a sweep's sending (the rest waits)
MESSAGE_BUDGET = 3800  # characters: a reminder is always one Telegram message (limit 4096)
SOURCE_DUTY = "Việc định kỳ"

Send = Callable[[str, Outgoing], Awaitable[None]]


class Undeliverable(Exception):
    """Raised by a sender when the chat refuses the message for good (blocked, kicked, not found)."""


# -- settings -------------------------------------------------------------------------------------

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


# -- holidays -------------------------------------------------------------------------------------

_CALENDAR = None


def _calendar():
    global _CALENDAR
    if _CALENDAR is None:
        import holidays

        _CALENDAR = holidays.country_holidays("VN", language="vi")
    return _CALENDAR


def _holiday_name(name: str) -> str:
    # "Ngày nghỉ (thay cho ngày 22/08/2026)": a day off swapped with a working Saturday.
    return re.sub(r"Ngày nghỉ \(thay cho ngày ([\d/]+)\)", r"ngày nghỉ hoán đổi, làm bù vào ngày \1", name)


def is_working_day(d: date) -> bool:
    """Monday to Friday and not a public holiday; a Saturday worked in exchange for a day off counts."""
    return _calendar().is_working_day(d)


def day_off(d: date) -> str | None:
    """Why `d` is not a working day ("ngày nghỉ lễ (Quốc khánh)", "ngày nghỉ cuối tuần"), or None."""
    cal = _calendar()
    if cal.is_working_day(d):
        return None
    name = cal.get(d)
    if name:
        return f"ngày nghỉ lễ ({_holiday_name(name)})"
    return "ngày nghỉ cuối tuần"


def previous_working_day(d: date) -> date:
    d -= timedelta(days=1)
    while not is_working_day(d):
        d -= timedelta(days=1)
    return d


def nearest_working_day(d: date) -> date:
    """The working day closest to `d` (`d` itself if it is one; the earlier one on a tie)."""
    for k in range(0, 60):
        for candidate in (d - timedelta(days=k), d + timedelta(days=k)):
            if is_working_day(candidate):
                return candidate
    return d


def day_text(d: date) -> str:
    """"thứ năm, 15/6/2023"."""
    return f"{weekday_vi(d)}, {format_date_short(d)}"


def holiday_warning(d: date, kind: str = "deadline") -> str | None:
    """A warning when a meeting or deadline falls on a weekend or public holiday, None otherwise.

    It names the nearest working day; for a deadline whose nearest working day comes after it, also the
    last working day before it.
    """
    why = day_off(d)
    if why is None:
        return None
    near = nearest_working_day(d)
    text = f"Lưu ý: {day_text(d)} là {why}. Ngày làm việc gần nhất: {day_text(near)}"
    if kind != "event" and near > d:
        text += f" (ngày làm việc cuối cùng trước đó: {day_text(previous_working_day(d))})"
    return text + "."


# -- dated items and their moments ----------------------------------------------------------------

def _date(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


@dataclass(frozen=True)
class Item:
    """A row of `deadlines`, as the sweep needs it."""

    id: int
    unit_id: int
    kind: str  # deadline | event | period
    title: str
    due: date
    start: date | None = None
    at_time: str | None = None
    assignee: str | None = None
    source: str = ""
    status: str = "open"
    snoozed_until: str | None = None
    created_at: str | None = None
    duty: str | None = None
    duty_period: str | None = None

    @classmethod
    def of(cls, row) -> Item:
        keys = row.keys()
        return cls(id=row["id"], unit_id=row["unit_id"], kind=row["kind"], title=row["title"],
                   due=_date(row["due"]), start=_date(row["start"]), at_time=row["at_time"],
                   assignee=row["assignee"], source=row["source"] or "", status=row["status"],
                   snoozed_until=row["snoozed_until"], created_at=row["created_at"],
                   duty=row["duty"] if "duty" in keys else None,
                   duty_period=row["duty_period"] if "duty_period" in keys else None)

    @classmethod
    def of_partial(cls, row, unit_id: int) -> Item:
        """An Item from a row with only some of the columns (the tracker's listing queries)."""
        keys = row.keys()

        def get(k: str, default: Any = None) -> Any:
            return row[k] if k in keys else default

        return cls(id=get("id", 0), unit_id=unit_id, kind=get("kind", "deadline"), title=get("title", ""),
                   due=_date(get("due")), start=_date(get("start")), at_time=get("at_time"))

    @property
    def day(self) -> date:
        """The day reminders count down to: an event's first day, otherwise the due day."""
        return self.start if self.kind == "event" and self.start else self.due


def _at(d: date, t: time, tz) -> datetime:
    return datetime.combine(d, t, tzinfo=tz)


def snooze_instant(item: Item, s: ReminderSettings, tz) -> datetime | None:
    value = item.snoozed_until
    if not value:
        return None
    if len(value) <= 10:
        return _at(date.fromisoformat(value), s.at, tz)
    instant = datetime.fromisoformat(value)
    return instant if instant.tzinfo else instant.replace(tzinfo=tz)


def moments(item: Item, s: ReminderSettings, tz) -> list[tuple[str, datetime]]:
    """Every reminder moment of an item, as (key, instant) sorted by instant."""
    base = f"dl:{item.id}:{item.day.isoformat()}"
    out = [(f"{base}:{n}", defer(_at(item.day - timedelta(days=n), s.at, tz), s)) for n in s.offsets()]
    wake = snooze_instant(item, s, tz)
    if wake is not None:
        out = [m for m in out if m[1] >= wake] + [(f"{base}:w{item.snoozed_until}", defer(wake, s))]
    return sorted(out, key=lambda m: m[1])


def latest(candidates: Iterable[tuple[str, datetime]], now: datetime) -> tuple[str, datetime] | None:
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


def _latest_since(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def plan_due(now: datetime, recipients: Iterable[Recipient], settings: dict[int, ReminderSettings],
             items: Iterable[Item], *, item_since: Callable[[Item], datetime | None] = lambda item: None,
             skip: set[int] = frozenset(), notices: dict[int, list[str]] | None = None) -> list[Due]:
    """Pure: the (key, chat) pairs due at `now`, before looking at the log.

    `skip`: ids of items that need no reminder (a meeting duty whose meeting is logged); `notices`: the
    meeting rhythm notices of each unit for the latest daily moment.
    """
    by_unit: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        if item.status == "open" and item.id not in skip:
            by_unit[item.unit_id].append(item)
    floor = now - CATCH_UP
    out: list[Due] = []

    def add(key: str, chat: Recipient, instant: datetime, since: datetime | None, **extra: Any) -> None:
        if instant <= floor or (since is not None and instant < since):
            return
        out.append(Due(key, chat.chat_id, chat.unit_id, instant, now - instant > LATE_AFTER, **extra))

    for chat in recipients:
        s = settings.get(chat.unit_id, ReminderSettings())
        if in_quiet(now.time(), s):
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


def notice_key(text: str) -> str:
    return "rhythm:" + hashlib.sha1(text.encode()).hexdigest()[:16]


# -- texts ----------------------------------------------------------------------------------------

def _fit(text: str, budget: int = MESSAGE_BUDGET, more: str = "…") -> str:
    if len(text) <= budget:
        return text
    cut = text.rfind("\n", 0, budget - len(more) - 1)
    return (text[:cut] if cut > 0 else text[:budget - len(more) - 1]).rstrip() + "\n" + more


def _clip(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def countdown(item: Item, today: date) -> str:
    """"còn 7 ngày (thứ năm, 15/6/2023)", "hạn chót là hôm nay (…)", "đã quá hạn 2 ngày (…)"."""
    d = item.day
    when = day_text(d)
    if item.kind == "event" and item.at_time:
        hh, mm = item.at_time.split(":")[:2]
        when += f", lúc {int(hh):02d} giờ {mm}"
    left = (d - today).days
    if left > 1:
        return f"còn {left} ngày ({when})"
    if left == 1:
        return f"còn 1 ngày (ngày mai, {when})"
    if left == 0:
        return f"hôm nay ({when})" if item.kind == "event" else f"hạn chót là hôm nay ({when})"
    return f"đã quá hạn {-left} ngày ({when})"


def reminder_message(item: Item, today: date, late: bool = False) -> Outgoing:
    """"Nhắc việc: còn 7 ngày (thứ năm, 15/6/2023) — Nộp báo cáo sơ kết (Kế hoạch số 46-KH/ĐU)"."""
    head = "Nhắc việc (nhắc muộn)" if late else "Nhắc việc"
    line = f"{head}: {countdown(item, today)} — {_clip(item.title)}"
    if item.source:
        line += f" ({_clip(item.source, 200)})"
    lines = [line]
    if item.assignee:
        lines.append(f"Thực hiện: {_clip(item.assignee, 200)}")
    warning = holiday_warning(item.day, item.kind)
    if warning:
        lines.append(warning)
    return Outgoing(text=_fit("\n".join(lines)))


async def digest_message(store, unit_id: int, monday: date, today: date, late: bool = False) -> Outgoing | None:
    """The Monday digest: handlers.deadlines.week_summary, with the days off of the week's items."""
    from handlers.deadlines import items_between, week_summary

    unit = await store.get_unit(unit_id)
    if unit is None:
        return None
    text = await week_summary(store, unit, monday)
    days_off = []
    for row in await items_between(store, unit_id, monday, monday + timedelta(days=6)):
        item = Item.of_partial(row, unit_id)
        warning = holiday_warning(item.day, item.kind) if monday <= item.day <= monday + timedelta(days=6) else None
        if warning and warning not in days_off:
            days_off.append(warning)
    if days_off:
        text += "\n" + "\n".join(days_off)
    text += "\nGõ /tuannay để xem lại, /hanchot để xem tất cả các hạn chót."
    if late:
        text = "(Nhắc muộn) " + text
    return Outgoing(text=_fit(text, more="… (gõ /tuannay để xem đủ)"))


# -- recurring duties -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Duty:
    key: str
    label: str  # as listed by /dinhky
    button: str  # short, for a button


DUTIES: dict[str, Duty] = {d.key: d for d in (
    Duty("sinh_hoat", "Sinh hoạt chi bộ thường kỳ hằng tháng", "Sinh hoạt thường kỳ"),
    Duty("chuyen_de", "Sinh hoạt chuyên đề (ít nhất mỗi quý một lần)", "Sinh hoạt chuyên đề"),
    Duty("dang_phi", "Thu, nộp đảng phí hằng tháng", "Đảng phí"),
    Duty("kiem_diem", "Kiểm điểm, đánh giá, xếp loại cuối năm (kế hoạch tháng 11, hoàn thành tháng 12)",
         "Kiểm điểm cuối năm"),
)}
ROMAN = ("I", "II", "III", "IV")


def _mm(month: int) -> str:
    return f"{month:02d}" if month <= 2 else str(month)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def duty_deadlines(duty: str, today: date) -> list[dict[str, Any]]:
    """The deadlines a duty sets for the current period and the next (those not already past)."""
    out: list[dict[str, Any]] = []
    if duty in ("sinh_hoat", "dang_phi"):
        for y, m in ((today.year, today.month), _next_month(today.year, today.month)):
            title = (f"Sinh hoạt chi bộ thường kỳ tháng {_mm(m)}/{y}" if duty == "sinh_hoat"
                     else f"Thu, nộp đảng phí tháng {_mm(m)}/{y}")
            out.append({"kind": "period" if duty == "sinh_hoat" else "deadline", "title": title,
                        "start": date(y, m, 1), "due": _month_end(y, m), "period": f"{y}-{m:02d}"})
    elif duty == "chuyen_de":
        q, y = (today.month - 1) // 3 + 1, today.year
        for _ in range(2):
            out.append({"kind": "period", "title": f"Sinh hoạt chuyên đề quý {ROMAN[q - 1]}/{y}",
                        "start": date(y, 3 * q - 2, 1), "due": _month_end(y, 3 * q), "period": f"{y}-Q{q}"})
            q, y = (1, y + 1) if q == 4 else (q + 1, y)
    elif duty == "kiem_diem":
        for y in (today.year, today.year + 1):
            what = "chất lượng tổ chức đảng và đảng viên năm"
            out.append({"kind": "deadline", "title": f"Xây dựng kế hoạch kiểm điểm, đánh giá, xếp loại {what} {y}",
                        "start": date(y, 11, 1), "due": date(y, 11, 30), "period": f"{y}-11"})
            out.append({"kind": "deadline", "title": f"Hoàn thành kiểm điểm, đánh giá, xếp loại {what} {y}",
                        "start": date(y, 12, 1), "due": date(y, 12, 31), "period": f"{y}-12"})
    else:
        raise KeyError(duty)
    return [d for d in out if d["due"] >= today]


def _wall() -> datetime:
    """Real time, for record stamps (creation, claim, confirmation), whatever the clock says."""
    return datetime.now(UTC)


async def ensure_duties(store, today: date, unit_id: int | None = None) -> list[Item]:
    """Create the missing deadlines of every enabled duty (of one unit, or all); return the new ones."""
    rows = await store.fetch_all(
        "SELECT unit_id, duty FROM duties WHERE enabled = 1" + (" AND unit_id = ?" if unit_id else ""),
        (unit_id,) if unit_id else ())
    created: list[Item] = []
    for row in rows:
        if row["duty"] not in DUTIES:
            continue
        for d in duty_deadlines(row["duty"], today):
            cur = await store.conn.execute(
                "INSERT INTO deadlines (unit_id, kind, title, due, start, source, duty, duty_period, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (unit_id, duty, duty_period) WHERE duty IS NOT NULL DO NOTHING",
                (row["unit_id"], d["kind"], d["title"], d["due"].isoformat(), d["start"].isoformat(),
                 SOURCE_DUTY, row["duty"], d["period"], _wall().isoformat(timespec="seconds")))
            if cur.rowcount == 1:
                created.append(Item(id=cur.lastrowid, unit_id=row["unit_id"], kind=d["kind"], title=d["title"],
                                    due=d["due"], start=d["start"], source=SOURCE_DUTY, duty=row["duty"],
                                    duty_period=d["period"]))
            await cur.close()
    return created


async def enabled_duties(store, unit_id: int) -> set[str]:
    rows = await store.fetch_all("SELECT duty FROM duties WHERE unit_id = ? AND enabled = 1", (unit_id,))
    return {r["duty"] for r in rows}


async def set_duty(store, unit_id: int, duty: str, on: bool, today: date) -> list[Item]:
    """Switch a duty on (creating its deadlines, returned) or off (removing its open deadlines not yet due)."""
    if duty not in DUTIES:
        raise KeyError(duty)
    await store.conn.execute(
        "INSERT INTO duties (unit_id, duty, enabled) VALUES (?, ?, ?) "
        "ON CONFLICT (unit_id, duty) DO UPDATE SET enabled = excluded.enabled", (unit_id, duty, int(on)))
    if on:
        return await ensure_duties(store, today, unit_id)
    await store.conn.execute(
        "DELETE FROM deadlines WHERE unit_id = ? AND duty = ? AND status = 'open' AND due >= ?",
        (unit_id, duty, today.isoformat()))
    return []


async def satisfied_duties(store, items: list[Item]) -> set[int]:
    """Ids of meeting-duty deadlines whose meeting is already logged in `meetings`."""
    wanted = [i for i in items if i.duty in ("sinh_hoat", "chuyen_de") and i.duty_period]
    if not wanted:
        return set()
    units = sorted({i.unit_id for i in wanted})
    rows = await store.fetch_all(
        f"SELECT unit_id, kind, period_year, period_month FROM meetings WHERE unit_id IN ({_marks(units)}) "
        "AND period_year >= ?", (*units, min(i.due.year for i in wanted) - 1))
    held = {(r["unit_id"], r["kind"], r["period_year"], r["period_month"]) for r in rows}
    done = set()
    for i in wanted:
        y, _, p = i.duty_period.partition("-")
        if i.duty == "sinh_hoat" and (i.unit_id, "thuong_ky", int(y), int(p)) in held:
            done.add(i.id)
        elif i.duty == "chuyen_de" and p.startswith("Q"):
            q = int(p[1:])
            if any((i.unit_id, "chuyen_de", int(y), m) in held for m in range(3 * q - 2, 3 * q + 1)):
                done.add(i.id)
    return done


def _marks(values: list[Any]) -> str:
    return ", ".join("?" for _ in values)


# -- unit settings and linked groups --------------------------------------------------------------

async def patch_settings(store, unit_id: int, patch: dict[str, Any]) -> None:
    """Merge `patch` into the unit's settings JSON (RFC 7396: nested objects merge, null removes)."""
    await store.conn.execute("UPDATE units SET settings = json_patch(settings, ?) WHERE id = ?",
                             (json.dumps(patch, ensure_ascii=False), unit_id))


def chat_key(channel: str, chat_id: str) -> str:
    return f"{channel}:{chat_id}"


async def linked_unit(store, channel: str, chat_id: str) -> int | None:
    """The unit a group chat is linked to (its key is in that unit's settings["linked_at"])."""
    row = await store.fetch_one(
        "SELECT u.id FROM units u JOIN chats c ON c.channel = ? AND c.chat_id = ? AND c.linked = 1 "
        "WHERE json_extract(u.settings, ?) IS NOT NULL ORDER BY u.id LIMIT 1",
        (channel, chat_id, f'$.linked_at."{chat_key(channel, chat_id)}"'))
    return row["id"] if row else None


async def link_chat(store, channel: str, chat_id: str, chat_type: str, unit_id: int) -> int | None:
    """Link a group chat to the unit. Returns the other unit it is linked to (and then changes nothing).

    The unit of a linked chat is recorded in the unit's settings (``linked_at``: chat → when linked), not
    taken from ``chats.unit_id``, which follows whoever wrote last in the group.
    """
    owner = await linked_unit(store, channel, chat_id)
    if owner is not None and owner != unit_id:
        return owner
    await store.conn.execute(
        "INSERT INTO chats (channel, chat_id, chat_type, unit_id, last_seen, linked) VALUES (?, ?, ?, ?, ?, 1) "
        "ON CONFLICT (channel, chat_id) DO UPDATE SET unit_id = excluded.unit_id, linked = 1",
        (channel, chat_id, chat_type, unit_id, _wall().isoformat(timespec="seconds")))
    if owner is None:
        await patch_settings(store, unit_id, {"linked_at": {chat_key(channel, chat_id): _wall().isoformat()}})
    return None


async def unlink_chat(store, channel: str, chat_id: str, unit_id: int) -> bool:
    if await linked_unit(store, channel, chat_id) != unit_id:
        return False
    await patch_settings(store, unit_id, {"linked_at": {chat_key(channel, chat_id): None}})
    await store.conn.execute("UPDATE chats SET linked = 0 WHERE channel = ? AND chat_id = ?", (channel, chat_id))
    return True


async def linked_chats(store, unit_id: int) -> list[str]:
    """The keys ("telegram:-100…") of the chats linked to the unit."""
    unit = await store.get_unit(unit_id)
    keys = list((unit.settings.get("linked_at") or {}) if unit else {})
    out = []
    for key in keys:
        channel, _, chat_id = key.partition(":")
        if await linked_unit(store, channel, chat_id) == unit_id:
            out.append(key)
    return out


# -- the sweep ------------------------------------------------------------------------------------

class Pacer:
    """At most `rate` sends per second, counted the way a server's sliding window counts them, but safe.

    A send may start when fewer than `rate` sends are in flight or have *finished* within the last
    ``1 s + MARGIN``. Counting finished sends from their end (not their start) means a send can reach the
    server no earlier than one window after the one it replaces, whatever the network's jitter. And when
    the bot's rate limiter holds requests (after a 429 it pauses them all), those stay in flight and keep
    their places, so they are not followed by a fresh burst when the pause ends. Sends are also spaced by
    at least half the mean interval, so the first second is not one burst.
    """

    MARGIN = 0.02

    def __init__(self, rate: float | None):
        self.limit = max(1, int(rate)) if rate else 0
        self.span = 1.0 + self.MARGIN
        self.gap = 0.5 / rate if rate else 0.0
        self._finished: deque[float] = deque()
        self._in_flight = 0
        self._last = float("-inf")
        self._changed = asyncio.Event()

    async def acquire(self) -> None:
        if not self.limit:
            return
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            while self._finished and now - self._finished[0] >= self.span:
                self._finished.popleft()
            full = self._in_flight + len(self._finished) >= self.limit
            if not full and now >= self._last + self.gap:
                break
            if full and not self._finished:  # all in flight: wait for one to finish
                self._changed.clear()
                await self._changed.wait()
                continue
            wake = max(self._last + self.gap, self._finished[0] + self.span if full else now)
            await asyncio.sleep(wake - now)
        self._in_flight += 1
        self._last = now

    def release(self) -> None:
        """A send acquired with `acquire` is over (answered, failed or cancelled)."""
        if not self.limit:
            return
        self._in_flight -= 1
        self._finished.append(asyncio.get_running_loop().time())
        self._changed.set()


@dataclass
class SweepResult:
    claimed: int = 0  # new rows claimed by this sweep
    resent: int = 0  # unconfirmed rows of earlier sweeps sent again
    sent: int = 0  # confirmed
    late: int = 0  # of them, marked late
    failed: int = 0  # transient failures (left unconfirmed, retried by the next sweep)
    refused: int = 0  # given up (the chat refuses the bot)
    dropped: int = 0  # unconfirmed rows whose item was done or removed meanwhile
    created: int = 0  # duty deadlines created
    keys: list[tuple[str, str]] = field(default_factory=list)  # (key, chat) confirmed


def is_frozen(clock) -> bool:
    return clock.frozen


def sweep_clock(clock: Clock, env: dict[str, str] | None = None) -> Clock:
    """The sweep's clock: `clock`, or frozen at $CHIBO_NOW (an ISO date-time) when that is set."""
    value = (os.environ if env is None else env).get("CHIBO_NOW", "").strip()
    if not value:
        return clock
    return Clock(getattr(clock.tz, "key", "Asia/Ho_Chi_Minh"), datetime.fromisoformat(value))


def _parse_instant(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    return instant if instant.tzinfo else instant.astimezone()  # naive: local time, as written


class Sweeper:
    """One channel's reminder sweep: `await sweeper.sweep()` sends what is due now (see module docstring).

    `send(chat_id, outgoing)` delivers one message (raising Undeliverable when the chat refuses it for
    good); `chat_id` limits the sweep to one chat (the console serves one user); `rate` paces the sends;
    `keep_going()` turning False (the bot is stopping) ends the sweep after the sends in flight;
    `started`: when the process started, if before this sweeper was made (default: now).
    """

    def __init__(self, store, clock, channel: str, send: Send, *, chat_id: str | None = None,
                 rate: float | None = None, concurrency: int = CONCURRENCY,
                 keep_going: Callable[[], bool] = lambda: True, started: datetime | None = None):
        self.store = store
        self.clock = clock
        self.channel = channel
        self.send = send
        self.chat_id = chat_id
        self.concurrency = concurrency
        self.keep_going = keep_going  # False once the bot is shutting down: no new sends start
        self.pacer = Pacer(rate)
        self.frozen = is_frozen(clock)
        self.started = started or _wall()  # when this process began: claims older than this are orphans
        self._lock = asyncio.Lock()
        self._duties_day: date | None = None
        self._notices: dict[tuple[int, date], list[str]] = {}
        self._mine: set[tuple[str, str]] = set()  # claimed by this process, not confirmed yet
        self._refused: set[tuple[str, str]] = set()
        self._settings: dict[int, ReminderSettings] = {}

    # -- since: when a thing began to exist, in the clock's terms -------------------------------

    def since(self, created: str | None, now: datetime) -> datetime | None:
        instant = _parse_instant(created)
        if instant is None:
            return None
        if not self.frozen:
            return instant
        return now if instant >= self.started else None

    # -- the sweep ------------------------------------------------------------------------------

    async def sweep(self) -> SweepResult:
        async with self._lock:
            result = SweepResult()
            now = self.clock.now()
            if self._duties_day != now.date():
                result.created = len(await ensure_duties(self.store, now.date()))
                self._duties_day = now.date()
                self._notices = {k: v for k, v in self._notices.items() if k[1] >= now.date() - timedelta(days=1)}
            recipients, settings, items = await self._load(now)
            self._settings = settings
            skip = await satisfied_duties(self.store, items)
            notices = await self._rhythm(now, recipients, settings)
            by_id = {i.id: i for i in items}
            due = plan_due(now, recipients, settings, items, skip=skip, notices=notices,
                           item_since=lambda item: self.since(item.created_at, now))
            rows: list[Due] = []
            for d in await self._unlogged(due):
                if (d.key, d.chat_id) in self._refused:
                    continue
                if await self._claim(d):
                    self._mine.add((d.key, d.chat_id))
                    rows.append(d)
            result.claimed = len(rows)
            pending = await self._pending(now, settings, {(r.key, r.chat_id) for r in rows})
            result.resent = len(pending)
            await self._deliver(pending + rows, now, by_id, result)
            return result

    async def _load(self, now: datetime):
        extra = (self.chat_id,) if self.chat_id else ()
        owners = await self.store.fetch_all(
            "SELECT unit_id, user_id AS chat_id, created_at FROM accounts WHERE channel = ? AND role = 'owner'"
            + (" AND user_id = ?" if self.chat_id else ""), (self.channel, *extra))
        linked = {r["chat_id"] for r in await self.store.fetch_all(
            "SELECT chat_id FROM chats WHERE channel = ? AND linked = 1" + (" AND chat_id = ?" if self.chat_id else ""),
            (self.channel, *extra))}
        raw: dict[int, dict[str, Any]] = {}
        if linked:
            for row in await self.store.fetch_all(
                    "SELECT id, settings FROM units WHERE json_extract(settings, '$.linked_at') IS NOT NULL"):
                raw[row["id"]] = json.loads(row["settings"] or "{}")
        groups = [(unit_id, key.partition(":")[2], when) for unit_id, values in sorted(raw.items())
                  for key, when in (values.get("linked_at") or {}).items()
                  if key.partition(":")[0] == self.channel and key.partition(":")[2] in linked]
        missing = sorted({r["unit_id"] for r in owners} - set(raw))
        for chunk in _chunks(missing):
            for row in await self.store.fetch_all(
                    f"SELECT id, settings FROM units WHERE id IN ({_marks(chunk)})", chunk):
                raw[row["id"]] = json.loads(row["settings"] or "{}")
        settings = {unit_id: ReminderSettings.of(values) for unit_id, values in raw.items()}
        recipients = [Recipient(r["unit_id"], str(r["chat_id"]), self.since(r["created_at"], now))
                      for r in owners if r["unit_id"] in settings]
        recipients += [Recipient(unit_id, chat_id, self.since(when, now)) for unit_id, chat_id, when in groups]
        unit_ids = sorted({r.unit_id for r in recipients})
        today = now.date()
        lo, hi = (today - CATCH_UP - timedelta(days=1)).isoformat(), (today + timedelta(days=MAX_DAYS + 1)).isoformat()
        items: list[Item] = []
        for chunk in _chunks(unit_ids):
            rows = await self.store.fetch_all(
                f"SELECT * FROM deadlines WHERE unit_id IN ({_marks(chunk)}) AND status = 'open' AND ("
                "(due >= ? AND (CASE WHEN kind = 'event' THEN COALESCE(start, due) ELSE due END) <= ?) "
                "OR (snoozed_until IS NOT NULL AND substr(snoozed_until, 1, 10) BETWEEN ? AND ?))",
                (*chunk, lo, hi, lo, today.isoformat()))
            items += [Item.of(r) for r in rows]
        return recipients, settings, items

    async def _rhythm(self, now: datetime, recipients: list[Recipient],
                      settings: dict[int, ReminderSettings]) -> dict[int, list[str]]:
        """handlers.meetings.rhythm_notices for units with a meeting duty switched on (once a day each)."""
        try:
            from handlers.meetings import rhythm_notices
        except ImportError:
            return {}
        units = sorted({r.unit_id for r in recipients})
        if not units:
            return {}
        rows = await self.store.fetch_all(
            f"SELECT DISTINCT unit_id FROM duties WHERE enabled = 1 AND duty IN ('sinh_hoat', 'chuyen_de') "
            f"AND unit_id IN ({_marks(units)})", units)
        out: dict[int, list[str]] = {}
        for row in rows:
            unit_id = row["unit_id"]
            day, _ = daily_moment(now, settings.get(unit_id, ReminderSettings()))
            cached = self._notices.get((unit_id, day))
            if cached is None:
                try:
                    cached = list(await rhythm_notices(self.store, unit_id, day))
                except Exception:
                    log.exception("rhythm notices failed for unit %s", unit_id)
                    cached = []
                self._notices[(unit_id, day)] = cached
            out[unit_id] = cached
        return out

    async def _unlogged(self, due: list[Due]) -> list[Due]:
        """The due pairs the log does not hold yet (the claim checks again, atomically)."""
        if not due:
            return []
        logged: set[tuple[str, str]] = set()
        keys = sorted({d.key for d in due})
        for chunk in _chunks(keys):
            rows = await self.store.fetch_all(
                f"SELECT key, chat_id FROM reminder_log WHERE channel = ? AND key IN ({_marks(chunk)})",
                (self.channel, *chunk))
            logged |= {(r["key"], r["chat_id"]) for r in rows}
        fresh = [d for d in due if (d.key, d.chat_id) not in logged]
        return sorted(fresh, key=lambda d: (d.chat_id, d.scheduled_for, d.key))

    async def _claim(self, d: Due) -> bool:
        params = (d.key, self.channel, d.chat_id, d.unit_id, d.scheduled_for.isoformat(),
                  _wall().isoformat(timespec="microseconds"), int(d.late))
        columns = "INSERT INTO reminder_log (key, channel, chat_id, unit_id, scheduled_for, claimed_at, late) "
        if d.item_id is None:
            cur = await self.store.conn.execute(
                columns + "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", params)
        else:
            cur = await self.store.conn.execute(
                columns + "SELECT ?, ?, ?, ?, ?, ?, ? FROM deadlines WHERE id = ? AND status = 'open' "
                "ON CONFLICT DO NOTHING", (*params, d.item_id))
        claimed = cur.rowcount == 1
        await cur.close()
        return claimed

    async def _pending(self, now: datetime, settings: dict[int, ReminderSettings],
                       just_claimed: set[tuple[str, str]]) -> list[Due]:
        """Claimed, unconfirmed rows to send again: from an earlier process, or this one's failures."""
        rows = await self.store.fetch_all(
            "SELECT key, chat_id, unit_id, scheduled_for, claimed_at, late FROM reminder_log "
            "WHERE sent_at IS NULL AND channel = ?" + (" AND chat_id = ?" if self.chat_id else ""),
            (self.channel, self.chat_id) if self.chat_id else (self.channel,))
        out = []
        for r in rows:
            pair = (r["key"], r["chat_id"])
            if pair in just_claimed:
                continue
            claimed_at = _parse_instant(r["claimed_at"])
            if pair not in self._mine and (claimed_at is None or claimed_at >= self.started):
                continue  # claimed by another process running now: it sends it
            s = settings.get(r["unit_id"])
            if s is None:
                unit = await self.store.get_unit(r["unit_id"])
                s = settings[r["unit_id"]] = ReminderSettings.of(unit.settings if unit else {})
            if in_quiet(now.time(), s):
                continue
            item_id = int(r["key"].split(":")[1]) if r["key"].startswith("dl:") else None
            out.append(Due(r["key"], r["chat_id"], r["unit_id"], datetime.fromisoformat(r["scheduled_for"]),
                            bool(r["late"]), item_id, resend=True))
        return sorted(out, key=lambda r: (r.chat_id, r.scheduled_for, r.key))

    async def _message(self, row: Due, now: datetime, items: dict[int, Item],
                       digests: dict[tuple[int, str], Outgoing | None]) -> Outgoing | None:
        late = row.late or now - row.scheduled_for > LATE_AFTER
        if row.key.startswith("dl:"):
            item = items.get(row.item_id)
            if item is None or row.resend:
                found = await self.store.fetch_one("SELECT * FROM deadlines WHERE id = ?", (row.item_id,))
                item = Item.of(found) if found is not None else None
            if item is None or item.status != "open":
                return None
            if row.resend:  # claimed earlier: still worth sending?
                snooze = snooze_instant(item, self._settings.get(row.unit_id, ReminderSettings()), now.tzinfo)
                if (snooze is not None and now < snooze) or (item.kind == "event" and now.date() > item.day):
                    return None
            return reminder_message(item, now.date(), late)
        if row.key.startswith("digest:"):
            cache = (row.unit_id, row.key + ("!" if late else ""))
            if cache not in digests:
                digests[cache] = await digest_message(self.store, row.unit_id, date.fromisoformat(row.key[7:]),
                                                      now.date(), late)
            return digests[cache]
        if row.key.startswith("rhythm:"):
            text = row.text
            if text is None:  # a resend: the notice of today, if it still stands
                texts = await self._rhythm_texts(row.unit_id, now)
                text = next((t for t in texts if notice_key(t) == row.key), None)
            if text is None:
                return None
            return Outgoing(text=_fit(("(Nhắc muộn) " if late else "") + text))
        return None

    async def _rhythm_texts(self, unit_id: int, now: datetime) -> list[str]:
        from handlers.meetings import rhythm_notices

        unit = await self.store.get_unit(unit_id)
        day, _ = daily_moment(now, ReminderSettings.of(unit.settings if unit else {}))
        return list(await rhythm_notices(self.store, unit_id, day))

    async def _deliver(self, rows: list[Due], now: datetime, items: dict[int, Item], result: SweepResult) -> None:
        by_chat: dict[str, list[Due]] = defaultdict(list)
        for row in rows:
            by_chat[row.chat_id].append(row)
        digests: dict[tuple[int, str], Outgoing | None] = {}
        gate = asyncio.Semaphore(self.concurrency)
        failures = 0

        async def serve(chat_rows: list[Due]) -> None:
            nonlocal failures
            async with gate:
                for row in chat_rows:
                    if failures >= MAX_FAILURES or not self.keep_going():
                        return  # the rest stays claimed and is sent by the next sweep (or process)
                    pair = (row.key, row.chat_id)
                    out = await self._message(row, now, items, digests)
                    if out is None:
                        await self._drop(row)
                        result.dropped += 1
                        continue
                    late = row.late or now - row.scheduled_for > LATE_AFTER
                    await self.pacer.acquire()
                    try:
                        await self.send(row.chat_id, out)
                    except Undeliverable as exc:
                        self.pacer.release()
                        log.warning("reminder %s to %s:%s refused: %s", row.key, self.channel, row.chat_id, exc)
                        self._refused.add(pair)
                        self._mine.discard(pair)
                        await self._drop(row)
                        result.refused += 1
                        continue
                    except BaseException as exc:
                        self.pacer.release()
                        if not isinstance(exc, Exception):
                            raise
                        failures += 1
                        result.failed += 1
                        log.warning("reminder %s to %s:%s not sent (retried next sweep): %r", row.key,
                                    self.channel, row.chat_id, exc)
                        return  # this chat's next reminders wait too, to keep their order
                    self.pacer.release()
                    # Confirm at once: the only await between the server's answer and this write.
                    await self.store.conn.execute(
                        "UPDATE reminder_log SET sent_at = ?, late = ? WHERE key = ? AND channel = ? AND chat_id = ?",
                        (_wall().isoformat(timespec="microseconds"), int(late), row.key, self.channel, row.chat_id))
                    failures = 0
                    self._mine.discard(pair)
                    result.sent += 1
                    result.late += int(late)
                    result.keys.append(pair)

        await asyncio.gather(*(serve(chat_rows) for chat_rows in by_chat.values()))

    async def _drop(self, row: Due) -> None:
        await self.store.conn.execute(
            "DELETE FROM reminder_log WHERE key = ? AND channel = ? AND chat_id = ? AND sent_at IS NULL",
            (row.key, self.channel, row.chat_id))
        self._mine.discard((row.key, row.chat_id))

    # -- running it periodically (the console; Telegram uses PTB's JobQueue) ---------------------

    async def run_forever(self, every: float = SWEEP_EVERY, first_after: bool = False) -> None:
        """Sweep every `every` seconds (after waiting first when `first_after`), until cancelled."""
        if first_after:
            await asyncio.sleep(every)
        while True:
            try:
                await self.sweep()
            except Exception:
                log.exception("reminder sweep failed")
            await asyncio.sleep(every)


def _chunks(values: list[Any], size: int = 400) -> Iterable[list[Any]]:
    for i in range(0, len(values), size):
        yield values[i:i + size]
