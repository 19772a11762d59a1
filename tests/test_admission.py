"""Issue 10, point 7: Kế hoạch tổ chức Lễ kết nạp đảng viên (FORMAT.md §6).

tests/scenarios/admission.txt, piped into the real `chibo chat`, has a chi bộ write the plan taking the suggestions;
its .docx is read back with python-docx and the ceremony is looked up on the tracker. The checks of the answers
(the decision's number and date, the mentor, the one-month rule) run through the real Assistant.
"""

from __future__ import annotations

import io
import sqlite3

import docx

from tests.conftest import ONBOARD, Talk, onboard
from tests.docx_checks import all_text, assert_layout, cell_lines, norm, paragraphs

PROGRAMME = [
    "Chào cờ (hát Quốc ca, Quốc tế ca);",
    "Tuyên bố lý do, giới thiệu đại biểu;",
    "đọc quyết định kết nạp đảng viên của Đảng ủy phường Tân Mai;",
    "Đảng viên mới đọc lời tuyên thệ;",
    "Đại diện chi ủy nói rõ nhiệm vụ, quyền hạn của đảng viên, nhiệm vụ của chi bộ; phân công đảng viên chính thức "
    "giúp đỡ đảng viên dự bị (đồng chí Nguyễn Thị Hoa giúp đỡ đảng viên dự bị Nguyễn Văn Hải);",
    "Đại diện cấp ủy cấp trên phát biểu ý kiến (nếu có);",
    "Bế mạc (hát Quốc ca, Quốc tế ca).",
]
DECORATION = [
    "Trên cùng là khẩu hiệu “Đảng Cộng sản Việt Nam quang vinh muôn năm”;",
    "Tiếp dưới là cờ Đảng, cờ Tổ quốc;",
    "Tượng hoặc ảnh Chủ tịch Hồ Chí Minh (bên trái), ảnh Mác - Lênin (bên phải);",
    "Dưới cùng là tiêu đề “Lễ kết nạp đảng viên”.",
]


def _index(lines: list[str], text: str, after: int = -1) -> int:
    """The first paragraph after `after` that contains `text` (compared as a reader would)."""
    for i, line in enumerate(lines):
        if i > after and norm(text) in norm(line):
            return i
    raise AssertionError(f"not in the document after paragraph {after}: {text}")


