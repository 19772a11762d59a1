"""Small formatting helpers for Party documents and messages: months, percentages, money, clock times."""

from __future__ import annotations

from datetime import date, time

ROMAN = ("I", "II", "III", "IV")  # quarters


def mm(month: int) -> str:
    """Months 1-2 take a leading zero in Party documents, the others do not."""
    return f"{month:02d}" if month <= 2 else str(month)


def percent(part: int, whole: int) -> str:
    """'81,8%', '100%'."""
    if whole <= 0:
        return "0%"
    text = f"{100 * part / whole:.1f}".replace(".", ",")
    return text.removesuffix(",0") + "%"


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def thousands(amount: int) -> str:
    """12.345, as Vietnamese writes it."""
    return f"{amount:,}".replace(",", ".")


def clock_text(value: str) -> str:
    """'14:00' -> '14 giờ 00'."""
    t = time.fromisoformat(value)
    return f"{t.hour:02d} giờ {t.minute:02d}"


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1
