"""Answers that enter a document are tidied (issue 10, points 1 and 2): through the real engine on a real SQLite
file, the .docx read back with python-docx."""

from __future__ import annotations

import io
import re

import docx

from bot.clock import Clock
from bot.store import Store
from handlers.router import Assistant
from tests.conftest import NOW, ONBOARD, Talk, onboard
from tests.docx_checks import all_text, cell_lines

ROSTER = "Nguyễn Thị Thược\nNguyễn Thị Hoa\nTrần Văn Thắng\nNguyễn Văn An\nPhạm Văn Dũng"


def onboarding(roster: str = ROSTER) -> list[str]:
    return ONBOARD[:11] + [roster] + ONBOARD[12:]


PLAN_HEAD = ["/kehoach", "Kế hoạch khác (khung chung)", "25/11/2026", "1", "tuyên quang"]


def flat(text: str) -> str:
    """Spacing aside, case kept: capitals are what is checked here."""
    return re.sub(r"\s+", " ", text).strip()


def document_of(talk: Talk):
    data = next(o.document for o in talk.last if o.document is not None).data
    return docx.Document(io.BytesIO(data))


async def say_all(talk: Talk, answers: list[str]) -> str:
    reply = ""
    for answer in answers:
        reply = await talk.say(answer)
    return reply


async def test_a_plan_typed_in_a_hurry_is_printed_tidy(assistant):
    talk = Talk(assistant)
    await onboard(talk, onboarding())
    await say_all(talk, PLAN_HEAD)
    reply = await talk.say("tổ chức hội nghị tổng kết công tác năm 2026")
    assert "Sẽ ghi vào văn bản: Tổ chức hội nghị tổng kết công tác năm 2026" in reply
    await talk.say("bỏ qua")  # basis
    reply = await talk.say("nâng cao chất lượng sinh hoạt của cb")
    assert "Nâng cao chất lượng sinh hoạt của chi bộ." in reply  # the list shows the item as it will print
    await talk.say("xong")
    await talk.say("nội dung")
    reply = await talk.say("thời gian,  địa điểm.")
    assert "Sẽ ghi vào văn bản: Thời gian, địa điểm" in reply
    await talk.say("- thời gian: ngày 20/12/2026\n- địa điểm: hội trường đảng ủy")
    await talk.say("Xong")
    reply = await talk.say("đ/c hoa")
    assert "Sẽ ghi vào văn bản: Đồng chí Nguyễn Thị Hoa" in reply
    await talk.say("chuẩn bị báo cáo, trình btv trước ngày 15/12/2026")
    await talk.say("Xong")
    await talk.say("bỏ qua")  # closing
    reply = await talk.say("đảng ủy phường tân mai (b/c)")
    assert "Đảng ủy phường Tân Mai (b/c)," in reply
    await say_all(talk, ["xong", "1", "1"])
    review = await talk.say("thược")
    # The review shows what is stored: the tidied answers.
    for shown in ("Địa danh: Tuyên Quang", "Người ký: Nguyễn Thị Thược",
                  "Đồng chí Nguyễn Thị Hoa"):
        assert shown in review, shown
    await talk.tap("Xác nhận và tạo văn bản")
    document = document_of(talk)
    text = flat(all_text(document))
    for line in ("Tuyên Quang, ngày 25 tháng 11 năm 2026", "ban hành Kế hoạch tổ chức hội nghị tổng kết công tác",
                 "- Nâng cao chất lượng sinh hoạt của chi bộ.", "II. NỘI DUNG", "1. Thời gian, địa điểm",
                 "- Thời gian: ngày 20/12/2026", "- Địa điểm: hội trường Đảng ủy", "1. Đồng chí Nguyễn Thị Hoa",
                 "Chuẩn bị báo cáo, trình Ban Thường vụ trước ngày 15/12/2026", "- Đảng ủy phường Tân Mai (b/c),"):
        assert flat(line) in text, line
    assert "đ/c hoa" not in text and " btv " not in text
    assert cell_lines(document.tables[-1].rows[0].cells[-1])[-1] == "Nguyễn Thị Thược"


MEETING = ["/sinhhoat", "Thường kỳ", "20/11/2026", "11/2026", "14h00", "nhà văn hóa xóm", "Nguyễn Thị Thược"]
ROLL = ["Có đồng chí vắng", "Phạm Văn Dũng", "Vắng có lý do", "ốm", "Xong", "Đúng, tiếp tục"]
BODY = ["bỏ qua", "xong", "bỏ qua", "hoàn thành các nhiệm vụ tháng 11", "tổng vệ sinh cuối năm",
        "Đ/c An: Nhất trí.", "xong", "giao việc như sau"]
TASK = ["đ/c an", "dọn vệ sinh đường làng", "30/11/2026", "Xong"]
TAIL = ["3", "0", "bỏ qua", "Tốt", "16h30"]


