"""Recurring duties: the regular and thematic meetings, party dues, the year-end review.

Switching one on creates its deadlines for the current period and the next (the unique index
``deadlines_duty`` keeps this idempotent); every sweep on a new day creates the periods that became current.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.formats import ROMAN, mm
from bot.store import Deadline, Store

SOURCE_DUTY = "Việc định kỳ"


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
def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def duty_deadlines(duty: str, today: date) -> list[dict[str, Any]]:
    """The deadlines a duty sets for the current period and the next (those not already past)."""
    out: list[dict[str, Any]] = []
    if duty in ("sinh_hoat", "dang_phi"):
        for y, m in ((today.year, today.month), _next_month(today.year, today.month)):
            title = (f"Sinh hoạt chi bộ thường kỳ tháng {mm(m)}/{y}" if duty == "sinh_hoat"
                     else f"Thu, nộp đảng phí tháng {mm(m)}/{y}")
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


async def ensure_duties(store: Store, today: date, unit_id: int | None = None) -> list[Deadline]:
    """Create the missing deadlines of every enabled duty (of one unit, or all); return the new ones."""
    created: list[Deadline] = []
    for unit, duty in await store.duty_switches(unit_id):
        if duty not in DUTIES:
            continue
        for d in duty_deadlines(duty, today):
            new = await store.add_duty_deadline(unit, duty, d["period"], d["kind"], d["title"], d["due"], d["start"],
                                                SOURCE_DUTY)
            if new is not None:
                created.append(new)
    return created


async def set_duty(store: Store, unit_id: int, duty: str, on: bool, today: date) -> list[Deadline]:
    """Switch a duty on (creating its deadlines, returned) or off (removing its open deadlines not yet due)."""
    if duty not in DUTIES:
        raise KeyError(duty)
    await store.switch_duty(unit_id, duty, on)
    if on:
        return await ensure_duties(store, today, unit_id)
    await store.remove_open_duty_deadlines(unit_id, duty, today)
    return []


async def satisfied_duties(store: Store, items: list[Deadline]) -> set[int]:
    """Ids of meeting-duty deadlines whose meeting is already logged in `meetings`."""
    wanted = [i for i in items if i.duty in ("sinh_hoat", "chuyen_de") and i.duty_period]
    if not wanted:
        return set()
    units = sorted({i.unit_id for i in wanted})
    held = await store.held_meetings(units, min(i.due.year for i in wanted) - 1)
    done = set()
    for i in wanted:
        assert i.duty_period is not None
        y, _, p = i.duty_period.partition("-")
        if i.duty == "sinh_hoat" and (i.unit_id, "thuong_ky", int(y), int(p)) in held:
            done.add(i.id)
        elif i.duty == "chuyen_de" and p.startswith("Q"):
            q = int(p[1:])
            if any((i.unit_id, "chuyen_de", int(y), m) in held for m in range(3 * q - 2, 3 * q + 1)):
                done.add(i.id)
    return done
