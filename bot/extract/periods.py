"""Whether a period written without a cue word dates an action (an item) or is what the plan is about
(not an item), and whether an item is tentative ("dự kiến"). Rules: bot/extract/__init__.py."""

from __future__ import annotations

import re

from bot.dates import DEADLINE, EVENT, PERIOD

# Verbs of doing and organising, and the events they name: a period near one dates an action.
_ACTION = (r"tổ\s+chức|hoàn\s+thành|triển\s+khai|báo\s+cáo|sơ\s+kết|tổng\s+kết|học\s+tập|quán\s+triệt|kiểm\s+tra"
           r"|giám\s+sát|thực\s+hiện|xây\s+dựng|gửi|nộp|họp|hội\s+nghị|đại\s+hội|sinh\s+hoạt|tiến\s+hành|ban\s+hành"
           r"|trình|chuẩn\s+bị|tuyên\s+truyền|phát\s+động|rà\s+soát|đánh\s+giá|kết\s+nạp|tập\s+huấn|bồi\s+dưỡng"
           r"|tổng\s+hợp|lấy\s+ý\s+kiến|góp\s+ý|kiện\s+toàn|khảo\s+sát|hội\s+thảo|hội\s+thi|cuộc\s+thi|lễ|ra\s+quân"
           r"|phát\s+hành|bầu|xét|thẩm\s+định|duyệt|tiếp\s+xúc|đối\s+thoại|gặp\s+mặt|diễn\s+ra|khai\s+mạc"
           r"|bế\s+mạc|thăm|trao|tặng|phổ\s+biến|nghiên\s+cứu|biên\s+soạn|cấp\s+phát|xong")
ACTION = re.compile(rf"(?<!\w)(?:{_ACTION})(?!\w)", re.I)
# The kind an action word gives the period it dates: "hoàn thành"/"xong" anywhere before it -> deadline; else a
# gathering named before it -> event; else the nearest of a report sent (deadline) or another action (period).
FINISH = re.compile(r"(?<!\w)(?:hoàn\s+thành|xong)(?!\w)", re.I)
GATHERING = re.compile(r"(?<!\w)(?:hội\s+nghị|đại\s+hội|họp|sơ\s+kết|tổng\s+kết|hội\s+thảo|hội\s+thi|cuộc\s+thi|lễ"
                       r"|gặp\s+mặt|khai\s+mạc|bế\s+mạc|diễn\s+ra|ra\s+quân|tiếp\s+xúc|đối\s+thoại|diễn\s+đàn)(?!\w)", re.I)
SENT = re.compile(r"(?<!\w)(?:báo\s+cáo|gửi|nộp|trình)(?!\w)", re.I)
# A time preposition right before the period (or opening it: "trong năm", "từ tháng", "cuối tháng").
PREP_BEFORE = re.compile(r"(?<!\w)(?:vào|trong|từ|đến|tới|khoảng|dịp|suốt|ngay|kể\s+từ)\s*\Z", re.I)
PREP_START = re.compile(r"(?:trong|từ|cả|đầu|giữa|cuối)(?!\w)", re.I)
# What a plan reviews or reports on: a year, quarter or half after one of these is the subject.
REVIEW = re.compile(r"(?<!\w)(?:sơ\s+kết|tổng\s+kết|kết\s+quả|đánh\s+giá|tình\s+hình|kiểm\s+điểm|số\s+liệu"
                    r"|chỉ\s+tiêu|phương\s+hướng|nhiệm\s+vụ|chương\s+trình|kế\s+hoạch)(?!\w)", re.I)
VAO = re.compile(r"(?<!\w)vào(?!\w)", re.I)
PAST = re.compile(r"(?<!\w)(?:đã|đạt|được\s+công\s+nhận)(?!\w)", re.I)
TENTATIVE = re.compile(r"(?<!\w)dự\s+kiến(?!\w)(?!\s+(?:nhân\s+sự|danh\s+sách|chương\s+trình|nội\s+dung|phân\s+công"
                       r"|kế\s+hoạch|kinh\s+phí|thành\s+phần|đại\s+biểu|số\s+lượng)(?!\w))", re.I)
