"""Cited documents: "Kế hoạch số 65-KH/ĐUK ngày 02/11/2022 của Đảng ủy Khối ... về ..." parsed and written back."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date

from bot import dates

DOC_TYPES = (
    "Chương trình hành động", "Chương trình làm việc toàn khóa", "Chương trình công tác", "Chương trình",
    "Kế hoạch", "Nghị quyết", "Chỉ thị", "Hướng dẫn", "Kết luận", "Quyết định", "Thông báo", "Công văn",
    "Quy định", "Báo cáo", "Đề án", "Quy chế", "Tờ trình", "Thông tri",
)
MIXED_CASE = {"CTR": "CTr", "TTR": "TTr", "THU": "ThU"}  # codes written with lower-case letters
_TYPE = "|".join(re.escape(t) for t in DOC_TYPES)
_CITATION = re.compile(
    rf"^(?P<type>{_TYPE})\s+(?:số\s*)?(?P<number>\d+\s*-\s*[A-Za-zĐđ]+\s*/\s*[A-Za-zĐđ.\-]+)"
    r"[\s,]*(?:ngày\s*(?P<date>\d{1,2}\s*(?:/|-|\.|\s*tháng\s*)\s*\d{1,2}\s*(?:/|-|\.|\s*năm\s*)\s*\d{4}))?"
    r"[\s,]*(?:của\s+(?P<issuer>.+?))?(?:\s+về\s+(?P<subject>.+?))?[\s.;,]*$",
    re.IGNORECASE,
)


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


def parse_citation(text: str, *, today: date) -> Citation:
    """A structured citation in standard form; text that is not a numbered document is kept as typed."""
    text = re.sub(r"\s+", " ", text).strip().rstrip(";,")
    match = _CITATION.match(text)
    if not match:
        return Citation(text=text)
    serial, _, codes = re.sub(r"\s+", "", match["number"]).partition("-")
    number = serial + "-" + "/".join(MIXED_CASE.get(c.upper(), c.upper()) for c in codes.split("/"))
    when = dates.parse_date(match["date"], today=today) if match["date"] else None
    kind = _type_case(match["type"])
    issuer = (match["issuer"] or "").strip()
    subject = (match["subject"] or "").strip()
    parts = [f"{kind} số {number}"]
    if when:
        parts.append(f"ngày {dates.format_date_short(when)}")
    if issuer:
        parts.append(f"của {issuer}")
    if subject:
        parts.append(f"về {subject}")
    return Citation(text=" ".join(parts), type=kind, number=number, date=when.isoformat() if when else "",
                    issuer=issuer, subject=subject)
