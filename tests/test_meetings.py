"""Chi bộ meetings: the Biên bản of both scenarios read back field by field, the arithmetic checks, last
month's tasks, the thematic topic from the yearly plan, the Nghị quyết, the rhythm and the statistics."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from datetime import date, datetime
from types import SimpleNamespace

import docx
import pytest

from bot.clock import Clock
from bot.formats import percent
from bot.rhythm import rhythm_notices
from bot.store import Person
from handlers import meetings
from handlers.forms import Invalid
from handlers.meetings import attendance, hooks
from handlers.meetings.rhythm import statistics
from tests.conftest import ONBOARD, ROOT, Talk, onboard, select, select_one
from tests.docx_checks import all_text, assert_layout, cell_lines, norm, paragraphs

SCENARIOS = ROOT / "tests" / "scenarios"


def replayed(name: str, replay):
    """The scenario's shared `chibo chat` replay (tests/conftest.py): its database, documents and output."""
    run = replay(name)
    transcript = run.stdout + run.stderr
    assert run.returncode == 0 and "Traceback" not in transcript, transcript[-3000:]
    return run.db, run.out, transcript


def read(out, prefix: str):
    files = sorted(out.glob(f"{prefix}*.docx"))
    assert len(files) == 1, f"expected one {prefix} .docx, got {files}"
    return files[0], docx.Document(io.BytesIO(files[0].read_bytes()))


def assert_contains(document, expected: list[str]) -> None:
    text = norm(all_text(document))
    for line in expected:
        assert norm(line) in text, f"not in the document: {line}"


def bold_texts(document) -> set[str]:
    return {norm("".join(r.text for r in p.runs if r.bold)) for p in document.paragraphs}


def signatures(document) -> tuple[list[str], list[str]]:
    left, right = document.tables[-1].rows[0].cells
    return cell_lines(left), cell_lines(right)


# -- the two scenarios --------------------------------------------------------------------------

