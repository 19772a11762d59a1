"""Exactly once across workers: two `chibo telegram` processes on one PostgreSQL database, one killed mid-sweep.

500 reminders are due now (100 units × 5 deadlines, each unit's secretary in their own private chat; set up through
the store before the workers start; the sweeps' clock frozen by CHIBO_NOW, as in tests/test_reminders_restart.py).
Worker A and worker B run as real processes against two fake Bot API servers of this test (same token; the fakes
together are "Telegram", so what each worker sent is known), with CHIBO_CLAIM_LEASE=3 s. Deterministic, not a race:

1. both workers sweep the same log at the same time: each reminder is claimed by one of them just before its send;
2. after fake A has answered 60 sendMessage calls it stops answering worker A: later requests are held without
   being recorded, as if they never reached Telegram; worker B goes on sending;
3. once every message fake A answered is confirmed in reminder_log (sent_at), worker A is SIGKILLed, with some
   sends held (claimed, never delivered) and the rest of its chats unsent. This is how the one window a kill
   cannot close is kept shut, honestly: the server accepting a message and the worker's confirm write are one
   HTTP response and one write apart, and a kill between them would make the message go twice whatever the
   design; here no answered message is unconfirmed at the kill;
4. fake A answers again and worker A is restarted once its old claims are older than the lease: its sweep takes
   them over (a compare-and-set, so B cannot take the same ones) and sends what B left, beside B.

Then each of the 500 reminders has reached its chat exactly once, across both fakes, and the log has all 500 confirmed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from datetime import date, timedelta

import pytest

from bot.store import NewDeadline, Store
from tests.conftest import ROOT
from tests.fakes.telegram import FakeTelegram
from tests.test_reminders_restart import NOW, HoldingTelegram, stop, until
from tests.test_serve import pg_db  # noqa: F401  (the fixture: a fresh PostgreSQL database, or a skip)

pytestmark = pytest.mark.slow

UNITS, PER_UNIT, HOLD_AFTER = 100, 5, 60
TOTAL = UNITS * PER_UNIT
LEASE = "3"


async def seed(url: str) -> None:
    store = await Store.open(url)
    try:
        due = date.fromisoformat(NOW[:10]) + timedelta(days=7)
        for u in range(1, UNITS + 1):
            unit_id = await store.create_unit(
                {"kind": "chi_bo", "name": f"Chi bộ Thôn {u}", "code": "CB", "place": "Tuyên Quang",
                 "signer_name": "Nguyễn Văn An", "signer_title": "BÍ THƯ"}, [], {"reminders": {"digest": False}})
            await store.link_account("telegram", str(7000 + u), unit_id, "owner", f"Bí thư {u}")
            await store.add_deadlines(unit_id, [NewDeadline("deadline", f"Việc số {u}-{k}", due)
                                                for k in range(1, PER_UNIT + 1)],
                                      source="Kế hoạch số 46-KH/ĐU", created_at="2026-01-01T00:00:00+07:00")
    finally:
        await store.close()


def log_state(url: str) -> tuple[int, int, set[str]]:
    """(rows, confirmed rows, titles of the confirmed) of reminder_log, read with a connection of the test's own."""
    import psycopg

    with psycopg.connect(url) as conn:
        claimed, sent = conn.execute("SELECT COUNT(*), COUNT(sent_at) FROM reminder_log").fetchone() or (0, 0)
        titles = {row[0] for row in conn.execute(
            "SELECT d.title FROM reminder_log r JOIN deadlines d ON r.key LIKE 'dl:' || d.id || ':%' "
            "WHERE r.sent_at IS NOT NULL")}
    return claimed, sent, titles


def title_of(text: str) -> str:
    return text.split(" — ")[1].split(" (")[0]


async def start_worker(fake: FakeTelegram, url: str, log_path: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE": fake.base_url, "CHIBO_NOW": NOW,
           "CHIBO_CLAIM_LEASE": LEASE, "PYTHONUNBUFFERED": "1"}
    env.pop("CHIBO_DB", None)
    with open(log_path, "ab") as log:  # the worker's log, kept for a failing run
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "-v", "telegram", "--db", url, cwd=ROOT, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=log)


async def test_two_workers_one_killed_mid_sweep_each_reminder_once(pg_db, tmp_path):  # noqa: F811
    url = pg_db
    await seed(url)
    fake_a, fake_b = HoldingTelegram(), FakeTelegram()

    def answered(fake: FakeTelegram) -> list:
        return [s for s in fake.sent if s.method == "sendMessage"]

    def on_send(record) -> None:
        if record.method == "sendMessage" and len(answered(fake_a)) >= HOLD_AFTER:
            fake_a.holding = True

    fake_a.on_send = on_send
    async with fake_a, fake_b:
        a = await start_worker(fake_a, url, str(tmp_path / "a.log"))
        b = await start_worker(fake_b, url, str(tmp_path / "b.log"))
        try:
            await until(lambda: fake_a.holding and fake_a.held >= 1, 90, "fake A to hold a send of worker A")
            # worker A confirms each answered message right after its answer: wait for that, then kill it
            await until(lambda: {title_of(s.text) for s in answered(fake_a)} <= log_state(url)[2], 20,
                        "worker A's answered sends to be confirmed")
            a.send_signal(signal.SIGKILL)
            await a.wait()
            by_a = len(answered(fake_a))
            assert by_a == HOLD_AFTER and fake_a.held >= 1
            assert by_a + len(answered(fake_b)) < TOTAL  # killed mid-sweep: B is still sending
            assert b.returncode is None

            fake_a.on_send = None
            fake_a.holding = False
            await asyncio.sleep(float(LEASE) + 0.5)  # A's claims of the held sends are orphans now
            a = await start_worker(fake_a, url, str(tmp_path / "a.log"))
            await until(lambda: len(answered(fake_a)) + len(answered(fake_b)) >= TOTAL, 120, "every reminder")
            await until(lambda: log_state(url)[:2] == (TOTAL, TOTAL), 20, "every reminder confirmed")
            await asyncio.sleep(1.5)  # nothing more arrives
        finally:
            await stop(a)
            await stop(b)

    records = answered(fake_a) + answered(fake_b)
    titles = Counter()
    for record in records:
        assert record.text.startswith("Nhắc việc: còn 7 ngày (thứ tư, 02/12/2026) — Việc số ")
        unit = int(record.text.split("Việc số ")[1].split("-")[0])
        assert record.chat_id == 7000 + unit
        titles[title_of(record.text)] += 1
    assert len(titles) == TOTAL and set(titles.values()) == {1}, [t for t, n in titles.items() if n > 1]
    assert len(records) == TOTAL
    assert answered(fake_b)  # both workers did part of the work
    assert log_state(url)[:2] == (TOTAL, TOTAL)
