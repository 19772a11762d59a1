"""Dated items in a plan (Kế hoạch): deadlines, events and periods, with the body each is assigned to.

``extract(text)`` reads the text of a plan (``read_text`` gets it from a .docx, .txt or .md file) and
returns its dated items in document order. ``chibo extract PATH [--json]`` prints them (``main``).
Pure regular expressions: no ``dateparser`` on this path (``search_dates`` is slow and reads citation
dates and document numbers as dates). The values of the dates come from ``bot.dates.parse_when`` and
``bot.dates.parse_time`` (FORMAT.md section 4), called on the date expression alone.

How a plan is read:

* The text is cleaned: NFC, markdown-ish noise dropped (``**``, ``*``, ``\\*``, leading
  ``#``, ``[bookmark: _GoBack]``), spaces collapsed. ``Item.quote`` and ``Item.line`` are cleaned text.
* Date expressions are found with this module's own patterns: full dates in every written form
  (``ngày 08 tháng 10 năm 2023``, ``08/10/2023``, ``8-10-2023``, ``08.10.2023``, ``ngày15/01/2024``),
  day and month without a year, ranges (``từ 01/7 đến 15/7/2023``, ``15-20/6``, ``từ tháng 7 đến tháng
  12-2019``), months (``tháng 7/2023``, ``đầu/giữa/cuối tháng 7/2023``, ``trong 2/2021``), quarters
  (``Quý II/2023``, ``quý IV.2019``), ``6 tháng đầu năm 2023`` and ``trong năm 2023``. A time next to a
  date (``Lúc 08 giờ 00 thứ năm, ngày 28 ...``, ``..., lúc 8h00``) is the item's time.
* Kind, from the cue words right before the expression (only punctuation and ``là``/``vào``/``trong``
  between; a chain of cues such as ``Thời gian hoàn thành: trước ngày`` counts as one, the nearest cue
  decides): deadline after ``trước``, ``hoàn thành (trước)``, ``thời gian hoàn thành``, ``chậm nhất``,
  ``muộn nhất``, ``xong``, ``(thời) hạn``, ``hạn chót``, ``(đến) hết``; event after ``dự kiến``, ``vào
  lúc``, ``lúc``, ``tổ chức vào``, ``diễn ra``, ``khai mạc``, ``họp``, ``Thời gian:``; after the labels
  ``Thời gian tiến hành/thực hiện/tổ chức:`` a period expression is a period and a day an event.
  ``trước`` + a period (``trước tháng 7/2023``) is due the day before the period starts; any other
  cued period keeps its first day in ``start`` and is due on its last day.
* Without a cue: a day with a year (or after ``ngày``) is an event (a deadline when ``là hạn chót``,
  ``hoàn thành``... follows it), unless it is history (below); a
  period is an item only when it is attached to a listed topic: in parentheses at the end of a list
  item (``- Chuyên đề 1: ... (Quý I/2023).``) or as the label that starts one (``- Quý I/2023: ...``);
  its quote is then the whole item. Other uncued periods (``sơ kết 9 tháng đầu năm 2023``) are what
  the plan is about, not items. A day-month without ``ngày`` or year (``15/6``) needs a cue.
* Not items: citations (a document number such as ``65-KH/ĐUK`` or ``21-KL/TW``, or a document type
  such as ``Chỉ thị``/``Kết luận`` plus a few words, shortly before the date with no cue between);
  the dates on a "Place, ngày .. tháng .. năm .." line (the issue date); blank template dates
  (``ngày   tháng 10 năm 2023``); evaluation cut-offs (uncued dates in a sentence about ``thời
  điểm``/``mốc thời gian``/``số liệu``/``tính đến``); uncued days before the issue date or in a year
  before the plan's year.
* Year of a date written without one: the plan's year, i.e. the most common explicit year of the
  non-citation dates (the issue date counts once, years before it not at all; ties: the later). The
  date is then read by ``parse_when`` with ``today`` = 1 January of that year (so ``15/6`` is 15 June
  of the plan's year, ``Quý I`` its first quarter). With no year anywhere the ``today`` rules of
  ``bot.dates`` apply as they are (the first such date on or after ``today``).

``who``, the body the item is assigned to, in this order of precedence:

1. the clause the date is in (text since the last ``;``/``.``): ``Giao X chủ trì/theo/xây dựng/...``
   (``X`` cut at the first such verb), or a clause that starts with a body and its verb (``2. Ban
   Tuyên giáo Đảng ủy Khối chủ trì, ...``, ``...; Văn phòng Đảng ủy chuẩn bị ... trước ngày``); else a
   ``Giao X`` earlier in the same line;
2. a line that starts ``X chủ trì ...``, or the run-in label of the line (``- Cấp cơ sở: ...``);
3. a label-only line above it (``- Cấp cơ sở:``), until the next ``-`` item or heading;
4. a line ``- X thực hiện;`` above it in the same numbered section (the chi bộ that holds a meeting);
5. the nearest numbered heading above (``1. Văn phòng Đảng ủy``, ``2- Các chi bộ trực thuộc``,
   ``## **2. Đối với Đảng ủy Khối**`` -> ``Đảng ủy Khối``, ``4. Ban Tổ chức, ..., Văn phòng Đảng ủy
   Khối:`` -> without the colon; ``a)`` sub-items keep their parent's). A heading counts only when its
   text names a body (Đảng bộ, Đảng ủy, Chi bộ, Cấp ủy, Cấp cơ sở, Ban, Văn phòng, Ủy ban, Thường
   trực, Các đồng chí, cơ quan, ...); a heading that names none (``3. Thời gian, địa điểm``) ends the
   assignee of its level. Headings under ``MỤC ĐÍCH, YÊU CẦU`` are goals, not assignees; a roman
   heading (``III. TỔ CHỨC THỰC HIỆN``) and ``Nơi nhận:`` reset all.

``who`` keeps the plan's own words (spelling ``uỷ``/``ủy`` included) with the first letter in upper
case. Compare it with ``who_matches``: equal after ``who_key`` (case, accents, markup and a trailing
colon ignored), or one a word-wise prefix of the other (``Chi bộ 01 thuộc Đảng bộ Trường ... Tp Hồ Chí
Minh`` matches ``Chi bộ 01 thuộc Đảng bộ Trường ...``).

The same (kind, due, who, quote) is returned once; items keep document order.
"""

