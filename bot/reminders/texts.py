"""The texts the sweep sends: a reminder and the Monday digest, each cut to fit one message."""

from __future__ import annotations

from datetime import date, timedelta

from bot.agenda import week_summary
from bot.messages import Choice, Outgoing
from bot.reminders.calendar import day_text, holiday_warning
from bot.store import Deadline, Store


def fit(text: str, budget: int | None, more: str = "…") -> str:
    """`text`, or its first lines and `more` when it is longer than `budget` characters (None: no limit)."""
    if budget is None or len(text) <= budget:
        return text
    cut = text.rfind("\n", 0, budget - len(more) - 1)
    return (text[:cut] if cut > 0 else text[:budget - len(more) - 1]).rstrip() + "\n" + more


def clip(text: str, limit: int = 300) -> str:
    """`text` on one line, at most `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def countdown(item: Deadline, today: date) -> str:
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


def member_choices(item: Deadline) -> list[Choice]:
    """What the member a task is assigned to can answer (handled by /viec, handlers/tasks.py)."""
    return [Choice("Đã xong", f"/viec xong {item.id}"), Choice("Hoãn 3 ngày", f"/viec hoan {item.id} 3")]


def reminder_message(item: Deadline, today: date, late: bool = False, *, budget: int | None,
                     member: bool = False) -> Outgoing:
    """"Nhắc việc: còn 7 ngày (thứ năm, 15/6/2023) — Nộp báo cáo sơ kết (Kế hoạch số 46-KH/ĐU)"; to the member
    it is assigned to (`member`), with her choices "Đã xong" and "Hoãn 3 ngày"."""
    head = "Nhắc việc (nhắc muộn)" if late else "Nhắc việc"
    line = f"{head}: {countdown(item, today)} — {clip(item.title)}"
    if item.source:
        line += f" ({clip(item.source, 200)})"
    lines = [line]
    if item.assignee:
        lines.append(f"Thực hiện: {clip(item.assignee, 200)}")
    warning = holiday_warning(item.day, item.kind)
    if warning:
        lines.append(warning)
    if member:
        lines.append("Khi xong, bấm “Đã xong” hoặc trả lời “xong”; cần thêm thời gian: “hoãn 3 ngày”.")
        return Outgoing(text=fit("\n".join(lines), budget), choices=member_choices(item))
    return Outgoing(text=fit("\n".join(lines), budget))


async def digest_message(store: Store, unit_id: int, monday: date, today: date, late: bool = False, *,
                         budget: int | None) -> Outgoing | None:
    """The Monday digest: bot.agenda.week_summary, with the days off of the week's items."""
    unit = await store.get_unit(unit_id)
    if unit is None:
        return None
    text = await week_summary(store, unit, monday)
    days_off: list[str] = []
    sunday = monday + timedelta(days=6)
    for item in await store.deadlines_between(unit_id, monday, sunday):
        warning = holiday_warning(item.day, item.kind) if monday <= item.day <= sunday else None
        if warning and warning not in days_off:
            days_off.append(warning)
    if days_off:
        text += "\n" + "\n".join(days_off)
    text += "\nGõ /tuannay để xem lại, /hanchot để xem tất cả các hạn chót."
    if late:
        text = "(Nhắc muộn) " + text
    return Outgoing(text=fit(text, budget, more="… (gõ /tuannay để xem đủ)"))


def notice_message(text: str, late: bool, *, budget: int | None) -> Outgoing:
    """A meeting rhythm notice, as the sweep sends it."""
    return Outgoing(text=fit(("(Nhắc muộn) " if late else "") + text, budget))
