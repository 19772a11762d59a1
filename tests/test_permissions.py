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
from handlers.intents import INTENTS, Intent
from handlers.router import Assistant
from tests.conftest import NOW, Talk, onboard, select
from tests.test_plan_flow import confirm, draft

MEMBER_REFUSED = "việc này do bí thư hoặc người cùng quản lý làm"
APOLOGY = "Xin lỗi, tôi gặp lỗi"
USERS = {None: "u9", roles.MEMBER: "u3", roles.MANAGER: "u2", roles.OWNER: "u1"}
VOLATILE = {"chats", "sqlite_sequence"}  # touched by every message (last seen), not state a command changes


async def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, for comparing the database before and after a refused command."""
    names = [r[0] for r in await select(store, "SELECT name FROM sqlite_master WHERE type = 'table'")]
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
    return NEEDS_UNIT if role is None else MEMBER_REFUSED


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
            assert MEMBER_REFUSED not in reply and NEEDS_UNIT not in reply, (role, line, reply)
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
            assert MEMBER_REFUSED not in reply, (role, line, reply)
        else:
            assert MEMBER_REFUSED in reply, (role, line, reply)
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
