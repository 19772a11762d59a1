"""The roll call of `/sinhhoat` after a notice (handlers/meetings/notice.py): the absences members announced.

`/sinhhoat` starts the flow with `notices`: the notices of meetings from FOUND_BACK days ago to a week ahead,
each with the members who asked to be excused (named as in the roster snapshot, with their reasons). The roll
call takes the notice of the meeting's day, else the latest one, and offers its absences as the first choice
(“Vắng như đã báo: …”); she may take it, or answer as without a notice. Taken, the absent list is filled in and
the attendance summary shows it, to correct with “quay lại” like any answer.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.messages import Choice
from bot.store.records import Person
from bot.templating import environment
from handlers.context import Context
from handlers.draft import Draft
from handlers.forms import provider
from handlers.meetings.attendance import roster_snapshot

FOUND_BACK = 30  # days back a notice of the meeting being minuted is looked for (and a week ahead)
FROM_NOTICE = "notice"  # the roll call's choice: the absences of the notice


async def notice_absences(ctx: Context, people: list[Person]) -> list[dict[str, Any]]:
    """[{id, on, absent: [{who, status, reason}]}] of the recent notices, the latest sent first."""
    assert ctx.unit is not None
    today = ctx.clock.today()
    names = {p.id: m["name"] for p, m in zip(people, roster_snapshot(people), strict=True)}
    out: list[dict[str, Any]] = []
    for notice in await ctx.store.notices_between(ctx.unit.id, today - timedelta(days=FOUND_BACK),
                                                  today + timedelta(days=7)):
        absent = []
        for r in await ctx.store.notice_replies(notice.id):
            if r.status != "absent" or r.person_id not in names:
                continue
            item: dict[str, Any] = {"who": names[r.person_id], "status": "excused" if r.reason else "absent"}
            if r.reason:
                item["reason"] = r.reason[:1].upper() + r.reason[1:]
            absent.append(item)
        out.append({"id": notice.id, "on": notice.meeting_on.isoformat(), "absent": absent})
    return out


def notice_of(notices: list[dict[str, Any]] | None, held_on: str | None) -> dict[str, Any] | None:
    """The notice of the meeting held on `held_on`, else the latest one sent (None without any)."""
    if not notices:
        return None
    return next((n for n in notices if n["on"] == held_on), notices[0])


def usable(answers: dict[str, Any]) -> list[dict[str, Any]]:
    """The notice's absences that can stand in this meeting's absent list (not the chair, secretary or exempt)."""
    notice = notice_of(answers.get("notices"), answers.get("held_on"))
    if notice is None:
        return []
    roster = {m["name"]: m for m in answers.get("roster") or []}
    busy = {answers.get("chair"), answers.get("secretary")}
    return [dict(i) for i in notice["absent"] if i["who"] in roster and not roster[i["who"]]["exempt"]
            and i["who"] not in busy]


def shown(items: list[dict[str, Any]]) -> str:
    return "; ".join(f"đ/c {i['who']}" + (f" — vắng có lý do: {i['reason'][:1].lower()}{i['reason'][1:]}"
                                          if i.get("reason") else " — vắng không lý do") for i in items)


def notice_note(notices: list[dict[str, Any]], held_on: str | None, roster: list[dict[str, Any]],
                chair: str | None, secretary: str | None) -> str:
    """A sentence for the roll call: who asked to be excused in answer to the notice."""
    items = usable({"notices": notices, "held_on": held_on, "roster": roster, "chair": chair, "secretary": secretary})
    if not items:
        return ""
    return f"Theo trả lời thông báo họp, {len(items)} đồng chí đã xin vắng: {shown(items)}."


environment().globals.update(meeting_notice_note=notice_note)


@provider("meeting.roll_options")
async def roll_options(ctx: Context, draft: Draft) -> list[Choice]:
    items = usable(draft.answers)
    out = [Choice("Vắng như đã báo: " + ", ".join(i["who"] for i in items), FROM_NOTICE)] if items else []
    return out + [Choice("Có mặt đủ", "full"), Choice("Có đồng chí vắng", "absent")]
