"""Roles (issue 13, points 1 and 7): every command of the command table and every order in words is run as each
role — no unit, member, manager, owner — through the real Assistant; what the role may do is not refused, what
it may not is refused with the role's message and changes nothing in the database."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from bot import roles
from bot.store import NewDeadline, Store
from handlers import permissions
from handlers.commands import BY_NAME, COMMANDS, NEEDS_UNIT, Command, cmd_cancel
from handlers.forms import load_flows
from handlers.intents import INTENTS, Intent
from handlers.router import Assistant
from tests.conftest import NOW, Talk, make_invite, onboard, select, table_names
from tests.test_plan_flow import confirm, draft

MEMBER_REFUSED = "việc này do bí thư hoặc người cùng quản lý làm"
OWNER_REFUSED = "Việc này chỉ bí thư (chủ đơn vị) làm"
APOLOGY = "Xin lỗi, tôi gặp lỗi"
USERS = {None: "u9", roles.MEMBER: "u3", roles.MANAGER: "u2", roles.OWNER: "u1"}
VOLATILE = {"chats", "sqlite_sequence"}  # touched by every message (last seen), not state a command changes


async def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, for comparing the database before and after a refused command."""
    names = await table_names(store)
    return {name: sorted(tuple(r) for r in await select(store, f'SELECT * FROM "{name}"'))  # noqa: S608
            for name in names if name not in VOLATILE}


class Unit:
    """A unit with an issued plan, an owner (u1), a manager (u2), a member (u3: Trần Thị Bình, with one item
    assigned to her and one to someone else) and an account of no unit (u9)."""

    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        self.store = assistant.store
        self.doc_id = self.unit_id = self.hers = self.other = 0

    async def build(self) -> Unit:
        owner = Talk(self.assistant, "u1")
        await onboard(owner)
        await draft(owner)
        await confirm(owner)
        account = await self.store.account("test", "u1")
        self.unit_id = account.unit_id
        self.doc_id = (await self.store.documents(self.unit_id))[0].id
        people = {p.name: p.id for p in await self.store.people(self.unit_id)}
        await self.store.link_account("test", "u2", self.unit_id, roles.MANAGER, "Phó bí thư", people["Nguyễn Văn An"])
        await self.store.link_account("test", "u3", self.unit_id, roles.MEMBER, "Bình", people["Trần Thị Bình"])
        created = NOW.isoformat()
        self.hers = await self.store.add_deadline(self.unit_id, NewDeadline(
            "deadline", "Nộp bản thu hoạch", date(2026, 11, 26), assignee="đồng chí Trần Thị Bình"),
            source="", created_at=created)
        self.other = await self.store.add_deadline(self.unit_id, NewDeadline(
            "deadline", "Chuẩn bị hội trường", date(2026, 11, 25), assignee="đồng chí Lê Văn Cường"),
            source="", created_at=created)
        return self

    def talk(self, role: str | None) -> Talk:
        return Talk(self.assistant, USERS[role])


@pytest.fixture
async def unit(assistant) -> Unit:
    return await Unit(assistant).build()


def walk(unit: Unit) -> list[str]:
    """Every command of the table, bare and with each of its verbs (on the unit's plan or on an item)."""
    lines = []
    for command in COMMANDS:
        lines.append(f"/{command.name}")
        target = {"vanban": unit.doc_id, "hanchot": unit.other}.get(command.name, "")
        lines += [f"/{command.name} {verb} {target}".rstrip() for verb in command.verbs]
    return lines


def expected_refusal(role: str | None, needed: str | None) -> str | None:
    if roles.at_least(role, needed):
        return None
    if role is None:
        return NEEDS_UNIT
    return OWNER_REFUSED if role == roles.MANAGER else MEMBER_REFUSED


@pytest.mark.slow
@pytest.mark.parametrize("role", [None, roles.MEMBER, roles.MANAGER, roles.OWNER])
async def test_every_command_as_every_role(unit, role):
    talk = unit.talk(role)
    for line in walk(unit):
        needed = permissions.needed(line)
        refusal = expected_refusal(role, needed)
        before = await dump(unit.store)
        reply = await talk.say(line)
        assert APOLOGY not in reply, (role, line)
        if refusal is None:
            assert MEMBER_REFUSED not in reply and OWNER_REFUSED not in reply and NEEDS_UNIT not in reply, \
                (role, line, reply)
        else:
            assert refusal in reply, (role, line, reply)
            assert await dump(unit.store) == before, (role, line)
        await talk.say("/huy")  # a flow started by an allowed command is left


@pytest.mark.slow
@pytest.mark.parametrize("role", [None, roles.MEMBER, roles.MANAGER, roles.OWNER])
async def test_every_intent_as_every_role(unit, role):
    talk = unit.talk(role)
    for intent in INTENTS:
        line = f"/lam {intent.name} {intent.label.lower()}"
        before = await dump(unit.store)
        reply = await talk.say(line)
        assert APOLOGY not in reply, (role, line)
        if role is None:
            assert MEMBER_REFUSED not in reply, (line, reply)
        elif roles.at_least(role, permissions.needed(intent.command or "")):
            assert MEMBER_REFUSED not in reply and OWNER_REFUSED not in reply, (role, line, reply)
        else:
            assert expected_refusal(role, permissions.needed(intent.command or "")) in reply, (role, line, reply)
            assert await dump(unit.store) == before, (role, line)
        await talk.say("/huy")


