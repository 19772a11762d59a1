"""Sharing an issued document with the unit ("Gửi cho chi bộ"): the outbox, delivered once by each channel's
sweep (bot/sharing.py, bot/store/outbox.py, bot/reminders/shares.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.channels.zalo import render as zalo_render
from bot.clock import Clock
from bot.messages import Incoming, Outgoing
from bot.reminders.pacer import Undeliverable
from bot.reminders.sweeper import Sweeper
from bot.store import Store
from handlers.router import Assistant
from tests.conftest import NOW, Talk, lease_passes, make_invite, onboard, select, select_one
from tests.fakes.telegram import FakeTelegram
from tests.telegram_harness import running_bot
from tests.test_meetings import BODY, HEAD, ROLL, TAIL, TASK, cell, say_all
from tests.test_plan_flow import confirm, draft

GROUP = "-100500"
OWNER = "1001"


class Recorder:
    """A channel's sender for the sweep: records every message; `fail` maps a chat to an error raised once."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Outgoing]] = []
        self.fail: dict[str, BaseException] = {}

    async def __call__(self, chat_id: str, out: Outgoing) -> None:
        error = self.fail.pop(chat_id, None)
        if error is not None:
            raise error
        self.sent.append((chat_id, out))

    def shares(self) -> list[tuple[str, Outgoing]]:
        """The shared documents among the messages (reminders and the digest carry none)."""
        return [(chat, out) for chat, out in self.sent if out.document is not None]


async def issue_plan(assistant: Assistant) -> tuple[Talk, str]:
    """The secretary on Telegram, a unit, a plan issued; returns her talk and the value of "Gửi cho chi bộ"."""
    owner = Talk(assistant, OWNER, channel="telegram")
    await onboard(owner)
    await draft(owner)
    assert "Đã lưu kế hoạch 01-KH/CB" in await confirm(owner)
    assert "Gửi cho chi bộ" in owner.choices()
    value = next(c.value for o in owner.last for c in o.choices if c.label == "Gửi cho chi bộ")
    return owner, value


async def in_group(assistant: Assistant, text: str, user: str = OWNER) -> str:
    replies = await assistant.handle(Incoming(channel="telegram", chat_id=GROUP, user_id=user, text=text,
                                              chat_type="supergroup", user_name="A"))
    return "\n".join(o.plain() for o in replies)


async def join(assistant: Assistant, owner: Talk, user: str, channel: str) -> None:
    code = (await make_invite(owner)).split("Mã mời: ")[1][:8]
    member = Talk(assistant, user, channel=channel)
    await member.say("/batdau")
    await member.tap("Tham gia bằng mã mời")
    assert "đã tham gia Chi bộ Xóm Định Thành" in await member.say(code)


async def unit_with_group_and_zalo(assistant: Assistant) -> tuple[Talk, str]:
    owner, share = await issue_plan(assistant)
    assert "Đã liên kết nhóm này với Chi bộ Xóm Định Thành" in await in_group(assistant, "/lienket")
    await join(assistant, owner, "z1", "zalo")
    await join(assistant, owner, "z2", "zalo")
    await join(assistant, owner, "2002", "telegram")  # in the group: no private copy
    return owner, share


