"""The unit flow through the core: create, join by invite, edit with /donvi, isolation between units."""

from __future__ import annotations

from tests.conftest import ONBOARD, Talk, make_invite, onboard, select


async def test_onboarding_creates_unit_and_roster(assistant):
    talk = Talk(assistant)
    reply = await onboard(talk)
    assert "Đã tạo hồ sơ Chi bộ Xóm Định Thành" in reply
    account = await assistant.store.account("test", "u1")
    unit = await assistant.store.get_unit(account.unit_id)
    assert (unit.kind, unit.superior, unit.code, unit.place, unit.signer_name, unit.signer_title) == (
        "chi_bo", "Đảng bộ xã Kim Phú", "CB", "Tuyên Quang", "Nguyễn Thị Thược", "BÍ THƯ")
    people = await assistant.store.people(unit.id)
    assert [(p.name, p.status, p.exempt) for p in people] == [
        ("Nguyễn Văn An", "chinh_thuc", False), ("Trần Thị Bình", "du_bi", False), ("Lê Văn Cường", "chinh_thuc", True)]
    assert account.role == "owner"


async def test_old_spelling_is_applied_to_names(assistant):
    talk = Talk(assistant)
    answers = list(ONBOARD)
    answers[2:5] = ["Đảng ủy", "Đảng bộ Khối cơ quan tỉnh", "Sở Tư pháp"]
    answers[5] = "ĐU"
    answers[9] = "uỷ, hoà (kiểu cũ)"
    await onboard(talk, answers)
    unit = await assistant.store.get_unit((await assistant.store.account("test", "u1")).unit_id)
    assert unit.name == "Đảng uỷ Sở Tư pháp"
    assert unit.code == "ĐU"


async def test_invite_and_join(assistant):
    owner, deputy, stranger = Talk(assistant, "u1"), Talk(assistant, "u2"), Talk(assistant, "u3")
    await onboard(owner)
    code = (await make_invite(owner)).split("Mã mời: ")[1][:8]
    await deputy.say("/batdau")
    assert "mã mời" in await deputy.tap("Tham gia bằng mã mời")
    assert "không đúng" in await deputy.say("ZZZZZZ")
    assert "đã tham gia Chi bộ Xóm Định Thành" in await deputy.say(code.lower())
    assert (await assistant.store.account("test", "u2")).role == "manager"
    assert "Nguyễn Văn An" in await deputy.say("/donvi")
    await stranger.say("/batdau")
    await stranger.tap("Tham gia bằng mã mời")
    assert "đã dùng" in await stranger.say(code)


async def test_units_cannot_see_each_other(assistant):
    first, second = Talk(assistant, "u1"), Talk(assistant, "u2")
    await onboard(first)
    answers = list(ONBOARD)
    answers[4] = "Thôn Hạ"
    answers[11] = "Hoàng Văn Em"
    await onboard(second, answers)
    mine = await first.say("/donvi")
    theirs = await second.say("/donvi")
    assert "Xóm Định Thành" in mine and "Thôn Hạ" not in mine and "Hoàng Văn Em" not in mine
    assert "Thôn Hạ" in theirs and "Xóm Định Thành" not in theirs and "Nguyễn Văn An" not in theirs


async def test_edit_profile_with_donvi(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    await talk.say("/donvi")
    review = await talk.tap("Sửa hồ sơ")
    assert "5. Địa danh ghi ngày tháng: Tuyên Quang" in review
    await talk.say("sửa 5")
    await talk.say("Hà Giang")
    await talk.say("sửa 10")
    await talk.say("Phạm Thị Dung, dự bị")
    await talk.say("xong")
    assert "Đã lưu các thay đổi" in await talk.say("xác nhận")
    text = await talk.say("/donvi")
    assert "Địa danh: Hà Giang" in text and "4. Phạm Thị Dung (dự bị)" in text
    assert len(await select(assistant.store, "SELECT id FROM units")) == 1


async def test_commands_without_unit_and_unknown(assistant):
    talk = Talk(assistant)
    assert "Chào mừng đồng chí" in await talk.say("xin chào")  # a greeting before onboarding starts it
    assert "Tạo đơn vị mới" in talk.choices()
    await talk.say("/huy")
    assert "chưa thuộc đơn vị" in await talk.say("/donvi")
    assert "Không có lệnh /abc" in await talk.say("/abc")
    await onboard(talk)
    assert "thường kỳ hay chuyên đề" in await talk.say("/sinhhoat")
    await talk.say("/huy")
    assert "/sinhhoat" in await talk.say("/trogiup")


async def test_skipping_the_roster_by_button(assistant):
    talk = Talk(assistant)
    for answer in ONBOARD[:11]:
        await talk.say(answer)
    review = await talk.tap("Bỏ qua")
    assert "10. Danh sách đảng viên: (bỏ trống)" in review
    await talk.say("xác nhận")
    unit_id = (await assistant.store.account("test", "u1")).unit_id
    assert await assistant.store.people(unit_id) == []