def test_every_command_and_intent_chooses_its_role():
    """A command or an intent added without choosing who may run it does not even construct."""
    assert dataclasses.fields(Command)[[f.name for f in dataclasses.fields(Command)].index("role")].default \
        is dataclasses.MISSING
    with pytest.raises(TypeError):
        Command("x", "x", cmd_cancel)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Intent("x", "x", INTENTS[0].run, INTENTS[0].strong)  # type: ignore[call-arg]
    for command in COMMANDS:
        assert command.role in (None, *roles.ROLES), command.name
        assert all(r in (None, *roles.ROLES) for r in command.verbs.values()), command.name
    for intent in INTENTS:
        assert intent.command is None or intent.command.split()[0] in BY_NAME, intent.name
    assert set(load_flows()) == set(permissions.FLOW_COMMAND), "every flow names the command whose role it needs"
    for flow in permissions.FLOW_COMMAND.values():
        assert flow is None or flow.split()[0] in BY_NAME


def test_member_may_see_documents_and_her_tasks_only():
    may = {c.name for c in COMMANDS if roles.at_least(roles.MEMBER, c.role)}
    assert {"vanban", "hanchot", "tuannay", "trogiup", "batdau", "huy", "ketnoi"} <= may
    assert not {"kehoach", "sinhhoat", "moi", "lienket", "nhacnho", "dinhky"} & may
    for line in ("/vanban sua 1", "/vanban lamlai 1", "/vanban chiase 1", "/donvi sua", "/hanchot them",
                 "/hanchot sua 1", "/hanchot xoa 1", "/lam kehoach", "/lam themhan"):
        assert not roles.at_least(roles.MEMBER, permissions.needed(line)), line
    for line in ("/vanban", "/vanban gui 1", "/vanban bancu 1", "/hanchot xong 1", "/hanchot hoan 1 3"):
        assert roles.at_least(roles.MEMBER, permissions.needed(line)), line


# -- the reported attack and the member's day ---------------------------------------------------------

async def test_joined_member_cannot_rename_the_unit(assistant):
    """The report: an account that joined by an invite code renamed the unit to “Chi bộ Bị chiếm”."""
    owner, joined = Talk(assistant, "u1"), Talk(assistant, "u2")
    await onboard(owner)
    code = (await make_invite(owner, "Đảng viên", "Nguyễn Văn An")).split("Mã mời: ")[1][:8]
    await joined.say("/batdau")
    await joined.tap("Tham gia bằng mã mời")
    await joined.say(code)
    before = await dump(assistant.store)
    for attempt in ("/donvi sua", "sửa hồ sơ đơn vị", "tạo đơn vị chi bộ", "/lam donvi sua ho so"):
        reply = await joined.say(attempt)
        assert APOLOGY not in reply
        assert "Sửa hồ sơ" not in joined.choices(), attempt  # never offered
        assert "sửa" not in reply.lower() or MEMBER_REFUSED in reply, (attempt, reply)
    assert MEMBER_REFUSED in await joined.say("/donvi sua")
    assert await dump(assistant.store) == before
    unit = await assistant.store.get_unit((await assistant.store.account("test", "u1")).unit_id)
    assert unit.name == "Chi bộ Xóm Định Thành"


async def test_manager_can_rename_the_unit(unit):
    manager = unit.talk(roles.MANAGER)
    await manager.say("/donvi")
    review = await manager.tap("Sửa hồ sơ")
    number = next(line.split(".")[0].strip() for line in review.splitlines() if "Tên đơn vị" in line)
    await manager.say(f"sửa {number}")
    await manager.say("Xóm Định Thành Mới")
    assert "Đã lưu các thay đổi" in await manager.say("Xác nhận và lưu")
    assert (await unit.store.get_unit(unit.unit_id)).name == "Chi bộ Xóm Định Thành Mới"


async def test_member_cannot_issue_invite_or_link(unit):
    member = unit.talk(roles.MEMBER)
    before = await dump(unit.store)
    for attempt in ("/kehoach", "soạn kế hoạch kết nạp đảng viên", "ghi biên bản họp tháng 11", "soạn nghị quyết",
                    "/sinhhoat", "/moi", "mời người cùng quản lý", "/lienket", "liên kết nhóm",
                    "nhắc tôi nộp đảng phí trước 5/12", "Nộp báo cáo sơ kết trước 15/12", "/dinhky", "/nhacnho",
                    f"sửa kế hoạch số {1}", "làm lại từ kế hoạch số 1", f"/vanban sua {unit.doc_id}",
                    f"/vanban lamlai {unit.doc_id}", f"/vanban chiase {unit.doc_id}"):
        reply = await member.say(attempt)
        assert MEMBER_REFUSED in reply, (attempt, reply)
        assert "/vanban" in reply and "/tuannay" in reply  # what she can do instead
    assert await dump(unit.store) == before


