"""Issue 13 points 3 and 4: a task assigned to a roster member is stored with her, reminded to her linked
accounts (same moments, quiet hours, exactly once), answered by her ("Đã xong", "hoãn 3 ngày"), shown with who
did it in /hanchot and in the next meeting's review; `/viec` lists her open tasks, overdue first."""

from __future__ import annotations

import asyncio

from bot.clock import Clock
from bot.reminders.sweeper import Sweeper
from bot.store import NewDeadline, Person, Store
from bot.tasks import person_of
from handlers.router import Assistant
from tests.conftest import NOW, Talk, lease_passes, select, select_one
from tests.fakes.telegram import FakeTelegram
from tests.telegram_harness import TgUser, running_bot
from tests.test_meetings import BODY, HEAD, cell, say_all
from tests.test_reminders import NO_DIGEST, ManualClock, Outbox, add_item, make_unit

ROSTER = [{"name": n, "status": "chinh_thuc"} for n in ("Nguyễn Văn An", "Trần Thị Hoa", "Lê Thị Hoa",
                                                         "Phạm Văn Dũng")]


def test_person_of_matches_full_names_and_unique_ends_only():
    roster = [Person(1, "Nguyễn Văn An", "chinh_thuc", False), Person(2, "Trần Thị Hoa", "chinh_thuc", False),
              Person(3, "Lê Thị Hoa", "chinh_thuc", False), Person(4, "Phạm Văn Dũng", "chinh_thuc", False)]
    assert person_of("Nguyễn Văn An", "Dọn vệ sinh", roster) == 1
    assert person_of("Đồng chí Nguyễn Văn An", "x", roster) == 1
    assert person_of("đ/c Dũng", "x", roster) == 4
    assert person_of("nguyen van an", "x", roster) == 1
    assert person_of("đ/c Hoa", "x", roster) is None  # two members: nothing guessed
    assert person_of("Trần Thị Hoa", "x", roster) == 2
    assert person_of("Chi ủy", "Chuẩn bị kiểm điểm", roster) is None
    assert person_of(None, "Nhắc đ/c Dũng nộp báo cáo", roster) == 4
    assert person_of(None, "Nộp báo cáo của Nguyễn Văn An và Phạm Văn Dũng", roster) is None
    assert person_of("Nguyễn Văn An, Phạm Văn Dũng", "x", roster) is None
    assert person_of("Hoàng Văn Tư", "x", []) is None


async def _unit_with_roster(store: Store) -> tuple[int, dict[str, int]]:
    unit = await make_unit(store, reminders=NO_DIGEST)
    await store.update_unit(unit, {"kind": "chi_bo", "name": "Chi bộ Thôn Đông", "code": "CB"}, ROSTER)
    return unit, {p.name: p.id for p in await store.people(unit)}


async def test_plan_assignments_and_tracker_items_are_stored_with_their_member(store):
    unit, ids = await _unit_with_roster(store)
    # A plan's assignments ("Đồng chí …: …") are saved with the document.
    await store.save_document(
        {"unit_id": unit, "kind": "plan", "doc_type": "KH", "series": "KH", "number": 1, "issued_on": "2026-11-23",
         "title": "Kế hoạch", "answers": {}, "filename": "kh.docx", "content": b"x", "created_by": "telegram:1001"},
        [{"kind": "deadline", "title": "Rà soát hồ sơ đảng viên", "due": "2026-12-10", "who": "Đồng chí Nguyễn Văn An"},
         {"kind": "deadline", "title": "Tổng hợp báo cáo", "due": "2026-12-15", "who": "Chi ủy"}])
    # The tracker: an assignee, and a comrade named in the title.
    await store.add_deadline(unit, NewDeadline("deadline", "Nộp đảng phí", date_of("2026-12-05"),
                                               assignee="đ/c Dũng"), source="", created_at=NOW.isoformat())
    await store.add_deadlines(unit, [NewDeadline("deadline", "Nhắc đ/c Trần Thị Hoa nộp bản kiểm điểm",
                                                 date_of("2026-12-05"))], source="", created_at=NOW.isoformat())
    rows = {r["title"]: r["person_id"] for r in await select(store, "SELECT title, person_id FROM deadlines")}
    assert rows == {"Rà soát hồ sơ đảng viên": ids["Nguyễn Văn An"], "Tổng hợp báo cáo": None,
                    "Nộp đảng phí": ids["Phạm Văn Dũng"], "Nhắc đ/c Trần Thị Hoa nộp bản kiểm điểm": ids["Trần Thị Hoa"]}
    # A roster rewrite that keeps the members keeps their ids, and a task naming a member added later finds her.
    await store.add_deadline(unit, NewDeadline("deadline", "Viết bài", date_of("2026-12-20"), assignee="Hoàng Văn Tư"),
                             source="", created_at=NOW.isoformat())
    await store.update_unit(unit, {"kind": "chi_bo", "name": "Chi bộ Thôn Đông", "code": "CB"},
                            ROSTER + [{"name": "Hoàng Văn Tư", "status": "chinh_thuc"}])
    after = {p.name: p.id for p in await store.people(unit)}
    assert all(after[name] == ids[name] for name in ids)
    row = await select_one(store, "SELECT person_id FROM deadlines WHERE title = 'Viết bài'")
    assert row["person_id"] == after["Hoàng Văn Tư"]


