"""The unit: onboarding (/batdau), the profile and roster (/donvi), invites (/moi), one person on two apps
(/ketnoi) and which roster member an account is."""

from __future__ import annotations

import math
import re
from typing import Any

from bot.messages import Choice, Outgoing
from bot.roles import LABELS, MANAGER, MEMBER, OWNER, at_least
from bot.store.records import AuditNote, Person, Unit
from bot.store.units import INVITE_DAYS, INVITE_TRIES, INVITE_WINDOW, LINK_LIFETIME, normal_code
from bot.text import apply_spelling, fold
from bot.tidy.people import capitalised_name
from handlers import audit
from handlers.context import Context
from handlers.draft import Draft
from handlers.forms import Invalid, action, item_type, provider, validator
from handlers.menus import META, from_menu, menu

KINDS = {"chi_bo": "Chi bộ", "dang_uy": "Đảng ủy", "dang_uy_khoi": "Đảng ủy khối"}
KIND_PREFIXES = {"chi_bo": ("Chi bộ",), "dang_uy": ("Đảng ủy", "Đảng uỷ"), "dang_uy_khoi": ("Đảng ủy", "Đảng uỷ")}
NUMBERING = {"term": "theo nhiệm kỳ", "year": "theo năm"}
DEFAULT_CODES = {"chi_bo": "CB", "dang_uy": "ĐU", "dang_uy_khoi": "ĐUK"}
TITLES = {"BÍ THƯ": "Bí thư", "PHÓ BÍ THƯ": "Phó Bí thư", "PHÓ BÍ THƯ THƯỜNG TRỰC": "Phó Bí thư Thường trực"}
LETTERS = re.compile(r"[^\W\d_]")


# -- validators and providers used by data/flows/unit.yaml -------------------------------------

def _clean_line(value: str, what: str) -> str:
    value = re.sub(r"\s+", " ", value).strip(" .,;")
    if not LETTERS.search(value):
        raise Invalid(f"{what} phải có chữ, không chỉ gồm số hay ký hiệu.")
    return value


@validator("unit_line")
async def unit_line(ctx: Context, draft: Draft, value: str) -> str:
    return _clean_line(value, "Tên tổ chức")


@validator("unit_name")
async def unit_name(ctx: Context, draft: Draft, value: str) -> str:
    value = _clean_line(value, "Tên đơn vị")
    kind = draft.answers.get("kind", "chi_bo")
    if not any(fold(value).startswith(fold(p)) for p in KIND_PREFIXES[kind] + ("Đảng bộ",)):
        value = f"{KIND_PREFIXES[kind][0]} {value}"
    return value


@validator("unit_code")
async def unit_code(ctx: Context, draft: Draft, value: str) -> str:
    code = value.strip().upper().replace(" ", "")
    if not re.fullmatch(r"[^\W\d_][\w.]{0,11}", code):
        raise Invalid("Ký hiệu chỉ gồm chữ cái (có thể kèm số), không dấu cách, tối đa 12 ký tự, ví dụ CB hoặc ĐUK.")
    return code


@validator("place_name")
async def place_name(ctx: Context, draft: Draft, value: str) -> str:
    return _clean_line(value, "Địa danh")


@validator("person_name")
async def person_name(ctx: Context, draft: Draft, value: str) -> str:
    return _clean_line(value, "Họ tên")


@validator("invite_code")
async def invite_code(ctx: Context, draft: Draft, value: str) -> str:
    code, _ = await checked_code(ctx, value, "join")
    return code


