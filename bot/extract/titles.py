"""What a dated item is called: the action or event its date belongs to (rules: bot/extract/__init__.py).

``titled(items, lines)`` gives each item of ``extract`` its ``title``, read from the cleaned lines of the plan:

1. the clause the date is in, without the date and its cue: the text before the quote since the last ``;``
   (``- Gửi danh sách ... về Văn phòng Đảng ủy trước ngày 27/11/2026`` -> ``Gửi danh sách ... về Văn phòng
   Đảng ủy``), without a run-in label that names a body or a time (``Cấp cơ sở:``, ``Thời gian:``), without
   the assignee and its preamble (``Giao X chủ trì, phối hợp với ... tham mưu Y xây dựng ...`` -> ``Xây
   dựng ...``); for a period attached to a listed topic, the topic without the period (``Chuyên đề 1: ...``);
   else the text after the date (``- Ngày 15/6: nộp báo cáo``);
2. when that leaves only a label, a duration or nothing (``- Thời gian dự kiến: Lúc 08 giờ 00 ...``): the
   list item it sits under (``- Tổ chức Hội nghị sơ kết:`` above ``+ Thời gian tiến hành: ...``), else the
   nearest heading that names neither a body nor a generic part of a plan (``1. Hội nghị ... mẫu``; with
   ``tại`` + the unit of a ``- X thực hiện;`` line under it), else the plan's own title (the lines after
   ``KẾ HOẠCH``), else the kind of item.

A title starts with a capital letter and is at most ``LIMIT`` characters, cut at a phrase boundary
(``cut_phrase``). Two items of one plan with the same title are told apart (``distinct``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import time
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.extract.assignees import body_named
from bot.extract.patterns import BULLET, FOOTER, ISSUE_LINE, NUMBERED, ROMAN, THUC_HIEN_LINE, WHO_END
from bot.text import fold

if TYPE_CHECKING:
    from bot.extract.items import Item

LIMIT = 90
KIND_NAMES = {"deadline": "Hạn chót", "event": "Sự kiện", "period": "Thời gian thực hiện"}

# The document type line above the plan's own title.
DOC_KIND = re.compile(r"^(?:KẾ HOẠCH|CHƯƠNG TRÌNH(?: HÀNH ĐỘNG)?|HƯỚNG DẪN|THÔNG BÁO|CÔNG VĂN)$")
TITLE_STOP = re.compile(r"^(?:thực\s+hiện|căn\s+cứ|số\b|kính\s+gửi|-{3,})", re.I)
# A time label at the start of a clause, and a duration: never a title.
TIME_LABEL = re.compile(
    r"^(?:thời\s+gian|thời\s+hạn|hạn\s+chót|địa\s+điểm|tiến\s+độ|mốc\s+thời\s+gian)"
    r"(?:\s+(?:dự\s+kiến|hoàn\s+thành|tiến\s+hành|thực\s+hiện|tổ\s+chức|họp|nộp))?\s*[:\-–]\s*", re.I)
TIME_OF = re.compile(r"^(?:thời\s+gian|thời\s+hạn|hạn\s+chót|hạn)(?:\s+dự\s+kiến)?\s+(?P<x>[^:]{3,80}?)\s*:", re.I)
DURATION = re.compile(r"(?<!\w)(?:\d+|một|hai|ba|nửa)\s+(?:buổi|ngày|tiếng|giờ)(?!\w)[\s,;]*", re.I)
RUN_IN = re.compile(r"^(?P<x>[^:]{2,80}?)\s*:\s*(?P<rest>.+)$")
# Cue words never start or end a title.
CUE_START = re.compile(
    r"^(?:thời\s+gian|thời\s+hạn|hạn\s+chót|hạn\s+cuối|dự\s+kiến|trước|chậm\s+nhất|muộn\s+nhất|lúc|vào\s+lúc"
    r"|địa\s+điểm|ngày|hoàn\s+thành\s+trước)(?!\w)", re.I)
TRAILING = re.compile(
    r"(?:[\s,;:(\-–.!?]+|(?<!\w)(?:và|của|để|với|cho|các|những|việc|hoặc|là|vào|trong|từ|đến|tới|lúc|ngày|hạn|xong"
    r"|dự\s+kiến(?:\s+tổ\s+chức)?|thời\s+gian|đồng\s+thời|nhằm|theo|về|tại|qua|trên|sau|khi|đã|sẽ|được|gửi|trình)"
    r"(?!\w))+$",
    re.I)
TAIL_CHARS = " ,;:(-–.!?"
TAIL_WORDS = frozenset(  # the last word of each word of TRAILING: only then is it searched
    "và của để với cho các những việc hoặc là vào trong từ đến tới lúc ngày hạn xong kiến chức gian thời nhằm theo "
    "về tại qua trên sau khi đã sẽ được gửi trình".split())
# ... and a cut title does not end on a word that waits for its number ("9 tháng đầu năm|").
CUT_TRAILING = re.compile(r"(?:\s+(?:năm|tháng|quý|lần|số|thứ|ngày|khóa|khoá|nhiệm\s+kỳ))+$", re.I)
LEADING = re.compile(r"^(?:[\s,;:)\-–]+|(?:và|đồng\s+thời|sau\s+đó|tiếp\s+theo)(?!\w)\s*)+", re.I)
# The assignee's preamble before the action: "Giao X chủ trì, phối hợp với Y tham mưu Z xây dựng ...".
GIAO = re.compile(r"^giao\s+(?:cho\s+)?", re.I)
PREAMBLE = re.compile(r"^(?:chủ\s+trì|phối\s+hợp|tham\s+mưu|giúp(?!\s+việc)|theo(?!\s+dõi))(?!\w)", re.I)
ACTION = re.compile(
    r"(?<!\w)(?<!các )(?<!những )(?<!trên cơ sở )(?<!việc )(?<!ban )"
    r"(?:xây\s+dựng|tổ\s+chức(?!\s+(?:cơ\s+sở|đảng|đoàn))|tổng\s+hợp|báo\s+cáo|gửi|nộp|trình|chuẩn\s+bị|hoàn\s+thiện"
    r"|triển\s+khai|kiểm\s+tra|rà\s+soát|lập|tiến\s+hành|sơ\s+kết|tổng\s+kết|đánh\s+giá|họp|ban\s+hành"
    r"|phát\s+hành|đăng\s+ký|thu|xét|bầu|kiểm\s+điểm|hoàn\s+thành|dự\s+thảo)(?!\w)", re.I)
# Where a long title may be cut: before punctuation, or before a word that starts a complement.
BREAK = re.compile(
    r"(?<!\d),|,(?!\s*\d)|;|:|\s\(|\s–|\s(?=(?:và|của|để|nhằm|theo|tại|thuộc|trong|với|cho|về|gửi|trình|qua|đảm\s+bảo"
    r"|bảo\s+đảm|phù\s+hợp|(?<!việc\s)thực\s+hiện|trên\s+cơ\s+sở|bằng|gắn\s+với|kèm\s+theo)(?!\w))", re.I)
MIN_CUT = 20
# Headings that name a part of any plan, not an action or an event.
GENERIC = re.compile(
    r"noi dung|thoi gian|dia diem|thanh phan(?: tham du)?|hinh thuc(?: to chuc)?|to chuc thuc hien|muc dich"
    r"|yeu cau|cac buoc tien hanh|tien do|phuong phap|chuong trinh|kinh phi|trach nhiem|phan cong|nhiem vu"
    r"|giai phap|cu the|thuc hien|tien hanh|quy trinh|tai lieu|che do bao cao|phuong thuc|doi tuong|pham vi"
    r"|\bva\b|\bcac\b|\bbuoc\b|\bdu kien\b|\bhoi nghi\b(?=\s*$)|[^a-z]")
ORGANISE_EVENT = re.compile(r"^tổ\s+chức\s+(?=(?:hội\s+nghị|đại\s+hội|hội\s+thảo|lễ|buổi)(?!\w))", re.I)
ENUM_NUMBER = re.compile(r"^\(?\d{1,2}\)\s*")


def cut_phrase(text: str, limit: int = LIMIT) -> str:
    """``text`` at most ``limit`` characters (plus "…"), cut at a phrase boundary: before punctuation or a word
    that starts a complement (``của``, ``để``, ``theo``, ``thuộc``…), never mid-word, never ending on a
    dangling ``và``/``của``, never inside a quotation or parentheses."""
    text = text.strip()
    if len(text) <= limit:
        return text
    limit -= 1  # room for "…"
    best = ""
    for start in sorted((m.start() for m in BREAK.finditer(text, 0, limit + 1)), reverse=True):
        head = _trim(text[:start])  # the longest head that reads whole
        if len(head) >= MIN_CUT and _balanced(head):
            best = head
            break
    if not best:
        space = text.rfind(" ", 0, limit + 1)
        best = _trim(CUT_TRAILING.sub("", text[:space] if space > 0 else text[:limit]))
    return best + "…"


def _balanced(text: str) -> bool:
    return text.count("(") == text.count(")") and text.count("“") == text.count("”") and text.count('"') % 2 == 0


def _trim(text: str) -> str:
    text = LEADING.sub("", text.strip())
    prev = None
    while prev != text:
        prev = text
        if text and (text[-1] in TAIL_CHARS or text.rsplit(None, 1)[-1].casefold() in TAIL_WORDS):
            tail = text.rfind(" ", 0, max(0, len(text) - 40)) + 1  # only the end is read: "+$" searches are slow
            m = TRAILING.search(text, tail)
            if m:
                text = text[: m.start()].strip()
        if text.endswith("(") or (text.count("(") > text.count(")") and "(" in text):
            text = text[: text.rfind("(")].strip()
    if text.count(")") > text.count("("):
        text = text.replace(")", "")
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    if text.count("“") != text.count("”"):
        text = text.replace("“", "").replace("”", "")
    return text


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _substantive(text: str) -> bool:
    """Whether a candidate title names something: two words of letters, not a cue or a time label."""
    words = [w for w in re.findall(r"[^\W\d_]+", text)]
    return len(words) >= 2 and not CUE_START.match(text) and not TIME_LABEL.match(text + ":")


@lru_cache(maxsize=512)
def _generic(heading: str) -> bool:
    return not GENERIC.sub("", fold(heading)).strip()


def _drop_label(text: str) -> str:
    """Without a run-in label that names a body or a time ("Cấp cơ sở: ...", "Thời gian: ...")."""
    named = TIME_OF.match(text)
    if named and _substantive(named.group("x")):
        return named.group("x")  # "Thời gian tổ chức Lễ kết nạp: ..." -> "tổ chức Lễ kết nạp"
    text = TIME_LABEL.sub("", text)
    m = RUN_IN.match(text)
    if m and (body_named(m.group("x")) or TIME_LABEL.match(m.group("x") + ":")):
        text = m.group("rest")
    return DURATION.sub("", text) if DURATION.match(text) else text


# A date of another item earlier in the same clause: the title of a later item starts after it.
EARLIER_DATE = re.compile(r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|tháng\s+\d{1,2}\s*[/.-]\s*\d{4}", re.IGNORECASE)


def _action(clause: str) -> str:
    """The clause from its action on: without "Giao X", the assignee before its verb, and a preamble
    ("chủ trì, phối hợp với ...", "tham mưu Ban Thường vụ ...", "theo chức năng, nhiệm vụ ...")."""
    clause = GIAO.sub("", clause)
    m = WHO_END.search(clause)
    if m and m.start() > 0 and body_named(clause[: m.start()]):
        clause = clause[m.start() + 1:]
    if PREAMBLE.match(clause):
        act = ACTION.search(clause, PREAMBLE.match(clause).end())  # type: ignore[union-attr]
        if act:
            clause = clause[act.start():]
    return clause


def _from_sentence(item: Item) -> str:
    """The action or topic the item's own sentence names, or "" when it names none."""
    sentence, quote = item.line, item.quote
    q = sentence.find(quote) if quote else -1
    candidates: list[str] = []
    if item.kind == "period" and (q <= 0) and len(quote) > 25:
        # a listed topic with its period: "Chuyên đề 1: ... (Quý I/2023)" or "Quý I/2023: ..."
        topic = re.sub(r"\s*\([^()]*\d[^()]*\)\s*[.;,]?\s*$", "", quote)
        if topic == quote:
            topic = RUN_IN.sub(r"\g<rest>", quote) if re.match(r"^[^:]*\d[^:]*:", quote) else quote
        candidates.append(topic)
    pre = sentence[:q] if q >= 0 else ""
    post = sentence[q + len(quote):] if q >= 0 else ""
    clause = pre.rsplit(";", 1)[-1]
    earlier = list(EARLIER_DATE.finditer(clause))  # "…, hoàn thành trước ngày 20/6/2023 và tổ chức Hội nghị vào …"
    if earlier and _substantive(_trim(clause[earlier[-1].end():].lstrip(" ,.").removeprefix("và ").strip())):
        clause = clause[earlier[-1].end():].lstrip(" ,.").removeprefix("và ")
    clause = ENUM_NUMBER.sub("", BULLET.sub("", clause.strip(), count=1))
    candidates.append(_action(_drop_label(clause.strip())))
    after = post.strip()
    if after[:1] in ":-–":
        candidates.append(after.lstrip(":-– ").split(";")[0])
    for cand in candidates:
        cand = _trim(cand)
        if _substantive(cand):
            return cand
    return ""


