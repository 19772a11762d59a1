"""The engine's edges (issue rows 14, 15 and point 9): control words inside repeating groups, list caps,
absurd years, numbers that SQLite cannot store, typed numbers picking suggestions on every channel, and
long option lists shown a page at a time."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot import dates
from bot.channels.console import Console
from bot.clock import Clock
from bot.messages import Incoming
from handlers.forms import load_flows
from handlers.prompts import PAGE_SIZE
from handlers.router import Assistant
from tests.conftest import NOW, ONBOARD, Talk, onboard
from tests.test_meetings import HEAD, ONBOARD_CELL, cell, say_all

EDGES = """
edges:
  title: Biên thử
  on_done: test.collect
  steps:
    - {key: title, type: text, label: Tên, ask: "Tên việc?", suggest: ["Gợi ý thứ nhất", "Gợi ý thứ hai"]}
    - {key: big, type: number, label: Số, ask: "Bao nhiêu?", suggest: ["7"]}
    - {key: day, type: date, label: Ngày, ask: "Ngày nào?"}
    - {key: notes, type: list, item: line, label: Ghi chú, ask: "Ghi chú?"}
    - {key: who, type: person, label: Ai, ask: "Ai chủ trì?"}
"""


@pytest.fixture
async def edges(store, tmp_path: Path) -> Talk:
    import tests.test_engine  # noqa: F401  registers the test.collect action

    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "edges.yaml").write_text(EDGES, encoding="utf-8")
    flows = {**load_flows(), **load_flows(Path(__file__).parent / "flows"), **load_flows(tmp_path / "flows")}
    talk = Talk(Assistant(store, Clock(frozen=NOW), flows=flows))
    return talk


async def start(talk: Talk, flow: str) -> str:
    ctx = await talk.assistant._context(Incoming(channel=talk.channel, chat_id=talk.user, user_id=talk.user))
    talk.last = await talk.assistant.engine.start(ctx, flow)
    return "\n".join(o.plain() for o in talk.last)


async def answers(talk: Talk) -> dict:
    state = await talk.assistant.store.draft(talk.channel, talk.user, talk.user)
    assert state is not None
    return state["answers"]


# -- row 14: control words at the first field of a repeating group --------------------------------

async def test_row14_control_words_at_a_groups_first_field_act_as_controls(edges):
    talk = edges
    assert "Chi bộ nào thực hiện?" in await start(talk, "grouped")
    assert "Cần ít nhất một mục" in await talk.say("xong")  # not a unit called "xong"
    assert "Đang thêm mục 1" in await talk.say("Thêm")  # not a unit called "Thêm"
    for answer in ["Chi bộ 01", "Thường kỳ", "1/12/2026", "bỏ qua"]:
        reply = await talk.say(answer)
    assert "Đã thêm mục 1: Chi bộ 01" in reply
    await talk.tap("Thêm")
    assert "Chi bộ nào thực hiện?" in talk.last[-1].plain()
    assert "Ai ký?" in await talk.say("xong")  # ends the group: the empty item is dropped
    assert (await answers(talk))["meetings"] == [{"cell": "Chi bộ 01", "kind": "thuong_ky", "day": "2026-12-01",
                                                  "place": None}]


async def test_row14_in_a_half_typed_item_control_words_are_refused_not_stored(edges):
    talk = edges
    await start(talk, "grouped")
    await talk.say("Chi bộ 01")
    await talk.say("Thường kỳ")
    assert "Mục này đang nhập dở" in await talk.say("xong")
    assert "Ngày nào?" in talk.last[-1].plain()


async def test_row14_meeting_absentees_and_assignees(assistant):
    talk = await cell(assistant)
    await say_all(talk, HEAD)
    await talk.tap("Có đồng chí vắng")
    await talk.tap("Trần Thị Bình")
    await talk.tap("Vắng có lý do")
    await talk.tap("Ốm")
    await talk.tap("Thêm")
    assert "Đang thêm mục 2" in await talk.say("Thêm")  # typed again at “Đồng chí nào vắng mặt?”
    summary = await talk.say("xong")  # typed at the first field: ends the group
    assert "Vắng có lý do: 1 (Trần Thị Bình — Ốm)" in summary
    assert [a["who"] for a in (await answers(talk))["absent"]] == ["Trần Thị Bình"]


async def test_row14_an_optional_group_is_skipped_from_its_first_field(assistant):
    talk = await cell(assistant)
    await say_all(talk, HEAD)
    await talk.tap("Có đồng chí vắng")
    reply = await talk.say("bỏ qua")
    assert "Có mặt" in reply
    assert (await answers(talk))["absent"] == []


# -- row 15 and caps ---------------------------------------------------------------------------------

async def test_row15_a_3500_line_list_answer_is_refused_with_the_cap(edges):
    talk = edges
    await start(talk, "edges")
    await say_all(talk, ["Việc", "3", "1/12/2026"])
    reply = await talk.say("\n".join(f"Ghi chú số {n}" for n in range(3500)))
    assert "Danh sách này tối đa 100 mục; tin vừa gửi có 3.500 mục" in reply
    assert "Chưa thêm mục nào" in reply
    state = await talk.assistant.store.draft(talk.channel, talk.user, talk.user)
    assert state is not None and state["pending"]["notes"] == []
    assert await talk.say("\n".join(f"Ghi chú số {n}" for n in range(100)))
    assert "tin vừa gửi có 1 mục mà danh sách đã có 100 mục" in await talk.say("Thêm một")


async def test_row15_a_roster_takes_500_members(assistant):
    talk = Talk(assistant)
    await onboard(talk, ONBOARD[:11])
    reply = await talk.say("\n".join(f"Nguyễn Văn Thứ {n}" for n in range(3500)))
    assert "Danh sách này tối đa 500 mục; tin vừa gửi có 3.500 mục" in reply


@pytest.mark.parametrize("typed", ["15/6/-2027", "15/6/0", "15/6/99999", "ngày 15 tháng 6 năm -2027", "15-6--2027"])
def test_row15_absurd_years_are_refused(typed):
    with pytest.raises(dates.DateError) as caught:
        dates.parse_date(typed, today=date(2026, 11, 23))
    assert "không hợp lệ: năm phải từ 1900 đến 2199" in str(caught.value)
    with pytest.raises(dates.DateError):
        dates.parse_when(typed, today=date(2026, 11, 23))


async def test_row15_a_negative_year_at_a_date_step(edges):
    talk = edges
    await start(talk, "edges")
    await say_all(talk, ["Việc", "3"])
    assert "Năm -2027 không hợp lệ" in await talk.say("15/6/-2027")
    assert "day" not in await answers(talk)
    await talk.say("15/6/2027")
    assert (await answers(talk))["day"] == "2027-06-15"


@pytest.mark.parametrize("typed", ["9" * 19, "-" + "9" * 19, "1" * 5000, "9.223.372.036.854.775.808"])
async def test_numbers_must_fit_sqlite_integer(edges, typed):
    talk = edges
    await start(talk, "edges")
    await talk.say("Việc")
    assert "Số này quá lớn" in await talk.say(typed)
    assert "big" not in await answers(talk)
    await talk.say("9.223.372.036.854.775.807")
    assert (await answers(talk))["big"] == 2**63 - 1


# -- a typed number picks a suggestion, on every channel ------------------------------------------------

async def test_typed_number_picks_a_text_suggestion_but_stays_a_number_at_a_number_step(edges):
    talk = edges
    await start(talk, "edges")
    assert "Bao nhiêu?" in await talk.say("2")  # “Gợi ý thứ hai”, as typed on Telegram
    assert (await answers(talk))["title"] == "Gợi ý thứ hai"
    await talk.say("1")  # a number, not suggestion 1 (“7”)
    assert (await answers(talk))["big"] == 1
    await talk.say("1/12/2026")
    await talk.say("1")  # at a list step a number is an item
    assert "Đã thêm 1: 1" in talk.last[0].plain()


def test_the_console_leaves_a_typed_number_at_a_question_to_the_engine(tmp_path):
    console = Console(assistant=None, user_id="u", out_dir=tmp_path)
    console.choices = [c for c in _choices("7.1", "7.2")]
    assert console.incoming("1").choice is None  # the engine decides, as for Telegram's typed text
    console.choices = [c for c in _choices("/kehoach", "/sinhhoat")]
    assert console.incoming("2").choice == "/sinhhoat"  # a menu outside a flow is still picked by number


def _choices(*values: str):
    from bot.messages import Choice

    return [Choice(f"Nhãn {n}", v) for n, v in enumerate(values, 1)]


# -- long option lists are paged ------------------------------------------------------------------------

BIG_ROSTER = "\n".join(f"Nguyễn Văn Số{n:03d}" for n in range(1, 76))


async def test_a_person_step_with_75_members_is_paged_and_typed_names_still_work(edges):
    talk = edges
    await onboard(talk, ONBOARD[:11] + [BIG_ROSTER] + ONBOARD[12:])
    await start(talk, "edges")
    await say_all(talk, ["Việc", "3", "1/12/2026", "a", "xong"])
    labels = talk.choices()
    assert len(labels) == PAGE_SIZE + 1 and labels[-1] == "Trang sau" and "trang 1/3" in talk.last[-1].plain()
    await talk.tap("Trang sau")
    assert talk.choices()[0] == "Nguyễn Văn Số031" and talk.choices()[-2:] == ["Trang sau", "Trang trước"]
    await talk.tap("Trang sau")
    assert talk.choices() == [f"Nguyễn Văn Số{n:03d}" for n in range(61, 76)] + ["Trang trước"]
    await talk.tap("Trang trước")
    assert "trang 2/3" in talk.last[-1].plain()
    await talk.say("nguyen van so005")  # on page 1, typed while page 2 is shown
    assert (await answers(talk))["who"] == "Nguyễn Văn Số005"
    assert "Xem lại" in talk.last[-1].plain()


async def test_meeting_absentees_of_a_big_roster_are_paged(assistant):
    talk = Talk(assistant)
    roster = "Nguyễn Thị Thược\nHoàng Thị Lan\n" + BIG_ROSTER
    await onboard(talk, ONBOARD_CELL[:11] + [roster] + ONBOARD_CELL[12:])
    await say_all(talk, HEAD)
    await talk.tap("Có đồng chí vắng")
    assert len(talk.choices()) <= PAGE_SIZE + 2 and "Trang sau" in talk.choices()
    await talk.tap("Trang sau")
    await talk.tap("Trang sau")
    await talk.tap("Nguyễn Văn Số075")
    assert "Đã thêm mục 1: Nguyễn Văn Số075" in await talk.tap("Vắng không lý do")
    await talk.tap("Xong")
    assert [a["who"] for a in (await answers(talk))["absent"]] == ["Nguyễn Văn Số075"]
