"""The deadline tracker through the core: add in one message, lists and questions, item actions, imports."""

from __future__ import annotations

import io

import docx

from bot.messages import Attachment, Incoming
from tests.conftest import ONBOARD, Talk, onboard, select, select_one  # NOW is Monday 23/11/2026


async def add(talk: Talk, text: str) -> str:
    review = await talk.say(text)
    assert "Tôi hiểu như sau" in review, review
    return await talk.tap("Lưu")


async def send_file(talk: Talk, name: str, data: bytes) -> str:
    inc = Incoming(channel=talk.channel, chat_id=talk.user, user_id=talk.user, attachment=Attachment(name, data))
    talk.last = await talk.assistant.handle(inc)
    return "\n".join(o.plain() for o in talk.last)


async def test_add_in_one_message_echoes_the_reading(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    review = await talk.say("Nộp báo cáo sơ kết trước 15/12")
    assert "2. Thời hạn: Hạn chót: thứ ba, 15/12/2026" in review
    await talk.say("sửa 2")
    assert "Hạn chót: thứ hai, 14/12/2026" in await talk.say("trước 14/12")
    await talk.tap("Lưu")
    assert "Sự kiện: 14:00 thứ sáu, 04/12/2026" in await add(talk, "họp chi ủy thứ sáu tuần sau 14h")
    rows = await select(assistant.store, "SELECT kind, due, at_time, title FROM deadlines ORDER BY due")
    assert [tuple(r)[:3] for r in rows] == [("event", "2026-12-04", "14:00"), ("deadline", "2026-12-14", None)]
    assert "2. Thời hạn: Hạn chót: thứ bảy, 20/11/2027" in await talk.say("Nộp danh sách trước 20/11")
    await talk.say("/huy")
    assert "Lưu ý: 20/11/2026 đã qua" in await talk.say("Nộp danh sách trước 20/11/2026")
    await talk.say("/huy")
    assert "không có thật" in await talk.say("Họp ngày 31/11/2026")


async def test_lists_group_overdue_this_week_and_later(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    await add(talk, "Nộp đảng phí trước 20/11/2026")
    await add(talk, "Họp chi ủy thứ năm tuần này 14h")
    await add(talk, "Nộp báo cáo tổng kết năm trước 15/12/2026")
    await add(talk, "Sinh hoạt chuyên đề trong tháng 11/2026")
    listing = await talk.say("/hanchot")
    overdue, week, later = listing.index("Quá hạn (1)"), listing.index("Tuần này (2)"), listing.index("Sắp tới (1)")
    assert overdue < week < later
    assert "1. thứ sáu, 20/11/2026 — Nộp đảng phí\n" in listing  # the date is kept out of the title
    week_answer = await talk.say("tuần này có gì phải làm?")
    assert "Họp chi ủy" in week_answer and "Tháng 11/2026" in week_answer and "Nộp báo cáo tổng kết" not in week_answer
    assert "Quá hạn chưa xong" in week_answer
    assert "Họp chi ủy" in await talk.say("/tuannay")
    assert "Họp chi ủy" in await talk.say("what's due this week")
    today = await talk.say("hôm nay có gì?")
    assert "Hôm nay, thứ hai 23/11/2026 (1)" in today and "Sinh hoạt chuyên đề" in today and "Họp chi ủy" not in today
    assert "Nộp báo cáo tổng kết" in await talk.say("tháng sau có gì?")
    month = await talk.say("tháng này có gì?")
    assert "Họp chi ủy" in month and "Nộp báo cáo tổng kết" not in month


async def test_done_snooze_edit_delete(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    await add(talk, "Nộp báo cáo trước 15/12/2026")
    await talk.say("/hanchot")
    await talk.tap("1")
    assert "Đã hoãn nhắc" in await talk.tap("Hoãn 3 ngày")
    row = await select_one(assistant.store, "SELECT id, snoozed_until FROM deadlines")
    assert row["snoozed_until"] == "2026-11-26"
    await talk.say(f"/hanchot xem {row['id']}")
    await talk.tap("Hoãn đến ngày…")
    assert "đến thứ hai, 07/12/2026" in await talk.say("7/12/2026")
    await talk.say(f"/hanchot sua {row['id']}")
    await talk.say("sửa 1")
    await talk.say("Nộp báo cáo tổng kết")
    assert "Đã sửa" in await talk.tap("Lưu")
    await talk.say(f"/hanchot xong {row['id']}")
    assert "Chưa có hạn chót nào đang mở" in await talk.say("/hanchot")
    assert "Đã xóa: Nộp báo cáo tổng kết" in await talk.say(f"/hanchot xoa {row['id']}")
    assert await select(assistant.store, "SELECT id FROM deadlines") == []


def plan_docx(*lines: str, cell: str = "") -> bytes:
    document = docx.Document()
    for text in lines:
        document.add_paragraph(text)
    if cell:
        document.add_table(rows=1, cols=1).rows[0].cells[0].text = cell
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


async def test_import_a_plan_from_above(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    data = plan_docx(
        "Thực hiện Kế hoạch số 65-KH/ĐUK ngày 02/11/2026 của Đảng ủy Khối về sơ kết;",
        "1. Các chi bộ trực thuộc",
        "- Tổ chức sơ kết, báo cáo Đảng ủy trước ngày 15/01/2027.",
        "2. Văn phòng Đảng ủy",
        "- Tổng hợp báo cáo, hoàn thành trước ngày 25/01/2027.",
        cell="Thời gian hoàn thành: trước ngày 20/3/2027",
    )
    reply = await send_file(talk, "Kế hoạch 70-KH-ĐUK.docx", data)
    assert "tìm thấy 3 mốc" in reply and "02/11/2026" not in reply
    assert "Các chi bộ trực thuộc" in reply
    await talk.say("xóa 2")
    review = await talk.tap("Xong")
    assert "2. Văn bản nguồn: Kế hoạch 70-KH-ĐUK" in review
    assert "Đã đưa 2 mốc" in await talk.tap("Đưa vào theo dõi")
    rows = await select(assistant.store, "SELECT due, assignee, source FROM deadlines ORDER BY due")
    assert [tuple(r) for r in rows] == [("2027-01-15", "Các chi bộ trực thuộc", "Kế hoạch 70-KH-ĐUK"),
                                        ("2027-03-20", "Văn phòng Đảng ủy", "Kế hoạch 70-KH-ĐUK")]


async def test_pasted_plan_and_bad_files(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    pasted = ("Thực hiện Chỉ thị số 10-CT/TW ngày 30/3/2007 của Ban Bí thư;\n"
              "2.2 - Thời gian thực hiện:\n"
              "- Cấp cơ sở: hoàn thành trước ngày 15/6/2027.\n"
              "- Đảng bộ Khối: Tổ chức Hội nghị sơ kết dự kiến đầu tháng 7/2027.")
    reply = await talk.say(pasted)
    assert "tìm thấy 2 mốc" in reply
    await talk.tap("Xong")
    assert "Xem lại" in await talk.say("Kế hoạch số 146-KH/TU của Ban Thường vụ Tỉnh ủy")
    await talk.tap("Đưa vào theo dõi")
    kinds = await select(assistant.store, "SELECT kind, start, due FROM deadlines ORDER BY due")
    assert [tuple(k) for k in kinds] == [("deadline", None, "2027-06-15"), ("event", "2027-07-01", "2027-07-10")]
    assert "không phải tệp Word .docx hợp lệ" in await send_file(talk, "ke-hoach.docx", b"not a zip at all")
    assert "chỉ đọc được tệp Word .docx" in await send_file(talk, "anh.jpg", b"\xff\xd8")
    assert "vượt giới hạn 10 MB" in await send_file(talk, "big.docx", b"0" * (10 * 1024 * 1024 + 1))
    assert "không tìm thấy hạn chót" in await send_file(talk, "trong.docx", plan_docx("Không có ngày nào."))


async def test_units_see_only_their_own_items(assistant):
    first, second = Talk(assistant, "u1"), Talk(assistant, "u2")
    await onboard(first)
    answers = list(ONBOARD)
    answers[4] = "Thôn Hạ"
    await onboard(second, answers)
    await add(first, "Nộp báo cáo trước 15/12/2026")
    row = await select_one(assistant.store, "SELECT id FROM deadlines")
    assert "Chưa có hạn chót" in await second.say("/hanchot")
    assert "Không tìm thấy việc này" in await second.say(f"/hanchot xoa {row['id']}")
    assert len(await select(assistant.store, "SELECT id FROM deadlines")) == 1