def test_regular_meeting_scenario_writes_complete_minutes(replay):
    db, out, transcript = replayed("meeting_regular.txt", replay)
    path, document = read(out, "Biên bản")
    assert path.name == "Biên bản 01-BB-CB - Sinh hoạt chi bộ thường kỳ tháng 11 năm 2026.docx"
    assert_layout(document)
    header = document.tables[0]
    assert cell_lines(header.rows[0].cells[0]) == ["ĐẢNG BỘ XÃ KIM PHÚ", "CHI BỘ XÓM ĐỊNH THÀNH", "*"]
    assert cell_lines(header.rows[1].cells[0]) == ["Số 01-BB/CB"]
    assert cell_lines(header.rows[1].cells[1]) == ["Tuyên Quang, ngày 20 tháng 11 năm 2026"]
    texts = paragraphs(document)
    assert texts[:3] == ["BIÊN BẢN", "SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 11 NĂM 2026", "-----"]
    bold = bold_texts(document)
    for heading in ("BIÊN BẢN", "SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 11 NĂM 2026", "I. THÀNH PHẦN", "II. NỘI DUNG",
                    "5. Ý kiến thảo luận", "8. Biểu quyết"):
        assert norm(heading) in bold, heading
    assert_contains(document, [
        # start time, weekday and date, place, the unit and the kind of meeting
        "Hôm nay, vào hồi 14 giờ 00, thứ sáu, ngày 20 tháng 11 năm 2026, tại Nhà văn hóa xóm Định Thành, "
        "Chi bộ Xóm Định Thành tổ chức sinh hoạt chi bộ thường kỳ tháng 11 năm 2026.",
        # attendance, computed from the roster: 12 members, 1 exempt, 2 absent
        "- Tổng số đảng viên của chi bộ: 12 đồng chí (chính thức: 10 đồng chí; dự bị: 2 đồng chí).",
        "- Số đảng viên được miễn sinh hoạt: 1 đồng chí (Lê Văn Cường).",
        "- Số đảng viên phải dự sinh hoạt: 11 đồng chí.",
        "- Số đảng viên có mặt: 9 đồng chí (chính thức: 8 đồng chí; dự bị: 1 đồng chí), đạt tỷ lệ 81,8%.",
        "- Số đảng viên vắng mặt: 2 đồng chí, trong đó:",
        "+ Vắng có lý do: 1 đồng chí: đồng chí Trần Thị Bình (đi công tác).",
        "+ Vắng không có lý do: 1 đồng chí: đồng chí Phạm Văn Dũng.",
        "- Đại biểu dự: đồng chí Hoàng Văn Hùng, Đảng ủy viên, phụ trách chi bộ.",
        "- Chủ trì: đồng chí Nguyễn Thị Thược.",
        "- Thư ký: đồng chí Hoàng Thị Lan.",
        # the agenda suggested for a regular meeting
        "1. Chương trình sinh hoạt",
        "- Khai mạc: thu đảng phí; tuyên bố lý do, giới thiệu đại biểu; cử thư ký; thông báo tình hình đảng viên "
        "dự sinh hoạt; thông qua chương trình.",
        "- Chi ủy báo cáo kết quả lãnh đạo thực hiện nhiệm vụ tháng 11/2026 theo nghị quyết của chi bộ.",
        "- Đảng viên thảo luận, phê bình và tự phê bình.",
        "- Thư ký thông qua biên bản; bế mạc.",
        "2. Thông tin thời sự, phổ biến văn bản của cấp trên",
        "Phổ biến Kế hoạch số 125-KH/ĐU ngày 10/11/2026 của Đảng ủy xã Kim Phú về tổng kết công tác xây dựng Đảng",
        # the chi ủy's assessment and next month's tasks (held after the 15th: this month, then the next)
        "3. Chi ủy đánh giá kết quả thực hiện nhiệm vụ tháng 11 năm 2026",
        "- Chi bộ lãnh đạo nhân dân thu hoạch xong vụ mùa, năng suất lúa đạt 58 tạ/ha.",
        "- Hạn chế: việc giữ gìn vệ sinh môi trường ở một số ngõ xóm chưa tốt.",
        "4. Phương hướng, nhiệm vụ tháng 12 năm 2026",
        "- Chuẩn bị kiểm điểm, đánh giá, xếp loại chất lượng đảng viên năm 2026.",
        # each speaker by full name, with their points
        "- Đồng chí Nguyễn Văn An: Đề nghị chi bộ giao cụ thể từng đoạn đường cho các tổ đảng phụ trách vệ sinh.",
        "- Đồng chí Đỗ Văn Hải: Nhất trí với báo cáo của chi ủy.",
        "+ Đề nghị sớm triển khai kiểm điểm cuối năm để đảng viên có thời gian chuẩn bị.",
        "- Đồng chí Đặng Thị Oanh: Đề nghị chi bộ quan tâm hơn đến việc bồi dưỡng quần chúng ưu tú.",
        # the conclusion and the tasks with owner and deadline
        "6. Kết luận của đồng chí chủ trì",
        "- Tháng 12, tập trung tổng vệ sinh môi trường và chuẩn bị kiểm điểm cuối năm.",
        "7. Nhiệm vụ được giao",
        "- Đồng chí Nguyễn Văn An: Chủ trì tổng vệ sinh đường làng, ngõ xóm; hoàn thành trước ngày 30/11/2026.",
        "- Chi ủy: Xây dựng kế hoạch kiểm điểm, đánh giá, xếp loại đảng viên năm 2026; hoàn thành trước ngày "
        "10/12/2026.",
        # the vote, party dues, quality, end time and approval
        "Chi bộ biểu quyết thông qua nghị quyết của buổi sinh hoạt: 9/9 đồng chí tán thành (100%), 0 đồng chí "
        "không tán thành.",
        "- Đảng phí thu tại buổi sinh hoạt: 1.080.000 đồng.",
        "- Chi bộ tự đánh giá chất lượng buổi sinh hoạt: Tốt.",
        "Buổi sinh hoạt kết thúc vào hồi 16 giờ 30 cùng ngày. Biên bản đã được thông qua trước chi bộ; các đồng "
        "chí dự sinh hoạt nhất trí với nội dung biên bản./.",
    ])
    assert signatures(document) == (["THƯ KÝ", "Hoàng Thị Lan"], ["CHỦ TRÌ", "Nguyễn Thị Thược"])
    assert "Tỷ lệ đảng viên dự sinh hoạt 81,8%, dưới 90%" in transcript

    # The Nghị quyết written afterwards from the same answers.
    path, resolution = read(out, "Nghị quyết")
    assert path.name == "Nghị quyết 01-NQ-CB - Sinh hoạt chi bộ thường kỳ tháng 11 năm 2026.docx"
    assert paragraphs(resolution)[:3] == ["NGHỊ QUYẾT", "Sinh hoạt chi bộ thường kỳ tháng 11 năm 2026", "-----"]
    assert_contains(resolution, [
        "Số 01-NQ/CB", "Căn cứ kết quả buổi sinh hoạt chi bộ thường kỳ ngày 20/11/2026,",
        "CHI BỘ QUYẾT NGHỊ:", "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ THÁNG 11 NĂM 2026",
        "II. PHƯƠNG HƯỚNG, NHIỆM VỤ THÁNG 12 NĂM 2026", "III. TỔ CHỨC THỰC HIỆN",
        "- Đồng chí Nguyễn Văn An: Chủ trì tổng vệ sinh đường làng, ngõ xóm; hoàn thành trước ngày 30/11/2026.",
        "với 9/9 đồng chí tán thành (100%)", "- Đảng ủy xã Kim Phú (b/c),", "- Lưu Chi bộ.",
    ])
    assert cell_lines(resolution.tables[-1].rows[0].cells[1]) == ["T/M CHI BỘ", "BÍ THƯ", "Nguyễn Thị Thược"]

    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        meeting = conn.execute("SELECT * FROM meetings").fetchone()
        assert (meeting["kind"], meeting["period_year"], meeting["period_month"], meeting["held_on"],
                meeting["started_at"], meeting["ended_at"]) == ("thuong_ky", 2026, 11, "2026-11-20", "14:00", "16:30")
        attendance = {r["person_name"]: (r["status"], r["reason"]) for r in conn.execute("SELECT * FROM attendance")}
        assert len(attendance) == 12
        assert attendance["Trần Thị Bình"] == ("excused", "Đi công tác")
        assert attendance["Phạm Văn Dũng"] == ("absent", None)
        assert attendance["Lê Văn Cường"] == ("exempt", None)
        assert sum(1 for s, _ in attendance.values() if s == "present") == 9
        docs = conn.execute("SELECT id, kind, doc_type, number FROM documents ORDER BY id").fetchall()
        assert [tuple(d)[1:] for d in docs] == [("minutes", "BB", 1), ("resolution", "NQ", 1)]
        assert meeting["document_id"] == docs[0]["id"]
        tasks = conn.execute("SELECT kind, title, due, assignee, document_id, meeting_id FROM deadlines "
                             "ORDER BY due").fetchall()
        assert [tuple(t) for t in tasks] == [
            ("deadline", "Chủ trì tổng vệ sinh đường làng, ngõ xóm", "2026-11-30", "Nguyễn Văn An", docs[0]["id"],
             meeting["id"]),
            ("deadline", "Xây dựng kế hoạch kiểm điểm, đánh giá, xếp loại đảng viên năm 2026", "2026-12-10",
             "Chi ủy", docs[0]["id"], meeting["id"])]


