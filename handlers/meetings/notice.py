"""`/thongbao`: the notice of the next meeting, sent to every member linked to the roster; their answers.

A manager runs the flow `notice` (data/flows/notice.yaml): the kind, the day (suggested from the unit's
rhythm: the day of the month its regular meetings are usually held, in the month of the next regular
meeting), the time and place (from the last minutes), the agenda (the standard agenda of the kind, with the
review of what the last meeting decided) — then review and confirm. Confirming stores the notice and queues it
for the private chat of every account linked to a roster member and for the unit's linked groups, in one
transaction; each channel's sweep sends it once (bot/reminders/notices.py).

A member answers with the buttons ("Tôi sẽ dự", "Xin vắng") or in words while a notice of her unit is open
("vắng, lý do đi công tác", "xin vắng vì đi công tác", "tôi sẽ dự"): one answer per person, a later one
replaces the earlier. `/thongbao` again shows the open notice and who answered. `/sinhhoat` offers the
absences of the notice of that meeting at the roll call (handlers/meetings/notice_roll.py).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from typing import Any

from bot import dates
from bot.formats import clock_text, mm, shift_month
from bot.messages import Choice, Outgoing
from bot.reminders.notices import ABSENT, ATTEND
from bot.rhythm import planned_topic
from bot.store.records import Notice, Unit
from bot.templating import environment
from bot.text import fold
from handlers.context import Context
from handlers.draft import Draft
from handlers.forms import Invalid, action, provider, validator
from handlers.meetings.attendance import clean, months_of
from handlers.meetings.commands import previous_tasks
from handlers.meetings.facts_hooks import KNOWN_REASONS

KIND_WORDS = {"thuong_ky": "thường kỳ", "chuyen_de": "chuyên đề"}
RECENT_MEETINGS = 6  # the usual day of the month is read from the last regular meetings


# -- suggestions ------------------------------------------------------------------------------------

async def usual_day(ctx: Context) -> int | None:
    """The day of the month the unit's regular meetings are usually held (the commonest of the last ones)."""
    assert ctx.unit is not None
    today = ctx.clock.today()
    held = [m.held_on for m in await ctx.store.meetings_between(ctx.unit.id, today - timedelta(days=400), today)
            if m.kind == "thuong_ky"]
    if not held:
        return None
    recent = sorted(held)[-RECENT_MEETINGS:]
    return Counter(d.day for d in recent).most_common(1)[0][0]


async def next_meeting_day(ctx: Context) -> date | None:
    """The next regular meeting on the unit's usual day: this month's when not held yet and not past, else next
    month's (a day the month lacks becomes its last day)."""
    assert ctx.unit is not None
    day = await usual_day(ctx)
    if day is None:
        return None
    today = ctx.clock.today()
    held = await ctx.store.regular_meeting_of_month(ctx.unit.id, today.year, today.month)
    year, month = today.year, today.month
    if held is not None or today.day > day:
        year, month = shift_month(year, month, 1)
    last = (date(*shift_month(year, month, 1), 1) - timedelta(days=1)).day
    return date(year, month, min(day, last))


@provider("notice.day")
async def suggest_day(ctx: Context, draft: Draft) -> list[str]:
    day = await next_meeting_day(ctx)
    return [dates.format_date_short(day)] if day else []


@provider("notice.time")
async def suggest_time(ctx: Context, draft: Draft) -> list[str]:
    assert ctx.unit is not None
    last = await ctx.store.last_meeting_answers(ctx.unit.id)
    started = (last.answers.get("started_at") if last else None) or ""
    return [clock_text(started).replace(" giờ ", "h")] if re.fullmatch(r"\d{2}:\d{2}", started) else []


@provider("notice.topic")
async def suggest_topic(ctx: Context, draft: Draft) -> list[str]:
    assert ctx.unit is not None
    day = draft.answers.get("meeting_on")
    topic = await planned_topic(ctx.store, ctx.unit.id, date.fromisoformat(day) if day else ctx.clock.today())
    return [topic] if topic else []


