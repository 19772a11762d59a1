"""Vietnamese dates for Trợ lý Chi bộ: parse what secretaries type and what plans say, format dates back.

Pure functions, no I/O. The parsers never read the clock themselves: the caller passes ``today``
(from ``bot.clock.Clock``, in the unit's time zone). Day first, always: 05/01/2023
is 5 January 2023. Every ``DateError`` carries a message for the user, in Vietnamese.

How it works: the text is normalised (NFC, lower case, date words without accents, so ``thu 6 tuan
sau`` typed without diacritics works too; a few words keep a tag where dropping the accent would be
ambiguous: ``sáu`` (six) vs ``sau`` (next), ``tư`` (Wednesday) vs ``từ`` (from), ``tối`` (evening) vs
``tới`` (coming)). Times are taken out first, then a fixed list of regular expressions is tried from
the most specific (ranges, full dates, quarters...) to the vaguest (conversational words), each one
masking what it consumed. ``dateparser`` (imported lazily) is the last resort, only for short phrases
of words (no digits, no "tháng", at most 40 characters), never ``search_dates``.

Rules chosen for conversational and incomplete forms (weeks start on Monday):

* ``hôm nay``/``ngày mai``/``mai``/``ngày kia`` (= ``ngày mốt``)/``hôm qua``/``hôm kia``: today, +1, +2,
  -1, -2 days. ``sáng nay``, ``chiều mai`` ... likewise (the part of the day is not a time).
* A weekday alone or with ``này`` (``thứ sáu``, ``thứ sáu này``): the first such day on or after today
  (today itself if it is that day; when this week's Friday is past, next week's). With ``tới``
  (``thứ sáu tới``): the first such day strictly after today. With ``tuần này`` / ``tuần sau`` (=
  ``tuần tới``) / ``tuần trước``: that day in the current / next / previous Monday-Sunday week, taken
  literally (``thứ 6 tuần này`` can be in the past). Abbreviations (``T6``, ``CN``) count as a weekday
  alone only at the start or end of the text, or with such a qualifier.
* ``3 ngày nữa``, ``2 tuần nữa``, ``1 tháng nữa``, ``sau 3 ngày``, ``trong 3 ngày``, ``còn 3 ngày``:
  today plus that many days / weeks / months (a month later is clamped to the month's last day);
  ``3 ngày trước``, ``cách đây 3 ngày``: minus.
* ``15/6``, ``ngày 15 tháng 6``, ``15/6 tới``: the first 15 June on or after today. ``ngày 15``: the
  first 15th of a month on or after today. ``15/6 năm sau``: 15 June of next year. Without a year the
  dot form (``15.6``) is read as a date only after ``ngày`` or a weekday, or when it is the whole text
  (``tăng 12.5%`` is no date). Two-digit years are 20xx.
* Ranges: ``từ 01/7 đến 15/7/2023``, ``01/7 - 15/7/2023``, ``15-20/6``, ``từ tháng 7 đến tháng
  12-2019``, ``từ nay đến 15/6``: the start borrows the end's month and year (the year before when it
  would otherwise come after the end).
* Incomplete periods take the first occurrence that has not ended yet: ``tháng 7``, ``quý I``,
  ``đến hết quý I``, ``đầu tháng 7``, ``6 tháng đầu năm`` are in the current year unless that period
  is already over, then in the next year. ``đầu tháng``/``giữa tháng`` alone: this month's part
  unless it is over, then next month's; ``cuối tháng``: days 21 to the end of this month.
* Relative periods: ``tuần này``/``tuần sau``/``tuần trước`` are Monday-Sunday weeks; ``tháng
  này``/``tháng sau``/``tháng trước`` whole months; ``năm nay``/``năm sau`` whole years; ``trong tuần``,
  ``trong tháng``: the current ones. ``đầu tháng X`` = days 1-10, ``giữa tháng X`` = 11-20, ``cuối
  tháng X`` = 21 to the end. ``cuối tuần`` is one day, the Sunday of this week (``cuối tuần sau``:
  next week's); ``đầu tuần`` the first Monday on or after today (``đầu tuần sau``: next week's).
  ``tuần sau nữa``, ``tháng sau nữa``: the week / month after next.

``parse_date`` needs one day. For a few period words it picks one: ``tuần sau``/``tuần tới`` -> Monday of
next week; ``tháng sau``/``tháng tới`` -> the 1st of next month; ``cuối tháng ...`` -> the last day of
that month; ``đầu tháng ...`` -> its 1st (a bare ``đầu tháng`` after the 1st of this month means the
1st of next month); ``(đến) hết tháng 6`` / ``hết quý I`` / ``hết năm 2024`` -> the period's last day.
Any other period (``tháng 7/2023``, ``Quý II/2023``, ``tuần này``, ``giữa tháng``, ranges...) raises a
``DateError`` asking for a specific day.

``parse_when`` reads a deadline, event or period phrase. The period forms of FORMAT.md section 4 give
``start`` (first day) and ``due`` (last day). Kind: the cue nearest before the date (else the first
one after it) decides: ``trước (ngày)``, ``hoàn thành (trước)``, ``chậm nhất``, ``muộn nhất``, ``xong
trong``, ``thời gian hoàn thành``, ``(thời) hạn``, ``hạn chót`` -> deadline; ``dự kiến``, ``vào lúc``,
``lúc``, ``tổ chức vào``, ``thời gian:``, ``họp``, ``diễn ra`` -> event. Without a cue a period form is a
"period" and a single day gets ``default_kind`` (with ``default_kind="period"`` a single day becomes a
one-day period, ``start == due``). A period keeps its ``start`` whatever its kind. When a phrase holds
several dates, the one right after a cue wins, else the first single day, else the first period.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.formats import ROMAN, mm

__all__ = [
    "DEADLINE",
    "EVENT",
    "KINDS",
    "PERIOD",
    "DateError",
    "When",
    "format_date_long",
    "format_date_short",
    "format_when",
    "parse_date",
    "parse_time",
    "parse_when",
    "weekday_vi",
]

DEADLINE, EVENT, PERIOD = "deadline", "event", "period"
KINDS = (DEADLINE, EVENT, PERIOD)
MIN_YEAR, MAX_YEAR = 1900, 2199
_FALLBACK_MAX_LEN = 40


class DateError(ValueError):
    """Raised with a user-facing Vietnamese message in str(exc)."""


@dataclass(frozen=True)
class When:
    kind: str  # "deadline" | "event" | "period"
    due: date  # the day it is due / happens; for a period its last day
    start: date | None  # first day of a period (None for single days)
    time: time | None  # time of day if written


# ---------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------

_WEEKDAYS_VI = ("thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy", "chủ nhật")


def weekday_vi(d: date) -> str:
    """"thứ hai" ... "thứ bảy", "chủ nhật"."""
    return _WEEKDAYS_VI[d.weekday()]


def _dm(day: int, month: int, year: int | None = None) -> str:
    text = f"{day:02d}/{mm(month)}"
    return f"{text}/{year}" if year is not None else text


def format_date_short(d: date) -> str:
    """"08/10/2023", "05/01/2023", "15/6/2023", "20/3/2023"."""
    return _dm(d.day, d.month, d.year)


def format_date_long(d: date) -> str:
    """"ngày 08 tháng 10 năm 2023", "ngày 05 tháng 02 năm 2023", "ngày 28 tháng 3 năm 2024"."""
    return f"ngày {d.day:02d} tháng {mm(d.month)} năm {d.year}"


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _day_reading(d: date) -> str:
    return f"{weekday_vi(d)}, {format_date_short(d)}"


def _period_label(s: date, e: date) -> str | None:
    if s.year != e.year:
        return None
    y = s.year
    last = _last_day(y, e.month)
    if s.day == 1 and e.day == last:
        if s.month == 1 and e.month == 12:
            return f"Năm {y}"
        if s.month == e.month:
            return f"Tháng {s.month}/{y}"
        if s.month % 3 == 1 and e.month == s.month + 2:
            return f"Quý {ROMAN[s.month // 3]}/{y}"
        if s.month == 1:
            return f"{e.month} tháng đầu năm {y}"
        if e.month == 12:
            return f"{13 - s.month} tháng cuối năm {y}"
        return f"Từ tháng {s.month} đến tháng {e.month}/{y}"
    if s.month == e.month:
        if (s.day, e.day) == (1, 10):
            return f"Đầu tháng {s.month}/{y}"
        if (s.day, e.day) == (11, 20):
            return f"Giữa tháng {s.month}/{y}"
        if s.day == 21 and e.day == last:
            return f"Cuối tháng {s.month}/{y}"
    return None


def _period_reading(s: date, e: date) -> str:
    label = _period_label(s, e)
    if label:
        return f"{label} ({format_date_short(s)} – {format_date_short(e)})"
    return f"từ {_day_reading(s)} đến {_day_reading(e)}"


def format_when(w: When) -> str:
    """A short reading for echoing back: "thứ sáu, 15/6/2023", "14:00 thứ sáu, 27/11/2026",
    "Quý II/2023 (01/4/2023 – 30/6/2023)"."""
    if w.start is None or w.start == w.due:
        text = _day_reading(w.due)
    else:
        text = _period_reading(w.start, w.due)
    if w.time is not None:
        text = f"{w.time.hour:02d}:{w.time.minute:02d} {text}"
    return text


# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------

# Date words (lower case, NFC) -> the accent-free form the patterns use. Words typed without
# accents stay as they are and match too. Accented words not listed here are left untouched, so
# they never match ("hợp" is not "họp", "Tuấn" is not "tuần", "mãi" is not "mai").
_VOCAB = {
    "ngày": "ngay", "mùng": "mung", "mồng": "mong", "tháng": "thang", "năm": "nam", "thứ": "thu",
    "tuần": "tuan", "quý": "quy", "qúy": "quy", "đầu": "dau", "giữa": "giua", "cuối": "cuoi",
    "trước": "truoc", "từ": "tu", "tư": "tu4", "đến": "den", "tới": "toi", "tối": "toipm",
    "hôm": "hom", "này": "nay", "sáu": "sau6", "bảy": "bay", "bẩy": "bay", "chủ": "chu",
    "nhật": "nhat", "nhất": "nhat", "chúa": "chua", "giờ": "gio", "phút": "phut", "sáng": "sang",
    "chiều": "chieu", "trưa": "trua", "đêm": "dem", "nữa": "nua", "hết": "het", "hạn": "han",
    "chót": "chot", "chậm": "cham", "muộn": "muon", "họp": "hop", "lúc": "luc", "dự": "du",
    "kiến": "kien", "tổ": "to", "chức": "chuc", "hoàn": "hoan", "thành": "thanh", "thời": "thoi",
    "vào": "vao", "mốt": "mot", "một": "mot1", "bốn": "bon", "tám": "tam", "chín": "chin",
    "mười": "muoi", "rưỡi": "ruoi", "kém": "kem", "diễn": "dien", "lần": "lan", "ngoái": "ngoai",
    "cách": "cach", "đây": "day", "còn": "con", "sắp": "sap", "cả": "ca", "chế": "che",
}

_DASHES = str.maketrans({"–": "-", "—": "-", "−": "-", "‐": "-", "‑": "-", "*": " ", "\u00a0": " "})
_LETTERS = re.compile(r"[^\W\d_]+")
_SLASH_RANGE = re.compile(r"([0-9]{1,2}/[0-9]{1,2}(?:/[0-9]{2,4})?)-([0-9]{1,2}/[0-9]{1,2})")
_DAYS_RANGE = re.compile(r"(?<![0-9/.\-])([0-9]{1,2})-([0-9]{1,2}/[0-9]{1,2})(?![0-9])")  # "15-20/6"


def _canon(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_DASHES)

    def word(m: re.Match[str]) -> str:
        w = m.group(0)
        if w == "Mai" and m.start() > 0:
            return w  # a person's name, not "tomorrow"
        low = w.lower()
        return _VOCAB.get(low, low)

    text = _LETTERS.sub(word, text)
    text = _SLASH_RANGE.sub(r"\1 - \2", text)
    text = _DAYS_RANGE.sub(r"tu \1 den \2", text)
    return re.sub(r"\s+", " ", text).strip()


# ---------------------------------------------------------------------------------------------
# Patterns (over the normalised text)
# ---------------------------------------------------------------------------------------------

_WD_CORE = (r"(?:thu\s*[2-7](?![0-9])|thu\s+(?:hai|ba|tu4|tu|nam|sau6|sau|bay)|t[2-7](?![0-9])"
            r"|cn|chu\s*nhat|chua\s*nhat)")
_WD = rf"(?<!\w)(?<!lan\s)(?:{_WD_CORE})(?!\w)"
_YREL = r"(?:nay|sau|toi|ngoai|truoc)"
_NUMW = r"(?:muoi|mot1|mot|hai|ba|bon|nam|sau6|bay|tam|chin)"
_MW_ALL = r"(?:muoi\s+(?:mot1|mot|hai)|muoi|mot1|mot|hai|ba|tu4|tu|bon|nam(?!\s+[0-9])|sau6|bay|tam|chin)"
_MW_SAFE = r"(?:muoi\s+(?:mot1|mot|hai)|muoi|mot1|mot|hai|ba|tu4|tu|bon|sau6|bay|tam|chin)"
_NUMBER_WORDS = {"mot1": 1, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu4": 4, "tu": 4, "nam": 5,
                 "sau6": 6, "sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10}


def _num(p: str) -> str:
    """d/m[/y] with one separator (/ - .), day first; the year has 4 or 2 digits."""
    return (rf"(?<![0-9])(?<![0-9][/.\-])(?P<{p}d>[0-9]{{1,2}})(?P<{p}s>[/.\-])(?P<{p}m>[0-9]{{1,2}})"
            rf"(?:(?P={p}s)(?P<{p}y>[0-9]{{4}}|[0-9]{{2}}))?(?![0-9])(?![/.\-][0-9])")


def _word(p: str) -> str:
    """"8 tháng 10 năm 2023", "15 tháng sáu"."""
    return (rf"(?<![0-9])(?P<{p}d>[0-9]{{1,2}})\s+thang\s*(?:(?P<{p}m>[0-9]{{1,2}})(?![0-9])|(?P<{p}mw>{_MW_ALL})(?!\w))"
            rf"(?:\s*,?\s*nam\s+(?P<{p}y>[0-9]{{4}}|[0-9]{{2}})(?![0-9])|[/.\-](?P<{p}y2>[0-9]{{4}})(?![0-9]))?")


def _side_month(p: str) -> str:
    return (rf"thang\s*(?P<{p}mo>[0-9]{{1,2}})(?:(?:[/.\-]|\s*,?\s*nam\s+)(?P<{p}moy>[0-9]{{4}}))?"
            r"(?![0-9])(?![/.\-][0-9])")


_NGAY = r"(?:(?:ngay|mung|mong)\s*)"

_TIME = re.compile(
    r"(?<![0-9])(?<![0-9][/.\-:])(?P<h>[0-9]{1,2})\s*"
    r"(?:(?:h|g|gio)(?![^\W\d_])(?!\s*(?:nua|truoc)(?!\w))"
    r"(?:\s*(?P<m>[0-9]{1,2})(?![0-9])(?!\s*[/.\-][0-9])(?:\s*(?:phut|ph|p)(?![^\W\d_]))?"
    r"|\s*(?P<ruoi>ruoi)(?!\w)|\s*kem\s+(?P<kem>[0-9]{1,2})(?![0-9])(?:\s*phut(?!\w))?)?"
    r"|:(?P<m2>[0-9]{2})(?::[0-9]{2})?(?![0-9]))"
    r"(?:\s+(?P<tod>sang|trua|chieu|toipm|toi|dem)(?!\w))?")
_TIME_BARE = re.compile(r"(?:luc\s+)?(?P<h>[0-9]{1,2})(?:\s+(?P<tod>sang|trua|chieu|toipm|toi|dem))?")

_RANGE = re.compile(
    rf"(?:(?<!\w)(?P<tu>tu)\s+)?{_NGAY}?"
    rf"(?:(?P<anow>hom\s+nay|nay)(?!\w)|{_side_month('a')}|{_num('an')}|{_word('aw')}"
    r"|(?<![0-9])(?P<aday>[0-9]{1,2})(?![0-9/.\-]))"
    rf"\s*(?:den|toi|-)\s+(?:het\s+)?{_NGAY}?"
    rf"(?:{_side_month('b')}|{_num('bn')}|{_word('bw')})")
_FORMAL = re.compile(
    rf"(?:(?P<dow>{_WD})[\s,.;:\-]*)?(?:(?P<ng>ngay|mung|mong)\s*)?(?:{_num('n')}|{_word('w')})"
    rf"(?:\s*\(\s*(?P<dow2>{_WD_CORE})\s*\))?"
    rf"(?:\s*,?\s+nam\s+(?P<yr>{_YREL})(?!\w)|\s+(?:toi|nay|sap\s+toi)(?!\w))?")
_QUARTER = re.compile(
    r"(?<!\w)(?:(?P<het>het)\s+)?quy\s*(?P<q>iv|iii|ii|i|[0-9]{1,2})(?!\w)"
    rf"(?:\s*(?:[/.\-]|,?\s*nam)?\s*(?P<y>[0-9]{{4}})(?![0-9])|\s*,?\s*nam\s+(?P<yr>{_YREL})(?!\w))?")
_HALF = re.compile(
    rf"(?<!\w)(?P<n>[0-9]{{1,2}}|{_NUMW}|sau)\s+thang\s+(?P<side>dau|cuoi)\s+nam(?!\w)"
    rf"(?:\s*,?\s*(?P<y>[0-9]{{4}})(?![0-9])|\s+(?P<yr>{_YREL})(?!\w))?")
_MONTH_Y = re.compile(
    r"(?<!\w)(?:(?P<het>het)\s+)?(?:(?P<part>dau|giua|cuoi)\s+)?(?:(?:trong|ca)\s+)?"
    rf"thang\s*(?:(?P<m>[0-9]{{1,2}})|(?P<mw>{_MW_SAFE}))"
    rf"(?:\s*[/.\-]\s*(?P<y>[0-9]{{4}})(?![0-9])|\s*,?\s*nam\s+(?:(?P<y2>[0-9]{{4}})(?![0-9])|(?P<yr>{_YREL})(?!\w)))")
_MONTH_Y_BARE = re.compile(
    r"(?<!\w)(?:(?P<pre>dau|giua|cuoi|trong)\s+)?(?<![0-9])(?<![0-9][/.\-])"
    r"(?P<m>[0-9]{1,2})(?P<s>[/.\-])(?P<y>[0-9]{4})(?![0-9])(?![/.\-]\w)")
_YEAR = re.compile(r"(?<!\w)(?:(?P<het>het)\s+)?(?:(?:trong|ca)\s+)?nam\s+(?P<y>[0-9]{4})(?![0-9])")
_MONTH = re.compile(
    r"(?<!\w)(?:(?P<het>het)\s+)?(?:(?P<part>dau|giua|cuoi)\s+)?(?:(?:trong|ca)\s+)?"
    rf"thang\s*(?:(?P<m>[0-9]{{1,2}})(?![0-9])(?!\s*[/.\-]\s*[0-9])|(?P<mw>{_MW_SAFE})(?!\w))"
    r"(?:\s+(?:toi|nay|sap\s+toi)(?!\w))?")
_REL_WD = re.compile(
    rf"(?:(?<!\w)(?:sang|chieu|toipm|toi|trua)\s+)?(?P<dow>{_WD})"
    r"(?:\s+(?P<q>tuan\s+(?:sau\s+nua|nay|sau|toi|truoc)|nay|toi)(?!\w))?")
_REL_COUNT = re.compile(
    rf"(?<!\w)(?<!thu\s)(?:(?P<pre>sau|trong|con|cach\s+day)\s+)?(?P<n>[0-9]{{1,3}}|{_NUMW})\s+"
    r"(?P<unit>ngay|tuan|thang|nam)(?:\s+(?P<post>nua|toi|sau|truoc|qua)(?!\w))?(?!\w)")
_REL_DAY = re.compile(
    r"(?<!\w)(?:(?P<tod>sang|chieu|toipm|toi|trua|dem)\s+)?"
    r"(?P<w>ngay\s+hom\s+nay|ngay\s+hom\s+qua|hom\s+nay|ngay\s+mai|ngay\s+kia|ngay\s+mot|hom\s+qua"
    r"|hom\s+kia|mai(?!\s+(?:sau|mot)(?!\w))|nay|mot)(?!\w)")
_REL_PERIOD = re.compile(
    r"(?<!\w)(?<![0-9]\s)(?:(?P<part>dau|giua|cuoi)\s+|(?P<trong>trong|ca)\s+)?(?P<unit>tuan|thang)"
    r"(?:\s+(?P<rel>sau\s+nua|nay|sau|toi|truoc|qua)(?!\w))?(?!\w)")
_YEAR_REL = re.compile(rf"(?<!\w)(?:(?:trong|ca)\s+)?nam\s+(?P<yr>{_YREL})(?!\w)")
_DAY_ONLY = re.compile(
    r"(?<!\w)(?:ngay|mung|mong)\s*(?P<d>[0-9]{1,2})(?![0-9])(?!\s*[/.\-:][0-9])"
    r"(?!\s*(?:gio|h|g|ngay|tuan|thang|nam|quy)(?!\w))(?:\s+(?:toi|nay)(?!\w))?")

_CUES = re.compile(
    r"(?<!\w)(?:(?P<dl>thoi\s+gian\s+hoan\s+thanh|hoan\s+thanh\s+truoc|truoc\s+ngay|cham\s+nhat"
    r"|muon\s+nhat|xong\s+trong|xong\s+truoc|thoi\s+han|han\s+chot|hoan\s+thanh|truoc|han(?!\s+che))"
    r"|(?P<ev>du\s+kien|vao\s+luc|to\s+chuc\s+vao|thoi\s+gian\s*:|luc|hop|dien\s+ra))(?!\w)")
_FILLER = re.compile(r"[\W_]*(?:(?:ngay|vao|la|het|den|tu|luc)(?!\w)[\W_]*)*")


# ---------------------------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------------------------


def _check_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateError(f"Năm {year} nằm ngoài khoảng cho phép ({MIN_YEAR}–{MAX_YEAR}). "
                        "Vui lòng kiểm tra lại năm.")
    return year


def _check_result(d: date) -> date:
    _check_year(d.year)
    return d


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else _check_year(int(text))


def _rel_year(rel: str, today: date) -> int:
    return today.year + {"nay": 0, "sau": 1, "toi": 1, "ngoai": -1, "truoc": -1}[rel]


def _month_number(digits: str | None, word: str | None) -> int:
    if digits is not None:
        return int(digits)
    assert word is not None
    parts = word.split()
    if parts[0] == "muoi" and len(parts) == 2:
        return 10 + _NUMBER_WORDS[parts[1]]
    return _NUMBER_WORDS[parts[0]]


def _check_month(month: int, day: int | None = None, year: int | None = None) -> None:
    if 1 <= month <= 12:
        return
    if day is None:
        raise DateError(f"Tháng {month} không có thật: một năm chỉ có 12 tháng (từ 1 đến 12). "
                        "Vui lòng nhập lại, ví dụ tháng 7/2023.")
    shown = _dm(day, month, year)
    swapped = ""
    if 1 <= day <= 12 and 1 <= month <= 31:
        swapped = f" (nếu ý đồng chí là ngày {month} tháng {day}, hãy viết {_dm(month, day, year)})"
    raise DateError(f"Ngày {shown} không có thật: không có tháng {month}, một năm chỉ có 12 tháng. "
                    f"Ngày viết trước, tháng viết sau{swapped}. Vui lòng nhập lại.")


def _make_date(day: int, month: int, year: int | None, today: date) -> date:
    """A real date from numbers; without a year, the first one on or after today."""
    _check_month(month, day, year)
    if year is not None:
        _check_year(year)
        last = _last_day(year, month)
        if day < 1 or day > last:
            example = format_date_short(date(year, month, last if day > last else 1))
            why = (f"tháng {month} năm {year} chỉ có {last} ngày" if day > last
                   else "ngày trong tháng bắt đầu từ 01")
            raise DateError(f"Ngày {_dm(day, month, year)} không có thật: {why}. "
                            f"Vui lòng nhập lại, ví dụ {example}.")
        return date(year, month, day)
    longest = 29 if month == 2 else _last_day(2001, month)
    if day < 1 or day > longest:
        why = ("tháng 2 chỉ có 28 ngày (29 ngày vào năm nhuận)" if month == 2
               else f"tháng {month} chỉ có {longest} ngày")
        if day < 1:
            why = "ngày trong tháng bắt đầu từ 01"
        raise DateError(f"Ngày {_dm(day, month)} không có thật: {why}. "
                        f"Vui lòng nhập lại, ví dụ {_dm(min(max(day, 1), longest), month)}.")
    for y in range(today.year, today.year + 9):
        if day <= _last_day(y, month):
            candidate = date(y, month, day)
            if candidate >= today:
                return _check_result(candidate)
    raise DateError(f"Không tìm được ngày {_dm(day, month)} sắp tới. Vui lòng ghi rõ năm.")  # pragma: no cover


def _check_weekday(d: date, wd_text: str | None) -> None:
    if wd_text is None:
        return
    said = _weekday_index(wd_text)
    if said != d.weekday():
        raise DateError(f"Ngày {format_date_short(d)} là {weekday_vi(d)}, không phải {_WEEKDAYS_VI[said]}. "
                        "Vui lòng kiểm tra lại ngày hoặc thứ.")


def _weekday_index(text: str) -> int:
    t = re.sub(r"\s+", " ", text.strip())
    if t in ("cn", "chu nhat", "chunhat", "chua nhat", "chuanhat"):
        return 6
    if t.startswith("thu"):
        rest = t[3:].strip()
        if rest.isdigit():
            return int(rest) - 2
        return {"hai": 0, "ba": 1, "tu4": 2, "tu": 2, "nam": 3, "sau6": 4, "sau": 4, "bay": 5}[rest]
    return int(t[1:]) - 2  # "t2" ... "t7"


def _third(year: int, month: int, part: str) -> tuple[date, date]:
    if part == "dau":
        return date(year, month, 1), date(year, month, 10)
    if part == "giua":
        return date(year, month, 11), date(year, month, 20)
    return date(year, month, 21), date(year, month, _last_day(year, month))


def _month_span(year: int, month: int, part: str | None) -> tuple[date, date]:
    _check_year(year)
    if part:
        return _third(year, month, part)
    return date(year, month, 1), date(year, month, _last_day(year, month))


def _upcoming(make: Callable[[int], tuple[date, date]], today: date) -> tuple[date, date]:
    """The period of this year, or of next year when this year's has ended."""
    first, last = make(today.year)
    if last < today:
        first, last = make(today.year + 1)
    return first, last


