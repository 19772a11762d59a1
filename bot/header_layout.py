"""Where the header's lines break, and how wide its two columns are.

A person setting a header breaks a long body name after the words that say what kind of body it is
("ĐẢNG BỘ THÀNH PHỐ / HỒ CHÍ MINH", "ĐẢNG ỦY SỞ / GIÁO DỤC VÀ ĐÀO TẠO"), into lines of about equal length,
never inside a proper name or a kind ("CAO / ĐẲNG") when another break fits, never leaving one short word
alone on a line, never ending a line on "VÀ" or "CÁC". The place-and-date line stays whole when the
right column can hold it, else it breaks after its comma. Text is measured with bot/text_width.py
(Times New Roman metrics), so the document carries the breaks itself and Word and LibreOffice agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

from bot.text_width import width_mm

TEXT_WIDTH = 165.0  # mm: A4 less 30 mm left and 15 mm right margins
LEFT_SHARE = 0.45  # the left column's share in real documents, when nothing forces another
LEFT_MIN = 55.0  # mm, a third of the text width: never a narrower left column
SAFETY = 1.5  # mm a line keeps free in its column: rounding in Word, a visible gap between the columns
PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
PARTY_FONT = (15.0, True, False)  # size, bold, italic
DATE_FONT = (14.0, False, True)

# Words that say what kind of body or place follows; several words that belong together are one kind.
_KINDS = """
ĐẢNG BỘ|ĐẢNG ỦY|ĐẢNG UỶ|CHI BỘ|BAN THƯỜNG VỤ|BAN CHẤP HÀNH|ỦY BAN KIỂM TRA|UỶ BAN KIỂM TRA|BAN CÁN SỰ ĐẢNG|ĐẢNG ĐOÀN
THÀNH PHỐ|THỊ XÃ|THỊ TRẤN|TỈNH|HUYỆN|QUẬN|XÃ|PHƯỜNG|ĐẶC KHU|XÓM|THÔN|ẤP|BẢN|BUÔN|LÀNG|TỔ DÂN PHỐ|KHU PHỐ
KHU DÂN CƯ|TỔ|KHU|KHỐI|SỞ|BỘ|BAN|PHÒNG|VIỆN|HỌC VIỆN|CỤC|TỔNG CỤC|CHI CỤC|VĂN PHÒNG|CƠ QUAN|TRƯỜNG
ĐẠI HỌC|CAO ĐẲNG|TRUNG CẤP|TRUNG HỌC CƠ SỞ|TRUNG HỌC PHỔ THÔNG|TIỂU HỌC|MẦM NON|BỆNH VIỆN|TRUNG TÂM
CÔNG TY|TỔNG CÔNG TY|TẬP ĐOÀN|CỔ PHẦN|TRÁCH NHIỆM HỮU HẠN|MỘT THÀNH VIÊN|DOANH NGHIỆP|NGÂN HÀNG|KHO BẠC
NHÀ MÁY|XÍ NGHIỆP|HỢP TÁC XÃ|BAN QUẢN LÝ|ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN|HỘI ĐỒNG NHÂN DÂN|NHÂN DÂN
TÒA ÁN|TOÀ ÁN|VIỆN KIỂM SÁT|THANH TRA|CÔNG AN|QUÂN SỰ|BỘ CHỈ HUY|ĐỒN|HỘI|ĐOÀN|LIÊN ĐOÀN|MẶT TRẬN
"""
# Kinds of places: "TỈNH BÌNH DƯƠNG" at the end of a name stays together.
LOCALITIES = frozenset("THÀNH PHỐ|THỊ XÃ|THỊ TRẤN|TỈNH|HUYỆN|QUẬN|XÃ|PHƯỜNG|ĐẶC KHU|XÓM|THÔN|ẤP|BẢN|BUÔN|LÀNG".split("|"))
_LINKS = "VÀ|CÁC|CỦA|VỀ|VỚI|TẠI|Ở|CHO|THUỘC|TRỰC THUỘC|-|–"  # a line never ends on one of these
KINDS = frozenset(k for k in re.split(r"[|\n]", _KINDS) if k)
LINKS = frozenset(_LINKS.split("|"))
_LONGEST = max(len(k.split()) for k in KINDS | LINKS)

# Costs of a break after a word, by what the words on either side are (see _boundaries).
INSIDE_PHRASE = 1000.0  # "ĐẢNG / ỦY", "THÀNH / PHỐ", "CAO / ĐẲNG"
AFTER_LINK = 50.0  # a line ending on "VÀ", "CÁC"
INSIDE_NAME = 20.0  # "HỒ CHÍ / MINH"
BEFORE_LINK = 4.0  # "GIÁO DỤC / VÀ ĐÀO TẠO"
KIND_KIND = 2.0  # "ĐẢNG BỘ / THÀNH PHỐ …"
NAME_KIND = 1.0
AFTER_COMMA = 0.5
KIND_NAME = 0.0  # "ĐẢNG BỘ THÀNH PHỐ / HỒ CHÍ MINH": the best place, where the body's type words end
LATER_KIND_NAME = 0.5  # "… CỔ PHẦN / XI MĂNG …" after a first name
PLACE = 8.0  # "… DOANH NGHIỆP TỈNH / BÌNH DƯƠNG": a place after a first name or a link, split
LONE_SHORT_WORD = 200.0  # a line holding one short word
LONE_WORD = 30.0  # a line holding one long word
SHORT_WORD = 6  # letters
BALANCE = 10.0  # times the sum of squared differences from the mean line width, in column widths
EXTRA_LINE = 3.0  # a second line
MORE_LINES = 12.0  # each line beyond the second: the star and the number move down
OVERFLOW = 10000.0  # a line wider than its column: worse than any break (only when a word is wider than the column)
DATE_BROKEN = 30.0  # the place-and-date line on two lines
OFF_SHARE = 0.05  # per mm the left column strays from LEFT_SHARE
EPSILON = 1e-6  # mm: a line exactly as wide as its column fits


@dataclass(frozen=True)
class Lines:
    lines: tuple[str, ...]
    cost: float


@dataclass(frozen=True)
class HeaderLayout:
    left: float  # mm
    right: float  # mm
    superior: tuple[str, ...]  # lines (empty when there is no superior)
    issuer: tuple[str, ...]
    place_date: tuple[str, ...]


def _classes(words: list[str]) -> tuple[list[str], list[bool], list[str]]:
    """Each word's class ("kind", "link", "name"), whether a break after it would split a phrase, and the
    phrase it belongs to."""
    classes = ["name"] * len(words)
    phrases = [w.strip(",;.:()").upper() for w in words]
    joined = [False] * len(words)  # joined[i]: words[i] and words[i + 1] belong to one phrase
    bare = [w.strip(",;.:()").upper() for w in words]
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            phrase = " ".join(bare[i : i + size])
            cls = "kind" if phrase in KINDS else "link" if phrase in LINKS else None
            # a comma inside the phrase ends it: "ĐẠI HỌC, CAO ĐẲNG" is two kinds
            if cls and not any(w.endswith(",") for w in words[i : i + size - 1]):
                for j in range(i, i + size):
                    classes[j] = cls
                    phrases[j] = phrase
                    joined[j] = j < i + size - 1
                i += size
                break
        else:
            i += 1
    return classes, joined, phrases


def _boundaries(words: list[str]) -> list[float]:
    """The cost of breaking the line after each word but the last."""
    classes, joined, phrases = _classes(words)
    first_name = classes.index("name") if "name" in classes else len(words)
    type_words = "link" not in classes[:first_name]  # "ĐẢNG BỘ THÀNH PHỐ" before "HỒ CHÍ MINH"
    costs = []
    for i in range(len(words) - 1):
        left, right = classes[i], classes[i + 1]
        if joined[i]:
            cost = INSIDE_PHRASE
        elif left == "link":
            cost = AFTER_LINK
        elif words[i].endswith((",", ";")):
            cost = AFTER_COMMA
        elif right == "link":
            cost = BEFORE_LINK
        elif left == "name" and right == "name":
            cost = INSIDE_NAME
        elif left == "kind" and right == "kind":
            cost = KIND_KIND
        elif left == "name":
            cost = NAME_KIND
        elif i + 1 == first_name and type_words:
            cost = KIND_NAME
        elif phrases[i] in LOCALITIES:
            cost = PLACE
        else:
            cost = LATER_KIND_NAME
        costs.append(cost)
    return costs


def _letters(word: str) -> int:
    return sum(c.isalnum() for c in word)


@dataclass(frozen=True)
class _Option:
    """One way to break a text: its widest line, the cost that does not depend on the column, the sum of
    squared differences of its line widths from their mean (mm²), and the lines."""

    widest: float
    fixed: float
    spread: float
    lines: tuple[str, ...]

    def cost(self, width: float) -> float:
        return self.fixed + BALANCE * self.spread / width**2 + (OVERFLOW if self.widest > width + EPSILON else 0.0)


MAX_LINES = 5
MAX_WORDS = 16  # longer texts (not a name) are filled greedily


@lru_cache(maxsize=256)
def _options(words: tuple[str, ...], boundaries: tuple[float, ...], size: float, bold: bool,
             italic: bool) -> tuple[_Option, ...]:
    """Every breaking of `words` into at most MAX_LINES lines, less those another beats at every column
    width (no wider, no dearer, no less balanced); the narrowest first."""
    n = len(words)
    width = {(i, j): width_mm(" ".join(words[i:j]), size, bold=bold, italic=italic)
             for i in range(n) for j in range(i + 1, n + 1)}
    lone = [LONE_SHORT_WORD if _letters(w) <= SHORT_WORD else LONE_WORD for w in words] if n > 1 else [0.0]
    options: list[_Option] = []
    for k in range(1, min(n, MAX_LINES) + 1):
        for breaks in combinations(range(1, n), k - 1):
            edges = (0, *breaks, n)
            spans = list(zip(edges, edges[1:], strict=False))
            widths = [width[span] for span in spans]
            mean = sum(widths) / k
            fixed = (EXTRA_LINE * min(k - 1, 1) + MORE_LINES * max(k - 2, 0)
                     + sum(boundaries[b - 1] for b in breaks) + sum(lone[a] for a, b in spans if b - a == 1))
            lines = tuple(" ".join(words[a:b]) for a, b in spans)
            options.append(_Option(max(widths), fixed, sum((w - mean) ** 2 for w in widths), lines))
    options.sort(key=lambda o: (o.widest, o.fixed, o.spread))
    kept: list[_Option] = []
    for option in options:
        if not any(k.fixed <= option.fixed and k.spread <= option.spread for k in kept):
            kept.append(option)
    return tuple(kept)


def _best(words: tuple[str, ...], boundaries: tuple[float, ...], width: float, size: float, bold: bool,
          italic: bool) -> Lines:
    """The cheapest breaking of `words` into lines no wider than `width` mm; each line beyond the first costs,
    so a name takes another line only when that is clearly better."""
    best = min(_options(words, boundaries, size, bold, italic), key=lambda o: o.cost(width))
    return Lines(best.lines, best.cost(width))


def break_lines(text: str, width: float, size: float = 14, *, bold: bool = False, italic: bool = False,
                boundaries: list[float] | None = None) -> Lines:
    """`text` broken into balanced lines that fit `width` mm. A "\\n" in the text is a break kept as is."""
    result: list[str] = []
    cost = 0.0
    parts = [part.split() for part in text.split("\n") if part.split()]
    for words in parts:
        if len(words) > MAX_WORDS:  # not a name: plain greedy filling (fast on any input)
            result += _greedy(words, width, size, bold, italic)
            continue
        costs = boundaries if boundaries is not None and len(parts) == 1 else _boundaries(words)
        lines = _best(tuple(words), tuple(costs), width, size, bold, italic)
        result += lines.lines
        cost += lines.cost
    return Lines(tuple(result), cost)


def _greedy(words: list[str], width: float, size: float, bold: bool, italic: bool) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and width_mm(f"{lines[-1]} {word}", size, bold=bold, italic=italic) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def break_name(name: str, width: float, *, bold: bool = False, size: float = 14) -> Lines:
    """A body's name (caps) in balanced lines that fit `width` mm, broken where a person would."""
    return break_lines(name, width, size, bold=bold)