@validator("notice.day")
async def check_day(ctx: Context, draft: Draft, value: str) -> str:
    if date.fromisoformat(value) < ctx.clock.today():
        raise Invalid(f"Ngày {dates.format_date_short(date.fromisoformat(value))} đã qua; thông báo là cho buổi sinh "
                      "hoạt sắp tới. Xin nhập ngày từ hôm nay trở đi.")
    return value


async def agenda_hints(ctx: Context) -> list[str]:
    """What the last meetings decided, for the agenda: the tasks they gave and the direction of the month."""
    assert ctx.unit is not None
    hints: list[str] = []
    prev = await previous_tasks(ctx.store, ctx.unit.id, ctx.clock.today())
    if prev:
        left = [t for t in prev["tasks"] if not t["done"]]
        hint = f"Kiểm điểm việc thực hiện {len(prev['tasks'])} nhiệm vụ chi bộ giao tại {prev['label']}"
        if left:
            hint += f" (còn {len(left)} nhiệm vụ chưa hoàn thành: " + "; ".join(t["what"] for t in left) + ")"
        hints.append(hint + ".")
    last = await ctx.store.last_meeting_answers(ctx.unit.id)
    direction = (last.answers.get("plan_next") or "").strip() if last else ""
    if direction and last and last.answers.get("month") and last.answers.get("held_on"):
        plan = months_of(last.answers["month"], last.answers["held_on"])["plan"]
        lines = [clean(re.sub(r"^\s*(?:\d+[.)]|[-+•])\s*", "", line)) for line in direction.splitlines() if line.strip()]
        hints.append(f"Đánh giá kết quả thực hiện phương hướng, nhiệm vụ tháng {plan} chi bộ đã đề ra ("
                     + "; ".join(lines[:5]) + ").")
    return hints


def agenda(kind: str | None, meeting_on: str | None, topic: str | None, hints: list[str] | None) -> str:
    """The standard agenda of a meeting of `kind`, one item a line, with the review of what was decided."""
    if kind == "chuyen_de":
        items = ["Tuyên bố lý do, giới thiệu đại biểu; thông báo tình hình đảng viên dự sinh hoạt.",
                 f"Trình bày báo cáo đề dẫn chuyên đề “{topic}”." if topic else "Trình bày báo cáo đề dẫn chuyên đề.",
                 "Đảng viên thảo luận, đề xuất giải pháp thực hiện chuyên đề.",
                 "Đồng chí chủ trì kết luận; chi bộ biểu quyết thông qua kết luận."]
        return "\n".join(items)
    review = plan = ""
    if meeting_on:
        day = date.fromisoformat(meeting_on)
        months = months_of(f"{day.month}/{day.year}", meeting_on)
        review, plan = f" tháng {months['review']}", f" tháng {months['plan']}"
    items = ["Thông tin thời sự; phổ biến văn bản, chỉ thị, nghị quyết của cấp trên.", *(hints or []),
             f"Chi ủy báo cáo kết quả lãnh đạo thực hiện nhiệm vụ{review}; đề ra phương hướng, nhiệm vụ{plan}.",
             "Đảng viên thảo luận, phê bình và tự phê bình; thu đảng phí.",
             "Chi bộ biểu quyết thông qua nghị quyết."]
    return "\n".join(items)


environment().globals.update(notice_agenda=agenda)


# -- the notice -------------------------------------------------------------------------------------

def heading(kind: str, meeting_on: date, topic: str) -> str:
    if kind == "chuyen_de":
        return f"sinh hoạt chuyên đề “{topic}”" if topic else "sinh hoạt chuyên đề"
    return f"sinh hoạt chi bộ thường kỳ tháng {mm(meeting_on.month)}/{meeting_on.year}"


def when_text(meeting_on: date, meeting_at: str) -> str:
    """'14 giờ 00, chủ nhật, ngày 06/12/2026'."""
    return f"{clock_text(meeting_at)}, {dates.weekday_vi(meeting_on)}, ngày {dates.format_date_short(meeting_on)}"