def _add_months(d: date, n: int) -> date:
    y, m0 = divmod(d.month - 1 + n, 12)
    y += d.year
    _check_year(y)
    m = m0 + 1
    return date(y, m, min(d.day, _last_day(y, m)))


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _shift(d: date, days: int) -> date:
    try:
        return _check_result(d + timedelta(days=days))
    except OverflowError:
        raise DateError("Ngày này quá xa. Vui lòng nhập một ngày cụ thể, ví dụ 15/6/2024.") from None


@dataclass
class _Hit:
    start: int
    end: int
    first: date
    last: date
    period: bool
    single: date | None  # the one day parse_date returns, None when the period has none


def _day(m: re.Match[str], d: date) -> _Hit:
    return _Hit(m.start(), m.end(), d, d, False, d)


def _span(m: re.Match[str], first: date, last: date, part: str | None = None,
          single: date | None = None) -> _Hit:
    if single is None and part == "cuoi":
        single = last
    elif single is None and part == "dau":
        single = first
    return _Hit(m.start(), m.end(), first, last, True, single)


# ---------------------------------------------------------------------------------------------
# One handler per pattern: match -> _Hit, or None to reject the match
# ---------------------------------------------------------------------------------------------


def _date_groups(m: re.Match[str], p: str, today: date, yr: str | None = None,
                 dot_ok: bool = True) -> date | None:
    """The date in the _num(p + "n") or _word(p + "w") groups of a match, or None."""
    g = m.groupdict()
    if g.get(p + "nd") is not None:
        day, month = int(g[p + "nd"]), int(g[p + "nm"])
        ytext = g.get(p + "ny")
        if ytext is None and g.get(p + "ns") == "." and not dot_ok:
            return None
    elif g.get(p + "wd") is not None:
        day = int(g[p + "wd"])
        month = _month_number(g.get(p + "wm"), g.get(p + "wmw"))
        ytext = g.get(p + "wy") or g.get(p + "wy2")
    else:
        return None
    year = _year(ytext) if ytext else (_rel_year(yr, today) if yr else None)
    return _make_date(day, month, year, today)


