"""The meeting flow's hooks that take several facts from one message (parsed by handlers/meetings/facts.py):
the roll call with its absentees and reasons, the reason asked once for absentees typed without one, the vote
as people say it, and tasks typed “owner: what, due” one a line.

A validator here may answer more than its own step: it writes the answers a message implies into the draft, and
the engine skips a question already answered (the absent list after the roll call, the votes against after
“5/5 tán thành”). At a group's first field, a validator that answers the whole group releases it, and one that
adds whole items clears the item being asked (handlers/engine.py `_group_input`).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot import dates
from bot.formats import percent
from bot.templating import environment
from bot.text import fold
from bot.tidy.accents import looks_unaccented
from handlers.context import Context
from handlers.draft import Draft, GroupEntry
from handlers.forms import Invalid, validator
from handlers.meetings.attendance import attendance_of, candidates, clean
from handlers.meetings.facts import (
    EXCUSED,
    UNEXCUSED,
    Absentee,
    names_at_start,
    parse_absentees,
    parse_tasks,
    parse_vote,
    status_of,
)
from handlers.meetings.hooks import check_absentee, check_person, tidied
from handlers.meetings.notice_roll import FROM_NOTICE, usable

NOBODY = {"khong", "khong co", "ko co", "khong ai", "khong ai vang", "khong co ai", "khong co ai vang", "khong vang", "du", "du het",
          "day du", "co mat du", "co mat day du", "du ca", "co du", "khong dong chi nao vang", "full"}
SOMEBODY = {"co", "co vang", "co dong chi vang", "co nguoi vang", "co a", "absent"}
ASK_FLAG = "absent_ask"  # "yes" while absentees typed without a reason are asked about (step absent_why)

# Reasons often typed without tone marks, written as the minutes print them.
KNOWN_REASONS = {
    "om": "ốm", "om dau": "ốm đau", "nam vien": "nằm viện", "om nam vien": "ốm nằm viện", "nghi om": "nghỉ ốm",
    "di lam ca": "đi làm ca", "lam ca": "làm ca", "di cong tac": "đi công tác", "cong tac": "công tác",
    "viec gia dinh": "việc gia đình", "ban viec gia dinh": "bận việc gia đình", "ban viec": "bận việc",
    "gia dinh co viec": "gia đình có việc", "di hoc": "đi học", "hoc tap": "học tập", "di lam": "đi làm",
    "di lam xa": "đi làm xa", "di xa": "đi xa", "ve que": "về quê", "tap huan": "tập huấn",
    "di tap huan": "đi tập huấn", "thai san": "thai sản", "nghi thai san": "nghỉ thai sản", "con om": "con ốm",
    "truc": "trực", "di truc": "đi trực", "truc ca": "trực ca", "tuoi cao": "tuổi cao", "di vang": "đi vắng",
}


def reason_text(ctx: Context, reason: str) -> str:
    """A reason as the absent list shows it (the minutes write it in lower case); one typed without tone marks is
    written with them when it is a common one."""
    text = KNOWN_REASONS.get(fold(reason).strip(" .")) or tidied(ctx, clean(reason), "phrase")
    if looks_unaccented(text):
        ctx.warn(f"Lưu ý: lý do “{text}” có vẻ chưa có dấu; biên bản sẽ ghi đúng như đã gõ. Muốn sửa, gõ “quay lại”.")
    return text[:1].upper() + text[1:]  # as the offered reasons: “Ốm”, “Đi công tác”


def as_typed(ctx: Context, value: str) -> str:
    """The message as she typed it, lines included (a text answer reaches a validator on one line)."""
    raw = ctx.incoming.text.strip()
    if ctx.incoming.choice is None and re.sub(r"\s+", " ", raw) == re.sub(r"\s+", " ", value).strip():
        return raw
    return value


# -- the roll call -------------------------------------------------------------------------------

def _check_member(draft: Draft, name: str, roster: list[dict[str, Any]]) -> None:
    member = next(m for m in roster if m["name"] == name)
    if member["exempt"]:
        raise Invalid(f"Đồng chí {name} được miễn sinh hoạt nên không tính là vắng mặt. Xin gõ lại danh sách vắng.")
    for role, key in (("chủ trì", "chair"), ("làm thư ký", "secretary")):
        if draft.answers.get(key) == name:
            raise Invalid(f"Đồng chí {name} {role} buổi sinh hoạt nên có mặt. Xin gõ lại danh sách vắng.")


def _item(ctx: Context, a: Absentee) -> dict[str, Any]:
    if a.status == UNEXCUSED:
        return {"who": a.name, "status": UNEXCUSED}
    if a.status == EXCUSED and a.reason:
        return {"who": a.name, "status": EXCUSED, "reason": reason_text(ctx, a.reason)}
    # No reason typed: recorded as without one until she answers the one question about it (absent_why).
    return {"who": a.name, "status": EXCUSED if a.status == EXCUSED else UNEXCUSED, "asked": True}


def _set_absent(ctx: Context, draft: Draft, items: list[dict[str, Any]]) -> None:
    """The absent list answered from one message; the reason question follows when a reason is missing."""
    answers = draft.answers
    answers["absent"] = items
    answers.pop("absent_why", None)
    if any(i.get("asked") for i in items):
        answers[ASK_FLAG] = "yes"
    else:
        answers.pop(ASK_FLAG, None)


def _clear_typed(draft: Draft) -> list[dict[str, Any]]:
    """Forget a list typed at the roll call (returned, without the marks of the reason question)."""
    draft.answers.pop(ASK_FLAG, None)
    draft.answers.pop("absent_why", None)
    typed = draft.answers.pop("absent", None) or []
    return [{k: v for k, v in i.items() if k != "asked"} for i in typed]


def _absentees(ctx: Context, draft: Draft, text: str, known: list[dict[str, Any]]) -> list[dict[str, Any]]:
    roster = draft.answers.get("roster") or []
    found = parse_absentees(text, roster)
    for a in found:
        _check_member(draft, a.name, roster)
        if any(i.get("who") == a.name for i in known):
            raise Invalid(f"Đồng chí {a.name} đã được ghi vắng. Xin gõ lại.")
    return [_item(ctx, a) for a in found]


@validator("meeting.roll")
async def check_roll(ctx: Context, draft: Draft, value: str) -> str:
    """“Có mặt đủ”, “Có đồng chí vắng” (then one at a time), or the absentees with their reasons in one message."""
    if value == FROM_NOTICE and usable(draft.answers):  # the absences members announced answering the notice
        _clear_typed(draft)
        _set_absent(ctx, draft, usable(draft.answers))
        return "absent"
    folded = fold(value).strip(" .!")
    if folded in NOBODY:
        _clear_typed(draft)
        return "full"
    if folded in SOMEBODY:
        typed = _clear_typed(draft)
        if typed:  # a list typed here before: shown at the group's question, to edit
            draft.hold("absent", GroupEntry(items=typed))
        return "absent"
    items = _absentees(ctx, draft, as_typed(ctx, value), [])
    if not items:
        raise Invalid("Xin chọn “Có mặt đủ” hoặc “Có đồng chí vắng”, hoặc gõ luôn tên các đồng chí vắng và lý do, ví dụ "
                      "“vắng đ/c Thắng đi làm ca, đ/c Nam ốm”.")
    _set_absent(ctx, draft, items)
    return "absent"


@validator("meeting.absentees")
async def check_absentees(ctx: Context, draft: Draft, value: str) -> str:
    """The group's “which member” field: one member (then asked with or without a reason), or several absentees
    with their reasons in one message, which answers the whole list."""
    roster = draft.answers.get("roster") or []
    entry = draft.pending_group("absent")
    if candidates(value, roster) or entry is None:
        return await check_absentee(ctx, draft, value)
    so_far = [dict(i) for i in entry.items]
    items = _absentees(ctx, draft, as_typed(ctx, value), so_far)
    if not items:
        return await check_absentee(ctx, draft, value)  # its message says why
    draft.release("absent")
    _set_absent(ctx, draft, so_far + items)
    return items[0]["who"]


def absent_question(absent: list[dict[str, Any]] | None) -> str:
    names = [i["who"] for i in absent or [] if i.get("asked")]
    if len(names) == 1:
        return (f"Đồng chí {names[0]} vắng có lý do không? Gõ lý do (ví dụ “ốm”, “đi công tác”), hoặc chọn "
                "“Không lý do”.")
    return (f"Các đồng chí {', '.join(names)} vắng có lý do không? Gõ lý do của từng đồng chí (ví dụ “"
            f"{names[0].split()[-1]} ốm, {names[1].split()[-1]} không lý do”), một lý do chung (ví dụ “đi công tác”), "
            f"hoặc chọn “Không lý do” nếu cả {len(names)} đồng chí vắng không lý do.")


def absent_example(roster: list[dict[str, Any]], chair: str | None, secretary: str | None) -> str:
    """A given name for the roll call's example: a member who may be absent."""
    names = [m["name"] for m in roster if not m["exempt"] and m["name"] not in (chair, secretary)]
    return names[-1].split()[-1] if names else "Thắng"