def test_the_scenario_writes_the_admission_plan(replay):
    run = replay("admission")
    transcript = run.stdout + run.stderr
    assert run.returncode == 0 and "Traceback" not in transcript, transcript[-3000:]
    files = run.documents
    assert [f.name for f in files] == ["Kế hoạch 01-KH-CB - Tổ chức Lễ kết nạp đảng viên cho quần chúng Nguyễn Văn Hải.docx"]
    document = docx.Document(io.BytesIO(files[0].read_bytes()))
    assert_layout(document)
    text = norm(all_text(document))
    lines = paragraphs(document)

    # the header and the heading
    header = norm("\n".join(p.text for row in document.tables[0].rows for c in row.cells for p in c.paragraphs))
    for part in ("ĐẢNG BỘ PHƯỜNG TÂN MAI", "CHI BỘ KHU PHỐ 5", "Số 01-KH/CB", "Hà Nội, ngày 23 tháng 11 năm 2026"):
        assert norm(part) in header, part
    title = _index(lines, "KẾ HOẠCH")
    assert norm(lines[title + 1]) == norm("Tổ chức Lễ kết nạp đảng viên cho quần chúng Nguyễn Văn Hải")
    assert norm("Thực hiện Quyết định số 125-QĐ/ĐU ngày 18/11/2026 của Đảng ủy phường Tân Mai về việc kết nạp đảng "
                "viên đối với quần chúng Nguyễn Văn Hải, Chi bộ Khu phố 5 ban hành Kế hoạch tổ chức Lễ kết nạp đảng "
                "viên cho quần chúng Nguyễn Văn Hải, như sau:") in text
    bold = {norm(r.text) for p in document.paragraphs for r in p.runs if r.bold}
    for heading in ("I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG", "III. TỔ CHỨC THỰC HIỆN"):
        assert norm(heading) in bold, heading
    assert norm("điểm 3.8 Hướng dẫn số 01-HD/TW") in text
    assert norm("trong thời hạn một tháng kể từ ngày chi bộ nhận được quyết định kết nạp") in text

    # section II: time and place, the person, participants, decoration, the programme in its order
    when = _index(lines, "1. Thời gian, địa điểm")
    assert norm(lines[when + 1]) == norm("- Thời gian tổ chức Lễ kết nạp: 14 giờ 00, thứ Sáu, ngày 11/12/2026.")
    assert norm(lines[when + 2]) == norm("- Địa điểm: Hội trường Nhà văn hóa Khu phố 5.")
    assert norm("Quần chúng Nguyễn Văn Hải, theo Quyết định số 125-QĐ/ĐU ngày 18/11/2026 của Đảng ủy phường Tân Mai; "
                "đảng viên được phân công giúp đỡ: đồng chí Nguyễn Thị Hoa.") in text
    at = _index(lines, "3. Thành phần tham dự")
    for who in ("Đại diện Đảng ủy phường Tân Mai (đại biểu cấp ủy cấp trên).", "Chi ủy và toàn thể đảng viên trong chi bộ.",
                "Đại diện gia đình quần chúng được kết nạp"):
        at = _index(lines, who, at)
    at = _index(lines, "4. Trang trí khánh tiết", at)
    for line in DECORATION:
        at = _index(lines, line, at)
    at = _index(lines, "5. Chương trình Lễ kết nạp", at)
    for n, step in enumerate(PROGRAMME, 1):
        at = _index(lines, step, at)
        assert lines[at].startswith(f"{n}. "), lines[at]

    # section III: who prepares what, with the deadlines the tracker reads
    at = _index(lines, "III. TỔ CHỨC THỰC HIỆN", at)
    for line in ("1. Đồng chí Trần Văn Minh, Bí thư Chi bộ", "- Chủ trì Lễ kết nạp;",
                 "hoàn thành trước ngày 08/12/2026.", "2. Chi ủy",
                 "- Chuẩn bị quyết định kết nạp, lời tuyên thệ, hoa tặng đảng viên mới;",
                 "- Chuẩn bị hội trường, trang trí khánh tiết theo quy định, hoàn thành trước ngày 10/12/2026.",
                 "3. Đồng chí Nguyễn Thị Hoa", "Giúp đỡ quần chúng Nguyễn Văn Hải chuẩn bị lời tuyên thệ;",
                 "4. Đảng viên trong chi bộ", "Trên đây là Kế hoạch tổ chức Lễ kết nạp đảng viên"):
        at = _index(lines, line, at)

    # the footer: recipients and the signature
    left, right = document.tables[-1].rows[0].cells
    assert cell_lines(left) == ["Nơi nhận:", "- Đảng ủy phường Tân Mai (b/c),", "- Chi ủy, đảng viên trong chi bộ,",
                                "- Lưu Chi bộ."]
    signature = cell_lines(right)
    assert signature[0] == "T/M CHI BỘ" and signature[1] == "BÍ THƯ" and signature[-1] == "Trần Văn Minh"

    # the tracker: the ceremony as an event at 14:00, the preparations as deadlines with who does them
    with sqlite3.connect(run.db) as conn:
        rows = conn.execute("SELECT kind, due, at_time, assignee, title FROM deadlines ORDER BY due").fetchall()
    assert ("event", "2026-12-11", "14:00") in [r[:3] for r in rows]
    assert ("deadline", "2026-12-08", "Đồng chí Trần Văn Minh, Bí thư Chi bộ") in [(r[0], r[1], r[3]) for r in rows]
    assert ("deadline", "2026-12-10", "Chi ủy") in [(r[0], r[1], r[3]) for r in rows]
    assert "Lễ kết nạp" in next(r[4] for r in rows if r[0] == "event")


ROSTER = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]  # ONBOARD: Bình dự bị, Cường miễn


async def _to_decisions(talk: Talk) -> None:
    await onboard(talk, ONBOARD)
    for message in ("/kehoach", "Lễ kết nạp đảng viên", "hôm nay", "1", "Tuyên Quang"):
        await talk.say(message)


