"""Questions about the tracker in her words, answered from the unit's deadlines.

* A period: "tuần này có gì phải làm?", "tuần sau phải làm gì", "tháng sau có gì?", "quý này có gì",
  "hôm nay có gì", "ngày mai có gì", "tháng 12 có gì", "việc quá hạn" (and `/tuannay`). A period with nothing
  due names the next item due after it.
* A person: "việc của đ/c Tuấn?", "tuấn có việc gì?", "đồng chí Lan phải làm gì" — the roster member whose
  name ends with the words typed (a given name is enough), and the items assigned to them (or naming them).
* A thing: "hạn nộp báo cáo là khi nào?", "khi nào nộp báo cáo kiểm điểm?", "bao giờ họp chi ủy" — the items
  whose words hold every word the question is about (bot/wording.py `find`: any order, with or without
  diacritics, question words and stop words ignored); else the closest items; else the next ones due.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot import dates
from bot.agenda import span, week_of, when_text
from bot.formats import ROMAN
from bot.messages import Choice, Outgoing
from bot.store import Deadline
from bot.tidy.accents import has_marks
from bot.wording import content_words, find, mentions, name_words, names_person, words
from handlers import permissions
from handlers.context import Context
from handlers.deadlines import DATE_LIKE, LIST_LIMIT, _numbered, cmd_deadlines

ASKING = re.compile(r"\?|\b(?:co gi|co viec gi|phai lam|lam gi|what|due|nhung gi|viec gi|han gi|sao|lich)\b")
PERIODS = [
    (re.compile(r"\b(?:tuan nay|this week|trong tuan)\b"), "week"),
    (re.compile(r"\b(?:tuan sau|tuan toi|next week)\b"), "next_week"),
    (re.compile(r"\b(?:hom nay|today)\b"), "today"),
    (re.compile(r"\b(?:ngay mai|tomorrow)\b"), "tomorrow"),
    (re.compile(r"\b(?:thang nay|this month)\b"), "month"),
    (re.compile(r"\b(?:thang sau|thang toi|next month)\b"), "next_month"),
    (re.compile(r"\bquy nay\b"), "quarter"),
    (re.compile(r"\b(?:quy sau|quy toi)\b"), "next_quarter"),
    (re.compile(r"\b(?:qua han|tre han|overdue)\b"), "overdue"),
]
_MONTH_N = re.compile(r"\bthang (\d{1,2})(?: ?/ ?(\d{4}))?\b")
# "khi nào nộp báo cáo", "hạn nộp báo cáo là ngày nào", "bao giờ họp chi ủy", "báo cáo sơ kết hạn bao giờ"
WHEN = re.compile(r"\b(?:khi nao|bao gio|ngay nao|luc nao|hom nao|may gio|thoi han|han chot|han cuoi|het han|"
                  r"con bao nhieu ngay|bao lau nua)\b|^han\b")
# "việc của đ/c Tuấn", "nhiệm vụ giao cho Lan là gì"
OF_PERSON = re.compile(r"^(?:cac |nhung )?(?:viec|nhiem vu|cong viec|han|phan viec)(?: gi)? "
                       r"(?:cua|giao cho|danh cho) (?P<name>.+?)"
                       r"(?: (?:la gi|co gi|the nao|nhung gi|gi|nao|a|nhi|vay|ha|khong|la|con))*$")
# "tuấn có việc gì", "đ/c Lan phải làm gì", "anh Nam được giao những việc gì"
PERSON_HAS = re.compile(r"^(?P<name>.+?) (?:co|phai|duoc giao|con|dang co|dang)(?: nhung| cac)? "
                        r"(?:viec|nhiem vu|lam|han)(?: gi| nao)?(?: (?:a|nhi|vay|khong|the|ha))*$"
                        r"|^(?P<name2>.+?) (?:phai lam gi|lam gi|co gi)$")
WHOLE_UNIT = {"chi bo", "don vi", "toi", "minh", "chung ta", "chung toi", "ca chi bo", "dang bo", "em", "anh", "chi",
              "ai", "nguoi nao", "moi nguoi", "cac dong chi", "chi uy"}
SHOWN = 5  # items named in a "closest" or "next due" answer


# -- periods ------------------------------------------------------------------------------------

def _month(first: date) -> tuple[str, date, date]:
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return f"Tháng {first.month}/{first.year}", first, last


def _quarter(today: date, later: int) -> tuple[str, date, date]:
    index = (today.month - 1) // 3 + later
    year, q = today.year + index // 4, index % 4
    first = date(year, 3 * q + 1, 1)
    last = (date(year, 3 * q + 3, 1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return f"Quý {ROMAN[q]}/{year} ({span(first, last)})", first, last


def period(scope: str, today: date) -> tuple[str, date, date]:
    """The title and the first and last days of a named period."""
    if scope in ("week", "next_week"):
        monday, sunday = week_of(today + timedelta(days=7 if scope == "next_week" else 0))
        return f"{'Tuần này' if scope == 'week' else 'Tuần sau'} ({span(monday, sunday)})", monday, sunday
    if scope in ("today", "tomorrow"):
        day = today + timedelta(days=1 if scope == "tomorrow" else 0)
        name = "Hôm nay" if scope == "today" else "Ngày mai"
        return f"{name}, {dates.weekday_vi(day)} {dates.format_date_short(day)}", day, day
    if scope in ("month", "next_month"):
        first = today.replace(day=1)
        return _month((first + timedelta(days=32)).replace(day=1) if scope == "next_month" else first)
    if scope.startswith("month:"):
        year, month = (int(p) for p in scope[6:].split("-"))
        return _month(date(year, month, 1))
    return _quarter(today, 1 if scope == "next_quarter" else 0)


def _named_month(said: str, today: date) -> str | None:
    """"tháng 12", "tháng 1/2027": the scope of that month (the year nearest to today, the later on a tie)."""
    match = _MONTH_N.search(said)
    if not match or not 1 <= int(match.group(1)) <= 12:
        return None
    month = int(match.group(1))
    if match.group(2):
        year = int(match.group(2))
    else:
        year = min((today.year - 1, today.year, today.year + 1),
                   key=lambda y: (abs(y * 12 + month - today.year * 12 - today.month), -y))
    return f"month:{year}-{month}"


async def answer(ctx: Context, scope: str) -> list[Outgoing]:
    """What is due in a period (and what is overdue); with nothing due, the next item after the period."""
    assert ctx.unit is not None  # the router answers plain words only for a unit's accounts
    today, store, unit_id = ctx.clock.today(), ctx.store, ctx.unit.id
    late = await permissions.visible(ctx, await store.overdue_deadlines(unit_id, today))  # a member: her own
    if scope == "overdue":
        lines, choices = _numbered([("Quá hạn chưa xong", late)], today)
        return [Outgoing(title="Việc cần làm", text="\n".join(lines or ["Không có việc quá hạn."]), choices=choices)]
    title, first, last = period(scope, today)
    rows = await permissions.visible(ctx, await store.deadlines_between(unit_id, first, last))
    groups = [(title, rows)] + ([("Quá hạn chưa xong", late)] if late else [])
    lines, choices = _numbered(groups, today)
    if not rows:
        lines.insert(0, f"{title}: không có việc nào đến hạn.")
        after = await permissions.visible(ctx, await store.deadlines_after(unit_id, max(last, today), 1))
        if after:
            lines.insert(1, f"Việc gần nhất: {after[0].title} — {when_text(after[0])}.")
            choices.append(Choice("Xem việc gần nhất", f"/hanchot xem {after[0].id}"))
    return [Outgoing(title="Việc cần làm", text="\n".join(lines), choices=choices)]


async def cmd_week(ctx: Context, arg: str) -> list[Outgoing]:
    return await answer(ctx, "week")


# -- a person -----------------------------------------------------------------------------------

async def about_person(ctx: Context, typed: list[str], sure: bool) -> list[Outgoing] | None:
    """The open items of the roster member(s) named by `typed`, or assigned to those words; None when
    nothing bears the name and the question was only maybe about a person (`sure` False)."""
    assert ctx.unit is not None
    members = [p.name for p in await ctx.people() if names_person(typed, p.name)]
    rows = await permissions.visible(ctx, await ctx.store.tracked_deadlines(ctx.unit.id, ctx.clock.today(), 500))
    wanted = [typed] + [name_words(m) for m in members] + [name_words(m)[-1:] for m in members]
    mine = [r for r in rows if r.status == "open" and any(
        mentions(w, r.assignee or "") or mentions(["dong chi", *w], r.title) for w in wanted)]
    today = ctx.clock.today()
    if members:
        who = "đồng chí " + ", ".join(members)
    elif mine:
        who = mine[0].assignee or "đồng chí này"
    elif sure:
        return [Outgoing(text="Tôi không tìm thấy đồng chí này trong danh sách đảng viên của đơn vị, cũng không có "
                              "việc nào đang mở giao cho đồng chí này. Gõ /hanchot để xem mọi việc.")]
    else:
        return None
    if not mine:
        return [Outgoing(text=f"Hiện không có việc nào đang mở giao cho {who} trong danh sách hạn chót.")]
    lines, choices = _numbered([(f"Việc của {who}", mine[:LIST_LIMIT])], today)
    return [Outgoing(title="Việc cần làm", text="\n".join(lines), choices=choices)]


# -- a thing ------------------------------------------------------------------------------------

def _countdown(row: Deadline, today: date) -> str:
    if row.status == "done":
        return "đã xong"
    days = (row.due - today).days
    if row.kind == "period" and row.start and row.start <= today <= row.due:
        return f"đang thực hiện, còn {days} ngày" if days else "đang thực hiện, hôm nay là ngày cuối"
    if days > 0:
        return f"còn {days} ngày"
    return "hôm nay" if days == 0 else f"đã quá {-days} ngày"


def _topic(text: str, strong: list[str]) -> str:
    """The words of the question the items were matched by, as she typed them (diacritics kept); empty
    when she typed without diacritics (the answer then quotes nothing rather than a wrong spelling)."""
    kept = [t for t in text.split() if set(words(t).split()) & set(strong)]
    quoted = " ".join(kept).strip(" ?.!,")
    return "" if not has_marks(quoted) else f" “{quoted}”"


async def about_thing(ctx: Context, text: str, query: list[str]) -> list[Outgoing]:
    assert ctx.unit is not None
    today = ctx.clock.today()
    rows = await permissions.visible(ctx, await ctx.store.tracked_deadlines(ctx.unit.id, today - timedelta(days=90), 500))
    found = find(query, [(r, f"{r.title} {r.source}") for r in rows])  # not the assignee: “Thị” is no “thi”
    topic = _topic(text, found.strong)
    full = [r for r in found.full if r.status == "open"] or found.full
    if len(full) == 1:
        row = full[0]
        return [Outgoing(text=f"{row.title}: {when_text(row)} ({_countdown(row, today)})."
                              + (f"\nNgười thực hiện: {row.assignee}." if row.assignee else ""),
                         choices=[Choice("Xem việc này", f"/hanchot xem {row.id}")])]
    if full:
        lines, choices = _numbered([(f"Các việc về{topic or ' nội dung đồng chí hỏi'}", full[:LIST_LIMIT])], today)
        if full[0].status == "done":
            lines.append("Các việc này đều đã xong.")
        return [Outgoing(title="Việc cần làm", text="\n".join(lines), choices=choices)]
    if found.closest:
        lines, choices = _numbered([("Các việc gần giống", found.closest)], today)
        head = f"Không có việc nào khớp đúng{topic or ' nội dung đồng chí hỏi'} trong danh sách hạn chót."
        return [Outgoing(title="Việc cần làm", text="\n".join([head] + lines), choices=choices)]
    upcoming = await permissions.visible(ctx, await ctx.store.deadlines_after(ctx.unit.id, today - timedelta(days=1),
                                                                               SHOWN))
    head = f"Trong danh sách hạn chót không có việc nào về{topic or ' nội dung đồng chí hỏi'}."
    hint = "Để thêm, gõ một câu có ngày, ví dụ “Nộp báo cáo kiểm điểm trước 15/12”."
    if not upcoming:
        return [Outgoing(text=f"{head} Danh sách chưa có việc nào sắp đến hạn. {hint}")]
    lines, choices = _numbered([("Các việc sắp đến hạn", upcoming)], today)
    return [Outgoing(title="Việc cần làm", text="\n".join([head] + lines + [hint]), choices=choices)]


# -- plain words --------------------------------------------------------------------------------

async def free_text(ctx: Context, text: str) -> list[Outgoing] | None:
    """A question about the tracker; None when the text is not one."""
    if ctx.unit is None or ctx.incoming.attachment is not None or "\n" in text.strip() or len(text) > 200:
        return None
    said = words(text)
    if not said:
        return None
    asked = bool(ASKING.search(said)) or "?" in text
    if asked or len(said.split()) <= 3:
        for pattern, scope in PERIODS:
            if pattern.search(said):
                return await answer(ctx, scope)
        if asked and (named := _named_month(said, ctx.clock.today())) is not None:
            return await answer(ctx, named)
    core = said.strip()
    if (match := OF_PERSON.match(core)) is not None:
        named = match.group("name")
        typed = name_words(named)
        if named in WHOLE_UNIT or not typed:
            return await cmd_deadlines(ctx, "")
        return await about_person(ctx, typed, sure=True)
    if (match := PERSON_HAS.match(core)) is not None:
        named = match.group("name") or match.group("name2")
        typed = name_words(named)
        if named in WHOLE_UNIT:
            return await cmd_deadlines(ctx, "")
        sure = len(typed) <= 3 and not any(ch.isdigit() for ch in named)
        if 0 < len(typed) <= 4 and (reply := await about_person(ctx, typed, sure=sure)) is not None:
            return reply
    if WHEN.search(said) and not DATE_LIKE.search(text):
        query = content_words(text)
        if query:
            return await about_thing(ctx, text, query)
    return None
