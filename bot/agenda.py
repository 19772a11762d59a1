"""The tracker in plain words: a deadline's line, the week's summary (/tuannay and the Monday digest)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot import dates
from bot.store import Deadline, Store, Unit


def week_of(day: date) -> tuple[date, date]:
    """The Monday and the Sunday of the week of `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def span(first: date, last: date) -> str:
    """"23/11/2026 – 29/11/2026"."""
    return f"{dates.format_date_short(first)} – {dates.format_date_short(last)}"


def when_text(item: Deadline) -> str:
    """The item's day (or days, and time) in words, as the tracker shows it."""
    when = dates.When(item.kind, item.due, item.start,
                      datetime.strptime(item.at_time, "%H:%M").time() if item.at_time else None)
    return dates.format_when(when)


def line(item: Deadline, today: date) -> str:
    """One item of a listing: when, what, who, where from, and a snooze still running."""
    text = f"{when_text(item)} — {item.title}"
    if item.assignee:
        text += f" ({item.assignee})"
    if item.source:
        text += f" · {item.source}"
    if item.snoozed_until and item.snoozed_until > today.isoformat():
        text += f" [hoãn nhắc đến {dates.format_date_short(date.fromisoformat(item.snoozed_until))}]"
    return text


async def week_summary(store: Store, unit: Unit, today: date) -> str:
    """What is due this week, in plain words (also the Monday digest)."""
    monday, sunday = week_of(today)
    items = await store.deadlines_between(unit.id, monday, sunday)
    late = await store.overdue_deadlines(unit.id, today)
    lines = [f"Việc tuần này ({span(monday, sunday)}):"]
    lines += [f"- {line(i, today)}" for i in items] or ["- Không có việc nào có hạn trong tuần này."]
    if not items and (after := await store.deadlines_after(unit.id, sunday, 1)):
        lines.append(f"Việc gần nhất: {after[0].title} — {when_text(after[0])}.")
    if late:
        lines.append(f"Quá hạn chưa xong ({len(late)}):")
        lines += [f"- {line(i, today)}" for i in late[:10]]
    return "\n".join(lines)
