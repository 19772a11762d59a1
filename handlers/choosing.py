"""Reading a typed answer as one of the offered choices — one rule for every question of every flow.

A typed answer picks a choice by, in this order:

1. its number on screen (“2”, “chọn 2”, “số 2”), where a number cannot be the answer itself;
2. its label, in any case, with or without diacritics and punctuation (“dung tiep tuc” for “Đúng, tiếp tục”);
3. a known synonym of the choice (“ok”, “đồng ý” for a confirm or a “Có”; “ko” for “Không” or a skip;
   “đủ rồi” for “Xong”; “như cũ” for “Giữ nguyên” …, the tables below);
4. loosely (choice and person questions only): a unique start of a label (“thuong” for “Thường kỳ”), or
   typed words that are all words of exactly one label, in any order, a few filler words ignored
   (“co ly do” for “Vắng có lý do”, “chuyen de nam” for “Sinh hoạt chi bộ theo chuyên đề năm”, “an” for
   “Nguyễn Văn An”). Where the typed words fit several labels, the two likeliest are returned to ask.

Where a free answer is allowed too (a choice step with `other: true`), step 4 only takes the start of a
label made of whole words with at least four letters (“Trần Thị” for “Trần Thị Bình”): a name typed
shorter goes on as typed, to the step's own reading of names. At text steps (suggestions) only 1–3 apply.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.text import fold

Mode = Literal["strict", "other", "loose"]

# -- control words (folded, punctuation-free) ---------------------------------------------------------------

BACK = {"quay lai", "tro lai", "lui", "lui lai", "quay lai cau truoc", "ve cau truoc", "back"}
SKIP = {"bo qua", "khong co", "ko co", "k co", "bo", "skip", "khong", "ko", "k", "khong can", "ko can"}
SKIP_REQUIRED = {"bo qua", "khong co", "ko co", "bo", "skip"}  # refused at a required question; others are data
DONE = {"xong", "het", "da xong", "du roi", "du", "ket thuc", "xong roi", "het roi", "vay thoi", "the thoi",
        "hoan tat", "da du", "du nhe", "xong nhe", "the la du", "khong con", "het a", "xong a"}
CONFIRM = {"xac nhan", "dong y", "ok", "oke", "okay", "co", "dung", "duoc", "luu", "xac nhan va luu", "chot",
           "dong y luu", "ok luu", "luu lai", "tao", "dung roi", "chuan", "chinh xac"}
PREVIEW = {"xem truoc", "xem thu", "preview", "xem ban nhap", "xem"}
ADD = {"them", "them nua", "them muc", "co them", "them moi", "them mot muc"}
KEEP = {"giu nguyen", "giu", "nhu cu", "khong doi", "khong sua", "de nguyen", "van vay", "giu nhu cu"}
CLEAR = {"bo tat ca", "xoa het", "xoa tat ca", "bo het", "xoa toan bo", "bo toan bo", "xoa sach", "xoa het di",
         "bo het di", "khong giu", "khong giu gi"}
NEXT_PAGE_WORDS = {"trang sau", "tiep", "xem tiep", "trang tiep", "trang tiep theo"}
PREV_PAGE_WORDS = {"trang truoc", "trang truoc do"}
ALL = {"xem tat ca", "tat ca", "danh sach day du"}

YES = {"co", "dung", "ok", "oke", "okay", "dong y", "u", "uh", "um", "vang", "duoc", "chinh xac", "phai", "yes",
       "dung roi", "co a", "vang a", "da", "da co"}
NO = {"khong", "ko", "k", "kg", "khg", "hok", "hong", "no", "khong a", "chua", "sai"}

# The words of the special choices the engine offers, by their value.
SPECIAL: dict[str, set[str]] = {
    "__skip__": SKIP, "__done__": DONE, "__confirm__": CONFIRM, "__preview__": PREVIEW, "__add__": ADD,
    "__keep__": KEEP, "__clear__": CLEAR, "__next_page__": NEXT_PAGE_WORDS, "__prev_page__": PREV_PAGE_WORDS,
    "__all__": ALL,
}

# Typed shorthand read as the word it stands for, when words are compared (loose matching only).
WORDS = {"ko": "khong", "k": "khong", "kg": "khong", "khg": "khong", "hok": "khong", "hong": "khong",
         "dc": "duoc", "cd": "chuyen de", "tk": "thuong ky"}
# Words that say nothing about which choice is meant ("chọn", "là", "ạ", "đồng chí" …).
FILLERS = {"chon", "la", "a", "nhe", "nha", "thi", "cai", "dong", "chi", "d", "c", "loai", "cho", "voi", "vay"}
NUMBER = re.compile(r"(?:(?:chon|so|phuong an|lua chon|muc|cau)\s*)?([0-9]{1,4})")
BARE = re.compile(r"([0-9]{1,4})")


def norm(text: str) -> str:
    """Folded (lower case, no diacritics) with punctuation as spaces: the form typed answers are compared in."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]|_", " ", fold(text))).strip()