def test_thematic_meeting_scenario_writes_complete_minutes(replay):
    db, out, transcript = replayed("meeting_thematic.txt", replay)
    path, document = read(out, "Biên bản")
    assert path.name == "Biên bản 01-BB-CB - Sinh hoạt chi bộ chuyên đề quý IV năm 2026.docx"
    assert_layout(document)
    header = document.tables[0]
    assert cell_lines(header.rows[0].cells[0]) == ["ĐẢNG BỘ PHƯỜNG MINH XUÂN", "CHI BỘ KHU PHỐ 3", "*"]
    assert cell_lines(header.rows[1].cells[0]) == ["Số 01-BB/CB"]
    assert cell_lines(header.rows[1].cells[1]) == ["Tuyên Quang, ngày 19 tháng 11 năm 2026"]
    assert paragraphs(document)[:4] == ["BIÊN BẢN", "SINH HOẠT CHI BỘ CHUYÊN ĐỀ QUÝ IV NĂM 2026",
                                        "Chuyên đề: “Thực hiện trách nhiệm nêu gương của cán bộ, đảng viên”", "-----"]
    assert_contains(document, [
        "Hôm nay, vào hồi 08 giờ 00, thứ năm, ngày 19 tháng 11 năm 2026, tại Hội trường Khu phố 3, Chi bộ Khu phố 3 "
        "tổ chức sinh hoạt chi bộ chuyên đề quý IV năm 2026 với chuyên đề “Thực hiện trách nhiệm nêu gương của cán "
        "bộ, đảng viên”.",
        "- Tổng số đảng viên của chi bộ: 8 đồng chí (chính thức: 7 đồng chí; dự bị: 1 đồng chí).",
        "- Số đảng viên được miễn sinh hoạt: 1 đồng chí (Tô Văn Lộc).",
        "- Số đảng viên phải dự sinh hoạt: 7 đồng chí.",
        "- Số đảng viên có mặt: 7 đồng chí (chính thức: 6 đồng chí; dự bị: 1 đồng chí), đạt tỷ lệ 100%.",
        "- Số đảng viên vắng mặt: không có.",
        "- Đại biểu dự: đồng chí Đinh Văn Hùng, Phó Bí thư Đảng ủy phường Minh Xuân.",
        "- Chủ trì: đồng chí Trần Văn Minh.",
        "- Thư ký: đồng chí Lê Thị Hoa.",
        "- Đồng chí bí thư chi bộ nêu mục đích, yêu cầu của buổi sinh hoạt chuyên đề.",
        "- Trình bày báo cáo đề dẫn chuyên đề “Thực hiện trách nhiệm nêu gương của cán bộ, đảng viên”.",
        "2. Báo cáo đề dẫn",
        "Đồng chí Nguyễn Văn Tâm trình bày báo cáo đề dẫn “Nâng cao trách nhiệm nêu gương của cán bộ, đảng viên "
        "Khu phố 3 trong giai đoạn hiện nay”.",
        "- Đồng chí Đinh Văn Sơn: Đảng viên là cán bộ hưu trí cần gương mẫu trong việc chấp hành quy ước của khu phố.",
        "- Đồng chí Hà Thị Yến: Đề nghị mỗi đảng viên đăng ký một việc làm nêu gương cụ thể để chi bộ theo dõi.",
        "- Đồng chí Đinh Văn Hùng: Đánh giá cao sự chuẩn bị của chi bộ; đề nghị đưa nội dung nêu gương vào kiểm "
        "điểm cuối năm.",
        "- Mỗi đảng viên đăng ký ít nhất một việc làm nêu gương, chi ủy theo dõi, đánh giá hằng quý.",
        "- Chi ủy: Hoàn thiện báo cáo chuyên đề, gửi đảng viên và báo cáo Đảng ủy phường; hoàn thành trước ngày "
        "30/11/2026.",
        "- Đồng chí Mai Văn Khoa: Tổng hợp đăng ký việc làm nêu gương của đảng viên; hoàn thành trước ngày 05/12/2026.",
        "Chi bộ biểu quyết thông qua kết luận của buổi sinh hoạt: 7/7 đồng chí tán thành (100%), 0 đồng chí không "
        "tán thành.",
        "7. Đánh giá chất lượng buổi sinh hoạt",
        "- Chi bộ tự đánh giá chất lượng buổi sinh hoạt: Tốt.",
        "Buổi sinh hoạt kết thúc vào hồi 10 giờ 00 cùng ngày.",
    ])
    assert "Đảng phí thu" not in all_text(document)  # optional, skipped
    assert signatures(document) == (["THƯ KÝ", "Lê Thị Hoa"], ["CHỦ TRÌ", "Trần Văn Minh"])

    path, conclusion = read(out, "Kết luận")
    assert paragraphs(conclusion)[:4] == ["KẾT LUẬN", "Sinh hoạt chi bộ chuyên đề quý IV năm 2026",
                                          "Chuyên đề: “Thực hiện trách nhiệm nêu gương của cán bộ, đảng viên”", "-----"]
    assert_contains(conclusion, ["Số 01-KL/CB", "I. NỘI DUNG CHUYÊN ĐỀ", "II. TỔ CHỨC THỰC HIỆN",
                                 "Kết luận được chi bộ biểu quyết thông qua tại buổi sinh hoạt ngày 19/11/2026 với 7/7 "
                                 "đồng chí tán thành (100%)."])
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT kind, period_year, period_month, topic FROM meetings").fetchone()
        assert row == ("chuyen_de", 2026, 11, "Thực hiện trách nhiệm nêu gương của cán bộ, đảng viên")
        assert conn.execute("SELECT COUNT(*) FROM attendance WHERE status = 'present'").fetchone()[0] == 7
        assert conn.execute("SELECT COUNT(*) FROM deadlines WHERE meeting_id IS NOT NULL").fetchone()[0] == 2