def _h_formal(m: re.Match[str], today: date) -> _Hit | None:
    alone = not m.string[: m.start()].strip() and not m.string[m.end():].strip()
    dot_ok = alone or m.group("ng") is not None or m.group("dow") is not None
    d = _date_groups(m, "", today, yr=m.group("yr"), dot_ok=dot_ok)
    if d is None:
        return None
    _check_weekday(d, m.group("dow"))
    _check_weekday(d, m.group("dow2"))
    return _day(m, d)


def _range_side_b(m: re.Match[str], today: date) -> tuple[date, date]:
    if m.group("bmo") is not None:
        month = int(m.group("bmo"))
        _check_month(month)
        if m.group("bmoy"):
            return _month_span(_year(m.group("bmoy")), month, None)
        return _upcoming(lambda y: _month_span(y, month, None), today)
    d = _date_groups(m, "b", today)
    assert d is not None
    return d, d


def _h_range(m: re.Match[str], today: date) -> _Hit | None:
    has_tu = m.group("tu") is not None
    if (m.group("anow") or m.group("aday")) and not has_tu:
        return None
    b_first, b_last = _range_side_b(m, today)
    start: date | None
    if m.group("anow"):
        start = today
    elif m.group("aday"):
        day = int(m.group("aday"))
        y, mo = b_first.year, b_first.month
        if not _valid_dm(day, mo, y) or date(y, mo, day) > b_last:
            prev = _add_months(date(y, mo, 1), -1)  # "từ 25 đến 5/7": 25 June
            y, mo = prev.year, prev.month
        start = _make_date(day, mo, y, today)
    elif m.group("amo") is not None:
        month = int(m.group("amo"))
        _check_month(month)
        if m.group("amoy"):
            start = _month_span(_year(m.group("amoy")), month, None)[0]
        else:
            start = date(b_last.year, month, 1)
            if start > b_last:
                start = date(b_last.year - 1, month, 1)
    else:
        g = m.groupdict()
        if g.get("any") or g.get("awy") or g.get("awy2"):
            start = _date_groups(m, "a", today)
        else:
            day = int(g["and"] if g.get("and") is not None else g["awd"])
            month = int(g["anm"]) if g.get("anm") is not None else _month_number(g.get("awm"), g.get("awmw"))
            _check_month(month, day)
            year = b_last.year
            if not _valid_dm(day, month, year) or date(year, month, day) > b_last:
                year -= 1
            start = _make_date(day, month, year, today)
    assert start is not None
    if start > b_last:
        raise DateError(f"Ngày bắt đầu {format_date_short(start)} lại sau ngày kết thúc "
                        f"{format_date_short(b_last)}. Vui lòng kiểm tra lại.")
    return _span(m, start, b_last)