def notice_text(unit: Unit, kind: str, meeting_on: date, meeting_at: str, place: str, topic: str,
                items: list[str]) -> str:
    """The notice as a chi bộ writes it: who, when (weekday), where, the agenda, who is invited, the signer."""
    title = heading(kind, meeting_on, topic)
    lines = [*([unit.superior.upper()] if unit.superior else []), unit.name.upper(), "", "THÔNG BÁO",
             f"Về việc {title}", "",
             f"{unit.name} thông báo tổ chức {title} như sau:",
             f"1. Thời gian: {when_text(meeting_on, meeting_at)}.",
             f"2. Địa điểm: {place.rstrip('.')}.",
             "3. Nội dung:"]
    lines += [f"   - {item.rstrip('.')}." for item in items]
    lines += ["4. Thành phần: toàn thể đảng viên trong chi bộ (đồng chí được miễn sinh hoạt tham dự nếu có điều kiện).",
              "",
              "Đề nghị các đồng chí đảng viên sắp xếp công việc, dự sinh hoạt đầy đủ, đúng giờ. Đồng chí nào vắng mặt "
              "xin báo cáo lý do với chi ủy trước buổi sinh hoạt.",
              "",
              "T/M CHI BỘ", unit.signer_title.upper() or "BÍ THƯ", unit.signer_name]
    return "\n".join(lines)


def _text_of(ctx: Context, answers: dict[str, Any]) -> str:
    assert ctx.unit is not None
    return notice_text(ctx.unit, answers["kind"], date.fromisoformat(answers["meeting_on"]), answers["meeting_at"],
                       answers["place"], answers.get("topic") or "", list(answers.get("agenda") or []))


@action("notice.preview")
async def preview(ctx: Context, draft: Draft) -> list[Outgoing]:
    return [Outgoing(title="Thông báo sẽ gửi", text=_text_of(ctx, draft.answers))]


@action("notice.send")
async def send(ctx: Context, draft: Draft) -> list[Outgoing]:
    assert ctx.unit is not None
    a = draft.answers
    private = await ctx.store.notice_chats(ctx.unit.id)
    groups = [(channel, chat_id) for channel, _, chat_id in
              (key.partition(":") for key in await ctx.store.linked_chats(ctx.unit.id))]
    text = _text_of(ctx, a)
    meeting_on = date.fromisoformat(a["meeting_on"])
    notice_id = await ctx.store.create_notice(
        ctx.unit.id, a["kind"], meeting_on, a["meeting_at"], a["place"], a.get("topic") or "",
        list(a.get("agenda") or []), text, ctx.actor, ctx.clock.now(), private, groups)
    await ctx.store.record_audit(ctx.unit.id, ctx.clock.now(), ctx.actor, "notice",
                                 f"Thông báo {heading(a['kind'], meeting_on, a.get('topic') or '')} (mã {notice_id})",
                                 ctx.account.display_name if ctx.account else "")
    if not private and not groups:
        return [Outgoing(text="Đã lưu thông báo, nhưng chưa có đảng viên nào liên kết tài khoản với danh sách của chi "
                              "bộ và chưa có nhóm chat nào được liên kết, nên chưa gửi được cho ai. Mời đảng viên bằng "
                              "/moi, hoặc liên kết nhóm chat của chi bộ bằng /lienket.")]
    parts = [f"{len(private)} đảng viên (tin nhắn riêng)"] if private else []
    parts += [f"{len(groups)} nhóm chat đã liên kết"] if groups else []
    return [Outgoing(text=f"Đã gửi thông báo {heading(a['kind'], meeting_on, a.get('topic') or '')} tới "
                          + " và ".join(parts) + " (trong vòng một phút). Đảng viên trả lời “Tôi sẽ dự” hoặc “Xin "
                          "vắng” kèm lý do; gõ /thongbao để xem ai đã trả lời. Khi ghi biên bản bằng /sinhhoat, tôi "
                          "điền sẵn các đồng chí xin vắng.")]