# -- in-process conversations -------------------------------------------------------------------

ROSTER = "Nguyễn Thị Thược\nNguyễn Văn An\nTrần Thị Bình, dự bị\nLê Văn Cường, miễn\nPhạm Văn Dũng\nHoàng Thị Lan"
ONBOARD_CELL = ONBOARD[:11] + [ROSTER] + ONBOARD[12:]

HEAD = ["/sinhhoat", "Thường kỳ", "20/11/2026", "11/2026", "14h00", "Nhà văn hóa xóm", "Nguyễn Thị Thược",
        "Hoàng Thị Lan"]
ROLL = ["Có đồng chí vắng", "Trần Thị Bình", "Vắng có lý do", "Ốm", "Xong", "Đúng, tiếp tục"]
BODY = ["bỏ qua", "xong", "bỏ qua", "Hoàn thành các nhiệm vụ tháng 11.", "Tổng vệ sinh cuối năm.",
        "Đ/c An: Nhất trí.", "xong", "Giao việc như sau."]
TASK = ["Nguyễn Văn An", "Dọn vệ sinh đường làng", "30/11/2026", "Xong"]
TAIL = ["4", "0", "bỏ qua", "Tốt", "16h30"]


async def cell(assistant, user: str = "u1") -> Talk:
    talk = Talk(assistant, user)
    await onboard(talk, ONBOARD_CELL)
    return talk


async def say_all(talk: Talk, answers: list[str]) -> str:
    reply = ""
    for answer in answers:
        reply = await talk.say(answer)
    return reply


def document_of(talk: Talk):
    data = next(o.document for o in talk.last if o.document is not None).data
    return docx.Document(io.BytesIO(data))


async def test_absentees_are_tapped_from_the_roster_and_counts_that_do_not_add_up_are_refused(assistant):
    talk = await cell(assistant)
    await say_all(talk, HEAD[:6])
    assert "được miễn sinh hoạt" in await talk.say("Lê Văn Cường")  # an exempt member cannot chair
    assert "thư ký phải là một đồng chí khác" in await say_all(talk, HEAD[6:7] + ["Thược"])
    await talk.say(HEAD[7])
    assert "chi bộ có 6 đảng viên (chính thức 5, dự bị 1); miễn sinh hoạt 1: Lê Văn Cường; phải dự sinh hoạt 5" \
        in talk.last[-1].plain()
    await talk.tap("Có đồng chí vắng")
    # The chair, the secretary and the exempt member are not offered as absent.
    assert talk.choices() == ["Nguyễn Văn An", "Trần Thị Bình", "Phạm Văn Dũng"]
    assert "miễn sinh hoạt" in await talk.say("Lê Văn Cường")
    assert "chủ trì" in await talk.say("Thược")
    assert "Không có đồng chí “Hùng”" in await talk.say("Hùng")
    await talk.tap("Trần Thị Bình")
    await talk.tap("Vắng có lý do")
    assert "Đã thêm mục 1: Trần Thị Bình — Vắng có lý do — Ốm" in await talk.tap("Ốm")
    await talk.tap("Thêm")
    reply = await talk.say("Bình")  # the given name is enough, but she is already absent
    assert "đã được ghi vắng" in reply and "có mặt 4 + vắng 2 = 6, vượt số đảng viên phải dự sinh hoạt (5)" in reply
    await talk.tap("Phạm Văn Dũng")
    await talk.tap("Vắng không lý do")
    summary = await talk.tap("Xong")
    assert "- Có mặt: 3/5 (chính thức 3, dự bị 0), tỷ lệ 60%" in summary
    assert "- Vắng có lý do: 1 (Trần Thị Bình — Ốm)" in summary and "- Vắng không lý do: 1 (Phạm Văn Dũng)" in summary
    reply = await talk.tap("Đúng, tiếp tục")
    assert "tỷ lệ đảng viên dự sinh hoạt là 60%, dưới 90%" in reply
    state = await assistant.store.draft("test", "u1", "u1")
    assert state["answers"]["absent"] == [{"who": "Trần Thị Bình", "status": "excused", "reason": "Ốm"},
                                          {"who": "Phạm Văn Dũng", "status": "absent"}]


def test_counts_add_up_or_say_why():
    roster = [{"name": "A Văn An", "status": "chinh_thuc", "exempt": False},
              {"name": "B Thị Bình", "status": "du_bi", "exempt": False},
              {"name": "C Văn Cường", "status": "chinh_thuc", "exempt": True},
              {"name": "D Văn Dũng", "status": "chinh_thuc", "exempt": False}]
    c = attendance.count(roster, [{"who": "B Thị Bình", "status": "excused", "reason": "ốm"}])
    assert (c.total, c.official, c.reserve, c.due, c.present, c.present_official, c.present_reserve) == \
        (4, 3, 1, 3, 2, 2, 0)
    assert c.adds_up and c.percent_text == "66,7%"
    doubled = attendance.count(roster, [{"who": "D Văn Dũng", "status": "absent"}] * 2)
    assert not doubled.adds_up
    assert "có mặt 2 + vắng 2 = 4, trong khi số đảng viên phải dự sinh hoạt là 3 (tổng số 4 − miễn sinh hoạt 1)" \
        in doubled.mismatch
    assert not attendance.count(roster, [{"who": "C Văn Cường", "status": "absent"}]).adds_up
    assert not attendance.count(roster, [{"who": "X", "status": "absent"}]).adds_up
    chair_absent = attendance.count(roster, [{"who": "A Văn An", "status": "absent"}], chair="A Văn An")
    assert not chair_absent.adds_up and "chủ trì" in chair_absent.mismatch
    assert percent(9, 11) == "81,8%" and percent(7, 7) == "100%"


