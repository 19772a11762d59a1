"""/thanhvien: the unit's members and open invites. Everyone of manager rank lists them, confirms or refuses who a
member says she is, and revokes a member invite; the owner alone changes roles, removes an account and hands the
unit over (she then becomes a manager). The store keeps exactly one owner (bot/store/members.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.messages import Choice, Outgoing
from bot.roles import LABELS, MANAGER, MEMBER, OWNER, at_least
from bot.store.members import MemberError
from bot.store.records import Account, JoinRequest, Person
from bot.store.units import UTC_FORMAT
from bot.text import fold
from handlers import audit
from handlers.context import Context
from handlers.unit import app_name

OWNER_ONLY = "Chỉ bí thư (chủ đơn vị) mới {what}."


@dataclass(frozen=True)
class Member:
    """One person of the unit: her accounts on one or more apps (linked by /ketnoi)."""

    accounts: tuple[Account, ...]

    @property
    def first(self) -> Account:
        return self.accounts[0]

    @property
    def ref(self) -> str:
        return f"{self.first.channel}:{self.first.user_id}"


async def _members(ctx: Context) -> list[Member]:
    assert ctx.unit is not None
    groups: dict[str, list[Account]] = {}
    for a in await ctx.store.unit_accounts(ctx.unit.id):
        groups.setdefault(a.person_key or f"{a.channel}:{a.user_id}", []).append(a)
    members = [Member(tuple(g)) for g in groups.values()]
    return sorted(members, key=lambda m: m.first.role != OWNER)  # the owner first, then by joining


def _person(people: list[Person], person_id: int | None) -> Person | None:
    return next((p for p in people if p.id == person_id), None)


def _name(member: Member, people: list[Person]) -> str:
    person = _person(people, member.first.person_id)
    return person.name if person else (member.first.display_name or "(không tên)")


def _line(n: int, member: Member, people: list[Person], me: str) -> str:
    person = _person(people, member.first.person_id)
    apps = ", ".join(app_name(a.channel) for a in member.accounts)
    shown = member.first.display_name or "(không tên)"
    roster = f"trong danh sách: {person.name}" if person else "chưa gắn với danh sách đảng viên"
    mine = " — đồng chí" if any(f"{a.channel}:{a.user_id}" == me for a in member.accounts) else ""
    return f"{n}. {shown} — {LABELS[member.first.role]} — {roster} — {apps}{mine}"


async def show_members(ctx: Context) -> list[Outgoing]:
    assert ctx.unit is not None
    people = await ctx.people()
    members = await _members(ctx)
    invites = await ctx.store.open_invites(ctx.unit.id, ctx.clock.now())
    requests = await ctx.store.join_requests(ctx.unit.id)
    lines = ["Tài khoản trong đơn vị:"] + [_line(n, m, people, ctx.actor) for n, m in enumerate(members, 1)]
    choices: list[Choice] = []
    if requests:
        lines += ["", "Đề nghị chờ xác nhận:"]
        for n, r in enumerate(requests, 1):
            person = _person(people, r.person_id)
            lines.append(f"{n}. {r.display_name or '(không tên)'} ({app_name(r.channel)}) nói mình là đồng chí "
                         f"{person.name if person else '?'}")
            choices += [Choice(f"Xác nhận {n}", f"/thanhvien xac nhan {r.channel}:{r.user_id}"),
                        Choice(f"Từ chối {n}", f"/thanhvien tu choi {r.channel}:{r.user_id}")]
    lines += ["", "Mã mời còn hiệu lực:" if invites else "Không có mã mời nào còn hiệu lực."]
    for invite in invites:
        person = _person(people, invite.person_id)
        whom = LABELS[invite.role] + (f" {person.name}" if person else "")
        lines.append(f"• {invite.code} — {whom} — đến hết {_local(invite.expires_at, ctx)}")
        if ctx.role == OWNER or invite.role == MEMBER:
            choices.append(Choice(f"Thu hồi {invite.code}", f"/thanhvien thu hoi ma {invite.code}"))
    if ctx.role == OWNER:
        lines += ["", "Chọn một người để đổi vai trò, xóa khỏi đơn vị hoặc chuyển quyền bí thư; hoặc gõ "
                  "“/thanhvien thu hồi mã …”, “/thanhvien chuyển quyền cho …”."]
        choices += [Choice(f"{n}. {_name(m, people)}", f"/thanhvien {n}")
                    for n, m in enumerate(members, 1) if m.first.role != OWNER]
    choices.append(Choice("Mời", "/moi"))
    return [Outgoing(title=f"Thành viên — {ctx.unit.name}", text="\n".join(lines), choices=choices)]


def _local(utc: str, ctx: Context) -> str:
    return datetime.strptime(utc, UTC_FORMAT).replace(tzinfo=UTC).astimezone(ctx.clock.tz).strftime("%H:%M %d/%m/%Y")


def _find(members: list[Member], people: list[Person], ref: str) -> Member | None:
    """A member by her number in the list, her account ("telegram:123") or a name (unique part of it)."""
    ref = ref.strip()
    if ref.isdigit():
        return members[int(ref) - 1] if 1 <= int(ref) <= len(members) else None
    for m in members:
        if any(fold(f"{a.channel}:{a.user_id}") == fold(ref) for a in m.accounts):
            return m
    named = [m for m in members if fold(ref) and (fold(ref) in fold(_name(m, people))
                                                  or fold(ref) in fold(m.first.display_name))]
    return named[0] if len(named) == 1 else None


async def member_card(ctx: Context, member: Member) -> list[Outgoing]:
    people = await ctx.people()
    role = member.first.role
    other = MEMBER if role == MANAGER else MANAGER
    choices = [
        Choice(f"Đổi thành {LABELS[other]}", f"/thanhvien vai tro {member.ref} {other}"),
        Choice("Xóa khỏi đơn vị", f"/thanhvien xoa {member.ref}"),
        Choice("Chuyển quyền bí thư", f"/thanhvien chuyen quyen cho {member.ref}"),
        Choice("Danh sách thành viên", "/thanhvien"),
    ]
    return [Outgoing(title=_name(member, people), text=_line(1, member, people, ctx.actor)[3:], choices=choices)]


async def cmd_members(ctx: Context, arg: str) -> list[Outgoing]:
    """/thanhvien [n | xac nhan|tu choi <ref> | thu hoi ma <code> | vai tro <ref> manager|member | xoa <ref> |
    chuyen quyen cho <ref> [dong y]]."""
    assert ctx.unit is not None
    if not at_least(ctx.role, MANAGER):
        return [Outgoing(text="Chỉ bí thư và người cùng quản lý mới xem được danh sách thành viên.")]
    words = fold(arg)
    if not words:
        return await show_members(ctx)
    people = await ctx.people()
    members = await _members(ctx)
    if m := re.fullmatch(r"(xac nhan|tu choi) (\S+)", words):
        return await _answer(ctx, m.group(2), m.group(1) == "xac nhan")
    if m := re.fullmatch(r"thu hoi(?: ma)? (.+)", words):
        return await _revoke(ctx, m.group(1))
    if ctx.role != OWNER:
        return [Outgoing(text=OWNER_ONLY.format(what="đổi vai trò, xóa thành viên hay chuyển quyền được"))]
    if words.isdigit():
        found = _find(members, people, words)
        if found is None or found.first.role == OWNER:
            return [Outgoing(text=f"Xin chọn một số từ 2 đến {len(members)} trong danh sách.")] + await show_members(ctx)
        return await member_card(ctx, found)
    if m := re.fullmatch(r"vai tro (.+) (manager|member|quan ly|nguoi cung quan ly|dang vien)", words):
        role = MANAGER if m.group(2) in ("manager", "quan ly", "nguoi cung quan ly") else MEMBER
        return await _change(ctx, members, people, m.group(1), role)
    if m := re.fullmatch(r"xoa (.+)", words):
        return await _remove(ctx, members, people, m.group(1))
    if m := re.fullmatch(r"chuyen quyen(?: cho)? (.+?)( dong y)?", words):
        return await _hand_over(ctx, members, people, m.group(1), bool(m.group(2)))
    return [Outgoing(text="Tôi chưa hiểu yêu cầu này. Gõ /thanhvien để xem danh sách và các nút thao tác; có thể gõ "
                          "“/thanhvien thu hồi mã K7M2QXHP” hoặc “/thanhvien chuyển quyền cho Bình”.")]


async def _answer(ctx: Context, ref: str, accept: bool) -> list[Outgoing]:
    assert ctx.unit is not None
    requests = await ctx.store.join_requests(ctx.unit.id)
    request: JoinRequest | None = None
    if ref.isdigit() and 1 <= int(ref) <= len(requests):
        request = requests[int(ref) - 1]
    else:
        request = next((r for r in requests if fold(f"{r.channel}:{r.user_id}") == ref), None)
    if request is None:
        return [Outgoing(text="Đề nghị này đã được trả lời hoặc không còn.")] + await show_members(ctx)
    person = _person(await ctx.people(), request.person_id)
    who = f"{request.display_name or '(không tên)'} là đồng chí {person.name if person else '?'}"
    note = audit.note(ctx, "member.confirm" if accept else "member.refuse", who)
    if await ctx.store.answer_join_request(ctx.unit.id, request.channel, request.user_id, accept, note) is None:
        return [Outgoing(text="Đề nghị này đã được trả lời.")]
    done = f"Đã xác nhận: {who}." if accept else f"Đã từ chối đề nghị: {who}. Đồng chí ấy có thể chọn lại."
    return [Outgoing(text=done)] + await show_members(ctx)


async def _revoke(ctx: Context, code: str) -> list[Outgoing]:
    assert ctx.unit is not None
    invites = {i.code: i for i in await ctx.store.open_invites(ctx.unit.id, ctx.clock.now())}
    wanted = re.sub(r"[\s-]+", "", code).upper()
    invite = invites.get(wanted)
    if invite is None:
        return [Outgoing(text=f"Không có mã mời {wanted} còn hiệu lực trong đơn vị.")] + await show_members(ctx)
    if invite.role == MANAGER and ctx.role != OWNER:
        return [Outgoing(text=OWNER_ONLY.format(what="thu hồi được mã mời người cùng quản lý"))]
    await ctx.store.revoke_invite(ctx.unit.id, wanted, audit.note(ctx, "invite.revoke", f"mã {wanted}"))
    return [Outgoing(text=f"Đã thu hồi mã {wanted}: mã không dùng được nữa.")] + await show_members(ctx)


async def _target(ctx: Context, members: list[Member], people: list[Person], ref: str) -> Member | Outgoing:
    found = _find(members, people, ref)
    if found is None:
        return Outgoing(text=f"Không tìm thấy “{ref}” trong danh sách thành viên (gõ số thứ tự hoặc tên). Gõ "
                             "/thanhvien để xem danh sách.")
    return found


async def _change(ctx: Context, members: list[Member], people: list[Person], ref: str, role: str) -> list[Outgoing]:
    assert ctx.unit is not None
    found = await _target(ctx, members, people, ref)
    if isinstance(found, Outgoing):
        return [found]
    name = _name(found, people)
    try:
        await ctx.store.set_role(ctx.unit.id, found.first.channel, found.first.user_id, role,
                                 audit.note(ctx, "member.role", f"{name}: {LABELS[found.first.role]} → {LABELS[role]}"))
    except MemberError as exc:
        return [Outgoing(text=str(exc))]
    return [Outgoing(text=f"Đã đổi vai trò: {name} là {LABELS[role]}.")] + await show_members(ctx)


async def _remove(ctx: Context, members: list[Member], people: list[Person], ref: str) -> list[Outgoing]:
    assert ctx.unit is not None
    found = await _target(ctx, members, people, ref)
    if isinstance(found, Outgoing):
        return [found]
    name = _name(found, people)
    try:
        await ctx.store.remove_account(ctx.unit.id, found.first.channel, found.first.user_id,
                                       audit.note(ctx, "member.remove", f"{name} ({LABELS[found.first.role]})"))
    except MemberError as exc:
        return [Outgoing(text=str(exc))]
    return [Outgoing(text=f"Đã xóa {name} khỏi đơn vị: tài khoản ấy không còn xem được văn bản của đơn vị.")] \
        + await show_members(ctx)


async def _hand_over(ctx: Context, members: list[Member], people: list[Person], ref: str,
                     sure: bool) -> list[Outgoing]:
    assert ctx.unit is not None
    found = await _target(ctx, members, people, ref)
    if isinstance(found, Outgoing):
        return [found]
    name = _name(found, people)
    if found.first.role == OWNER:
        return [Outgoing(text="Đồng chí đang là bí thư (chủ đơn vị) rồi.")]
    if not sure:
        return [Outgoing(
            text=f"Chuyển quyền bí thư (chủ đơn vị) cho {name}? Sau đó đồng chí là người cùng quản lý; chỉ {name} "
                 "mới đổi vai trò, xóa thành viên, xem nhật ký và chuyển quyền được.",
            choices=[Choice("Chắc chắn chuyển quyền", f"/thanhvien chuyen quyen cho {found.ref} dong y"),
                     Choice("Không", "/thanhvien")])]
    inc = ctx.incoming
    try:
        await ctx.store.hand_over(ctx.unit.id, (inc.channel, inc.user_id), (found.first.channel, found.first.user_id),
                                  audit.note(ctx, "unit.hand_over", f"cho {name}"))
    except MemberError as exc:
        return [Outgoing(text=str(exc))]
    await ctx.refresh()
    return [Outgoing(text=f"Đã chuyển quyền bí thư (chủ đơn vị) cho {name}. Đồng chí nay là người cùng quản lý.")]
