"""The meeting notice (/thongbao): suggested from the rhythm and the last minutes, delivered once to every member
linked to the roster and to the linked group (bot/reminders/notices.py), answered by the members, and their
absences offered at the next minutes' roll call (handlers/meetings/notice.py, notice_roll.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.clock import Clock
from bot.messages import Incoming, Outgoing
from bot.reminders.sweeper import Sweeper
from bot.store import Store
from handlers.meetings.notice import read_answer
from handlers.router import Assistant
from tests.conftest import NOW, Talk, lease_passes, onboard, select, select_one
from tests.docx_checks import all_text, norm
from tests.fakes.telegram import FakeTelegram
from tests.telegram_harness import TgUser, running_bot
from tests.test_meetings import BODY, HEAD, ONBOARD_CELL, TAIL, TASK, document_of, say_all

OWNER, BINH, DUNG, GROUP = "1001", "2002", "z3003", "-100500"
MEETING_DAY = datetime.fromisoformat("2026-12-20T16:00:00+07:00")  # the day of the meeting the notice announces


class Recorder:
    """A channel's sender for the sweep: records the notices it sends (other reminders are left aside)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Outgoing]] = []

    async def __call__(self, chat_id: str, out: Outgoing) -> None:
        self.sent.append((chat_id, out))

    def notices(self) -> list[tuple[str, Outgoing]]:
        return [(chat, out) for chat, out in self.sent if "THÔNG BÁO" in out.text]


async def unit_with_members(assistant: Assistant) -> Talk:
    """The secretary on Telegram, the cell's roster, November's minutes (20/11, 14h00), the group linked, and two
    members' accounts linked to their roster names: Bình on Telegram, Dũng on Zalo."""
    owner = Talk(assistant, OWNER, channel="telegram")
    await onboard(owner, ONBOARD_CELL)
    await say_all(owner, HEAD + ["Có mặt đủ", "Đúng, tiếp tục"] + BODY + TASK + TAIL)
    assert "Đã lưu" in await owner.tap("Xác nhận và tạo biên bản")
    store = assistant.store
    unit_id = (await store.account("telegram", OWNER)).unit_id
    people = {p.name: p.id for p in await store.people(unit_id)}
    await store.link_account("telegram", BINH, unit_id, "member", "Bình", person_id=people["Trần Thị Bình"])
    await store.link_account("zalo", DUNG, unit_id, "member", "Dũng", person_id=people["Phạm Văn Dũng"])
    await store.link_account("telegram", "4004", unit_id, "manager", "Văn phòng")  # no roster member: not sent
    replies = await assistant.handle(Incoming(channel="telegram", chat_id=GROUP, user_id=OWNER, text="/lienket",
                                              chat_type="supergroup", user_name="A"))
    assert "Đã liên kết nhóm" in "\n".join(o.plain() for o in replies)
    return owner


async def send_notice(owner: Talk) -> str:
    """/thongbao with every suggestion taken; returns the review screen."""
    assert "thường kỳ hay chuyên đề" in await owner.say("/thongbao")
    await owner.tap("Thường kỳ")
    assert "20/12/2026" in owner.choices()  # the unit's usual day (the 20th), next month: November is logged
    await owner.tap("20/12/2026")
    assert "14h00" in owner.choices()  # the last minutes' start
    await owner.tap("14h00")
    assert owner.choices()[0] == "Nhà văn hóa xóm"  # the last minutes' place
    agenda = await owner.tap("Nhà văn hóa xóm")
    assert "Kiểm điểm việc thực hiện 1 nhiệm vụ chi bộ giao tại buổi sinh hoạt thường kỳ tháng 11/2026" in agenda
    assert "Đánh giá kết quả thực hiện phương hướng, nhiệm vụ tháng 12/2026 chi bộ đã đề ra" in agenda
    # Held on the 20th: December is reviewed and January planned.
    assert "Chi ủy báo cáo kết quả lãnh đạo thực hiện nhiệm vụ tháng 12/2026; đề ra phương hướng, nhiệm vụ " \
           "tháng 01/2027" in agenda
    return await owner.say("xong")