async def test_votes_and_times_are_checked(assistant):
    talk = await cell(assistant)
    await say_all(talk, HEAD + ROLL + BODY + TASK)
    assert "Có mặt 4 đồng chí" in talk.last[-1].plain() and talk.choices() == ["4"]
    assert "Số tán thành (5) vượt số đảng viên có mặt (4)" in await talk.say("5")
    await talk.say("3")
    assert "Tán thành 3 + không tán thành 2 = 5, vượt số đảng viên có mặt (4)" in await talk.say("2")
    assert "Ghi nhận: 1 đồng chí có mặt không biểu quyết" in await talk.say("0")
    await talk.say("bỏ qua")
    await talk.say("Khá")
    assert "phải sau giờ bắt đầu (14 giờ 00)" in await talk.say("13h00")
    reply = await talk.say("15h00")
    assert "kéo dài 1 giờ, ngắn hơn thời lượng tối thiểu 1 giờ 30 phút" in reply and "Xem lại biên bản" in reply
    await talk.tap("Xác nhận và tạo biên bản")
    text = all_text(document_of(talk))
    assert "3/4 đồng chí tán thành (75%), 0 đồng chí không tán thành, 1 đồng chí không biểu quyết." in text
    assert "Chi bộ tự đánh giá chất lượng buổi sinh hoạt: Khá." in text


def test_minimum_length_depends_on_the_cell():
    class Unit:
        settings: dict = {}
    small = [{"name": str(n), "status": "chinh_thuc", "exempt": False} for n in range(29)]
    assert attendance.min_minutes(Unit(), small) == 90
    assert attendance.min_minutes(Unit(), small + small[:1]) == 120
    Unit.settings = {"meeting_min_minutes": 100}
    assert attendance.min_minutes(Unit(), small) == 100


async def test_review_edit_preview_and_a_refused_save(assistant):
    talk = await cell(assistant)
    review = await say_all(talk, HEAD + ROLL + BODY + TASK + TAIL)
    assert "Xem lại biên bản" in review and "9. Vắng mặt: 1 mục: Trần Thị Bình — Vắng có lý do — Ốm" in review
    preview = await talk.tap("Xem trước")
    assert "BIÊN BẢN" in preview and "SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 11 NĂM 2026" in preview
    assert "đạt tỷ lệ 80%" in preview and "THƯ KÝ" in preview
    # Another absentee added from the review leaves the 4 votes for with only 3 present: saving is refused.
    await talk.say("sửa 9")
    await talk.tap("Thêm")
    await talk.tap("Phạm Văn Dũng")
    await talk.tap("Vắng không lý do")
    reply = await talk.tap("Xong")
    assert "Xem lại biên bản" in reply
    reply = await talk.tap("Xác nhận và tạo biên bản")
    assert "Chưa tạo được biên bản" in reply and "vượt số đảng viên có mặt (3)" in reply
    assert "Xem lại biên bản" in reply
    assert await select_one(assistant.store, "SELECT 1 FROM meetings") is None
    await talk.say("sửa 18")
    await talk.say("3")
    reply = await talk.tap("Xác nhận và tạo biên bản")
    assert "Đã lưu biên bản 01-BB/CB" in reply
    listing = await talk.say("/vanban")
    assert "01-BB" in listing and "20/11/2026: Biên bản sinh hoạt chi bộ thường kỳ tháng 11 năm 2026" in listing


async def test_last_months_tasks_are_shown_reviewed_and_put_on_the_agenda(assistant):
    talk = await cell(assistant)
    october = list(HEAD)
    october[2:4] = ["05/10/2026", "10/2026"]
    tasks = ["Nguyễn Văn An", "Dọn vệ sinh đường làng", "15/10/2026", "Thêm",
             "Chi ủy", "Chuẩn bị kiểm điểm cuối năm", "30/11/2026", "Thêm",
             "Phạm Văn Dũng", "Thu quỹ khuyến học", "20/10/2026", "Xong"]
    await say_all(talk, october + ["Có mặt đủ", "Đúng, tiếp tục"] + BODY + tasks + ["5", "0", "bỏ qua", "Tốt", "16h00"])
    reply = await talk.tap("Xác nhận và tạo biên bản")
    assert "Đã đưa 3 việc chi bộ giao vào danh sách hạn chót" in reply
    rows = await select(assistant.store, "SELECT id, title, meeting_id FROM deadlines ORDER BY due")
    assert all(r["meeting_id"] for r in rows)
    await assistant.store.conn.execute("UPDATE deadlines SET status = 'done' WHERE title = 'Dọn vệ sinh đường làng'")

    await say_all(talk, HEAD + ["Có mặt đủ", "Đúng, tiếp tục", "bỏ qua"])
    assert ("Kiểm điểm việc thực hiện 3 nhiệm vụ chi bộ giao tại buổi sinh hoạt thường kỳ tháng 10/2026."
            in talk.last[-1].plain())
    # Held on the 20th: the chi ủy reviews November and plans December.
    assert "Chi ủy báo cáo kết quả lãnh đạo thực hiện nhiệm vụ tháng 11/2026" in talk.last[-1].plain()
    question = await say_all(talk, ["xong", "bỏ qua"])
    assert "Các việc chi bộ giao tại buổi sinh hoạt thường kỳ tháng 10/2026 (theo danh sách hạn chót):" in question
    assert "1. Nguyễn Văn An: Dọn vệ sinh đường làng — hạn 15/10/2026: đã hoàn thành" in question
    assert "2. Phạm Văn Dũng: Thu quỹ khuyến học — hạn 20/10/2026: chưa hoàn thành, đã quá hạn" in question
    assert "3. Chi ủy: Chuẩn bị kiểm điểm cuối năm — hạn 30/11/2026: đang thực hiện" in question
    assert "Chi ủy đánh giá kết quả thực hiện nhiệm vụ tháng 11/2026" in question
    assert ("Gợi ý: Chi bộ đã triển khai 3 nhiệm vụ đề ra tại buổi sinh hoạt thường kỳ tháng 10/2026: đã hoàn thành "
            "1 nhiệm vụ; còn 2 nhiệm vụ chưa hoàn thành (Thu quỹ khuyến học; Chuẩn bị kiểm điểm cuối năm)") in question
    await talk.tap("Dùng gợi ý")
    await say_all(talk, BODY[4:] + TASK + TAIL[:1] + ["0", "500000", "Tốt", "16h30"])
    await talk.tap("Xác nhận và tạo biên bản")
    assert_contains(document_of(talk), [
        "Kết quả thực hiện các việc chi bộ giao tại buổi sinh hoạt thường kỳ tháng 10/2026:",
        "+ Phạm Văn Dũng: Thu quỹ khuyến học (hạn 20/10/2026): chưa hoàn thành, đã quá hạn.",
        "Chi bộ đã triển khai 3 nhiệm vụ đề ra", "- Đảng phí thu tại buổi sinh hoạt: 500.000 đồng.",
        "Số 02-BB/CB",
    ])