def _valid_dm(day: int, month: int, year: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= _last_day(year, month)


def _quarter_number(text: str) -> int:
    roman = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
    q = roman[text] if text in roman else int(text)
    if not 1 <= q <= 4:
        raise DateError(f"Quý {q} không có thật: một năm chỉ có 4 quý (I, II, III, IV). "
                        "Vui lòng nhập lại, ví dụ Quý II/2023.")
    return q


def _h_quarter(m: re.Match[str], today: date) -> _Hit | None:
    q = _quarter_number(m.group("q"))

    def span(y: int) -> tuple[date, date]:
        _check_year(y)
        return date(y, 3 * q - 2, 1), date(y, 3 * q, _last_day(y, 3 * q))

    if m.group("y"):
        first, last = span(_year(m.group("y")))
    elif m.group("yr"):
        first, last = span(_rel_year(m.group("yr"), today))
    else:
        first, last = _upcoming(span, today)
    return _span(m, first, last, single=last if m.group("het") else None)


def _h_half(m: re.Match[str], today: date) -> _Hit | None:
    n_text = m.group("n")
    n = int(n_text) if n_text.isdigit() else _NUMBER_WORDS[n_text]
    if not 1 <= n <= 11:
        return None
    side = m.group("side")

    def span(y: int) -> tuple[date, date]:
        _check_year(y)
        if side == "dau":
            return date(y, 1, 1), date(y, n, _last_day(y, n))
        return date(y, 13 - n, 1), date(y, 12, 31)

    if m.group("y"):
        first, last = span(_year(m.group("y")))
    elif m.group("yr"):
        first, last = span(_rel_year(m.group("yr"), today))
    else:
        first, last = _upcoming(span, today)
    return _span(m, first, last)


def _h_month_y(m: re.Match[str], today: date) -> _Hit | None:
    month = _month_number(m.group("m"), m.group("mw"))
    _check_month(month)
    if m.group("yr"):
        year = _rel_year(m.group("yr"), today)
    else:
        year = _year(m.group("y") or m.group("y2"))
    part = m.group("part")
    first, last = _month_span(year, month, part)
    return _span(m, first, last, "cuoi" if m.group("het") else part)


def _h_month_y_bare(m: re.Match[str], today: date) -> _Hit | None:
    pre = m.group("pre")
    if m.group("s") == "." and pre is None:
        return None
    month = int(m.group("m"))
    _check_month(month)
    part = pre if pre in ("dau", "giua", "cuoi") else None
    first, last = _month_span(_year(m.group("y")), month, part)
    return _span(m, first, last, part)


def _h_year(m: re.Match[str], today: date) -> _Hit | None:
    y = _year(m.group("y"))
    return _span(m, date(y, 1, 1), date(y, 12, 31), "cuoi" if m.group("het") else None)


def _h_month(m: re.Match[str], today: date) -> _Hit | None:
    month = _month_number(m.group("m"), m.group("mw"))
    _check_month(month)
    part = m.group("part")
    first, last = _upcoming(lambda y: _month_span(y, month, part), today)
    return _span(m, first, last, "cuoi" if m.group("het") else part)


def _h_rel_wd(m: re.Match[str], today: date) -> _Hit | None:
    dow = m.group("dow")
    q = m.group("q")
    if re.fullmatch(r"t[2-7]|cn", dow) and q is None:
        # "T6", "CN" alone are weekdays only at the start or the end of the text.
        if m.string[: m.start("dow")].strip(" ,.;:-") and m.string[m.end("dow"):].strip(" ,.;:-()"):
            return None
    wd = _weekday_index(dow)
    if q is None or q == "nay":
        d = _shift(today, (wd - today.weekday()) % 7)
    elif q == "toi":
        d = _shift(today, (wd - today.weekday()) % 7 or 7)
    else:
        week = " ".join(q.split()[1:])
        offset = {"nay": 0, "sau": 7, "toi": 7, "truoc": -7, "sau nua": 14}[week]
        d = _shift(_monday(today), offset + wd)
    return _day(m, d)


def _h_rel_count(m: re.Match[str], today: date) -> _Hit | None:
    pre, post = m.group("pre"), m.group("post")
    if pre is None and post is None:
        return None
    n_text = m.group("n")
    n = int(n_text) if n_text.isdigit() else _NUMBER_WORDS[n_text]
    sign = -1 if (pre == "cach day" or post in ("truoc", "qua")) else 1
    unit = m.group("unit")
    if unit == "ngay":
        d = _shift(today, sign * n)
    elif unit == "tuan":
        d = _shift(today, sign * 7 * n)
    else:
        d = _add_months(today, sign * n * (12 if unit == "nam" else 1))
    return _day(m, d)


_REL_DAYS = {"ngay hom nay": 0, "hom nay": 0, "nay": 0, "ngay mai": 1, "mai": 1, "ngay kia": 2,
             "ngay mot": 2, "mot": 2, "hom qua": -1, "ngay hom qua": -1, "hom kia": -2}


def _h_rel_day(m: re.Match[str], today: date) -> _Hit | None:
    w = re.sub(r"\s+", " ", m.group("w"))
    if w in ("nay", "mot") and m.group("tod") is None:
        return None
    return _day(m, _shift(today, _REL_DAYS[w]))


def _h_rel_period(m: re.Match[str], today: date) -> _Hit | None:
    part, unit = m.group("part"), m.group("unit")
    rel = re.sub(r"\s+", " ", m.group("rel")) if m.group("rel") else None
    if part is None and rel is None and m.group("trong") is None:
        return None
    step = {None: 0, "nay": 0, "sau": 1, "toi": 1, "truoc": -1, "qua": -1, "sau nua": 2}[rel]
    if unit == "tuan":
        monday = _shift(_monday(today), 7 * step)
        if part == "giua":
            return None
        if part == "cuoi":
            return _day(m, _shift(monday, 6))
        if part == "dau":
            if rel is None:
                return _day(m, _shift(today, (-today.weekday()) % 7))
            return _day(m, monday)
        sunday = _shift(monday, 6)
        return _span(m, monday, sunday, single=monday if step > 0 else None)
    base = _add_months(today.replace(day=1), step)
    if part is None:
        first, last = _month_span(base.year, base.month, None)
        return _span(m, first, last, single=first if step > 0 else None)
    if rel is None:
        first, last = _third(base.year, base.month, part)
        if last < today:
            nxt = _add_months(base, 1)
            first, last = _third(nxt.year, nxt.month, part)
    else:
        first, last = _third(base.year, base.month, part)
    single = None
    if part == "dau" and rel is None and first < today:
        single = _add_months(first, 1)  # a bare "đầu tháng" after the 1st: the 1st of next month
    return _span(m, first, last, part, single=single)


def _h_year_rel(m: re.Match[str], today: date) -> _Hit | None:
    y = _check_year(_rel_year(m.group("yr"), today))
    return _span(m, date(y, 1, 1), date(y, 12, 31))


def _h_day_only(m: re.Match[str], today: date) -> _Hit | None:
    day = int(m.group("d"))
    if not 1 <= day <= 31:
        raise DateError(f"Ngày {day} không có thật: ngày trong tháng chỉ từ 01 đến 31. "
                        "Vui lòng nhập lại, ví dụ 15/6.")
    first = today.replace(day=1)
    for k in range(13):
        month_start = _add_months(first, k)
        if day <= _last_day(month_start.year, month_start.month):
            candidate = month_start.replace(day=day)
            if candidate >= today:
                return _day(m, candidate)
    return None  # pragma: no cover


_HANDLERS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], date], _Hit | None]], ...] = (
    (_RANGE, _h_range),
    (_FORMAL, _h_formal),
    (_QUARTER, _h_quarter),
    (_HALF, _h_half),
    (_MONTH_Y, _h_month_y),
    (_MONTH_Y_BARE, _h_month_y_bare),
    (_YEAR, _h_year),
    (_MONTH, _h_month),
    (_REL_WD, _h_rel_wd),
    (_REL_COUNT, _h_rel_count),
    (_REL_DAY, _h_rel_day),
    (_REL_PERIOD, _h_rel_period),
    (_YEAR_REL, _h_year_rel),
    (_DAY_ONLY, _h_day_only),
)


