"""One message, many facts (issue 16, point 3): absentees with their reasons at the roll call, the vote as people
say it, speakers and tasks in loose forms, typed into the real engine over a real SQLite file; one meeting typed
this way is confirmed and its Biên bản read back. The tracker keeps an item's date out of its title."""

from __future__ import annotations

from datetime import date

import pytest

from bot.dates_text import split_when
from handlers.forms import Invalid
from handlers.meetings.facts import parse_absentees, parse_vote
from tests.conftest import Talk, onboard, select
from tests.docx_checks import all_text
from tests.test_meetings import BODY, HEAD, ONBOARD_CELL, document_of, norm, say_all

# The cell of tests/test_meetings.py: Thược chairs, Lan takes the minutes, Cường is exempt; An, Bình (dự bị) and
# Dũng may be absent. Today is Monday 23/11/2026; the meeting was held on 20/11/2026.
AFTER_ROLL = ["Đúng, tiếp tục"] + BODY[:5]  # the attendance summary accepted, up to the speeches


async def at_roll_call(assistant) -> Talk:
    talk = Talk(assistant)
    await onboard(talk, ONBOARD_CELL)
    await say_all(talk, HEAD)
    assert "Có đồng chí nào vắng mặt không?" in talk.last[-1].plain()
    return talk


async def answers(assistant) -> dict:
    state = await assistant.store.draft("test", "u1", "u1")
    return state["answers"]


# -- absentees -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "excused", "unexcused"), [
    ("vắng đ/c An đi làm ca, đ/c Dũng ốm", "Nguyễn Văn An — Đi làm ca; Phạm Văn Dũng — Ốm", None),
    ("an (đi làm ca), dũng ốm", "Nguyễn Văn An — Đi làm ca; Phạm Văn Dũng — Ốm", None),
    ("vắng: An - công tác; Dũng - không lý do", "Nguyễn Văn An — Công tác", "Phạm Văn Dũng"),
    ("An vắng có lý do: đi học; Dũng vắng không lý do", "Nguyễn Văn An — Đi học", "Phạm Văn Dũng"),
    ("vang an di lam ca, dung om", "Nguyễn Văn An — Đi làm ca; Phạm Văn Dũng — Ốm", None),
    ("vắng Nguyễn Văn An vì đi công tác và Phạm Văn Dũng tự ý", "Nguyễn Văn An — Đi công tác", "Phạm Văn Dũng"),
    ("vang: binh - khong ly do", None, "Trần Thị Bình"),
])
async def test_absentees_with_reasons_in_one_message_skip_the_absentees_question(assistant, typed, excused, unexcused):
    talk = await at_roll_call(assistant)
    summary = await talk.say(typed)
    assert "Số liệu điểm danh (tôi tự tính từ danh sách)" in summary, summary
    absent = (excused.count("—") if excused else 0) + (1 if unexcused else 0)
    assert f"- Có mặt: {5 - absent}/5" in summary
    if excused:
        assert f"- Vắng có lý do: {excused.count('—')} ({excused})" in summary
    if unexcused:
        assert f"- Vắng không lý do: 1 ({unexcused})" in summary
    assert talk.choices() == ["Đúng, tiếp tục"]
    state = await answers(assistant)
    assert state["roll"] == "absent" and len(state["absent"]) == absent


async def test_absentees_without_a_reason_are_asked_once(assistant):
    talk = await at_roll_call(assistant)
    question = await talk.say("vang an, binh")
    assert "Các đồng chí Nguyễn Văn An, Trần Thị Bình vắng có lý do không?" in question
    assert talk.choices() == ["Không lý do"]
    assert "Còn chưa rõ đồng chí Trần Thị Bình" in await talk.say("an ốm")  # a second chance
    summary = await talk.say("An ốm, Bình không lý do")
    assert "- Vắng có lý do: 1 (Nguyễn Văn An — Ốm)" in summary and "- Vắng không lý do: 1 (Trần Thị Bình)" in summary
    # Back at the roll call, another list replaces the first; one reason may stand for all; a button says none.
    await talk.say("quay lại")
    await talk.say("quay lại")
    assert "vắng có lý do không?" in await talk.say("vắng Dũng")
    assert "Xin ghi lý do vắng" in await talk.say("có")
    summary = await talk.say("đi công tác")
    assert "- Vắng có lý do: 1 (Phạm Văn Dũng — Đi công tác)" in summary and "- Có mặt: 4/5" in summary
    await talk.say("quay lại")
    summary = await talk.tap("Không lý do")
    assert "- Vắng không lý do: 1 (Phạm Văn Dũng)" in summary and "- Vắng có lý do: 0" in summary


