"""What a first message asks for, in her words: the intent table.

A message typed when no flow is running ("soạn kế hoạch kết nạp đảng viên", "ghi bb họp tháng 11", "nhắc tôi
nộp đảng phí trước 5/12", "chào", "bat dau") is read against `INTENTS`, in the folded form of `words` (lower
case, no diacritics, abbreviations written out: kh, bb, nq, kl, sh, cb, đp, đv, bc, đ/c…, polite words such
as "tôi muốn", "giúp tôi", "nhé" dropped). Each intent has the words that say it outright (`strong`), the
words that only make it likely (`weak`), and what it does: a command of the command table, or a function
that starts a flow with what the message already says filled in (a plan's kind, a meeting's kind, month and
day, a deadline's title and date).

One strong intent: it runs. Several, or only weak ones: the two likeliest are offered as choices (each a
`/lam <intent> <the message>` command, so a tap runs it with the same words). None: the router's next
understanders (questions about meetings and the tracker, a deadline in one line) get the message. Questions
("…khi nào?", "…chưa?") are never taken as orders, except greetings and help.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bot import dates
from bot.agenda import week_of
from bot.formats import ROMAN
from bot.messages import Choice, Outgoing
from bot.text import fold
from bot.wording import words
from handlers import deadlines, meetings, permissions, plans, tasks
from handlers.context import Context

LONGEST = 160  # characters: a longer message is a pasted text or an item, never an order

# Polite words around an order: dropped before matching ("tôi muốn soạn kh…", "…giúp tôi nhé").
_LEADING = re.compile(r"^(?:(?:ban|tro ly|em|bot|anh|chi|dong chi) oi|oi|(?:toi|minh|em|anh|chi|chung toi) "
                      r"(?:muon|can|dinh|se|phai|can phai|cung muon)|muon|can|hay|xin|vui long|lam on|"
                      r"giup (?:toi|minh|em|chung toi)|giup|cho (?:toi|minh|em)|ban|tro ly)\b\s*")
_TRAILING = re.compile(r"\s*\b(?:nhe|nha|nhe ban|di|voi|giup (?:toi|minh|em)|giup|a|ah|nhe em|duoc khong|"
                       r"duoc ko|dum|ho|cho toi|cho minh|ngay|luon|giup voi)$")
# Words that make a message a question, not an order.
_ASKING = re.compile(r"\b(?:khi nao|bao gio|ngay nao|luc nao|hom nao|co gi|viec gi|lam gi|nhung gi|la gi|"
                     r"the nao|nhu the nao|o dau|chua|bao nhieu|co khong|phai khong|sao|tai sao|han gi)\b")


def order_words(text: str) -> str:
    """`words` without the polite words around an order; the words themselves when nothing else is left."""
    said = words(text)
    core = said
    for _ in range(4):
        shorter = _TRAILING.sub("", _LEADING.sub("", core)).strip()
        if shorter == core:
            break
        core = shorter
    return core or said


def asking(text: str) -> bool:
    """Whether the message asks something ("?", "khi nào", "chưa", "có gì"…)."""
    return "?" in text or bool(_ASKING.search(words(text)))


def _aligned_fold(text: str) -> str:
    """`fold` character by character, so that a match in it cuts the original text at the same place."""
    out = []
    for ch in text:
        folded = " " if ch.isspace() else fold(ch)
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out)


def _roman(number: str) -> str:
    return ROMAN[int(number) - 1] if number.isdigit() else number.upper()


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- what the intents do ------------------------------------------------------------------------

async def _command(ctx: Context, name: str, arg: str = "") -> list[Outgoing]:
    from handlers.commands import BY_NAME  # the command table lists this module's /lam

    return await BY_NAME[name].handler(ctx, arg)


async def greet(ctx: Context, text: str) -> list[Outgoing]:
    """A greeting (or "bắt đầu" once the unit exists): a short greeting and the likeliest actions."""
    if ctx.unit is None:
        return await _command(ctx, "batdau")
    return [Outgoing(text=f"Chào đồng chí! Trợ lý Chi bộ của {ctx.unit.name} đây. Đồng chí cần làm gì? "
                          "(Gõ /trogiup để xem mọi việc tôi làm được.)", choices=await likely(ctx))]


async def likely(ctx: Context) -> list[Choice]:
    """The two or three things she most likely wants now: what is due, the meeting to minute, a plan."""
    assert ctx.unit is not None
    if not permissions.allowed(ctx, "kehoach"):  # a member: her tasks and the unit's documents
        return [Choice("Việc được giao cho tôi", "/hanchot"), Choice("Văn bản đã ban hành", "/vanban")]
    today, unit_id = ctx.clock.today(), ctx.unit.id
    out: list[Choice] = []
    due = await ctx.store.deadlines_between(unit_id, today, week_of(today)[1])
    due += await ctx.store.overdue_deadlines(unit_id, today)
    if due:
        out.append(Choice(f"Việc tuần này ({len(due)})", "/tuannay"))
    last_month = (today.replace(day=1) - timedelta(days=1))
    for day in ([last_month] if today.day <= 10 else []) + [today]:
        if await ctx.store.regular_meeting_of_month(unit_id, day.year, day.month) is None:
            out.append(Choice(f"Ghi biên bản sinh hoạt tháng {day.month}",
                              f"/lam bienban thang {day.month}/{day.year}"))
            break
    else:
        out.append(Choice("Ghi biên bản sinh hoạt", "/sinhhoat"))
    out.append(Choice("Soạn kế hoạch", "/kehoach"))
    if len(out) < 3:
        out.append(Choice("Thêm hạn chót", "/hanchot them"))
    return out[:3]


async def start_plan(ctx: Context, text: str) -> list[Outgoing]:
    """A plan named in words: its kind (plans.KIND_WORDS), and what the words say of it (sơ kết or tổng
    kết, the year of a thematic plan)."""
    said = words(text)
    kind = plans.kind_in_words(said)
    answers: dict[str, Any] = {}
    if kind == "plan_conference":
        named = [value for folded, value in (("so ket", "sơ kết"), ("tong ket", "tổng kết"))
                 if re.search(rf"\b{folded}\b", said)]
        if len(named) == 1:
            answers["review_kind"] = named[0]
        span = re.search(r"\b(?:(6|9) thang(?: dau nam)?|(quy (?:i{1,3}|iv|[1-4]))|nam) (20\d\d)\b", said)
        if span and (span.group(1) or span.group(2)) and named == ["sơ kết"]:
            answers["period"] = (f"{span.group(1)} tháng đầu năm {span.group(3)}" if span.group(1) else
                                 f"quý {_roman(span.group(2)[4:])} năm {span.group(3)}")
        elif span and not (span.group(1) or span.group(2)) and named == ["tổng kết"]:
            answers["period"] = f"năm {span.group(3)}"
    year = re.search(r"\bnam (20\d\d)\b", said)
    if kind == "plan_thematic" and year:
        answers["year"] = int(year.group(1))
    out = await plans.start_kind(ctx, kind, answers)
    notes = ([f"hội nghị {answers['review_kind']}"] if "review_kind" in answers else []) + \
        ([f"kỳ {answers['period']}"] if "period" in answers else []) + \
        ([f"năm {answers['year']}"] if "year" in answers else [])
    return ([Outgoing(text=f"Đã ghi nhận: {', '.join(notes)}.")] if notes and ctx.started_flow else []) + out


_MONTH = re.compile(r"\bthang (\d{1,2})(?: ?(?:/|nam) ?(\d{4}))?\b")
_DAY = re.compile(r"\b(?:ngay )?(\d{1,2}/\d{1,2}(?:/\d{2,4})?)\b")


def nearest_month(month: int, today: date) -> int:
    """The year of `month` closest to today (the earlier one on a tie): minutes are of a recent meeting."""
    years = (today.year - 1, today.year, today.year + 1)
    return min(years, key=lambda y: (abs((y * 12 + month) - (today.year * 12 + today.month)), y))


def meeting_slots(said: str, today: date) -> dict[str, Any]:
    """What words such as "họp thường kỳ tháng 11", "sinh hoạt chuyên đề hôm qua" say of a meeting."""
    slots: dict[str, Any] = {}
    month = _MONTH.search(said)
    if re.search(r"\bthang nay\b", said):
        slots["month"] = f"{today.month}/{today.year}"
    elif re.search(r"\bthang truoc\b", said):
        before = today.replace(day=1) - timedelta(days=1)
        slots["month"] = f"{before.month}/{before.year}"
    elif month and 1 <= int(month.group(1)) <= 12:
        number = int(month.group(1))
        year = int(month.group(2)) if month.group(2) else nearest_month(number, today)
        slots["month"] = f"{number}/{year}"
    held: date | None = None
    if re.search(r"\bhom nay\b", said):
        held = today
    elif re.search(r"\bhom qua\b", said):
        held = today - timedelta(days=1)
    elif (day := _DAY.search(_MONTH.sub(" ", said))) is not None:
        try:
            held = dates.parse_date(day.group(1), today=today, tense="past")
        except dates.DateError:
            held = None
    if held is not None and held <= today:
        slots["held_on"] = held.isoformat()
    if re.search(r"\bchuyen de\b", said):
        slots["kind"] = "chuyen_de"
        slots.pop("month", None)
    elif "month" in slots or re.search(r"\bthuong ky\b", said):
        slots["kind"] = "thuong_ky"
    if "month" in slots and "held_on" in slots:  # a month far from the day is asked (and checked) by the flow
        number, year = (int(p) for p in slots["month"].split("/"))
        held_day = date.fromisoformat(slots["held_on"])
        if abs(year * 12 + number - held_day.year * 12 - held_day.month) > 1:
            del slots["month"]
    return slots


async def start_minutes(ctx: Context, text: str) -> list[Outgoing]:
    """The minutes of a meeting, with the kind, month and day the words name."""
    assert ctx.unit is not None
    slots = meeting_slots(words(text), ctx.clock.today())
    notes = []
    if "kind" in slots:
        notes.append("sinh hoạt " + ("chuyên đề" if slots["kind"] == "chuyen_de" else "thường kỳ"))
    if "month" in slots:
        notes.append(f"tháng {slots['month']}")
    if "held_on" in slots:
        notes.append(f"ngày sinh hoạt {dates.format_date_short(date.fromisoformat(slots['held_on']))}")
    out = await meetings.start_minutes(ctx, slots)
    if not ctx.started_flow or not notes:
        return out
    note = f"Đã ghi nhận: {', '.join(notes)}."
    if "month" in slots:
        number, year = (int(p) for p in slots["month"].split("/"))
        logged = await ctx.store.regular_meeting_of_month(ctx.unit.id, year, number)
        if logged is not None:
            note += (f"\nLưu ý: chi bộ đã có biên bản sinh hoạt thường kỳ tháng {number}/{year} (ngày "
                     f"{dates.format_date_short(logged.held_on)}); biên bản này sẽ được lưu thêm.")
    return [Outgoing(text=note)] + out


async def start_resolution(ctx: Context, text: str) -> list[Outgoing]:
    kind = "KL" if re.search(r"\bket luan\b", words(text)) else "NQ"
    return await meetings.start_resolution(ctx, kind, "")


# "nhắc tôi …", "nhớ …", "thêm hạn: …", "thêm việc …", "đặt lịch …": cut from the original text, so the
# title keeps her diacritics.
_ADD_ITEM = re.compile(
    r"^\s*(?:(?:hay|xin|vui long|lam on|nho|giup toi|giup minh)\s+)?"
    r"(?:(?:nhac|nho|ghi nho)(?:\s+(?:giup\s+)?(?:ca chi bo|chi bo|chung toi|toi|minh|em|anh|chi)\b)?(?:\s+la\b)?"
    r"|(?:them|tao|dat|ghi|dat ra|len)(?:\s+(?:mot|1))?\s+(?:han chot|han|viec can lam|viec|cong viec|moc|"
    r"nhac nho|lich|su kien|nhiem vu)(?:\s+moi)?)"
    r"\b\s*[:\-–,]?\s*")


async def add_deadline(ctx: Context, text: str) -> list[Outgoing]:
    """A tracker item: its title and date as typed after "nhắc tôi", "thêm hạn:"…; the questions not
    answered by the message are asked."""
    match = _ADD_ITEM.match(_aligned_fold(text))
    rest = text[match.end():].strip(" .:-–,") if match else text.strip()
    if not rest:
        return await ctx.engine.start(ctx, "deadline")
    rest = _capital(rest)
    added = await deadlines.add_item(ctx, rest)
    if added is not None:
        return added
    return await ctx.engine.start(ctx, "deadline", answers={"title": rest})


# -- the table ----------------------------------------------------------------------------------

Run = Callable[[Context, str], Awaitable[list[Outgoing]]]


def command(name: str, arg: str = "") -> Run:
    async def run(ctx: Context, text: str) -> list[Outgoing]:
        return await _command(ctx, name, arg)
    return run


async def invite(ctx: Context, text: str) -> list[Outgoing]:
    if ctx.unit is None:  # before onboarding, an invitation is one to accept
        return await ctx.engine.start(ctx, "join")
    if order_words(text).startswith("tham gia"):
        return [Outgoing(text=f"Tài khoản này đang làm việc cho {ctx.unit.name}. Để mời người cùng quản lý, gõ /moi.")]
    return await _command(ctx, "moi")


async def thanks(ctx: Context, text: str) -> list[Outgoing]:
    if ctx.unit is None:
        return await before_onboarding(ctx, text)
    return [Outgoing(text="Vâng. Khi cần, đồng chí cứ nhắn cho tôi.")]


async def plan_from_above(ctx: Context, text: str) -> list[Outgoing]:
    return await deadlines.offer_upload(ctx)


_UNIT_KINDS = (("dang_uy_khoi", r"\bdang uy khoi\b"), ("dang_uy", r"\bdang uy\b"), ("chi_bo", r"\bchi bo\b"))


async def create_unit(ctx: Context, text: str) -> list[Outgoing]:
    """“tạo đơn vị”, “tạo hồ sơ chi bộ”: the profile's questions, the kind of unit answered when she named it."""
    if ctx.unit is not None:
        return await _command(ctx, "donvi")
    words = fold(text)
    kind = next((kind for kind, pattern in _UNIT_KINDS if re.search(pattern, words)), None)
    return await ctx.engine.start(ctx, "unit", answers={"kind": kind} if kind else None)