# ---------------------------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------------------------


def _time_value(hour: int, minute: int, tod: str | None) -> time:
    if not 0 <= hour <= 23:
        raise DateError(f"Giờ {hour}:{minute:02d} không hợp lệ: giờ chỉ từ 0 đến 23. "
                        "Vui lòng nhập lại, ví dụ 14:30 hoặc 14h30.")
    if not 0 <= minute <= 59:
        raise DateError(f"Giờ {hour}:{minute:02d} không hợp lệ: phút chỉ từ 00 đến 59. "
                        f"Vui lòng nhập lại, ví dụ {hour}:30 hoặc {hour}h30.")
    if tod == "sang" and hour > 12:
        raise DateError(f"“{hour} giờ sáng” không hợp lệ: buổi sáng chỉ tính đến 12 giờ. "
                        f"Vui lòng nhập lại, ví dụ {hour}:{minute:02d} hoặc 8 giờ sáng.")
    if tod == "chieu" and 1 <= hour <= 11:
        hour += 12
    elif tod == "trua" and 1 <= hour <= 4:
        hour += 12
    elif tod in ("toi", "toipm") and 1 <= hour <= 11:
        hour += 12
    elif tod == "dem" and 7 <= hour <= 11:
        hour += 12
    elif tod in ("dem", "toi", "toipm") and hour == 12:
        hour = 0
    return time(hour, minute)


