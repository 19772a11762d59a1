"""Questions about the tracker in her words (handlers/questions.py, bot/wording.py), through the router and SQLite.

NOW is Monday 23/11/2026 (tests/conftest.py): this week is 23/11 – 29/11, next week 30/11 – 06/12.
"""

from __future__ import annotations

import pytest

from bot.wording import content_words, find, words
from tests.conftest import ONBOARD, Talk, onboard

ROSTER = "Nguyễn Văn An\nPhạm Minh Tuấn\nTrần Thị Bình, dự bị\nLê Văn Cường, miễn"
# title, when, who (None: skipped)
ITEMS = [
    ("Nộp báo cáo sơ kết", "trước 15/12/2026", None),
    ("Nộp báo cáo kiểm điểm tập thể chi ủy", "trước 20/12/2026", "đ/c Tuấn"),
    ("Họp chi ủy", "thứ sáu tuần sau 14h", None),  # 04/12/2026
    ("Thu đảng phí quý I", "trước 10/01/2027", "Trần Thị Bình"),
]


async def tracker(assistant) -> Talk:
    talk = Talk(assistant)
    await onboard(talk, [ROSTER if a.startswith("Nguyễn Văn An") else a for a in ONBOARD])
    for title, when, who in ITEMS:
        await talk.say("/hanchot them")
        await talk.say(title)
        await talk.say(when)
        await talk.say(who or "bỏ qua")
        assert "Đã lưu" in await talk.tap("Lưu")
    return talk


@pytest.mark.parametrize("text", [
    "khi nào nộp báo cáo kiểm điểm?", "khi nao nop bao cao kiem diem", "hạn nộp bc kiểm điểm là ngày nào",
    "kiểm điểm báo cáo hạn khi nào?", "bao gio nop bc kiem diem",
])
async def test_a_thing_asked_in_her_words_gets_its_date(assistant, text):
    talk = await tracker(assistant)
    reply = await talk.say(text)
    assert reply.startswith("Nộp báo cáo kiểm điểm tập thể chi ủy: chủ nhật, 20/12/2026 (còn 27 ngày)."), reply
    assert "Người thực hiện: đ/c Tuấn." in reply and talk.choices() == ["Xem việc này"]


async def test_a_question_matching_several_items_lists_them(assistant):
    talk = await tracker(assistant)
    reply = await talk.say("hạn nộp báo cáo là khi nào?")
    assert "Các việc về “báo cáo” (2):" in reply, reply
    assert "15/12/2026 — Nộp báo cáo sơ kết" in reply and "20/12/2026 — Nộp báo cáo kiểm điểm" in reply
    assert "Họp chi ủy" not in reply
    assert "14:00 thứ sáu, 04/12/2026 (còn 11 ngày)" in await talk.say("bao giờ họp chi ủy")


async def test_a_question_with_no_match_says_so_with_the_closest_or_the_next(assistant):
    talk = await tracker(assistant)
    reply = await talk.say("khi nào nộp báo cáo thi đua?")
    assert "Không có việc nào khớp đúng “báo cáo thi đua” trong danh sách hạn chót." in reply
    assert "Các việc gần giống (2):" in reply and "Nộp báo cáo sơ kết" in reply
    reply = await talk.say("khi nao di tham quan")
    assert "Trong danh sách hạn chót không có việc nào về nội dung đồng chí hỏi." in reply  # no unaccented quote
    assert "Các việc sắp đến hạn" in reply and "04/12/2026 — Họp chi ủy" in reply
    assert "ví dụ “Nộp báo cáo kiểm điểm trước 15/12”" in reply


@pytest.mark.parametrize("text", [
    "việc của đ/c Tuấn?", "tuấn có việc gì?", "viec cua dc tuan", "Đồng chí Tuấn phải làm gì", "minh tuấn có việc gì",
])
async def test_a_person_asked_by_given_name(assistant, text):
    talk = await tracker(assistant)
    reply = await talk.say(text)
    assert "Việc của đồng chí Phạm Minh Tuấn (1):" in reply, reply
    assert "Nộp báo cáo kiểm điểm tập thể chi ủy (đ/c Tuấn)" in reply and "Thu đảng phí" not in reply


async def test_a_person_with_nothing_or_unknown(assistant):
    talk = await tracker(assistant)
    assert "Thu đảng phí quý I" in await talk.say("bình phải làm gì?")
    assert "Hiện không có việc nào đang mở giao cho đồng chí Nguyễn Văn An" in await talk.say("việc của đ/c An?")
    reply = await talk.say("việc của đ/c Hùng?")
    assert "không tìm thấy đồng chí này trong danh sách đảng viên" in reply
    assert "Hạn chót của đơn vị" in await talk.say("chi bộ có việc gì?")


async def test_periods_in_her_words(assistant):
    talk = await tracker(assistant)
    reply = await talk.say("tuần sau phải làm gì")
    assert "Tuần sau (30/11/2026 – 06/12/2026) (1):" in reply and "Họp chi ủy" in reply
    reply = await talk.say("tháng sau có gì?")
    assert "Tháng 12/2026 (3):" in reply and "Thu đảng phí" not in reply
    reply = await talk.say("quý này có gì")
    assert "Quý IV/2026 (01/10/2026 – 31/12/2026) (3):" in reply
    assert "Quý I/2027" in await talk.say("quy sau co gi") and "Thu đảng phí" in talk.last[0].text
    assert "Tháng 1/2027 (1):" in await talk.say("tháng 1 có gì?")


@pytest.mark.parametrize("text", ["tuần này có gì phải làm?", "tuan nay co gi", "/tuannay", "hôm nay có gì"])
async def test_a_period_with_nothing_due_names_the_next_item(assistant, text):
    talk = await tracker(assistant)
    reply = await talk.say(text)
    assert "không có việc nào đến hạn." in reply, reply
    assert "Việc gần nhất: Họp chi ủy — 14:00 thứ sáu, 04/12/2026." in reply
    assert talk.choices() == ["Xem việc gần nhất"]


async def test_an_empty_tracker_answers_plainly(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    assert "Tuần này (23/11/2026 – 29/11/2026): không có việc nào đến hạn." in await talk.say("tuần này có gì?")
    assert "Việc gần nhất" not in talk.last[0].text
    reply = await talk.say("khi nào nộp báo cáo?")
    assert "không có việc nào về “báo cáo”" in reply and "chưa có việc nào sắp đến hạn" in reply


def test_matching_ignores_question_words_order_and_diacritics():
    assert words("Khi nào nộp bc kiểm điểm?") == "khi nao nop bao cao kiem diem"
    assert content_words("hạn nộp báo cáo là khi nào?") == ["nop", "bao", "cao"]
    items = [(1, "Nộp báo cáo sơ kết"), (2, "Kiểm điểm, báo cáo tập thể"), (3, "Họp chi ủy")]
    found = find(content_words("khi nào báo cáo kiểm điểm"), items)
    assert found.full == [2] and found.strong == ["bao", "cao", "kiem", "diem"]
    found = find(content_words("bao gio nop bao cao tong ket"), items)
    assert found.full == [] and found.closest == [1, 2]  # "nộp" and the order make 1 the closer
    assert find(content_words("khi nào đi tham quan"), items).closest == []