from __future__ import annotations

import io
import json
import re
import sys
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from bot.dates import DEADLINE, EVENT, PERIOD, DateError, When, format_when, parse_time, parse_when
from bot.text import fold

__all__ = ["Item", "extract", "main", "read_text", "who_key", "who_matches"]

SUPPORTED_SUFFIXES = (".docx", ".txt", ".md")


@dataclass(frozen=True)
class Item:
    kind: str  # "deadline" | "event" | "period"
    due: date  # the day it is due / happens; for a period its last day
    start: date | None  # first day of a period (None for single days)
    time: time | None  # time of day if written
    who: str | None  # the body/office it is assigned to, when the plan says
    quote: str  # the date expression with its cue, e.g. "hoàn thành trước ngày 08 tháng 10 năm 2023"
    line: str = ""  # the sentence it came from, for context

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "due": self.due.isoformat(),
            "start": self.start.isoformat() if self.start else None,
            "time": f"{self.time.hour:02d}:{self.time.minute:02d}" if self.time else None,
            "who": self.who,
            "quote": self.quote,
        }


# ---------------------------------------------------------------------------------------------
# Cleaning
# ---------------------------------------------------------------------------------------------

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]", re.I)
_ESCAPE = re.compile(r"\\([^\w\s])")
_HASHES = re.compile(r"^ ?#+ ?", re.M)
_SPACE_CHARS = "\t\u00a0\u2000-\u200a\u202f\u3000"
_SPACES = re.compile(f"[ {_SPACE_CHARS}]{{2,}}|[{_SPACE_CHARS}]")  # one plain space instead