async def test_the_notice_is_suggested_and_delivered_once_to_each_member_and_the_group(assistant):
    store = assistant.store
    owner = await unit_with_members(assistant)
    review = await send_notice(owner)
    assert "Ngày sinh hoạt: chủ nhật, 20/12/2026" in review
    reply = await owner.tap("Xác nhận và gửi thông báo")
    assert "Đã gửi thông báo sinh hoạt chi bộ thường kỳ tháng 12/2026 tới 2 đảng viên" in reply
    assert "1 nhóm chat" in reply

    telegram, zalo = Recorder(), Recorder()
    assert (await Sweeper(store, Clock(frozen=NOW), "telegram", telegram).sweep()).noticed == 2
    assert (await Sweeper(store, Clock(frozen=NOW), "zalo", zalo).sweep()).noticed == 1
    assert sorted(chat for chat, _ in telegram.notices()) == sorted([BINH, GROUP])
    assert [chat for chat, _ in zalo.notices()] == [DUNG]
    private = next(out for chat, out in telegram.notices() if chat == BINH)
    text = private.text
    for line in ("ĐẢNG BỘ XÃ KIM PHÚ\nCHI BỘ XÓM ĐỊNH THÀNH", "THÔNG BÁO", "T/M CHI BỘ\nBÍ THƯ\nNguyễn Thị Thược",
                 "Về việc sinh hoạt chi bộ thường kỳ tháng 12/2026",
                 "1. Thời gian: 14 giờ 00, chủ nhật, ngày 20/12/2026.", "2. Địa điểm: Nhà văn hóa xóm.",
                 "3. Nội dung:", "4. Thành phần: toàn thể đảng viên trong chi bộ", "Nguyễn Thị Thược"):
        assert line in text, line
    assert [c.label for c in private.choices] == ["Tôi sẽ dự", "Xin vắng"]
    group = next(out for chat, out in telegram.notices() if chat == GROUP)
    assert group.choices == [] and "THÔNG BÁO" in group.text

    # Again, and after a restart (a new process, a new sweeper): nothing more.
    assert (await Sweeper(store, Clock(frozen=NOW), "telegram", telegram).sweep()).noticed == 0
    assert (await Sweeper(store, Clock(frozen=NOW), "zalo", Recorder()).sweep()).noticed == 0
    rows = await select(store, "SELECT chat_id, sent_at FROM notice_sends ORDER BY chat_id")
    assert sorted(r["chat_id"] for r in rows) == sorted([BINH, GROUP, DUNG]) and all(r["sent_at"] for r in rows)


async def test_a_notice_killed_between_claim_and_confirm_is_resent_once(assistant):
    store = assistant.store
    owner = await unit_with_members(assistant)
    await send_notice(owner)
    await owner.tap("Xác nhận và gửi thông báo")
    entered = asyncio.Event()

    async def hanging(chat_id: str, out: Outgoing) -> None:  # the server never answers
        if "THÔNG BÁO" in out.text:
            entered.set()
            await asyncio.Event().wait()

    crashed = asyncio.create_task(Sweeper(store, Clock(frozen=NOW), "zalo", hanging, concurrency=1).sweep())
    await asyncio.wait_for(entered.wait(), 5)
    crashed.cancel()
    with pytest.raises(asyncio.CancelledError):
        await crashed
    row = await select_one(store, "SELECT claimed_at, sent_at FROM notice_sends WHERE channel = 'zalo'")
    assert row["claimed_at"] is not None and row["sent_at"] is None
    early = Sweeper(store, Clock(frozen=NOW), "zalo", Recorder(), started=datetime(2026, 1, 1, tzinfo=UTC))
    assert (await early.sweep()).noticed == 0  # a process running since before the claim leaves it alone
    restarted = Recorder()
    await lease_passes(store)
    assert (await Sweeper(store, Clock(frozen=NOW), "zalo", restarted).sweep()).noticed == 1
    assert (await Sweeper(store, Clock(frozen=NOW), "zalo", restarted).sweep()).noticed == 0
    assert [chat for chat, _ in restarted.notices()] == [DUNG]


def test_answers_in_words():
    assert read_answer("vắng, lý do đi công tác") == ("absent", "đi công tác")
    assert read_answer("xin vắng vì đi công tác") == ("absent", "đi công tác")
    assert read_answer("Em xin phép vắng họp ạ, lý do con ốm") == ("absent", "con ốm")
    assert read_answer("vang ly do di cong tac") == ("absent", "đi công tác")
    assert read_answer("Xin vắng") == ("absent", "")
    assert read_answer("Tôi sẽ dự") == ("attend", "")
    assert read_answer("vắng đ/c Lan đi công tác") is None  # the roll call's words, not her own answer
    assert read_answer("nghị quyết tháng 11") is None and read_answer("vắng quá") is None


