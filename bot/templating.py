"""The Jinja2 environment for document templates in templates/: they write the body markup of bot.documents."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot import dates
from bot.documents import escape_markup
from bot.formats import upper_first

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _as_date(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def markup_lines(text: str) -> list[str]:
    """Typed lines as markup: lines starting with “-”/“+” stay bullets; several plain lines become bullets."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    out = []
    for line in lines:
        marker = line[0] if line[0] in "-+•" else ("-" if len(lines) > 1 else "")
        body = escape_markup(line[1:].strip() if line[0] in "-+•" else line)
        out.append(f"{'+' if marker == '+' else '-'} {body}" if marker else body)
    return out


def add_days(value: str | date, days: int) -> str:
    """An ISO date `days` later (earlier when negative), as an ISO date."""
    return (_as_date(value) + timedelta(days=days)).isoformat()


def add_months(value: str | date, months: int) -> str:
    """The same day `months` later (the month's last day when it has no such day), as an ISO date."""
    day = _as_date(value)
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1])).isoformat()


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def closed(line: str) -> str:
    """A markup line of minutes as a sentence ends: a full stop added unless it ends with one of . ; : ! ? …
    (behind any emphasis markers); a trailing comma becomes a full stop."""
    line = line.rstrip()
    core = line.rstrip("*_")
    if not core or core[-1] in ".;:!?…" or core.endswith("\\*"):
        return line
    if core[-1] == ",":
        return core[:-1] + "." + line[len(core):]
    return line + "."


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=False,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
    env.filters.update(
        date_long=lambda v: dates.format_date_long(_as_date(v)),
        date_short=lambda v: dates.format_date_short(_as_date(v)),
        weekday=lambda v: dates.weekday_vi(_as_date(v)),
        lower_first=lower_first,
        upper_first=upper_first,
        closed=closed,
        add_days=add_days,
        add_months=add_months,
        m=escape_markup,  # user text, made literal for the markup
        lines=markup_lines,
        roman=lambda n: ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")[n - 1],
    )
    return env
