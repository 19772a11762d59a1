"""The meeting rhythm of a chi bộ: a regular meeting every month, a thematic one every quarter.

Which months and quarters of a year have a logged meeting, the year at a glance (`/nhipsinhhoat`), and the
notices the daily reminder sweep sends while a meeting of the current period is missing.
"""

from __future__ import annotations

from datetime import date

from bot import dates
from bot.charts import FUTURE, HELD, MISSING, OPEN, Period, YearGrid
from bot.formats import ROMAN, mm, quarter_of
from bot.store import Store, Unit
from bot.store.records import LoggedMeeting

KINDS = {"thuong_ky": "thường kỳ", "chuyen_de": "chuyên đề"}
REGULAR_BY_DAY = 20  # a regular meeting not logged once this day of the month has passed gets a notice


def short(day: date) -> str:
    return dates.format_date_short(day)


async def logged(store: Store, unit_id: int, year: int) -> tuple[dict[int, LoggedMeeting], dict[int, LoggedMeeting]]:
    """This year's meetings: regular ones by month, thematic ones by quarter (the first of each)."""
    regular: dict[int, LoggedMeeting] = {}
    thematic: dict[int, LoggedMeeting] = {}
    for meeting in await store.meetings_in_year(unit_id, year):
        if meeting.kind == "thuong_ky":
            regular.setdefault(meeting.period_month, meeting)
        else:
            thematic.setdefault((meeting.period_month - 1) // 3 + 1, meeting)
    return regular, thematic


async def planned_topic(store: Store, unit_id: int, day: date) -> str | None:
    """The topic the unit's latest yearly thematic plan sets for the quarter of `day`."""
    quarter = ROMAN[quarter_of(day) - 1]
    for answers in await store.thematic_plans(unit_id):
        for topic in answers.get("topics") or []:
            if topic.get("quarter") == quarter and topic.get("year") == day.year and topic.get("title"):
                return topic["title"]
    return None


def year_grid(regular: dict[int, LoggedMeeting], thematic: dict[int, LoggedMeeting], today: date,
              year: int) -> YearGrid:
    """Each month and quarter of `year` as of `today`: held, missing, the current one still open, or to come."""

    def period(n: int, now: int, meeting: LoggedMeeting | None, late: bool) -> Period:
        if meeting is not None:
            return Period(HELD, meeting.held_on, meeting.topic)
        if (year, n) > (today.year, now):
            return Period(FUTURE)
        if (year, n) == (today.year, now):
            return Period(OPEN, late=late)
        return Period(MISSING)

    this_year = year == today.year
    late = today.day > REGULAR_BY_DAY
    months = tuple(period(m, today.month, regular.get(m), late) for m in range(1, 13))
    quarters = tuple(period(q, quarter_of(today), thematic.get(q), False) for q in range(1, 5))
    return YearGrid(year, months, quarters, today.month if this_year else None,
                    quarter_of(today) if this_year else None, REGULAR_BY_DAY)


async def year_rhythm(store: Store, unit_id: int, today: date, year: int | None = None) -> YearGrid:
    regular, thematic = await logged(store, unit_id, year or today.year)
    return year_grid(regular, thematic, today, year or today.year)


def grid_text(grid: YearGrid) -> str:
    """The year at a glance in words (the text of `/nhipsinhhoat`; the chart draws the same grid)."""
    year = grid.year
    lines = [f"Sinh hoạt thường kỳ năm {year}:"]
    for month, p in enumerate(grid.months, 1):
        if p.status == FUTURE:
            lines.append(f"- Tháng {month}: chưa đến")
        elif p.status == HELD and p.held_on is not None:
            lines.append(f"- Tháng {month}: đã sinh hoạt ngày {short(p.held_on)}")
        elif p.status == OPEN:
            late = f" — đã qua ngày {grid.late_after}" if p.late else ""
            lines.append(f"- Tháng {month}: chưa có biên bản{late}")
        else:
            lines.append(f"- Tháng {month}: KHÔNG có biên bản")
    lines += ["", f"Sinh hoạt chuyên đề năm {year}:"]
    for q, p in enumerate(grid.quarters, 1):
        if p.status == FUTURE:
            lines.append(f"- Quý {ROMAN[q - 1]}: chưa đến")
        elif p.status == HELD and p.held_on is not None:
            topic = f" — “{p.topic}”" if p.topic else ""
            lines.append(f"- Quý {ROMAN[q - 1]}: đã sinh hoạt ngày {short(p.held_on)}{topic}")
        elif p.status == OPEN:
            lines.append(f"- Quý {ROMAN[q - 1]}: chưa có")
        else:
            lines.append(f"- Quý {ROMAN[q - 1]}: KHÔNG có")
    (held, due), (q_held, q_due) = grid.months_held, grid.quarters_held
    lines += ["", f"Tổng: {held}/{due} tháng đã sinh hoạt thường kỳ; {q_held}/{q_due} quý đã sinh hoạt chuyên đề."]
    return "\n".join(lines)


async def rhythm_notices(store: Store, unit: Unit | int | None, today: date) -> list[str]:
    """The Vietnamese notices about the meeting rhythm due today (for the daily reminder sweep).

    - after the 20th of a month, while no regular meeting of that month is logged;
    - in the last month of a quarter, while no thematic meeting of that quarter is logged.
    A notice stays due every day until the meeting is logged or its period ends, and its text is the same
    every day of that period, so the sweep can use (unit, text) as the key that keeps it from being sent twice.
    `unit` is a bot.store.Unit (or its id).
    """
    if isinstance(unit, int):
        unit = await store.get_unit(unit)
    if unit is None:
        return []
    regular, thematic = await logged(store, unit.id, today.year)
    notices = []
    if today.day > REGULAR_BY_DAY and today.month not in regular:
        notices.append(f"Nhắc việc: đã qua ngày {REGULAR_BY_DAY}/{mm(today.month)}/{today.year} mà {unit.name} chưa có "
                       f"biên bản sinh hoạt thường kỳ tháng {today.month}/{today.year}. Nếu chi bộ đã họp, gõ "
                       "/sinhhoat để ghi biên bản; nếu chưa, xin sắp xếp sinh hoạt trước khi hết tháng.")
    q = quarter_of(today)
    if today.month % 3 == 0 and q not in thematic:
        topic = await planned_topic(store, unit.id, today)
        planned = f" Theo kế hoạch, chuyên đề quý này là “{topic}”." if topic else ""
        notices.append(f"Nhắc việc: đã sang tháng cuối của quý {ROMAN[q - 1]}/{today.year} mà {unit.name} chưa sinh hoạt "
                       f"chuyên đề trong quý (mỗi quý ít nhất một lần, không thay cho sinh hoạt thường kỳ).{planned} "
                       "Sau buổi sinh hoạt, gõ /sinhhoat để ghi biên bản.")
    return notices
