"""Working days in Vietnam (weekends and public holidays, lunar New Year included) and their warnings."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from bot.dates import format_date_short, weekday_vi

_CALENDAR: Any = None


def _calendar() -> Any:
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
    return bool(_calendar().is_working_day(d))


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
