"""The form engine on a flow with every step type: ask, validate, re-ask, back, skip, edit, review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.messages import Incoming, Outgoing
from handlers.forms import action, load_flows, validator
from handlers.router import Assistant
from tests.conftest import NOW, Talk, onboard
from tests.test_draft import GROUP_ROW, LIST_ROW, OLD_ROW

COLLECTED: list[dict] = []


@action("test.collect")
async def collect(ctx, draft):
    COLLECTED.append(dict(draft.answers))
    return []


@pytest.fixture
async def talk(store):
    flows = {**load_flows(), **load_flows(Path(__file__).parent / "flows")}
    assistant = Assistant(store, Clock(frozen=NOW), flows=flows)
    COLLECTED.clear()
    return Talk(assistant)


async def begin(talk: Talk) -> str:
    inc = Incoming(channel=talk.channel, chat_id=talk.user, user_id=talk.user)
    ctx = await talk.assistant._context(inc)
    talk.last = await talk.assistant.engine.start(ctx, "sample")
    return "\n".join(o.plain() for o in talk.last)


async def test_full_flow_every_step_type(talk):
    assert "Tên việc?" in await begin(talk)
    assert "Nội dung?" in await talk.say("Họp chi bộ")
    assert "Ngày nào?" in await talk.say("Dòng một\nDòng hai")
    assert "Mấy giờ?" in await talk.say("ngày 08 tháng 12 năm 2026")
    assert "Bao nhiêu người?" in await talk.say("8h00")
    assert talk.choices() == ["12"]
    assert "Loại sinh hoạt?" in await talk.say("15")
    assert "Chuyên đề gì?" in await talk.say("2")  # a typed number picks the option in a choice step
    assert "Ai tham dự?" in await talk.say("Nâng cao chất lượng sinh hoạt chi bộ")
    assert "Đã thêm 2" in await talk.say("Nguyễn Văn An\nTrần Thị Bình, dự bị")
    assert "Ai chủ trì?" in await talk.say("xong")
    review = await talk.say("Nguyễn Văn An")
    assert "Xem lại" in review
    assert "4. Giờ: 08 giờ 00" in review
    assert "6. Loại: Chuyên đề" in review
    assert "7. Chuyên đề: Nâng cao chất lượng sinh hoạt chi bộ" in review
    await talk.tap("Xác nhận")
    assert COLLECTED == [{
        "name": "Họp chi bộ", "body": "Dòng một\nDòng hai", "day": "2026-12-08", "at": "08:00", "count": 15,
        "kind": "chuyen_de", "topic": "Nâng cao chất lượng sinh hoạt chi bộ", "people": [
            {"name": "Nguyễn Văn An", "status": "chinh_thuc", "exempt": False},
            {"name": "Trần Thị Bình", "status": "du_bi", "exempt": False},
        ], "chair": "Nguyễn Văn An",
    }]
    assert await talk.assistant.store.draft("test", "u1", "u1") is None


async def test_validation_reasks_with_vietnamese_message(talk):
    await begin(talk)
    assert "trống" in await talk.say("   ")
    assert "Câu trả lời dài 5.000 ký tự, vượt giới hạn 300 ký tự của mục này." in await talk.say("x" * 5000)
    await talk.say("Họp")
    await talk.say("bỏ qua")
    reply = await talk.say("31/02/2024")
    assert "Ngày nào?" in reply and "không có thật" in reply
    await talk.say("1/12/2026")
    assert "Mấy giờ?" in await talk.say("25:00")
    await talk.say("14h30")
    assert "không được lớn hơn 50" in await talk.say("51")
    assert "số nguyên" in await talk.say("mười")
    await talk.say("10")
    assert "Xin chọn" in await talk.say("Đột xuất")
    await talk.say("thường kỳ")  # label match ignores case
    assert "Ai tham dự?" in talk.last[-1].plain()


async def test_back_skip_and_required(talk):
    await begin(talk)
    assert "đầu tiên" in await talk.say("quay lại")
    await talk.say("Họp")
    assert "Tên việc?" in await talk.say("quay lại")
    assert "Nội dung?" in await talk.say("Họp lại")
    assert "Ngày nào?" in await talk.say("bỏ qua")
    assert "bắt buộc" in await talk.say("bỏ qua")


async def test_edit_from_review_and_conditions(talk):
    await begin(talk)
    for answer in ["Họp", "bỏ qua", "1/12/2026", "8h", "10", "Thường kỳ", "An", "xong", "An"]:
        await talk.say(answer)
    review = talk.last[-1].plain()
    assert "7. Danh sách: 1 mục: An" in review
    assert "Chuyên đề" not in review  # the hidden step was not asked
    assert "Hiện tại: Thường kỳ" in await talk.say("sửa 6")
    # Changing the kind reveals the topic step, which is asked before returning to the review.
    assert "Chuyên đề gì?" in await talk.say("Chuyên đề")
    review = await talk.say("Nâng cao chất lượng sinh hoạt chi bộ")
    assert "7. Chuyên đề: Nâng cao chất lượng sinh hoạt chi bộ" in review
    assert "Hiện tại: 08 giờ 00" in await talk.say("sửa 4")
    assert "Xem lại" in await talk.tap("Giữ nguyên")
    assert "Không có mục 42" in await talk.say("sửa 42")
    await talk.say("sửa 8")
    await talk.say("xóa 1")
    await talk.say("Lê Văn Cường, miễn")
    assert "Lê Văn Cường (miễn sinh hoạt)" in await talk.say("xong")
    await talk.say("xác nhận")
    assert COLLECTED[0]["people"] == [{"name": "Lê Văn Cường", "status": "chinh_thuc", "exempt": True}]
    assert COLLECTED[0]["topic"] == "Nâng cao chất lượng sinh hoạt chi bộ"


async def test_stale_button_is_refused(talk):
    await begin(talk)
    for answer in ["Họp", "bỏ qua", "1/12/2026", "8h", "10"]:
        await talk.say(answer)
    old = talk.last[-1].choices[0].value
    await talk.say("Thường kỳ")
    assert "câu hỏi trước" in await talk.say("Chuyên đề", choice=old)


async def test_person_step_offers_the_roster(store):
    flows = {**load_flows(), **load_flows(Path(__file__).parent / "flows")}
    talk = Talk(Assistant(store, Clock(frozen=NOW), flows=flows))
    await onboard(talk)
    await begin(talk)
    for answer in ["Họp", "bỏ qua", "1/12/2026", "8h", "10", "Thường kỳ", "An", "xong"]:
        await talk.say(answer)
    assert talk.choices() == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
    assert "Xin chọn" in await talk.say("Người lạ")
    assert "Xem lại" in await talk.tap("Trần Thị Bình")


async def test_cancel_and_help(talk):
    await begin(talk)
    await talk.say("Họp")
    help_text = await talk.say("/trogiup")
    assert "Mẫu thử" in help_text and "bỏ qua" in help_text and "Nội dung?" in help_text
    assert "đang làm dở" in await talk.say("/donvi")
    assert "Đã hủy" in await talk.say("/huy")
    assert await talk.assistant.store.draft("test", "u1", "u1") is None
    assert "không có việc" in await talk.say("/huy")


async def test_draft_survives_a_new_assistant(store, talk):
    await begin(talk)
    await talk.say("Họp")
    await talk.say("bỏ qua")
    again = Talk(Assistant(store, talk.assistant.clock, flows=talk.assistant.engine.flows))
    reply = "\n".join(o.plain() for o in await again.assistant.resume("test", "u1", "u1"))
    assert "Ngày nào?" in reply
    await again.say("2/12/2026")
    state = await store.draft("test", "u1", "u1")
    assert state["answers"] == {"name": "Họp", "body": None, "day": "2026-12-02"}


@action("test.preview")
async def preview(ctx, draft):
    return [Outgoing(text=f"XEM TRƯỚC: {len(draft.answers.get('meetings', []))} buổi")]


@validator("test.warn_short")
async def warn_short(ctx, draft, value):
    if len(value) < 4:
        ctx.warn("Lưu ý: tên này khá ngắn.")
    return value


async def begin_grouped(talk: Talk) -> str:
    ctx = await talk.assistant._context(Incoming(channel=talk.channel, chat_id=talk.user, user_id=talk.user))
    talk.last = await talk.assistant.engine.start(ctx, "grouped")
    return "\n".join(o.plain() for o in talk.last)


async def test_group_asks_fields_per_item_and_shares_parts(talk):
    assert "Chi bộ nào thực hiện?" in await begin_grouped(talk)
    assert "Loại sinh hoạt?" in await talk.say("Chi bộ 01")
    assert "Chuyên đề gì?" in await talk.say("Chuyên đề")
    await talk.say("Chuyển đổi số")
    assert "không có thật" in await talk.say("31/02/2024")
    assert "Ở đâu?" in await talk.say("thứ năm, ngày 28/3/2024")
    reply = await talk.say("bỏ qua")
    assert "Đã thêm mục 1: Chi bộ 01 — Chuyên đề — Chuyển đổi số — thứ năm, 28/3/2024" in reply
    assert talk.choices() == ["Thêm", "Xong"]
    await talk.tap("Thêm")
    await talk.say("Chi bộ 4")
    assert "Ngày nào?" in await talk.say("Thường kỳ")  # the topic is not asked for a regular meeting
    assert "Loại sinh hoạt?" in await talk.say("quay lại")
    await talk.say("Thường kỳ")
    await talk.say("18/4/2024")
    await talk.say("Hội trường <A> & B")
    assert "Ai ký?" in await talk.tap("Xong")
    reply = await talk.say("An")
    assert "Lưu ý: tên này khá ngắn." in reply and "Xem lại" in reply
    assert "1. Buổi: 2 mục" in reply
    assert "XEM TRƯỚC: 2 buổi" in await talk.tap("Xem trước")
    assert "Xem lại" in talk.last[-1].plain()
    await talk.say("sửa 1")
    assert "xóa N" in talk.last[-1].plain()
    await talk.say("xóa 1")
    await talk.tap("Xong")
    await talk.say("xác nhận")
    assert COLLECTED == [{"meetings": [{"cell": "Chi bộ 4", "kind": "thuong_ky", "day": "2024-04-18",
                                        "place": "Hội trường <A> & B"}], "signer": "An"}]


async def test_group_stops_at_its_maximum(talk):
    await begin_grouped(talk)
    for n in range(3):
        if n:
            await talk.tap("Thêm")
        for answer in [f"Chi bộ {n}", "Thường kỳ", "1/12/2026", "bỏ qua"]:
            reply = await talk.say(answer)
    assert "Đã thêm mục 3" in reply and "Ai ký?" in reply


async def test_engine_resumes_stored_drafts(store, talk):
    """Drafts saved before the engine used typed drafts (tests/test_draft.py) carry on where they were."""
    await store.save_draft("test", "u1", "u1", json.loads(LIST_ROW))
    reply = await talk.say("Lê Văn Cường, miễn")
    assert "Đã thêm 1" in reply and "Danh sách hiện có 3 mục" in reply
    assert "Ai chủ trì?" in await talk.say("xong")
    saved = await store.draft("test", "u1", "u1")
    assert saved["pending"] == {} and len(saved["answers"]["people"]) == 3

    await store.save_draft("test", "u1", "u1", json.loads(GROUP_ROW))
    assert "Ngày nào?" in await talk.say("Thường kỳ")
    await talk.say("18/4/2024")
    assert "Đã thêm mục 2: Chi bộ 4 — Thường kỳ" in await talk.say("bỏ qua")

    await store.save_draft("test", "u1", "u1", json.loads(OLD_ROW))
    assert "Ngày nào?" in await talk.say("bỏ qua")
    saved = await store.draft("test", "u1", "u1")
    assert "pending" not in saved and saved["answers"] == {"name": "Họp", "body": None}
