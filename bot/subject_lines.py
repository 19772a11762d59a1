"""Where the subject (trích yếu) under the document type breaks.

The subject is centred and bold; a person sets a long one in as few lines as it needs, of about equal
length, breaking after a comma where one is near, and never between a number and its word ("9 / tháng",
"năm / 2023") nor after a small linking word ("của", "và"), nor leaving one word alone on the last line.
Lines she typed herself are kept; only a line too long for the page is broken.
"""

from __future__ import annotations

from functools import lru_cache

from bot.text_width import width_mm

TEXT_WIDTH = 165.0  # mm: A4 less 30 mm left and 15 mm right margins
SAFETY = 2.0  # mm each line keeps free: rounding in Word
# Costs in mm²: BALANCE times each line's squared slack, plus the cost of each break.
BALANCE = 0.3
AFTER_COMMA = 0.0
BEFORE_LINK = 200.0  # "… chi bộ / theo Chuyên đề …": a new phrase starts
AFTER_NUMBER = 300.0  # "… lần thứ 14 / sơ kết …"
PLAIN = 1500.0  # between two syllables, maybe of one word ("triển / khai")
AFTER_LINK = 3000.0  # "… của / Đảng ủy …"
NUMBER = 5000.0  # "năm / 2023", "9 / tháng"
LONE_WORD = 5000.0  # a line of one word
MAX_LINE_WORDS = 40  # no line of the page holds more words: bounds the work on any input
LINKS = frozenset("và của về với cho các những tại theo trong trên dưới đến từ lần thứ năm tháng ngày quý "
                  "đợt khóa khoá kỳ số".split())
UNITS = frozenset("năm tháng ngày quý tuần giờ người lượt đồng đảng chi tổ buổi lần đợt".split())  # "9 tháng"


def _break_cost(left: str, right: str) -> float:
    if left.endswith((",", ";", ":")):
        return AFTER_COMMA
    if right[:1].isdigit() or (left[:1].isdigit() and right.lower() in UNITS):
        return NUMBER
    if left.lower() in LINKS:
        return AFTER_LINK
    if right.lower() in LINKS:
        return BEFORE_LINK
    if left[-1:].isdigit():
        return AFTER_NUMBER
    return PLAIN


@lru_cache(maxsize=256)
def _balanced(words: tuple[str, ...], width: float, size: float, bold: bool) -> tuple[str, ...]:
    """The fewest lines that fit `width` mm, then the cheapest breaks: squared slack plus break costs."""
    n = len(words)
    word = [width_mm(w, size, bold=bold) for w in words]
    space = width_mm(" ", size, bold=bold)
    span: dict[tuple[int, int], float] = {}  # widths add up: no kerning
    for i in range(n):
        total = -space
        for j in range(i + 1, min(n, i + MAX_LINE_WORDS) + 1):
            total += space + word[j - 1]
            span[i, j] = total
    fits = {key for key, w in span.items() if w <= width or key[1] - key[0] == 1}  # a too-long word alone
    # best[j]: (lines, cost) of setting words[:j]; fewer lines first, then the cheaper breaks.
    best: list[tuple[int, float]] = [(0, 0.0)] + [(n + 1, 0.0)] * n
    came = [0] * (n + 1)
    for j in range(1, n + 1):
        for i in range(max(0, j - MAX_LINE_WORDS), j):
            if (i, j) not in fits or best[i][0] > n:
                continue
            cost = best[i][1] + BALANCE * (width - span[i, j]) ** 2
            cost += _break_cost(words[i - 1], words[i]) if i else 0.0
            cost += LONE_WORD if j - i == 1 and n > 1 else 0.0
            if (best[i][0] + 1, cost) < best[j]:
                best[j], came[j] = (best[i][0] + 1, cost), i
    lines, j = [], n
    while j:
        lines.append(" ".join(words[came[j]:j]))
        j = came[j]
    return tuple(reversed(lines))


def subject_lines(subject: str, *, size: float = 14, bold: bool = True, width: float = TEXT_WIDTH) -> list[str]:
    """The subject's printed lines: each typed line kept whole when it fits, else broken in balance."""
    lines: list[str] = []
    for typed in subject.split("\n"):
        words = typed.split()
        if not words:
            continue
        if width_mm(" ".join(words), size, bold=bold) <= width - SAFETY:
            lines.append(" ".join(words))
        else:
            lines += _balanced(tuple(words), width - SAFETY, size, bold)
    return lines
