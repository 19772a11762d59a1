"""Reminder settings (/nhacnho), linked groups (/lienket) and recurring duties (/dinhky).

The sending itself is bot/reminders/ (the sweep); this module only changes what it reads: the unit's
settings JSON (``reminders``, ``linked_at``), ``chats.linked`` and the ``duties`` table.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from bot.messages import Choice, Outgoing
from bot.reminders.calendar import day_text, holiday_warning
from bot.reminders.duties import DUTIES, set_duty
from bot.reminders.settings import MAX_DAYS, ReminderSettings, in_quiet
from bot.store import Unit
from bot.text import fold, is_count
from handlers.context import Context
from handlers.draft import Draft
from handlers.forms import Invalid, action, validator
from handlers.menus import again, from_menu, menu

UNDO = {"huy", "bo", "go", "huy lien ket", "bo lien ket", "thoi"}
YES, NO = "yes", "no"


def _hm(t: time) -> str:
    return f"{t.hour:02d} giờ {t.minute:02d}"


def _days(s: ReminderSettings) -> str:
    return ", ".join(str(d) for d in s.days) + " ngày" if s.days else "không"


# -- /lienket -------------------------------------------------------------------------------------

async def cmd_link(ctx: Context, arg: str) -> list[Outgoing]:
    assert ctx.unit is not None
    inc = ctx.incoming
    name = ctx.unit.name
    if inc.chat_type == "private":
        linked = await ctx.store.linked_chats(ctx.unit.id)
        text = ("Lệnh /lienket dùng trong nhóm chat của chi bộ: thêm Trợ lý Chi bộ vào nhóm, rồi một đồng chí của "
                "đơn vị gõ /lienket trong nhóm đó. Từ đó các nhắc việc và bản tóm tắt “Việc tuần này” được gửi cả "
                "vào nhóm; gõ /lienket huy trong nhóm để thôi.")
        text += (f"\nHiện {name} có {len(linked)} nhóm đã liên kết." if linked
                 else f"\nHiện {name} chưa liên kết nhóm nào.")
        return [Outgoing(text=text)]
    if fold(arg) in UNDO:
        if await ctx.store.unlink_chat(inc.channel, inc.chat_id, ctx.unit.id):
            return [Outgoing(text=f"Đã bỏ liên kết nhóm này với {name}: nhóm sẽ không nhận nhắc việc nữa.")]
        return [Outgoing(text=f"Nhóm này chưa liên kết với {name}.")]
    other = await ctx.store.link_chat(inc.channel, inc.chat_id, inc.chat_type, ctx.unit.id)
    if other is not None:
        unit = await ctx.store.get_unit(other)
        return [Outgoing(text=f"Nhóm này đang liên kết với {unit.name if unit else 'một đơn vị khác'}. Một đồng chí "
                              "của đơn vị đó gõ /lienket huy trong nhóm trước, rồi đồng chí liên kết lại.")]
    return [Outgoing(text=f"Đã liên kết nhóm này với {name}. Từ nay các nhắc việc và bản tóm tắt “Việc tuần này” "
                          "(sáng thứ hai) được gửi cả vào nhóm. Gõ /lienket huy để bỏ liên kết.")]


# -- /nhacnho -------------------------------------------------------------------------------------

def settings_text(unit: Unit, s: ReminderSettings, owners: list[str], groups: int, duties: set[str]) -> str:
    before = f"{_days(s)} trước hạn" if s.days else "không nhắc trước"
    lines = [
        f"Nhắc trước hạn: {before}; vào ngày đến hạn: {'có' if s.on_day else 'không'}.",
        f"Giờ gửi: {_hm(s.at)}. Không gửi từ {_hm(s.quiet_start)} đến {_hm(s.quiet_end)}: nhắc việc rơi vào "
        f"khoảng này được dời đến {_hm(s.quiet_end)}.",
        f"Bản tóm tắt “Việc tuần này” sáng thứ hai: {'có' if s.digest else 'không'}.",
        "Gửi tới: tin nhắn riêng của " + (", ".join(f"đồng chí {o}" for o in owners) if owners else "bí thư")
        + (f" và {groups} nhóm đã liên kết." if groups else "; chưa có nhóm nào liên kết (gõ /lienket trong nhóm)."),
        "Việc định kỳ đang bật: " + ("; ".join(DUTIES[d].label for d in DUTIES if d in duties) or "không có")
        + " (xem /dinhky).",
        "Nếu máy chủ tạm ngừng, khi chạy lại tôi gửi bù những nhắc việc bị lỡ trong 3 ngày, có ghi “nhắc muộn”.",
    ]
    return "\n".join(lines)


def settings_answers(s: ReminderSettings) -> dict[str, Any]:
    return {"days": ", ".join(str(d) for d in s.days) if s.days else "none", "on_day": YES if s.on_day else NO,
            "time": s.at.strftime("%H:%M"), "digest": YES if s.digest else NO}


async def cmd_settings(ctx: Context, arg: str) -> list[Outgoing]:
    assert ctx.unit is not None
    s = ReminderSettings.of(ctx.unit.settings)
    if fold(arg) in ("sua", "thay doi", "doi", "chinh sua", "cai dat"):
        return await ctx.engine.start(ctx, "reminder_settings", answers=settings_answers(s),
                                      meta=from_menu("nhacnho", {"unit_id": ctx.unit.id}), review=True)
    return await settings_menu(ctx)


@menu("nhacnho")
async def settings_menu(ctx: Context) -> list[Outgoing]:
    assert ctx.unit is not None
    s = ReminderSettings.of(ctx.unit.settings)
    owners = [r.display_name or "bí thư" for r in await ctx.store.unit_accounts(ctx.unit.id)
              if r.role == "owner"]
    groups = len(await ctx.store.linked_chats(ctx.unit.id))
    duties = await ctx.store.enabled_duties(ctx.unit.id)
    return [Outgoing(title=f"Nhắc việc — {ctx.unit.name}", text=settings_text(ctx.unit, s, owners, groups, duties),
                     choices=[Choice("Thay đổi", "/nhacnho sua"), Choice("Việc định kỳ", "/dinhky")])]


@validator("reminders.days")
async def check_days(ctx: Context, draft: Draft, value: str) -> str:
    if value == "none" or fold(value) in ("khong", "khong nhac", "0"):
        return "none"
    numbers = [int(n) for n in re.findall(r"\d+", value)]
    rest = re.sub(r"\b(?:ngay|truoc|han|va)\b|[\d\s,;.+-]", "", fold(value))
    if not numbers or rest:
        raise Invalid("Xin gõ số ngày nhắc trước hạn, cách nhau bằng dấu phẩy, ví dụ: 7, 3, 1.")
    if any(not 1 <= n <= MAX_DAYS for n in numbers):
        raise Invalid(f"Số ngày nhắc trước hạn phải từ 1 đến {MAX_DAYS}.")
    unique = sorted(set(numbers), reverse=True)
    if len(unique) > 5:
        raise Invalid("Tối đa 5 lần nhắc trước hạn.")
    return ", ".join(str(n) for n in unique)


@validator("reminders.time")
async def check_time(ctx: Context, draft: Draft, value: str) -> str:
    s = ReminderSettings.of(ctx.unit.settings if ctx.unit else {})
    if in_quiet(time.fromisoformat(value), s):
        raise Invalid(f"Từ {_hm(s.quiet_start)} đến {_hm(s.quiet_end)} tôi không gửi tin. Xin chọn giờ khác, "
                      "ví dụ 7h00.")
    return value


@action("reminders.save")
async def save_settings(ctx: Context, draft: Draft) -> list[Outgoing]:
    answers = draft.answers
    days = [] if answers["days"] == "none" else [int(n) for n in re.findall(r"\d+", answers["days"])]
    patch = {"reminders": {"days": days, "on_day": answers["on_day"] == YES, "time": answers["time"],
                           "digest": answers["digest"] == YES}}
    assert ctx.unit is not None
    await ctx.store.patch_unit_settings(ctx.unit.id, patch)
    await ctx.refresh()
    assert ctx.unit is not None
    s = ReminderSettings.of(ctx.unit.settings)
    before = f"{_days(s)} trước hạn" if s.days else "không nhắc trước hạn"
    return [Outgoing(text=f"Đã lưu cài đặt nhắc việc: {before}"
                          f"{', và vào ngày đến hạn' if s.on_day else ''}, lúc {_hm(s.at)}; “Việc tuần này” sáng "
                          f"thứ hai: {'có' if s.digest else 'không'}.")]


# -- /dinhky --------------------------------------------------------------------------------------

def _pick(word: str) -> str | None:
    word = fold(word)
    keys = list(DUTIES)
    if is_count(word) and 0 < int(word) <= len(keys):
        return keys[int(word) - 1]
    for key, duty in DUTIES.items():
        if word in (key, fold(duty.button), fold(duty.label)):
            return key
    return None


async def cmd_duties(ctx: Context, arg: str) -> list[Outgoing]:
    assert ctx.unit is not None
    verb, _, rest = fold(arg).partition(" ")
    if verb in ("bat", "tat"):
        key = _pick(rest)
        if key is None:
            return [Outgoing(text="Không có việc định kỳ này. Gõ /dinhky để xem danh sách.")] + await _listing(ctx)
        return await again(ctx, "dinhky", await _switch(ctx, key, verb == "bat"))
    return await _listing(ctx)


@menu("dinhky")
async def _listing(ctx: Context) -> list[Outgoing]:
    assert ctx.unit is not None
    on = await ctx.store.enabled_duties(ctx.unit.id)
    lines = ["Việc định kỳ đang bật thì tôi tự thêm hạn chót của kỳ này và kỳ sau vào danh sách theo dõi "
             "(/hanchot) và nhắc trước hạn như cài đặt ở /nhacnho."]
    choices = []
    for n, (key, duty) in enumerate(DUTIES.items(), 1):
        lines.append(f"{n}. {duty.label}: {'đang bật' if key in on else 'đang tắt'}")
        choices.append(Choice(f"{'Tắt' if key in on else 'Bật'}: {duty.button}",
                              f"/dinhky {'tat' if key in on else 'bat'} {key}"))
    return [Outgoing(title=f"Việc định kỳ — {ctx.unit.name}", text="\n".join(lines), choices=choices)]


async def _switch(ctx: Context, key: str, on: bool) -> list[Outgoing]:
    assert ctx.unit is not None
    duty = DUTIES[key]
    was_on = key in await ctx.store.enabled_duties(ctx.unit.id)
    created = await set_duty(ctx.store, ctx.unit.id, key, on, ctx.clock.today())
    if not on:
        note = "Việc này vốn đang tắt." if not was_on else \
            "Các hạn chót chưa đến của việc này đã được bỏ khỏi danh sách theo dõi."
        return [Outgoing(text=f"Đã tắt: {duty.label}. {note}")]
    lines = [f"Đã bật: {duty.label}."]
    if created:
        lines.append("Đã thêm vào danh sách theo dõi:")
        for item in created:
            lines.append(f"- {item.title} — hạn cuối: {day_text(item.due)}")
            warning = holiday_warning(item.due, item.kind)
            if warning:
                lines.append(f"  {warning}")
    else:
        lines.append("Các hạn chót của kỳ này và kỳ sau đã có trong danh sách theo dõi.")
    if key in ("sinh_hoat", "chuyen_de"):
        lines.append("Khi chi bộ đã sinh hoạt và ghi biên bản bằng /sinhhoat, tôi thôi nhắc việc của kỳ đó.")
    return [Outgoing(text="\n".join(lines))]