def date_of(text: str):
    from datetime import date

    return date.fromisoformat(text)


async def test_tracker_add_in_words_names_the_member(assistant):
    talk = await cell(assistant)
    await talk.say("nhắc đ/c Dũng nộp báo cáo trước 5/12/2026")
    assert "Đã lưu" in await talk.tap("Lưu")
    row = await select_one(assistant.store, "SELECT d.person_id, p.name FROM deadlines d JOIN people p "
                                            "ON p.id = d.person_id")
    assert row["name"] == "Phạm Văn Dũng"


# -- reminders to the member ----------------------------------------------------------------------

async def _member_setup(store: Store) -> tuple[int, dict[str, int], int, int]:
    unit, ids = await _unit_with_roster(store)
    await store.link_account("telegram", "2001", unit, "member", "An", ids["Nguyễn Văn An"])
    await store.conn.execute("UPDATE accounts SET created_at = '2026-01-01T00:00:00+07:00' WHERE user_id = '2001'")
    mine = await add_item(store, unit, "Rà soát hồ sơ đảng viên", "2026-11-30", person_id=ids["Nguyễn Văn An"],
                          assignee="Nguyễn Văn An")
    other = await add_item(store, unit, "Thu quỹ khuyến học", "2026-11-30", person_id=ids["Phạm Văn Dũng"])
    return unit, ids, mine, other


async def test_the_member_is_reminded_of_her_own_items_at_each_moment_exactly_once(store):
    unit, ids, mine, other = await _member_setup(store)
    clock, out = ManualClock("2026-11-23T07:00"), Outbox()
    sweeper = Sweeper(store, clock, "telegram", out)
    await sweeper.sweep()
    assert out.to("2001") == ["Nhắc việc: còn 7 ngày (thứ hai, 30/11/2026) — Rà soát hồ sơ đảng viên (Kế hoạch số "
                              "46-KH/ĐU)\nThực hiện: Nguyễn Văn An\nKhi xong, bấm “Đã xong” hoặc trả lời “xong”; "
                              "cần thêm thời gian: “hoãn 3 ngày”."]
    assert len(out.to("1001")) == 2  # the owner still hears of both
    out.take()
    for now in ("2026-11-23T07:01", "2026-11-28T12:00"):
        clock.set(now)
        assert (await sweeper.sweep()).sent == 0
    # Quiet hours (21:00-06:30 by default): the 1-day moment set at 06:00 waits for 06:30.
    await store.patch_unit_settings(unit, {"reminders": {"time": "06:00"}})
    clock.set("2026-11-29T06:10")
    sweeper = Sweeper(store, clock, "telegram", out)
    assert (await sweeper.sweep()).claimed == 0
    # A transient failure to the member: claimed, unconfirmed; a new process resends it once.
    clock.set("2026-11-29T06:30")
    out.fail["2001"] = TimeoutError("network")
    await sweeper.sweep()
    assert out.to("2001") == [] and len(out.to("1001")) == 2
    await lease_passes(store)
    restarted = Sweeper(store, clock, "telegram", out)
    result = await restarted.sweep()
    assert result.resent == 1
    assert [t.split(" — ")[0] for t in out.to("2001")] == ["Nhắc việc: còn 1 ngày (ngày mai, thứ hai, 30/11/2026)"]
    assert (await Sweeper(store, clock, "telegram", out).sweep()).sent == 0
    rows = await select(store, "SELECT key, chat_id FROM reminder_log WHERE chat_id = '2001' ORDER BY key")
    assert [r["key"] for r in rows] == [f"dl:{mine}:2026-11-30:1", f"dl:{mine}:2026-11-30:7"]
    assert other not in {int(r["key"].split(":")[1]) for r in rows}


