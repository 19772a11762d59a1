"""Drafting a plan through the core: numbering, citations, bad input, /vanban and redoing an old plan."""

from __future__ import annotations

import io
import json
from datetime import date

import docx

from bot.citations import parse_citation
from tests.conftest import ONBOARD, Talk, onboard, select

THEMATIC = [
    "/kehoach", "Sinh hoạt chi bộ theo chuyên đề năm", "20/11/2026", "__number__", "Tuyên Quang", "2027",
    "Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2027",
    "Kế hoạch số 65-kh/đuk, ngày 2-11-2026 của Đảng ủy Khối về tổ chức sinh hoạt chi bộ theo chuyên đề năm 2027",
    "xong", "xong", "bỏ qua", "xong", "xong", "xong",
    "Chi ủy", "Xây dựng kế hoạch, báo cáo Đảng ủy trước ngày 05/01/2027.", "Xong",
    "bỏ qua", "xong", "1", "1", "Nguyễn Thị Thược",
]


async def draft(talk: Talk, number: str = "1", replace: dict[int, str] | None = None) -> str:
    reply = ""
    for index, answer in enumerate(THEMATIC):
        answer = number if answer == "__number__" else (replace or {}).get(index, answer)
        reply = await talk.say(answer)
    return reply


async def confirm(talk: Talk) -> str:
    return await talk.tap("Xác nhận và tạo văn bản")


def document_text(talk: Talk) -> str:
    data = next(o.document for o in talk.last if o.document is not None).data
    document = docx.Document(io.BytesIO(data))
    cells = [p.text for t in document.tables for r in t.rows for c in r.cells for p in c.paragraphs]
    return "\n".join([p.text for p in document.paragraphs] + cells)


