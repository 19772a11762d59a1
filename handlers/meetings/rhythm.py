"""The meeting rhythm in conversation: `/nhipsinhhoat`, the question "tháng này đã sinh hoạt chưa?", and
`/thongke` (attendance per member, meetings held, tasks on time and late). Both commands add a chart
(bot/charts.py), drawn from the same numbers as their text, when there is something to draw."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from bot import charts, dates
from bot.charts import MeetingBar, Statistics, TaskCounts
from bot.formats import ROMAN, percent, quarter_of
from bot.messages import Choice, Outgoing, OutPicture
from bot.rhythm import REGULAR_BY_DAY, grid_text, logged, planned_topic, short, year_rhythm
from bot.store import Store, Unit
from bot.store.records import Deadline
from bot.text import is_count
from handlers.context import Context
from handlers.meetings.attendance import ATTENDANCE_TARGET

log = logging.getLogger(__name__)


async def this_month(ctx: Context) -> list[Outgoing]:
    """Whether this month's regular meeting and this quarter's thematic one were held."""
    assert ctx.unit is not None
    today = ctx.clock.today()
    regular, thematic = await logged(ctx.store, ctx.unit.id, today.year)
    lines = []
    if today.month in regular:
        lines.append(f"Tháng {today.month}/{today.year}: chi bộ đã sinh hoạt thường kỳ ngày "
                     f"{short(regular[today.month].held_on)}.")
    else:
        late = f" Đã qua ngày {REGULAR_BY_DAY}, xin sắp xếp sinh hoạt sớm." if today.day > REGULAR_BY_DAY else ""
        lines.append(f"Tháng {today.month}/{today.year}: chưa có biên bản sinh hoạt thường kỳ.{late}")
    q = quarter_of(today)
    if q in thematic:
        topic = f" (“{thematic[q].topic}”)" if thematic[q].topic else ""
        lines.append(f"Quý {ROMAN[q - 1]}/{today.year}: đã sinh hoạt chuyên đề ngày {short(thematic[q].held_on)}"
                     f"{topic}.")
    else:
        planned_title = await planned_topic(ctx.store, ctx.unit.id, today)
        planned = f" Theo kế hoạch: “{planned_title}”." if planned_title else ""
        lines.append(f"Quý {ROMAN[q - 1]}/{today.year}: chưa sinh hoạt chuyên đề.{planned}")
    return [Outgoing(text="\n".join(lines), choices=[Choice("Ghi biên bản", "/sinhhoat"),
                                                     Choice("Xem cả năm", "/nhipsinhhoat")])]


# -- statistics -------------------------------------------------------------------------------

def task_counts(tasks: list[Deadline], today: date) -> TaskCounts:
    """The tasks given at meetings by how they went (done by their due day, after it, overdue, running)."""
    on_time = late = done_unknown = overdue = running = 0
    for t in tasks:
        if t.status == "done":
            finished = (t.done_at or "")[:10]
            if not finished:
                done_unknown += 1
            elif finished <= t.due.isoformat():
                on_time += 1
            else:
                late += 1
        elif t.due < today:
            overdue += 1
        else:
            running += 1
    return TaskCounts(on_time, late, done_unknown, overdue, running)


async def report(store: Store, unit: Unit, start: date, end: date, today: date) -> tuple[str, Statistics]:
    """The text of `/thongke` and the numbers its chart draws (empty when no meeting was logged)."""
    meetings = await store.meetings_between(unit.id, start, end)
    head = f"Thống kê sinh hoạt từ {dates.format_date_short(start)} đến {dates.format_date_short(end)}"
    if not meetings:
        return head + ":\nChưa có buổi sinh hoạt nào được ghi biên bản trong khoảng này.", Statistics(start, end)
    regular = sum(1 for m in meetings if m.kind == "thuong_ky")
    lines = [head + ":", f"Số buổi sinh hoạt: {len(meetings)} (thường kỳ {regular}, chuyên đề "
                         f"{len(meetings) - regular})."]
    per: dict[str, dict[str, int]] = {}
    for row in await store.attendance_per_member(unit.id, start, end):
        per.setdefault(row.name, {})[row.status] = row.meetings
    order = [p.name for p in await store.people(unit.id)]
    names = [n for n in order if n in per] + sorted(n for n in per if n not in order)
    lines += ["", "Chuyên cần của từng đảng viên:"]
    attended = required = 0
    for n, name in enumerate(names, 1):
        s = per[name]
        must = s.get("present", 0) + s.get("excused", 0) + s.get("absent", 0)
        attended, required = attended + s.get("present", 0), required + must
        parts = [f"dự {s.get('present', 0)}/{must} buổi ({percent(s.get('present', 0), must)})"] if must else []
        if s.get("excused"):
            parts.append(f"vắng có lý do {s['excused']}")
        if s.get("absent"):
            parts.append(f"vắng không lý do {s['absent']}")
        if s.get("exempt"):
            parts.append(f"miễn sinh hoạt {s['exempt']} buổi")
        lines.append(f"{n}. {name}: " + ", ".join(parts))
    lines.append(f"Tỷ lệ dự sinh hoạt chung: {percent(attended, required)}.")

    bars = tuple(MeetingBar(m.held_on, m.kind, m.present, m.present + m.excused + m.absent)
                 for m in await store.attendance_per_meeting(unit.id, start, end))
    tasks = task_counts(await store.meeting_tasks_between(unit.id, start, end), today)
    stats = Statistics(start, end, bars, tasks, ATTENDANCE_TARGET)
    lines.append("")
    if not tasks.total:
        lines.append("Việc chi bộ giao tại các buổi sinh hoạt: chưa có.")
        return "\n".join(lines), stats
    parts = [f"hoàn thành đúng hạn {tasks.on_time}", f"hoàn thành trễ hạn {tasks.late}"]
    if tasks.done_unknown:  # marked done before the tracker recorded when
        parts.append(f"hoàn thành (không rõ ngày) {tasks.done_unknown}")
    parts += [f"quá hạn chưa hoàn thành {tasks.overdue}", f"đang thực hiện, chưa đến hạn {tasks.running}"]
    lines.append(f"Việc chi bộ giao tại các buổi sinh hoạt: {tasks.total} — " + ", ".join(parts) + ".")
    return "\n".join(lines), stats


async def statistics(store: Store, unit: Unit, start: date, end: date, today: date) -> str:
    return (await report(store, unit, start, end, today))[0]


async def picture(filename: str, caption: str, render: Callable[..., bytes], *args: Any) -> OutPicture | None:
    """The chart, drawn in a worker thread (matplotlib is slow to import and draws for a tenth of a second);
    None when it cannot be drawn — the text says everything anyway."""
    try:
        data = await asyncio.to_thread(render, *args)
    except Exception:
        log.exception("chart %r could not be drawn", filename)
        return None
    return OutPicture(filename, data, caption)


async def cmd_rhythm(ctx: Context, arg: str) -> list[Outgoing]:
    assert ctx.unit is not None
    today = ctx.clock.today()
    year = int(arg) if is_count(arg.strip()) and 2000 <= int(arg) <= 2100 else today.year
    grid = await year_rhythm(ctx.store, ctx.unit.id, today, year)
    title = f"Nhịp sinh hoạt chi bộ năm {year} — {ctx.unit.name}"
    chart = None if grid.empty else await picture(f"Nhịp sinh hoạt chi bộ năm {year}.png", title,
                                                  charts.rhythm_png, ctx.unit.name, grid)
    return [Outgoing(title=title, text=grid_text(grid), picture=chart,
                     choices=[Choice("Ghi biên bản", "/sinhhoat"), Choice("Thống kê", "/thongke")])]


async def cmd_statistics(ctx: Context, arg: str) -> list[Outgoing]:
    assert ctx.unit is not None
    today = ctx.clock.today()
    if arg.strip():
        try:
            when = dates.parse_when(arg, today=today, default_kind="period", tense=dates.PAST)
        except dates.DateError as exc:
            return [Outgoing(text=f"{exc}\nVí dụ: /thongke năm {today.year}, /thongke quý "
                                  f"{ROMAN[quarter_of(today) - 1]}/{today.year}, /thongke tháng {today.month}/{today.year}.")]
        start, end = when.start or when.due, when.due
    else:
        start, end = date(today.year, 1, 1), today
    text, stats = await report(ctx.store, ctx.unit, start, end, today)
    span = f"{dates.format_date_short(start)} – {dates.format_date_short(end)}"
    chart = None if stats.empty else await picture(
        f"Thống kê sinh hoạt {start:%d-%m-%Y} đến {end:%d-%m-%Y}.png",
        f"Thống kê sinh hoạt — {ctx.unit.name}, {span}", charts.statistics_png, ctx.unit.name, stats)
    q = ROMAN[quarter_of(today) - 1]
    return [Outgoing(title=f"Thống kê — {ctx.unit.name}", text=text, picture=chart, choices=[
        Choice("Tháng này", f"/thongke tháng {today.month}/{today.year}"),
        Choice("Quý này", f"/thongke quý {q}/{today.year}"),
        Choice("Cả năm", f"/thongke năm {today.year}"),
        Choice("Năm trước", f"/thongke năm {today.year - 1}"),
    ])]
