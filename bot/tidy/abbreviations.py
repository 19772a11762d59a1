"""Abbreviations a secretary types, written out in document text (“qđ” → “Quyết định”, “đ/c” → “đồng chí”).

Only whole words are touched: a letter, digit, “/” or “-” next to the abbreviation leaves it alone, so document
codes (“125-QĐ/ĐU”, “KH/ĐU”), numbers and longer words are never rewritten. The ambiguous ones (“cb”, “bt”, “sh”,
“đc”) are written out only in the company that makes them clear.
"""

from __future__ import annotations

import re
from functools import partial

# Always written out (case-insensitive).
ALWAYS = {
    "qđ": "Quyết định", "kh": "Kế hoạch", "nq": "Nghị quyết", "cv": "Công văn", "ct": "Chỉ thị",
    "hd": "Hướng dẫn", "hđ": "Hướng dẫn", "tb": "Thông báo", "kl": "Kết luận", "ctr": "Chương trình",
    "bch": "Ban Chấp hành", "btv": "Ban Thường vụ", "ubnd": "Ủy ban nhân dân", "hđnd": "Hội đồng nhân dân",
    "mttq": "Mặt trận Tổ quốc", "ubkt": "Ủy ban Kiểm tra", "tw": "Trung ương",
    "đv": "đảng viên", "đu": "Đảng ủy", "pbt": "phó bí thư", "đ/c": "đồng chí", "đ.c": "đồng chí",
    "cbđv": "cán bộ, đảng viên", "shcb": "sinh hoạt chi bộ",
}
_PARTY = r"(?:chi\s+bộ|cb|đảng\s+ủy|đảng\s+uỷ|đu|đảng\s+bộ|chi\s+ủy)"
_END = r"(?![\w/\-])"
# Written out only in context: (pattern, replacement); the abbreviation is group "a", what precedes it "pre".
CONTEXT = [
    # “sh cb”, “buổi sh”, “sh chuyên đề”
    (r"(?P<pre>)(?<![\w/\-])(?P<a>sh)(?=\s+(?:chi\s+bộ|cb|chuyên\s+đề|thường\s+kỳ|đảng)" + _END + ")", "sinh hoạt"),
    (r"(?P<pre>\bbuổi\s+)(?P<a>sh)" + _END, "sinh hoạt"),
    # “bt cb”, “bt đảng ủy”, “đ/c bt”
    (r"(?P<pre>)(?<![\w/\-])(?P<a>bt)(?=\s+" + _PARTY + _END + ")", "bí thư"),
    (r"(?P<pre>(?:(?<![\w/\-])đ/c|\bđồng\s+chí)\s+)(?P<a>bt)" + _END, "bí thư"),
    # “cb” after a word that goes with chi bộ: “sinh hoạt cb”, “bí thư cb”, “của cb”, “trong cb”
    (r"(?P<pre>\b(?:hoạt|thư|của|toàn|các|trong|viên|ủy|uỷ|sh|bt|đv)\s+)(?P<a>cb)" + _END, "chi bộ"),
    (r"(?P<pre>)(?<![\w/\-])(?P<a>cb)(?=\s+(?:họp|sinh\s+hoạt|tổ\s+chức|đã|sẽ|cần)" + _END + ")", "chi bộ"),
]
_CONTEXT = [(re.compile(pattern, re.IGNORECASE), replacement) for pattern, replacement in CONTEXT]
# “đc” before a name in capitals (elsewhere it is often “được”)
_DC = re.compile(r"(?P<pre>)(?<![\w/\-])(?P<a>[đĐ][cC])(?=\s+[A-ZÀ-ỸĐ])")
_ALWAYS = re.compile(r"(?<![\w/\-.])(?P<a>" + "|".join(sorted(map(re.escape, ALWAYS), key=len, reverse=True))
                     + r")(?![\w/\-]|\.\w)", re.IGNORECASE)
SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\n\s*(?:[-+•*]\s*)?|^\s*[-+•*]\s*|^\s*\d+[.)]\s*)$")


def _cased(text: str, start: int, replacement: str) -> str:
    """`replacement`, with a capital when it starts a sentence (“Đồng chí …”)."""
    if replacement[0].islower() and SENTENCE_START.search(text[:start]):
        return replacement[0].upper() + replacement[1:]
    return replacement


def expand(text: str) -> str:
    """`text` with the abbreviations written out.

    An acronym typed in capitals (“UBKT”, “BCH”, “QĐ”) is a deliberate official short form and stays.
    """
    text = _ALWAYS.sub(_always, text)
    for pattern, replacement in [*_CONTEXT, (_DC, "đồng chí")]:
        text = pattern.sub(partial(_context, replacement), text)
    return text


def _always(m: re.Match[str]) -> str:
    typed = m.group("a")
    letters = [ch for ch in typed if ch.isalpha()]
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return typed
    return _cased(m.string, m.start(), ALWAYS[typed.lower()])


def _context(replacement: str, m: re.Match[str]) -> str:
    return m.group("pre") + _cased(m.string, m.start("a"), replacement)
