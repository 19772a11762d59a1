"""Roster members named the way she types them (“đ/c hoa”, “hoa”, “nguyễn thị hoa”), printed by their full name.

A whole answer that is a name (the chair, the thư ký) is matched by full name or by its end (“Hoa”, “Thị Hoa”),
with or without marks. Inside free text, a name after “đ/c” / “đồng chí” is matched the same way, and a full
name of the roster (two words or more) anywhere. One match: the roster's spelling (“đồng chí Nguyễn Thị Hoa”);
two or more: an Ambiguity for the caller to ask about (nothing is guessed); none: the text stays, except that a
name-looking phrase after “đồng chí”, or a full name after “quần chúng” (a person about to be admitted, not yet in
the roster), gets its capitals.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.text import fold

COMRADE = r"(?:đ/c|đ\.c\.?|đc|đồng\s+chí)"
_PREFIX = re.compile(rf"^\s*{COMRADE}\s+", re.IGNORECASE)
_AFTER_COMRADE = re.compile(rf"(?<![\w/])(?P<c>{COMRADE})\s+(?P<name>[^\W\d_]+(?:\s+[^\W\d_]+){{0,3}})", re.IGNORECASE)
_AFTER_CANDIDATE = re.compile(r"(?<![\w/])(?P<c>quần\s+chúng|quan\s+chung)\s+(?P<name>[^\W\d_]+(?:\s+[^\W\d_]+){0,3})",
                              re.IGNORECASE)
SURNAMES = frozenset(fold(w) for w in """nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý
    đinh đào trịnh mai lâm cao lương tô trương tạ hà chu quách thái văn kiều la mạc""".split())
MIDDLES = frozenset(fold(w) for w in """văn thị hữu đức đình ngọc xuân quang minh thanh kim bá công duy hoàng
    quốc mạnh thu hồng phương anh tuấn như gia trọng thế""".split())
# Words after “đồng chí” that start a title or a phrase, not a name.
NOT_NAMES = frozenset(fold(w) for w in """bí phó chủ thư ủy uỷ trưởng tổ đại được có và trong các nào này đó
    khác mình phụ trình ký vắng dự đảng chi thấy nói cho là đã sẽ cũng đều rất không chưa cùng với ở""".split())


@dataclass(frozen=True)
class Ambiguity:
    """A typed name that means several roster members: ask which."""

    typed: str
    candidates: tuple[str, ...]


@dataclass(frozen=True)
class Named:
    text: str
    ambiguous: tuple[Ambiguity, ...] = ()


def candidates(typed: str, roster: Sequence[str]) -> list[str]:
    """Roster names `typed` can mean: the full name, else those ending with it (“Hoa”, “Thị Hoa”)."""
    wanted = fold(typed).strip(" .,;:")
    if not wanted:
        return []
    exact = [n for n in roster if fold(n) == wanted]
    if exact:
        return exact[:1] if len(set(exact)) == 1 else exact
    return [n for n in roster if fold(n).endswith(" " + wanted)]


def capitalised_name(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in text.split())


def _name_words(words: list[str]) -> int:
    """How many of the words after “đồng chí” (no roster match) look like a name: 0 when none do."""
    if not words or fold(words[0]) in NOT_NAMES:
        return 0
    if fold(words[0]) in SURNAMES and len(words) >= 2:
        return 3 if len(words) >= 3 and fold(words[1]) in MIDDLES else 2
    return 1


def whole_name(text: str, roster: Sequence[str], resolved: Mapping[str, str] = {}) -> Named:
    """An answer that is one person's name: the roster's full name, else the name with capitals."""
    bare = _PREFIX.sub("", text).strip(" .,;:")
    if fold(bare) in resolved:
        return Named(resolved[fold(bare)])
    found = candidates(bare, roster)
    if len(found) == 1:
        return Named(found[0])
    if len(found) > 1:
        return Named(bare, (Ambiguity(bare, tuple(found)),))
    words = bare.split()
    if re.fullmatch(r"[^\W\d_]+(?:\s+[^\W\d_]+){0,4}", bare) and bare == bare.lower() and (
            len(words) == 1 or fold(words[0]) in SURNAMES):
        return Named(capitalised_name(bare))
    return Named(bare[:1].upper() + bare[1:] if bare else bare)


def names_in_text(text: str, roster: Sequence[str], resolved: Mapping[str, str] = {}) -> Named:
    """Names inside free text: after “đ/c” / “đồng chí”, and the roster's full names anywhere."""
    ambiguous: list[Ambiguity] = []

    def comrade(m: re.Match[str]) -> str:
        words = m.group("name").split()
        word = "đồng chí" if m.group("c")[0] == "đ" else "Đồng chí"
        for n in range(len(words), 0, -1):
            typed = " ".join(words[:n])
            rest = m.group("name").split(None, n)[n] if len(words) > n else ""
            tail = (" " + rest) if rest else ""
            if fold(typed) in resolved:
                return f"{word} {resolved[fold(typed)]}{tail}"
            found = candidates(typed, roster)
            if len(found) == 1:
                return f"{word} {found[0]}{tail}"
            if len(found) > 1:
                ambiguous.append(Ambiguity(typed, tuple(found)))
                return m.group(0)
        count = 0 if fold(m.group("c")) == "dc" else _name_words(words)
        if count and all(w == w.lower() for w in words[:count]):
            rest = " ".join(words[count:])
            return f"{word} {capitalised_name(' '.join(words[:count]))}" + (" " + rest if rest else "")
        return m.group(0)

    def candidate(m: re.Match[str]) -> str:
        """“quần chúng trần thị mai”: a person not yet in the roster, capitalised when it starts with a surname."""
        words = m.group("name").split()
        count = _name_words(words) if fold(words[0]) in SURNAMES else 0
        if count < 2 or any(w != w.lower() for w in words[:count]):
            return m.group(0)
        rest = " ".join(words[count:])
        return f"{m.group('c')} {capitalised_name(' '.join(words[:count]))}" + (" " + rest if rest else "")

    text = _AFTER_COMRADE.sub(comrade, text)
    text = _AFTER_CANDIDATE.sub(candidate, text)
    for name in sorted({n for n in roster if len(n.split()) >= 2}, key=len, reverse=True):
        pattern = r"(?<![\w])" + r"\s+".join(_loose(w) for w in name.split()) + r"(?![\w])"
        text = re.sub(pattern, name, text, flags=re.IGNORECASE)
    return Named(text, tuple(ambiguous))


def _loose(word: str) -> str:
    """A regex for `word` typed in any case, with or without its marks."""
    out = []
    for ch in word:
        base = fold(ch)
        out.append(re.escape(ch) if base == ch.casefold() or not base else f"(?:{re.escape(ch)}|{re.escape(base)})")
    return "".join(out)
