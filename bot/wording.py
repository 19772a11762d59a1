"""Her words, folded for matching: abbreviations written out, and tracker items found by the words of a question.

`words("Khi nào nộp bc kiểm điểm?")` is "khi nao nop bao cao kiem diem": lower case, no diacritics
(`bot.text.fold`), punctuation as spaces ("/" kept inside a word: 5/12, đ/c), the abbreviations secretaries
type written out (kh, bb, nq, kl, sh, cb, đp, đv, bc, đ/c…), "t11" as "thang 11".

Matching a question against the tracker (`find`): the question's content words are its words without the
question phrases (khi nào, bao giờ, hạn chót, là gì…) and the stop words (hạn, là, ngày, có, việc, của…);
the verbs almost every item starts with (nộp, gửi, tổ chức, thực hiện, hoàn thành…) are weak: they add
little to a score and a match does not need them. An item matches fully when its text (the tracker: its title and source)
holds every strong content word, in any order, with or without diacritics; otherwise the items that share
at least one strong word are the closest, best first (shared strong words, then weak ones and words in the
same order as typed).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.text import fold

ABBREVIATIONS = {
    "kh": "ke hoach", "bb": "bien ban", "nq": "nghi quyet", "kl": "ket luan", "sh": "sinh hoat", "cb": "chi bo",
    "dp": "dang phi", "dv": "dang vien", "bt": "bi thu", "pbt": "pho bi thu", "bc": "bao cao", "hn": "hoi nghi",
    "cd": "chuyen de", "nk": "nhiem ky", "gnk": "giua nhiem ky", "qd": "quyet dinh", "tk": "thuong ky",
    "kd": "kiem diem", "sk": "so ket", "dc": "dong chi", "d/c": "dong chi", "ko": "khong", "k": "khong",
    "kg": "khong", "hok": "khong", "j": "gi", "ntn": "nhu the nao", "hnay": "hom nay", "hqua": "hom qua",
    "bgio": "bao gio", "bh": "bao gio", "thg": "thang", "mng": "moi nguoi", "tg": "thoi gian", "cu": "chi uy",
}
_SPLIT = re.compile(r"[\s,;:!?()\[\]\"“”'‘’…]+|(?<!\w)[.\-–]+|[.\-–]+(?!\w)")


def words(text: str) -> str:
    """The folded form of a message (see the module's docstring)."""
    tokens = []
    for raw in _SPLIT.split(fold(text)):
        token = raw.strip("./-–")
        if not token:
            continue
        token = re.sub(r"^th?(\d{1,2})$", r"thang \1", token)
        tokens.append(ABBREVIATIONS.get(token, token))
    return " ".join(tokens)


QUESTION_PHRASES = re.compile(
    r"\b(?:khi nao|bao gio|luc nao|ngay nao|hom nao|may gio|thoi han|han chot|han cuoi|het han|la gi|co gi|"
    r"the nao|nhu the nao|bao nhieu ngay|con bao nhieu|bao lau|phai lam|can lam|viec gi|nhung gi|phai khong)\b")
STOP = frozenset(
    "han la ngay luc may gi co lam viec cua nhi a ah vay oi ve cho toi minh chung ta nhe da chua khong se can "
    "duoc nao dau hay voi nhung cac mot the vao truoc den nua con phai xong ha hoi biet xem tim o trong".split())
WEAK = frozenset("nop gui to chuc thuc hien hoan thanh tien hanh trien khai".split())


def content_words(text: str) -> list[str]:
    """The words of a question that say what it is about (in order, without repeats)."""
    said = QUESTION_PHRASES.sub(" ", words(text))
    out: list[str] = []
    for token in said.split():
        if token not in STOP and token not in out:
            out.append(token)
    return out


T = TypeVar("T")


@dataclass(frozen=True)
class Found(Generic[T]):
    full: list[T]  # the items holding every strong word of the question
    closest: list[T]  # else: the items sharing some of them, best first
    strong: list[str]  # the words that had to match


def _pairs(tokens: Sequence[str]) -> set[tuple[str, str]]:
    return set(zip(tokens, tokens[1:], strict=False))


def find(query: Sequence[str], items: Sequence[tuple[T, str]], limit: int = 5) -> Found[T]:
    """The items (each with the text it is matched by) that a question's content words name."""
    strong = [w for w in query if w not in WEAK] or list(query)
    weak = [w for w in query if w not in strong]
    full: list[T] = []
    scored: list[tuple[float, int, T]] = []
    for n, (item, text) in enumerate(items):
        tokens = words(text).split()
        have = set(tokens)
        shared = sum(1 for w in strong if w in have)
        if not shared:
            continue
        if shared == len(strong):
            full.append(item)
            continue
        score = shared + 0.25 * sum(1 for w in weak if w in have) + 0.5 * len(_pairs(query) & _pairs(tokens))
        scored.append((score, n, item))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return Found(full=full, closest=[item for _, _, item in scored[:limit]], strong=strong)


HONORIFICS = re.compile(r"^(?:(?:dong chi|anh|chi|co|chu|ong|ba|em|bac|thay)\s+)+")


def name_words(name: str) -> list[str]:
    """A person's name as typed, folded, without "đ/c", "anh", "chị"…"""
    return HONORIFICS.sub("", words(name)).split()


def names_person(typed: Sequence[str], full_name: str) -> bool:
    """Whether the folded words typed ("tuan", "minh tuan") end the full name ("Phạm Minh Tuấn"), or are it."""
    have = words(full_name).split()
    return bool(typed) and len(typed) <= len(have) and have[-len(typed):] == list(typed)


def mentions(typed: Sequence[str], text: str) -> bool:
    """Whether the folded words typed occur together in `text` (an item's assignee: "Đ/c Tuấn, Đ/c Lan")."""
    have = words(text).split()
    size = len(typed)
    return bool(typed) and any(have[i:i + size] == list(typed) for i in range(len(have) - size + 1))
