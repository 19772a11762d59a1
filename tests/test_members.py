"""Issue 13 points 1 (membership), 2 and 6 through the real Assistant with several user ids: invites of each role,
a member joined as her roster member, a generic join confirmed or refused, /thanhvien (revoke, role, remove, hand
over, one owner always), /nhatky; and the confirm buttons through the real Telegram Application."""

from __future__ import annotations

import pytest

from bot.channels.telegram import reminder_sender
from bot.reminders.sweeper import Sweeper
from bot.store import Store
from bot.store.members import MemberError
from bot.store.records import AuditNote
from handlers import audit
from handlers.router import Assistant
from tests.conftest import NOW, Talk, make_invite, onboard, select, select_one
from tests.telegram_harness import TgUser, running_bot
from tests.test_plan_flow import confirm, draft


def code_of(reply: str) -> str:
    return reply.split("Mã mời: ")[1][:8]


async def join(assistant: Assistant, user: str, code: str, channel: str = "test") -> tuple[Talk, str]:
    talk = Talk(assistant, user, channel=channel)
    await talk.say("/batdau")
    await talk.tap("Tham gia bằng mã mời")
    return talk, await talk.say(code)


async def person_id(assistant: Assistant, name: str) -> int:
    row = await select_one(assistant.store, "SELECT id FROM people WHERE name = ?", name)
    assert row is not None
    return int(row["id"])


async def role_of(assistant: Assistant, user: str, channel: str = "test") -> str | None:
    account = await assistant.store.account(channel, user)
    return account.role if account else None


async def team(assistant: Assistant) -> tuple[Talk, Talk, Talk]:
    """The owner u1, a manager u2 and Trần Thị Bình as the member u3."""
    owner = Talk(assistant, "u1")
    await onboard(owner)
    deputy, _ = await join(assistant, "u2", code_of(await make_invite(owner)))
    member, _ = await join(assistant, "u3", code_of(await make_invite(owner, "Đảng viên", "Trần Thị Bình")))
    return owner, deputy, member


async def test_invites_of_each_role_and_a_member_joins_as_her_roster_member(assistant: Assistant) -> None:
    owner = Talk(assistant, "u1")
    await onboard(owner)
    await owner.say("/moi")
    assert owner.choices() == ["Người cùng quản lý", "Đảng viên"]
    reply = await owner.say("Người cùng quản lý")
    assert "Vai trò: người cùng quản lý" in reply
    deputy, joined = await join(assistant, "u2", code_of(reply))
    assert "với vai trò người cùng quản lý" in joined and await role_of(assistant, "u2") == "manager"

    # A manager invites members only; the member is chosen from the roster by a typed name.
    await deputy.say("/moi")
    assert deputy.choices() == ["Đảng viên"]
    asked = await deputy.say("Đảng viên")
    assert "dành cho đồng chí nào" in asked and "Trần Thị Bình" in deputy.choices()
    reply = await deputy.say("bình")
    assert "Gửi mã này cho đồng chí Trần Thị Bình" in reply
    row = await select_one(assistant.store, "SELECT role, person_id FROM invites WHERE code = ?", code_of(reply))
    assert row is not None and tuple(row) == ("member", await person_id(assistant, "Trần Thị Bình"))
    member, joined = await join(assistant, "u3", code_of(reply))
    assert "với vai trò đảng viên, là đồng chí Trần Thị Bình trong danh sách đảng viên" in joined
    account = await assistant.store.account("test", "u3")
    assert account is not None and account.role == "member"
    assert account.person_id == await person_id(assistant, "Trần Thị Bình")
    assert "Đồng chí là ai" not in joined  # she was named by the invite: no question


async def test_a_generic_member_code_asks_who_she_is_and_a_manager_confirms_or_refuses(assistant: Assistant) -> None:
    owner = Talk(assistant, "u1")
    await onboard(owner)
    deputy, _ = await join(assistant, "u2", code_of(await make_invite(owner)))
    first = code_of(await make_invite(owner, "Đảng viên", "Để đồng chí ấy tự chọn"))
    second = code_of(await make_invite(deputy, "Đảng viên", "Để đồng chí ấy tự chọn"))
    cuong, joined = await join(assistant, "u4", first)
    assert "Đồng chí là ai trong danh sách đảng viên?" in joined
    assert "Đã gửi đề nghị: đồng chí là Lê Văn Cường" in await cuong.tap("Lê Văn Cường")
    account = await assistant.store.account("test", "u4")
    assert account is not None and account.person_id is None  # not before a manager confirms
    an, _ = await join(assistant, "u5", second)
    assert "Đã gửi đề nghị: đồng chí là Nguyễn Văn An" in await an.say("/ketnoi la Nguyễn Văn An")

    listed = await deputy.say("/thanhvien")
    assert "Đề nghị chờ xác nhận:" in listed and "nói mình là đồng chí Lê Văn Cường" in listed
    assert "Đã xác nhận: Tester là đồng chí Lê Văn Cường" in await deputy.tap("Xác nhận 1")
    account = await assistant.store.account("test", "u4")
    assert account is not None and account.person_id == await person_id(assistant, "Lê Văn Cường")
    assert "Đã từ chối đề nghị: Tester là đồng chí Nguyễn Văn An" in await owner.say("/thanhvien tu choi 1")
    account = await assistant.store.account("test", "u5")
    assert account is not None and account.person_id is None and account.role == "member"
    assert not await assistant.store.join_requests(account.unit_id)
    actions = [r["action"] for r in await select(assistant.store, "SELECT action FROM audit ORDER BY id")]
    assert actions.count("member.confirm") == 1 and actions.count("member.refuse") == 1


