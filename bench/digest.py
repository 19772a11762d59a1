"""Benchmark: the Monday digest ("Việc tuần này") to N chats through a fake Bot API enforcing 30 messages/s.

Run from the repository root::

    python bench/digest.py                  # 2,000 chats, the sweep paced as in production
    python bench/digest.py --chats 500
    python bench/digest.py --rate 0         # no pacing by the sweep: PTB's AIORateLimiter alone

What is measured
----------------
A fresh SQLite file holds N units, each with its secretary's private chat on Telegram and one deadline
this week; the clock is frozen on Monday 07:00, the digest moment. FakeTelegram (tests/fakes/telegram.py)
runs on 127.0.0.1 with ``set_rate_limit(30)``: more than 30 sendMessage calls in any sliding second get
HTTP 429 with ``retry_after: 1``. The sender is production's: the Application from
``bot.channels.telegram.build_application`` (so PTB's AIORateLimiter with max_retries=3) and
``reminder_sender``, driven by one ``bot.reminders.sweeper.Sweeper`` sweep with the production rate
(``TELEGRAM_RATE``) and message budget unless ``--rate`` says otherwise.

``--fault N`` makes the server answer one extra 429 after N messages: the rate limiter then pauses every
request for 1.1 s, and the sweep must not follow the pause with a burst that draws more 429s.

Printed: total time of the sweep (claim, build every digest, send, confirm) against the theoretical
N/30 s, the 429 answers served, and from the fake's records the chats that got no digest (lost) and the
extra copies (duplicated); both must be 0.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.channels.telegram import (  # noqa: E402
    CHANNEL,
    MESSAGE_BUDGET,
    TELEGRAM_RATE,
    build_application,
    reminder_sender,
)
from bot.clock import Clock  # noqa: E402
from bot.reminders.sweeper import Sweeper  # noqa: E402
from bot.store import Store  # noqa: E402
from handlers.router import Assistant  # noqa: E402
from tests.fakes.telegram import FakeTelegram  # noqa: E402
from tests.telegram_harness import settings_for  # noqa: E402

MONDAY = datetime.fromisoformat("2026-11-23T07:00:00+07:00")
LIMIT = 30  # messages per second the fake server allows
FIRST_CHAT = 100_001


async def seed(path: str, chats: int) -> None:
    store = await Store.open(path)
    old = "2026-01-01T00:00:00+07:00"
    due = (MONDAY.date() + timedelta(days=3)).isoformat()
    for n in range(chats):
        unit_id = await store.create_unit(
            {"kind": "chi_bo", "name": f"Chi bộ Thôn {n + 1}", "code": "CB", "place": "Tuyên Quang",
             "signer_name": "Nguyễn Văn An", "signer_title": "BÍ THƯ"}, [])
        await store.link_account(CHANNEL, str(FIRST_CHAT + n), unit_id, "owner", f"Bí thư {n + 1}")
        await store.conn.execute(
            "INSERT INTO deadlines (unit_id, kind, title, due, source, created_at) VALUES (?, 'deadline', ?, ?, ?, ?)",
            (unit_id, "Nộp báo cáo sơ kết công tác quý IV", due, "Kế hoạch số 46-KH/ĐU", old))
    await store.conn.execute("UPDATE accounts SET created_at = ?", (old,))
    await store.close()


async def run(chats: int, rate: float | None, fault_at: int = 0) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = f"{tmp}/digest.sqlite3"
        await seed(db, chats)
        store = await Store.open(db)
        clock = Clock(frozen=MONDAY)
        def inject(record) -> None:  # --fault: one extra 429 (retry_after 1 s) after `fault_at` messages
            if fault_at and record.method == "sendMessage" and len(fake.sent) == fault_at:
                fake.fail_next("sendMessage", status=429, retry_after=1)

        async with FakeTelegram(on_send=inject) as fake:
            fake.set_rate_limit(LIMIT)
            app = build_application(settings_for(fake), Assistant(store, clock))
            async with app:  # initialised (the bot and its rate limiter), not started: no polling, no job
                sweeper = Sweeper(store, clock, CHANNEL, reminder_sender(app.bot), rate=rate, budget=MESSAGE_BUDGET)
                started = time.perf_counter()
                result = await sweeper.sweep()
                elapsed = time.perf_counter() - started
            counts = [len(fake.messages_to(FIRST_CHAT + n)) for n in range(chats)]
            texts_ok = all(m.text.startswith("Việc tuần này (23/11/2026 – 29/11/2026)")
                           for n in range(chats) for m in fake.messages_to(FIRST_CHAT + n))
            rate_limited = fake.rate_limited + fake.failures_served
        async with store.conn.execute("SELECT COUNT(*) AS n, COUNT(sent_at) AS sent FROM reminder_log") as cur:
            logged = await cur.fetchone()
        await store.close()
    return {"chats": chats, "elapsed": elapsed, "ideal": chats / LIMIT, "result": result,
            "lost": sum(1 for c in counts if c == 0), "duplicated": sum(c - 1 for c in counts if c > 1),
            "rate_limited": rate_limited, "texts_ok": texts_ok, "logged": logged["n"], "confirmed": logged["sent"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=TELEGRAM_RATE,
                        help=f"the sweep's own pacing in messages/s (default {TELEGRAM_RATE}; 0 = none)")
    parser.add_argument("--fault", type=int, default=0, metavar="N",
                        help="make the server answer one extra 429 (retry_after 1 s) after N messages")
    args = parser.parse_args()
    r = asyncio.run(run(args.chats, args.rate or None, args.fault))
    over = (r["elapsed"] / r["ideal"] - 1) * 100
    print(f"Monday digest to {r['chats']} chats, fake Bot API limited to {LIMIT} messages/s, "
          f"sweep pacing {args.rate or 'off'} msg/s, PTB AIORateLimiter"
          + (f", one injected 429 after {args.fault} messages" if args.fault else ""))
    print(f"  total time      {r['elapsed']:.1f} s   (theoretical {r['chats']}/{LIMIT} = {r['ideal']:.1f} s; "
          f"{over:+.1f}%)")
    print(f"  throughput      {r['chats'] / r['elapsed']:.2f} messages/s")
    print(f"  429 answers     {r['rate_limited']}")
    print(f"  lost            {r['lost']}")
    print(f"  duplicated      {r['duplicated']}")
    print(f"  reminder_log    {r['logged']} claimed, {r['confirmed']} confirmed; sweep: {r['result'].sent} sent, "
          f"{r['result'].failed} failed")
    print(f"  digest texts    {'ok' if r['texts_ok'] else 'UNEXPECTED'}")


if __name__ == "__main__":
    main()
