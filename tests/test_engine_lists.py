"""Issue 16, points 2, 4 and 6: choices typed loosely, lists and groups edited in place, menus that stay, and a
question counter that never jumps. Real Assistant, real SQLite file; the console through `chibo chat`."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.messages import Incoming
from handlers.choosing import pick
from handlers.forms import load_flows
from handlers.listedit import read
from handlers.router import Assistant
from tests.conftest import NOW, ONBOARD, ROOT, Talk, chat_cmd, onboard, run_env
from tests.test_engine_edges import answers, start
from tests.test_meetings import HEAD, cell, say_all
from tests.test_plan_flow import THEMATIC

LISTS = """
lists:
  title: Danh sách thử
  on_done: test.collect
  steps:
    - {key: parts, type: list, item: line, label: Phần, ask: "Các phần?"}
    - {key: extras, type: list, item: line, label: Thêm, ask: "Các ý thêm?", optional: true,
       prefill: ["Ý gợi ý một", "Ý gợi ý hai", "Ý gợi ý ba"]}
    - {key: last, type: text, label: Cuối, ask: "Câu cuối?"}
"""


@pytest.fixture
async def lists(store, tmp_path: Path) -> Talk:
    import tests.test_engine  # noqa: F401  registers the test.collect action

    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "lists.yaml").write_text(LISTS, encoding="utf-8")
    flows = {**load_flows(), **load_flows(Path(__file__).parent / "flows"), **load_flows(tmp_path / "flows")}
    return Talk(Assistant(store, Clock(frozen=NOW), flows=flows))


async def pending(talk: Talk, key: str) -> list:
    state = await talk.assistant.store.draft(talk.channel, talk.user, talk.user)
    assert state is not None
    held = state["pending"][key]
    return held if isinstance(held, list) else held["items"]


# -- point 2: choices typed loosely ------------------------------------------------------------------

KINDS = [("Hội nghị chi bộ sơ kết, tổng kết", "c"), ("Hội nghị chuyên đề, sinh hoạt chi bộ mẫu", "m"),
         ("Sinh hoạt chi bộ theo chuyên đề năm", "t"), ("Sơ kết giữa nhiệm kỳ", "mid"),
         ("Lễ kết nạp đảng viên", "a"), ("Kế hoạch khác (khung chung)", "g")]
ABSENCE = [("Vắng có lý do", "excused"), ("Vắng không lý do", "absent")]
PEOPLE = [("Nguyễn Văn An", "an"), ("Trần Thị Bình", "binh"), ("Đỗ Thị Lan", "lan1"), ("Nguyễn Thị Lan", "lan2")]


@pytest.mark.parametrize(("typed", "choices", "mode", "value"), [
    ("3", KINDS, "loose", "t"),  # its number
    ("chọn 5", KINDS, "loose", "a"),
    ("SƠ KẾT GIỮA NHIỆM KỲ", KINDS, "loose", "mid"),  # its label in any case
    ("so ket giua nhiem ky", KINDS, "loose", "mid"),  # without diacritics
    ("chuyen de nam", KINDS, "loose", "t"),  # words of one label only
    ("ket nap", KINDS, "loose", "a"),
    ("khung chung", KINDS, "loose", "g"),
    ("co ly do", ABSENCE, "loose", "excused"),
    ("ko ly do", ABSENCE, "loose", "absent"),  # shorthand
    ("vắng không lý do.", ABSENCE, "loose", "absent"),  # punctuation
    ("an", PEOPLE, "loose", "an"),  # a given name at a person question
    ("đ/c Bình", PEOPLE, "loose", "binh"),  # filler words
    ("Trần Thị", PEOPLE, "other", "binh"),  # a free answer allowed: a whole-word start of ≥ 4 letters
    ("ok", [("Đúng, tiếp tục", "ok")], "loose", "ok"),  # synonyms
    ("ko", [("Có", "yes"), ("Không", "no")], "loose", "no"),
    ("đồng ý", [("Xác nhận và lưu", "__confirm__"), ("Xem trước", "__preview__")], "strict", "__confirm__"),
    ("đủ rồi", [("Xong", "__done__")], "strict", "__done__"),
    ("như cũ", [("Giữ nguyên", "__keep__")], "strict", "__keep__"),
    ("không có", [("Bỏ qua", "__skip__")], "strict", "__skip__"),
])
def test_one_rule_reads_a_typed_choice(typed, choices, mode, value):
    assert pick(typed, choices, mode=mode).value == value


@pytest.mark.parametrize(("typed", "choices", "mode", "likeliest"), [
    ("chuyen de", KINDS, "loose", ["t", "m"]),
    ("so ket", KINDS, "loose", ["mid", "c"]),  # the label starting with it first
    ("vang", ABSENCE, "loose", ["excused", "absent"]),
    ("lan", PEOPLE, "loose", ["lan1", "lan2"]),
    ("Nguyễn", PEOPLE, "other", ["an", "lan2"]),
])
def test_an_ambiguous_answer_gives_the_two_likeliest(typed, choices, mode, likeliest):
    found = pick(typed, choices, mode=mode)
    assert found.value is None and found.ambiguous
    assert [value for _, value in found.candidates] == likeliest


@pytest.mark.parametrize(("typed", "choices", "mode"), [
    ("Lan", PEOPLE, "other"),  # a short name where a free answer is allowed: left to the step's name reading
    ("Ng", PEOPLE, "other"),
    ("Đỗ Văn Hùng", PEOPLE, "other"),  # a guest
    ("Hội trường", [("Hội trường UBND xã", "Hội trường UBND xã")], "strict"),  # a text step's suggestion
    ("Đột xuất", KINDS, "loose"),
])
def test_no_loose_match_where_none_is_meant(typed, choices, mode):
    found = pick(typed, choices, mode=mode)
    assert found.value is None and not found.ambiguous


async def test_plan_kind_typed_loosely_and_ambiguity_offers_two(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    await talk.say("/kehoach")
    reply = await talk.say("chuyen de")
    assert "“chuyen de” có thể là “Sinh hoạt chi bộ theo chuyên đề năm” hoặc “Hội nghị chuyên đề, sinh hoạt chi bộ " \
           "mẫu”" in reply
    assert talk.choices() == ["Sinh hoạt chi bộ theo chuyên đề năm", "Hội nghị chuyên đề, sinh hoạt chi bộ mẫu",
                              "Xem tất cả"]
    assert len(await talk.say("Xem tất cả") and talk.choices()) == 6  # the whole list again
    assert "Kế hoạch sinh hoạt chuyên đề năm — câu 1" in await talk.say("chuyen de nam")
    await talk.say("/huy")
    await talk.say("/kehoach")
    await talk.say("chuyen de")
    assert "Kế hoạch sinh hoạt chuyên đề năm" in await talk.say("1")  # a number picks among the two shown


async def test_meeting_choices_typed_loosely_and_nothing_ambiguous_stored(assistant):
    talk = await cell(assistant)
    await talk.say("/sinhhoat")
    assert "Ngày sinh hoạt?" in await talk.say("thuong")  # a unique start of “Thường kỳ”
    await say_all(talk, HEAD[2:])
    assert "Có đồng chí vắng" in talk.choices()
    await talk.say("co dong chi vang")
    await talk.say("binh")  # a given name at the absentee question (a free answer allowed: its own reading)
    reply = await talk.say("vang")
    assert "có thể là “Vắng có lý do” hoặc “Vắng không lý do”" in reply
    assert "status" not in ((await answers(talk)).get("absent") or [{}])[0]
    state = await talk.assistant.store.draft(talk.channel, talk.user, talk.user)
    assert state["pending"]["absent"]["item"] == {"who": "Trần Thị Bình"}  # nothing stored for “vang”
    assert "Lý do vắng?" in await talk.say("co ly do")
    await talk.say("Ốm")
    summary = await talk.say("xong rồi")  # a synonym of “Xong”
    assert "Vắng có lý do: 1 (Trần Thị Bình — Ốm)" in summary
    assert "Đại biểu" in await talk.say("ok")  # “Đúng, tiếp tục”
    await talk.say("không có")  # skips the optional guests
    assert (await answers(talk))["guests"] == []


async def test_a_free_answer_question_keeps_names_as_its_own_reading(assistant):
    talk = await cell(assistant)
    await say_all(talk, HEAD[:6])
    assert "chủ trì" in talk.last[-1].plain()
    reply = await talk.say("Nguyễn")  # two members start so: ask, store nothing
    assert "có thể là “Nguyễn Thị Thược” hoặc “Nguyễn Văn An”" in reply and "chair" not in await answers(talk)
    await talk.say("Lan")  # a given name: the step's own name reading completes it
    assert (await answers(talk))["chair"] == "Hoàng Thị Lan"


async def test_a_person_question_takes_a_given_name(store):
    import tests.test_engine as engine_tests  # registers the test.collect action

    flows = {**load_flows(), **load_flows(Path(__file__).parent / "flows")}
    talk = Talk(Assistant(store, Clock(frozen=NOW), flows=flows))
    await onboard(talk)
    await engine_tests.begin(talk)
    for answer in ["Họp", "bỏ qua", "1/12/2026", "8h", "10", "thuong ky", "An", "xong"]:
        await talk.say(answer)
    assert "Xem lại" in await talk.say("binh")
    assert "Chủ trì: Trần Thị Bình" in talk.last[-1].plain()
    await talk.say("đồng ý")  # confirms the review
    assert engine_tests.COLLECTED[-1]["chair"] == "Trần Thị Bình"
    assert engine_tests.COLLECTED[-1]["kind"] == "thuong_ky"


# -- point 4: lists and groups edited in place ----------------------------------------------------

@pytest.mark.parametrize(("typed", "kind", "numbers"), [
    ("sửa 2", "edit", [2]), ("Sửa mục 2", "edit", [2]), ("xóa hết", "clear", []), ("xoá tất cả", "clear", []),
    ("giữ 1, 3", "keep", [1, 3]), ("chỉ giữ 1 3", "keep", [1, 3]), ("xóa 2-5", "remove", [2, 3, 4, 5]),
    ("xóa 2, 4", "remove", [2, 4]), ("bỏ 2 và 3", "remove", [2, 3]), ("xoa 1", "remove", [1]),
])
def test_list_commands_are_read(typed, kind, numbers):
    command = read(typed)
    assert command is not None and (command.kind, command.numbers) == (kind, numbers)


@pytest.mark.parametrize("typed", ["Xóa đói giảm nghèo", "Sửa chữa nhà văn hóa", "Giữ vững an ninh", "bỏ qua"])
def test_items_that_start_like_commands_are_items(typed):
    assert read(typed) is None


async def test_a_list_is_edited_in_place_and_control_words_are_never_stored(lists):
    talk = lists
    await start(talk, "lists")
    await talk.say("Một\nHai\nBa\nBốn\nNăm")
    reply = await talk.say("sửa 2")
    assert "Đang sửa mục 2: Hai" in reply and talk.choices() == ["Giữ nguyên"]
    assert "Đã sửa mục 2: Hai mới" in await talk.say("Hai mới")
    assert await pending(talk, "parts") == ["Một", "Hai mới", "Ba", "Bốn", "Năm"]
    for command in ["sửa 9", "sửa", "xóa mục", "xoa 0", "thêm", "giữ 8"]:  # never an item
        await talk.say(command)
    assert await pending(talk, "parts") == ["Một", "Hai mới", "Ba", "Bốn", "Năm"]
    assert "Không có mục 9" in (await talk.say("sửa 9"))
    assert "Đã bỏ 2 mục" in await talk.say("xóa 2, 4")
    assert await pending(talk, "parts") == ["Một", "Ba", "Năm"]
    assert "Đã giữ 2 mục, bỏ 1 mục" in await talk.say("chỉ giữ 1 3")
    assert await pending(talk, "parts") == ["Một", "Năm"]
    await talk.say("Sáu\nBảy")
    assert "Đã bỏ 2 mục vừa thêm: Sáu, Bảy" in await talk.say("quay lại")  # undo, not the previous question
    assert "Các phần?" in talk.last[-1].plain()
    await talk.say("Tám")
    assert "Đã bỏ 1 mục vừa thêm" in await talk.say("quay lai")
    assert "Đã bỏ cả 2 mục" in await talk.say("xoá tất cả")
    assert await pending(talk, "parts") == []
    await talk.say("Chín\nsửa 2")  # a command inside a list of items: refused, nothing added
    assert await pending(talk, "parts") == []
    await talk.say("Chín\nMười\nxong")  # a closing “xong” line ends the list after adding
    assert (await answers(talk))["parts"] == ["Chín", "Mười"]


async def test_a_suggested_list_is_kept_trimmed_or_cleared_in_two_messages(lists):
    talk = lists
    await start(talk, "lists")
    await talk.say("Một")
    reply = await talk.say("xong")
    assert "Gợi ý 3 mục" in reply and talk.choices() == ["Xong", "Bỏ tất cả"]
    await talk.say("giữ 1, 3")  # trimmed: two messages
    await talk.say("xong")
    assert (await answers(talk))["extras"] == ["Ý gợi ý một", "Ý gợi ý ba"]
    await talk.say("quay lại")
    await talk.tap("Bỏ tất cả")  # cleared
    assert await pending(talk, "extras") == []
    await talk.tap("Bỏ qua")
    assert (await answers(talk))["extras"] == []


async def test_the_meeting_agenda_suggestion_is_kept_in_one_message(assistant):
    talk = await cell(assistant)
    await say_all(talk, HEAD + ["Có mặt đủ", "Đúng, tiếp tục", "bỏ qua"])
    assert "Gợi ý" in talk.last[-1].plain() and "Bỏ tất cả" in talk.choices()
    suggested = len(await pending(talk, "agenda"))
    await talk.tap("Xong")
    assert len((await answers(talk))["agenda"]) == suggested


async def test_a_group_item_is_edited_with_its_answers_kept(lists):
    talk = lists
    await start(talk, "grouped")
    for answer in ["Chi bộ 01", "Thường kỳ", "1/12/2026", "bỏ qua"]:
        await talk.say(answer)
    await talk.tap("Thêm")
    for answer in ["Chi bộ 02", "chuyen de", "An toàn giao thông", "2/12/2026", "Hội trường"]:
        await talk.say(answer)
    reply = await talk.say("sửa 1")
    assert "Buổi 1 (đang sửa)" in reply and "Hiện tại: Chi bộ 01" in reply and "Giữ nguyên" in talk.choices()
    await talk.tap("Giữ nguyên")
    await talk.say("giu nguyen")  # the kind, typed
    assert "Ngày nào?" in talk.last[-1].plain()
    await talk.say("5/12/2026")
    assert "Đã sửa mục 1: Chi bộ 01 — Thường kỳ — thứ bảy, 05/12/2026" in await talk.say("nhu cu")
    items = await pending(talk, "meetings")
    assert items[0] == {"cell": "Chi bộ 01", "kind": "thuong_ky", "day": "2026-12-05", "place": None}
    assert len(items) == 2
    # “sửa 2” typed where the first field of a new item is asked is a command, never a unit called “sửa 2”
    await talk.tap("Thêm")
    assert "Chi bộ nào thực hiện?" in talk.last[-1].plain()
    assert "Buổi 2 (đang sửa)" in await talk.say("sửa 2")
    assert "Đã thôi sửa" in await talk.say("quay lại")
    assert [i["cell"] for i in await pending(talk, "meetings")] == ["Chi bộ 01", "Chi bộ 02"]


async def test_back_right_after_a_group_item_removes_it(lists):
    talk = lists
    await start(talk, "grouped")
    for answer in ["Chi bộ 01", "Thường kỳ", "1/12/2026", "bỏ qua"]:
        await talk.say(answer)
    await talk.tap("Thêm")
    for answer in ["Chi bộ 02", "Thường kỳ", "2/12/2026", "bỏ qua"]:
        await talk.say(answer)
    assert "Đã bỏ mục vừa thêm: Chi bộ 02" in await talk.say("quay lại")
    assert [i["cell"] for i in await pending(talk, "meetings")] == ["Chi bộ 01"]
    assert "câu hỏi đầu tiên" in await talk.say("quay lại")  # a second one: to the previous question as before
    await talk.say("xóa hết")
    assert await pending(talk, "meetings") == []


async def test_meeting_tasks_undo_and_edit(assistant):
    talk = await cell(assistant)
    await say_all(talk, HEAD + ["Có mặt đủ", "Đúng, tiếp tục", "bỏ qua", "xong", "bỏ qua",
                                "Hoàn thành các nhiệm vụ tháng 11.", "Tổng vệ sinh cuối năm.", "Đ/c An: Nhất trí.",
                                "xong", "Giao việc như sau."])
    await say_all(talk, ["Nguyễn Văn An", "Dọn vệ sinh đường làng", "30/11/2026"])
    assert "Đã thêm mục 1" in talk.last[0].plain()
    assert "Đã bỏ mục vừa thêm" in await talk.say("quay lại")  # undoes that task
    assert await pending(talk, "tasks") == []


# -- point 6: menus that stay, and the counter ----------------------------------------------------

async def test_duties_menu_stays_after_a_switch(store):
    talk = Talk(Assistant(store, Clock(frozen=NOW)))
    await onboard(talk)
    await talk.say("/dinhky")
    reply = await talk.tap("Bật: Đảng phí")
    assert "Đã bật: Thu, nộp đảng phí hằng tháng." in reply
    assert "3. Thu, nộp đảng phí hằng tháng: đang bật" in reply  # the menu again, with the new state
    assert "Tắt: Đảng phí" in talk.choices()
    await talk.tap("Bật: Kiểm điểm cuối năm")  # the next choice of the same menu (typed “4”: the console test below)
    assert "4. Kiểm điểm, đánh giá, xếp loại cuối năm (kế hoạch tháng 11, hoàn thành tháng 12): đang bật" in \
        talk.last[-1].plain()
    assert talk.choices() == ["Bật: Sinh hoạt thường kỳ", "Bật: Sinh hoạt chuyên đề", "Tắt: Đảng phí",
                              "Tắt: Kiểm điểm cuối năm"]


async def test_profile_and_deadline_menus_stay(store):
    talk = Talk(Assistant(store, Clock(frozen=NOW)))
    await onboard(talk)
    await talk.say("/donvi")
    await talk.tap("Sửa hồ sơ")
    await talk.say("sửa 5")
    await talk.say("Tuyên Quang mới")
    reply = await talk.say("xác nhận")
    assert "Đã lưu các thay đổi" in reply and "Địa danh: Tuyên Quang mới" in reply
    assert talk.choices() == ["Sửa hồ sơ", "Mời", "Thành viên"]
    await talk.say("/hanchot them")
    await say_all(talk, ["Nộp báo cáo sơ kết", "15/12/2026"])
    while "Lưu" in talk.choices() or "Xác nhận" in talk.choices() or "Bỏ qua" in talk.choices():
        await talk.tap(next(c for c in ("Bỏ qua", "Xác nhận", "Lưu") if c in talk.choices()))
    await talk.say("/hanchot")
    await talk.tap("1")
    reply = await talk.tap("Đã xong")
    assert "Đã đánh dấu hoàn thành" in reply and "Hạn chót của đơn vị" in reply


def test_the_console_understands_the_next_number_of_a_menu(tmp_path):
    """By hand on the console: /dinhky, “3” switches one duty on, and the next “4” the next one."""
    lines = ONBOARD + ["/dinhky", "3", "4"]
    proc = subprocess.run(chat_cmd(tmp_path / "db.sqlite3", tmp_path / "out"), input="\n".join(lines) + "\n",
                          capture_output=True, text=True, cwd=ROOT, env=run_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Đã bật: Thu, nộp đảng phí hằng tháng." in proc.stdout
    assert "Đã bật: Kiểm điểm, đánh giá, xếp loại" in proc.stdout
    assert "Tôi chưa hiểu" not in proc.stdout


def counters(talk: Talk) -> tuple[int, int] | None:
    for out in talk.last:
        match = re.search(r"— câu (\d+)(?:, còn khoảng (\d+) câu|, câu cuối)", out.title)
        if match:
            return int(match.group(1)), int(match.group(2) or 0)
    return None


async def walk(talk: Talk, messages: list[str]) -> list[tuple[str, int, int]]:
    seen = []
    for message in messages:
        await talk.say(message)
        shown = counters(talk)
        if shown:
            seen.append((message, *shown))
    return seen


def assert_steady(seen: list[tuple[str, int, int]]) -> None:
    """N grows by at most one per message and only falls, by one, on “quay lại”."""
    for (_, before, _), (message, after, _) in zip(seen, seen[1:], strict=False):
        if message == "quay lại":
            assert after == before - 1, seen
        else:
            assert after in (before, before + 1), seen


async def test_the_counter_never_jumps_in_the_meeting_flow(assistant):
    talk = await cell(assistant)
    seen = await walk(talk, HEAD + ["Có đồng chí vắng", "Trần Thị Bình", "Vắng có lý do", "Ốm", "Xong",
                                    "Đúng, tiếp tục", "bỏ qua", "quay lại", "bỏ qua", "xong", "bỏ qua",
                                    "Hoàn thành các nhiệm vụ tháng 11.", "Tổng vệ sinh cuối năm."])
    assert_steady(seen)
    assert seen[0][:2] == ("/sinhhoat", 1) and seen[1][:2] == ("Thường kỳ", 2)
    # choosing “Có đồng chí vắng” opens a part: only the “còn khoảng” estimate grows, never N
    roll = next(i for i, (m, _, _) in enumerate(seen) if m == "Có đồng chí vắng")
    assert seen[roll][1] == seen[roll - 1][1] + 1


async def test_the_counter_never_jumps_in_a_plan_flow(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    messages = [("1" if m == "__number__" else m) for m in THEMATIC]
    seen = await walk(talk, messages)
    assert_steady(seen)
    assert seen[0][1] == 1 and seen[-1][1] >= len({m for m in messages}) // 3
    assert all(left >= 0 for _, _, left in seen)


async def test_sua_2_at_the_sections_of_a_plan_edits_section_2(assistant):
    """The issue's row: “sửa 2” typed at the generic plan's sections created a section titled “sửa 2”."""
    talk = Talk(assistant)
    await onboard(talk)
    answers_so_far = {"issued_on": "2026-11-23", "number": None, "place": "Tuyên Quang", "subject": "Kế hoạch thử",
                      "basis": [], "purposes": ["Mục đích."], "content_title": "NỘI DUNG"}
    ctx = await talk.assistant._context(Incoming(channel=talk.channel, chat_id=talk.user, user_id=talk.user))
    talk.last = await talk.assistant.engine.start(ctx, "plan_generic", answers=answers_so_far)
    assert "Tên mục" in talk.last[-1].plain()
    await say_all(talk, ["Thời gian, địa điểm", "- Ngày 15/12/2026 tại hội trường"])
    await talk.tap("Thêm")
    await say_all(talk, ["Thành phần", "- Toàn thể đảng viên"])
    await talk.tap("Thêm")
    reply = await talk.say("sửa 2")  # at the first field of a new section
    assert "Mục 2 (đang sửa)" in reply and "Hiện tại: Thành phần" in reply
    await talk.say("Thành phần tham dự")
    await talk.tap("Giữ nguyên")
    sections = await pending(talk, "sections")
    assert [s["heading"] for s in sections] == ["Thời gian, địa điểm", "Thành phần tham dự"]
    assert "Đã bỏ 1 mục" not in await talk.say("sua")  # a half command: answered, not stored
    assert len(await pending(talk, "sections")) == 2