def _time_from_match(m: re.Match[str]) -> time:
    hour = int(m.group("h"))
    minute_text = m.group("m") or m.group("m2")
    minute = int(minute_text) if minute_text else 0
    if m.group("ruoi"):
        minute = 30
    elif m.group("kem"):
        before = int(m.group("kem"))
        if not 1 <= before <= 59:
            raise DateError(f"“{hour} giờ kém {before}” không hợp lệ: số phút kém phải từ 1 đến 59.")
        hour, minute = hour - 1, 60 - before
        if hour < 0:
            hour = 23
    return _time_value(hour, minute, m.group("tod"))


def _example_time_text() -> str:
    return "8h00, 08:30, 14h30, 8 giờ 30 phút hoặc 2 giờ chiều"


def parse_time(text: str) -> time:
    """A time of day: "8h00", "8h", "08 giờ 00", "8 giờ 30 phút", "8:30", "14h30", "2 giờ chiều", "20g"."""
    raw = _clean(text)
    if not raw:
        raise DateError(f"Đồng chí chưa nhập giờ. Vui lòng nhập giờ, ví dụ {_example_time_text()}.")
    s = _canon(raw)
    m = _TIME.search(s)
    if m:
        return _time_from_match(m)
    m = _TIME_BARE.fullmatch(s)
    if m:
        return _time_value(int(m.group("h")), 0, m.group("tod"))
    raise DateError(f"Không hiểu “{_quote(raw)}” là mấy giờ. Vui lòng nhập giờ, ví dụ {_example_time_text()}.")