async def test_plan_is_drafted_numbered_and_tracked(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    review = await draft(talk)
    assert "Xem lại kế hoạch" in review and "2. Số kế hoạch: 1" in review
    reply = await confirm(talk)
    assert "Đã lưu kế hoạch 01-KH/CB" in reply
    text = document_text(talk)
    assert "Số 01-KH/CB" in text and "Tuyên Quang, ngày 20 tháng 11 năm 2026" in text
    assert ("Thực hiện Kế hoạch số 65-KH/ĐUK, ngày 02/11/2026 của Đảng ủy Khối về tổ chức sinh hoạt chi bộ theo "
            "chuyên đề năm 2027, Chi bộ Xóm Định Thành ban hành Kế hoạch tổ chức sinh hoạt chi bộ theo "
            "Chuyên đề năm 2027, như sau:") in text
    assert "Chuyên đề 1: Nâng cao chất lượng sinh hoạt chi bộ (Quý I/2027)." in text
    assert "T/M CHI BỘ" in text and "Lưu Chi bộ." in text
    name = next(o.document for o in talk.last if o.document is not None).filename
    assert name == "Kế hoạch 01-KH-CB - Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2027.docx"
    rows = await select(assistant.store, "SELECT kind, due, start, assignee FROM deadlines ORDER BY due")
    assert ("deadline", "2027-01-05", None, "Chi ủy") in [tuple(r) for r in rows]
    assert ("period", "2027-03-31", "2027-01-01") in [tuple(r)[:3] for r in rows]
    # The next plan is offered the next number; a used number is refused with the free one named.
    await talk.say("/kehoach")
    await talk.say("Sinh hoạt chi bộ theo chuyên đề năm")
    await talk.say("21/11/2026")
    assert talk.choices()[0] == "2"
    assert "đã dùng" in (reply := await talk.say("1")) and "Số tiếp theo còn trống là 2" in reply


async def test_bad_input_gets_a_message_and_another_try(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    for answer in THEMATIC[:2]:
        await talk.say(answer)
    assert "không có thật" in await talk.say("31/02/2024")
    assert "là thứ sáu, không phải thứ năm" in await talk.say("thứ năm, ngày 29/3/2024")
    await talk.say("20/11/2026")
    await talk.say("5")
    await talk.say("Tuyên Quang")
    await talk.say("2027")
    assert "trống" in await talk.say(" ")
    assert "quá ngắn" in await talk.say("KH")
    await talk.say("Tổ chức <sinh hoạt> & “chuyên đề” 🌸")
    assert "Ngày ban hành của văn bản này sai" in await talk.say("Kế hoạch số 65-KH/ĐUK ngày 31/02/2022 của Đảng ủy Khối")
    await talk.say("xong")
    assert "tối đa 1.500 ký tự" in await talk.say("x" * 5000)
    for answer in ["xong", "bỏ qua", "xong", "xong", "xong", "Chi ủy"]:
        await talk.say(answer)
    assert "không có thật" in await talk.say("Báo cáo trước ngày 30/02/2027")
    reply = await talk.say("Báo cáo trước ngày 15/6/2026")
    assert "Lưu ý: hạn 15/6/2026 đã qua" in reply
    for answer in ["Xong", "bỏ qua", "xong", "1", "1", "Nguyễn Thị Thược"]:
        await talk.say(answer)
    await confirm(talk)
    text = document_text(talk)
    assert "Tổ chức <sinh hoạt> & “chuyên đề” 🌸" in text and "Số 05-KH/CB" in text


async def test_preview_documents_list_and_redo(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    await draft(talk, number="46")
    preview = await talk.tap("Xem trước")
    assert "KẾ HOẠCH" in preview and "IV. TỔ CHỨC THỰC HIỆN" in preview and "Xem lại kế hoạch" in preview
    await confirm(talk)
    listing = await talk.say("/vanban")
    assert "1. Kế hoạch số 46-KH, 20/11/2026: Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2027" in listing
    resent = await talk.tap("Gửi lại 1")
    assert resent == "" and talk.last[0].document.filename.startswith("Kế hoạch 46-KH-CB")
    assert "Không tìm thấy kế hoạch số 99" in await talk.say("làm lại từ kế hoạch số 99")
    reply = await talk.say("Làm lại từ kế hoạch số 46")
    assert "Soạn bản mới từ" in reply and "Ngày ban hành kế hoạch?" in reply
    await talk.say("22/11/2026")
    review = await talk.say("47")
    assert "Xem lại kế hoạch" in review and "Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2027" in review
    await confirm(talk)
    rows = await select(assistant.store, "SELECT number, answers FROM documents ORDER BY id")
    assert [r["number"] for r in rows] == [46, 47]
    assert json.loads(rows[1]["answers"])["basis"] == json.loads(rows[0]["answers"])["basis"]


async def test_deputy_sees_the_units_documents_and_others_do_not(assistant):
    owner, stranger = Talk(assistant, "u1"), Talk(assistant, "u9")
    await onboard(owner)
    await draft(owner)
    await confirm(owner)
    answers = list(ONBOARD)
    answers[4] = "Thôn Hạ"
    await onboard(stranger, answers)
    assert "chưa có văn bản" in await stranger.say("/vanban")
    assert "Không tìm thấy văn bản" in await stranger.say("/vanban gui 1")


def test_citations_are_written_back_in_standard_form():
    today = date(2026, 11, 21)
    cited = parse_citation("Chỉ thị 10-ct/tw ngày 30 tháng 3 năm 2007 của Ban Bí thư về nâng cao chất lượng "
                           "sinh hoạt chi bộ;", today=today)
    assert cited.text == ("Chỉ thị số 10-CT/TW ngày 30/3/2007 của Ban Bí thư về nâng cao chất lượng sinh hoạt chi bộ")
    assert (cited.type, cited.number, cited.date, cited.issuer) == ("Chỉ thị", "10-CT/TW", "2007-03-30", "Ban Bí thư")
    free = parse_citation("Nghị quyết Đại hội đại biểu Đảng bộ Sở lần thứ VII nhiệm kỳ 2020-2025", today=today)
    assert free.text == "Nghị quyết Đại hội đại biểu Đảng bộ Sở lần thứ VII nhiệm kỳ 2020-2025" and free.number == ""


async def test_numbering_per_term_or_per_year(assistant):
    term, year = Talk(assistant, "u1"), Talk(assistant, "u2")
    await onboard(term)
    per_year = list(ONBOARD)
    per_year[10] = "Theo năm"
    await onboard(year, per_year)
    for talk in (term, year):
        await draft(talk, replace={2: "20/12/2026"})
        await confirm(talk)
        await talk.say("/kehoach")
        await talk.say("Sinh hoạt chi bộ theo chuyên đề năm")
        await talk.say("05/01/2027")
    assert term.choices()[0] == "2"  # the term 2025-2030 runs on
    assert year.choices()[0] == "1"  # a new year starts again at 01