environment().globals.update(meeting_absent_question=absent_question, meeting_absent_example=absent_example)


@validator("meeting.absent_why")
async def check_absent_why(ctx: Context, draft: Draft, value: str) -> str:
    """The one question about absentees typed without a reason: each one's reason, a common one, or none."""
    items = [dict(i) for i in draft.answers.get("absent") or []]
    asked = [i for i in items if i.get("asked")]
    names = {i["who"] for i in asked}
    roster = [m for m in draft.answers.get("roster") or [] if m["name"] in names]
    said: dict[str, tuple[str | None, str]] = {}
    if value == "none":
        said = {n: (UNEXCUSED, "") for n in names}
    elif names_at_start(value, roster)[0]:
        said = {a.name: (a.status, a.reason) for a in parse_absentees(as_typed(ctx, value), roster)}
        missing = [n for n in names if n not in said or said[n][0] is None]
        if missing:
            raise Invalid(f"Còn chưa rõ đồng chí {', '.join(missing)} vắng có lý do không. Xin gõ lý do của từng "
                          "đồng chí, ví dụ “" + ", ".join(f"{n.split()[-1]} ốm" for n in missing) + "”.")
    else:
        status, reason = status_of(value)
        said = {n: (status, reason) for n in names}
    for n, (status, reason) in said.items():
        if status == EXCUSED and (not reason or fold(reason) in {"co", "co a", "co ly do"}):
            raise Invalid(f"Xin ghi lý do vắng của đồng chí {n}, ví dụ “ốm”, “đi công tác”.")
    for i in asked:
        status, reason = said[i["who"]]
        i.pop("reason", None)
        i["status"] = EXCUSED if status == EXCUSED else UNEXCUSED
        if status == EXCUSED:
            i["reason"] = reason_text(ctx, reason)
    draft.answers["absent"] = items
    return value