# ---------------------------------------------------------------------------------------------
# Scanning
# ---------------------------------------------------------------------------------------------


@dataclass
class _Scan:
    canon: str
    masked: str
    hits: list[_Hit]
    time: time | None
    time_spans: list[tuple[int, int]]


def _clean(text: str | None) -> str:
    if not isinstance(text, str):
        return ""
    return unicodedata.normalize("NFC", text).strip()


def _quote(raw: str) -> str:
    raw = re.sub(r"\s+", " ", raw)
    return raw if len(raw) <= 40 else raw[:39].rstrip() + "…"


def _mask(s: str, start: int, end: int) -> str:
    return s[:start] + " " * (end - start) + s[end:]


def _as_date(today: date) -> date:
    return today.date() if isinstance(today, datetime) else today


def _scan(raw: str, today: date, *, strict_time: bool) -> _Scan:
    canon = _canon(raw)
    masked = canon
    found_time: time | None = None
    spans: list[tuple[int, int]] = []
    for m in _TIME.finditer(canon):
        try:
            t = _time_from_match(m)
        except DateError:
            if strict_time:
                raise
            t = None
        if found_time is None and t is not None:
            found_time = t
        spans.append((m.start(), m.end()))
        masked = _mask(masked, m.start(), m.end())
    hits: list[_Hit] = []
    for pattern, handler in _HANDLERS:
        accepted = []
        for m in pattern.finditer(masked):
            if not m.group(0).strip():
                continue
            hit = handler(m, today)
            if hit is not None:
                accepted.append(hit)
        for hit in accepted:
            masked = _mask(masked, hit.start, hit.end)
        hits.extend(accepted)
    hits.sort(key=lambda h: h.start)
    return _Scan(canon, masked, hits, found_time, spans)


def _cues(scan: _Scan) -> list[tuple[int, int, str]]:
    """Kind cues, except those lying wholly inside a date or a time ("tuần trước" is no cue)."""
    taken = [(h.start, h.end) for h in scan.hits] + scan.time_spans
    out = []
    for m in _CUES.finditer(scan.canon):
        if any(s <= m.start() and m.end() <= e for s, e in taken):
            continue
        out.append((m.start(), m.end(), DEADLINE if m.group("dl") else EVENT))
    return out