async def test_minutes_whose_secretary_was_typed_in_lower_case(assistant):
    talk = Talk(assistant)
    await onboard(talk, onboarding())
    await say_all(talk, MEETING)
    reply = await talk.say("đồng chí nguyễn thị hoa")
    assert "Sẽ ghi vào văn bản: Nguyễn Thị Hoa" in reply
    await say_all(talk, ROLL + BODY + TASK + TAIL)
    await talk.tap("Xác nhận và tạo biên bản")
    document = document_of(talk)
    text = flat(all_text(document))
    for line in ("tại Nhà văn hóa xóm,", "- Thư ký: đồng chí Nguyễn Thị Hoa.", "Hoàn thành các nhiệm vụ tháng 11",
                 "- Đồng chí Nguyễn Văn An: Dọn vệ sinh đường làng; hoàn thành trước ngày 30/11/2026."):
        assert flat(line) in text, line
    assert cell_lines(document.tables[-1].rows[0].cells[0]) == ["THƯ KÝ", "Nguyễn Thị Hoa"]


async def test_unaccented_answer_is_asked_again_then_retyped_or_kept(assistant):
    talk = Talk(assistant)
    await onboard(talk, onboarding())
    await say_all(talk, PLAN_HEAD)
    reply = await talk.say("to chuc le ket nap dang vien moi")
    assert "có vẻ chưa có dấu: “to chuc le ket nap dang vien moi”" in reply
    assert "Giữ như đã gõ" in talk.choices() and "Trích yếu" in reply
    state = await assistant.store.draft("test", "u1", "u1")
    assert "subject" not in state["answers"] and state["held"]["text"] == "to chuc le ket nap dang vien moi"
    reply = await talk.say("Tổ chức Lễ kết nạp đảng viên mới")  # retyped with marks: accepted
    assert "chưa có dấu" not in reply and "căn cứ" in reply.lower()
    state = await assistant.store.draft("test", "u1", "u1")
    assert state["answers"]["subject"] == "Tổ chức Lễ kết nạp đảng viên mới" and "held" not in state
    await talk.say("bo qua")  # commands keep taking unaccented input
    reply = await talk.say("dam bao thiet thuc hieu qua")
    assert "chưa có dấu" in reply
    reply = await talk.tap("Giữ như đã gõ")  # kept as typed
    assert "Đã thêm 1: Dam bao thiet thuc hieu qua." in reply
    assert "Tên phần II" in await talk.say("xong")
    state = await assistant.store.draft("test", "u1", "u1")
    assert state["answers"]["purposes"][-1] == "Dam bao thiet thuc hieu qua."


async def test_a_restart_while_an_unaccented_answer_is_held_asks_the_same(tmp_path):
    path = str(tmp_path / "chibo.sqlite3")
    store = await Store.open(path)
    talk = Talk(Assistant(store, Clock(frozen=NOW)))
    await onboard(talk, onboarding())
    await say_all(talk, PLAN_HEAD)
    asked = await talk.say("thanh phan hoi nghi")
    assert "chưa có dấu" in asked
    await store.close()

    store = await Store.open(path)  # the process restarted: a new store on the same file, a new assistant
    try:
        again = Talk(Assistant(store, Clock(frozen=NOW)))
        resumed = "\n".join(o.plain() for o in await again.assistant.resume("test", "u1", "u1"))
        assert "có vẻ chưa có dấu: “thanh phan hoi nghi”" in resumed and "Trích yếu" in resumed
        again.last = await again.assistant.resume("test", "u1", "u1")
        assert "Giữ như đã gõ" in again.choices()
        reply = await again.say("Thành phần hội nghị")
        assert "chưa có dấu" not in reply
        state = await store.draft("test", "u1", "u1")
        assert state["answers"]["subject"] == "Thành phần hội nghị"
    finally:
        await store.close()


async def test_two_members_of_one_name_are_asked_about(assistant):
    talk = Talk(assistant)
    await onboard(talk, onboarding(ROSTER + "\nLê Thị Hoa"))
    await say_all(talk, PLAN_HEAD + ["Tổ chức hội nghị tổng kết", "bỏ qua", "xong", "Nội dung",
                                     "Thời gian", "Ngày 20/12/2026", "Xong"])
    reply = await talk.say("đ/c hoa")
    assert "2 đồng chí tên “hoa”: Nguyễn Thị Hoa, Lê Thị Hoa" in reply
    assert talk.choices()[:2] == ["Nguyễn Thị Hoa", "Lê Thị Hoa"]
    reply = await talk.tap("Lê Thị Hoa")
    assert "Sẽ ghi vào văn bản: Đồng chí Lê Thị Hoa" in reply
    await say_all(talk, ["Chuẩn bị hội trường.", "Xong", "bỏ qua", "xong", "1", "1", "Nguyễn Thị Thược"])
    await talk.tap("Xác nhận và tạo văn bản")
    assert flat("1. Đồng chí Lê Thị Hoa") in flat(all_text(document_of(talk)))