async def test_names_that_cannot_be_absent_are_refused_with_a_second_chance(assistant):
    talk = await at_roll_call(assistant)
    assert "Không có đồng chí “Hùng”" in await talk.say("vắng An ốm, Hùng")
    assert "miễn sinh hoạt" in await talk.say("vắng Cường")
    assert "chủ trì buổi sinh hoạt nên có mặt" in await talk.say("vắng thuoc om")
    assert "ghi vắng hai lần" in await talk.say("vắng An ốm, an")
    assert "Xin chọn “Có mặt đủ” hoặc “Có đồng chí vắng”" in await talk.say("hôm nay trời mưa to quá nên mọi người đến muộn")
    assert "- Có mặt: 5/5" in await talk.say("không ai vắng")


@pytest.mark.parametrize("text", ["không có", "khong co", "đủ", "không ai vắng"])
async def test_nobody_absent_in_her_words(assistant, text):
    talk = await at_roll_call(assistant)
    assert "- Có mặt: 5/5" in await talk.say(text)


def test_a_name_two_members_share_is_asked_for_in_full():
    roster = [{"name": n, "status": "chinh_thuc", "exempt": False}
              for n in ("Nguyễn Thị Lan", "Trần Thị Lan", "Lê Văn Nam", "Trần Văn Thắng")]
    with pytest.raises(Invalid, match="Có 2 đồng chí tên “Lan”: Nguyễn Thị Lan, Trần Thị Lan"):
        parse_absentees("vắng Lan ốm", roster)
    assert [a.name for a in parse_absentees("vắng Trần Thị Lan ốm, nam", roster)] == ["Trần Thị Lan", "Lê Văn Nam"]
    # A word with its tone marks is not a name it only resembles without them: "nằm viện" is no "Nam".
    found = parse_absentees("Thắng ốm, nằm viện; Nam tự ý", roster)
    assert [(a.name, a.status, a.reason) for a in found] == [("Trần Văn Thắng", "excused", "ốm, nằm viện"),
                                                            ("Lê Văn Nam", "absent", "")]


async def test_absentees_typed_at_the_group_question_and_a_picked_member_not_offered_again(assistant):
    talk = await at_roll_call(assistant)
    await talk.tap("Có đồng chí vắng")
    assert talk.choices() == ["Nguyễn Văn An", "Trần Thị Bình", "Phạm Văn Dũng"]
    await talk.tap("Trần Thị Bình")
    await talk.tap("Vắng có lý do")
    await talk.say("ốm")
    await talk.tap("Thêm")
    assert talk.choices() == ["Nguyễn Văn An", "Phạm Văn Dũng"]  # Bình is already absent
    summary = await talk.say("an di hoc, dung khong ly do")
    assert "- Có mặt: 2/5" in summary and "- Vắng có lý do: 2 (Trần Thị Bình — Ốm; Nguyễn Văn An — Đi học)" in summary
    assert "- Vắng không lý do: 1 (Phạm Văn Dũng)" in summary
    # Back from the summary: the list is the group's, to edit item by item.
    reply = await talk.say("quay lại")
    assert "Đã có 3 mục" in reply and "3. Phạm Văn Dũng — Vắng không lý do" in reply


async def test_a_typed_list_is_shown_for_editing_when_she_then_taps_somebody_absent(assistant):
    talk = await at_roll_call(assistant)
    await talk.say("vắng An ốm, Dũng không lý do")
    await talk.say("quay lại")
    reply = await talk.tap("Có đồng chí vắng")
    assert "Đã có 2 mục" in reply and "1. Nguyễn Văn An — Vắng có lý do — Ốm" in reply
    await talk.say("xóa 2")
    assert "- Có mặt: 4/5" in await talk.tap("Xong")