async def test_the_owner_lists_revokes_changes_removes_and_hands_over(assistant: Assistant) -> None:
    owner, deputy, member = await team(assistant)
    spare = code_of(await make_invite(owner, "Đảng viên", "Nguyễn Văn An"))
    listed = await owner.say("/thanhvien")
    assert "bí thư (chủ đơn vị)" in listed and "người cùng quản lý" in listed
    assert "trong danh sách: Trần Thị Bình" in listed and f"{spare} — đảng viên Nguyễn Văn An" in listed

    # Revoked: the code no longer works.
    assert f"Đã thu hồi mã {spare}" in await owner.tap(f"Thu hồi {spare}")
    _, refused = await join(assistant, "u9", spare)
    assert "Mã mời không đúng, đã dùng hoặc đã hết hạn" in refused and await role_of(assistant, "u9") is None

    # A manager may list but not change roles.
    assert "Chỉ bí thư (chủ đơn vị) mới đổi vai trò" in await deputy.say("/thanhvien vai tro 3 manager")
    await owner.say("/thanhvien")
    await owner.tap("3. Trần Thị Bình")
    assert "Đã đổi vai trò: Trần Thị Bình là người cùng quản lý" in await owner.tap("Đổi thành người cùng quản lý")
    assert await role_of(assistant, "u3") == "manager"
    await owner.say("/thanhvien vai tro Bình đảng viên")
    assert await role_of(assistant, "u3") == "member"

    # Removed: her account no longer sees the unit.
    await owner.say("/thanhvien 3")
    assert "Đã xóa Trần Thị Bình khỏi đơn vị" in await owner.tap("Xóa khỏi đơn vị")
    assert await role_of(assistant, "u3") is None
    assert "chưa thuộc đơn vị" in await member.say("/vanban")

    # The owner cannot leave the unit ownerless.
    assert "đơn vị luôn có một bí thư" in await owner.say("/thanhvien xoa 1")
    assert "đơn vị luôn có một bí thư" in await owner.say("/thanhvien vai tro 1 member")
    assert await role_of(assistant, "u1") == "owner"

    # Handed over: exactly one owner after, the old owner a manager.
    asked = await owner.say("/thanhvien chuyển quyền cho 2")
    assert "Chuyển quyền bí thư (chủ đơn vị) cho Tester?" in asked
    assert "Đã chuyển quyền bí thư" in await owner.tap("Chắc chắn chuyển quyền")
    rows = await select(assistant.store, "SELECT user_id, role FROM accounts ORDER BY user_id")
    assert [tuple(r) for r in rows] == [("u1", "manager"), ("u2", "owner")]
    assert "Chỉ bí thư (chủ đơn vị) mới" in await owner.say("/thanhvien chuyen quyen cho 2 dong y")


async def test_the_store_keeps_one_owner_in_one_transaction(assistant: Assistant) -> None:
    owner, deputy, member = await team(assistant)
    store = assistant.store
    unit_id = (await store.account("test", "u1")).unit_id  # type: ignore[union-attr]
    note = AuditNote(unit_id, NOW, "test:u1", "Tester", "member.remove")
    with pytest.raises(MemberError):
        await store.remove_account(unit_id, "test", "u1", note)
    with pytest.raises(MemberError):
        await store.set_role(unit_id, "test", "u1", "manager", note)
    with pytest.raises(MemberError):  # only the owner hands over
        await store.hand_over(unit_id, ("test", "u2"), ("test", "u3"), note)
    owners = await select(store, "SELECT user_id FROM accounts WHERE role = 'owner'")
    assert [r["user_id"] for r in owners] == ["u1"]
    # Nothing refused left an audit line; what is done writes its line with the change.
    assert not await select(store, "SELECT id FROM audit WHERE action = 'member.remove'")
    await store.remove_account(unit_id, "test", "u3", note)
    assert len(await select(store, "SELECT id FROM audit WHERE action = 'member.remove'")) == 1