@dataclass(frozen=True)
class Intent:
    name: str
    label: str  # the choice offered when she may mean it
    run: Run
    strong: re.Pattern[str]
    weak: re.Pattern[str] | None = None
    needs_unit: bool = True  # before onboarding: a note, then onboarding
    asks: bool = False  # also taken from a question ("giúp gì?", "chào, khỏe không?")
    # The command (with its verb) of the command table whose role it needs (handlers/permissions.py); None:
    # open to anyone. Required: a new intent must choose.
    command: str | None = field(kw_only=True)


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_VERB = r"(?:soan|lap|lam|viet|tao|xay dung|du thao|thao|ra|ghi)(?: (?:mot|1|cai|ban|cho))*"
INTENTS = [
    Intent("chao", "Chào", greet, _re(
        r"^(?:xin )?(?:chao|hello|hi|helo|alo|a lo|hey|good morning)(?: (?:ban|em|tro ly|anh|chi|dong chi|bot|"
        r"moi nguoi|ca nha|buoi sang|buoi chieu|buoi toi|nhe|nha|a|khoe khong|co khoe khong))*$"
        r"|^(?:bat dau|bat dau lai|start|khoi dong|mo dau|lam quen)$"), needs_unit=False, asks=True, command=None),
    Intent("trogiup", "Hướng dẫn", command("trogiup"), _re(
        r"^(?:giup|giup do|giup voi|tro giup|huong dan|help|cach dung|huong dan su dung|can giup|can giup do|"
        r"(?:ban|tro ly|em)? ?(?:lam|giup) duoc (?:nhung )?(?:gi|viec gi)|dung the nao|su dung the nao|lam sao)$"),
        needs_unit=False, asks=True, command=None),
    Intent("menu", "Các lệnh", command("batdau"), _re(
        r"^(?:xem |mo |hien )?(?:menu|thuc don|danh sach lenh|cac lenh|lenh|danh muc)$"), needs_unit=False, command=None),
    Intent("camon", "Cảm ơn", thanks, _re(
        r"^(?:cam on|cam on (?:ban|em|tro ly|nhieu|nhe|nha)|thanks|thank you|tks|thank|ok|oke|okay|vang|da|"
        r"duoc roi|tot|hay qua|tuyet)(?: (?:nhe|nha|a|nhieu))*$"), needs_unit=False, asks=True, command=None),
    Intent("kehoachtren", "Gửi kế hoạch cấp trên", plan_from_above, _re(
        r"\b(?:co|nhan duoc|nhan|day la)\b.*\bke hoach\b.*\b(?:cap tren|(?:huyen|tinh|thanh|quan|dang|xa|phuong) uy|"
        r"dang bo)\b"), command="hanchot them"),
    Intent("kehoach", "Soạn kế hoạch", start_plan, _re(
        rf"^(?:{_VERB} )?(?:ban )?ke hoach\b(?!.*\b(?:cap tren|cua (?:huyen|tinh|thanh|quan|dang|xa|phuong) uy)\b)"),
        weak=_re(r"\b(?:ket nap|giua nhiem ky|so ket|tong ket|chi bo mau|chuyen de nam|chuyen de)\b"), command="kehoach"),
    Intent("bienban", "Ghi biên bản sinh hoạt", start_minutes, _re(
        rf"^(?:{_VERB} )?(?:lai )?bien ban\b|^ghi (?:lai )?(?:buoi )?(?:sinh hoat|hop)\b"),
        weak=_re(r"^(?:buoi )?(?:sinh hoat|hop)\b"), command="sinhhoat"),
    Intent("thongbao", "Gửi thông báo họp chi bộ", command("thongbao"), _re(
        r"\b(?:gui|soan|lam|ra|phat) (?:cai )?thong bao (?:hop|sinh hoat)\b|^thong bao (?:hop|sinh hoat) chi bo$"),
        command="thongbao"),
    Intent("nghiquyet", "Soạn nghị quyết", start_resolution, _re(
        rf"^(?:{_VERB} |ban hanh )?(?:nghi quyet|ket luan)\b"), command="sinhhoat"),
    Intent("themhan", "Thêm hạn chót", add_deadline, _re(
        r"^(?:nhac|nho|ghi nho)\b(?! nho$| nho (?:viec|hang tuan|hang ngay)$| viec$)"
        r"|^(?:them|tao|dat|ghi|dat ra|len)(?: (?:mot|1))? (?:han chot|han|viec can lam|viec|cong viec|moc|"
        r"nhac nho|lich|su kien|nhiem vu)\b"), weak=_re(r"\b(?:dang phi|han chot)\b"), command="hanchot them"),
    Intent("moi", "Mời người cùng quản lý", invite, _re(
        r"^(?:moi|gui loi moi)(?: them)? (?:pho bi thu|bi thu|nguoi|dong chi|cung|quan ly|tham gia|ban|chi uy|"
        r"thanh vien|cap uy|vao)\b|\bma moi\b|^them (?:nguoi|pho bi thu|chi uy vien) (?:cung )?quan ly|^tham gia\b"),
        needs_unit=False, command="moi"),
    Intent("taodonvi", "Tạo đơn vị", create_unit, _re(r"^(?:tao|dang ky|lap) (?:moi )?(?:don vi|ho so|tai khoan|chi bo|dang uy)\b"),
        needs_unit=False, command="donvi"),
    Intent("hanchot", "Các hạn chót", command("hanchot"), _re(
        r"^(?:xem |mo |liet ke )?(?:danh sach )?(?:cac |nhung )?(?:han chot|viec can lam|viec phai lam|"
        r"cong viec|viec can theo doi)(?: cua (?:chi bo|don vi))?$"), command="hanchot"),
    Intent("vanban", "Văn bản đã soạn", command("vanban"), _re(
        r"^(?:xem |mo |tim |danh sach )?(?:cac |nhung )?van ban(?: da (?:soan|ban hanh|luu|tao))?$"
        r"|^(?:gui lai|xem lai|tim lai|lay lai) (?:ke hoach|bien ban|nghi quyet|ket luan|van ban)\b"), command="vanban"),
    Intent("thongke", "Thống kê", command("thongke"), _re(r"\bthong ke\b"), command="thongke"),
    Intent("nhacnho", "Cài đặt nhắc việc", command("nhacnho"), _re(
        r"^(?:cai dat |cai |chinh |doi |tat |bat |xem )?(?:gio )?nhac(?: nho| viec)?$"), command="nhacnho"),
    Intent("dinhky", "Việc định kỳ", command("dinhky"), _re(r"\bdinh ky\b"), weak=_re(r"\bdang phi\b"), command="dinhky"),
    Intent("lienket", "Liên kết nhóm chat", command("lienket"), _re(r"\blien ket\b(?:.*\bnhom\b)?"), command="lienket"),
    Intent("donvi", "Hồ sơ đơn vị", command("donvi"), _re(
        r"^(?:xem |sua |cap nhat |doi )?(?:ho so|thong tin)(?: (?:don vi|chi bo|dang bo))?$"
        r"|^(?:xem |sua |cap nhat )?danh sach dang vien$|^(?:them|bot|xoa) dang vien\b"), command="donvi"),
    Intent("ketnoi", "Kết nối Zalo và Telegram", command("ketnoi"), _re(
        r"\bket noi\b|\bdung (?:tren|ca|cung|them) (?:zalo|telegram)\b"), needs_unit=False, command="ketnoi"),
    Intent("viec", "Việc của tôi", command("viec"), _re(
        r"^(?:xem )?(?:cac |nhung )?(?:viec|nhiem vu|cong viec) (?:cua toi|cua minh|cua em|duoc giao(?: cho (?:toi|minh|em))?)$"
        r"|^(?:toi|minh|em) (?:co|con|duoc giao) (?:nhung |cac )?(?:viec|nhiem vu|cong viec) (?:gi|nao)\b"), asks=True,
        command="viec"),
    Intent("xongviec", "Báo xong hoặc hoãn việc", tasks.typed_answer, _re(
        tasks.DONE.pattern + "|" + tasks.SNOOZE.pattern.replace("?P<n>", "?:").replace("?P<days>", "?:")), asks=True,
        command="viec"),
    Intent("huy", "Hủy", command("huy"), _re(r"^(?:huy|huy bo|thoi|dung lai)$"), needs_unit=False, command="huy"),
]
BY_NAME = {intent.name: intent for intent in INTENTS}


