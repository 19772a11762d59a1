"""Who a dated item is assigned to: the body named by a clause, a label, or a heading above it."""

from __future__ import annotations

import re
import unicodedata

from bot.extract.patterns import (
    BODY,
    BULLET,
    CLAUSE_END,
    DOI_VOI,
    GIAO,
    MARKUP_KEY,
    WHO_END,
)
from bot.text import fold


def who_key(text: str | None) -> str:
    """The form ``who`` values are compared in: no markup, no trailing colon, case- and accent-free
    (so the spellings ``uỷ`` and ``ủy`` agree)."""
    if not text:
        return ""
    text = MARKUP_KEY.sub(" ", unicodedata.normalize("NFC", text))
    return fold(text).strip(" :;,.")


def who_matches(expected: str | None, got: str | None) -> bool:
    """Loose ``who`` comparison: equal ``who_key``, or one a word-wise prefix of the other."""
    a, b = who_key(expected), who_key(got)
    if not a or not b:
        return a == b
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return long_ == short or long_.startswith(short + " ") or long_.startswith(short + ",")


def body_named(text: str) -> str | None:
    """The body named at the start of a heading or label, or None."""
    text = DOI_VOI.sub("", text.strip())
    colon = text.find(":")
    if colon >= 0:
        text = text[:colon]
    m = WHO_END.search(text)
    if m:
        text = text[: m.start()]
    text = text.strip(" ,;.-–:()")
    if not text or len(text) > 120 or len(text.split()) > 20 or not BODY.match(text):
        return None
    return text[0].upper() + text[1:]


CLAUSE_WINDOW = 1000


def giao_who(text: str) -> str | None:
    """The last ``Giao X ...`` in the text that names a body."""
    found = None
    for m in GIAO.finditer(text):
        rest = text[m.end():]
        end = re.search(r"[.;]\s|[.;]$", rest)
        who = body_named(rest[: end.start()] if end else rest)
        if who:
            found = who
    return found


def clause_who(line: str, pos: int) -> str | None:
    """The assignee named in the clause that leads to ``pos`` (``Giao X ...``, or a clause that starts
    with a body and its verb: ``...; Văn phòng Đảng ủy chuẩn bị ... trước ngày``), else in a ``Giao X``
    earlier in the line. Only the CLAUSE_WINDOW characters before ``pos`` are read: a line of thousands of
    dated clauses would otherwise be read again for each date (quadratic)."""
    cut = max(0, pos - CLAUSE_WINDOW)
    line, pos = line[cut:], pos - cut
    start = 0
    for m in CLAUSE_END.finditer(line, 0, pos):
        start = m.end()
    clause = line[start:pos]
    who = giao_who(clause) if GIAO.search(clause) else None
    if who is None and WHO_END.search(clause):
        who = body_named(BULLET.sub("", clause, count=1))
    if who is None and start:
        who = giao_who(line[:start])
    return who


# ---------------------------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------------------------


class WhoState:
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
        self.stack.append((level, body_named(text) if self.enabled else None))

    def current(self) -> str | None:
        for _level, who in reversed(self.stack):
            if who:
                return who
        return None