async def test_the_decision_is_written_in_full_and_checked(assistant):
    talk = Talk(assistant)
    await _to_decisions(talk)
    reply = await talk.say("125")
    assert "Tôi ghi số quyết định là 125-QĐ/ĐU" in reply
    reply = await talk.say("25/11/2026")  # after today (23/11/2026), the plan's issue date
    assert "Ngày 25/11/2026 chưa tới" in reply and "Quyết định ký ngày nào?" in reply
    reply = await talk.say("10/10/2026")  # more than a month before the plan: a note, accepted
    assert "Lưu ý" in reply and "một tháng" in reply
    assert talk.choices()[0] == "Đảng ủy xã Kim Phú"
    reply = await talk.say("đảng ủy xã kim phú")
    assert "quần chúng được kết nạp" in reply
    reply = await talk.say("nguyễn văn hải và lê thị mai")
    assert "Trần Thị Bình" not in talk.choices()  # dự bị: cannot help a probationary member
    reply = await talk.say("Bình")
    assert "là đảng viên dự bị" in reply
    reply = await talk.say("An")
    assert "125-QĐ/ĐU — thứ bảy, 10/10/2026 — Đảng ủy xã Kim Phú — Nguyễn Văn Hải, Lê Thị Mai — Nguyễn Văn An" in reply
    reply = await talk.tap("Xong")
    assert "Gợi ý 1: Tổ chức Lễ kết nạp đảng viên cho các quần chúng Nguyễn Văn Hải, Lê Thị Mai" in reply


async def test_the_ceremony_date_keeps_the_one_month_rule(assistant):
    talk = Talk(assistant)
    await _to_decisions(talk)
    for message in ("126-QĐ/ĐU", "20/11/2026", "Đảng ủy xã Kim Phú", "Nguyễn Văn Hải", "bỏ qua"):
        await talk.say(message)
    await talk.say("Thêm")
    for message in ("127-QĐ/ĐU", "21/11/2026", "Đảng ủy xã Kim Phú", "Lê Thị Mai", "Nguyễn Văn An"):
        await talk.say(message)
    await talk.tap("Xong")
    reply = await talk.say("Tổ chức Lễ kết nạp đảng viên mới")
    assert "Gợi ý 2 mục" in reply  # the basis, one citation per decision
    await talk.say("xong")
    reply = await talk.say("xong")  # the purposes
    assert "quyết định ký ngày 20/11/2026: chậm nhất ngày 20/12/2026" in reply
    reply = await talk.say("19/11/2026")
    assert "ở trước ngày ký quyết định kết nạp (21/11/2026)" in reply
    reply = await talk.say("28/12/2026")
    assert "chậm nhất khoảng ngày 20/12/2026" in reply and "Lễ kết nạp bắt đầu lúc mấy giờ?" in reply
    draft = await assistant.store.draft(talk.channel, talk.user, talk.user)
    answers = draft["answers"]
    assert [b["text"] for b in answers["basis"]] == [
        "Quyết định số 126-QĐ/ĐU ngày 20/11/2026 của Đảng ủy xã Kim Phú về việc kết nạp đảng viên đối với quần chúng "
        "Nguyễn Văn Hải",
        "Quyết định số 127-QĐ/ĐU ngày 21/11/2026 của Đảng ủy xã Kim Phú về việc kết nạp đảng viên đối với quần chúng "
        "Lê Thị Mai",
    ]
    assert answers["event_date"] == "2026-12-28"


async def test_the_plan_can_be_asked_for_in_words(assistant):
    talk = Talk(assistant)
    await onboard(talk, ONBOARD)
    reply = await talk.say("Soạn kế hoạch kết nạp đảng viên")
    assert "Kế hoạch tổ chức Lễ kết nạp đảng viên — câu 1, còn khoảng" in reply and "Ngày ban hành kế hoạch?" in reply
    await talk.say("/huy")
    reply = await talk.say("lập kế hoạch")
    assert "Đồng chí muốn soạn loại kế hoạch nào?" in reply and "Lễ kết nạp đảng viên" in talk.choices()
    await talk.say("/huy")
    assert "Tôi chưa hiểu" in await talk.say("kế hoạch là gì")