# -- the vote ------------------------------------------------------------------------------------

@validator("meeting.vote")
async def check_vote(ctx: Context, draft: Draft, value: str) -> int:
    """The votes for, as a number (the votes against are then asked, as always) or as people say them
    (“nhất trí 100%”, “5/5”, “9 tán thành, 1 không”), which answers the votes against too when it says or implies
    them."""
    present = attendance_of(draft.answers).present
    vote = parse_vote(str(value), present)
    if re.fullmatch(r"\s*\d+\s*", str(value)):
        return vote.for_
    if vote.against is None:
        draft.answers.pop("vote_against", None)  # asked next
        return vote.for_
    draft.answers["vote_against"] = vote.against
    rest = present - vote.for_ - vote.against
    ctx.warn(f"Ghi nhận biểu quyết: {vote.for_}/{present} đồng chí tán thành ({percent(vote.for_, present)}), "
             f"{vote.against} đồng chí không tán thành" + (f", {rest} đồng chí không biểu quyết" if rest else "") + ".")
    return vote.for_


# -- tasks ---------------------------------------------------------------------------------------

@validator("meeting.task_owner")
async def check_task_owner(ctx: Context, draft: Draft, value: str) -> str:
    """Who does a task; or whole tasks typed “Tuấn: chủ trì tổng vệ sinh trước 15/12”, one a line, which are added
    to the list at once."""
    entry = draft.pending_group("tasks")
    tasks = parse_tasks(as_typed(ctx, value), draft.answers.get("roster") or [], ctx.clock.today())
    if tasks is None or entry is None:
        return await check_person(ctx, draft, value)
    held = draft.answers.get("held_on")
    added = []
    for t in tasks:
        if held and t.due < held:
            raise Invalid(f"Hạn {dates.format_date_short(date.fromisoformat(t.due))} của việc “{t.what}” ở trước ngày "
                          f"sinh hoạt ({dates.format_date_short(date.fromisoformat(held))}). Xin gõ lại.")
        what = clean(tidied(ctx, t.what, "item"))
        added.append({"owner": t.owner, "what": what, "due": t.due})
    entry.items.extend(added)
    entry.item = entry.field = None
    ctx.warn(f"Đã thêm {len(added)} việc: " + "; ".join(
        f"{a['owner']} — {a['what']} — hạn {dates.format_date_short(date.fromisoformat(a['due']))}" for a in added)
        + ". Gõ thêm việc khác, hoặc “xong”.")
    return value