async def checked_code(ctx: Context, value: str, purpose: str) -> tuple[str, int]:
    """A typed invite ("join") or link code and its unit; Invalid with the reason, counting a wrong code
    against the account's tries (invite and link codes share the count)."""
    inc = ctx.incoming
    code = normal_code(value)
    what = "mã mời" if purpose == "join" else "mã kết nối"
    check = await ctx.store.try_invite(code, f"{inc.channel}:{inc.user_id}", ctx.clock.now(), purpose=purpose)
    if check.wait_seconds:
        raise Invalid(f"Đồng chí đã nhập sai {what} {INVITE_TRIES} lần trong {_minutes(INVITE_WINDOW.total_seconds())}. "
                      f"Để giữ an toàn cho đơn vị, xin chờ {_minutes(check.wait_seconds)} nữa rồi nhập lại mã.")
    if check.unit_id is None:
        left = (f" Còn {check.tries_left} lần thử, sau đó phải chờ {_minutes(INVITE_WINDOW.total_seconds())}."
                if check.tries_left else
                f" Đồng chí đã nhập sai {INVITE_TRIES} lần: xin chờ {_minutes(INVITE_WINDOW.total_seconds())} "
                "rồi nhập lại mã.")
        fix = ("nhờ đồng chí bí thư tạo mã mới bằng lệnh /moi." if purpose == "join" else
               "gõ /ketnoi trên ứng dụng đang dùng để lấy mã mới.")
        raise Invalid(f"{what.capitalize()} không đúng, đã dùng hoặc đã hết hạn. Xin kiểm tra lại, hoặc {fix}" + left)
    return code, check.unit_id


def _minutes(seconds: float) -> str:
    """A wait in whole minutes, rounded up: "15 phút"."""
    return f"{max(1, math.ceil(seconds / 60))} phút"


@provider("unit_codes")
async def unit_codes(ctx: Context, draft: Draft) -> list[Choice]:
    first = DEFAULT_CODES.get(draft.answers.get("kind", "chi_bo"), "CB")
    codes = [first] + [c for c in ("CB", "ĐU", "ĐUK") if c != first]
    return [Choice(c, c) for c in codes]


def show_member(member: dict[str, Any]) -> str:
    notes = []
    if member["status"] == "du_bi":
        notes.append("dự bị")
    if member.get("exempt"):
        notes.append("miễn sinh hoạt")
    return member["name"] + (f" ({', '.join(notes)})" if notes else "")


_MARKERS = {
    "du bi": ("status", "du_bi"), "db": ("status", "du_bi"), "dang vien du bi": ("status", "du_bi"),
    "chinh thuc": ("status", "chinh_thuc"), "ct": ("status", "chinh_thuc"),
    "dang vien chinh thuc": ("status", "chinh_thuc"),
    "mien": ("exempt", True), "mien sinh hoat": ("exempt", True), "msh": ("exempt", True),
    "mien sh": ("exempt", True),
}


@item_type("member", show=show_member)
def parse_member(ctx: Context, line: str) -> dict[str, Any]:
    """'Trần Thị Bình, dự bị' / 'Lê Văn Cường - miễn' / 'Nguyễn Văn An (dự bị, miễn SH)'."""
    line = re.sub(r"^\s*\d+\s*[.)]\s*", "", line)  # a pasted numbered list
    parts = [p.strip() for p in re.split(r"[,()|]| - | – |\t", line) if p.strip()]
    member: dict[str, Any] = {"name": "", "status": "chinh_thuc", "exempt": False}
    names = []
    for part in parts:
        marker = _MARKERS.get(fold(part))
        if marker:
            member[marker[0]] = marker[1]
        else:
            names.append(part)
    if len(names) != 1:
        raise Invalid("Mỗi dòng ghi một họ tên, có thể thêm “dự bị” hoặc “miễn”, cách nhau bằng dấu phẩy.")
    name = re.sub(r"\s+", " ", names[0])
    if not LETTERS.search(name):
        raise Invalid("Họ tên phải có chữ.")
    if len(name) > 60:
        raise Invalid("Họ tên dài quá 60 ký tự.")
    member["name"] = capitalised_name(name) if name == name.lower() else name  # typed in lower case: capitals
    return member


# -- actions ------------------------------------------------------------------------------------

@action("start.route")
async def start_route(ctx: Context, draft: Draft) -> list[Outgoing]:
    return await ctx.engine.start(ctx, {"create": "unit", "join": "join", "link": "link"}[draft.answers["mode"]])


