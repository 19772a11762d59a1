"""Text helpers: matching typed answers, splitting long messages, the unit's ủy/uỷ spelling."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced form for matching what people type."""
    text = unicodedata.normalize("NFD", text.strip().casefold().replace("đ", "d"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return re.sub(r"\s+", " ", text)


def is_count(text: str, max_digits: int = 9) -> bool:
    """Whether `text` is a plain number (ASCII digits, at most `max_digits`): safe to pass to int().

    str.isdigit() is not: it accepts “²” and other digits int() refuses, and any length.
    """
    return re.fullmatch(rf"[0-9]{{1,{max_digits}}}", text) is not None


def split_message(text: str, limit: int) -> list[str]:
    """Split at paragraph boundaries, then lines, then spaces, so no part exceeds `limit`."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for sep in ("\n\n", "\n", " "):
            cut = window.rfind(sep)
            if cut > 0:
                break
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest:
        parts.append(rest)
    return parts


# Tone marks on the "oa/oe/uy" rhymes: new style puts them on the first vowel (hòa, ủy),
# old style on the second (hoà, uỷ). Only open syllables differ (hoàn, quý are the same).
_TONED = {
    "o": ("òóỏõọ", "ÒÓỎÕỌ"),
    "u": ("ùúủũụ", "ÙÚỦŨỤ"),
    "a": ("àáảãạ", "ÀÁẢÃẠ"),
    "e": ("èéẻẽẹ", "ÈÉẺẼẸ"),
    "y": ("ỳýỷỹỵ", "ỲÝỶỸỴ"),
}


def _tone_of(ch: str) -> tuple[str, int] | None:
    for base, (lower, upper) in _TONED.items():
        if ch in lower:
            return base, lower.index(ch)
        if ch in upper:
            return base.upper(), upper.index(ch)
    return None


def _with_tone(ch: str, tone: int) -> str:
    lower, upper = _TONED[ch.lower()]
    return upper[tone] if ch.isupper() else lower[tone]


_PAIRS = re.compile(r"([oOuUòóỏõọÒÓỎÕỌùúủũụÙÚỦŨỤ])([aAeEyYàáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸỳýỷỹỵỲÝỶỸỴ])(?!\w)")


def apply_spelling(text: str, style: str) -> str:
    """Rewrite 'ủy/hòa' (style 'ủy') or 'uỷ/hoà' (style 'uỷ') tone placement."""

    def swap(m: re.Match[str]) -> str:
        first, second = m.group(1), m.group(2)
        start = m.start(1)
        if start > 0 and text[start - 1] in "qQ":
            return m.group(0)
        if first.lower() in "oò" and second.lower() not in "aàáảãạeèéẻẽẹ":
            return m.group(0)
        if first.lower() in "uù" and second.lower() not in "yỳýỷỹỵ":
            return m.group(0)
        t1, t2 = _tone_of(first), _tone_of(second)
        if style == "uỷ" and t1 and not t2:
            return t1[0] + _with_tone(second, t1[1])
        if style == "ủy" and t2 and not t1:
            return _with_tone(first, t2[1]) + t2[0]
        return m.group(0)

    return _PAIRS.sub(swap, text)


ID_MAX = 2**63 - 1  # the largest SQLite INTEGER: no row id is larger


def parse_id(text: str) -> int | None:
    """A row id typed in a command ("/vanban gui 12"): ASCII digits naming a positive SQLite INTEGER, else None.

    Other digits ("²", "١٢") and numbers no row can have are None, so the caller answers "not found".
    """
    text = text.strip()
    if not re.fullmatch(r"[0-9]{1,20}", text):
        return None
    number = int(text)
    return number if 0 < number <= ID_MAX else None