async def test_a_plan_goes_to_the_telegram_group_and_as_a_link_to_zalo_members_once(assistant):
    store = assistant.store
    owner, share = await unit_with_group_and_zalo(assistant)
    reply = await owner.say("Gửi cho chi bộ", choice=share)
    assert "Sẽ gửi tới 1 nhóm Telegram và 2 tài khoản Zalo." in reply
    rows = await select(store, "SELECT channel, chat_id, text, sent_at FROM outbox ORDER BY id")
    assert [(r["channel"], r["chat_id"]) for r in rows] == [("telegram", GROUP), ("zalo", "z1"), ("zalo", "z2")]
    assert rows[0]["text"] == ("Chi bộ Xóm Định Thành gửi các đồng chí văn bản: Kế hoạch số 01-KH, 20/11/2026: "
                               "Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2027.")
    assert all(r["sent_at"] is None for r in rows)
    doc = await select_one(store, "SELECT filename, content FROM documents")

    telegram = Recorder()
    result = await Sweeper(store, Clock(frozen=NOW), "telegram", telegram).sweep()
    assert result.shared == 1
    assert [chat for chat, _ in telegram.shares()] == [GROUP]
    sent = telegram.shares()[0][1]
    assert sent.document is not None and sent.document.filename == doc["filename"]
    assert sent.document.data == doc["content"] and sent.text == rows[0]["text"]

    zalo = Recorder()
    assert (await Sweeper(store, Clock(frozen=NOW), "zalo", zalo).sweep()).shared == 2
    assert sorted(chat for chat, _ in zalo.shares()) == ["z1", "z2"]
    line = zalo_render(zalo.shares()[0][1], lambda d: "https://chibo.example/d/abc")
    assert rows[1]["text"] in line and "https://chibo.example/d/abc" in line

    # Sharing again sends nothing new; the sweeps find nothing more to share.
    again = await owner.say("/vanban chiase " + share.split()[-1])
    assert "đã được gửi cho chi bộ (1 nhóm Telegram và 2 tài khoản Zalo)" in again and "không gửi lại" in again
    assert (await Sweeper(store, Clock(frozen=NOW), "telegram", telegram).sweep()).shared == 0
    assert (await Sweeper(store, Clock(frozen=NOW), "zalo", zalo).sweep()).shared == 0
    assert len(telegram.shares()) == 1 and len(zalo.shares()) == 2
    assert (await select_one(store, "SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NOT NULL"))["n"] == 3

    # A member who joins later gets it on the next share; the others are not sent it again.
    await join(assistant, owner, "z3", "zalo")
    reply = await owner.say("/vanban chiase " + share.split()[-1])
    assert "Sẽ gửi tới 1 tài khoản Zalo." in reply and "không nhận lại" in reply
    await Sweeper(store, Clock(frozen=NOW), "zalo", zalo).sweep()
    assert sorted(chat for chat, _ in zalo.shares()) == ["z1", "z2", "z3"]


async def test_killed_between_claim_and_confirm_is_resent_once(assistant):
    store = assistant.store
    owner, share = await unit_with_group_and_zalo(assistant)
    await owner.say("Gửi cho chi bộ", choice=share)
    entered = asyncio.Event()

    async def hanging(chat_id: str, out: Outgoing) -> None:  # the server never answers
        entered.set()
        await asyncio.Event().wait()

    crashed = asyncio.create_task(Sweeper(store, Clock(frozen=NOW), "zalo", hanging, concurrency=1).sweep())
    await asyncio.wait_for(entered.wait(), 5)
    crashed.cancel()  # the process dies with the first send in flight
    with pytest.raises(asyncio.CancelledError):
        await crashed
    rows = await select(store, "SELECT chat_id, claimed_at, sent_at FROM outbox WHERE channel = 'zalo' ORDER BY id")
    assert [(r["claimed_at"] is not None, r["sent_at"]) for r in rows] == [(True, None), (False, None)]

    # A process running since before the claim leaves it to the process that made it (and sends the rest)…
    running = Recorder()
    early = Sweeper(store, Clock(frozen=NOW), "zalo", running, started=datetime(2026, 1, 1, tzinfo=UTC))
    assert (await early.sweep()).shared == 1 and [c for c, _ in running.shares()] == ["z2"]
    # …a later process sends the orphan once, and nothing after.
    restarted = Recorder()
    await lease_passes(store)
    assert (await Sweeper(store, Clock(frozen=NOW), "zalo", restarted).sweep()).shared == 1
    assert [c for c, _ in restarted.shares()] == ["z1"]
    assert (await Sweeper(store, Clock(frozen=NOW), "zalo", restarted).sweep()).shared == 0
    assert (await select_one(store, "SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL"))["n"] == 1  # telegram