async def test_nhatky_shows_profile_roster_role_and_document_events(assistant: Assistant,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "PAGE", 6)
    owner, deputy, member = await team(assistant)
    await owner.say("/donvi")
    await owner.tap("Sửa hồ sơ")
    await owner.say("sửa 5")
    await owner.say("Hà Giang")
    await owner.say("sửa 10")
    await owner.say("Phạm Thị Dung, dự bị")
    await owner.say("xong")
    assert "Đã lưu các thay đổi" in await owner.say("xác nhận")
    await draft(deputy)
    assert "Đã lưu kế hoạch 01-KH/CB" in await confirm(deputy)
    await deputy.say("sửa kế hoạch số 01")
    assert "Đã sửa kế hoạch 01-KH/CB" in await confirm(deputy)
    await owner.say("/thanhvien vai tro 3 manager")

    assert "Việc này chỉ bí thư (chủ đơn vị) làm" in await deputy.say("/nhatky")  # the command table's refusal
    journal = await owner.say("/nhatky")
    lines = journal.splitlines()
    assert lines[0] == "Nhật ký thay đổi — Chi bộ Xóm Định Thành"
    assert lines[1].startswith("• 08:00 23/11/2026 — Tester (bí thư (chủ đơn vị)): Đổi vai trò: Trần Thị Bình: "
                               "đảng viên → người cùng quản lý")
    assert "Tester (người cùng quản lý): Sửa văn bản: Kế hoạch 01-KH/CB" in journal
    assert "Tester (người cùng quản lý): Ban hành văn bản: Kế hoạch 01-KH/CB" in journal
    assert "Sửa danh sách đảng viên: thêm Phạm Thị Dung" in journal
    assert "Sửa hồ sơ đơn vị: địa danh: “Tuyên Quang” → “Hà Giang”" in journal
    assert journal.index("Sửa văn bản") < journal.index("Ban hành văn bản") < journal.index("Sửa hồ sơ")  # newest first
    assert "Xem thêm" in owner.choices()
    older = await owner.tap("Xem thêm")
    assert "Tạo mã mời" in older and "Tạo hồ sơ đơn vị: Chi bộ Xóm Định Thành, 3 đảng viên" in older
    # The document's line was written in the document's transaction: one line per issue, none on a repeat.
    rows = await select(assistant.store, "SELECT action FROM audit WHERE action LIKE 'document.%'")
    assert [r["action"] for r in rows] == ["document.issue", "document.revise"]


async def test_confirm_buttons_through_telegram(fake, tmp_path, clock) -> None:
    async with running_bot(fake, str(tmp_path / "db.sqlite3"), clock) as app:
        owner = TgUser(fake, 5001, "Thược")
        for answer in ["/batdau", "Tạo đơn vị mới", "Chi bộ", "Đảng bộ xã Kim Phú", "Xóm Định Thành", "CB",
                       "Tuyên Quang", "Nguyễn Thị Thược", "Bí thư", "ủy, hòa (kiểu mới)", "Theo nhiệm kỳ",
                       "Nguyễn Văn An\nTrần Thị Bình", "xong", "Xác nhận và lưu"]:
            await owner.say(answer)
        await owner.say("/moi")
        await owner.tap("Đảng viên")
        code = code_of(await owner.tap("Để đồng chí ấy tự chọn"))
        binh = TgUser(fake, 5002, "Bình")
        await binh.say("/batdau")
        await binh.tap("Tham gia bằng mã mời")
        assert "Đồng chí là ai trong danh sách đảng viên?" in await binh.say(code)
        assert "Đã gửi đề nghị" in await binh.tap("Trần Thị Bình")
        # The request reaches the owner's chat by the sweep, with its answers as buttons (the real sender).
        sweep_store = await Store.open(str(tmp_path / "db.sqlite3"))
        try:
            sent = await Sweeper(sweep_store, clock, "telegram", reminder_sender(app.bot)).sweep()
            again = await Sweeper(sweep_store, clock, "telegram", reminder_sender(app.bot)).sweep()
        finally:
            await sweep_store.close()
        assert (sent.messaged, again.messaged) == (1, 0)  # once, also for a new sweeper
        pushed = owner.last_with_buttons()
        assert "cho biết mình là đồng chí Trần Thị Bình" in (pushed.text or "")
        assert [b["text"] for b in pushed.buttons] == ["Xác nhận", "Từ chối"]
        assert "Đã xác nhận: Bình là đồng chí Trần Thị Bình" in await owner.tap("Xác nhận")  # on the pushed message
        assert "nói mình là đồng chí Trần Thị Bình" not in await owner.say("/thanhvien")  # no longer waiting
    store = await Store.open(str(tmp_path / "db.sqlite3"))
    try:
        account = await store.account("telegram", "5002")
        people = {p.name: p.id for p in await store.people(account.unit_id)} if account else {}
        assert account is not None and account.role == "member" and account.person_id == people["Trần Thị Bình"]
    finally:
        await store.close()