async def plan_thematic(assistant, unit_id: int) -> None:
    topics = [{"title": "Nâng cao chất lượng sinh hoạt chi bộ", "quarter": "I", "year": 2026},
              {"title": "Thực hiện trách nhiệm nêu gương của cán bộ, đảng viên", "quarter": "IV", "year": 2026}]
    await assistant.store.save_document({
        "unit_id": unit_id, "kind": "plan_thematic", "doc_type": "KH", "series": "KH:2025-2030", "number": 1,
        "issued_on": "2026-01-05", "title": "Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2026",
        "answers": {"topics": topics}, "filename": "plan.docx", "content": b"", "created_by": "test"}, [])


async def test_thematic_topic_is_suggested_from_the_yearly_plan(assistant):
    talk = await cell(assistant)
    unit_id = (await assistant.store.account("test", "u1")).unit_id
    await say_all(talk, ["/sinhhoat", "Chuyên đề", "20/11/2026"])
    assert talk.choices() == []  # no plan yet: nothing to suggest
    await talk.say("/huy")
    await plan_thematic(assistant, unit_id)
    await say_all(talk, ["/sinhhoat", "Chuyên đề", "20/11/2026"])
    assert talk.choices() == ["Thực hiện trách nhiệm nêu gương của cán bộ, đảng viên"]
    await talk.tap("Thực hiện trách nhiệm nêu gương của cán bộ, đảng viên")
    await say_all(talk, HEAD[4:] + ["Có mặt đủ", "Đúng, tiếp tục", "bỏ qua"])
    agenda = await talk.say("xong")
    assert "Đồng chí nào trình bày báo cáo đề dẫn?" in agenda
    await talk.say("An")
    assert talk.choices() == ["Thực hiện trách nhiệm nêu gương của cán bộ, đảng viên"]
    await talk.say("Báo cáo về trách nhiệm nêu gương")
    await say_all(talk, ["Đ/c Lan: Nhất trí.\nĐ/c Dũng: Đề nghị bổ sung giải pháp.", "xong", "Kết luận."]
                  + TASK + ["5", "0", "bỏ qua", "Tốt", "16h30"])
    await talk.tap("Xác nhận và tạo biên bản")
    assert_contains(document_of(talk), [
        "SINH HOẠT CHI BỘ CHUYÊN ĐỀ QUÝ IV NĂM 2026",
        "Đồng chí Nguyễn Văn An trình bày báo cáo đề dẫn “Báo cáo về trách nhiệm nêu gương”.",
        "- Đồng chí Hoàng Thị Lan: Nhất trí.", "- Đồng chí Phạm Văn Dũng: Đề nghị bổ sung giải pháp.",
        "Chi bộ biểu quyết thông qua kết luận của buổi sinh hoạt: 5/5 đồng chí tán thành (100%)",
    ])


