"""Exactly once across a crash: `chibo telegram` as a real process, killed mid-sweep and restarted.

The fake Bot API runs in this process on 127.0.0.1. The bot runs as `python -m bot telegram` on a real
SQLite file seeded with 500 reminders due now (100 units × 5 deadlines, each unit's secretary in their own
private chat), with its sweep's clock frozen by CHIBO_NOW. Deterministic, not a race:

1. after the fake has answered 150 sendMessage calls it stops answering: later requests are held without
   being recorded, as if they never reached Telegram;
2. once the bot has confirmed (reminder_log.sent_at) every message the fake answered, it is SIGKILLed
   while some sends are held and the rest are claimed but unsent;
3. the fake answers again and the bot is restarted: its first sweep resends every claimed, unconfirmed
   row, so each of the 500 reminders has reached the fake exactly once.

The second test is issue row 16: claims left unconfirmed by a kill, the bot restarted six days later. A
resend follows the rules of a new claim, so each item gets one message, for its latest moment.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections import Counter
from datetime import date, timedelta

from bot.store import Store
from tests.conftest import ROOT
from tests.fakes.telegram import FakeTelegram

NOW = "2026-11-25T07:05:00+07:00"  # a Wednesday; every deadline below is due in 7 days
UNITS, PER_UNIT, HOLD_AFTER = 100, 5, 150
TOTAL = UNITS * PER_UNIT
OLD = "2026-01-01T00:00:00+07:00"


class HoldingTelegram(FakeTelegram):
    """The fake Bot API with a switch: while `holding`, sendMessage requests are held, never answered or
    recorded (aiohttp cancels a held handler when the client gives up and closes its connection)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.holding = False
        self.held = 0

    async def _handle_api(self, request):
        if self.holding and request.match_info["method"].lower() == "sendmessage":
            self.held += 1
            await asyncio.Event().wait()
        return await super()._handle_api(request)


async def seed(path: str) -> None:
    store = await Store.open(path)
    due = (date.fromisoformat(NOW[:10]) + timedelta(days=7)).isoformat()
    for u in range(1, UNITS + 1):
        unit_id = await store.create_unit(
            {"kind": "chi_bo", "name": f"Chi bộ Thôn {u}", "code": "CB", "place": "Tuyên Quang",
             "signer_name": "Nguyễn Văn An", "signer_title": "BÍ THƯ"}, [], {"reminders": {"digest": False}})
        await store.link_account("telegram", str(7000 + u), unit_id, "owner", f"Bí thư {u}")
        await store.conn.executemany(
            "INSERT INTO deadlines (unit_id, kind, title, due, source, created_at) VALUES (?, 'deadline', ?, ?, ?, ?)",
            [(unit_id, f"Việc số {u}-{k}", due, "Kế hoạch số 46-KH/ĐU", OLD) for k in range(1, PER_UNIT + 1)])
    await store.conn.execute("UPDATE accounts SET created_at = ?", (OLD,))
    await store.close()


def log_counts(path: str) -> tuple[int, int]:
    conn = sqlite3.connect(path, timeout=10)
    try:
        claimed, sent = conn.execute("SELECT COUNT(*), COUNT(sent_at) FROM reminder_log").fetchone()
    finally:
        conn.close()
    return claimed, sent


async def until(predicate, timeout: float, what: str) -> None:
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def start_bot(fake: FakeTelegram, db: str, now: str = NOW) -> asyncio.subprocess.Process:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE": fake.base_url,
           "CHIBO_NOW": now, "PYTHONUNBUFFERED": "1"}
    env.pop("CHIBO_DB", None)
    with open(db + ".log", "ab") as log:  # the bot's log, kept beside the database for a failing run
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "-v", "telegram", "--db", db, cwd=ROOT, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=log)