async def test_failures_are_retried_and_a_refusing_chat_is_given_up(assistant):
    store = assistant.store
    owner, share = await unit_with_group_and_zalo(assistant)
    await owner.say("Gửi cho chi bộ", choice=share)
    zalo = Recorder()
    zalo.fail = {"z1": ConnectionError("network down"), "z2": Undeliverable("blocked")}
    sweeper = Sweeper(store, Clock(frozen=NOW), "zalo", zalo)
    result = await sweeper.sweep()
    assert (result.shared, result.failed, result.refused) == (0, 1, 1)
    assert (await sweeper.sweep()).shared == 1  # the same process retries its own failure
    assert [c for c, _ in zalo.shares()] == ["z1"]
    assert [r["chat_id"] for r in await select(store, "SELECT chat_id FROM outbox WHERE channel = 'zalo'")] == ["z1"]


async def test_nowhere_to_send_and_bad_ids(assistant):
    owner, share = await issue_plan(assistant)
    assert "Chưa có nơi nào để gửi" in await owner.say("Gửi cho chi bộ", choice=share)
    for bad in ("99999", "abc", "-1", "9" * 30):
        assert "Không tìm thấy văn bản này" in await owner.say(f"/vanban chiase {bad}")
    # Another unit cannot share this unit's document.
    other = Talk(assistant, "3003", channel="telegram")
    await onboard(other)
    assert "Không tìm thấy văn bản này" in await other.say(f"/vanban chiase {share.split()[-1]}")
    assert await select(assistant.store, "SELECT * FROM outbox") == []


async def test_minutes_and_resolutions_offer_the_share(assistant):
    talk = await cell(assistant)
    await say_all(talk, HEAD + ROLL + BODY + TASK + TAIL)
    await talk.tap("Xác nhận và tạo biên bản")
    assert "Gửi cho chi bộ" in talk.choices()
    await talk.tap("Soạn kết luận")
    await talk.tap("20/11/2026")
    await say_all(talk, ["1", "Tuyên Quang", "xong", "T/M CHI BỘ", "BÍ THƯ", "Nguyễn Thị Thược"])
    await talk.tap("Xác nhận và tạo văn bản")
    assert talk.choices() == ["Gửi cho chi bộ"]
    # Only the secretary uses the assistant here: nowhere to send yet.
    assert "Chưa có nơi nào để gửi" in await talk.tap("Gửi cho chi bộ")


async def test_the_telegram_bot_sends_the_file_to_the_group(tmp_path):
    """End to end: the real Application against the fake Bot API; its reminder job delivers the outbox."""
    db = str(tmp_path / "db.sqlite3")
    store = await Store.open(db)
    assistant = Assistant(store, Clock(frozen=NOW))
    owner, share = await issue_plan(assistant)
    assert "Đã liên kết nhóm" in await in_group(assistant, "/lienket")
    assert "Sẽ gửi tới 1 nhóm Telegram." in await owner.say("Gửi cho chi bộ", choice=share)
    doc = await select_one(store, "SELECT filename, content FROM documents")
    await store.close()
    async with FakeTelegram() as fake, running_bot(fake, db, Clock(frozen=NOW), first_sweep=0.1):
        sent = await fake.wait_for(lambda s: s.method == "sendDocument" and str(s.chat_id) == GROUP, timeout=15)
        await asyncio.sleep(0.5)
        assert [s.document_name for s in fake.messages_to(int(GROUP)) if s.method == "sendDocument"] == [
            doc["filename"]]
    assert sent.document_bytes == doc["content"]
    assert sent.caption is not None and sent.caption.startswith("Chi bộ Xóm Định Thành gửi các đồng chí văn bản: ")
    store = await Store.open(db)
    row = await select_one(store, "SELECT sent_at FROM outbox")
    await store.close()
    assert row is not None and row["sent_at"] is not None