@action("join.save")
async def join_save(ctx: Context, draft: Draft) -> list[Outgoing]:
    inc = ctx.incoming
    unit_id = await ctx.store.unit_of_invite(draft.answers["code"])
    used = await ctx.store.join_unit(draft.answers["code"], inc.channel, inc.user_id, inc.user_name, ctx.clock.now(),
                                     audit.note(ctx, "member.join", "", unit_id or 0))
    if used is None:
        return [Outgoing(text="Mã mời vừa hết hiệu lực. Xin nhờ đồng chí bí thư tạo mã mới bằng /moi, rồi gõ /batdau.")]
    await ctx.store.touch_chat(inc.channel, inc.chat_id, inc.chat_type, ctx.account.unit_id if ctx.account else None)
    await ctx.refresh()
    assert ctx.unit is not None and ctx.account is not None
    people = await ctx.people()
    member = next((p for p in people if p.id == ctx.account.person_id), None)
    joined = f"Đồng chí đã tham gia {ctx.unit.name} với vai trò {LABELS[ctx.account.role]}"
    joined += f", là đồng chí {member.name} trong danh sách đảng viên." if member else "."
    replies = [Outgoing(text=joined), main_menu(ctx)]
    if member is None and people:
        replies += await who_am_i(ctx)  # the question last
    return replies