class _Context:
    """What the lines above an item say: headings, the list item it sits under, the unit that carries it out."""

    def __init__(self) -> None:
        self.headings: list[tuple[int, str]] = []
        self.topic: str | None = None
        self.unit: str | None = None

    def see(self, line: str) -> None:
        roman = ROMAN.match(line)
        numbered = NUMBERED.match(line) if not roman else None
        if roman or FOOTER.match(line):
            self.headings = [(0, roman.group("rest"))] if roman else []
            self.topic = self.unit = None
        elif numbered and len(numbered.group("rest")) <= 150:
            n = numbered.group("n")
            level = 9 if n.isalpha() else n.count(".") + 1
            while self.headings and self.headings[-1][0] >= level:
                self.headings.pop()
            self.headings.append((level, numbered.group("rest")))
            self.topic = self.unit = None
        elif line[:1] in "-•–":
            body = BULLET.sub("", line, count=1).strip()
            self.topic = None
            if body.endswith(":") and len(body) <= 150:
                label = body.rstrip(": ")
                if _substantive(label) and not body_named(label) and not _generic(label):
                    self.topic = label
            m = THUC_HIEN_LINE.match(body)
            if m and body_named(m.group("x")):
                self.unit = body_named(m.group("x"))

    def heading(self) -> str | None:
        for _level, text in reversed(self.headings):
            text = text.strip().rstrip(":").strip()
            if len(text) <= 150 and _substantive(text) and not body_named(text) and not _generic(text):
                return text if not text.isupper() else text.capitalize()
        return None


