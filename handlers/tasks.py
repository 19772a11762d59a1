"""`/viec`: the open tasks of the roster member an account is, and her answers to a reminder.

A member's reminder (bot/reminders/texts.py) offers “Đã xong” (`/viec xong <id>`) and “Hoãn 3 ngày”
(`/viec hoan <id> 3`); typed, “xong”, “đã xong”, “hoãn 3 ngày” answer the latest reminder sent to the chat (or her
only task), and “xong việc 2”, “hoãn việc 2 3 ngày” the task numbered 2 in `/viec`. A member acts only on the
tasks assigned to her roster member; a manager or the owner on any item of the unit. Marking done records who.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot import dates
from bot.agenda import line
from bot.messages import Choice, Outgoing
from bot.roles import MANAGER, at_least
from bot.store import Deadline
from bot.text import fold, parse_id
from handlers import permissions
from handlers.context import Context

NO_PERSON = ("Đồng chí chưa được gắn với tên nào trong danh sách đảng viên của đơn vị, nên tôi chưa biết việc nào "
             "được giao cho đồng chí. Xin đề nghị bí thư chi bộ gắn tài khoản này với tên của đồng chí.")
BUTTONS = 8  # tasks listed with their own choices
SNOOZE_DAYS = 3

# Typed answers (folded words): “xong”, “đã xong rồi”, “xong việc 2”; “hoãn 3 ngày”, “hoãn việc 2 3 ngày”.
DONE = re.compile(r"^(?:da |lam )?xong(?: roi)?(?: (?:viec|so) (?P<n>\d{1,2}))?(?: roi)?$")
SNOOZE = re.compile(r"^(?:xin )?hoan(?: (?:viec|so) (?P<n>\d{1,2}))?(?: (?:them )?(?P<days>\d{1,2})(?: ngay)?)?$")


def _open_now(rows: list[Deadline], today: date) -> list[Deadline]:
    """Her open tasks worth listing, overdue first, then by day (past events left out)."""
    rows = [r for r in rows if not (r.kind == "event" and r.day < today)]
    return sorted(rows, key=lambda r: (not (r.kind != "event" and r.due < today), r.day, r.at_time or "", r.id))


async def _mine(ctx: Context) -> list[Deadline] | None:
    assert ctx.unit is not None
    if ctx.account is None or ctx.account.person_id is None:
        return None
    return _open_now(await ctx.store.person_tasks(ctx.unit.id, ctx.account.person_id), ctx.clock.today())


async def my_tasks(ctx: Context) -> list[Outgoing]:
    rows = await _mine(ctx)
    manager = at_least(ctx.role, MANAGER)
    if rows is None:
        text = NO_PERSON + (" Gõ /hanchot để xem mọi việc của đơn vị." if manager else "")
        return [Outgoing(text=text)]
    if not rows:
        return [Outgoing(title="Việc của tôi", text="Đồng chí không có việc nào đang mở được giao."
                         + (" Gõ /hanchot để xem mọi việc của đơn vị." if manager else ""))]
    today = ctx.clock.today()
    lines: list[str] = []
    choices: list[Choice] = []
    late = [r for r in rows if r.kind != "event" and r.due < today]
    n = 0
    for title, group in (("Quá hạn", late), ("Sắp tới", rows[len(late):])):
        if not group:
            continue
        lines.append(f"{title} ({len(group)}):")
        for row in group:
            n += 1
            lines.append(f"{n}. {line(row, today)}")
            if n <= BUTTONS:
                choices += [Choice(f"Xong {n}", f"/viec xong {row.id}"),
                            Choice(f"Hoãn {n}", f"/viec hoan {row.id} {SNOOZE_DAYS}")]
    lines.append("Bấm “Xong N” khi đã làm xong việc N, “Hoãn N” để được nhắc lại sau 3 ngày "
                 "(hoặc gõ “xong việc 2”, “hoãn việc 2 3 ngày”).")
    return [Outgoing(title="Việc của tôi", text="\n".join(lines), choices=choices)]


async def _act(ctx: Context, verb: str, row: Deadline | None, days: int) -> list[Outgoing]:
    assert ctx.unit is not None
    if row is None:
        return [Outgoing(text="Không tìm thấy việc này trong danh sách của đơn vị. Gõ /viec để xem việc của mình.")]
    if not await permissions.can_act_on(ctx, row):
        return [Outgoing(text=permissions.NOT_YOURS)]
    if row.status != "open":
        return [Outgoing(text=f"Việc “{row.title}” đã được đánh dấu xong từ trước.")]
    if verb == "xong":
        name = await doer_name(ctx)
        await ctx.store.mark_deadline_done(ctx.unit.id, row.id, ctx.clock.now().isoformat(timespec="seconds"),
                                           by=ctx.actor, by_name=name)
        return [Outgoing(text=f"Đã ghi nhận hoàn thành: {row.title}. Cảm ơn đồng chí!")]
    until = ctx.clock.today() + timedelta(days=days)
    await ctx.store.snooze_deadline(ctx.unit.id, row.id, until)
    return [Outgoing(text=f"Đã hoãn nhắc “{row.title}” đến {dates.weekday_vi(until)}, "
                          f"{dates.format_date_short(until)}.")]


async def doer_name(ctx: Context) -> str | None:
    """Who marks a task done, as /hanchot shows it: her roster name, else the account's name."""
    if ctx.account is None:
        return None
    if ctx.account.person_id is not None:
        for person in await ctx.people():
            if person.id == ctx.account.person_id:
                return person.name
    return ctx.account.display_name or None