async def test_member_gets_no_digest_and_no_reminder_once_done(store):
    unit, ids, mine, other = await _member_setup(store)
    await store.patch_unit_settings(unit, {"reminders": {"digest": True}})
    await store.mark_deadline_done(unit, mine, "2026-11-22T10:00:00+07:00", by="telegram:2001", by_name="Nguyễn Văn An")
    out = Outbox()
    await Sweeper(store, ManualClock("2026-11-23T07:00"), "telegram", out).sweep()
    assert out.to("2001") == []
    assert any(t.startswith("Việc tuần này") for t in out.to("1001"))


# -- her answers, /viec, /hanchot and the next meeting's review ----------------------------------

async def test_member_marks_done_snoozes_and_cannot_touch_another_members_task(assistant):
    store = assistant.store
    owner = await cell(assistant)
    october = list(HEAD)
    october[2:4] = ["05/10/2026", "10/2026"]
    tasks = ["Nguyễn Văn An", "Dọn vệ sinh đường làng", "15/10/2026", "Thêm",
             "Nguyễn Văn An", "Thăm hỏi gia đình chính sách", "30/11/2026", "Thêm",
             "Nguyễn Văn An", "Viết tin bài", "10/12/2026", "Thêm",
             "Chi ủy", "Chuẩn bị kiểm điểm cuối năm", "30/11/2026", "Thêm",
             "Phạm Văn Dũng", "Thu quỹ khuyến học", "20/10/2026", "Xong"]
    await say_all(owner, october + ["Có mặt đủ", "Đúng, tiếp tục"] + BODY + tasks + ["5", "0", "bỏ qua", "Tốt", "16h00"])
    assert "Đã đưa 5 việc" in await owner.tap("Xác nhận và tạo biên bản")
    rows = {r["title"]: r for r in await select(store, "SELECT d.id, d.title, p.name FROM deadlines d "
                                                       "LEFT JOIN people p ON p.id = d.person_id")}
    assert rows["Dọn vệ sinh đường làng"]["name"] == "Nguyễn Văn An"
    assert rows["Thu quỹ khuyến học"]["name"] == "Phạm Văn Dũng"
    assert rows["Chuẩn bị kiểm điểm cuối năm"]["name"] is None

    unit = (await store.account("test", "u1")).unit_id
    an = next(p.id for p in await store.people(unit) if p.name == "Nguyễn Văn An")
    await store.link_account("test", "m1", unit, "member", "An", an)
    await store.link_account("test", "m2", unit, "member", "Ai đó")
    member = Talk(assistant, "m1")

    listing = await member.say("/viec")
    assert listing.index("Quá hạn (1):") < listing.index("1. ") < listing.index("Sắp tới (2):")
    assert listing.index("Dọn vệ sinh đường làng") < listing.index("Thăm hỏi") < listing.index("Viết tin bài")
    assert "Thu quỹ khuyến học" not in listing and "Chuẩn bị kiểm điểm" not in listing
    assert member.choices()[:2] == ["Xong 1", "Hoãn 1"]
    assert "Đã ghi nhận hoàn thành: Dọn vệ sinh đường làng" in await member.tap("Xong 1")
    done = await select_one(store, "SELECT status, done_by, done_by_name, done_at FROM deadlines WHERE id = ?",
                            rows["Dọn vệ sinh đường làng"]["id"])
    assert (done["status"], done["done_by"], done["done_by_name"]) == ("done", "test:m1", "Nguyễn Văn An")

    # Typed: "hoãn việc 1 3 ngày" (now the first of her list), and another member's task refused.
    assert "Đã hoãn nhắc “Thăm hỏi gia đình chính sách” đến thứ năm, 26/11/2026" in await member.say(
        "hoãn việc 1 3 ngày")
    dung = rows["Thu quỹ khuyến học"]["id"]
    assert "Việc này không giao cho đồng chí" in await member.say(f"/viec xong {dung}")
    assert (await store.deadline(dung)).status == "open"
    assert "chưa được gắn với tên nào trong danh sách đảng viên" in await Talk(assistant, "m2").say("/viec")
    assert "chưa được gắn với tên nào" in await Talk(assistant, "m2").say("việc của tôi")
    assert "Viết tin bài" in await member.say("tôi có việc gì?")
    assert "Đã ghi nhận hoàn thành: Viết tin bài" in await member.say("xong việc 2")

    # The secretary sees who did it, and a manager may mark anyone's task.
    hanchot = await owner.say("/hanchot")
    assert "Đã xong gần đây (2):" in hanchot
    assert "- Dọn vệ sinh đường làng (Nguyễn Văn An): đã xong — đ/c Nguyễn Văn An, 23/11" in hanchot
    assert "Đã ghi nhận hoàn thành" in await owner.say(f"/viec xong {dung}")

    # The next meeting's review of last month's tasks.
    await say_all(owner, HEAD + ["Có mặt đủ", "Đúng, tiếp tục", "bỏ qua"])
    question = await say_all(owner, ["xong", "bỏ qua"])
    assert ("1. Nguyễn Văn An: Dọn vệ sinh đường làng — hạn 15/10/2026: đã hoàn thành (đ/c Nguyễn Văn An báo xong "
            "ngày 23/11)") in question
    assert "Phạm Văn Dũng: Thu quỹ khuyến học — hạn 20/10/2026: đã hoàn thành (đ/c Tester báo xong ngày 23/11)" in question