async def replies_text(ctx: Context, notice: Notice) -> str:
    assert ctx.unit is not None
    replies = await ctx.store.notice_replies(notice.id)
    people = await ctx.people()
    attend = [r.name for r in replies if r.status == ATTEND]
    absent = [f"{r.name}" + (f" ({r.reason})" if r.reason else "") for r in replies if r.status == ABSENT]
    answered = {r.person_id for r in replies}
    silent = [p.name for p in people if p.id not in answered and not p.exempt]
    lines = [f"Thông báo {heading(notice.kind, notice.meeting_on, notice.topic)}: "
             f"{when_text(notice.meeting_on, notice.meeting_at)}, tại {notice.place}.",
             f"- Sẽ dự: {len(attend)}" + (f" ({', '.join(attend)})" if attend else ""),
             f"- Xin vắng: {len(absent)}" + (f" ({'; '.join(absent)})" if absent else ""),
             f"- Chưa trả lời: {len(silent)}" + (f" ({', '.join(silent)})" if silent else "")]
    return "\n".join(lines)


async def cmd_notice(ctx: Context, arg: str) -> list[Outgoing]:
    """`/thongbao`: the open notice and its answers (then a new one on request), or the flow of a new notice."""
    assert ctx.unit is not None
    today = ctx.clock.today()
    notice = await ctx.store.open_notice(ctx.unit.id, today)
    if notice is not None and fold(arg) not in ("moi", "tao moi", "gui moi"):
        return [Outgoing(text=await replies_text(ctx, notice),
                         choices=[Choice("Gửi thông báo mới", "/thongbao moi")])]
    if not any(not p.exempt for p in await ctx.people()):
        return [Outgoing(text="Hồ sơ đơn vị chưa có danh sách đảng viên. Gõ /donvi để thêm danh sách đảng viên, rồi gõ "
                              "lại /thongbao.")]
    return await ctx.engine.start(ctx, "notice", answers={"hints": await agenda_hints(ctx)})


# -- a member's answer ------------------------------------------------------------------------------

_ABSENT = re.compile(r"^(?:(?:toi|em|con|chau|minh)\s+)?(?:xin\s+(?:phep\s+)?(?:vang|nghi)|bao\s+vang|vang|"
                     r"khong\s+(?:the\s+)?(?:du|di)(?:\s+(?:hop|sinh\s+hoat|duoc))*)(?:\s+mat)?"
                     r"(?:\s+(?:buoi\s+)?(?:hop|sinh\s+hoat)(?:\s+(?:chi\s+bo|nay|toi))*)?(?:\s+(?:a|nhe|nha))?"
                     r"(?P<rest>(?:\s*[,.:;–-]|\s+(?:co\s+)?(?:ly\s+do|vi|do|boi\s+vi|tai\s+vi)\b).*)?$")
_ATTEND = re.compile(r"^(?:(?:toi|em|con|chau|minh)\s+)?(?:se\s+)?(?:du|tham\s+du|co\s+mat|di\s+hop)"
                     r"(?:\s+(?:hop|sinh\s+hoat|day\s+du|dung\s+gio|a|nhe|nha|duoc))*$")
_REASON_HEAD = re.compile(r"^[\s,.:;–-]*(?:(?:co\s+)?ly\s+do|vi|do|boi\s+vi|tai\s+vi)?[\s,.:;–-]*")
_NAMES_SOMEONE = re.compile(r"\b(?:d/c|dc|d\.c|dong chi)\b")  # "vắng đ/c Lan …": the roll call, not her own answer


def _reason(text: str, folded_rest: str) -> str:
    """The reason in her words (with its diacritics): what follows "vắng", without "lý do", "vì"."""
    if len(fold(text)) != len(text):  # fold changed the length (decomposed marks): the reason as folded
        text = fold(text)
    rest = text[len(text) - len(folded_rest):] if folded_rest else ""
    head = _REASON_HEAD.match(fold(rest))
    rest = clean(rest[head.end():] if head else rest)
    return KNOWN_REASONS.get(fold(rest), rest)  # typed without tone marks: a common reason written with them