def _doc_title(lines: list[str]) -> str | None:
    """The plan's own title: the lines after its type line ("KẾ HOẠCH"), up to the first paragraph."""
    for i, line in enumerate(lines[:20]):
        if DOC_KIND.match(line.strip(" *")):
            parts: list[str] = []
            for nxt in lines[i + 1: i + 5]:
                if TITLE_STOP.match(nxt) or ROMAN.match(nxt) or ISSUE_LINE.match(nxt) or len(nxt) > 160:
                    break
                parts.append(nxt.strip())
            title = " ".join(parts)
            return title if _substantive(title) else None
    return None


def title_of(item: Item, ctx: _Context, doc_title: str | None) -> str:
    """The title of one item (before ``distinct``)."""
    title = _from_sentence(item)
    if not title:
        title = ctx.topic or ""
    if not title:
        heading = ctx.heading()
        if heading:
            title = f"{heading} tại {ctx.unit}" if ctx.unit else heading
    if not title:
        title = doc_title or KIND_NAMES.get(item.kind, "Mốc thời gian")
    if len(title) > LIMIT and item.kind == "event":
        title = ORGANISE_EVENT.sub("", title)  # "Tổ chức Hội nghị X" dates "Hội nghị X"
    return _capital(cut_phrase(title))


def _short_when(it: Item) -> str:
    d = it.due
    day = f"{d.day:02d}/{d.month:02d}/{d.year}"
    return f"{it.time.hour:02d}:{it.time.minute:02d} {day}" if it.time else day