# -- the vote ------------------------------------------------------------------------------------

async def at_vote(assistant) -> Talk:
    talk = await at_roll_call(assistant)
    await talk.say("vắng Dũng không lý do")  # 4 present
    await say_all(talk, AFTER_ROLL + ["Đ/c An: Nhất trí.", "xong", "Giao việc như sau.",
                                      "An: dọn vệ sinh đường làng trước 30/11", "xong"])
    assert "bao nhiêu đồng chí tán thành? (Có mặt 4 đồng chí.)" in talk.last[-1].plain()
    return talk


@pytest.mark.parametrize(("typed", "for_", "against"), [
    ("nhất trí 100%", 4, 0), ("100%", 4, 0), ("4/4", 4, 0), ("4/4 tán thành", 4, 0), ("tất cả tán thành", 4, 0),
    ("toàn thể nhất trí", 4, 0), ("3 tán thành, 1 không", 3, 1), ("3 đồng ý 1 không đồng ý", 3, 1),
    ("2 tán thành 1 không tán thành 1 không biểu quyết", 2, 1), ("nhat tri 100%", 4, 0),
    ("3 tan thanh, 1 khong", 3, 1), ("tán thành 3, không tán thành 1", 3, 1),
])
async def test_votes_as_people_say_them_answer_both_questions(assistant, typed, for_, against):
    talk = await at_vote(assistant)
    reply = await talk.say(typed)
    assert f"Ghi nhận biểu quyết: {for_}/4 đồng chí tán thành" in reply, reply
    assert "Số tiền đảng phí" in reply  # the votes against are not asked
    state = await answers(assistant)
    assert (state["vote_for"], state["vote_against"]) == (for_, against)


async def test_a_plain_number_still_asks_the_votes_against_and_counts_must_add_up(assistant):
    talk = await at_vote(assistant)
    assert talk.choices() == ["4"]
    assert "tôi tính có mặt 4 đồng chí, không phải 5" in await talk.say("5/5 tán thành")
    assert "vượt số đảng viên có mặt (4)" in await talk.say("3 tán thành 2 không")
    assert "không khớp" in await talk.say("2 tán thành 1 không 0 không biểu quyết")
    assert "Chưa rõ kết quả biểu quyết" in await talk.say("giơ tay")
    assert "Bao nhiêu đồng chí không tán thành?" in await talk.say("1")  # a number, not the first button
    assert "Ghi nhận: 3 đồng chí có mặt không biểu quyết" in await talk.say("0")
    assert (await answers(assistant))["vote_for"] == 1
    await talk.say("quay lại")
    await talk.say("quay lại")
    assert "Bao nhiêu đồng chí không tán thành?" in await talk.say("3/4 tán thành")  # not implied: asked


# -- speakers and tasks --------------------------------------------------------------------------

async def test_speakers_in_loose_forms_one_a_line(assistant):
    talk = await at_roll_call(assistant)
    await talk.say("vắng Dũng ốm")
    await say_all(talk, AFTER_ROLL)
    reply = await talk.say("An: nhất trí với báo cáo\nbình - đề nghị giao việc cụ thể cho từng tổ\n"
                           "đ/c Dũng phát biểu đề nghị tăng cường kiểm tra\nđồng chí Lan ý kiến: cần chuẩn bị kỹ\n"
                           "thược nói thống nhất với ý kiến của các đồng chí\nHạn chế: chưa đi sâu")
    assert "Đã thêm 5" in reply, reply
    speeches = (await assistant.store.draft("test", "u1", "u1"))["pending"]["speeches"]
    assert [(s["who"], s["said"]) for s in speeches] == [
        ("An", "Nhất trí với báo cáo"), ("Bình", "Đề nghị giao việc cụ thể cho từng tổ"),
        ("Dũng", "Đề nghị tăng cường kiểm tra"), ("Lan", "Cần chuẩn bị kỹ"),
        ("Thược", "Thống nhất với ý kiến của các đồng chí\nHạn chế: chưa đi sâu")]
    assert "Đã thêm 1" in await talk.say("tuấn – đề nghị nộp báo cáo trước cuối tháng")
    assert "Mỗi ý kiến ghi theo dạng" in await talk.say("Nhất trí với báo cáo")