async def test_rhythm_question_command_and_notices(assistant):
    talk = await cell(assistant)
    unit_id = (await assistant.store.account("test", "u1")).unit_id
    unit = await assistant.store.get_unit(unit_id)
    store = assistant.store
    reply = await talk.say("Tháng này đã sinh hoạt chưa?")
    assert "Tháng 11/2026: chưa có biên bản sinh hoạt thường kỳ. Đã qua ngày 20" in reply
    assert "Quý IV/2026: chưa sinh hoạt chuyên đề." in reply
    assert talk.choices() == ["Ghi biên bản", "Xem cả năm"]
    # Notices: the 20th has passed; the last month of the quarter has not started yet.
    notices = await rhythm_notices(store, unit, date(2026, 11, 23))
    assert len(notices) == 1 and "đã qua ngày 20/11/2026" in notices[0] and "tháng 11/2026" in notices[0]
    assert await rhythm_notices(store, unit, date(2026, 11, 20)) == []
    await plan_thematic(assistant, unit_id)
    december = await rhythm_notices(store, unit_id, date(2026, 12, 1))
    assert len(december) == 1 and "tháng cuối của quý IV/2026" in december[0]
    assert "“Thực hiện trách nhiệm nêu gương của cán bộ, đảng viên”" in december[0]

    await say_all(talk, HEAD + ROLL + BODY + TASK + TAIL)
    await talk.tap("Xác nhận và tạo biên bản")
    assert await rhythm_notices(store, unit, date(2026, 11, 23)) == []
    assert "Tháng 11/2026: chi bộ đã sinh hoạt thường kỳ ngày 20/11/2026." in await talk.say("chi bộ đã họp chưa")
    rhythm = await talk.say("/nhipsinhhoat")
    assert "- Tháng 11: đã sinh hoạt ngày 20/11/2026" in rhythm
    assert "- Tháng 10: KHÔNG có biên bản" in rhythm and "- Tháng 12: chưa đến" in rhythm
    assert "- Quý III: KHÔNG có" in rhythm and "- Quý IV: chưa có" in rhythm
    assert "Tổng: 1/11 tháng đã sinh hoạt thường kỳ; 0/4 quý đã sinh hoạt chuyên đề." in rhythm
    dec = await rhythm_notices(store, unit, date(2026, 12, 21))
    assert len(dec) == 2 and "tháng 12/2026" in dec[0] and "quý IV/2026" in dec[1]
    assert "Tổng: 0/12 tháng" in await talk.say("/nhipsinhhoat 2025")


async def test_statistics_per_member_meetings_and_tasks(assistant):
    talk = await cell(assistant)
    october = list(HEAD)
    october[2:4] = ["05/10/2026", "10/2026"]
    await say_all(talk, october + ["Có đồng chí vắng", "Phạm Văn Dũng", "Vắng không lý do", "Xong", "Đúng, tiếp tục"] + BODY
                  + ["Nguyễn Văn An", "Dọn vệ sinh", "15/10/2026", "Thêm", "Chi ủy", "Thu quỹ", "20/10/2026", "Xong"]
                  + TAIL)
    await talk.tap("Xác nhận và tạo biên bản")
    await say_all(talk, HEAD + ROLL + BODY + ["Nguyễn Văn An", "Làm báo cáo", "15/12/2026", "Xong"] + TAIL)
    await talk.tap("Xác nhận và tạo biên bản")
    await assistant.store.conn.execute("UPDATE deadlines SET status = 'done' WHERE title = 'Dọn vệ sinh'")
    stats = await talk.say("/thongke")
    assert "Thống kê sinh hoạt từ 01/01/2026 đến 23/11/2026:" in stats
    assert "Số buổi sinh hoạt: 2 (thường kỳ 2, chuyên đề 0)." in stats
    assert "Nguyễn Văn An: dự 2/2 buổi (100%)" in stats
    assert "Trần Thị Bình: dự 1/2 buổi (50%), vắng có lý do 1" in stats
    assert "Phạm Văn Dũng: dự 1/2 buổi (50%), vắng không lý do 1" in stats
    assert "Lê Văn Cường: miễn sinh hoạt 2 buổi" in stats
    assert "Tỷ lệ dự sinh hoạt chung: 80%." in stats
    assert "Việc chi bộ giao tại các buổi sinh hoạt: 3" in stats
    assert "quá hạn chưa hoàn thành 1" in stats and "đang thực hiện, chưa đến hạn 1" in stats
    assert talk.choices() == ["Tháng này", "Quý này", "Cả năm", "Năm trước"]
    month = await talk.tap("Tháng này")
    assert "Thống kê sinh hoạt từ 01/11/2026 đến 30/11/2026" in month and "Số buổi sinh hoạt: 1" in month
    assert "Chưa có buổi sinh hoạt nào" in await talk.say("/thongke năm 2025")
    assert "Ví dụ: /thongke năm 2026" in await talk.say("/thongke abc")


async def test_on_time_and_late_when_the_tracker_records_completion(store):
    unit_id = await store.create_unit({"kind": "chi_bo", "name": "Chi bộ A", "code": "CB", "place": "X",
                                       "signer_name": "A", "signer_title": "BÍ THƯ"}, [])
    unit = await store.get_unit(unit_id)
    await store.conn.execute(
        "INSERT INTO meetings (id, unit_id, kind, period_year, period_month, held_on, started_at, answers, "
        "created_at) VALUES (1, ?, 'thuong_ky', 2026, 10, '2026-10-05', '14:00', '{}', '')", (unit_id,))
    for title, due, status, done in (("a", "2026-10-10", "done", "2026-10-09T10:00"),
                                     ("b", "2026-10-10", "done", "2026-10-12T10:00"),
                                     ("c", "2026-10-10", "open", None)):
        await store.conn.execute(
            "INSERT INTO deadlines (unit_id, kind, title, due, status, done_at, meeting_id, created_at) "
            "VALUES (?, 'deadline', ?, ?, ?, ?, 1, '')", (unit_id, title, due, status, done))
    text = await statistics(store, unit, date(2026, 1, 1), date(2026, 12, 31), date(2026, 11, 23))
    assert "hoàn thành đúng hạn 1, hoàn thành trễ hạn 1, quá hạn chưa hoàn thành 1" in text


async def test_no_roster_no_unit_and_other_words(assistant):
    talk = Talk(assistant)
    assert "chưa thuộc đơn vị nào" in await talk.say("/sinhhoat")
    answers = list(ONBOARD)
    answers[11:13] = ["bỏ qua"]
    await onboard(talk, answers)
    assert "chưa có danh sách đảng viên" in await talk.say("/sinhhoat")
    assert "Không tìm thấy buổi sinh hoạt" in await talk.say("/sinhhoat nghiquyet 5")
    ctx = await assistant._context(talk_incoming(talk))
    for text in ("họp chi bộ thứ sáu", "đã tổng hợp báo cáo chưa?", "nộp báo cáo trước 15/12"):
        assert await meetings.free_text(ctx, text) is None, text
    assert await meetings.free_text(ctx, "Quý này chi bộ đã sinh hoạt chuyên đề chưa") is not None