async def test_members_answer_and_the_minutes_start_with_their_absences(assistant):
    store = assistant.store
    owner = await unit_with_members(assistant)
    await send_notice(owner)
    await owner.tap("Xác nhận và gửi thông báo")
    telegram = Recorder()
    await Sweeper(store, Clock(frozen=NOW), "telegram", telegram).sweep()
    notice = next(out for chat, out in telegram.notices() if chat == BINH)

    binh = Talk(assistant, BINH, channel="telegram")
    binh.last = [notice]
    asked = await binh.tap("Xin vắng")
    assert "xin vắng sinh hoạt chi bộ thường kỳ tháng 12/2026" in asked and "nhắn thêm lý do" in asked
    confirmed = await binh.say("vắng, lý do đi công tác")
    assert "Đã ghi nhận: đồng chí Trần Thị Bình xin vắng" in confirmed and "lý do: đi công tác" in confirmed
    assert "“vắng có lý do: đi công tác”" in confirmed
    assert "sẽ dự" in await binh.say("Tôi sẽ dự")  # a second answer replaces the first
    rows = await select(store, "SELECT status, reason FROM notice_replies")
    assert [(r["status"], r["reason"]) for r in rows] == [("attend", "")]
    await binh.say("xin vắng vì đi công tác")
    rows = await select(store, "SELECT status, reason FROM notice_replies")
    assert [(r["status"], r["reason"]) for r in rows] == [("absent", "đi công tác")]
    dung = Talk(assistant, DUNG, channel="zalo")
    assert "sẽ dự" in await dung.say("tôi sẽ dự")

    shown = await owner.say("/thongbao")  # the sender sees who answered
    assert "- Sẽ dự: 1 (Phạm Văn Dũng)" in shown
    assert "- Xin vắng: 1 (Trần Thị Bình (đi công tác))" in shown
    assert "- Chưa trả lời: 3 (Nguyễn Thị Thược, Nguyễn Văn An, Hoàng Thị Lan)" in shown

    # The day of the meeting: /sinhhoat offers her absence at the roll call.
    later = Assistant(store, Clock(frozen=MEETING_DAY))
    secretary = Talk(later, OWNER, channel="telegram")
    head = list(HEAD)
    head[2:4] = ["20/12/2026", "12/2026"]
    roll = await say_all(secretary, head)
    assert "Theo trả lời thông báo họp, 1 đồng chí đã xin vắng: đ/c Trần Thị Bình — vắng có lý do: đi công tác." in roll
    assert secretary.choices()[:3] == ["Vắng như đã báo: Trần Thị Bình", "Có mặt đủ", "Có đồng chí vắng"]
    summary = await secretary.tap("Vắng như đã báo: Trần Thị Bình")
    assert "- Vắng có lý do: 1 (Trần Thị Bình — Đi công tác)" in summary
    await say_all(secretary, ["Đúng, tiếp tục"] + BODY + TASK[:2] + ["30/12/2026", "Xong"] + TAIL)
    assert "Đã lưu" in await secretary.tap("Xác nhận và tạo biên bản")
    text = norm(all_text(document_of(secretary)))
    assert norm("+ Vắng có lý do: 1 đồng chí: đồng chí Trần Thị Bình (đi công tác).") in text
    assert norm("- Số đảng viên có mặt: 4 đồng chí") in text


async def test_a_notice_needs_a_roster_and_a_member_without_one_is_not_answered(assistant):
    owner = Talk(assistant, OWNER, channel="telegram")
    await onboard(owner)
    assert "thường kỳ hay chuyên đề" in await owner.say("gửi thông báo họp chi bộ")  # the order in words
    await owner.say("/huy")
    # No notice open: "xin vắng" from the secretary is not taken as an answer.
    assert "Đã ghi nhận" not in await owner.say("xin vắng vì đi công tác")


async def test_a_member_taps_and_answers_on_telegram(tmp_path):
    """End to end: the real Application against the fake Bot API; its reminder job delivers the notice with its
    buttons, the member taps “Xin vắng” and gives her reason in words."""
    db = str(tmp_path / "db.sqlite3")
    store = await Store.open(db)
    assistant = Assistant(store, Clock(frozen=NOW))
    owner = await unit_with_members(assistant)
    await send_notice(owner)
    await owner.tap("Xác nhận và gửi thông báo")
    await store.close()
    async with FakeTelegram() as fake, running_bot(fake, db, Clock(frozen=NOW), first_sweep=0.1):
        sent = await fake.wait_for(lambda s: str(s.chat_id) == BINH and "THÔNG BÁO" in (s.text or ""), timeout=15)
        assert [b["text"] for b in sent.buttons] == ["Tôi sẽ dự", "Xin vắng"]
        binh = TgUser(fake, int(BINH), "Bình")
        binh.seen = len(fake.messages_to(int(BINH)))
        assert "nhắn thêm lý do" in await binh.tap("Xin vắng")
        reply = await binh.say("xin vắng vì đi công tác")
        assert "Đã ghi nhận: đồng chí Trần Thị Bình xin vắng" in reply and "lý do: đi công tác" in reply
        await asyncio.sleep(0.3)
        assert len([s for s in fake.messages_to(int(BINH)) if "THÔNG BÁO" in (s.text or "")]) == 1
    store = await Store.open(db)
    rows = await select(store, "SELECT status, reason FROM notice_replies")
    await store.close()
    assert [(r["status"], r["reason"]) for r in rows] == [("absent", "đi công tác")]