def distinct(items: list[Item], titles: list[str]) -> list[str]:
    """The titles of ``items`` told apart: two items with the same title get their assignee, else their
    date (and time), else "(lần N)" added. Linear in the number of items (a hostile plan has thousands)."""
    titles = list(titles)

    def groups() -> list[list[int]]:
        by_key: dict[str, list[int]] = {}
        for n, title in enumerate(titles):
            by_key.setdefault(title.casefold(), []).append(n)
        return [g for g in by_key.values() if len(g) > 1]

    for add in ("who", "date"):
        twice = groups()
        if not twice:
            break
        for group in twice:
            parts = [(items[n].who if add == "who" else _short_when(items[n])) for n in group]
            if None in parts or len(set(parts)) < 2:
                continue
            for n, part in zip(group, parts, strict=True):
                shown = cut_phrase(part, 50) if add == "who" and part else part
                titles[n] = f"{titles[n]} — {shown}"
    for group in groups():
        for count, n in enumerate(group[1:], 2):
            titles[n] = f"{titles[n]} (lần {count})"
    return titles


def titled(items: list[Item], lines: list[str]) -> list[Item]:
    """``items`` (in document order, from ``lines``, the plan's cleaned lines) with their titles."""
    if not items:
        return items
    doc_title = _doc_title(lines)
    ctx = _Context()
    titles: list[str] = []
    n = 0
    for line in lines:
        ctx.see(line)
        while n < len(items) and items[n].line and items[n].line in line:
            titles.append(title_of(items[n], ctx, doc_title))
            n += 1
        if n == len(items):
            break
    for item in items[n:]:  # not found line by line (should not happen): named from its sentence alone
        titles.append(title_of(item, _Context(), doc_title))
    return [replace(it, title=title) for it, title in zip(items, distinct(items, titles), strict=True)]


def by_date(items: list[Item]) -> list[Item]:
    """The items in the order a secretary reads a list: by date (a period by its last day), then time,
    then document order."""
    return sorted(items, key=lambda i: (i.due, i.time or time.min))