async def test_every_reminder_arrives_exactly_once_across_kill_9(tmp_path):
    db = str(tmp_path / "bot.sqlite3")
    await seed(db)
    fake = HoldingTelegram()

    def answered() -> list:
        return [s for s in fake.sent if s.method == "sendMessage"]

    armed = True

    def on_send(record) -> None:
        nonlocal armed
        if armed and record.method == "sendMessage" and len(answered()) >= HOLD_AFTER:
            fake.holding, armed = True, False

    fake.on_send = on_send
    async with fake:
        bot = await start_bot(fake, db)
        try:
            await until(lambda: fake.holding and fake.held >= 1, 60, "the fake to hold a send")
            # The bot confirms every answered message before the next one: wait for that, then kill it.
            await until(lambda: log_counts(db)[1] == len(answered()), 20, "the answered sends to be confirmed")
            claimed, confirmed = log_counts(db)
            bot.send_signal(signal.SIGKILL)
            await bot.wait()
        finally:
            if bot.returncode is None:
                bot.kill()
                await bot.wait()
        assert claimed == TOTAL  # the sweep claimed everything due before sending
        assert HOLD_AFTER <= confirmed == len(answered()) < TOTAL
        assert log_counts(db) == (TOTAL, confirmed)

        fake.holding = False
        bot = await start_bot(fake, db)
        try:
            await until(lambda: len(answered()) >= TOTAL, 90, "all reminders after the restart")
            await until(lambda: log_counts(db) == (TOTAL, TOTAL), 20, "every reminder confirmed")
            await asyncio.sleep(1.0)  # nothing more arrives
        finally:
            bot.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(bot.wait(), 15)
            except TimeoutError:
                bot.kill()
                await bot.wait()

    titles = Counter()
    for record in answered():
        assert record.text.startswith("Nhắc việc: còn 7 ngày (thứ tư, 02/12/2026) — Việc số ")
        unit = int(record.text.split("Việc số ")[1].split("-")[0])
        assert record.chat_id == 7000 + unit
        titles[record.text.split(" — ")[1].split(" (")[0]] += 1
    assert len(titles) == TOTAL and set(titles.values()) == {1}
    assert len(answered()) == TOTAL


async def stop(bot: asyncio.subprocess.Process, sig: int = signal.SIGTERM) -> None:
    if bot.returncode is None:
        bot.send_signal(sig)
        try:
            await asyncio.wait_for(bot.wait(), 15)
        except TimeoutError:
            bot.kill()
            await bot.wait()


async def test_claims_left_by_a_kill_are_resent_under_todays_rules_six_days_later(tmp_path):
    """Row 16: 11 items (and the digest) claimed on Monday, the bot killed before any message got through,
    restarted on Sunday: each item gets ONE message, the 1-day reminder; no 7-day resend, no old digest;
    the items done or snoozed meanwhile get nothing."""
    db = str(tmp_path / "bot.sqlite3")
    store = await Store.open(db)
    unit_id = await store.create_unit(
        {"kind": "chi_bo", "name": "Chi bộ Thôn Đông", "code": "CB", "place": "Tuyên Quang",
         "signer_name": "Nguyễn Văn An", "signer_title": "BÍ THƯ"}, [], {})  # the Monday digest is on
    await store.link_account("telegram", "7001", unit_id, "owner", "Bí thư")
    titles = [f"Việc số {k:02}" for k in range(1, 12)] + ["Xong trong lúc dừng", "Hoãn trong lúc dừng"]
    await store.conn.executemany(
        "INSERT INTO deadlines (unit_id, kind, title, due, source, created_at) VALUES (?, 'deadline', ?, ?, ?, ?)",
        [(unit_id, title, "2026-11-30", "Kế hoạch số 46-KH/ĐU", OLD) for title in titles])
    await store.conn.execute("UPDATE accounts SET created_at = ?", (OLD,))
    await store.close()

    fake = HoldingTelegram()
    fake.holding = True  # nothing gets through: the first send is held, the rest wait claimed
    async with fake:
        bot = await start_bot(fake, db, "2026-11-23T07:05:00+07:00")
        try:
            await until(lambda: fake.held >= 1, 60, "the fake to hold a send")
            assert log_counts(db) == (14, 0)  # the digest and 13 items' 7-day reminders, none confirmed
        finally:
            await stop(bot, signal.SIGKILL)
        conn = sqlite3.connect(db)
        with conn:
            conn.execute("UPDATE deadlines SET status = 'done' WHERE title = 'Xong trong lúc dừng'")
            conn.execute("UPDATE deadlines SET snoozed_until = '2026-12-01' WHERE title = 'Hoãn trong lúc dừng'")
        conn.close()

        fake.holding = False
        bot = await start_bot(fake, db, "2026-11-29T07:05:00+07:00")
        try:
            await until(lambda: (counts := log_counts(db))[0] == counts[1] >= 11, 60, "every claim confirmed")
            await asyncio.sleep(1.0)  # nothing more arrives
        finally:
            await stop(bot)
        assert log_counts(db) == (11, 11)

    texts = [s.text for s in fake.sent if s.method == "sendMessage"]
    assert sorted(texts) == [f"Nhắc việc: còn 1 ngày (ngày mai, thứ hai, 30/11/2026) — {title} (Kế hoạch số 46-KH/ĐU)"
                             for title in titles[:11]]
