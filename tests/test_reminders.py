"""Reminders, the Monday digest, recurring duties and holidays (bot/reminders/, handlers/reminders.py)."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.clock import Clock
from bot.messages import Incoming, Outgoing
from bot.reminders.calendar import holiday_warning
from bot.reminders.duties import duty_deadlines, ensure_duties, set_duty
from bot.reminders.moments import Recipient, latest, moments, plan_due
from bot.reminders.pacer import Undeliverable
from bot.reminders.settings import ReminderSettings, defer
from bot.reminders.sweeper import Sweeper, is_frozen, sweep_clock
from bot.store import Deadline, IntegrityError, Store
from handlers.router import Assistant
from tests.conftest import NOW, ROOT, Talk, lease_passes, left_claimed, onboard, select, select_one
from tests.fakes.telegram import FakeTelegram
from tests.telegram_harness import running_bot

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OLD = "2026-01-01T00:00:00+07:00"  # created long before any moment below
PLAN = "Kế hoạch số 46-KH/ĐU"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


class ManualClock:
    """A clock the test moves. Not frozen by default: creation times count, as in production. With
    frozen=True the sweep treats it as `--now` (things created while it runs count as created now), for
    tests where the code under test stamps records with the real time."""

    def __init__(self, now: str, frozen: bool = False):
        self.tz = TZ
        self.frozen = frozen
        self.set(now)

    def set(self, now: str) -> None:
        self.t = at(now)

    def now(self) -> datetime:
        return self.t

    def today(self) -> date:
        return self.t.date()


class Outbox:
    """A sender that records what it was given; `fail` maps a chat to an exception raised once."""

    def __init__(self):
        self.sent: list[tuple[str, str]] = []
        self.fail: dict[str, BaseException] = {}

    async def __call__(self, chat_id: str, out: Outgoing) -> None:
        error = self.fail.pop(chat_id, None)
        if error is not None:
            raise error
        self.sent.append((chat_id, out.plain()))

    def to(self, chat_id: str) -> list[str]:
        return [text for chat, text in self.sent if chat == chat_id]

    def take(self) -> list[tuple[str, str]]:
        sent, self.sent = self.sent, []
        return sent


async def make_unit(store: Store, owner: str = "1001", reminders: dict | None = None, name: str = "Chi bộ Thôn Đông",
                    channel: str = "telegram") -> int:
    unit_id = await store.create_unit(
        {"kind": "chi_bo", "name": name, "code": "CB", "place": "Tuyên Quang", "signer_name": "Nguyễn Văn An",
         "signer_title": "BÍ THƯ"}, [], {"reminders": reminders} if reminders is not None else {})
    await store.link_account(channel, owner, unit_id, "owner", "Nguyễn Văn An")
    await store.conn.execute("UPDATE accounts SET created_at = ? WHERE user_id = ?", (OLD, owner))
    return unit_id


async def add_item(store: Store, unit_id: int, title: str, due: str, kind: str = "deadline", *,
                   start: str | None = None, at_time: str | None = None, source: str = PLAN,
                   created_at: str = OLD, **extra) -> int:
    row = await select_one(store, "INSERT INTO deadlines (unit_id, kind, title, due, start, at_time, source, created_at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                           unit_id, kind, title, due, start, at_time, source, created_at)
    assert row is not None
    item_id = row["id"]
    for column, value in extra.items():
        await store.conn.execute(f"UPDATE deadlines SET {column} = ? WHERE id = ?", (value, item_id))
    return item_id


NO_DIGEST = {"digest": False}


# -- pure scheduling ------------------------------------------------------------------------------

def test_settings_defaults_and_bad_values():
    s = ReminderSettings.of({})
    assert (s.days, s.on_day, s.at.isoformat(), s.digest) == ((7, 1), True, "07:00:00", True)
    assert (s.quiet_start.isoformat(), s.quiet_end.isoformat()) == ("21:00:00", "06:30:00")
    assert s.offsets() == (7, 1, 0)
    odd = ReminderSettings.of({"reminders": {"days": [1, 3, 99, "x", 3], "time": "nonsense", "on_day": False}})
    assert odd.days == (3, 1) and odd.at.isoformat() == "07:00:00" and odd.offsets() == (3, 1)
    assert ReminderSettings.of({"reminders": s.as_json()}) == s


def test_quiet_hours_move_a_moment_to_0630():
    s = ReminderSettings()
    assert defer(at("2026-11-23T22:15"), s) == at("2026-11-24T06:30")
    assert defer(at("2026-11-23T21:00"), s) == at("2026-11-24T06:30")
    assert defer(at("2026-11-24T05:59"), s) == at("2026-11-24T06:30")
    assert defer(at("2026-11-24T06:30"), s) == at("2026-11-24T06:30")
    assert defer(at("2026-11-24T20:59"), s) == at("2026-11-24T20:59")


def test_moments_and_the_latest_one():
    s = ReminderSettings()
    item = Deadline(id=5, unit_id=1, kind="deadline", title="Nộp báo cáo", due=date(2026, 11, 30))
    assert moments(item, s, TZ) == [("dl:5:2026-11-30:7", at("2026-11-23T07:00")),
                                       ("dl:5:2026-11-30:1", at("2026-11-29T07:00")),
                                       ("dl:5:2026-11-30:0", at("2026-11-30T07:00"))]
    assert latest(moments(item, s, TZ), at("2026-11-23T06:59")) is None
    assert latest(moments(item, s, TZ), at("2026-11-30T12:00"))[0] == "dl:5:2026-11-30:0"
    event = Deadline(id=6, unit_id=1, kind="event", title="Hội nghị", due=date(2026, 12, 5), start=date(2026, 12, 3))
    assert moments(event, s, TZ)[-1] == ("dl:6:2026-12-03:0", at("2026-12-03T07:00"))  # an event's first day
    snoozed = Deadline(id=7, unit_id=1, kind="deadline", title="X", due=date(2026, 11, 30), snoozed_until="2026-11-27")
    assert [k for k, _ in moments(snoozed, s, TZ)] == ["dl:7:2026-11-30:w2026-11-27", "dl:7:2026-11-30:1",
                                                           "dl:7:2026-11-30:0"]


def test_plan_due_catch_up_within_3_days_marked_late():
    s = {1: ReminderSettings(digest=False)}
    chat = [Recipient(1, "1001")]
    items = [Deadline(id=1, unit_id=1, kind="deadline", title="a", due=date(2026, 11, 30)),  # 7-day moment 23/11
             Deadline(id=2, unit_id=1, kind="deadline", title="b", due=date(2026, 11, 26)),  # 1-day moment 25/11
             Deadline(id=3, unit_id=1, kind="deadline", title="c", due=date(2026, 12, 9))]   # 7-day moment 02/12
    due = {d.key: d for d in plan_due(at("2026-11-25T07:00"), chat, s, items)}
    assert set(due) == {"dl:1:2026-11-30:7", "dl:2:2026-11-26:1"}
    assert due["dl:1:2026-11-30:7"].late and not due["dl:2:2026-11-26:1"].late
    # 3 days and 1 minute after the 7-day moment of item 1: skipped; nothing else is due then.
    assert plan_due(at("2026-11-26T07:01"), chat, s, items[:1]) == []
    assert plan_due(at("2026-11-26T06:59"), chat, s, items[:1])[0].key == "dl:1:2026-11-30:7"
    # Created after its moment: not missed, not sent.
    assert plan_due(at("2026-11-25T07:00"), chat, s, items[:1], item_since=lambda i: at("2026-11-24T10:00")) == []


def test_holiday_warnings():
    national = holiday_warning(date(2026, 9, 2))
    assert national == ("Lưu ý: thứ tư, 02/9/2026 là ngày nghỉ lễ (Quốc khánh). Ngày làm việc gần nhất: thứ năm, "
                        "03/9/2026 (ngày làm việc cuối cùng trước đó: thứ sáu, 28/8/2026).")
    assert holiday_warning(date(2026, 9, 2), "event") == (
        "Lưu ý: thứ tư, 02/9/2026 là ngày nghỉ lễ (Quốc khánh). Ngày làm việc gần nhất: thứ năm, 03/9/2026.")
    tet = holiday_warning(date(2027, 2, 8), "event")
    assert tet == ("Lưu ý: thứ hai, 08/02/2027 là ngày nghỉ lễ (Mùng ba Tết Nguyên Đán). Ngày làm việc gần nhất: "
                   "thứ năm, 11/02/2027.")
    assert "29 Tết" in holiday_warning(date(2027, 2, 4))
    assert holiday_warning(date(2027, 1, 31)) == (
        "Lưu ý: chủ nhật, 31/01/2027 là ngày nghỉ cuối tuần. Ngày làm việc gần nhất: thứ hai, 01/02/2027 "
        "(ngày làm việc cuối cùng trước đó: thứ sáu, 29/01/2027).")
    assert holiday_warning(date(2027, 1, 30), "event").endswith("Ngày làm việc gần nhất: thứ sáu, 29/01/2027.")
    assert holiday_warning(date(2026, 11, 25)) is None  # an ordinary Wednesday
    assert holiday_warning(date(2026, 8, 22)) is None  # a Saturday worked in exchange for 31/8
    assert "hoán đổi" in holiday_warning(date(2026, 8, 31))


def test_duty_periods():
    def of(duty, today):
        return [(d["period"], d["title"], d["due"].isoformat()) for d in duty_deadlines(duty, today)]

    assert of("sinh_hoat", date(2026, 11, 23)) == [
        ("2026-11", "Sinh hoạt chi bộ thường kỳ tháng 11/2026", "2026-11-30"),
        ("2026-12", "Sinh hoạt chi bộ thường kỳ tháng 12/2026", "2026-12-31")]
    assert of("dang_phi", date(2026, 12, 5)) == [("2026-12", "Thu, nộp đảng phí tháng 12/2026", "2026-12-31"),
                                                  ("2027-01", "Thu, nộp đảng phí tháng 01/2027", "2027-01-31")]
    assert of("chuyen_de", date(2026, 11, 23)) == [("2026-Q4", "Sinh hoạt chuyên đề quý IV/2026", "2026-12-31"),
                                                    ("2027-Q1", "Sinh hoạt chuyên đề quý I/2027", "2027-03-31")]
    review = of("kiem_diem", date(2026, 12, 2))  # November's plan is past: not created any more
    assert [p for p, _, _ in review] == ["2026-12", "2027-11", "2027-12"]
    assert review[0][1] == ("Hoàn thành kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên năm 2026")
    assert of("kiem_diem", date(2026, 10, 1))[0] == (
        "2026-11", "Xây dựng kế hoạch kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên năm 2026",
        "2026-11-30")


# -- the sweep against a real store ---------------------------------------------------------------

async def test_reminders_count_down_once_each(store):
    unit = await make_unit(store, reminders=NO_DIGEST)
    await add_item(store, unit, "Nộp báo cáo sơ kết", "2026-11-30")
    clock, out = ManualClock("2026-11-23T07:00"), Outbox()
    sweeper = Sweeper(store, clock, "telegram", out)
    result = await sweeper.sweep()
    assert (result.claimed, result.sent, result.late) == (1, 1, 0)
    assert out.take() == [("1001", "Nhắc việc: còn 7 ngày (thứ hai, 30/11/2026) — Nộp báo cáo sơ kết "
                                   "(Kế hoạch số 46-KH/ĐU)")]
    for now in ("2026-11-23T07:01", "2026-11-23T20:00", "2026-11-28T12:00"):
        clock.set(now)
        assert (await sweeper.sweep()).sent == 0
    clock.set("2026-11-29T07:00")
    await sweeper.sweep()
    assert out.take() == [("1001", "Nhắc việc: còn 1 ngày (ngày mai, thứ hai, 30/11/2026) — Nộp báo cáo sơ kết "
                                   "(Kế hoạch số 46-KH/ĐU)")]
    clock.set("2026-11-30T07:00")
    await sweeper.sweep()
    assert out.take() == [("1001", "Nhắc việc: hạn chót là hôm nay (thứ hai, 30/11/2026) — Nộp báo cáo sơ kết "
                                   "(Kế hoạch số 46-KH/ĐU)")]
    # A new process on the same data sends nothing again.
    assert (await Sweeper(store, clock, "telegram", out).sweep()).sent == 0
    rows = await select(store, "SELECT key, sent_at, late FROM reminder_log ORDER BY scheduled_for")
    assert [r["key"] for r in rows] == [f"dl:1:2026-11-30:{n}" for n in (7, 1, 0)]
    assert all(r["sent_at"] and not r["late"] for r in rows)


async def test_event_reminder_names_the_time_the_assignee_and_the_holiday(store):
    unit = await make_unit(store, reminders=NO_DIGEST)
    await add_item(store, unit, "Hội nghị sơ kết", "2026-11-24", "event", at_time="08:00", assignee="Chi ủy")
    out = Outbox()
    await Sweeper(store, ManualClock("2026-11-23T07:00"), "telegram", out).sweep()
    assert out.take() == [("1001", "Nhắc việc: còn 1 ngày (ngày mai, thứ ba, 24/11/2026, lúc 08 giờ 00) — Hội nghị "
                                   "sơ kết (Kế hoạch số 46-KH/ĐU)\nThực hiện: Chi ủy\nLưu ý: thứ ba, 24/11/2026 là "
                                   "ngày nghỉ lễ (Ngày Văn hóa Việt Nam). Ngày làm việc gần nhất: thứ hai, 23/11/2026.")]


async def test_quiet_hours_defer_to_0630(store):
    unit = await make_unit(store, reminders={"digest": False, "time": "22:00"})
    await add_item(store, unit, "Nộp báo cáo", "2026-11-30")
    clock, out = ManualClock("2026-11-23T22:00"), Outbox()
    sweeper = Sweeper(store, clock, "telegram", out)
    for now in ("2026-11-23T22:00", "2026-11-24T02:00", "2026-11-24T06:29"):
        clock.set(now)
        assert (await sweeper.sweep()).claimed == 0
    clock.set("2026-11-24T06:30")
    await sweeper.sweep()
    assert out.take() == [("1001", "Nhắc việc: còn 6 ngày (thứ hai, 30/11/2026) — Nộp báo cáo (Kế hoạch số 46-KH/ĐU)")]
    row = await select_one(store, "SELECT scheduled_for, late FROM reminder_log")
    assert (row["scheduled_for"], row["late"]) == ("2026-11-24T06:30:00+07:00", 0)


async def test_missed_before_the_quiet_hours_waits_for_0630_and_is_late(store):
    unit = await make_unit(store, reminders={"digest": False, "time": "20:00"})
    await add_item(store, unit, "Nộp báo cáo", "2026-11-30")
    clock, out = ManualClock("2026-11-23T23:00"), Outbox()  # the bot was down from 19:00 to 23:00
    sweeper = Sweeper(store, clock, "telegram", out)
    assert (await sweeper.sweep()).claimed == 0
    clock.set("2026-11-24T06:30")
    await sweeper.sweep()
    assert out.take() == [("1001", "Nhắc việc (nhắc muộn): còn 6 ngày (thứ hai, 30/11/2026) — Nộp báo cáo "
                                   "(Kế hoạch số 46-KH/ĐU)")]


async def test_catch_up_after_downtime(store):
    unit = await make_unit(store, reminders={"digest": False, "days": [7], "on_day": False})
    await add_item(store, unit, "Việc hai ngày trước", "2026-11-28")  # 7-day moment: 21/11 07:00
    await add_item(store, unit, "Việc bốn ngày trước", "2026-11-26")  # 7-day moment: 19/11 07:00
    out = Outbox()
    result = await Sweeper(store, ManualClock("2026-11-23T09:00"), "telegram", out).sweep()
    assert (result.sent, result.late) == (1, 1)
    assert out.take() == [("1001", "Nhắc việc (nhắc muộn): còn 5 ngày (thứ bảy, 28/11/2026) — Việc hai ngày trước "
                                   "(Kế hoạch số 46-KH/ĐU)\nLưu ý: thứ bảy, 28/11/2026 là ngày nghỉ cuối tuần. "
                                   "Ngày làm việc gần nhất: thứ sáu, 27/11/2026.")]


async def test_only_the_latest_missed_moment_is_sent(store):
    unit = await make_unit(store, reminders=NO_DIGEST)
    await add_item(store, unit, "Nộp đảng phí", "2026-11-23")  # 1 day before (22/11) and on the day both missed
    out = Outbox()
    clock = ManualClock("2026-11-23T10:00")
    sweeper = Sweeper(store, clock, "telegram", out)
    await sweeper.sweep()
    clock.set("2026-11-23T10:01")
    await sweeper.sweep()
    assert out.take() == [("1001", "Nhắc việc (nhắc muộn): hạn chót là hôm nay (thứ hai, 23/11/2026) — Nộp đảng phí "
                                   "(Kế hoạch số 46-KH/ĐU)")]
    clock.set("2026-11-24T07:00")
    assert (await sweeper.sweep()).sent == 0  # no more moments: overdue items are listed by the digest


async def test_nothing_for_moments_before_the_item_existed(store):
    unit = await make_unit(store, reminders=NO_DIGEST)
    await add_item(store, unit, "Tạo lúc 10 giờ", "2026-11-30", created_at="2026-11-23T10:00:00+07:00")
    await add_item(store, unit, "Tạo từ trước", "2026-11-30")
    out = Outbox()
    await Sweeper(store, ManualClock("2026-11-23T10:05"), "telegram", out).sweep()
    assert [text.split(" — ")[1] for _, text in out.take()] == ["Tạo từ trước (Kế hoạch số 46-KH/ĐU)"]


async def test_frozen_clock_counts_things_made_during_the_run_as_made_now(store):
    unit = await make_unit(store, reminders=NO_DIGEST)
    await add_item(store, unit, "Có trước khi chạy", "2026-11-30")
    out = Outbox()
    sweeper = Sweeper(store, Clock(frozen=at("2026-11-23T08:00")), "telegram", out)
    await add_item(store, unit, "Thêm trong lúc chạy", "2026-11-30", created_at=datetime.now().astimezone().isoformat())
    await sweeper.sweep()
    assert [text.split(" — ")[1] for _, text in out.take()] == ["Có trước khi chạy (Kế hoạch số 46-KH/ĐU)"]


async def test_done_snoozed_and_past_items_are_not_reminded(store):
    unit = await make_unit(store, reminders=NO_DIGEST)
    await add_item(store, unit, "Đã xong", "2026-11-30", status="done")
    await add_item(store, unit, "Hoãn đến thứ sáu", "2026-11-30", snoozed_until="2026-11-27")
    await add_item(store, unit, "Hội nghị hôm qua", "2026-11-22", "event")
    clock, out = ManualClock("2026-11-23T07:00"), Outbox()
    sweeper = Sweeper(store, clock, "telegram", out)
    await sweeper.sweep()
    assert out.take() == []
    clock.set("2026-11-27T07:00")  # the snooze ends: reminded once then
    await sweeper.sweep()
    assert out.take() == [("1001", "Nhắc việc: còn 3 ngày (thứ hai, 30/11/2026) — Hoãn đến thứ sáu "
                                   "(Kế hoạch số 46-KH/ĐU)")]
    clock.set("2026-11-29T07:00")
    await sweeper.sweep()
    assert [t.split(":")[1].split("(")[0].strip() for _, t in out.take()] == ["còn 1 ngày"]


async def test_linked_group_gets_its_copy(store):
    assistant = Assistant(store, Clock(frozen=NOW))
    unit = await make_unit(store, reminders=NO_DIGEST)
    await add_item(store, unit, "Nộp báo cáo", "2026-11-30")

    async def say(text: str, chat: str = "-100500", user: str = "1001", chat_type: str = "supergroup") -> str:
        replies = await assistant.handle(Incoming(channel="telegram", chat_id=chat, user_id=user, text=text,
                                                  chat_type=chat_type, user_name="A"))
        return "\n".join(o.plain() for o in replies)

    assert "Đã liên kết nhóm này với Chi bộ Thôn Đông" in await say("/lienket@chibo_bot")
    assert "dùng trong nhóm chat" in await say("/lienket", chat="1001", chat_type="private")
    clock, out = ManualClock("2026-11-23T07:00", frozen=True), Outbox()
    await Sweeper(store, clock, "telegram", out).sweep()
    assert sorted(chat for chat, _ in out.sent) == ["-100500", "1001"]
    assert out.to("-100500") == out.to("1001")

    # Another unit's member cannot take the group over; a message by them does not move it either.
    await make_unit(store, owner="2002", name="Chi bộ Thôn Tây", reminders=NO_DIGEST)
    assert "đang liên kết với Chi bộ Thôn Đông" in await say("/lienket", user="2002")
    assert "Nhắc" not in await say("xin chào", user="2002")
    assert await store.linked_unit("telegram", "-100500") == unit

    assert "Đã bỏ liên kết" in await say("/lienket huy")
    out.take()
    await add_item(store, unit, "Việc mới", "2026-12-07")  # 7-day moment: 30/11
    clock.set("2026-11-30T07:00")
    await Sweeper(store, clock, "telegram", out).sweep()
    assert {chat for chat, _ in out.sent} == {"1001"}


async def test_monday_digest_once_per_week_per_chat(store):
    unit = await make_unit(store)
    await store.link_chat("telegram", "-100900", "group", unit)
    await store.patch_unit_settings(unit, {"linked_at": {"telegram:-100900": OLD}})
    await add_item(store, unit, "Nộp báo cáo tháng", "2026-11-27")
    clock, out = ManualClock("2026-11-23T07:00"), Outbox()
    sweeper = Sweeper(store, clock, "telegram", out)
    await sweeper.sweep()
    digests = [(chat, text) for chat, text in out.take() if text.startswith("Việc tuần này")]
    assert sorted(chat for chat, _ in digests) == ["-100900", "1001"]
    text = digests[0][1]
    assert text.startswith("Việc tuần này (23/11/2026 – 29/11/2026):")
    assert "Nộp báo cáo tháng" in text and "Lưu ý: thứ ba, 24/11/2026" not in text
    assert text.endswith("Gõ /tuannay để xem lại, /hanchot để xem tất cả các hạn chót.")
    for now in ("2026-11-23T09:00", "2026-11-24T07:00", "2026-11-29T20:00"):
        clock.set(now)
        await sweeper.sweep()
        assert not [t for _, t in out.take() if "Việc tuần này" in t]
    clock.set("2026-11-30T07:00")
    await sweeper.sweep()
    assert sorted(c for c, t in out.take() if t.startswith("Việc tuần này (30/11/2026 – 06/12/2026)")) == \
        ["-100900", "1001"]
    await store.patch_unit_settings(unit, {"reminders": {"digest": False}})
    clock.set("2026-12-07T07:00")
    await sweeper.sweep()
    assert not [t for _, t in out.take() if "Việc tuần này" in t]


async def test_digest_marks_days_off_and_lateness(store):
    unit = await make_unit(store)
    await add_item(store, unit, "Họp chi ủy", "2026-11-24", "event")
    out = Outbox()
    await Sweeper(store, ManualClock("2026-11-23T08:00"), "telegram", out).sweep()
    (chat, text), *rest = out.take()
    assert text.startswith("(Nhắc muộn) Việc tuần này (23/11/2026 – 29/11/2026):")
    assert "Lưu ý: thứ ba, 24/11/2026 là ngày nghỉ lễ (Ngày Văn hóa Việt Nam)." in text


async def test_duties_create_current_and_next_period_once(store):
    unit = await make_unit(store)
    today = date(2026, 11, 23)
    created = await set_duty(store, unit, "sinh_hoat", True, today)
    assert [(i.title, i.due.isoformat(), i.duty_period) for i in created] == [
        ("Sinh hoạt chi bộ thường kỳ tháng 11/2026", "2026-11-30", "2026-11"),
        ("Sinh hoạt chi bộ thường kỳ tháng 12/2026", "2026-12-31", "2026-12")]
    assert await set_duty(store, unit, "sinh_hoat", True, today) == []
    assert await ensure_duties(store, today) == []
    assert [i.duty_period for i in await ensure_duties(store, date(2026, 12, 1))] == ["2027-01"]
    rows = await select(store, "SELECT duty_period, source FROM deadlines WHERE duty = 'sinh_hoat' ORDER BY due")
    assert [r["duty_period"] for r in rows] == ["2026-11", "2026-12", "2027-01"]
    assert {r["source"] for r in rows} == {"Việc định kỳ"}
    with pytest.raises(IntegrityError):  # the unique index deadlines_duty
        await store.conn.execute(
            "INSERT INTO deadlines (unit_id, kind, title, due, duty, duty_period, created_at) "
            "VALUES (?, 'period', 'x', '2026-11-30', 'sinh_hoat', '2026-11', ?)", (unit, OLD))
    # Switching off removes the open deadlines not yet due; switching on again brings them back once.
    assert await set_duty(store, unit, "sinh_hoat", False, date(2026, 12, 1)) == []
    left = await select(store, "SELECT duty_period FROM deadlines WHERE duty = 'sinh_hoat'")
    assert [r["duty_period"] for r in left] == ["2026-11"]
    assert [i.duty_period for i in await set_duty(store, unit, "sinh_hoat", True, date(2026, 12, 1))] == \
        ["2026-12", "2027-01"]


async def test_the_sweep_creates_duty_periods_and_a_logged_meeting_stops_the_reminder(store):
    unit = await make_unit(store, reminders=NO_DIGEST)
    await store.conn.execute("INSERT INTO duties (unit_id, duty) VALUES (?, 'sinh_hoat'), (?, 'dang_phi')",
                             (unit, unit))
    out = Outbox()
    sweeper = Sweeper(store, ManualClock("2026-11-23T07:00", frozen=True), "telegram", out)
    result = await sweeper.sweep()
    assert result.created == 4
    texts = [t for _, t in out.take()]
    assert "Nhắc việc: còn 7 ngày (thứ hai, 30/11/2026) — Sinh hoạt chi bộ thường kỳ tháng 11/2026 (Việc định kỳ)" \
        in texts
    assert "Nhắc việc: còn 7 ngày (thứ hai, 30/11/2026) — Thu, nộp đảng phí tháng 11/2026 (Việc định kỳ)" in texts
    await store.conn.execute(
        "INSERT INTO meetings (unit_id, kind, period_year, period_month, held_on, started_at, answers, created_at) "
        "VALUES (?, 'thuong_ky', 2026, 11, '2026-11-25', '19:30', '{}', ?)", (unit, OLD))
    sweeper.clock.set("2026-11-29T07:00")
    await sweeper.sweep()
    assert [t.split(" — ")[1] for _, t in out.take()] == ["Thu, nộp đảng phí tháng 11/2026 (Việc định kỳ)"]


async def test_meeting_rhythm_notice_once(store):
    unit = await make_unit(store, reminders=NO_DIGEST)
    await store.conn.execute("INSERT INTO duties (unit_id, duty) VALUES (?, 'sinh_hoat')", (unit,))
    clock, out = ManualClock("2026-11-23T07:00"), Outbox()
    sweeper = Sweeper(store, clock, "telegram", out)
    await sweeper.sweep()
    notices = [t for _, t in out.take() if "biên bản sinh hoạt thường kỳ" in t]
    assert len(notices) == 1 and notices[0].startswith("Nhắc việc: đã qua ngày 20/11/2026")
    for now in ("2026-11-24T07:00", "2026-11-25T07:00"):
        clock.set(now)
        await sweeper.sweep()
        assert not [t for _, t in out.take() if "biên bản sinh hoạt thường kỳ" in t]


async def test_transient_failure_is_retried_and_a_refusal_is_not(store):
    first = await make_unit(store, owner="1001", reminders=NO_DIGEST)
    second = await make_unit(store, owner="1002", reminders=NO_DIGEST, name="Chi bộ Thôn Tây")
    await add_item(store, first, "Việc A", "2026-11-30")
    await add_item(store, second, "Việc B", "2026-11-30")
    out = Outbox()
    out.fail = {"1001": ConnectionError("network down"), "1002": Undeliverable("Forbidden: bot was blocked")}
    clock = ManualClock("2026-11-23T07:00")
    sweeper = Sweeper(store, clock, "telegram", out)
    result = await sweeper.sweep()
    assert (result.sent, result.failed, result.refused) == (0, 1, 1)
    assert [r["chat_id"] for r in await select(store, "SELECT chat_id FROM reminder_log WHERE sent_at IS NULL")] \
        == ["1001"]
    clock.set("2026-11-23T07:01")
    result = await sweeper.sweep()
    assert (result.resent, result.sent) == (1, 1)
    assert out.take() == [("1001", "Nhắc việc: còn 7 ngày (thứ hai, 30/11/2026) — Việc A (Kế hoạch số 46-KH/ĐU)")]
    clock.set("2026-11-23T07:02")
    assert (await sweeper.sweep()).sent == 0


async def test_killed_between_claim_and_confirm_is_resent_once(store):
    unit = await make_unit(store, reminders=NO_DIGEST)
    for n in range(3):
        await add_item(store, unit, f"Việc {n}", "2026-11-30")
    clock = ManualClock("2026-11-23T07:00")
    entered, delivered = asyncio.Event(), []

    async def hanging(chat_id: str, out: Outgoing) -> None:  # the server never answers
        entered.set()
        await asyncio.Event().wait()

    crashed = asyncio.create_task(Sweeper(store, clock, "telegram", hanging).sweep())
    await asyncio.wait_for(entered.wait(), 5)
    crashed.cancel()  # the process dies with the first send in flight
    with pytest.raises(asyncio.CancelledError):
        await crashed
    rows = await select(store, "SELECT sent_at FROM reminder_log")
    left = left_claimed(store, 3)
    assert len(rows) == left and all(r["sent_at"] is None for r in rows)

    async def send(chat_id: str, out: Outgoing) -> None:
        delivered.append(out.text)

    await lease_passes(store)
    restarted = Sweeper(store, clock, "telegram", send)
    result = await restarted.sweep()
    assert (result.claimed, result.resent, result.sent) == (3 - left, left, 3)
    assert sorted(t.split(" — ")[1][:6] for t in delivered) == ["Việc 0", "Việc 1", "Việc 2"]
    assert (await restarted.sweep()).sent == 0
    assert (await Sweeper(store, clock, "telegram", send).sweep()).sent == 0
    assert len(delivered) == 3


async def test_a_claim_of_another_running_process_is_left_to_it(store):
    unit = await make_unit(store, reminders=NO_DIGEST)
    await add_item(store, unit, "Việc", "2026-11-30")
    out = Outbox()
    sweeper = Sweeper(store, ManualClock("2026-11-23T07:00"), "telegram", out)
    await store.conn.execute(
        "INSERT INTO reminder_log (key, channel, chat_id, unit_id, scheduled_for, claimed_at) VALUES "
        "('dl:1:2026-11-30:7', 'telegram', '1001', ?, '2026-11-23T07:00:00+07:00', ?)",
        (unit, datetime.now().astimezone().isoformat()))
    result = await sweeper.sweep()
    assert (result.claimed, result.resent, result.sent) == (0, 0, 0)


# -- commands -------------------------------------------------------------------------------------

async def test_reminder_settings_flow(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    shown = await talk.say("/nhacnho")
    assert "Nhắc trước hạn: 7, 1 ngày trước hạn; vào ngày đến hạn: có." in shown
    assert "Giờ gửi: 07 giờ 00. Không gửi từ 21 giờ 00 đến 06 giờ 30" in shown
    assert "Gửi tới: tin nhắn riêng của đồng chí Tester; chưa có nhóm nào liên kết" in shown
    review = await talk.tap("Thay đổi")
    assert "1. Nhắc trước hạn (số ngày): 7 ngày và 1 ngày trước" in review and "3. Giờ gửi nhắc việc: 07 giờ 00" in review
    await talk.say("sửa 3")
    assert "không gửi tin" in await talk.say("22h00")
    await talk.say("6h45")
    await talk.say("sửa 1")
    assert "từ 1 đến 30" in await talk.say("45, 1")
    assert "Xin gõ số ngày" in await talk.say("tuần sau")
    review = await talk.say("3 ngày, 10, 1")
    assert "1. Nhắc trước hạn (số ngày): 10, 3, 1" in review and "3. Giờ gửi nhắc việc: 06 giờ 45" in review
    await talk.say("sửa 4")
    await talk.tap("Không")
    saved = await talk.tap("Xác nhận và lưu")
    assert talk.last[0].text == ("Đã lưu cài đặt nhắc việc: 10, 3, 1 ngày trước hạn, và vào ngày đến hạn, lúc 06 giờ "
                                 "45; “Việc tuần này” sáng thứ hai: không.")
    # the menu it was changed from stays on screen, with the new state (handlers/menus.py)
    assert "Nhắc trước hạn: 10, 3, 1 ngày trước hạn; vào ngày đến hạn: có." in saved
    assert talk.choices() == ["Thay đổi", "Việc định kỳ"]
    unit = await assistant.store.get_unit(1)
    assert unit.settings["reminders"] == {"days": [10, 3, 1], "on_day": True, "time": "06:45", "digest": False}
    assert unit.settings["numbering"] == "term"  # the rest of the settings is kept


async def test_duties_command(store):
    assistant = Assistant(store, Clock(frozen=datetime.fromisoformat("2027-01-10T08:00:00+07:00")))
    talk = Talk(assistant)
    await onboard(talk)
    listing = await talk.say("/dinhky")
    assert "1. Sinh hoạt chi bộ thường kỳ hằng tháng: đang tắt" in listing
    assert talk.choices() == ["Bật: Sinh hoạt thường kỳ", "Bật: Sinh hoạt chuyên đề", "Bật: Đảng phí",
                              "Bật: Kiểm điểm cuối năm"]
    await talk.tap("Bật: Đảng phí")
    assert talk.last[0].text.splitlines() == [
        "Đã bật: Thu, nộp đảng phí hằng tháng.",
        "Đã thêm vào danh sách theo dõi:",
        "- Thu, nộp đảng phí tháng 01/2027 — hạn cuối: chủ nhật, 31/01/2027",
        "  Lưu ý: chủ nhật, 31/01/2027 là ngày nghỉ cuối tuần. Ngày làm việc gần nhất: thứ hai, 01/02/2027 "
        "(ngày làm việc cuối cùng trước đó: thứ sáu, 29/01/2027).",
        "- Thu, nộp đảng phí tháng 02/2027 — hạn cuối: chủ nhật, 28/02/2027",
        "  Lưu ý: chủ nhật, 28/02/2027 là ngày nghỉ cuối tuần. Ngày làm việc gần nhất: thứ hai, 01/3/2027 "
        "(ngày làm việc cuối cùng trước đó: thứ sáu, 26/02/2027).",
    ]
    assert "đã có trong danh sách theo dõi" in await talk.say("/dinhky bật 3")
    assert "Tắt: Đảng phí" in (await talk.say("/dinhky")) + " ".join(talk.choices())
    assert "sinh hoạt và ghi biên bản bằng /sinhhoat" in await talk.say("/dinhky bat sinh_hoat")
    assert "Đã tắt: Thu, nộp đảng phí hằng tháng." in await talk.say("/dinhky tat 3")
    assert "Không có việc định kỳ này" in await talk.say("/dinhky bat 9")
    assert "Việc định kỳ đang bật: Sinh hoạt chi bộ thường kỳ hằng tháng" in await talk.say("/nhacnho")


async def test_commands_need_a_unit(assistant):
    talk = Talk(assistant)
    for command in ("/lienket", "/nhacnho", "/dinhky"):
        assert "chưa thuộc đơn vị nào" in await talk.say(command)


# -- channels -------------------------------------------------------------------------------------

async def seed_console_db(path: str) -> None:
    store = await Store.open(path)
    unit = await make_unit(store, owner="local", channel="console", reminders=NO_DIGEST)
    await add_item(store, unit, "Nộp báo cáo sơ kết", "2026-11-30")
    await store.close()


async def chat(db: str, *lines: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "chat", "--db", db, "--out", os.path.dirname(db), "--now", "2026-11-23T08:00",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    out, _ = await asyncio.wait_for(proc.communicate("\n".join(lines).encode() + b"\n"), 60)
    assert proc.returncode == 0
    return out.decode()


async def test_console_prints_due_reminders_once(tmp_path):
    db = str(tmp_path / "db.sqlite3")
    await seed_console_db(db)
    first = await chat(db, "/nhacnho")
    reminder = "Nhắc việc (nhắc muộn): còn 7 ngày (thứ hai, 30/11/2026) — Nộp báo cáo sơ kết (Kế hoạch số 46-KH/ĐU)"
    assert first.count(reminder) == 1
    assert first.index(reminder) < first.index("> /nhacnho")  # printed at start
    assert reminder not in await chat(db, "/nhacnho")


async def test_telegram_job_sends_due_reminders(tmp_path):
    db = str(tmp_path / "db.sqlite3")
    store = await Store.open(db)
    unit = await make_unit(store, owner="8001")
    await add_item(store, unit, "Nộp báo cáo <sơ kết> & tổng kết", "2026-11-30")
    await store.close()
    async with FakeTelegram() as fake, running_bot(fake, db, Clock(frozen=NOW), first_sweep=0.1):
        messages = await fake.wait_sent(8001, 2, timeout=15)
        await asyncio.sleep(0.5)
        assert len(fake.messages_to(8001)) == 2
    texts = [m.text for m in messages]
    assert texts[0].startswith("(Nhắc muộn) Việc tuần này (23/11/2026 – 29/11/2026):")
    assert texts[1] == ("Nhắc việc (nhắc muộn): còn 7 ngày (thứ hai, 30/11/2026) — Nộp báo cáo <sơ kết> & tổng kết "
                        "(Kế hoạch số 46-KH/ĐU)")
    assert all(m.parse_mode == "HTML" for m in messages)


def test_chibo_now_freezes_only_the_sweep_clock():
    real = Clock("Asia/Ho_Chi_Minh")
    assert sweep_clock(real, {}) is real
    frozen = sweep_clock(real, {"CHIBO_NOW": "2026-11-25T07:05"})
    assert frozen.now() == at("2026-11-25T07:05") and is_frozen(frozen) and not is_frozen(real)
