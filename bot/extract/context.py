"""The document's own dates: its issue date (also inside a flattened header), the meeting date of minutes,
signature dates, and the reference day that dates written without a year are read from."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from bot.extract.patterns import DOCNUM, DOCTYPE_BEFORE, YEAR4

# A word of a place name before ", ngày ..." ("Tuyên Quang", "TP. Hồ Chí Minh", "Quận 12", "Bà Rịa - Vũng Tàu").
_PLACE_WORD = re.compile(r"^(?:[A-ZĐÀ-Ỹ][^\s,;:()]*|\d{1,3}|[-–])$")
# A formal date alone on its line: "Ngày 12 tháng 3 năm 2024" (a signature or an issue date).
_ALONE = re.compile(r"^[\s(*\-–]*(?:ngày|Ngày|NGÀY)[\s\d.…_]*tháng[\s\d.…_]*năm\s*\d{4}[\s)*.]*$")
_BLANK_PARTS = re.compile(r"tháng[\s.…_]*(?P<m>\d{1,2})?[\s.…_]*năm\s*(?P<y>\d{4})|/\s*(?P<m2>\d{1,2})?\s*/\s*(?P<y2>\d{4})")
MINUTES = re.compile(r"(?<!\w)BIÊN\s+BẢN(?!\w)|^\W*Biên\s+bản(?!\w)")
TODAY_MARK = re.compile(r"(?<!\w)hôm\s+nay(?!\w)[^.;]{0,60}\Z", re.I)
# Where the header ends and the body starts.
BODY_START = re.compile(
    r"^(?:[IVX]{1,4}\s*[.\-–/)]|\d{1,2}\s*[.)\-–]\s|căn\s+cứ|thực\s+hiện|để|nhằm|hôm\s+nay|vào\s+(?:lúc|hồi)|phần)",
    re.I)
BODY_IN_LINE = re.compile(r"\s(?:Căn\s+cứ|Thực\s+hiện|Hôm\s+nay|Vào\s+(?:lúc|hồi))\s")
HEADER_YEAR = re.compile(r"(?<!\w)(?<!kỳ\s)năm\s+(\d{4})(?!\d)|(?<=/)(\d{4})(?=/)", re.I)
HEADER_LINES = 15


def is_issue_date(line: str, start: int, text: str) -> bool:
    """Whether the date expression ``text`` at ``start`` is a "Place, ngày .. tháng .. năm .." date: a run
    of capitalised words (a place) and a comma right before it, the run starting the line or following a
    word without lower-case letters (a flattened header: "... VIỆT NAM Số 12-KH/ĐU Tuyên Quang, ngày ...")."""
    if not text.lower().startswith("ngày"):
        return False
    before = line[max(0, start - 120):start].rstrip()
    if not before.endswith(","):
        return False
    words = before[:-1].split()
    run = 0
    while words and run < 8 and _PLACE_WORD.match(words[-1].strip("*")):
        words.pop()
        run += 1
    if run == 0:
        return not words  # an excerpt cut mid-header: ", ngày 22 tháng 11 năm 2022"
    if not words or run == 8:  # the line starts with the place, or a long run of capitals (a header)
        return True
    prev = words[-1].strip("*")
    return not any(ch.islower() for ch in prev) or DOCNUM.fullmatch(prev) is not None


def is_alone(line: str) -> bool:
    """A formal date alone on its line (a signature date, or the issue date of an excerpt cut mid-header)."""
    return bool(_ALONE.match(line))


def blank_issue(text: str) -> date | None:
    """The first day of the month (or year) of a template issue date ("ngày   tháng 3 năm 2024")."""
    m = _BLANK_PARTS.search(text)
    if not m:
        return None
    year = int(m.group("y") or m.group("y2"))
    month = int(m.group("m") or m.group("m2") or 1)
    if not (1900 <= year <= 2199 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def header_year(lines: list[str]) -> int | None:
    """The latest year written in the header (number and title, before the body starts): "KẾ HOẠCH ... năm
    2024", "Số 12/2024/...". Years of citations and of a term ("nhiệm kỳ 2020 - 2025") do not count."""
    years: list[int] = []
    for n, line in enumerate(lines[:HEADER_LINES]):
        if n and BODY_START.match(line):
            break
        cut = BODY_IN_LINE.search(line)
        part = line[: cut.start()] if cut else line
        for m in HEADER_YEAR.finditer(part):
            y = int(m.group(1) or m.group(2))
            if not 1900 <= y <= 2199:
                continue
            before = part[max(0, m.start() - 90):m.start()]
            if DOCTYPE_BEFORE.search(before) and not DOCNUM.search(part[max(0, m.start() - 30):m.start()]):
                continue
            years.append(y)
        if cut:
            break
    return max(years) if years else None


def is_minutes(lines: list[str]) -> bool:
    """Minutes (Biên bản): "BIÊN BẢN" in capitals in the header."""
    return any(MINUTES.search(line) for line in lines[:HEADER_LINES] if "BIÊN" in line or "Biên" in line[:8])


@dataclass
class DocDates:
    """What the document says about itself: ``ref`` is the day dates without a year are read forward
    from; ``issue`` its issue (or meeting) date; ``own`` the days that are the document's own (never items)."""

    ref: date | None = None
    issue: date | None = None
    own: set[date] = field(default_factory=set)


def reference(issue: date | None, blank: date | None, title_year: int | None, counts: Counter[int]) -> date | None:
    """The day a date written without a year is read forward from: the issue date (else a template issue
    date's month), moved to 1 January of the title's year when the title names a later year; else 1
    January of the title's year; else of the most common explicit year; else None (today decides)."""
    base = issue or blank
    if base is not None:
        if title_year and title_year > base.year:
            return date(title_year, 1, 1)
        return base
    if title_year:
        return date(title_year, 1, 1)
    if counts:
        return date(max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0], 1, 1)
    return None


def years_of(text: str) -> list[int]:
    return [int(y) for y in YEAR4.findall(text) if 1900 <= int(y) <= 2199]
