"""One person, two apps: a /ketnoi code made on one app links the account on the other to the same unit, role
and roster member; joining by invite works on Zalo like anywhere else (through the Assistant and through the
real Zalo channel against the fake Zalo Bot API)."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import Clock
from handlers.router import Assistant
from tests.conftest import NOW, Talk, make_invite, onboard, select
from tests.fakes.zalo import FakeZalo
from tests.test_invites import wrong_code
from tests.test_store import UNIT
from tests.zalo_harness import running_zalo


def code_in(reply: str, title: str = "Mã kết nối: ") -> str:
    return reply.split(title)[1][:8]


async def owner_on_telegram(store) -> tuple[Assistant, Talk]:
    assistant = Assistant(store, Clock(frozen=NOW))
    tg = Talk(assistant, "t1", channel="telegram")
    assert "Đã tạo hồ sơ" in await onboard(tg)
    return assistant, tg


async def test_a_code_made_on_telegram_links_zalo_to_the_same_unit_role_and_member(store):
    assistant, tg = await owner_on_telegram(store)
    assert "Đồng chí là ai" in await tg.say("/ketnoi la")
    assert tg.choices() == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Bỏ qua"]
    assert "đồng chí là Trần Thị Bình" in await tg.tap("Trần Thị Bình")
    shown = await tg.say("/ketnoi")
    assert "Các ứng dụng đồng chí đang dùng:\n• Telegram (tài khoản này)" in shown and "trong 10 phút" in shown
    code = code_in(shown)
    assert "tạo trên chính tài khoản này" in await tg.say(f"/ketnoi {code}")  # not used up by its maker

    zalo = Talk(assistant, "z1", channel="zalo")
    linked = await zalo.say(f"/ketnoi {code[:4].lower()}-{code[4:].lower()}")
    assert "Đã kết nối: tài khoản Zalo này làm việc cho Chi bộ Xóm Định Thành" in linked
    assert "• Telegram\n• Zalo (tài khoản này)" in linked and "đồng chí là: Trần Thị Bình" in linked
    a, b = await store.account("telegram", "t1"), await store.account("zalo", "z1")
    assert (b.unit_id, b.role, b.person_id) == (a.unit_id, "owner", a.person_id) and a.person_id is not None
    assert a.person_key == b.person_key is not None
    # On Zalo she works on the same unit; what she says there about herself holds on Telegram too.
    assert "Xóm Định Thành" in await zalo.say("/donvi")
    assert "đồng chí là Nguyễn Văn An" in await zalo.say("/ketnoi la 1")
    people = await store.people(a.unit_id)
    assert (await store.account("telegram", "t1")).person_id == people[0].id
    listing = await tg.say("/ketnoi")
    assert "• Telegram (tài khoản này)\n• Zalo" in listing and "đồng chí là: Nguyễn Văn An" in listing

    # Used once: refused the second time, and the refusal counts as a wrong try.
    other = Talk(assistant, "z2", channel="zalo")
    again = await other.say(f"/ketnoi {code}")
    assert "Mã kết nối không đúng, đã dùng hoặc đã hết hạn" in again and "Còn 4 lần thử" in again
    assert await store.account("zalo", "z2") is None


async def test_a_link_code_expires_after_ten_minutes(store):
    assistant, tg = await owner_on_telegram(store)
    late, early = code_in(await tg.say("/ketnoi")), code_in(await tg.say("/ketnoi"))
    assistant.clock = Clock(frozen=NOW + timedelta(minutes=9, seconds=59))
    assert "Đã kết nối" in await Talk(assistant, "z1", channel="zalo").say(f"/ketnoi {early}")
    assistant.clock = Clock(frozen=NOW + timedelta(minutes=10))
    assert "đã hết hạn" in await Talk(assistant, "z2", channel="zalo").say(f"/ketnoi {late}")
    assert await store.account("zalo", "z2") is None


async def test_wrong_link_and_invite_codes_share_five_tries_per_fifteen_minutes(store):
    assistant, tg = await owner_on_telegram(store)
    code = code_in(await tg.say("/ketnoi"))
    invite = code_in(await make_invite(tg), "Mã mời: ")
    zalo = Talk(assistant, "z1", channel="zalo")
    await zalo.say("/batdau")
    await zalo.tap("Tham gia bằng mã mời")
    assert "Mã mời không đúng" in await zalo.say(code)  # a link code does not open the door of an invite…
    assert "Mã mời không đúng" in await zalo.say(wrong_code(code))
    assert "Còn 2 lần thử" in await zalo.say(wrong_code(code))
    await zalo.say("/huy")
    assert "Mã kết nối không đúng" in await zalo.say(f"/ketnoi {invite}")  # …nor an invite that of a link code
    assert "chờ 15 phút" in await zalo.say(f"/ketnoi {wrong_code(code)}")
    blocked = await zalo.say(f"/ketnoi {code}")  # the right code, not even looked at
    assert "đã nhập sai mã kết nối 5 lần trong 15 phút" in blocked and "xin chờ 15 phút nữa" in blocked
    assert await store.account("zalo", "z1") is None
    assistant.clock = Clock(frozen=NOW + timedelta(minutes=9))  # the code itself is still valid, the wait is not over
    assert "xin chờ 6 phút nữa" in await zalo.say(f"/ketnoi {code}")


async def test_an_account_of_another_unit_is_refused_and_the_code_stays_usable(store):
    assistant, tg = await owner_on_telegram(store)
    code = code_in(await tg.say("/ketnoi"))
    other_unit = await store.create_unit({**UNIT, "name": "Chi bộ Thôn Đông"}, [])
    await store.link_account("zalo", "z1", other_unit, "owner")
    busy = Talk(assistant, "z1", channel="zalo")
    refused = await busy.say(f"/ketnoi {code}")
    assert ("Tài khoản Zalo này đang làm việc cho Chi bộ Thôn Đông, nên không kết nối được với "
            "Chi bộ Xóm Định Thành: mỗi tài khoản chỉ thuộc một đơn vị") in refused
    assert (await store.account("zalo", "z1")).unit_id == other_unit
    assert "Đã kết nối" in await Talk(assistant, "z9", channel="zalo").say(f"/ketnoi {code}")


async def test_linking_by_the_start_menu_on_a_new_app(store):
    assistant, tg = await owner_on_telegram(store)
    code = code_in(await tg.say("/ketnoi"))
    zalo = Talk(assistant, "z1", channel="zalo")
    await zalo.say("/batdau")
    assert "Xin nhập mã kết nối" in await zalo.tap("Kết nối với tài khoản trên ứng dụng khác")
    assert "Còn 4 lần thử" in await zalo.say(wrong_code(code))  # a second chance, in the flow
    assert "Đã kết nối" in await zalo.say(code)
    assert (await store.account("zalo", "z1")).role == "owner"
    assert "Mã kết nối" in await zalo.say("/ketnoi")  # now it can make codes for a third app


async def test_joining_by_invite_on_zalo_through_the_assistant_and_picking_the_member(store):
    assistant = Assistant(store, Clock(frozen=NOW))
    owner = Talk(assistant, "u1", channel="test")
    await onboard(owner)
    invite = code_in(await make_invite(owner), "Mã mời: ")
    zalo = Talk(assistant, "z7", channel="zalo")
    await zalo.say("/batdau")
    await zalo.tap("Tham gia bằng mã mời")
    joined = await zalo.say(invite)
    assert "Đồng chí đã tham gia Chi bộ Xóm Định Thành" in joined and "Đồng chí là ai" in joined
    assert "Đã ghi nhận: đồng chí là Lê Văn Cường" in await zalo.tap("Lê Văn Cường")
    account = await store.account("zalo", "z7")
    assert account.role == "manager"
    assert account.person_id == (await store.people(account.unit_id))[2].id
    assert "Đã bỏ qua" in await Talk(assistant, "z7", channel="zalo").say("/ketnoi la bo qua")
    assert "Xin chọn một số từ 1 đến 3" in await zalo.say("/ketnoi la 9")


async def test_a_roster_edit_keeps_the_member_of_an_account(store):
    unit_id = await store.create_unit(UNIT, [{"name": "Nguyễn Văn An", "status": "chinh_thuc"},
                                            {"name": "Trần Thị Bình", "status": "du_bi"}])
    await store.link_account("zalo", "z1", unit_id, "member")
    binh = (await store.people(unit_id))[1]
    await store.set_person("zalo", "z1", binh.id)
    await store.update_unit(unit_id, UNIT, [{"name": "Lê Văn Cường", "status": "chinh_thuc"},
                                            {"name": "Trần Thị Bình", "status": "chinh_thuc"}])
    people = await store.people(unit_id)
    assert [p.name for p in people] == ["Lê Văn Cường", "Trần Thị Bình"] and people[1].status == "chinh_thuc"
    assert (await store.account("zalo", "z1")).person_id == binh.id == people[1].id
    await store.update_unit(unit_id, UNIT, [{"name": "Lê Văn Cường", "status": "chinh_thuc"}])
    assert (await store.account("zalo", "z1")).person_id is None  # removed from the roster: the link goes too
    assert len(await select(store, "SELECT id FROM people WHERE unit_id = ?", unit_id)) == 1


async def test_joining_and_linking_through_the_real_zalo_channel(db_url, store):
    assistant, tg = await owner_on_telegram(store)
    invite = code_in(await make_invite(tg), "Mã mời: ")
    code = code_in(await tg.say("/ketnoi"))
    await store.close()
    async with FakeZalo() as fake, running_zalo(fake, db_url, Clock(frozen=NOW)) as run:
        await run.say("zchat1", "/batdau")
        asked = "\n".join(await run.say("zchat1", "2"))  # the second numbered choice: join by invite
        assert "Xin nhập mã mời" in asked
        joined = "\n".join(await run.say("zchat1", invite))
        assert "Đồng chí đã tham gia Chi bộ Xóm Định Thành" in joined and "2. Trần Thị Bình" in joined
        assert "Đã ghi nhận: đồng chí là Trần Thị Bình" in "\n".join(await run.say("zchat1", "2"))
        linked = "\n".join(await run.say("zchat2", f"/ketnoi {code}"))
        assert "Đã kết nối: tài khoản Zalo này làm việc cho Chi bộ Xóm Định Thành" in linked
        rows = await select(run.store, "SELECT channel, user_id, role FROM accounts ORDER BY created_at, channel")
        assert {tuple(r) for r in rows} == {("telegram", "t1", "owner"), ("zalo", "zchat1", "manager"),
                                            ("zalo", "zchat2", "owner")}