TENTATIVE_AFTER = re.compile(r"\s*[(,\-–]\s*dự\s+kiến(?!\w)", re.I)
# A schedule line: the period opens the line or a clause ("- Quý I/2022: ...; Quý II/2022 kiểm tra ...").
SCHEDULE_BEFORE = re.compile(
    r"(?:^|[;,.:]\s*)\s*(?:[-+•–]\s*|\d+(?:\.\d+)*\s*[.)\-–]\s*|[a-zđ]\)\s*)?(?:(?:trong|vào|từ)\s+)?\Z", re.I)
SCHEDULE_AFTER = re.compile(r"\s*[:\-–]\s*\S|\s+\S", re.I)
NEXT_STOP = re.compile(r";|\.\s|,\s*(?=(?:quý|qúy|tháng|đầu|giữa|cuối|trong|năm|\d{1,2}\s+tháng)\s)", re.I)


def clause_before(line: str, start: int) -> str:
    """The text of the clause before ``start`` (since the last ``;``, sentence end or line start)."""
    head = line[:start]
    cut = max(head.rfind("; "), head.rfind(". "), head.rfind("! "), head.rfind("? "))
    return head[cut + 2:] if cut >= 0 else head


def clause_after(line: str, end: int) -> str:
    m = NEXT_STOP.search(line, end)
    return line[end: m.start() if m else len(line)]


def tentative(line: str, start: int, end: int) -> bool:
    """"dự kiến" earlier in the clause of the date, or right after it ("tháng 10/2021 (dự kiến)")."""
    return bool(TENTATIVE.search(clause_before(line, start)) or TENTATIVE_AFTER.match(line, end))


def schedule_quote(line: str, start: int, end: int) -> str | None:
    """The schedule entry a period opens ("Quý II/2022: kiểm tra Chi bộ 2"), or None when it opens none."""
    if not SCHEDULE_AFTER.match(line, end) or not SCHEDULE_BEFORE.search(line[max(0, start - 40):start]):
        return None
    rest = clause_after(line, end)
    if not rest.strip(" :-–,") or not (rest.lstrip()[:1] in ":-–" or ACTION.search(rest)):
        return None
    return (line[start:end] + rest).strip(" ,;.")


def dated_action(line: str, start: int, end: int, group: str, text: str) -> str | None:
    """The kind of an uncued period that dates an action or event, or None when it does not.

    It must follow a time preposition (``vào``/``trong``/``từ``/``đến``..., or open with ``trong``/``từ``/
    ``cả``/``đầu``/``giữa``/``cuối``), an action word must be in its clause (before or after it, or
    ``dự kiến`` before it), and the clause must not be about the past (``đã``, ``đạt``). A year, quarter
    or half after a review word with no ``vào`` between (``tổng kết công tác trong năm 2022``, ``kết quả
    trong 9 tháng đầu năm``) is what the plan is about. Kind: ``dự kiến`` before it -> event; a range ->
    period; ``hoàn thành``/``xong`` before it -> deadline; a gathering before it (``hội nghị``, ``đại
    hội``, ``họp``, ``sơ kết``, ``lễ``...) -> event; a report sent before it (``báo cáo``, ``gửi``,
    ``nộp``, ``trình``) -> deadline; else period."""
    before = clause_before(line, start)
    if not (PREP_START.match(text) or PREP_BEFORE.search(before, max(0, len(before) - 12))):
        return None
    after = clause_after(line, end)
    is_tentative = bool(TENTATIVE.search(before))
    if not (is_tentative or ACTION.search(before) or ACTION.search(after)):
        return None
    if PAST.search(before) or PAST.search(after):
        return None
    if group in ("year", "quarter", "half"):
        reviews = list(REVIEW.finditer(before))
        if reviews and not VAO.search(before, reviews[-1].end()):
            return None
    if is_tentative:
        return EVENT
    if group in ("range", "dayrange"):
        return PERIOD
    if FINISH.search(before):
        return DEADLINE
    if GATHERING.search(before):
        return EVENT
    return DEADLINE if SENT.search(before) else PERIOD
