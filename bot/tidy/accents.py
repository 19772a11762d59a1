"""Whether a free-text answer reads as Vietnamese typed without tone marks (“to chuc le ket nap dang vien moi”).

The heuristic, on the words of the text (numbers, codes and acronyms left out):
- no letter of the text carries a mark (one accented word shows she types with marks);
- at least MIN_WORDS words, and nearly all of them (VALID_SHARE) can be Vietnamese syllables;
- at least MIN_MARKED of them are syllables Vietnamese almost always writes with marks (marked.txt,
  built by tools/marked_syllables.py), or one is and the text is a longer phrase.
English words, foreign names (“John”, “Smith”), codes (“KH/ĐU”, “125”) and short answers (“ok”) fail one of
these, so the check stays quiet on them.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from bot.tidy.phonotactics import is_syllable

MIN_WORDS = 2
MIN_MARKED = 2
VALID_SHARE = 0.8
LONG_PHRASE = 4  # words: from here one marked syllable is enough
ENGLISH = frozenset("""a an and are as at be but by do for from go he hi i if in is it me my no not of on or so the
to up us we yes you ok okay bye hello thanks sorry""".split())
ROMAN = re.compile(r"[ivx]+")
_WORD = re.compile(r"[^\W_]+(?:[/.\-][^\W_]+)*")


@cache
def marked_syllables() -> frozenset[str]:
    lines = (Path(__file__).with_name("marked.txt").read_text(encoding="utf-8")).splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _words(text: str) -> list[str]:
    """The plain words of `text`: no numbers, codes (with digits or / . -) or acronyms in capitals."""
    out = []
    for token in _WORD.findall(text):
        if not token.isalpha():
            continue
        if (token.isupper() and len(token) > 1) or ROMAN.fullmatch(token.lower()):
            continue
        out.append(token.lower())
    return out


def has_marks(text: str) -> bool:
    """Some letter of `text` is not plain ASCII (a tone mark, â ă ê ô ơ ư, đ)."""
    return any(ch.isalpha() and not ch.isascii() for ch in text)


def looks_unaccented(text: str) -> bool:
    """`text` reads as Vietnamese typed without tone marks."""
    if has_marks(text):
        return False
    words = _words(text)
    english = [w for w in words if w in ENGLISH]
    valid = [w for w in words if is_syllable(w) and w not in ENGLISH]
    if len(words) < MIN_WORDS or len(english) * 2 >= len(words):
        return False
    if len(valid) < VALID_SHARE * (len(words) - len(english)):
        return False
    marked = sum(1 for w in valid if w in marked_syllables())
    return marked >= MIN_MARKED or (marked >= 1 and len(valid) >= LONG_PHRASE)