async def test_tasks_in_one_message_and_one_field_at_a_time(assistant):
    talk = await at_roll_call(assistant)
    await talk.say("vắng Dũng ốm")
    await say_all(talk, AFTER_ROLL + ["Đ/c An: Nhất trí.", "xong", "Giao việc như sau."])
    reply = await talk.say("An: chủ trì tổng vệ sinh trước 15/12\nchi ủy - xây dựng kế hoạch kiểm điểm, hạn 10/12")
    assert "Đã thêm 2 việc: Nguyễn Văn An — Chủ trì tổng vệ sinh — hạn 15/12/2026; Chi ủy — Xây dựng kế hoạch " \
           "kiểm điểm — hạn 10/12/2026" in reply
    assert "Các việc chi bộ giao" in reply and "Đã có 2 mục" in reply
    assert "chưa có hạn hoàn thành" in await talk.say("binh: thu dang phi")
    await talk.say("binh: thu dang phi truoc 30/11")
    await say_all(talk, ["Thêm", "Tổ đảng số 1", "Vận động các hộ tham gia vệ sinh", "5/12"])  # field by field
    await talk.say("xong")
    tasks = (await answers(assistant))["tasks"]
    assert [(t["owner"], t["what"], t["due"]) for t in tasks] == [
        ("Nguyễn Văn An", "Chủ trì tổng vệ sinh", "2026-12-15"),
        ("Chi ủy", "Xây dựng kế hoạch kiểm điểm", "2026-12-10"),
        ("Trần Thị Bình", "Thu dang phi", "2026-11-30"),
        ("Tổ đảng số 1", "Vận động các hộ tham gia vệ sinh", "2026-12-05")]


# -- a whole meeting typed this way, read back ---------------------------------------------------

async def test_a_meeting_typed_in_few_messages_prints_right(assistant):
    talk = await at_roll_call(assistant)
    await talk.say("vắng đ/c An đi làm ca, đ/c Dũng")
    await talk.say("Dũng không lý do")
    await say_all(talk, AFTER_ROLL)
    await talk.say("bình - đề nghị giao việc cụ thể cho từng tổ\nđ/c Lan phát biểu nhất trí với báo cáo")
    await say_all(talk, ["xong", "Giao việc như sau."])
    await talk.say("Bình: chủ trì tổng vệ sinh trước 15/12\nchi ủy - xây dựng kế hoạch kiểm điểm, hạn 10/12")
    await talk.say("xong")
    reply = await talk.say("2 tán thành, 1 không")
    assert "Số tiền đảng phí" in reply
    review = await say_all(talk, ["bỏ qua", "Tốt", "16h30"])
    for line in ["8. Điểm danh: Có đồng chí vắng",
                 "9. Vắng mặt: 2 mục: Nguyễn Văn An — Vắng có lý do — Đi làm ca; Phạm Văn Dũng — Vắng không lý do",
                 "18. Số đồng chí tán thành: 2", "19. Số đồng chí không tán thành: 1"]:
        assert line in review, (line, review)
    # Changing the vote from the review: a phrase that implies the votes against answers them too.
    await talk.say("sửa 18")
    assert "Xem lại biên bản" in await talk.say("3/3") and (await answers(assistant))["vote_against"] == 0
    await talk.say("sửa 18")
    await talk.say("2 tán thành, 1 không")
    await talk.tap("Xác nhận và tạo biên bản")
    text = norm(all_text(document_of(talk)))
    for line in ["Số đảng viên có mặt: 3 đồng chí (chính thức: 2 đồng chí; dự bị: 1 đồng chí), đạt tỷ lệ 60%.",
                 "Số đảng viên vắng mặt: 2 đồng chí",
                 "Vắng có lý do: 1 đồng chí: đồng chí Nguyễn Văn An (đi làm ca).",
                 "Vắng không có lý do: 1 đồng chí: đồng chí Phạm Văn Dũng.",
                 "Đồng chí Trần Thị Bình: Đề nghị giao việc cụ thể cho từng tổ",
                 "Đồng chí Hoàng Thị Lan: Nhất trí với báo cáo",
                 "Đồng chí Trần Thị Bình: Chủ trì tổng vệ sinh; hoàn thành trước ngày 15/12/2026",
                 "Chi ủy: Xây dựng kế hoạch kiểm điểm; hoàn thành trước ngày 10/12/2026",
                 "2/3 đồng chí tán thành (66,7%), 1 đồng chí không tán thành"]:
        assert norm(line) in text, (line, text[:3000])
    rows = await select(assistant.store, "SELECT status, COUNT(*) FROM attendance GROUP BY status ORDER BY status")
    assert [tuple(r) for r in rows] == [("absent", 1), ("excused", 1), ("exempt", 1), ("present", 3)]
    titles = await select(assistant.store, "SELECT title, due FROM deadlines ORDER BY due")
    assert [tuple(r) for r in titles] == [("Xây dựng kế hoạch kiểm điểm", "2026-12-10"),
                                          ("Chủ trì tổng vệ sinh", "2026-12-15")]


