"""The year of a day typed without one follows the context (issue 10, point 3): the past for a meeting's
date, the future for deadlines and events, the nearest year for an issue date; end to end through the
form engine with the clock on 1 December 2026."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.clock import Clock
from bot.dates import FUTURE, NEAREST, PAST, DateError, parse_date, parse_when, read_date
from handlers.forms import load_flows
from handlers.router import Assistant
from tests.conftest import select
from tests.docx_checks import all_text
from tests.test_meetings import BODY, HEAD, ROLL, TAIL, cell, document_of, say_all

TODAY = date(2026, 12, 1)  # a Tuesday


@pytest.mark.parametrize(("text", "tense", "expected"), [
    # the two complaints
    ("28/11", PAST, date(2026, 11, 28)),
    ("28/11", NEAREST, date(2026, 11, 28)),
    ("28/11", FUTURE, date(2027, 11, 28)),
    ("15/1", NEAREST, date(2027, 1, 15)),
    ("15/1", PAST, date(2026, 1, 15)),
    ("15/1", FUTURE, date(2027, 1, 15)),
    # today is both readings
    ("1/12", PAST, TODAY), ("1/12", FUTURE, TODAY), ("1/12", NEAREST, TODAY),
    ("2/12", PAST, date(2025, 12, 2)), ("2/12", NEAREST, date(2026, 12, 2)),
    ("15/6", NEAREST, date(2026, 6, 15)),  # 169 days back against 196 ahead
    ("15/7", NEAREST, date(2026, 7, 15)), ("15/3", NEAREST, date(2027, 3, 15)),
    # word forms and the day alone
    ("ngày 15 tháng 1", PAST, date(2026, 1, 15)),
    ("ngày 28 tháng mười một", PAST, date(2026, 11, 28)),
    ("ngày 15", PAST, date(2026, 11, 15)), ("ngày 15", FUTURE, date(2026, 12, 15)),
    ("ngày 5", NEAREST, date(2026, 12, 5)),
    # 29 February: the nearest leap year either way
    ("29/2", PAST, date(2024, 2, 29)), ("29/2", FUTURE, date(2028, 2, 29)), ("29/2", NEAREST, date(2028, 2, 29)),
    # "tới" keeps the future whatever the tense
    ("15/1 tới", PAST, date(2027, 1, 15)), ("ngày 15 tới", PAST, date(2026, 12, 15)),
    # a weekday picks the year whose day it is
    ("thứ bảy 28/11", FUTURE, date(2026, 11, 28)), ("chủ nhật, 28/11", PAST, date(2027, 11, 28)),
    # explicit years and conversational words ignore the tense
    ("28/11/2027", PAST, date(2027, 11, 28)), ("15/1/2026", FUTURE, date(2026, 1, 15)),
    ("hôm qua", FUTURE, date(2026, 11, 30)), ("thứ 6 tuần sau", PAST, date(2026, 12, 11)),
    ("ngày mai", PAST, date(2026, 12, 2)), ("28/11 năm sau", PAST, date(2027, 11, 28)),
])
def test_tense_picks_the_year(text, tense, expected):
    assert parse_date(text, today=TODAY, tense=tense) == expected


def test_tense_of_periods():
    # "tháng 11" typed on 1/12: November 2026 when looking back (the statistics), next November ahead
    past = parse_when("tháng 11", today=TODAY, default_kind="period", tense=PAST)
    assert (past.start, past.due) == (date(2026, 11, 1), date(2026, 11, 30))
    ahead = parse_when("tháng 11", today=TODAY, default_kind="period")
    assert ahead.due == date(2027, 11, 30)
    assert parse_when("quý I", today=TODAY, tense=NEAREST).due == date(2027, 3, 31)
    assert parse_when("quý IV", today=TODAY, tense=NEAREST).due == date(2026, 12, 31)
    assert parse_when("tháng 6", today=TODAY, tense=PAST).due == date(2026, 6, 30)
    assert parse_when("tháng 12", today=TODAY, tense=PAST).due == date(2026, 12, 31)  # begun today
    assert parse_when("hạn 28/11", today=TODAY, tense=PAST).due == date(2026, 11, 28)


@pytest.mark.parametrize(("text", "tense", "note"), [
    ("28/11", FUTURE, "Hiểu là ngày 28/11/2027; nếu là ngày 28/11/2026 hoặc năm khác, xin gõ rõ năm."),
    ("2/12", PAST, "Hiểu là ngày 02/12/2025; nếu là ngày 02/12/2026 hoặc năm khác, xin gõ rõ năm."),
    ("15/3", PAST, "Hiểu là ngày 15/3/2026; nếu là ngày 15/3/2027 hoặc năm khác, xin gõ rõ năm."),
    ("28/11", PAST, None), ("15/1", NEAREST, None), ("15/1", FUTURE, None), ("15/12", FUTURE, None),
    ("28/11/2026", FUTURE, None), ("ngày mai", FUTURE, None), ("15/12/2026", PAST, None),
])
def test_note_only_when_the_other_year_is_plausible(text, tense, note):
    assert read_date(text, today=TODAY, tense=tense)[1] == note


def test_unknown_tense_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_date("15/1", today=TODAY, tense="later")
    with pytest.raises(DateError):  # bad input stays a DateError with a Vietnamese message
        parse_date("31/2", today=TODAY, tense=PAST)


def test_every_date_step_names_its_tense():
    chosen = {}
    for flow in load_flows().values():
        for step in [*flow.steps, *(f for s in flow.steps for f in s.fields)]:
            if step.type == "date":
                chosen[(flow.name, step.key)] = step.tense
    assert chosen[("meeting", "held_on")] == PAST
    assert chosen[("meeting", "due")] == FUTURE
    assert chosen[("resolution", "issued_on")] == NEAREST
    assert chosen[("plan_conference", "issued_on")] == NEAREST
    assert chosen[("plan_conference", "event_date")] == FUTURE
    assert chosen[("deadline_snooze", "until")] == FUTURE


async def test_meeting_of_28_11_typed_on_1_12_is_this_years_and_a_task_due_15_1_is_next_years(store):
    assistant = Assistant(store, Clock(frozen=datetime.fromisoformat("2026-12-01T08:00:00+07:00")))
    talk = await cell(assistant)
    head = list(HEAD)
    head[2:4] = ["28/11", "11/2026"]
    reply = await say_all(talk, head[:3])
    assert "chưa tới" not in reply and "Hiểu là" not in reply
    await say_all(talk, head[3:] + ROLL + BODY)
    reply = await say_all(talk, ["Nguyễn Văn An", "Dọn vệ sinh đường làng", "15/1"])
    assert "Hiểu là" not in reply
    await say_all(talk, ["Xong", *TAIL])
    await talk.tap("Xác nhận và tạo biên bản")
    text = all_text(document_of(talk))
    assert "ngày 28 tháng 11 năm 2026" in text and "2027" in text
    meeting = await select(store, "SELECT held_on FROM meetings")
    assert [r["held_on"][:10] for r in meeting] == ["2026-11-28"]
    deadlines = await select(store, "SELECT title, due FROM deadlines")
    assert [(r["title"], r["due"][:10]) for r in deadlines] == [("Dọn vệ sinh đường làng", "2027-01-15")]


async def test_a_deadline_one_day_past_is_read_ahead_with_a_note(store):
    assistant = Assistant(store, Clock(frozen=datetime.fromisoformat("2026-12-01T08:00:00+07:00")))
    talk = await cell(assistant)
    head = list(HEAD)
    head[2:4] = ["28/11", "11/2026"]
    await say_all(talk, head + ROLL + BODY)
    reply = await say_all(talk, ["Nguyễn Văn An", "Dọn vệ sinh đường làng", "30/11"])
    assert "Hiểu là ngày 30/11/2027; nếu là ngày 30/11/2026 hoặc năm khác, xin gõ rõ năm." in reply
