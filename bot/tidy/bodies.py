"""Party, state and mass-organisation bodies and Vietnamese place names, capitalised as official documents write them.

"đảng ủy phường tân mai" → "Đảng ủy phường Tân Mai"; "ban thường vụ quận ủy hoàng mai" → "Ban Thường vụ Quận
ủy Hoàng Mai"; "ủy ban nhân dân xã kim phú" → "Ủy ban nhân dân xã Kim Phú"; "chi bộ xóm định thành" → "Chi bộ
xóm Định Thành". The rules (the seeds and Quy định on Party document spelling):

* Only first letters are raised; nothing she typed in capitals is lowered, document codes (125-QĐ/ĐU) and
  numbers are never touched, and both "ủy" and "uỷ" stay as typed.
* A body that is always one named body (Ban Thường vụ, Ban Chấp hành, Ủy ban Kiểm tra, Văn phòng Đảng ủy,
  Ủy ban nhân dân, Mặt trận Tổ quốc, Thành ủy, Quận ủy, Đảng ủy …) is capitalised wherever it stands, except
  after "các", "những", "mỗi", "từng" (then it is a common noun: "các đảng ủy"). A body that is also a common
  noun (đảng bộ, chi bộ, chi ủy, công đoàn, ban tổ chức) only when it names one: followed by a level word and
  a place ("chi bộ xóm Định Thành"), by "Khối", "Sở …", a number ("Chi bộ 4"), a capitalised name, or inside
  a named body ("Ban Chấp hành Đảng bộ …").
* Level words (tỉnh, thành phố, quận, huyện, thị xã, phường, xã, thị trấn, xóm, thôn, ấp, bản, tổ dân phố,
  khu phố) stay lower case; the place name after them is capitalised when it is a name of the GSO list of
  administrative units (the `vietnamadminunits` package: provinces, districts, wards and communes before the
  2025 merger, and the 34 provinces and 3,321 wards and communes since 1 July 2025). A name not on the list (a xóm, a thôn, an old district) is capitalised only right
  after a body ("chi bộ xóm định thành") or after "tại / ở / thuộc / của" + a village-level word ("ở xóm định
  thành"), up to three words and never past a stop word ("về", "của", "tổ chức", "chưa" …), punctuation or
  a number: "ngõ xóm chưa tốt" stays as typed.
* `known` names (the unit's own name, its superior, its place) win: any occurrence equal to one of them
  ignoring case and tone marks is printed exactly as the profile writes it — unless she typed a capital
  where the profile has a small letter (then her text is kept).
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.text import apply_spelling

# -- vocabulary -----------------------------------------------------------------------------------

# Bodies that always name one body (capitalised wherever they stand, except after a plural word).
ALWAYS = (
    "Ban Chấp hành Trung ương", "Ban Tổ chức Trung ương", "Ban Tuyên giáo Trung ương", "Ban Dân vận Trung ương",
    "Ban Nội chính Trung ương", "Ủy ban Kiểm tra Trung ương", "Văn phòng Trung ương Đảng", "Ban Chấp hành", "Ban Thường vụ", "Ban Bí thư", "Bộ Chính trị",
    "Ban Tuyên giáo và Dân vận", "Ban Tuyên giáo", "Ban Dân vận", "Ban Nội chính", "Ủy ban Kiểm tra",
    "Văn phòng Đảng ủy", "Thường trực Đảng ủy", "Ủy ban nhân dân", "Hội đồng nhân dân",
    "Mặt trận Tổ quốc Việt Nam", "Mặt trận Tổ quốc", "Đoàn Thanh niên Cộng sản Hồ Chí Minh", "Đoàn Thanh niên",
    "Hội Liên hiệp Phụ nữ Việt Nam", "Hội Liên hiệp Phụ nữ", "Hội Cựu chiến binh Việt Nam", "Hội Cựu chiến binh",
    "Hội Nông dân Việt Nam", "Hội Nông dân", "Tỉnh ủy", "Thành ủy", "Quận ủy", "Huyện ủy", "Thị ủy",
    "Đảng ủy Khối", "Đảng bộ Khối", "Đảng ủy",
)
# Common nouns that are capitalised only when they name one body.
NAMED = ("Đảng bộ", "Chi bộ", "Chi ủy", "Công đoàn", "Ban Tổ chức")
# Bodies after which a place name follows without a level word ("Quận ủy Hoàng Mai").
TAKES_PLACE = {"Tỉnh ủy", "Thành ủy", "Quận ủy", "Huyện ủy", "Thị ủy", "Ủy ban nhân dân", "Hội đồng nhân dân"}
PLURAL = {"các", "những", "mỗi", "từng", "cac", "nhung"}
LEVELS = ("tổ dân phố", "khu phố", "thị trấn", "thị xã", "thành phố", "tỉnh", "quận", "huyện", "phường", "xã",
          "xóm", "thôn", "ấp", "bản", "làng")
VILLAGE = {"tổ dân phố", "khu phố", "xóm", "thôn", "ấp", "bản", "làng"}
# A level word followed by one of these is not a level word ("xã hội", "tỉnh ủy", "quận đoàn", "ấp ủ").
NOT_A_PLACE = {"hội", "ủy", "uỷ", "đoàn", "ủ", "đội", "viên", "lộ", "nhà", "thân", "sao", "chất", "lĩnh", "này", "đó"}
STOP = {
    "về", "của", "và", "với", "trong", "tại", "ở", "theo", "đã", "đang", "sẽ", "có", "là", "được", "thuộc", "để",
    "cho", "năm", "tháng", "ngày", "lần", "khóa", "khoá", "nhiệm", "các", "những", "một", "này", "đó", "nay", "từ",
    "đến", "trước", "sau", "gửi", "nộp", "họp", "tổ", "chức", "xây", "ban", "thực", "triển", "báo", "sinh", "tổng",
    "sơ", "kết", "đồng", "bí", "dự", "như", "nhằm", "phải", "cần", "đề", "nghị", "hướng", "kế", "hoạch", "quyết",
    "chi", "đảng", "ủy", "uỷ", "hội", "lãnh", "đạo", "chỉ", "thông", "vào", "lúc", "giờ", "thứ", "hoặc",
    "hay", "nhưng", "mà", "thì", "khi", "đi", "làm", "ca", "chưa", "không", "rất", "còn", "đều", "cũng", "vẫn",
    "nên", "tốt",
}
PLACE_CUES = {"tại", "ở", "thuộc", "của"}  # "ở xóm Định Thành": a village named after these
MAX_UNKNOWN_WORDS = 3

_WORD = re.compile(r"[^\W\d_]+|\d+")


def _key(word: str) -> str:
    """Lower case with the tone placement of "ủy/hòa", so "uỷ" and "ủy" compare equal."""
    return apply_spelling(word.casefold(), "ủy")


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn").casefold()
    return base if len(base) == 1 else ch.casefold()[:1] or ch


def _fold_keep_length(text: str) -> str:
    """Case- and accent-free text, one character per character of `text` (positions stay valid)."""
    return "".join(_fold_char(ch) for ch in text)


def _phrases(names: Iterable[str]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(keys of the words, official form of the words), longest first."""
    out = [(tuple(_key(w) for w in n.split()), tuple(n.split())) for n in names]
    return sorted(out, key=lambda p: -len(p[0]))