def is_word(text: str, words: set[str]) -> bool:
    """Whether a typed answer is one of `words` (a control word), ignoring case, diacritics and punctuation."""
    return norm(text) in words


@dataclass
class Pick:
    """What a typed answer picks: one value, or (ambiguous) the likeliest choices, or nothing."""

    value: str | None = None
    candidates: list[tuple[str, str]] = field(default_factory=list)  # (label, value), likeliest first

    @property
    def ambiguous(self) -> bool:
        return self.value is None and len(self.candidates) > 1


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    for word in norm(text).split():
        out += WORDS.get(word, word).split()
    return out


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def pick(text: str, offered: Sequence[tuple[str, str]], options: Sequence[tuple[str, str]] = (),
         mode: Mode = "strict", numbers: bool = True, worded: bool = True) -> Pick:
    """The choice a typed answer means.

    `offered`: the (label, value) pairs on screen, numbered from 1; `options`: further choices that may be
    typed by name (the other pages of a long list); `numbers`: whether a typed number picks from `offered`;
    `worded`: whether “chọn 2”, “số 2” do too (not where the text could be an answer, at a text question).
    """
    typed = norm(text)
    if not typed:
        return Pick()
    if numbers:
        match = (NUMBER if worded else BARE).fullmatch(typed)
        if match and 0 < int(match.group(1)) <= len(offered):
            return Pick(offered[int(match.group(1)) - 1][1])
    every = list(offered) + [o for o in options if o not in offered]
    for label, value in every:
        if norm(label) == typed:
            return Pick(value)
    synonym = _synonym(typed, every)
    if synonym is not None:
        return Pick(synonym)
    if mode == "strict":
        return Pick()
    plain = [(label, value) for label, value in every if not value.startswith("__")]
    if mode == "other":
        return _by_start(typed, plain)
    return _loosely(typed, plain)


def _synonym(typed: str, every: list[tuple[str, str]]) -> str | None:
    found = {value for label, value in every if typed in SPECIAL.get(value, ())}
    for words in (YES, NO):  # a choice labelled “Có”, “Không”, “Đúng, tiếp tục” …
        if typed in words:
            found |= {value for label, value in every if norm(label.split(",")[0]) in words}
    return found.pop() if len(found) == 1 else None


def _by_start(typed: str, plain: list[tuple[str, str]]) -> Pick:
    """Where a free answer is allowed: the one label that starts with the typed whole words (≥ 4 letters)."""
    if _letters(typed) < 4:
        return Pick()
    words = typed.split()
    found = [(label, value) for label, value in plain if norm(label).split()[:len(words)] == words]
    if len(found) == 1:
        return Pick(found[0][1])
    return Pick(candidates=found[:2])


def _loosely(typed: str, plain: list[tuple[str, str]]) -> Pick:
    words = _tokens(typed)
    scored: list[tuple[tuple[int, int, int], str, str]] = []
    for label, value in plain:
        folded = norm(label)
        have = _tokens(label)
        starts = folded.startswith(typed) and len(typed) >= 2
        contains = any(w in have for w in words) and all(w in have or w in FILLERS for w in words)
        if starts or contains:
            # likeliest first: a label starting with what was typed, then the typed words in a row, then shorter
            in_row = f" {' '.join(words)} " in f" {' '.join(have)} "
            scored.append(((0 if starts else 1, 0 if in_row else 1, len(have)), label, value))
    if len(scored) == 1:
        return Pick(scored[0][2])
    scored.sort(key=lambda s: s[0])
    return Pick(candidates=[(label, value) for _, label, value in scored[:2]])
