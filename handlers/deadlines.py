"""The deadline tracker: /hanchot, /tuannay, adding items in one message, importing a plan from above."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import dates
from bot.agenda import line, week_of
from bot.dates_text import split_when
from bot.messages import Choice, Outgoing
from bot.store import Deadline, NewDeadline
from bot.tasks import done_text
from bot.text import fold, parse_id
from handlers import permissions
from handlers.context import Context
from handlers.draft import Draft
from handlers.forms import Invalid, action, item_type, validator
from handlers.menus import again, from_menu, menu
from handlers.plans import DATE_LIKE
from handlers.tasks import doer_name

if TYPE_CHECKING:
    from bot.extract.worker import Found

KIND_LABELS = {"deadline": "Hạn chót", "event": "Sự kiện", "period": "Thời gian thực hiện"}
LIST_LIMIT = 30
DONE_SHOWN = timedelta(days=14)  # /hanchot shows the items marked done within this long, with who did them
DONE_LIMIT = 10
PASTED_PLAN = 300  # characters: a longer message with dates is read as a plan to import

# -- reading a date phrase ----------------------------------------------------------------------

def reading(when: dates.When) -> dict[str, Any]:
    """How the assistant understood a time phrase: the text it echoes, and the values it stores."""
    return {"text": f"{KIND_LABELS[when.kind]}: {dates.format_when(when)}", "kind": when.kind,
            "due": when.due.isoformat(), "start": when.start.isoformat() if when.start else None,
            "time": when.time.strftime("%H:%M") if when.time else None}


@validator("deadline.when")
async def check_when(ctx: Context, draft: Draft, value: str) -> dict[str, Any]:
    try:
        when = dates.parse_when(value, today=ctx.clock.today())
    except dates.DateError as exc:
        raise Invalid(str(exc)) from None
    if when.kind != "period" and when.due < ctx.clock.today():
        ctx.warn(f"Lưu ý: {dates.format_date_short(when.due)} đã qua; tôi vẫn ghi nhận.")
    return reading(when)


_PERIOD_LEADS = ("trong", "truoc", "han", "vao", "den", "het", "cham nhat", "thoi gian", "xong")


def title_and_when(text: str, today: date) -> tuple[str, dates.When | None]:
    """A one-line item's title without its date phrase, and the reading of that phrase (None: no date):
    "Nộp báo cáo sơ kết trước 15/12" -> ("Nộp báo cáo sơ kết", the deadline 15/12). A period named without a lead
    word is part of the title ("Thu đảng phí quý I", "Báo cáo tháng 12"); with one it is the date ("… trong tháng 11")."""
    found = split_when(text, today=today)
    if found is not None and found[0].kind == dates.PERIOD:
        cut = fold(text).replace(fold(found[1]), "", 1).strip(" ,;:-")
        if not cut.startswith(_PERIOD_LEADS):
            found = None
    if found is None or not found[1]:
        return text.strip().rstrip("."), found[0] if found else None
    when, title = found
    return title[:1].upper() + title[1:], when


@validator("deadline.title")
async def check_title(ctx: Context, draft: Draft, value: str) -> str:
    """A title typed with its date ("Nộp báo cáo sơ kết trước 15/12") answers the time question too."""
    title, when = title_and_when(value, ctx.clock.today())
    if when is None:
        return title
    if title == value.strip().rstrip("."):  # only a date was typed
        raise Invalid("Xin ghi việc cần làm (hạn hỏi ở câu sau), ví dụ “Nộp báo cáo sơ kết 6 tháng”.")
    draft.answers["when"] = reading(when)
    ctx.warn(f"Ghi nhận: {draft.answers['when']['text']} — {title}.")
    if when.kind != "period" and when.due < ctx.clock.today():
        ctx.warn(f"Lưu ý: {dates.format_date_short(when.due)} đã qua; tôi vẫn ghi nhận.")
    return title


def show_found(item: dict[str, Any]) -> str:
    when = dates.When(item["kind"], date.fromisoformat(item["due"]),
                      date.fromisoformat(item["start"]) if item.get("start") else None, None)
    who = f" — {item['who']}" if item.get("who") else ""
    head = f"{KIND_LABELS[item['kind']]} {dates.format_when(when)}{who}"
    title = item.get("title") or ""
    if not title or fold(title) in fold(item["quote"]):  # a typed item: its words are its title
        return f"{head}: “{item['quote']}”"
    return f"{head}: {title} (“{item['quote']}”)"


@item_type("found", show=show_found, separator="\n")
def parse_found(ctx: Context, text: str) -> dict[str, Any]:
    """A dated item typed during an import, e.g. “Nộp báo cáo trước 20/6/2027”."""
    try:
        when = dates.parse_when(text, today=ctx.clock.today())
    except dates.DateError as exc:
        raise Invalid(str(exc)) from None
    return {**reading(when), "who": None, "quote": text.strip(), "title": title_and_when(text, ctx.clock.today())[0]}


# -- listing and answering ----------------------------------------------------------------------

def _numbered(groups: list[tuple[str, list[Deadline]]], today: date) -> tuple[list[str], list[Choice]]:
    lines: list[str] = []
    choices: list[Choice] = []
    for title, rows in groups:
        if not rows:
            continue
        lines.append(f"{title} ({len(rows)}):")
        for row in rows:
            n = len(choices) + 1
            lines.append(f"{n}. {line(row, today)}")
            if n <= LIST_LIMIT:
                choices.append(Choice(str(n), f"/hanchot xem {row.id}"))
    return lines, choices


async def cmd_deadlines(ctx: Context, arg: str) -> list[Outgoing]:
    assert ctx.unit is not None
    verb, _, rest = arg.partition(" ")
    verb = fold(verb)
    if verb == "them":
        return await ctx.engine.start(ctx, "deadline")
    if verb in ACTIONS_ON_ITEM:
        ident, _, extra = rest.strip().partition(" ")
        item_id = parse_id(ident)
        row = await ctx.store.deadline(item_id, ctx.unit.id) if item_id is not None else None
        if row is None:
            return [Outgoing(text="Không tìm thấy việc này trong danh sách của đơn vị.")]
        if not await permissions.can_act_on(ctx, row):  # a member: only her own items (the router checked the verb)
            return [Outgoing(text=permissions.NOT_YOURS)]
        reply = await ACTIONS_ON_ITEM[verb](ctx, row, extra.strip())
        return await again(ctx, "hanchot", reply) if verb in ("xong", "hoan", "xoa") else reply
    today = ctx.clock.today()
    monday, sunday = week_of(today)
    groups = [("Quá hạn", await ctx.store.overdue_deadlines(ctx.unit.id, today)),
              ("Tuần này", await ctx.store.deadlines_between(ctx.unit.id, today, sunday)),
              ("Sắp tới", await ctx.store.deadlines_after(ctx.unit.id, sunday, LIST_LIMIT))]
    groups = [(title, await permissions.visible(ctx, rows)) for title, rows in groups]  # a member: her own
    lines, choices = _numbered(groups, today)
    if not lines and not permissions.allowed(ctx, "hanchot them"):
        return [Outgoing(title="Việc được giao cho đồng chí", text="Hiện không có việc nào đang mở giao cho đồng chí. "
                         "Bí thư hoặc người cùng quản lý giao việc trong biên bản, kế hoạch hoặc danh sách hạn chót; "
                         "việc giao cho đồng chí sẽ hiện ở đây.")]
    if not lines:
        lines = ["Chưa có hạn chót nào đang mở. Gõ một câu như “Nộp báo cáo sơ kết trước 15/6” để thêm, "
                 "hoặc gửi tệp kế hoạch (.docx) nhận từ cấp trên để tôi tìm các hạn trong đó."]
    else:
        lines.append("Chọn số để xem, đánh dấu xong, hoãn, sửa hoặc xóa việc đó.")
    done = await ctx.store.done_recently(ctx.unit.id, (ctx.clock.now() - DONE_SHOWN).isoformat(timespec="seconds"),
                                         DONE_LIMIT)
    if done:
        lines.append(f"Đã xong gần đây ({len(done)}):")
        lines += [f"- {row.title}" + (f" ({row.assignee})" if row.assignee else "") + f": {done_text(row)}"
                  for row in done]
    return [Outgoing(title="Hạn chót của đơn vị", text="\n".join(lines),
                     choices=choices + [Choice("Thêm việc", "/hanchot them")])]


@menu("hanchot")
async def deadlines_menu(ctx: Context) -> list[Outgoing]:
    return await cmd_deadlines(ctx, "")


# -- one item -----------------------------------------------------------------------------------

async def show_item(ctx: Context, row: Deadline, extra: str) -> list[Outgoing]:
    ident = row.id
    status = done_text(row) if row.status == "done" else "đang mở"
    return [Outgoing(title=row.title, text=f"{line(row, ctx.clock.today())}\nTrạng thái: {status}", choices=[
        Choice("Đã xong", f"/hanchot xong {ident}"), Choice("Hoãn 1 ngày", f"/hanchot hoan {ident} 1"),
        Choice("Hoãn 3 ngày", f"/hanchot hoan {ident} 3"), Choice("Hoãn đến ngày…", f"/hanchot hoanden {ident}"),
        Choice("Sửa", f"/hanchot sua {ident}"), Choice("Xóa", f"/hanchot xoa {ident}")])]


async def mark_done(ctx: Context, row: Deadline, extra: str) -> list[Outgoing]:

    await ctx.store.mark_deadline_done(row.unit_id, row.id, ctx.clock.now().isoformat(timespec="seconds"),
                                       by=ctx.actor, by_name=await doer_name(ctx))
    return [Outgoing(text=f"Đã đánh dấu hoàn thành: {row.title}.")]


async def snooze(ctx: Context, row: Deadline, extra: str) -> list[Outgoing]:
    days = int(extra) if re.fullmatch(r"[0-9]{1,2}", extra) and 0 < int(extra) <= 60 else 1
    until = ctx.clock.today() + timedelta(days=days)
    await ctx.store.snooze_deadline(row.unit_id, row.id, until)
    return [Outgoing(text=f"Đã hoãn nhắc “{row.title}” đến {dates.weekday_vi(until)}, "
                          f"{dates.format_date_short(until)}.")]


async def snooze_to(ctx: Context, row: Deadline, extra: str) -> list[Outgoing]:
    return await ctx.engine.start(ctx, "deadline_snooze", meta=from_menu("hanchot", {"id": row.id}))


@action("deadline.snooze_to")
async def save_snooze(ctx: Context, draft: Draft) -> list[Outgoing]:
    assert ctx.unit is not None
    until = date.fromisoformat(draft.answers["until"])
    row = await ctx.store.deadline(draft.meta["id"], ctx.unit.id)
    if row is None:
        return [Outgoing(text="Việc này không còn trong danh sách của đơn vị.")]
    if not await permissions.can_act_on(ctx, row):  # her role or the item's person changed while she answered
        return [Outgoing(text=permissions.NOT_YOURS)]
    await ctx.store.snooze_deadline(ctx.unit.id, row.id, until)
    return [Outgoing(text=f"Đã hoãn nhắc việc này đến {dates.weekday_vi(until)}, {dates.format_date_short(until)}.")]


async def edit(ctx: Context, row: Deadline, extra: str) -> list[Outgoing]:
    when = dates.When(row.kind, row.due, row.start,
                      datetime.strptime(row.at_time, "%H:%M").time() if row.at_time else None)
    answers = {"title": row.title, "when": reading(when), "who": row.assignee}
    return await ctx.engine.start(ctx, "deadline", answers=answers, meta=from_menu("hanchot", {"id": row.id}),
                                  review=True)


async def delete(ctx: Context, row: Deadline, extra: str) -> list[Outgoing]:
    await ctx.store.delete_deadline(row.unit_id, row.id)
    return [Outgoing(text=f"Đã xóa: {row.title}.")]


ACTIONS_ON_ITEM = {"xem": show_item, "xong": mark_done, "hoan": snooze, "hoanden": snooze_to, "sua": edit,
                   "xoa": delete}


def _new_deadline(title: str, when: dict[str, Any], who: str | None) -> NewDeadline:
    """A tracker item from a title, the reading of its time phrase (see `reading`) and who does it."""
    return NewDeadline(kind=when["kind"], title=title, due=date.fromisoformat(when["due"]),
                       start=date.fromisoformat(when["start"]) if when["start"] else None, at_time=when["time"],
                       assignee=who)


@action("deadline.save")
async def save(ctx: Context, draft: Draft) -> list[Outgoing]:
    assert ctx.unit is not None
    answers, meta = draft.answers, draft.meta
    when = answers["when"]
    item = _new_deadline(answers["title"], when, answers.get("who"))
    if meta.get("id"):
        await ctx.store.update_deadline(ctx.unit.id, meta["id"], item)
        return [Outgoing(text=f"Đã sửa: {when['text']} — {answers['title']}.")]
    await ctx.store.add_deadline(ctx.unit.id, item, source="", created_at=ctx.clock.now().isoformat())
    return [Outgoing(text=f"Đã lưu: {when['text']} — {answers['title']}. Gõ /hanchot để xem danh sách.")]


# -- importing a plan from above ----------------------------------------------------------------

def found_items(found: Found) -> list[dict[str, Any]]:
    """The items of a read plan as the import flow keeps them (see `show_found`), by date."""
    from bot.extract import by_date

    return [{"kind": i.kind, "due": i.due.isoformat(), "start": i.start.isoformat() if i.start else None,
             "time": i.time.strftime("%H:%M") if i.time else None, "who": i.who, "quote": i.quote,
             "title": i.label or i.quote} for i in by_date(found.items)]


async def review_found(ctx: Context, found: Found, source: str) -> list[Outgoing]:
    items = found_items(found)
    if not items:
        return [Outgoing(text="Tôi không tìm thấy hạn chót hay mốc thời gian nào trong văn bản này. "
                              "Đồng chí có thể thêm từng việc bằng một câu, ví dụ “Nộp báo cáo trước 15/6”.")]
    answers = {"source": source} if source else {}
    note = Outgoing(text=f"Đã đọc văn bản: tìm thấy {len(items)} mốc thời gian (ngày trích dẫn văn bản khác và "
                         "ngày ban hành đã được bỏ qua).")
    out = await ctx.engine.start(ctx, "deadline_import", answers=answers, pending={"items": items},
                                 meta={"guess": found.heading})
    return [note] + out


async def import_text(ctx: Context, text: str, source: str) -> list[Outgoing]:
    """A plan pasted as a message: searched in a worker process (bot/extract/worker.py)."""
    from bot.extract.worker import extract_pasted

    try:
        found = await extract_pasted(text, ctx.clock.today())
    except ValueError as exc:  # over a limit (length, time, memory, items): the message names it
        return [Outgoing(text=str(exc))]
    return await review_found(ctx, found, source)


async def import_file(ctx: Context) -> list[Outgoing]:
    """A plan sent as a file: read and searched in a worker process, within the limits of
    bot/extract/limits.py; over one, a message that names it, and the conversation goes on."""
    from bot.extract.worker import read_and_extract

    attachment = ctx.incoming.attachment
    assert attachment is not None  # free_text calls this for a message with a file
    suffix = Path(attachment.name).suffix.lower()
    if suffix not in (".docx", ".txt", ".md"):
        return [Outgoing(text=f"Tôi chỉ đọc được tệp Word .docx (hoặc văn bản .txt). Tệp “{attachment.name}” "
                              "không phải loại này; nếu là tệp .doc hoặc .pdf, xin lưu lại thành .docx rồi gửi.")]
    try:
        found = await read_and_extract(attachment.data, attachment.name, ctx.clock.today())
    except ValueError as exc:
        return [Outgoing(text=str(exc))]
    return await review_found(ctx, found, source=Path(attachment.name).stem)


@action("deadline.import_save")
async def import_save(ctx: Context, draft: Draft) -> list[Outgoing]:
    assert ctx.unit is not None
    answers = draft.answers
    rows = [_new_deadline(i.get("title") or i["quote"], i, i["who"]) for i in answers["items"]]
    await ctx.store.add_deadlines(ctx.unit.id, rows, source=answers["source"], created_at=ctx.clock.now().isoformat())
    return [Outgoing(text=f"Đã đưa {len(rows)} mốc vào danh sách theo dõi, nguồn: {answers['source']}. "
                          "Gõ /hanchot để xem.")]


# -- a plan from above, announced ---------------------------------------------------------------

# “tôi có kế hoạch cấp trên”, “gửi kế hoạch”, “nhập kế hoạch của huyện ủy”, “tải kế hoạch lên”… (folded)
PLAN_TO_SEND = re.compile(r"\b(?:gui|nhap|tai|up|upload)\b.{0,20}\bke hoach\b|\bke hoach (?:cua )?cap tren\b")
PASTE_PLAN = ("Xin mở tệp kế hoạch, sao chép toàn bộ nội dung rồi dán vào đây thành một tin nhắn; tôi đọc văn bản "
              "dán vào như đọc tệp và tìm các hạn chót trong đó.")


async def offer_upload(ctx: Context) -> list[Outgoing]:
    """She has a plan from above to send: where the channel brings files, send it here; elsewhere (Zalo) a
    one-time upload link when the server has a public address, else paste the text."""
    if not permissions.allowed(ctx, "hanchot them"):
        return [permissions.refusal(ctx, "hanchot them")]
    if ctx.incoming.files:
        return [Outgoing(text="Xin gửi tệp kế hoạch (Word .docx hoặc văn bản .txt) vào cuộc trò chuyện này; tôi sẽ "
                              "tìm các hạn chót trong đó. Cũng có thể dán nội dung kế hoạch thành một tin nhắn.")]
    from bot.links import UPLOAD_HOURS, upload_link

    inc = ctx.incoming
    link = (await upload_link(ctx.store, ctx.settings, inc.channel, inc.chat_id, inc.user_id, ctx.clock.now())
            if ctx.settings is not None else None)
    if link is None:
        return [Outgoing(text=PASTE_PLAN)]
    return [Outgoing(text=f"Mở đường dẫn sau để chọn tệp kế hoạch (.docx hoặc .txt) trên điện thoại và gửi cho tôi: "
                          f"{link}\nĐường dẫn dùng được một lần, trong {UPLOAD_HOURS} giờ. Cũng có thể dán nội dung "
                          "kế hoạch thành một tin nhắn.")]


# -- plain words --------------------------------------------------------------------------------

async def free_text(ctx: Context, text: str) -> list[Outgoing] | None:
    """Questions and new items in plain words; None when the text is not one."""
    if ctx.incoming.attachment is not None:
        return await import_file(ctx)
    folded = fold(text)
    if not folded:
        return None
    if (len(folded.split()) <= 12 and "\n" not in text.strip() and PLAN_TO_SEND.search(folded)
            and not DATE_LIKE.search(text)):
        return await offer_upload(ctx)
    if len(text) > PASTED_PLAN or text.count("\n") >= 2:
        return await import_text(ctx, text, source="")
    if "?" in text:
        return None
    return await add_item(ctx, text)


async def add_item(ctx: Context, text: str) -> list[Outgoing] | None:
    """A new item typed in one line (“Nộp báo cáo sơ kết trước 15/12”): its review, the date kept out of its
    title; None when the text names no date, a message when it names a wrong one."""
    try:
        when = dates.parse_when(text, today=ctx.clock.today())
    except dates.DateError as exc:
        return [Outgoing(text=str(exc))] if DATE_LIKE.search(text) else None
    answers = {"title": title_and_when(text, ctx.clock.today())[0], "when": reading(when), "who": None}
    out = await ctx.engine.start(ctx, "deadline", answers=answers, review=True)
    if when.kind != "period" and when.due < ctx.clock.today():
        out.insert(0, Outgoing(text=f"Lưu ý: {dates.format_date_short(when.due)} đã qua; tôi vẫn ghi nhận."))
    return out