_ALWAYS = _phrases(ALWAYS)
_NAMED = _phrases(NAMED)
_LEVELS = sorted((tuple(_key(w) for w in lv.split()) for lv in LEVELS), key=lambda p: -len(p))
_VILLAGE = {tuple(_key(w) for w in lv.split()) for lv in VILLAGE}
_NOT_A_PLACE = {_key(w) for w in NOT_A_PLACE}
_STOP = {_key(w) for w in STOP}
_PLURAL = {_key(w) for w in PLURAL}
_PLACE_CUES = {_key(w) for w in PLACE_CUES}


@cache
def place_names(wards: bool = True) -> frozenset[tuple[str, ...]]:
    """The names (keys of their words) of Vietnam's provinces and districts, and with `wards` its wards and
    communes, before and after the 2025 merger (documents cite both), from the data files of `vietnamadminunits`
    (its code is not imported). Without a level word before it ("Tỉnh ủy chỉ đạo"), only a province or a
    district is taken for a name: many communes are named with common words (Chỉ Đạo, Đoàn Kết, Tiến Bộ)."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - a dependency; else the rule only
        return frozenset()
    data = Path(list(spec.submodule_search_locations)[0]) / "data"
    legacy = json.loads((data / "parser_legacy.json").read_text(encoding="utf-8"))
    current = json.loads((data / "parser_from_2025.json").read_text(encoding="utf-8"))
    names = {p["provinceShort"] for d in (legacy, current) for p in d["DICT_PROVINCE"].values()}
    names |= {d["districtShort"] for districts in legacy["DICT_PROVINCE_DISTRICT"].values() for d in districts.values()}
    if wards:
        names |= {w["wardShort"] for districts in legacy["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"].values()
                  for ws in districts.values() for w in ws.values()}
        names |= {w["wardShort"] for ws in current["DICT_PROVINCE_WARD_NO_ACCENTED"].values() for w in ws.values()}
    return frozenset(tuple(_key(w) for w in n.split()) for n in names
                     if isinstance(n, str) and n and not re.search(r"\d", n))


LONGEST_PLACE = 6  # words in the longest name of the lists


# -- tokens ---------------------------------------------------------------------------------------

@dataclass
class _Token:
    start: int
    end: int
    text: str
    key: str
    locked: bool = False  # inside a known name: printed as the profile writes it

    @property
    def lower(self) -> bool:
        return self.text.islower()


class _Text:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [_Token(m.start(), m.end(), m.group(), _key(m.group())) for m in _WORD.finditer(text)]
        self.raise_at: set[int] = set()  # token indexes whose first letter is raised
        self.spans: list[tuple[int, int, str]] = []  # known names: (start, end, replacement)

    def joined(self, i: int) -> bool:
        """Whether token i follows token i-1 with only spaces between (same phrase)."""
        if i <= 0 or i >= len(self.tokens):
            return False
        gap = self.text[self.tokens[i - 1].end:self.tokens[i].start]
        return gap != "" and gap.strip(" \t") == ""

    def match(self, i: int, phrases: Sequence[tuple[tuple[str, ...], tuple[str, ...]]]
              ) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        for keys, words in phrases:
            n = len(keys)
            if i + n > len(self.tokens):
                continue
            if all(self.tokens[i + k].key == keys[k] for k in range(n)) and all(self.joined(i + k) for k in range(1, n)):
                return keys, words
        return None

    def level_at(self, i: int) -> int:
        """Length in words of the level word starting at token i (0: none)."""
        for keys in _LEVELS:
            n = len(keys)
            if i + n <= len(self.tokens) and all(self.tokens[i + k].key == keys[k] for k in range(n)) \
                    and all(self.joined(i + k) for k in range(1, n)):
                return n
        return 0

    def capitalise(self, i: int, official: str | None = None) -> None:
        """Raise the first letter of token i (when the official form of the word has it raised)."""
        tok = self.tokens[i]
        if tok.locked or not tok.text[:1].isalpha():
            return
        if official is not None and not official[:1].isupper():
            return
        if tok.text[:1].islower():
            self.raise_at.add(i)

    def render(self) -> str:
        out: list[str] = []
        pos = 0
        spans = sorted(self.spans)
        edits: list[tuple[int, int, str]] = list(spans)
        for i in self.raise_at:
            tok = self.tokens[i]
            edits.append((tok.start, tok.start + 1, tok.text[0].upper()))
        for start, end, new in sorted(edits):
            if start < pos:
                continue
            out.append(self.text[pos:start])
            out.append(new)
            pos = end
        out.append(self.text[pos:])
        return "".join(out)


# -- the rules ------------------------------------------------------------------------------------

def _apply_known(t: _Text, known: Sequence[str]) -> None:
    folded = _fold_keep_length(t.text)
    for name in sorted({k.strip() for k in known if k and k.strip()}, key=len, reverse=True):
        name = unicodedata.normalize("NFC", re.sub(r"\s+", " ", name))
        target = _fold_keep_length(name)
        for m in re.finditer(r"(?<!\w)" + re.escape(target).replace(r"\ ", r"[ \t]+") + r"(?!\w)", folded):
            typed = t.text[m.start():m.end()]
            if len(typed) != len(name):
                continue
            if any(a.isupper() and not b.isupper() for a, b in zip(typed, name, strict=True)):
                continue  # she typed a capital the profile does not have: keep her text
            inside = [tok for tok in t.tokens if tok.start >= m.start() and tok.end <= m.end()]
            if any(tok.locked for tok in inside):
                continue
            for tok in inside:
                tok.locked = True
            if typed != name:
                t.spans.append((m.start(), m.end(), name))


def _place_after(t: _Text, i: int, *, unknown_ok: bool | None) -> int:
    """Capitalise the place name starting at token i; returns the number of words taken. `unknown_ok` None: no
    level word before it, so only a province or district name is taken."""
    toks = t.tokens
    if i >= len(toks) or not t.joined(i) or toks[i].locked or not toks[i].text[:1].isalpha():
        return 0
    if toks[i].key in _NOT_A_PLACE:
        return 0
    names = place_names(wards=unknown_ok is not None)
    for n in range(min(LONGEST_PLACE, len(toks) - i), 0, -1):
        if all(t.joined(i + k) for k in range(1, n)) and tuple(toks[i + k].key for k in range(n)) in names:
            for k in range(n):
                t.capitalise(i + k)
            return n
    if not unknown_ok:
        return 0
    taken = 0
    while i + taken < len(toks) and taken < MAX_UNKNOWN_WORDS:
        tok = toks[i + taken]
        if (taken and not t.joined(i + taken)) or tok.locked or not tok.text.isalpha() or tok.key in _STOP:
            break
        if t.level_at(i + taken) or t.match(i + taken, _ALWAYS) or t.match(i + taken, _NAMED):
            break
        taken += 1
    for k in range(taken):
        t.capitalise(i + k)
    return taken


def _names_one(t: _Text, j: int) -> bool:
    """Whether the words from token j make a common-noun body a named one ("chi bộ xóm …", "chi bộ 4")."""
    if j >= len(t.tokens) or not t.joined(j):
        return False
    tok = t.tokens[j]
    if tok.locked or tok.text.isdigit() or tok.text[:1].isupper():
        return True
    if tok.key in ("khối", "sở"):
        return True
    level = t.level_at(j)
    if level and j + level < len(t.tokens) and t.joined(j + level) \
            and t.tokens[j + level].key not in _NOT_A_PLACE and t.tokens[j + level].key not in _STOP:
        return True
    return bool(t.match(j, _ALWAYS))


def capitalise_bodies(text: str, *, known: Sequence[str] = ()) -> str:
    """`text` with Party, state and mass-organisation bodies and place names capitalised (module docstring)."""
    if not text:
        return text
    nfc = unicodedata.normalize("NFC", text)
    t = _Text(nfc)
    _apply_known(t, known)
    toks = t.tokens
    i = 0
    after_body = -1  # index of the token just after the last body phrase
    while i < len(toks):
        tok = toks[i]
        if tok.locked:
            i += 1
            continue
        plural = i > 0 and toks[i - 1].key in _PLURAL and t.joined(i)
        hit = t.match(i, _ALWAYS)
        is_named = False
        if not hit:
            hit = t.match(i, _NAMED)
            is_named = hit is not None
        if hit and not plural:
            keys, words = hit
            n = len(keys)
            if i + n < len(toks) and toks[i + n].key == "cấp" and t.joined(i + n):
                i += n  # "ban thường vụ cấp ủy": any committee's, a common noun
                continue
            named_ok = not is_named or _names_one(t, i + n) or (after_body == i and i > 0)
            if named_ok:
                for k, word in enumerate(words):
                    t.capitalise(i + k, word)
                j = i + n
                if j < len(toks) and toks[j].key == "sở" and t.joined(j) and toks[j].lower:
                    t.capitalise(j)  # "đảng ủy sở tư pháp" → "Đảng ủy Sở Tư pháp"
                    if j + 1 < len(toks) and t.joined(j + 1) and toks[j + 1].key not in _STOP:
                        t.capitalise(j + 1)
                    j += 2
                elif " ".join(words) in TAKES_PLACE:
                    j += _place_after(t, j, unknown_ok=None)
                i = j
                after_body = j
                continue
        level = t.level_at(i)
        if level and not (i + level < len(toks) and toks[i + level].key in _NOT_A_PLACE):
            keys = tuple(toks[i + k].key for k in range(level))
            if keys == (_key("bản"),) and after_body != i:
                i += 1  # "văn bản", "bản thân": a bản (hamlet) only right after a body
                continue
            unknown_ok = after_body == i or (keys in _VILLAGE and i > 0 and t.joined(i)
                                             and toks[i - 1].key in _PLACE_CUES)
            taken = _place_after(t, i + level, unknown_ok=unknown_ok)
            i += level + taken
            continue
        i += 1
    result = _THE_PARTY.sub(lambda m: m.group(1) + "Đảng", t.render())
    return result if result != nfc else text


# “đảng” meaning the Party itself (“kết nạp vào đảng”, “nghị quyết của đảng”) is “Đảng”; “đảng viên”,
# “đảng ủy”, “đảng bộ”, “đảng phí”, “tổ đảng” … are other words.
_THE_PARTY = re.compile(r"(?<![\w/])((?:của|vào|điều lệ|cương lĩnh)\s+)đảng"
                        r"(?![\w/])(?!\s+(?:viên|ủy|uỷ|bộ|phí|tịch|vụ|đoàn|kỳ|cơ sở|trực thuộc))")


def known_names(*names: str) -> list[str]:
    """The names of a unit's profile (its name, superior, place) as `known` for capitalise_bodies.

    Each is capitalised first (a profile typed in lower case does not impose lower case), and a body named
    "Đảng bộ X" also gives "Đảng ủy X" (and the reverse): the committee of a đảng bộ is its đảng ủy.
    """
    out: list[str] = []
    for name in names:
        name = re.sub(r"\s+", " ", name or "").strip()
        if not name:
            continue
        name = capitalise_bodies(name)
        out.append(name)
        for a, b in (("Đảng bộ ", "Đảng ủy "), ("Đảng ủy ", "Đảng bộ "), ("Đảng uỷ ", "Đảng bộ ")):
            if name.startswith(a):
                out.append(b + name[len(a):])
    return list(dict.fromkeys(out))