async def _run(ctx: Context, intent: Intent, text: str) -> list[Outgoing]:
    if intent.needs_unit and ctx.unit is None:
        note = Outgoing(text=f"Để làm việc này ({intent.label.lower()}), trước hết xin cho tôi biết về đơn vị của "
                             "đồng chí (chỉ một lần).")
        return [note] + await _command(ctx, "batdau")
    # An order in words is checked as the command it stands for (before onboarding: onboarding's own intents).
    if ctx.unit is not None and intent.command and not permissions.allowed(ctx, intent.command):
        return [permissions.refusal(ctx, intent.command)]
    return await intent.run(ctx, text)


def label(ctx: Context, intent: Intent, text: str) -> str:
    """The choice that offers `intent` for these words: "Soạn kế hoạch Lễ kết nạp đảng viên", "Ghi biên bản
    sinh hoạt thường kỳ tháng 11/2026"…"""
    said = words(text)
    if intent.name == "kehoach" and (kind := plans.kind_in_words(said)) is not None and ctx.unit is not None:
        return f"Soạn kế hoạch: {plans.kind_label(ctx, kind)}"
    if intent.name == "bienban":
        slots = meeting_slots(said, ctx.clock.today())
        if slots.get("kind") == "chuyen_de":
            return "Ghi biên bản sinh hoạt chuyên đề"
        if "month" in slots:
            return f"Ghi biên bản sinh hoạt thường kỳ tháng {slots['month']}"
    return intent.label


