"""A first message that says what she wants starts it (handlers/intents.py), through the real router and SQLite.

NOW is Monday 23/11/2026 (tests/conftest.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from handlers.deadlines import title_and_when
from handlers.intents import meeting_slots, nearest_month
from tests.conftest import Talk, onboard, select


async def draft_of(talk: Talk) -> dict[str, Any] | None:
    return await talk.assistant.store.draft(talk.channel, talk.user, talk.user)


def no_menu(reply: str) -> None:
    """The whole command menu is never the answer to a greeting or an unclear message."""
    assert "/nhipsinhhoat —" not in reply and "/lienket —" not in reply, reply


# -- before onboarding ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["bat dau", "bắt đầu", "chào", "xin chào", "Hi", "chao ban", "menu"])
async def test_before_onboarding_a_greeting_starts_onboarding(assistant, text):
    talk = Talk(assistant)
    reply = await talk.say(text)
    assert "Chào mừng đồng chí" in reply and "Tạo đơn vị mới" in talk.choices(), reply
    assert (await draft_of(talk))["flow"] == "start"


async def test_before_onboarding_an_order_explains_then_onboards(assistant):
    talk = Talk(assistant)
    reply = await talk.say("soạn kế hoạch kết nạp đảng viên")
    assert "trước hết xin cho tôi biết về đơn vị" in reply and "Tạo đơn vị mới" in talk.choices()
    await talk.say("/huy")
    reply = await talk.say("blah blah")
    assert "Trước hết, xin tạo hồ sơ đơn vị" in reply and talk.choices() == ["Bắt đầu"]
    assert "Tạo đơn vị mới" in await talk.tap("Bắt đầu") or "Tạo đơn vị mới" in talk.choices()
    await talk.say("/huy")
    await talk.say("tôi có mã mời")
    assert (await draft_of(talk))["flow"] == "join"


@pytest.mark.parametrize("text, kind", [
    ("tạo hồ sơ chi bộ", "chi_bo"), ("tao don vi dang uy khoi", "dang_uy_khoi"), ("lập hồ sơ đảng ủy", "dang_uy"),
    ("tạo đơn vị", None),
])
async def test_creating_the_unit_in_words_answers_its_kind(assistant, text, kind):
    talk = Talk(assistant)
    reply = await talk.say(text)
    draft = await draft_of(talk)
    assert draft["flow"] == "unit" and draft["answers"].get("kind") == kind, draft
    assert ("Tên tổ chức đảng cấp trên" in reply) == (kind is not None)


# -- greetings, help, commands in words -------------------------------------------------------------

@pytest.mark.parametrize("text", ["chào", "xin chào", "hi", "bắt đầu", "bat dau", "Chào bạn!", "alo"])
async def test_a_greeting_gets_the_likeliest_actions_not_the_menu(assistant, text):
    talk = Talk(assistant)
    await onboard(talk)
    reply = await talk.say(text)
    assert reply.startswith("Chào đồng chí!"), reply
    no_menu(reply)
    assert 2 <= len(talk.choices()) <= 3
    assert "Ghi biên bản sinh hoạt tháng 11" in talk.choices() and "Soạn kế hoạch" in talk.choices()


async def test_the_offered_meeting_starts_with_its_month_answered(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    await talk.say("chào")
    reply = await talk.tap("Ghi biên bản sinh hoạt tháng 11")
    assert "Đã ghi nhận: sinh hoạt thường kỳ, tháng 11/2026." in reply and "Ngày sinh hoạt?" in reply
    draft = await draft_of(talk)
    assert draft["answers"]["kind"] == "thuong_ky" and draft["answers"]["month"] == "11/2026"


async def test_help_menu_and_commands_in_words(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    assert "Hướng dẫn" in await talk.say("giúp")
    assert "/sinhhoat —" in await talk.say("menu")  # asked for by name
    assert "Mời với vai trò nào?" in await talk.say("tôi muốn mời phó bí thư")
    assert "Mã mời:" in await talk.say("Người cùng quản lý")
    assert "Mời với vai trò nào?" in await talk.say("moi pho bi thu")
    await talk.say("/huy")
    assert "Đơn vị chưa có văn bản nào" in await talk.say("xem văn bản")
    assert "Hồ sơ" in await talk.say("hồ sơ đơn vị")
    assert "Nhắc việc" in await talk.say("nhắc nhở")
    assert "Việc định kỳ" in await talk.say("dinh ky")
    assert "Thống kê" in await talk.say("thống kê")
    assert "Hiện không có việc nào đang làm dở" in await talk.say("hủy")
    assert "Vâng" in await talk.say("cảm ơn")
    assert "Xin gửi tệp kế hoạch" in await talk.say("tôi có kế hoạch của huyện ủy")
    # "giúp tôi …" with an order is the order, not the help
    await talk.say("giúp tôi soạn kế hoạch kết nạp đảng viên nhé")
    assert (await draft_of(talk))["flow"] == "plan_admission"


# -- plans --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "flow", "answers"), [
    ("soạn kế hoạch kết nạp đảng viên", "plan_admission", {}),
    ("soan ke hoach ket nap dang vien", "plan_admission", {}),
    ("Lập KH kết nạp đv", "plan_admission", {}),
    ("lập kh sơ kết giữa nhiệm kỳ", "plan_midterm", {}),
    ("lap kh so ket giua nhiem ky", "plan_midterm", {}),
    ("kh tổng kết năm 2026", "plan_conference", {"review_kind": "tổng kết", "period": "năm 2026"}),
    ("làm kế hoạch sơ kết 6 tháng đầu năm 2027", "plan_conference",
     {"review_kind": "sơ kết", "period": "6 tháng đầu năm 2027"}),
    ("kế hoạch sinh hoạt chuyên đề năm 2027", "plan_thematic", {"year": 2027}),
    ("viết kế hoạch sinh hoạt chi bộ mẫu", "plan_model_meeting", {}),
    ("soạn kh khác", "plan_generic", {}),
    ("tôi muốn soạn kế hoạch", "plan", {}),
    ("kế hoạch", "plan", {}),
])
async def test_a_plan_named_in_words_starts_its_kind(assistant, text, flow, answers):
    talk = Talk(assistant)
    await onboard(talk)
    reply = await talk.say(text)
    draft = await draft_of(talk)
    assert draft is not None and draft["flow"] == flow, reply
    assert {k: draft["answers"][k] for k in answers} == answers
    assert ("Ngày ban hành kế hoạch?" in reply) == (flow != "plan")


# -- minutes ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "answers", "asked"), [
    ("ghi biên bản họp tháng 11", {"kind": "thuong_ky", "month": "11/2026"}, "Ngày sinh hoạt?"),
    ("ghi bien ban hop thang 11", {"kind": "thuong_ky", "month": "11/2026"}, "Ngày sinh hoạt?"),
    ("ghi bb sh thường kỳ t10", {"kind": "thuong_ky", "month": "10/2026"}, "Ngày sinh hoạt?"),
    ("ghi bien ban sinh hoat chuyen de", {"kind": "chuyen_de"}, "Ngày sinh hoạt?"),
    ("ghi biên bản hôm nay", {"held_on": "2026-11-23"}, "thường kỳ hay chuyên đề"),
    ("lập biên bản sinh hoạt chi bộ", {}, "thường kỳ hay chuyên đề"),
    ("ghi biên bản họp tháng này ngày 20/11", {"kind": "thuong_ky", "month": "11/2026", "held_on": "2026-11-20"},
     "Buổi sinh hoạt bắt đầu"),
])
async def test_minutes_named_in_words_start_with_what_they_say(assistant, text, answers, asked):
    talk = Talk(assistant)
    await onboard(talk)
    reply = await talk.say(text)
    draft = await draft_of(talk)
    assert draft is not None and draft["flow"] == "meeting", reply
    assert {k: draft["answers"].get(k) for k in answers} == answers
    assert asked in reply
    assert "roster" in draft["answers"]  # the roster copied as /sinhhoat does


def test_the_month_of_the_minutes_is_the_nearest_one():
    assert nearest_month(11, date(2026, 12, 1)) == 2026
    assert nearest_month(1, date(2026, 12, 1)) == 2027
    assert nearest_month(12, date(2027, 1, 3)) == 2026
    assert nearest_month(6, date(2026, 12, 1)) == 2026  # a tie: the earlier
    # a month far from the named day is left for the flow to ask (and check)
    assert "month" not in meeting_slots("ghi bien ban thang 3 ngay 20/11", date(2026, 11, 23))


# -- tracker items ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "title", "due"), [
    ("nhắc tôi nộp đảng phí trước 5/12", "Nộp đảng phí", "2026-12-05"),
    ("nhac toi nop dang phi truoc 5/12", "Nop dang phi", "2026-12-05"),
    ("thêm hạn: nộp báo cáo trước 15/12", "Nộp báo cáo", "2026-12-15"),
    ("Thêm việc họp chi ủy thứ 6 tuần sau 14h", "Họp chi ủy", "2026-12-04"),
    ("nhắc chi bộ nộp bản kiểm điểm, hạn 20/12/2026.", "Nộp bản kiểm điểm", "2026-12-20"),
])
async def test_a_reminder_asked_in_words_fills_title_and_date(assistant, text, title, due):
    talk = Talk(assistant)
    await onboard(talk)
    review = await talk.say(text)
    assert f"1. Việc: {title}\n" in review and "Tôi hiểu như sau" in review, review
    await talk.tap("Lưu")
    rows = await select(assistant.store, "SELECT title, due FROM deadlines")
    assert [tuple(r) for r in rows] == [(title, due)]


async def test_a_reminder_without_a_date_asks_for_it(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    reply = await talk.say("nhắc tôi nộp báo cáo")
    assert "Việc cần theo dõi — câu 1" in reply and "Hạn hoặc thời gian" in reply
    assert (await draft_of(talk))["answers"] == {"title": "Nộp báo cáo"}
    await talk.say("/huy")
    assert "Việc cần làm hoặc sự kiện cần nhớ?" in await talk.say("thêm hạn chót")


def test_an_item_title_leaves_its_date_out():
    def title_of(text: str) -> str:
        return title_and_when(text, date(2026, 11, 23))[0]

    assert title_of("Nộp đảng phí trước 5/12") == "Nộp đảng phí"
    assert title_of("họp chi bộ ngày mai lúc 8h") == "Họp chi bộ"
    assert title_of("Sinh hoạt chuyên đề trong tháng 11/2026") == "Sinh hoạt chuyên đề"
    assert title_of("Báo cáo quý IV trước 20/12") == "Báo cáo quý IV"
    assert title_of("15/12") == "15/12"  # nothing left: the text as typed
    assert title_of("Thu đảng phí quý I") == "Thu đảng phí quý I"  # a period without a lead word names the item


# -- unsure, unknown, and what was understood before -----------------------------------------------

async def test_unsure_offers_the_two_likeliest(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    reply = await talk.say("sinh hoạt chuyên đề")
    no_menu(reply)
    assert talk.choices() == ["Soạn kế hoạch: Sinh hoạt chi bộ theo chuyên đề năm", "Ghi biên bản sinh hoạt chuyên đề"]
    await talk.tap("Ghi biên bản sinh hoạt chuyên đề")
    assert (await draft_of(talk))["answers"]["kind"] == "chuyen_de"
    await talk.say("/huy")
    await talk.say("ket nap dang vien")
    assert talk.choices() == ["Soạn kế hoạch: Lễ kết nạp đảng viên"]
    reply = await talk.say("kế hoạch là gì")
    assert "Tôi chưa hiểu" in reply and 2 <= len(talk.choices()) <= 3
    no_menu(reply)


async def test_the_understanders_before_keep_working(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    reply = await talk.say("Nộp báo cáo sơ kết trước 15/12")
    assert "1. Việc: Nộp báo cáo sơ kết\n" in reply and "15/12/2026" in reply  # the date kept out of the title
    await talk.say("/huy")
    assert "chưa có biên bản sinh hoạt thường kỳ" in await talk.say("tháng này đã sinh hoạt chưa?")
    assert "Không tìm thấy kế hoạch số 4" in await talk.say("sửa kế hoạch số 4")
    assert "Không tìm thấy kế hoạch số 4" in await talk.say("làm lại từ kế hoạch số 4")
    assert "Xin gửi tệp kế hoạch" in await talk.say("gửi kế hoạch cấp trên")
    # inside a flow, the words are an answer, never an order
    await talk.say("/hanchot them")
    await talk.say("soạn kế hoạch kết nạp đảng viên")
    draft = await draft_of(talk)
    assert draft["flow"] == "deadline" and draft["answers"]["title"] == "soạn kế hoạch kết nạp đảng viên"
    await talk.say("/huy")
    assert "thường kỳ hay chuyên đề" in await talk.say("/sinhhoat")


async def test_an_offered_choice_fits_a_telegram_button(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    await talk.say("sinh hoạt chuyên đề về học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh")
    values = [c.value for out in talk.last for c in out.choices]
    assert len(values) == 2 and all(v.startswith("/lam ") and len(v.encode()) <= 64 for v in values), values
    await talk.say("đảng phí")
    assert [c.value for out in talk.last for c in out.choices] == ["/lam themhan", "/lam dinhky dang phi"]