async def cmd_tasks(ctx: Context, arg: str) -> list[Outgoing]:
    assert ctx.unit is not None
    verb, _, rest = arg.strip().partition(" ")
    verb = fold(verb)
    if verb in ("xong", "hoan"):
        ident, _, extra = rest.strip().partition(" ")
        item_id = parse_id(ident)
        row = await ctx.store.deadline(item_id, ctx.unit.id) if item_id is not None else None
        days = int(extra) if re.fullmatch(r"[0-9]{1,2}", extra.strip()) and 0 < int(extra) <= 60 else SNOOZE_DAYS
        return await _act(ctx, verb, row, days)
    return await my_tasks(ctx)


async def typed_answer(ctx: Context, text: str) -> list[Outgoing]:
    """“xong”, “xong việc 2”, “hoãn 3 ngày”, “hoãn việc 2 3 ngày”: the task meant, then as its choice."""
    from handlers.intents import order_words  # the intent table lists this function

    assert ctx.unit is not None
    said = order_words(text).strip(" .!")
    done, snooze = DONE.fullmatch(said), SNOOZE.fullmatch(said)
    found = done or snooze
    if found is None:  # chosen from the suggestions (/lam), not typed: her tasks, each with its choices
        return await my_tasks(ctx)
    verb = "xong" if done else "hoan"
    days = int(snooze.group("days")) if snooze and snooze.group("days") else SNOOZE_DAYS
    if not 0 < days <= 60:
        return [Outgoing(text="Xin hoãn từ 1 đến 60 ngày, ví dụ “hoãn 3 ngày”.")]
    mine = await _mine(ctx)
    if found.group("n"):
        if mine is None:
            return [Outgoing(text=NO_PERSON)]
        n = int(found.group("n"))
        if not 0 < n <= len(mine):
            return [Outgoing(text=f"Đồng chí có {len(mine)} việc đang mở; gõ /viec để xem số thứ tự của từng việc.")]
        return await _act(ctx, verb, mine[n - 1], days)
    last = await ctx.store.last_reminded_item(ctx.incoming.channel, ctx.incoming.chat_id)
    row = await ctx.store.deadline(last, ctx.unit.id) if last is not None else None
    if row is not None and row.status == "open":
        return await _act(ctx, verb, row, days)
    if mine is not None and len(mine) == 1:
        return await _act(ctx, verb, mine[0], days)
    if mine is None:
        return [Outgoing(text=NO_PERSON)]
    if not mine:
        return [Outgoing(text="Đồng chí không có việc nào đang mở được giao.")]
    return [Outgoing(text="Đồng chí muốn nói việc nào? Gõ “xong việc N” hoặc “hoãn việc N 3 ngày” theo số trong danh "
                          "sách dưới đây.")] + await my_tasks(ctx)