def read_answer(text: str) -> tuple[str, str] | None:
    """(status, reason) said in a message, or None: "vắng, lý do đi công tác", "tôi sẽ dự"."""
    folded = fold(text).strip(" .!")
    if len(folded) > 300:
        return None
    if _ATTEND.match(folded):
        return ATTEND, ""
    match = _ABSENT.match(folded)
    if not match:
        return None
    rest = (match.group("rest") or "").rstrip(" .!")
    if _NAMES_SOMEONE.search(rest):
        return None
    return ABSENT, _reason(text.strip().rstrip(" .!"), rest)


async def _record(ctx: Context, notice: Notice, status: str, reason: str) -> list[Outgoing]:
    assert ctx.unit is not None and ctx.account is not None and ctx.account.person_id is not None
    await ctx.store.answer_notice(notice.id, ctx.account.person_id, status, reason, ctx.clock.now())
    name = next((p.name for p in await ctx.people() if p.id == ctx.account.person_id), "")
    what = heading(notice.kind, notice.meeting_on, notice.topic)
    when = when_text(notice.meeting_on, notice.meeting_at)
    if status == ATTEND:
        return [Outgoing(text=f"Đã ghi nhận: đồng chí {name} sẽ dự {what} ({when}, tại {notice.place}). Xin cảm ơn.")]
    if not reason:
        return [Outgoing(text=f"Đã ghi nhận: đồng chí {name} xin vắng {what} ({when}). Xin đồng chí nhắn thêm lý do, ví "
                              "dụ “vắng, lý do đi công tác”, để chi ủy ghi vào biên bản.")]
    return [Outgoing(text=f"Đã ghi nhận: đồng chí {name} xin vắng {what} ({when}), lý do: {reason}. Biên bản sẽ ghi "
                          f"“vắng có lý do: {reason}”. Nếu thu xếp được để dự, nhắn “tôi sẽ dự”.")]


async def _open_for_member(ctx: Context) -> Notice | None:
    if ctx.unit is None or ctx.account is None or ctx.account.person_id is None:
        return None
    return await ctx.store.open_notice(ctx.unit.id, ctx.clock.today())


async def answer_choice(ctx: Context, value: str) -> list[Outgoing]:
    """A tapped answer button: "notice:<id>:attend" or "notice:<id>:absent"."""
    _, ident, status = value.split(":", 2) if value.count(":") == 2 else ("", "", "")
    notice = await ctx.store.notice(ctx.unit.id, int(ident)) if ctx.unit and ident.isdigit() else None
    if notice is None or ctx.account is None or ctx.account.person_id is None or status not in (ATTEND, ABSENT):
        return [Outgoing(text="Thông báo này không còn, hoặc tài khoản của đồng chí chưa gắn với tên trong danh sách "
                              "đảng viên của chi bộ. Xin hỏi bí thư chi bộ.")]
    if notice.meeting_on < ctx.clock.today():
        return [Outgoing(text=f"Buổi sinh hoạt ngày {dates.format_date_short(notice.meeting_on)} đã qua; không cần "
                              "trả lời thông báo này nữa.")]
    if status == ABSENT:
        replies = {r.person_id: r for r in await ctx.store.notice_replies(notice.id)}
        mine = replies.get(ctx.account.person_id)
        return await _record(ctx, notice, ABSENT, mine.reason if mine and mine.status == ABSENT else "")
    return await _record(ctx, notice, ATTEND, "")


async def free_text(ctx: Context, text: str) -> list[Outgoing] | None:
    """A member's answer in words while a notice of her unit is open; None otherwise."""
    answer = read_answer(text)
    if answer is None:
        return None
    notice = await _open_for_member(ctx)
    if notice is None:
        return None
    return await _record(ctx, notice, *answer)
