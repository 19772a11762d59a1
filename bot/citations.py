"""Cited documents: "Kế hoạch số 65-KH/ĐUK ngày 02/11/2022 của Đảng ủy Khối ... về ..." parsed and written back.

A citation typed loosely is rewritten in the standard form:
"qđ 125-qđ/đu ngày 25/11 của đảng ủy phường tân mai" → "Quyết định số 125-QĐ/ĐU, ngày 25/11/2026 của Đảng ủy
phường Tân Mai" (today 01/12/2026). The rules:

* The type is written out ("qđ" → "Quyết định", "kh" → "Kế hoạch" …; a line that starts with the number
  takes the type of its code: "125-QĐ/ĐU" → "Quyết định"; "tt" is a Thông tri of a Party body, a Thông tư
  of a state body), "số" is put before the number.
* The number: Party documents "125-QĐ/ĐU" (number, type code, issuer code), state documents "125/QĐ-UBND";
  letters upper case except the mixed-case codes (CTr, TTr, ThU, TTg). "65/KH-ĐUK" (a Party issuer written
  the state way) becomes "65-KH/ĐUK".
* The comma after the number: kept where she typed one ("Kết luận số 21-KL/TW, ngày 25/10/2021" and "Kế hoạch
  số 65-KH/ĐUK ngày 02/11/2022" are both in the seeds); a type she abbreviated or left out is written in the full
  standard form, with the comma ("Quyết định số 125-QĐ/ĐU, ngày …", as seed 004 writes it).
* The date "ngày dd/m/yyyy" (bot.dates.format_date_short). A date without a year is the latest such day on or
  before today (a citation is history); a date after today is refused with a request for the right year.
* The issuer ("của …") capitalised with bot.tidy.bodies.capitalise_bodies, the unit's names winning; the
  subject ("về …") is kept as typed.

`parse_citation` reads one answer that is a citation (the "Thực hiện …" list of a plan); `rewrite_citations`
finds citations inside free text and rewrites only the loosely typed ones (abbreviated type, lower-case or
misordered code, date without a year, issuer in lower case), leaving the rest of the text as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date

from bot import dates
from bot.tidy.bodies import capitalise_bodies

DOC_TYPES = (
    "Chương trình hành động", "Chương trình làm việc toàn khóa", "Chương trình công tác", "Chương trình",
    "Kế hoạch", "Nghị quyết", "Chỉ thị", "Hướng dẫn", "Kết luận", "Quyết định", "Thông báo", "Công văn",
    "Quy định", "Báo cáo", "Đề án", "Quy chế", "Tờ trình", "Thông tri", "Thông tư",
)
# What she types for a type, and the type a document code names.
ABBREVIATIONS = {
    "qđ": "Quyết định", "qd": "Quyết định", "kh": "Kế hoạch", "nq": "Nghị quyết", "ct": "Chỉ thị",
    "hd": "Hướng dẫn", "hđ": "Hướng dẫn", "tb": "Thông báo", "kl": "Kết luận", "cv": "Công văn",
    "ctr": "Chương trình", "bc": "Báo cáo", "qđi": "Quy định", "qc": "Quy chế", "đa": "Đề án", "da": "Đề án",
    "ttr": "Tờ trình", "tt": "Thông tri",  # "Thông tư" when the issuer is a state body (_kind)
}
CODE_TYPES = {"QĐ": "Quyết định", "KH": "Kế hoạch", "NQ": "Nghị quyết", "CT": "Chỉ thị", "HD": "Hướng dẫn",
              "TB": "Thông báo", "KL": "Kết luận", "CV": "Công văn", "CTR": "Chương trình", "BC": "Báo cáo",
              "QC": "Quy chế", "ĐA": "Đề án", "TTR": "Tờ trình", "TT": "Thông tri"}
MIXED_CASE = {"CTR": "CTr", "TTR": "TTr", "THU": "ThU", "TTG": "TTg"}  # codes written with lower-case letters
PARTY_ISSUER = re.compile(r"(?:TW|U|UK|CB)$")  # ĐU, ĐUK, TU, QU, HU, ThU, BTCTW, VPĐU, CB: Party bodies

_TYPE = "|".join(re.escape(t) for t in DOC_TYPES)
_ABBR = "|".join(sorted((re.escape(a) for a in ABBREVIATIONS), key=len, reverse=True))
_L = r"[A-Za-zĐđ]"
_NUMBER = rf"\d{{1,5}}(?:\s*/\s*\d{{4}})?\s*[-/ ]\s*{_L}+(?:\s*[-/]\s*{_L}+)+"
_DATE = (r"\d{1,2}\s*(?:[/.-]|\s+tháng\s+|\s+thang\s+)\s*\d{1,2}"
         r"(?:\s*(?:[/.-]|\s+năm\s+|\s+nam\s+)\s*\d{2,4}(?!\d))?")
_CORE = (
    rf"(?:(?P<type>{_TYPE})|(?P<abbr>{_ABBR}))\s+(?:(?P<so>số|so)\s*)?(?P<number>{_NUMBER})"
    rf"(?P<comma>\s*,)?\s*(?:(?P<ngay>ngày|ngay)\s*)?(?P<date>{_DATE})?"
)
_FREE = re.compile(rf"(?<!\w){_CORE}(?P<of>[\s,]*(?<=[\s,])(?:của|cua)\s+)?", re.IGNORECASE)
_LINE = re.compile(
    rf"^(?:(?:{_CORE})|(?P<bare>{_NUMBER})(?P<comma2>\s*,)?\s*(?:(?:ngày|ngay)\s*)?(?P<date2>{_DATE})?)"
    r"[\s,]*(?:(?:của|cua)\s+(?P<issuer>.+?))?(?:\s+(?:về|ve)\s+(?P<subject>.+?))?[\s.;,]*$",
    re.IGNORECASE,
)
# Where an issuer inside free text ends: the subject, a clause, the end of a sentence.
_ISSUER_END = re.compile(r"\s+(?:về|ve|nhằm|để|thực hiện)\s|\s*[,;.:()\n\"“”]|\s*$", re.IGNORECASE)


class CitationError(dates.DateError):
    """A citation that cannot be right (its date is after today): the message asks for the right year."""


@dataclass(frozen=True)
class Citation:
    text: str  # as it is written in the document
    type: str = ""
    number: str = ""
    date: str = ""  # ISO
    issuer: str = ""
    subject: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _type_case(found: str) -> str:
    return next(t for t in DOC_TYPES if t.casefold() == found.casefold())


def _kind(name: str, number: str) -> str:
    """The type named by an abbreviation or a code: a TT of a state body is a Thông tư, of a Party body a Thông tri."""
    if name == "Thông tri" and "-" in number.split("/")[-1]:
        return "Thông tư"
    return name


def standard_number(typed: str) -> str:
    """'125-qđ/đu' → '125-QĐ/ĐU'; '65/KH-ĐUK' → '65-KH/ĐUK'; '125/qđ-ubnd' → '125/QĐ-UBND'."""
    compact = re.sub(r"\s+", "", typed)
    match = re.match(r"(\d+)((?:/\d{4})?)[-/]?(.+)$", compact) or re.match(r"(\d+)()(.*)$", compact)
    assert match is not None
    serial, year, rest = match.groups()
    codes = [MIXED_CASE.get(c.upper(), c.upper()) for c in re.split(r"[-/]", rest) if c]
    if len(codes) >= 2 and PARTY_ISSUER.search(codes[-1].upper()) and not year:
        return f"{serial}-{codes[0]}/{'/'.join(codes[1:])}"
    return f"{serial}{year}/{'-'.join(codes)}"


def _year_of(digits: str) -> int:
    year = int(digits)
    return year + 2000 if len(digits) == 2 else year


def citation_date(typed: str, *, today: date) -> date:
    """The date of a cited document; without a year, the latest such day on or before today (a citation is
    history). Raises CitationError for a day that is not real or not yet come."""
    numbers = re.findall(r"\d+", typed)
    day, month = int(numbers[0]), int(numbers[1])
    written = f"{day}/{month}/{_year_of(numbers[2])}" if len(numbers) >= 3 else f"{day}/{month}"
    try:
        when = dates.parse_date(written, today=today, tense=dates.PAST)
    except dates.DateError as exc:
        raise CitationError(str(exc)) from None
    if when > today:
        earlier = dates.parse_date(f"{day}/{month}", today=today, tense=dates.PAST)
        raise CitationError(
            f"ngày {dates.format_date_short(when)} chưa tới (hôm nay là {dates.format_date_short(today)}), "
            f"mà văn bản được trích dẫn thì đã ban hành. Vui lòng ghi lại đúng năm, ví dụ "
            f"{dates.format_date_short(earlier)}.")
    return when


def _issuer(text: str, known: Sequence[str]) -> str:
    return capitalise_bodies(text.strip(), known=known)


def parse_citation(text: str, *, today: date, known: Sequence[str] = ()) -> Citation:
    """A structured citation in standard form; text that is not a numbered document is kept as typed.

    Raises CitationError (a DateError) when the cited date is after today or not a real day.
    """
    text = re.sub(r"\s+", " ", text).strip().rstrip(";,")
    match = _LINE.match(text)
    if not match:
        return Citation(text=text)
    number = standard_number(match["number"] or match["bare"])
    if match["type"]:
        kind = _type_case(match["type"])
    elif match["abbr"]:
        kind = _kind(ABBREVIATIONS[match["abbr"].casefold()], number)
    else:
        letters = re.findall(r"[A-Za-zĐđ]+", number)  # "125-QĐ/ĐU", "125/QĐ-UBND": the type code comes first
        kind = _kind(CODE_TYPES.get(letters[0].upper(), ""), number) if letters else ""
        if not kind:
            return Citation(text=text)
    comma = bool(match["comma"] or match["comma2"]) or not match["type"]  # shorthand: the full standard form
    typed_date = match["date"] or match["date2"]
    when = citation_date(typed_date, today=today) if typed_date else None
    issuer = _issuer(match["issuer"] or "", known)
    subject = (match["subject"] or "").strip()
    head = f"{kind} số {number}"
    parts_out = [head + ("," if comma and when else "")]
    if when:
        parts_out.append(f"ngày {dates.format_date_short(when)}")
    if issuer:
        parts_out.append(f"của {issuer}")
    if subject:
        parts_out.append(f"về {subject}")
    return Citation(text=" ".join(parts_out), type=kind, number=number, date=when.isoformat() if when else "",
                    issuer=issuer, subject=subject)


def _loose(m: re.Match[str], number: str, issuer_typed: str, issuer: str) -> bool:
    """Whether a citation found in free text was typed loosely (and so is rewritten)."""
    if m["abbr"] or re.sub(r"\s+", "", m["number"]) != number:
        return True
    if m["type"] and m["type"] != _type_case(m["type"]):
        return True
    if m["so"] and m["so"] != "số":
        return True
    if m["date"] and len(re.findall(r"\d+", m["date"])) < 3:
        return True
    if m["ngay"] and m["ngay"] != "ngày":
        return True
    return issuer != issuer_typed


def rewrite_citations(text: str, *, today: date, known: Sequence[str] = ()) -> str:
    """`text` with each loosely typed citation in it rewritten in the standard form; the rest unchanged.

    Raises CitationError when a cited date is after today (the message asks for the right year).
    """
    out: list[str] = []
    pos = 0
    for m in _FREE.finditer(text):
        number = standard_number(m["number"])
        end = m.end("date") if m["date"] else m.end("comma") if m["comma"] else m.end("number")
        issuer_typed = ""
        if m["of"]:
            stop = _ISSUER_END.search(text, m.end())
            assert stop is not None
            if stop.start() > m.end():
                issuer_typed, end = text[m.end():stop.start()], stop.start()
        issuer = _issuer(issuer_typed, known) if issuer_typed else ""
        when = citation_date(m["date"], today=today) if m["date"] else None
        if not _loose(m, number, issuer_typed.strip(), issuer):
            continue
        kind = _type_case(m["type"]) if m["type"] else _kind(ABBREVIATIONS[m["abbr"].casefold()], number)
        comma = bool(m["comma"]) or bool(m["abbr"])
        new = f"{kind} số {number}"
        if when:
            new += ("," if comma else "") + f" ngày {dates.format_date_short(when)}"
        elif m["comma"]:
            new += ","
        if issuer:
            new += f" của {issuer}"
        out.append(text[pos:m.start()])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)