def _clean_lines(text: str) -> list[str]:
    """The text's non-empty lines without markup noise, single-spaced (one pass per rule over the
    whole text: much faster than line by line)."""
    text = unicodedata.normalize("NFC", text).lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "[" in text:
        text = _BOOKMARK.sub("", text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    text = _SPACES.sub(" ", text.replace("*", "").replace("\u200b", ""))
    if "#" in text:
        text = _HASHES.sub("", text)
    return [ln for ln in (raw.strip() for raw in text.splitlines()) if ln]


# ---------------------------------------------------------------------------------------------
# Date expressions (over cleaned, accented text; case-insensitive)
# ---------------------------------------------------------------------------------------------

_NGAY = r"(?:ngày|mùng|mồng)"
_LEFT = r"(?<![\w/.\-])"  # a number that does not continue another one
_END = r"(?![\w/]|[.\-]\d)"  # ... and is not continued
_YW = r"(?:\s*,?\s*năm\s*\d{4}|\s*[/.\-]\s*\d{4})"  # ", năm 2023" or "/2023" after a month
_A_WORD = r"\d{1,2}\s+tháng\s*\d{1,2}(?:\s*,?\s*năm\s*\d{4})?"
_A_NUM = r"\d{1,2}[/.]\d{1,2}(?:[/.]\d{4})?"
_A_MONTH = rf"tháng\s*\d{{1,2}}{_YW}?"
_B_WORD = rf"\d{{1,2}}\s+tháng\s*\d{{1,2}}{_YW}?"
_B_NUM = r"\d{1,2}[/.\-]\d{1,2}(?:[/.\-](?:\d{4}|\d{2}))?"
_TO = r"\s*(?:đến|tới|-|–)\s*"

# Every expression starts at a digit or at one of these words; checking that first (a cheap guard
# in front of the alternation) makes the scan about six times faster.
_STARTS = "ngày|mùng|mồng|từ|quý|qúy|đầu|giữa|cuối|tháng|trong|cả|năm|sáu|ba|chín"
_EXPR = re.compile(
    rf"(?=[\dnmtqđgcsb])(?:(?<!\w)(?=(?:{_STARTS})(?![^\W\d]))|(?=\d))(?:"
    + "|".join([
        # blank template dates: not items, but consumed so "tháng 10 năm 2023" is not read as a month
        rf"(?P<blank>(?<!\w){_NGAY}[\s.…_]*(?:tháng[\s.…_]*(?:\d{{1,2}})?[\s.…_]*năm\s*\d{{0,4}}"
        rf"|/[\s.…_]*(?:\d{{1,2}})?[\s.…_]*/\s*\d{{2,4}}))",
        # ranges
        rf"(?P<range>(?<!\w)từ\s+(?:{_NGAY}\s*)?(?:{_A_WORD}|{_A_NUM}|{_A_MONTH}|\d{{1,2}}(?![\d/.\-]))"
        rf"{_TO}(?:hết\s+)?(?:{_NGAY}\s*)?(?:{_B_WORD}|{_B_NUM}|{_A_MONTH})(?!\d|[/.\-]\d)"
        rf"|(?:(?<!\w){_NGAY}\s*|{_LEFT})(?:{_A_WORD}|{_A_NUM}){_TO}(?:{_NGAY}\s*)?(?:{_B_WORD}|{_B_NUM})(?!\d|[/.\-]\d))",
        rf"(?P<dayrange>{_LEFT}\d{{1,2}}\s*[-–]\s*\d{{1,2}}/\d{{1,2}}(?:/\d{{4}})?{_END})",
        # one day
        rf"(?P<day>(?:(?<!\w)(?P<ng>{_NGAY})\s*|{_LEFT})(?:\d{{1,2}}(?P<s1>[/.\-])\d{{1,2}}(?P=s1)(?:\d{{4}}|\d{{2}}){_END}"
        rf"|\d{{1,2}}\s+tháng\s*\d{{1,2}}(?:\s*,?\s*năm\s*\d{{4}}|[/.\-]\d{{4}})(?!\d)))",
        rf"(?P<dm>(?:(?<!\w)(?P<ng2>{_NGAY})\s*|{_LEFT})\d{{1,2}}(?:\s*(?P<s2>[/.\-])\s*\d{{1,2}}|\s+tháng\s*\d{{1,2}})"
        r"(?!\d|\s*[/.\-]\s*\d|\s*,?\s*năm\s*\d))",
        # periods
        r"(?P<quarter>(?<!\w)(?:quý|qúy)\s*(?:iv|iii|ii|i|[1-4])(?!\w)(?:\s*(?:[/.\-]|,?\s*năm)\s*\d{4}(?!\d))?)",
        r"(?P<half>(?<!\w)(?:\d{1,2}|sáu|ba|chín)\s+tháng\s+(?:đầu|cuối)\s+năm(?:\s*,?\s*\d{4}(?!\d)|(?!\w)))",
        rf"(?P<month>(?<!\w)(?:(?:đầu|giữa|cuối)\s+)?tháng\s*\d{{1,2}}{_YW}?(?!\d|\s*[/.\-]\s*\d))",
        rf"(?P<monthbare>(?:(?<!\w)(?:đầu|giữa|cuối)\s+)?{_LEFT}\d{{1,2}}[/.\-]\d{{4}}(?!\w|[/.\-]\d))",
        r"(?P<year>(?<!\w)(?:trong|cả)\s+năm\s+\d{4}(?!\d)|(?<=hết\s)năm\s+\d{4}(?!\d))",
    ])
    + ")",
    re.I,
)
_GROUPS = ("blank", "range", "dayrange", "day", "dm", "quarter", "half", "month", "monthbare", "year")
_PERIOD_GROUPS = ("range", "dayrange", "quarter", "half", "month", "monthbare", "year")
_YEAR4 = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_DAYRANGE_SPACES = re.compile(r"\s*[-–]\s*")

_TIME = (r"(?<![\w:/.,])\d{1,2}\s*(?:giờ|h|g)(?:\s*\d{1,2}(?!\d)(?:\s*phút)?)?(?:\s*(?:sáng|trưa|chiều|tối|đêm))?(?!\w)"
         r"|(?<![\w:/.])\d{1,2}:\d{2}(?!\d)")
_WD = r"(?<!\w)(?<!lần\s)(?:thứ\s*(?:hai|ba|tư|năm|sáu|bảy|bẩy|[2-7](?!\d))|chủ\s*nhật)(?!\w)"
_BEFORE = re.compile(
    rf"(?:(?:(?P<t>{_TIME})|{_WD}|(?<!\w)(?:buổi\s+)?(?:sáng|chiều|tối|trưa)(?!\w)|(?<!\w)hồi(?!\w))[\s,;:\-–()]*)+\Z",
    re.I)
_TIME_ONLY = re.compile(_TIME, re.I)
_AFTER = re.compile(  # used with match(line, pos): no \A
    rf"(?:\s*\(\s*{_WD}\s*\))?(?:[\s,;]*(?:(?:vào\s+)?(?:lúc|hồi)\s*)?(?P<t>{_TIME}))?", re.I)

# Cues: kind per alternative.
_CUE_DEADLINE = (r"thời\s+gian\s+hoàn\s+thành|thời\s+hạn(?:\s+hoàn\s+thành)?|hạn\s+chót|hạn\s+cuối"
                 r"|hoàn\s+thành(?:\s+xong)?(?:\s+trước)?|xong(?:\s+trước|\s+trong)?|trước"
                 r"|chậm\s+nhất(?:\s+là)?|muộn\s+nhất(?:\s+là)?|(?:đến\s+)?hết|hạn(?!\s*chế)")
_CUE_EVENT = (r"thời\s+gian\s+dự\s+kiến\s*:?|dự\s+kiến(?:\s+(?:tổ\s+chức|tiến\s+hành|họp|diễn\s+ra))?"
              r"|vào\s+lúc|lúc|tổ\s+chức\s+vào|diễn\s+ra(?:\s+vào)?"
              r"|khai\s+mạc(?:\s+vào)?|họp(?:\s+vào)?|thời\s+gian\s*:")
_CUE_LABEL = r"thời\s+gian\s+(?:tiến\s+hành|thực\s+hiện|tổ\s+chức)\s*:?"
_CUE = rf"(?<!\w)(?:(?P<dl>{_CUE_DEADLINE})|(?P<ev>{_CUE_EVENT})|(?P<lb>{_CUE_LABEL}))(?!\w)"
_CUE_RE = re.compile(_CUE, re.I)
_TRUOC_END = re.compile(r"trước$", re.I)
_CHAIN = re.compile(rf"(?:{_CUE}[\s:,(\-–]*(?:(?:là|vào|trong|khoảng)\s+)*)+\Z", re.I)
_CUE_WINDOW = 80
# A deadline cue right after an uncued day: "ngày 15/6/2023 là hạn chót", "ngày 15/6/2023 hoàn thành".
_DEADLINE_AFTER = re.compile(
    r"[\s,:\-–]*(?:là\s+)?(?:hạn\s+chót|hạn\s+cuối|thời\s+hạn|hạn(?!\s*chế)|hoàn\s+thành|xong)(?!\w)", re.I)

# Citations, issue dates, cut-offs.
_DOCNUM = re.compile(
    r"\d+[a-z]?\s*[-–]\s*[A-ZĐ]{1,8}\s*/\s*[A-ZĐa-zđ0-9.]+(?:[-/][A-ZĐa-zđ0-9.]+)*"
    r"|\d+(?:/\d{2,4})?/[A-ZĐ]{1,8}-[A-ZĐa-zđ0-9]+(?:-[A-ZĐa-zđ0-9]+)*")
_DOCNUM_GAP = re.compile(r"[\s,;:()]*(?:(?:ban\s+hành|ký)\s+)?(?:vào\s+)?\Z", re.I)
_DOCTYPE_BEFORE = re.compile(
    r"(?<!\w)(?:nghị\s+quyết|chỉ\s+thị|kết\s+luận|hướng\s+dẫn|kế\s+hoạch|thông\s+báo|quyết\s+định|công\s+văn"
    r"|quy\s+định|quy\s+chế|chương\s+trình|thông\s+tri|nghị\s+định|thông\s+tư|luật|tờ\s+trình|đề\s+án"
    r"|điều\s+lệ|văn\s+bản|hiến\s+pháp)(?!\w)(?!\s+này)[^.;:!?]{0,60}?(?:,\s*)?(?:(?:ban\s+hành|ký)\s+)?\Z",
    re.I)
# "Tuyên Quang, ngày 22 tháng 11 năm 2022", "Hà Nội, ngày 28/02/2023", "Thành phố Hồ Chí Minh, ngày   tháng 10 năm 2023"
_ISSUE_LINE = re.compile(
    r"^[A-ZĐÀ-Ỹ][^\d,;:()\-+]{1,60},\s*(?:ngày|Ngày)[\s.…_]*(?:\d{1,2})?[\s.…_]*"
    r"(?:tháng[\s.…_]*(?:\d{1,2})?[\s.…_]*năm|[/.\-][\s.…_]*(?:\d{1,2})?[\s.…_]*[/.\-])\s*\d{4}\s*\.?$")
_CUTOFF = re.compile(r"(?<!\w)(?:thời\s+điểm|mốc\s+thời\s+gian|số\s+liệu|tính\s+đến|tính\s+từ)(?!\w)", re.I)

# Topic-attached periods.
_BULLET = re.compile(r"^\s*(?:[-+•–]\s*|\d+(?:\.\d+)*\s*[.)\-–]\s*|[a-zđ]\)\s*)", re.I)
_PAREN_BEFORE = re.compile(r"\(\s*(?:(?:thực\s+hiện|thời\s+gian|trong|vào)\s*:?\s*)*\Z", re.I)
_PAREN_AFTER = re.compile(r"\s*\)\s*[.;,:]?\s*\Z")
_LABEL_BEFORE = re.compile(r"^\s*(?:[-+•–]\s*|\d+(?:\.\d+)*\s*[.)\-–]\s*|[a-zđ]\)\s*)?(?:trong\s+)?\Z", re.I)
_LABEL_AFTER = re.compile(r"\s*[:\-–]\s*\S")

# ---------------------------------------------------------------------------------------------
# Who
# ---------------------------------------------------------------------------------------------

_ROMAN = re.compile(r"^(?P<n>[IVX]{1,5})\s*[.\-–)/:]\s*(?P<rest>\S.*)$")
_NUMBERED = re.compile(r"^(?P<n>\d{1,2}(?:\.\d{1,2})*|[a-zđ])\s*[.\-–)]\s*(?P<rest>\S.*)$")
_FOOTER = re.compile(r"^nơi\s+nhận\b", re.I)
_NO_WHO_SECTION = re.compile(r"MỤC\s+ĐÍCH|YÊU\s+CẦU", re.I)
_BODY = re.compile(
    r"(?:(?:các|tập\s+thể|toàn\s+thể|mỗi|từng)\s+)?(?:đồng\s+chí\s+|đ/c\s+)?"
    r"(?:đảng\s+(?:bộ|(?:ủy|uỷ)\s*viên|(?:ủy|uỷ)|viên|đoàn)|chi\s+(?:bộ|(?:ủy|uỷ)|đoàn)|cấp\s+(?:(?:ủy|uỷ)|cơ\s+sở|khối|trên|dưới)"
    r"|ban(?!\s+hành)|văn\s+phòng|(?:ủy|uỷ)\s+(?:ban|viên)|ubkt|ubnd|ub|thường\s+(?:trực|vụ)|(?:phó\s+)?bí\s+thư"
    r"|đồng\s+chí|đ/c|cơ\s+quan|tổ\s+chức\s+(?:cơ\s+sở|đảng)|tccs\w*|tổ\s+đảng|công\s+đoàn|đoàn"
    r"|hội(?!\s+(?:nghị|thảo|thi|diễn))|mặt\s+trận|lãnh\s+đạo(?=(?-i:\s+[A-ZĐ])|\s+(?:cơ\s+quan|đơn\s+vị|các))"
    r"|cán\s+bộ|trường(?!\s+hợp)"
    r"|phòng(?!\s+(?:chống|ngừa))|bch|btv|bộ\s+phận)(?!\w)",
    re.I)
# Where an assignee's name ends: the first verb of the assignment (lower case only, so "Ban Chỉ đạo",
# "Ủy ban Kiểm tra" stay whole; "cơ quan tham mưu" is a name).
_WHO_END = re.compile(
    r"\s(?:chủ\s+trì|phối\s+hợp|xây\s+dựng|(?:tổ\s+chức\s+)?thực\s+hiện|triển\s+khai|(?<!cơ quan )tham\s+mưu"
    r"|(?<!các )(?<!những )tổ\s+chức(?!\s+(?:cơ\s+sở|đảng|đoàn|chính\s+trị))"
    r"|hướng\s+dẫn|chỉ\s+đạo|chịu\s+trách\s+nhiệm|có\s+trách\s+nhiệm|căn\s+cứ|báo\s+cáo|gửi|theo\s+dõi"
    r"|tổng\s+hợp|chuẩn\s+bị|cử|kiểm\s+tra|đôn\s+đốc|phát\s+hành|theo|nghiên\s+cứu|hoàn\s+thành|tiếp\s+tục"
    r"|quán\s+triệt|rà\s+soát|lựa\s+chọn|bố\s+trí|đảm\s+bảo|bảo\s+đảm|thẩm\s+định|tham\s+dự|tham\s+gia"
    r"|giúp(?!\s+việc))(?!\w)")
_DOI_VOI = re.compile(r"^(?:đối\s+với|giao(?:\s+cho)?)\s+", re.I)
_GIAO = re.compile(r"(?<!\w)(?<!được\s)[Gg]iao\s+(?:cho\s+)?")
_CHU_TRI = re.compile(r"^(?P<x>.{3,120}?)\s+chủ\s+trì(?!\w)")
_THUC_HIEN_LINE = re.compile(r"^(?P<x>.{3,150}?)\s+thực\s+hiện\s*[;.,]?\s*$")
_LABEL = re.compile(r"^(?P<x>[^:]{2,80}?)\s*:\s*(?P<rest>.*)$")
_SENTENCE_END = re.compile(r"[.!?]\s+")
_CLAUSE_END = re.compile(r"[;.!?](?=\s)")
_MARKUP_KEY = re.compile(r"[*#_`\\]+")


def who_key(text: str | None) -> str:
    """The form ``who`` values are compared in: no markup, no trailing colon, case- and accent-free
    (so the spellings ``uỷ`` and ``ủy`` agree)."""
    if not text:
        return ""
    text = _MARKUP_KEY.sub(" ", unicodedata.normalize("NFC", text))
    return fold(text).strip(" :;,.")


def who_matches(expected: str | None, got: str | None) -> bool:
    """Loose ``who`` comparison: equal ``who_key``, or one a word-wise prefix of the other."""
    a, b = who_key(expected), who_key(got)
    if not a or not b:
        return a == b
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return long_ == short or long_.startswith(short + " ") or long_.startswith(short + ",")


def _who(text: str) -> str | None:
    """The body named at the start of a heading or label, or None."""
    text = _DOI_VOI.sub("", text.strip())
    colon = text.find(":")
    if colon >= 0:
        text = text[:colon]
    m = _WHO_END.search(text)
    if m:
        text = text[: m.start()]
    text = text.strip(" ,;.-–:()")
    if not text or len(text) > 120 or len(text.split()) > 20 or not _BODY.match(text):
        return None
    return text[0].upper() + text[1:]


def _giao_who(text: str) -> str | None:
    """The last ``Giao X ...`` in the text that names a body."""
    found = None
    for m in _GIAO.finditer(text):
        rest = text[m.end():]
        end = re.search(r"[.;]\s|[.;]$", rest)
        who = _who(rest[: end.start()] if end else rest)
        if who:
            found = who
    return found


def _clause_who(line: str, pos: int) -> str | None:
    """The assignee named in the clause that leads to ``pos`` (``Giao X ...``, or a clause that starts
    with a body and its verb: ``...; Văn phòng Đảng ủy chuẩn bị ... trước ngày``), else in a ``Giao X``
    earlier in the line."""
    start = 0
    for m in _CLAUSE_END.finditer(line, 0, pos):
        start = m.end()
    clause = line[start:pos]
    who = _giao_who(clause) if _GIAO.search(clause) else None
    if who is None and _WHO_END.search(clause):
        who = _who(_BULLET.sub("", clause, count=1))
    if who is None and start:
        who = _giao_who(line[:start])
    return who


# ---------------------------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------------------------


@dataclass
class _Expr:
    group: str
    start: int
    end: int
    text: str
    years: list[int]


@dataclass
class _Line:
    text: str
    exprs: list[_Expr]
    issue: bool


def _is_citation(line: str, start: int) -> bool:
    before = line[max(0, start - 90):start]
    for m in _DOCNUM.finditer(before):
        if len(before) - m.end() <= 40 and _DOCNUM_GAP.search(before[m.end():]) is not None:
            return True
    return _DOCTYPE_BEFORE.search(before) is not None


def _scan(line: str) -> list[_Expr]:
    out = []
    for m in _EXPR.finditer(line):
        group = next(g for g in _GROUPS if m.group(g) is not None)
        text = m.group(0)
        years = [int(y) for y in _YEAR4.findall(text) if 1900 <= int(y) <= 2199]
        out.append(_Expr(group, m.start(), m.end(), text, years))
    return out


def _plan_year(lines: list[_Line]) -> tuple[int | None, date | None]:
    counts: Counter[int] = Counter()
    issue: date | None = None
    for ln in lines:
        for ex in ln.exprs:
            if ex.group == "blank" or not ex.years:
                continue
            if ln.issue:
                if issue is None and ex.group == "day":
                    when = _parse(ex.text, date(ex.years[-1], 1, 1), date(ex.years[-1], 1, 1))
                    issue = when.due if when else None
                continue
            if _is_citation(ln.text, ex.start):
                continue
            counts.update(ex.years)
    if issue:
        # the plan's own dates are not before its issue date: older years are history
        counts = Counter({y: n for y, n in counts.items() if y >= issue.year})
        counts[issue.year] += 1
    if counts:
        best = max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
        return best, issue
    return (issue.year if issue else None), issue


def _sentence(line: str, pos: int) -> str:
    start, end = 0, len(line)
    for m in _SENTENCE_END.finditer(line):
        if m.end() < len(line) and line[m.end()].isupper():
            if m.end() <= pos:
                start = m.end()
            elif m.start() >= pos:
                end = m.start() + 1
                break
    return _BULLET.sub("", line[start:end].strip(), count=1).strip()


def _item_text(line: str) -> str:
    return _BULLET.sub("", line, count=1).strip().rstrip(".;,").strip()


class _WhoState:
    def __init__(self) -> None:
        self.stack: list[tuple[int, str | None]] = []
        self.unit: str | None = None  # "- X thực hiện;"
        self.carry: str | None = None  # a label-only line "- X:"
        self.enabled = True

    def reset(self) -> None:
        self.stack.clear()
        self.unit = self.carry = None

    def heading(self, level: int, text: str) -> None:
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.unit = self.carry = None
        self.stack.append((level, _who(text) if self.enabled else None))

    def current(self) -> str | None:
        for _level, who in reversed(self.stack):
            if who:
                return who
        return None


def _parse(text: str, ref: date | None, today: date) -> When | None:
    try:
        return parse_when(text, today=ref or today)
    except (DateError, ValueError, OverflowError):
        return None


def extract(text: str, *, today: date | None = None) -> list[Item]:
    """The dated items of a plan's text, in document order (see the module docstring for the rules)."""
    if not isinstance(text, str) or not text.strip():
        return []
    if today is None:
        from bot.clock import Clock

        today = Clock().today()
    elif isinstance(today, datetime):
        today = today.date()
    lines = [_Line(ln, _scan(ln), bool(_ISSUE_LINE.match(ln))) for ln in _clean_lines(text)]
    year, issue = _plan_year(lines)
    ref = date(year, 1, 1) if year else None

    items: list[Item] = []
    seen: set[tuple] = set()
    state = _WhoState()
    for ln in lines:
        line = ln.text
        # --- who: headings and labels
        roman = _ROMAN.match(line)
        numbered = _NUMBERED.match(line) if not roman else None
        line_who: str | None = None
        if roman and (len(roman.group("rest")) <= 60 or not any(ch.islower() for ch in roman.group("rest"))):
            state.reset()
            state.enabled = not _NO_WHO_SECTION.search(roman.group("rest"))
        elif _FOOTER.match(line):
            state.reset()
            state.enabled = False
        elif numbered:
            n = numbered.group("n")
            level = 9 if n.isalpha() else n.count(".") + 1
            state.heading(level, numbered.group("rest"))
        else:
            body = _BULLET.sub("", line, count=1)
            if line[:1] in "-•–":
                state.carry = None
            label = _LABEL.match(body)
            if label and len(label.group("x").split()) <= 12:
                who = _who(label.group("x"))
                if who:
                    line_who = who
                    if not label.group("rest").strip():
                        state.carry = who
            if line_who is None:
                m = _CHU_TRI.match(body)
                if m:
                    line_who = _who(m.group("x"))
            if line_who is None:
                m = _THUC_HIEN_LINE.match(body)
                if m and _who(m.group("x")):
                    state.unit = _who(m.group("x"))
        if not ln.exprs or ln.issue:
            continue
        fallback_who = line_who or state.carry or state.unit or state.current()

        # --- items
        for ex in ln.exprs:
            if ex.group == "blank":
                continue
            is_period = ex.group in _PERIOD_GROUPS
            # the expression with its time and weekday around it
            s, e = ex.start, ex.end
            window_start = max(0, s - 60)
            before = _BEFORE.search(line, window_start, s)
            t_text = None
            if before:
                s = before.start()
                t = _TIME_ONLY.search(line, s, ex.start)
                t_text = t.group(0) if t else None
            after = _AFTER.match(line, e)
            if after and after.end() > e:
                e = after.end()
                if after.group("t") and t_text is None:
                    t_text = after.group("t")
            # cues right before it
            chain = _CHAIN.search(line, max(0, s - _CUE_WINDOW), s)
            kind = None
            label = False
            last_cue = ""
            if chain:
                for c in _CUE_RE.finditer(line, chain.start(), chain.end()):
                    if c.group("dl"):
                        kind, last_cue = DEADLINE, c.group(0)
                    elif c.group("ev"):
                        kind, last_cue = EVENT, c.group(0)
                    else:
                        label = True
                if kind is None and label:
                    kind = PERIOD if is_period else EVENT
            quote_start = chain.start() if chain else s
            quote = line[quote_start:e].strip(" ,;:(–-")
            if kind is None:
                # no cue
                if is_period:
                    topic = ((_PAREN_BEFORE.search(line, 0, ex.start) and _PAREN_AFTER.match(line, ex.end)
                              and _BULLET.match(line))
                             or (_LABEL_BEFORE.match(line[: ex.start]) and _LABEL_AFTER.match(line, ex.end)))
                    if not topic:
                        continue
                    kind, quote = PERIOD, _item_text(line)
                else:
                    if ex.group == "dm" and not (ex.text[:1].isalpha()):
                        continue  # "15/6" alone needs a cue
                    if _is_citation(line, ex.start) or _CUTOFF.search(_sentence(line, ex.start)):
                        continue
                    after_cue = _DEADLINE_AFTER.match(line, e)
                    kind = EVENT
                    if after_cue:
                        kind, quote = DEADLINE, line[s:after_cue.end()].strip(" ,;:(–-")
            value_text = ex.text
            if ex.group == "dayrange":
                value_text = _DAYRANGE_SPACES.sub("-", value_text)
            when = _parse(value_text, ref, today)
            if when is None:
                continue
            due, start = when.due, when.start
            if start == due and not is_period:
                start = None
            if kind == DEADLINE and is_period and start and _TRUOC_END.search(last_cue):
                due, start = start - timedelta(days=1), None  # "trước tháng 7/2023": by 30/6/2023
            if not chain and not is_period:
                # an uncued day: history when before the plan
                if (issue and due < issue) or (issue is None and year and due.year < year):
                    continue
            at = None
            if t_text:
                try:
                    at = parse_time(t_text)
                except DateError:
                    at = None
            who = _clause_who(line, ex.start) or fallback_who
            key = (kind, due, who, quote)
            if key in seen:
                continue
            seen.add(key)
            items.append(Item(kind, due, start, at, who, quote, _sentence(line, ex.start)))
    return items


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def _docx_text(data: bytes, name: str) -> str:
    bad = (f"Tệp “{name}” không phải tệp Word .docx hợp lệ (tệp bị hỏng hoặc sai định dạng). "
           "Vui lòng mở tệp bằng Word, lưu lại dưới dạng .docx rồi gửi lại.")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValueError(bad)
    from docx import Document
    from docx.table import Table

    try:
        doc = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx fails in many ways on a broken package
        raise ValueError(bad) from exc
    out: list[str] = []
    seen: set = set()  # the cells' XML elements (kept alive here, so identity is stable): a merged cell repeats

    def walk(container) -> None:
        for block in container.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    for cell in row.cells:
                        if cell._tc in seen:
                            continue
                        seen.add(cell._tc)
                        walk(cell)
            else:
                out.append(block.text)

    try:
        walk(doc)
    except Exception as exc:
        raise ValueError(bad) from exc
    return "\n".join(out)


def read_text(path: Path) -> str:
    """The text of a plan: .txt/.md as UTF-8 (a BOM is fine), .docx paragraphs and table cells in
    document order. Raises ValueError with a Vietnamese message for anything it cannot read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".doc":
        raise ValueError(f"Tệp “{path.name}” là định dạng Word cũ (.doc), chưa đọc được. "
                         "Vui lòng mở bằng Word, chọn Lưu thành (Save As) dạng .docx rồi gửi lại.")
    if suffix not in SUPPORTED_SUFFIXES:
        raise ValueError(f"Không đọc được tệp “{path.name}”: chỉ hỗ trợ tệp Word .docx hoặc văn bản .txt, .md.")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValueError(f"Không tìm thấy tệp “{path}”.") from None
    except IsADirectoryError:
        raise ValueError(f"“{path}” là một thư mục, không phải tệp.") from None
    except OSError as exc:
        raise ValueError(f"Không mở được tệp “{path}”: {exc.strerror or exc}.") from None
    if not data:
        raise ValueError(f"Tệp “{path.name}” trống, không có nội dung.")
    if suffix == ".docx":
        text = _docx_text(data, path.name)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError(f"Tệp “{path.name}” không phải văn bản UTF-8. "
                             "Vui lòng lưu lại với bảng mã UTF-8 (Unicode) rồi gửi lại.") from None
    if not text.strip():
        raise ValueError(f"Tệp “{path.name}” trống, không có chữ nào.")
    return unicodedata.normalize("NFC", text)


_KIND_LABELS = {DEADLINE: "Hạn chót", EVENT: "Sự kiện", PERIOD: "Thời gian thực hiện"}


def _human(item: Item) -> str:
    when = format_when(When(item.kind, item.due, item.start, item.time))
    head = f"{_KIND_LABELS[item.kind]}: {when}"
    if item.who:
        head += f" — {item.who}"
    return f"{head}\n   “{item.quote}”"


def main(path: str, as_json: bool) -> int:
    """``chibo extract PATH [--json]``: print the dated items of a plan; 2 when the file is unreadable."""
    try:
        text = read_text(Path(path))
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    items = extract(text)
    if as_json:
        print(json.dumps([i.as_json() for i in items], ensure_ascii=False, indent=2))
        return 0
    name = Path(path).name
    if not items:
        print(f"Không tìm thấy hạn chót, sự kiện hay mốc thời gian nào trong “{name}”.")
        return 0
    print(f"Tìm thấy {len(items)} mốc thời gian trong “{name}”:")
    for n, item in enumerate(items, 1):
        print(f"{n}. {_human(item)}")
    return 0