def break_place_date(text: str, width: float) -> Lines:
    """The place-and-date line: whole if it fits `width` mm, else broken after its comma (or balanced)."""
    size, bold, italic = DATE_FONT
    if width_mm(text, size, bold=bold, italic=italic) <= width + EPSILON or "\n" in text:
        return Lines(tuple(line.strip() for line in text.split("\n") if line.strip()), 0.0)
    words = text.split()
    costs = [0.0 if w.endswith(",") else 5.0 for w in words[:-1]]
    lines = break_lines(text, width, size, bold=bold, italic=italic, boundaries=costs)
    return Lines(lines.lines, lines.cost + DATE_BROKEN)


@lru_cache(maxsize=256)
def header_layout(superior: str, issuer: str, place_date: str, text_width: float = TEXT_WIDTH) -> HeaderLayout:
    """Column widths (mm) and line breaks for the header: the cheapest over left widths from LEFT_MIN up to
    what leaves the right column room for "ĐẢNG CỘNG SẢN VIỆT NAM". The cost adds the names' breaks, the date
    broken (DATE_BROKEN) and the left column straying from LEFT_SHARE."""
    size, bold, italic = PARTY_FONT
    widest_left = text_width - width_mm(PARTY, size, bold=bold, italic=italic) - SAFETY
    # The cost changes in steps where a run of words starts to fit a column; between steps it only leans
    # toward LEFT_SHARE and wider lines: so the candidates are the steps, LEFT_SHARE and the two ends.
    steps = {LEFT_MIN, widest_left, LEFT_SHARE * text_width}
    for name, heavy in ((superior, False), (issuer, True)):
        words = name.split()
        if len(words) <= MAX_WORDS and "\n" not in name:
            options = _options(tuple(words), tuple(_boundaries(words)), 14, heavy, False)
            steps |= {option.widest + SAFETY for option in options}
    size, bold, italic = DATE_FONT
    date_words = place_date.split()
    for i in range(len(date_words) + 1):
        for part in (" ".join(date_words[:i]), " ".join(date_words[i:])):
            steps.add(text_width - width_mm(part, size, bold=bold, italic=italic) - SAFETY)
    lefts = sorted({x for x in steps if LEFT_MIN <= x <= widest_left}) or [LEFT_MIN]
    best: tuple[float, HeaderLayout] | None = None
    for left in lefts:
        right = text_width - left
        sup = break_name(superior, left - SAFETY) if superior.strip() else Lines((), 0.0)
        iss = break_name(issuer, left - SAFETY, bold=True)
        date = break_place_date(place_date, right - SAFETY)
        cost = sup.cost + iss.cost + date.cost + OFF_SHARE * abs(left - LEFT_SHARE * text_width)
        if best is None or cost < best[0]:
            best = (cost, HeaderLayout(left, right, sup.lines, iss.lines, date.lines))
    assert best is not None
    return best[1]