async def test_bare_xong_answers_the_latest_reminder(store):
    unit, ids, mine, other = await _member_setup(store)
    out = Outbox()
    await Sweeper(store, ManualClock("2026-11-23T07:00"), "telegram", out).sweep()
    assistant = Assistant(store, Clock(frozen=NOW))
    talk = Talk(assistant, "2001", channel="telegram")
    assert "Đã hoãn nhắc “Rà soát hồ sơ đảng viên” đến thứ năm, 26/11/2026" in await talk.say("hoãn 3 ngày")
    assert "Đã ghi nhận hoàn thành: Rà soát hồ sơ đảng viên" in await talk.say("xong")
    assert (await store.deadline(other)).status == "open"


# -- through the real Telegram Application --------------------------------------------------------

async def test_member_reminder_and_tap_on_telegram(tmp_path):
    db = str(tmp_path / "db.sqlite3")
    store = await Store.open(db)
    unit, ids, mine, other = await _member_setup(store)
    await store.close()
    async with FakeTelegram() as fake, running_bot(fake, db, Clock(frozen=NOW), first_sweep=0.1):
        messages = await fake.wait_sent(2001, 1, timeout=15)
        await asyncio.sleep(0.5)
        assert len(fake.messages_to(2001)) == 1
        reminder = messages[0]
        assert "Rà soát hồ sơ đảng viên" in reminder.text
        assert [b["text"] for b in reminder.buttons] == ["Đã xong", "Hoãn 3 ngày"]
        member = TgUser(fake, 2001, "An")
        member.seen = 1
        assert "Đã ghi nhận hoàn thành: Rà soát hồ sơ đảng viên" in await member.tap("Đã xong")
    store = await Store.open(db)
    try:
        row = await store.deadline(mine)
        assert row is not None and (row.status, row.done_by, row.done_by_name) == (
            "done", "telegram:2001", "Nguyễn Văn An")
    finally:
        await store.close()