def talk_incoming(talk: Talk):
    from bot.messages import Incoming
    return Incoming(channel=talk.channel, chat_id=talk.user, user_id=talk.user)


async def test_resolution_is_reviewed_numbered_and_listed(assistant):
    talk = await cell(assistant)
    await say_all(talk, HEAD + ROLL + BODY + TASK + TAIL)
    await talk.tap("Xác nhận và tạo biên bản")
    await talk.tap("Soạn kết luận")
    await talk.tap("20/11/2026")
    assert talk.choices()[0] == "1"
    review = await say_all(talk, ["1", "Tuyên Quang", "xong", "T/M CHI BỘ", "BÍ THƯ", "Nguyễn Thị Thược"])
    assert "Xem lại văn bản" in review and "1. Loại văn bản: Kết luận" in review
    preview = await talk.tap("Xem trước")
    assert "KẾT LUẬN" in preview and "đồng chí Nguyễn Thị Thược, chủ trì buổi sinh hoạt, kết luận như sau:" in preview
    reply = await talk.tap("Xác nhận và tạo văn bản")
    assert "Đã lưu kết luận 01-KL/CB" in reply
    meeting_id = (await select_one(assistant.store, "SELECT id FROM meetings"))["id"]
    await talk.say(f"/sinhhoat nghiquyet {meeting_id}")
    await talk.tap("20/11/2026")
    assert talk.choices()[0] == "1"  # each type of document has its own series
    assert "đã dùng" not in await talk.say("1")
    rows = await select(assistant.store, "SELECT kind, doc_type, number, title FROM documents ORDER BY id")
    assert [tuple(r) for r in rows] == [
        ("minutes", "BB", 1, "Biên bản sinh hoạt chi bộ thường kỳ tháng 11 năm 2026"),
        ("resolution", "KL", 1, "Kết luận sinh hoạt chi bộ thường kỳ tháng 11 năm 2026")]
    answers = json.loads((await select_one(assistant.store, "SELECT answers FROM documents WHERE kind = 'resolution'"))[
        "answers"])
    assert answers["meeting_id"] == meeting_id and answers["m"]["held_on"] == "2026-11-20"


# -- small parsers ------------------------------------------------------------------------------

def test_speech_and_guest_items():
    ctx = SimpleNamespace(unit=None, clock=Clock(frozen=datetime(2026, 12, 1, 8, 0)))  # what the parsers read
    assert hooks.parse_speech(ctx, "Đ/c Lan: Nhất trí\nĐề nghị thêm") == {"who": "Lan", "said": "Nhất trí\nĐề nghị thêm"}
    assert hooks.parse_speech(ctx, "đồng chí Nguyễn Văn An : ý kiến") == {"who": "Nguyễn Văn An", "said": "Ý kiến"}
    with pytest.raises(Invalid):
        hooks.parse_speech(ctx, "Nhất trí với báo cáo")
    split = re.split(hooks.SPEECH_SEPARATOR, "Đ/c Lan: một\nhai\nĐ/c An: ba")
    assert split == ["Đ/c Lan: một\nhai", "Đ/c An: ba"]
    assert hooks.parse_guest(ctx, "Hoàng Văn Hùng, Đảng ủy viên, phụ trách chi bộ") == \
        {"name": "Hoàng Văn Hùng", "role": "Đảng ủy viên, phụ trách chi bộ"}
    assert hooks.parse_guest(ctx, "Đ/c Hùng") == {"name": "Hùng", "role": ""}
    # typed in a hurry: the guest's name gets its capitals, the words are written out and dated
    assert hooks.parse_guest(ctx, "đ/c trần quốc toàn, đảng ủy viên, phụ trách chi bộ") == \
        {"name": "Trần Quốc Toàn", "role": "Đảng ủy viên, phụ trách chi bộ"}
    assert hooks.parse_speech(ctx, "tuấn: đề nghị nộp báo cáo trước cuối tháng")["said"] == \
        "Đề nghị nộp báo cáo trước ngày 31/12/2026"


async def test_money_and_names(assistant):
    for typed, shown in (("1080000", "1.080.000"), ("1.080.000 đồng", "1.080.000"), ("1,5 triệu", "1.500.000"),
                         ("500k", "500.000")):
        assert await hooks.check_money(None, None, typed) == shown
    with pytest.raises(Invalid):
        await hooks.check_money(None, None, "nhiều")
    roster = attendance.roster_snapshot([Person(1, "Nguyễn Thị Lan", "chinh_thuc", False),
                                         Person(2, "Trần Thị Lan", "du_bi", False),
                                         Person(3, "Nguyễn Thị Lan", "chinh_thuc", False)])
    assert [m["name"] for m in roster] == ["Nguyễn Thị Lan", "Trần Thị Lan", "Nguyễn Thị Lan (2)"]
    assert attendance.resolve("Lan", roster) is None  # ambiguous: the minutes keep what was typed
    assert attendance.resolve("Trần Thị Lan", roster)["status"] == "du_bi"
    with pytest.raises(Invalid, match="Có 3 đồng chí tên “Lan”"):
        attendance.roster_member("Lan", roster)
    assert attendance.roster_member("Nguyễn Thị Lan (2)", roster) is roster[2]
    assert attendance.roster_member("nguyen thi lan", roster) is roster[0]
    with pytest.raises(Invalid, match="Không có đồng chí “Hoa”"):
        attendance.roster_member("Hoa", roster)