CHOICE_BYTES = 64  # Telegram's limit on a button's data


def _choice(ctx: Context, intent: Intent, text: str) -> Choice:
    """The button that runs `intent`: `/lam <name> <her words folded>`, ASCII and within CHOICE_BYTES (a
    title is never carried: a tracker item offered this way asks for its title)."""
    said = "" if intent.name == "themhan" else words(text).encode("ascii", "ignore").decode()
    value = f"/lam {intent.name} {said}".strip()
    if len(value) > CHOICE_BYTES:
        value = value[:CHOICE_BYTES + 1].rsplit(" ", 1)[0]
    return Choice(label(ctx, intent, text), value)


def _offer(ctx: Context, found: list[Intent], text: str, note: str = "") -> list[Outgoing]:
    choices = [_choice(ctx, i, text) for i in found[:2]]
    ask = "Có phải đồng chí muốn:" if len(choices) == 1 else "Đồng chí muốn làm việc nào dưới đây?"
    return [Outgoing(text=f"{note}{ask} (Hoặc gõ /trogiup để xem mọi việc tôi làm được.)", choices=choices)]


async def understand(ctx: Context, text: str) -> list[Outgoing] | None:
    """The intent a message says outright, run; two said at once, offered; None when the message says none
    (questions, items with a date… are for the understanders after this one)."""
    if not text.strip() or len(text) > LONGEST or "\n" in text.strip() or ctx.incoming.attachment is not None:
        return None
    said = order_words(text)
    question = asking(text)
    strong = [i for i in INTENTS if i.strong.search(said) and (i.asks or not question)]
    if len(strong) == 1:
        return await _run(ctx, strong[0], text)
    if strong:
        return _offer(ctx, strong, text)
    return None