def test_vote_parser_rules():
    assert (parse_vote("9", 10).for_, parse_vote("9", 10).against) == (9, None)
    assert parse_vote("10", 10).against is None  # a plain number: the votes against are asked, as always
    vote = parse_vote("8 tán thành 1 không tán thành 1 không biểu quyết", 10)
    assert (vote.for_, vote.against, vote.abstain) == (8, 1, 1)
    assert (parse_vote("8 tán thành, 2 không biểu quyết", 10).against) == 0
    assert parse_vote("80%", 10).for_ == 8 and parse_vote("80%", 10).against is None
    with pytest.raises(Invalid, match="không phải một số người"):
        parse_vote("75%", 10)


# -- the tracker ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "title", "due"), [
    ("Nộp báo cáo sơ kết trước 15/12", "Nộp báo cáo sơ kết", date(2026, 12, 15)),
    ("nop bao cao so ket truoc ngay 15/12", "nop bao cao so ket", date(2026, 12, 15)),
    ("Họp chi ủy 14h thứ sáu tuần sau", "Họp chi ủy", date(2026, 12, 11)),
    ("Nộp đảng phí (hạn 5/12).", "Nộp đảng phí", date(2026, 12, 5)),
    ("Hạn nộp báo cáo là 15/12", "Nộp báo cáo", date(2026, 12, 15)),
    ("Kiểm tra 5/5 tổ đảng, chậm nhất 20/12/2026 lúc 8h", "Kiểm tra 5/5 tổ đảng", date(2026, 12, 20)),
])
def test_split_when_takes_the_dated_phrase_out(typed, title, due):
    found = split_when(typed, today=date(2026, 12, 1))
    assert found is not None and found[1] == title and found[0].due == due


def test_split_when_without_a_date():
    assert split_when("Nộp báo cáo sơ kết", today=date(2026, 12, 1)) is None
    assert split_when("hạn chế tổ chức trước 15/12", today=date(2026, 12, 1))[1] == "hạn chế tổ chức"


async def test_a_tracker_item_in_one_line_keeps_its_date_out_of_its_title(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    reply = await talk.say("Nộp báo cáo sơ kết trước 15/12")  # free text at the idle prompt
    assert "1. Việc: Nộp báo cáo sơ kết" in reply and "Hạn chót: thứ ba, 15/12/2026" in reply
    await talk.tap("Lưu")
    await talk.say("/hanchot")
    await talk.tap("Thêm việc")
    reply = await talk.say("nộp đảng phí tháng 11, hạn 30/11")  # the title question takes the date too
    assert "Ghi nhận: Hạn chót: thứ hai, 30/11/2026 — Nộp đảng phí tháng 11." in reply
    assert "Ai (đơn vị nào) thực hiện?" in reply
    await talk.say("bỏ qua")
    await talk.tap("Lưu")
    await talk.say("/hanchot")
    await talk.tap("Thêm việc")
    assert "Xin ghi việc cần làm" in await talk.say("trước 15/12")
    rows = await select(assistant.store, "SELECT title, due FROM deadlines ORDER BY due")
    assert [tuple(r) for r in rows] == [("Nộp đảng phí tháng 11", "2026-11-30"), ("Nộp báo cáo sơ kết", "2026-12-15")]