def unit_fields(answers: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    style = answers["spelling"]
    fields = {
        "kind": answers["kind"],
        "superior": apply_spelling(answers.get("superior") or "", style),
        "name": apply_spelling(answers["name"], style),
        "code": answers["code"],
        "place": answers["place"],
        "signer_name": answers["signer_name"],
        "signer_title": answers["signer_title"],
        "spelling": style,
    }
    return fields, list(answers.get("roster") or []), {"numbering": answers.get("numbering") or "term"}


@action("unit.save")
async def unit_save(ctx: Context, draft: Draft) -> list[Outgoing]:
    inc = ctx.incoming
    meta = draft.meta
    fields, roster, settings = unit_fields(draft.answers)
    if meta.get("unit_id"):
        notes = await _changes(ctx, meta["unit_id"], fields, roster, settings)
        await ctx.store.update_unit(meta["unit_id"], fields, roster, settings, audit=notes)
        done = "Đã lưu các thay đổi của hồ sơ đơn vị."
    else:
        unit_id = await ctx.store.create_unit(fields, roster, settings)
        await ctx.store.link_account(inc.channel, inc.user_id, unit_id, "owner", inc.user_name)
        await ctx.store.touch_chat(inc.channel, inc.chat_id, inc.chat_type, unit_id)
        await ctx.store.write_audit(audit.note(ctx, "unit.create", f"{fields['name']}, {len(roster)} đảng viên",
                                               unit_id))
        done = f"Đã tạo hồ sơ {fields['name']}."
    await ctx.refresh()
    if meta.get(META):  # edited from /donvi: the profile is shown again (handlers/menus.py), not the main menu
        return [Outgoing(text=done)]
    return [Outgoing(text=done), main_menu(ctx)]


PROFILE_LABELS = {"kind": "loại tổ chức", "superior": "cấp trên", "name": "tên đơn vị", "code": "ký hiệu văn bản",
                  "place": "địa danh", "signer_name": "người ký", "signer_title": "chức vụ người ký",
                  "spelling": "cách viết dấu", "numbering": "đánh số văn bản"}


async def _changes(ctx: Context, unit_id: int, fields: dict[str, Any], roster: list[dict[str, Any]],
                   settings: dict[str, Any]) -> list[AuditNote]:
    """The audit lines of a profile edit: the fields changed (old → new) and the members added or removed."""
    unit = await ctx.store.get_unit(unit_id)
    if unit is None:
        return []
    before = {**{k: getattr(unit, k) for k in fields}, "numbering": unit.settings.get("numbering", "term")}
    after = {**fields, **settings}
    changed = [f"{PROFILE_LABELS.get(k, k)}: “{before.get(k) or ''}” → “{after[k]}”"
               for k in after if k in PROFILE_LABELS and str(before.get(k) or "") != str(after[k] or "")]
    notes = [audit.note(ctx, "unit.profile", "; ".join(changed), unit_id)] if changed else []
    old = [p.name for p in await ctx.store.people(unit_id)]
    new = [p["name"] for p in roster]
    added = [n for n in new if n not in old]
    removed = [n for n in old if n not in new]
    if added or removed:
        parts = ([f"thêm {', '.join(added)}"] if added else []) + ([f"bớt {', '.join(removed)}"] if removed else [])
        notes.append(audit.note(ctx, "unit.roster", "; ".join(parts), unit_id))
    return notes


# -- commands -----------------------------------------------------------------------------------

def main_menu(ctx: Context) -> Outgoing:
    """The commands, shown after onboarding and on /batdau."""
    from handlers.commands import menu_for  # the command table refers to this module's commands

    name = ctx.unit.name if ctx.unit else ""
    return Outgoing(
        title=f"Trợ lý Chi bộ — {name}" if name else "Trợ lý Chi bộ",
        text="\n".join(["Đồng chí có thể:"] + [f"/{command} — {description}" for command, description in menu_for(ctx)]),
    )


async def cmd_start(ctx: Context, arg: str) -> list[Outgoing]:
    if ctx.unit:
        return [Outgoing(text=f"Chào đồng chí! Tài khoản này đang làm việc cho {ctx.unit.name}."), main_menu(ctx)]
    welcome = Outgoing(
        title="Chào mừng đồng chí đến với Trợ lý Chi bộ",
        text="Tôi giúp bí thư chi bộ soạn kế hoạch, ghi biên bản sinh hoạt chi bộ và nhắc các hạn chót.",
    )
    return [welcome] + await ctx.engine.start(ctx, "start")


def profile_text(unit: Unit, people: list[Person]) -> str:
    lines = [
        f"Loại tổ chức: {KINDS.get(unit.kind, unit.kind)}",
        f"Cấp trên: {unit.superior or '(không có)'}",
        f"Tên đơn vị: {unit.name}",
        f"Ký hiệu văn bản: {unit.code}",
        f"Địa danh: {unit.place}",
        f"Người ký: {unit.signer_name} — {TITLES.get(unit.signer_title, unit.signer_title)}",
        f"Cách viết dấu: {unit.spelling}",
        f"Đánh số văn bản: {NUMBERING[unit.settings.get('numbering', 'term')]}",
    ]
    full = sum(1 for p in people if p.status == "chinh_thuc")
    exempt = sum(1 for p in people if p.exempt)
    lines.append(f"Đảng viên: {len(people)} (chính thức {full}, dự bị {len(people) - full}; miễn sinh hoạt {exempt})")
    for n, p in enumerate(people, 1):
        lines.append(f"   {n}. {show_member({'name': p.name, 'status': p.status, 'exempt': p.exempt})}")
    return "\n".join(lines)


def unit_answers(unit: Unit, people: list[Person]) -> dict[str, Any]:
    return {
        "kind": unit.kind, "superior": unit.superior or None, "name": unit.name, "code": unit.code,
        "place": unit.place, "signer_name": unit.signer_name, "signer_title": unit.signer_title,
        "spelling": unit.spelling,
        "numbering": unit.settings.get("numbering", "term"),
        "roster": [{"name": p.name, "status": p.status, "exempt": p.exempt} for p in people],
    }


async def cmd_unit(ctx: Context, arg: str) -> list[Outgoing]:
    assert ctx.unit is not None
    people = await ctx.people()
    if fold(arg) in ("sua", "chinh sua"):
        return await ctx.engine.start(ctx, "unit", answers=unit_answers(ctx.unit, people),
                                      meta=from_menu("donvi", {"unit_id": ctx.unit.id}), review=True)
    return await profile_menu(ctx)


@menu("donvi")
async def profile_menu(ctx: Context) -> list[Outgoing]:
    assert ctx.unit is not None
    people = await ctx.people()
    return [Outgoing(
        title=f"Hồ sơ {ctx.unit.name}",
        text=profile_text(ctx.unit, people),
        choices=[Choice("Sửa hồ sơ", "/donvi sua"), Choice("Mời", "/moi"), Choice("Thành viên", "/thanhvien")],
    )]


INVITE_ROLES = {MANAGER: "Người cùng quản lý", MEMBER: "Đảng viên"}
ASK_WHO = "ask"  # a member invite for nobody in particular: she says who she is, a manager confirms


async def cmd_invite(ctx: Context, arg: str) -> list[Outgoing]:
    """/moi: the role of the invite (a manager only from the owner), for a member the roster member, then the code."""
    if not ctx.unit:
        return [Outgoing(text="Tài khoản này chưa thuộc đơn vị nào. Gõ /batdau để tạo đơn vị trước.")]
    if not at_least(ctx.role, MANAGER):
        return [Outgoing(text="Chỉ bí thư và người cùng quản lý mới tạo được mã mời.")]
    return await ctx.engine.start(ctx, "invite")


@provider("invite_roles")
async def invite_roles(ctx: Context, draft: Draft) -> list[Choice]:
    """The owner invites managers and members; a manager invites members only (no one invites an owner: the
    owner hands the unit over in /thanhvien)."""
    roles = [MANAGER, MEMBER] if ctx.role == OWNER else [MEMBER]
    return [Choice(INVITE_ROLES[r], r) for r in roles]


@provider("invite_people")
async def invite_people(ctx: Context, draft: Draft) -> list[Choice]:
    return [Choice(p.name, str(p.id)) for p in await ctx.people()] + [
        Choice("Để đồng chí ấy tự chọn", ASK_WHO)]


@action("invite.save")
async def invite_save(ctx: Context, draft: Draft) -> list[Outgoing]:
    assert ctx.unit is not None
    role = draft.answers["role"]
    if role == MANAGER and ctx.role != OWNER:
        return [Outgoing(text="Chỉ bí thư (chủ đơn vị) mới mời được người cùng quản lý.")]
    wanted = draft.answers.get("person")
    person = next((p for p in await ctx.people() if str(p.id) == str(wanted)), None) if role == MEMBER else None
    whom = f"đồng chí {person.name}" if person else ("một đảng viên" if role == MEMBER else "người cùng quản lý")
    code = await ctx.store.create_invite(ctx.unit.id, ctx.actor, ctx.clock.now(), role=role,
                                         person_id=person.id if person else None,
                                         audit=audit.note(ctx, "invite.create", f"mã {{code}} mời {whom}"))
    how = ("Người được mời mở Trợ lý Chi bộ (Zalo hoặc Telegram), gõ /batdau, chọn “Tham gia bằng mã mời” rồi nhập "
           f"mã. Mã dùng được một lần, trong {INVITE_DAYS} ngày; thu hồi trong /thanhvien.")
    if role == MANAGER:
        text = (f"Gửi mã này cho đồng chí cùng quản lý {ctx.unit.name} (ví dụ phó bí thư, văn phòng): người đó soạn "
                f"văn bản, sửa hồ sơ và mời đảng viên như đồng chí. {how}")
    elif person:
        text = (f"Gửi mã này cho đồng chí {person.name}: vào đơn vị, đồng chí ấy xem văn bản đã ban hành và việc "
                f"được giao cho mình. {how}")
    else:
        text = (f"Gửi mã này cho một đảng viên của {ctx.unit.name}: vào đơn vị, đồng chí ấy chọn mình là ai trong "
                f"danh sách, rồi bí thư hoặc người cùng quản lý xác nhận trong /thanhvien. {how}")
    return [Outgoing(title=f"Mã mời: {code}", text=f"Vai trò: {INVITE_ROLES[role].lower()}. {text}")]


# -- one person on two apps (/ketnoi), the roster member of an account --------------------------------

APPS = {"telegram": "Telegram", "zalo": "Zalo", "console": "máy tính (chibo chat)"}


def app_name(channel: str) -> str:
    return APPS.get(channel, channel)


@validator("link_code")
async def link_code(ctx: Context, draft: Draft, value: str) -> str:
    code, unit_id = await checked_code(ctx, value, "link")
    if ctx.account is not None and ctx.account.unit_id != unit_id:
        raise Invalid(await _other_unit(ctx, unit_id))
    return code


async def _other_unit(ctx: Context, unit_id: int) -> str:
    """Why an account of another unit cannot be linked: an account works for one unit only, and moving it
    silently would take it out of its own unit (perhaps the only one managing it)."""
    assert ctx.unit is not None
    other = await ctx.store.get_unit(unit_id)
    return (f"Tài khoản {app_name(ctx.incoming.channel)} này đang làm việc cho {ctx.unit.name}, nên không kết nối "
            f"được với {other.name if other else 'đơn vị kia'}: mỗi tài khoản chỉ thuộc một đơn vị. Mã kết nối "
            "chưa bị dùng; đồng chí có thể nhập nó trên một tài khoản chưa thuộc đơn vị nào.")


@action("link.save")
async def link_save(ctx: Context, draft: Draft) -> list[Outgoing]:
    return await _redeem(ctx, draft.answers["code"])


async def _redeem(ctx: Context, code: str) -> list[Outgoing]:
    inc = ctx.incoming
    if await ctx.store.invite_maker(code) == f"{inc.channel}:{inc.user_id}":
        return [Outgoing(text="Mã này được tạo trên chính tài khoản này. Xin nhập nó trên ứng dụng kia (Zalo hoặc "
                              "Telegram) để kết nối; mã vẫn dùng được.")]
    account = await ctx.store.redeem_link(code, inc.channel, inc.user_id, inc.user_name, ctx.clock.now())
    if account is None:
        return [Outgoing(text="Mã kết nối vừa hết hiệu lực. Xin gõ /ketnoi trên ứng dụng đang dùng để lấy mã mới.")]
    await ctx.store.touch_chat(inc.channel, inc.chat_id, inc.chat_type, account.unit_id)
    await ctx.refresh()
    assert ctx.unit is not None
    return [Outgoing(text=f"Đã kết nối: tài khoản {app_name(inc.channel)} này làm việc cho {ctx.unit.name}, "
                          "cùng hồ sơ, văn bản và hạn chót như trên ứng dụng kia.")] + await _status(ctx)


async def _status(ctx: Context) -> list[Outgoing]:
    """Which apps this person uses and which roster member they are."""
    inc = ctx.incoming
    assert ctx.unit is not None and ctx.account is not None
    accounts = await ctx.store.linked_accounts(inc.channel, inc.user_id)
    apps = [f"• {app_name(a.channel)}" + (" (tài khoản này)" if (a.channel, a.user_id) == (inc.channel, inc.user_id)
                                          else "") for a in accounts]
    people = await ctx.people()
    member = next((p for p in people if p.id == ctx.account.person_id), None)
    lines = [f"Đơn vị: {ctx.unit.name}", "Các ứng dụng đồng chí đang dùng:", *apps]
    if member:
        lines.append(f"Trong danh sách đảng viên, đồng chí là: {member.name}.")
    elif people:
        lines.append("Đồng chí chưa chọn mình là ai trong danh sách đảng viên: gõ /ketnoi la.")
    return [Outgoing(title="Kết nối ứng dụng", text="\n".join(lines))]


async def who_am_i(ctx: Context) -> list[Outgoing]:
    """The roster as choices: the member this account is, or "Bỏ qua"."""
    people = await ctx.people()
    return [Outgoing(
        text="Đồng chí là ai trong danh sách đảng viên? (để tôi biết việc nào giao cho đồng chí; có thể bỏ qua)",
        choices=[Choice(p.name, f"/ketnoi la {n}") for n, p in enumerate(people, 1)]
        + [Choice("Bỏ qua", "/ketnoi la bo qua")],
    )]


async def _set_member(ctx: Context, arg: str) -> list[Outgoing]:
    assert ctx.account is not None
    people = await ctx.people()
    if not people:
        return [Outgoing(text="Đơn vị chưa có danh sách đảng viên. Gõ /donvi sua để nhập danh sách.")]
    if not arg:
        return await who_am_i(ctx)
    if fold(arg) in ("bo qua", "khong"):
        return [Outgoing(text="Đã bỏ qua. Khi cần, gõ /ketnoi la để chọn.")]
    named = [p for p in people if fold(arg) in fold(p.name)] if not arg.isdigit() else []
    if len(named) == 1:
        arg = str(people.index(named[0]) + 1)
    if not arg.isdigit() or not 1 <= int(arg) <= len(people):
        return [Outgoing(text=f"Xin chọn một số từ 1 đến {len(people)} hoặc gõ đúng họ tên trong danh sách dưới "
                              "đây.")] + await who_am_i(ctx)
    member = people[int(arg) - 1]
    if ctx.role == MEMBER and ctx.unit is not None:  # a member's word is confirmed by a manager before tasks and notices reach her
        await ctx.store.ask_to_be(ctx.incoming.channel, ctx.incoming.user_id, ctx.unit.id, member.id)
        await _ask_managers(ctx, member)
        return [Outgoing(text=f"Đã gửi đề nghị: đồng chí là {member.name}. Bí thư hoặc người cùng quản lý sẽ xác "
                              "nhận trong /thanhvien; sau đó việc được giao cho đồng chí sẽ được nhắc đến đồng chí.")]
    await ctx.store.set_person(ctx.incoming.channel, ctx.incoming.user_id, member.id)
    await ctx.refresh()
    return [Outgoing(text=f"Đã ghi nhận: đồng chí là {member.name}.")]


async def _ask_managers(ctx: Context, member: Person) -> None:
    """The owner's and managers' private chats get the request with its two answers (sent by the sweep)."""
    assert ctx.unit is not None
    inc = ctx.incoming
    who = f"{inc.channel}:{inc.user_id}"
    name = (ctx.account.display_name if ctx.account else "") or inc.user_name or "Một tài khoản"
    chats = [(a.channel, a.user_id) for a in await ctx.store.unit_accounts(ctx.unit.id) if at_least(a.role, MANAGER)]
    text = (f"Tài khoản “{name}” trên {app_name(inc.channel)} đã tham gia {ctx.unit.name} với vai trò đảng viên và "
            f"cho biết mình là đồng chí {member.name} trong danh sách đảng viên. Xin đồng chí xác nhận (hoặc xem "
            "/thanhvien).")
    await ctx.store.queue_messages(ctx.unit.id, chats, text, [("Xác nhận", f"/thanhvien xac nhan {who}"),
                                                              ("Từ chối", f"/thanhvien tu choi {who}")])


async def cmd_link(ctx: Context, arg: str) -> list[Outgoing]:
    """/ketnoi: a one-time code for the other app and the apps linked; /ketnoi <code> on the other app;
    /ketnoi la [n]: which roster member this account is."""
    member = re.fullmatch(r"la(?:\s+(.*))?", fold(arg))
    if member:
        if not ctx.unit:
            return [Outgoing(text="Tài khoản này chưa thuộc đơn vị nào. Gõ /batdau để bắt đầu.")]
        return await _set_member(ctx, (member.group(1) or "").strip())
    if arg:
        try:
            code, unit_id = await checked_code(ctx, arg, "link")
        except Invalid as exc:
            return [Outgoing(text=str(exc))]
        if ctx.account is not None and ctx.account.unit_id != unit_id:
            return [Outgoing(text=await _other_unit(ctx, unit_id))]
        return await _redeem(ctx, code)
    if not ctx.unit:
        return await ctx.engine.start(ctx, "link")
    inc = ctx.incoming
    code = await ctx.store.create_invite(ctx.unit.id, f"{inc.channel}:{inc.user_id}", ctx.clock.now(),
                                         purpose="link", lifetime=LINK_LIFETIME)
    minutes = _minutes(LINK_LIFETIME.total_seconds())
    return await _status(ctx) + [Outgoing(
        title=f"Mã kết nối: {code}",
        text=(f"Để dùng Trợ lý Chi bộ trên ứng dụng khác (Zalo hoặc Telegram) cho {ctx.unit.name}, mở Trợ lý Chi bộ "
              f"trên ứng dụng đó và gõ: /ketnoi {code}\nMã chỉ dành cho chính đồng chí, dùng được một lần, trong "
              f"{minutes}. Không gửi mã cho người khác: để mời người cùng quản lý, dùng /moi."),
    )]