async def not_understood(ctx: Context, text: str) -> list[Outgoing]:
    """The answer to a message nothing understood: the one or two intents its words make likely, else the
    likeliest actions now; never the whole menu."""
    assert ctx.unit is not None
    said = order_words(text)
    weak = [i for i in INTENTS if i.weak is not None and i.weak.search(said)] if len(text) <= LONGEST else []
    if weak:
        return _offer(ctx, weak, text, note="Tôi chưa chắc đã hiểu đúng. ")
    return [Outgoing(text="Tôi chưa hiểu yêu cầu này. Đồng chí muốn làm một việc dưới đây? (Hoặc gõ /trogiup để "
                          "xem mọi việc tôi làm được.)", choices=await likely(ctx))]


async def cmd_do(ctx: Context, arg: str) -> list[Outgoing]:
    """`/lam <intent> <words>`: the choice offered for an intent, run with the words she typed."""
    name, _, text = arg.strip().partition(" ")
    intent = BY_NAME.get(name)
    if intent is None:
        return [Outgoing(text="Không có việc này. Gõ /trogiup để xem các việc tôi làm được.")]
    return await _run(ctx, intent, text)


async def before_onboarding(ctx: Context, text: str) -> list[Outgoing]:
    """Any other message from an account without a unit: the way in."""
    return [Outgoing(text="Chào đồng chí! Tôi là Trợ lý Chi bộ: soạn kế hoạch, ghi biên bản sinh hoạt chi bộ, nhắc "
                          "các hạn chót. Trước hết, xin tạo hồ sơ đơn vị hoặc tham gia đơn vị bằng mã mời.",
                     choices=[Choice("Bắt đầu", "/batdau")])]