def _right_before(scan: _Scan, cue: tuple[int, int, str], hit: _Hit) -> bool:
    start, end, _kind = cue
    return start < hit.start and (end >= hit.start or bool(_FILLER.fullmatch(scan.masked[end:hit.start])))


def _choose(scan: _Scan, cues: list[tuple[int, int, str]]) -> _Hit:
    for hit in scan.hits:
        if any(_right_before(scan, cue, hit) for cue in cues):
            return hit
    for hit in scan.hits:
        if not hit.period:
            return hit
    return scan.hits[0]


def _kind_from_cues(hit: _Hit, cues: list[tuple[int, int, str]]) -> str | None:
    before = [c for c in cues if c[0] < hit.start]
    if before:
        return max(before, key=lambda c: (c[1], c[1] - c[0]))[2]
    after = [c for c in cues if c[0] >= hit.end]
    if after:
        return min(after, key=lambda c: c[0])[2]
    return None


def _fallback(raw: str, canon: str, today: date) -> date | None:
    """dateparser, for short conversational phrases made of words only."""
    if len(raw) > _FALLBACK_MAX_LEN or re.search(r"[0-9]", raw) or not _LETTERS.search(raw):
        return None
    if re.search(r"(?<!\w)thang(?!\w)", canon):
        return None  # dateparser misreads "tháng sáu" as "next month"
    import dateparser  # slow to import: only when needed

    settings = {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": datetime(today.year, today.month, today.day),
        "TIMEZONE": "Asia/Ho_Chi_Minh",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    try:
        result = dateparser.parse(raw, languages=["vi"], settings=settings)
    except Exception:  # dateparser can fail in many ways on odd input: treat as "not a date"
        return None
    if result is None or not MIN_YEAR <= result.year <= MAX_YEAR:
        return None
    return result.date()


# A year written after a day and month that no date can have: signed, zero, or of 3 or 5+ digits
# ("15/6/-2027", "15/6/0", "15/6/99999", "ngày 15 tháng 6 năm -2027"). Without this check the scanner
# would read the day and month alone, silently dropping the year the user wrote.
_ABSURD_YEAR = re.compile(
    r"(?<![0-9])[0-9]{1,2}(?P<s>[/.\-])[0-9]{1,2}(?P=s)\s*(?P<y>[-+]\s*[0-9]+|[0-9]+)(?![0-9])"
    r"|(?<![0-9])[0-9]{1,2}\s+thang\s*[0-9]{1,2}\s*,?\s*nam\s+(?P<y2>[-+]\s*[0-9]+|[0-9]+)(?![0-9])")


def _refuse_absurd_year(raw: str) -> None:
    """A DateError naming the year when a date is written with a year that cannot be one."""
    for m in _ABSURD_YEAR.finditer(_canon(raw)):
        written = re.sub(r"\s+", "", m.group("y") or m.group("y2"))
        digits = written.lstrip("+-")
        if written[0] in "+-" or len(digits) not in (2, 4):  # 4 digits: _check_year says if it is in range
            raise DateError(f"Năm {written} không hợp lệ: năm phải từ {MIN_YEAR} đến {MAX_YEAR}. "
                            f"Vui lòng nhập lại ngày với năm đầy đủ, ví dụ 15/6/2027.")


def _examples(today: date) -> str:
    d = today + timedelta(days=7) if today.year < MAX_YEAR else today
    return (f"{format_date_short(d)}, {format_date_long(d)}, {d.day}/{d.month} (năm nay hoặc năm sau), "
            "ngày mai, thứ sáu tuần sau, 3 ngày nữa")


# ---------------------------------------------------------------------------------------------
# Public parsers
# ---------------------------------------------------------------------------------------------


def parse_date(text: str, *, today: date) -> date:
    """One calendar day from what a secretary types (see the module docstring for the rules)."""
    today = _as_date(today)
    raw = _clean(text)
    if not raw:
        raise DateError(f"Đồng chí chưa nhập ngày. Vui lòng nhập ngày, ví dụ: {_examples(today)}.")
    _refuse_absurd_year(raw)
    scan = _scan(raw, today, strict_time=False)
    if not scan.hits:
        d = _fallback(raw, scan.canon, today)
        if d is None:
            raise DateError(f"Không hiểu “{_quote(raw)}” là ngày nào. "
                            f"Vui lòng nhập theo một trong các cách sau: {_examples(today)}.")
        return d
    hit = _choose(scan, _cues(scan))
    if hit.single is None:
        raise DateError(f"“{_quote(raw)}” là một khoảng thời gian: {_period_reading(hit.first, hit.last)}, "
                        f"không phải một ngày cụ thể. Vui lòng nhập một ngày, ví dụ {format_date_short(hit.last)}.")
    return hit.single


def parse_when(text: str, *, today: date, default_kind: str = DEADLINE) -> When:
    """A deadline, event or period phrase (see the module docstring for kinds and periods)."""
    if default_kind not in KINDS:
        raise ValueError(f"default_kind must be one of {KINDS}, not {default_kind!r}")
    today = _as_date(today)
    raw = _clean(text)
    if not raw:
        raise DateError(f"Đồng chí chưa nhập thời hạn. Vui lòng nhập ngày hoặc khoảng thời gian, "
                        f"ví dụ: {_examples(today)}, tháng 7/{today.year}, Quý II/{today.year}.")
    _refuse_absurd_year(raw)
    scan = _scan(raw, today, strict_time=True)
    cues = _cues(scan)
    if scan.hits:
        hit = _choose(scan, cues)
    else:
        d = _fallback(raw, scan.canon, today)
        if d is None:
            raise DateError(f"Không tìm thấy ngày tháng trong “{_quote(raw)}”. Vui lòng ghi rõ thời gian, "
                            f"ví dụ: trước {format_date_short(today + timedelta(days=7)) if today.year < MAX_YEAR else '15/6'}, "
                            f"{_examples(today)}, tháng 7/{today.year}, Quý II/{today.year}.")
        hit = _Hit(0, len(scan.canon), d, d, False, d)
    kind = _kind_from_cues(hit, cues)
    if hit.period:
        return When(kind or PERIOD, hit.last, hit.first, scan.time)
    kind = kind or default_kind
    return When(kind, hit.last, hit.last if kind == PERIOD else None, scan.time)


# provisional: the dates branch replaces this
def absolute_dates(text: str, *, today: date) -> str:
    """Relative dates inside free text rewritten as absolute ones (provisional: returns the text unchanged)."""
    return text
