"""Citations and remembered recipients through the real Assistant and SQLite: a plan's basis, a meeting's
documents from above, and a Nghị quyết/Kết luận after a plan whose (b/c) line she corrected."""

from __future__ import annotations

from datetime import datetime

from bot.clock import Clock
from handlers.router import Assistant
from tests.test_meetings import BODY, HEAD, ROLL, TAIL, TASK, cell, document_of, say_all
from tests.test_plan_flow import THEMATIC, confirm, document_text

BASIS = THEMATIC.index("xong")  # the answer after the basis: the citations are typed just before it
RECIPIENTS = len(THEMATIC) - 4
NEWS = HEAD + ROLL + BODY[:2]  # the meeting asks for the documents from above next


async def test_a_loose_citation_in_the_plans_basis_is_printed_in_standard_form(store):
    assistant = Assistant(store, Clock(frozen=datetime.fromisoformat("2026-12-01T08:00:00+07:00")))
    talk = await cell(assistant)
    for answer in THEMATIC[:BASIS - 1]:
        await talk.say("1" if answer == "__number__" else answer)
    reply = await talk.say("kh 65-KH/ĐUK ngày 25/12/2026 của đảng ủy xã kim phú")
    assert "chưa tới" in reply and "đúng năm" in reply  # a citation is history: the year is asked again
    reply = await talk.say("qđ 125-QĐ/ĐU ngày 25/11 của đảng ủy xã kim phú về kết nạp đảng viên")
    assert "Quyết định số 125-QĐ/ĐU, ngày 25/11/2026 của Đảng ủy xã Kim Phú về kết nạp đảng viên" in reply
    for answer in THEMATIC[BASIS:]:
        await talk.say(answer)
    assert "Đã lưu kế hoạch" in await confirm(talk)
    assert ("Thực hiện Quyết định số 125-QĐ/ĐU, ngày 25/11/2026 của Đảng ủy xã Kim Phú về kết nạp đảng viên"
            in document_text(talk))


async def test_the_documents_announced_at_a_meeting_are_cited_in_standard_form(assistant):
    talk = await cell(assistant)  # today 23/11/2026
    await say_all(talk, NEWS)
    reply = await talk.say("Phổ biến qđ 125-QĐ/ĐU ngày 25/11/2026 của đảng ủy xã kim phú")
    assert "chưa tới" in reply
    await talk.say("Phổ biến qđ 125-QĐ/ĐU ngày 15/11 của đảng ủy xã kim phú về kết nạp đảng viên")
    await say_all(talk, BODY[3:] + TASK + TAIL)
    await talk.tap("Xác nhận và tạo biên bản")
    text = "\n".join(p.text for p in document_of(talk).paragraphs)
    assert "Phổ biến Quyết định số 125-QĐ/ĐU, ngày 15/11/2026 của Đảng ủy xã Kim Phú về kết nạp đảng viên" in text


async def test_a_superior_line_corrected_in_a_plan_is_offered_in_the_next_resolution(assistant):
    talk = await cell(assistant)
    for answer in THEMATIC[:RECIPIENTS]:
        await talk.say("1" if answer == "__number__" else answer)
    await say_all(talk, ["xóa 1", "Ban Thường vụ Đảng ủy xã Kim Phú (b/c),", "xong", "1", "1", "Nguyễn Thị Thược"])
    assert "Đã lưu kế hoạch" in await confirm(talk)
    await say_all(talk, HEAD + ROLL + BODY + TASK + TAIL)
    await talk.tap("Xác nhận và tạo biên bản")
    await talk.tap("Soạn kết luận")
    await talk.tap("20/11/2026")
    asked = await say_all(talk, ["1", "Tuyên Quang"])
    assert "1. Ban Thường vụ Đảng ủy xã Kim Phú (b/c)," in asked and "Chi ủy, đảng viên trong chi bộ," in asked