async def test_member_lists_documents_and_gets_a_file_again(unit):
    member = unit.talk(roles.MEMBER)
    listing = await member.say("/vanban")
    assert "Kế hoạch" in listing and MEMBER_REFUSED not in listing
    offered = [c.value for o in member.last for c in o.choices]
    assert any(v.startswith("/vanban gui") for v in offered)
    assert not any(v.startswith(("/vanban sua", "/vanban lamlai", "/vanban chiase")) for v in offered)
    await member.say(f"/vanban gui {unit.doc_id}")
    sent = [o.document for o in member.last if o.document is not None]
    assert sent and sent[0].filename.endswith(".docx")


async def test_member_acts_only_on_her_own_items(unit):
    member = unit.talk(roles.MEMBER)
    listing = await member.say("/hanchot")
    assert "Nộp bản thu hoạch" in listing and "Chuẩn bị hội trường" not in listing
    assert "Thêm việc" not in member.choices()
    await member.say(f"/hanchot xem {unit.hers}")
    assert "Đã xong" in member.choices() and "Sửa" not in member.choices() and "Xóa" not in member.choices()
    before = await dump(unit.store)
    for attempt in (f"/hanchot xong {unit.other}", f"/hanchot hoan {unit.other} 3", f"/hanchot hoanden {unit.other}",
                    f"/hanchot xem {unit.other}"):
        assert permissions.NOT_YOURS in await member.say(attempt), attempt
    for attempt in (f"/hanchot sua {unit.hers}", f"/hanchot xoa {unit.hers}"):
        assert MEMBER_REFUSED in await member.say(attempt), attempt
    assert await dump(unit.store) == before
    assert "Đã hoãn" in await member.say(f"/hanchot hoan {unit.hers} 3")
    assert "Đã đánh dấu hoàn thành" in await member.say(f"/hanchot xong {unit.hers}")
    rows = {r["id"]: r["status"] for r in await select(unit.store, "SELECT id, status FROM deadlines")}
    assert (rows[unit.hers], rows[unit.other]) == ("done", "open")
    week = await member.say("/tuannay")
    assert "Chuẩn bị hội trường" not in week
    assert "Chuẩn bị hội trường" not in await member.say("tuần này có gì phải làm?")
    assert "Chuẩn bị hội trường" not in await member.say("việc của đ/c Cường?")
    manager = unit.talk(roles.MANAGER)
    assert "Chuẩn bị hội trường" in await manager.say("/tuannay")


async def test_a_draft_begun_before_a_demotion_is_refused_cleanly(unit):
    manager = unit.talk(roles.MANAGER)
    await manager.say("/donvi")
    await manager.tap("Sửa hồ sơ")  # the profile's review screen is open
    await unit.store.link_account("test", "u2", unit.unit_id, roles.MEMBER, "Phó bí thư")  # demoted meanwhile
    before = await dump(unit.store)
    reply = await manager.say("Xác nhận và lưu")
    assert "đã được bỏ" in reply and MEMBER_REFUSED in reply and APOLOGY not in reply
    after = await dump(unit.store)
    assert await unit.store.draft("test", "u2", "u2") is None
    assert {k: v for k, v in before.items() if k != "drafts"} == {k: v for k, v in after.items() if k != "drafts"}
    assert "Xóm Định Thành" in await manager.say("/donvi")  # she goes on as a member


async def test_a_plan_draft_of_a_demoted_manager_is_never_issued(unit):
    manager = unit.talk(roles.MANAGER)
    await manager.say("/kehoach")  # a plan begun
    assert await unit.store.draft("test", "u2", "u2") is not None
    await unit.store.link_account("test", "u2", unit.unit_id, roles.MEMBER, "Phó bí thư")
    count = len(await unit.store.documents(unit.unit_id))
    reply = await manager.say("1")
    assert "đã được bỏ" in reply and MEMBER_REFUSED in reply
    assert "Đã tạo" not in await manager.say("Xác nhận và tạo văn bản")  # nothing left to confirm
    assert manager.choices()  # what a member may do, offered instead
    assert len(await unit.store.documents(unit.unit_id)) == count
    assert await unit.assistant.resume("test", "u2", "u2") == []  # nothing left to resume


async def test_menus_and_help_show_what_the_role_may_run(unit):
    member, owner = unit.talk(roles.MEMBER), unit.talk(roles.OWNER)
    help_member = await member.say("/trogiup")
    assert "/vanban" in help_member and "/hanchot" in help_member
    assert "/kehoach" not in help_member and "/lienket" not in help_member and "/dinhky" not in help_member
    assert "/kehoach" in await owner.say("/trogiup")
    assert "/kehoach" not in await member.say("/batdau")
    await member.say("chào")
    assert all(not permissions.needed(c.value) or roles.at_least(roles.MEMBER, permissions.needed(c.value))
               for o in member.last for c in o.choices)
    # Telegram's command menu is one for the whole bot: the full list.
    assert [name for name, _ in unit.assistant.menu()] == [c.name for c in COMMANDS if c.menu]
