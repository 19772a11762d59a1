"""`/sinhhoat`: log a meeting (flow `meeting`, data/flows/meeting.yaml) or write its Nghị quyết / Kết luận
(flow `resolution`); meeting questions asked in plain words.

`/sinhhoat` starts the flow `meeting` with these answers already set:

* `roster`: the unit's roster copied from the profile (name, status, exempt), so the minutes keep the
  roster as it was on the day and every count can be computed again from the stored answers;
* `prev`: the tasks given at the last regular meeting, each with its status on the deadline tracker
  (None when there is none): shown when the chi ủy reviews last month, and put in the agenda;
* `notices`: the recent meeting notices with the absences members announced (handlers/meetings/notice_roll.py).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from bot.messages import Outgoing
from bot.rhythm import short
from bot.store import Deadline, Store
from bot.text import fold, parse_id
from handlers import remembered
from handlers.context import Context
from handlers.meetings.attendance import roster_snapshot
from handlers.meetings.notice_roll import notice_absences
from handlers.meetings.rhythm import cmd_rhythm, this_month

NEEDS_ROSTER = ("Hồ sơ đơn vị chưa có danh sách đảng viên (hoặc mọi đồng chí đều được miễn sinh hoạt), nên chưa "
                "điểm danh được. Gõ /donvi, chọn “Sửa hồ sơ” để thêm danh sách đảng viên, rồi gõ lại /sinhhoat.")


def _completed(row: Deadline) -> str:
    """“đã hoàn thành (đ/c Nguyễn Thị Hoa báo xong ngày 03/12)”, as far as the tracker knows who and when."""
    who = f"đ/c {row.done_by_name} báo xong" if row.done_by_name else "xong"
    if not row.done_at:
        return "đã hoàn thành" + (f" ({who})" if row.done_by_name else "")
    try:
        day = datetime.fromisoformat(row.done_at).strftime("%d/%m")
    except ValueError:
        return "đã hoàn thành"
    return f"đã hoàn thành ({who} ngày {day})"


async def previous_tasks(store: Store, unit_id: int, today: date) -> dict[str, Any] | None:
    """The tasks given at the last regular meeting and at the meetings held since, with their status today."""
    last = await store.previous_regular_meeting(unit_id)
    tasks: list[dict[str, Any]] = []
    names: list[str] = []
    for meeting in await store.meetings_since(unit_id, last.held_on if last else None):
        rows = await store.meeting_tasks(meeting.id)
        if not rows:
            continue
        if meeting.kind == "thuong_ky":
            names.append(f"buổi sinh hoạt thường kỳ tháng {meeting.period_month}/{meeting.period_year}")
        else:
            names.append(f"buổi sinh hoạt chuyên đề ngày {short(meeting.held_on)}")
        for r in rows:
            done = r.status == "done"
            status = (_completed(r) if done else "chưa hoàn thành, đã quá hạn" if r.due < today
                      else "đang thực hiện")
            tasks.append({"what": r.title, "owner": r.assignee or "", "due": r.due.isoformat(), "done": done,
                          "status": status})
    if not tasks:
        return None
    label = ", ".join(names[:-1]) + (" và " if len(names) > 1 else "") + names[-1]
    shown = [f"Các việc chi bộ giao tại {label} (theo danh sách hạn chót):"]
    shown += [f"{n}. {t['owner'] + ': ' if t['owner'] else ''}{t['what']} — hạn {short(date.fromisoformat(t['due']))}: {t['status']}"
              for n, t in enumerate(tasks, 1)]
    return {"label": label, "tasks": tasks, "shown": "\n".join(shown)}


async def cmd_meeting(ctx: Context, arg: str) -> list[Outgoing]:
    assert ctx.unit is not None
    word, _, rest = arg.partition(" ")
    kind = {"nghiquyet": "NQ", "nq": "NQ", "ketluan": "KL", "kl": "KL"}.get(fold(word).replace(" ", ""))
    if kind:
        return await start_resolution(ctx, kind, rest.strip())
    if fold(arg) in ("nhip", "nhip sinh hoat"):
        return await cmd_rhythm(ctx, "")
    return await start_minutes(ctx, {})


async def start_minutes(ctx: Context, given: dict[str, Any]) -> list[Outgoing]:
    """The flow `meeting`, with `given` answers besides the roster and the previous tasks (the kind, month
    and day a message named: handlers/intents.py)."""
    assert ctx.unit is not None
    people = await ctx.people()
    roster = roster_snapshot(people)
    if not any(not m["exempt"] for m in roster):
        return [Outgoing(text=NEEDS_ROSTER)]
    prev = await previous_tasks(ctx.store, ctx.unit.id, ctx.clock.today())
    notices = await notice_absences(ctx, people)  # absences announced answering a notice: offered at the roll call
    return await ctx.engine.start(ctx, "meeting", answers={**given, "roster": roster, "prev": prev, "notices": notices})


async def start_resolution(ctx: Context, kind: str, ident: str) -> list[Outgoing]:
    """The resolution flow for meeting `ident` (the last one held when it is not a number)."""
    assert ctx.unit is not None
    if ident.strip()[:1].isdigit():
        meeting_id = parse_id(ident)
        row = await ctx.store.meeting_answers(ctx.unit.id, meeting_id) if meeting_id is not None else None
    else:
        row = await ctx.store.last_meeting_answers(ctx.unit.id)
    if row is None:
        return [Outgoing(text="Không tìm thấy buổi sinh hoạt này. Gõ /sinhhoat để ghi biên bản trước, rồi soạn nghị "
                              "quyết hoặc kết luận từ biên bản đó.")]
    answers = {"res_kind": kind, "m": row.answers, "meeting_id": row.id}
    return await ctx.engine.start(ctx, "resolution", answers=answers,
                                  pending=await remembered.recipients(ctx, "resolution", answers))


_ASKS_RHYTHM = re.compile(r"\bsinh hoat\b.*\bchua\b|\b(?:chi bo|da) hop\b.*\bchua\b|\bhop chi bo\b.*\bchua\b"
                          r"|\bnhip sinh hoat\b")
_WANTS_MINUTES = re.compile(r"^(?:ghi|lap|lam|soan) bien ban(?: sinh hoat| hop)?(?: chi bo)?$")


async def free_text(ctx: Context, text: str) -> list[Outgoing] | None:
    """Questions about meetings in plain words; None when the text is not one."""
    if not ctx.unit:
        return None
    folded = fold(text).strip(" ?.!")
    if _ASKS_RHYTHM.search(folded):
        return await this_month(ctx)
    if _WANTS_MINUTES.match(folded):
        return await cmd_meeting(ctx, "")
    return None

