"""Load benchmark on Zalo: the 200-chat onboarding run over the fake Zalo server, beside the same over the
fake Telegram server, and the messages a task costs on Zalo (its free plan allows ~3,000 a month per bot).

Run from the repository root::

    python bench/zalo_load.py                    # 200 chats, people typing (think 2 s), ~2 minutes
    python bench/zalo_load.py --think 0          # the closed loop (maximum throughput)
    python bench/zalo_load.py --chats 50 --time-limit 0 --channels zalo

It prints numbers, it does not pass or fail.

The harness is bench/telegram_load.py's (read its docstring): N people each walk through the onboarding
(``tests.conftest.ONBOARD``) in a private chat of their own, all at once; how many messages each answer
gets is learnt from one warm-up chat, a turn ends when its last expected message reaches the fake server,
latency is from the user's message being queued on the fake to that last message arriving; a measurement
stops after ``--time-limit`` seconds (turns still unanswered then count with their age, marked ``*``). The
layout is "split": the fake server and the people in one process, the bot in another.

The Zalo bot is the real channel as ``chibo zalo`` builds it (``bot.channels.zalo.ZaloChannel`` on a
``ZaloBot`` client, production poll timeout and typing delay) against ``tests.fakes.zalo.FakeZalo``, which,
like Zalo, hands out ONE update per getUpdates call. The Telegram row is telegram_load's production bot
(``--bots ours``) against FakeTelegram, measured in the same way, so the ratio compares the channels.

Messages per task: the Zalo messages one completed onboarding costs (the warm-up's counts, checked on every
finished chat), and the messages of replaying tests/scenarios/seed_002.txt (a plan from above typed in,
through to the issued plan) as one Zalo chat; with the monthly quota, how many such tasks a month fit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from bench.telegram_load import (  # noqa: E402
    DEFAULT_THINK,
    FIRST_CHAT,
    POLL_INTERVAL,
    POLL_TIMEOUT,
    QUIET,
    TIME_LIMIT,
    WARMUP_CHAT,
    ErrorLog,
    Result,
    Turns,
    _busy_cpu_seconds,
    close_run,
    describe,
    person,
    run_measurement,
    warm_up,
)
from tests.fakes.zalo import FakeZalo, Sent  # noqa: E402

MONTHLY_QUOTA = 3000  # messages a month per Zalo bot on the free plan
SEED_PLAN = "seed_002"


class HookedZalo(FakeZalo):
    """FakeZalo that reports every message it accepts, as FakeTelegram's on_send does; chat ids are the
    harness's integers (Zalo's are strings)."""

    def __init__(self, on_send: Turns):
        super().__init__()
        self.on_send = on_send

    def _record(self, sent: Sent) -> Any:
        response = super()._record(sent)
        self.on_send(SimpleNamespace(method=sent.method, chat_id=int(sent.chat_id), text=sent.text, at=sent.at))
        return response


class People:
    """What bench.telegram_load.person needs of a fake server: push_text with an integer chat id."""

    def __init__(self, fake: FakeZalo):
        self.fake = fake

    def push_text(self, chat_id: int, text: str, first_name: str = "") -> None:
        self.fake.push_text(str(chat_id), text, name=first_name or "Người dùng")


def calls(fake: FakeZalo) -> dict[str, int]:
    counted: dict[str, int] = {}
    for method, _ in fake.calls:
        counted[method] = counted.get(method, 0) + 1
    return counted


# -- the bot process -------------------------------------------------------------------------------


def serve_bot(opts: argparse.Namespace) -> None:
    """The Zalo channel as in production on a fresh SQLite file; READY, then run until stdin says stop."""
    log = ErrorLog().install()

    async def main() -> None:
        from bot.channels.zalo import ZaloChannel
        from bot.channels.zalo_api import ZaloBot
        from bot.clock import Clock
        from bot.store import Store
        from handlers.router import Assistant
        from tests.conftest import NOW

        store = await Store.open(opts.db)
        bot = ZaloBot(opts.token, opts.base_url)
        channel = ZaloChannel(bot, Assistant(store, Clock(frozen=NOW)))
        task = asyncio.create_task(channel.run(first_sweep=3600))
        print("READY", flush=True)
        loop = asyncio.get_running_loop()
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
            if line == "errors":
                print("ERRORS " + json.dumps(log.summary()), flush=True)
            else:
                break
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        await bot.close()
        await store.close()

    asyncio.run(main())
    print("USAGE " + json.dumps({"maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}), flush=True)


# -- the driver ------------------------------------------------------------------------------------


async def start_child(fake: FakeZalo, db: str) -> asyncio.subprocess.Process:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--serve", "--token", fake.token,
           "--base-url", fake.base_url, "--db", db]
    child = await asyncio.create_subprocess_exec(*cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=str(ROOT))
    assert child.stdout is not None
    line = await asyncio.wait_for(child.stdout.readline(), 60)
    if line.strip() != b"READY":
        raise SystemExit(f"the Zalo bot process did not start: {line!r}")
    return child


async def measure(opts: argparse.Namespace) -> Result:
    """One Zalo measurement: fake Zalo and the people here, the channel in a child process."""
    from tests.conftest import ONBOARD

    think = opts.think_one
    result = Result(bot="zalo", think=think, layout="split", chats=opts.chats)
    turns = Turns()
    me = psutil.Process()
    with tempfile.TemporaryDirectory(prefix="chibo-bench-zalo-") as tmp:
        async with HookedZalo(turns) as fake:
            child = await start_child(fake, os.path.join(tmp, "bench.sqlite3"))
            assert child.stdin is not None
            bot_proc = psutil.Process(child.pid)

            chat = str(WARMUP_CHAT)
            result.counts = counts = await warm_up(fake, ONBOARD, chat, lambda text: fake.push_text(chat, text, name="Warm"))
            result.answers = list(ONBOARD)
            if "Đã tạo hồ sơ" not in "\n".join(fake.messages_to(str(WARMUP_CHAT))[-counts[-1]:]):
                raise SystemExit("the warm-up chat did not finish onboarding")
            fake.sent.clear()
            fake.calls.clear()
            rng = random.Random(opts.seed)
            chats = [FIRST_CHAT + i for i in range(opts.chats)]
            bot_cpu0, me_cpu0, busy0 = sum(bot_proc.cpu_times()[:2]), sum(me.cpu_times()[:2]), _busy_cpu_seconds()
            started = time.monotonic()
            turns.measuring = True
            inflight: dict[int, float] = {}
            users = People(fake)
            people = [asyncio.ensure_future(person(users, turns, chat, ONBOARD, counts, think, rng, result, inflight))
                      for chat in chats]
            _, running = await asyncio.wait(people, timeout=opts.time_limit or None)
            end = time.monotonic()
            turns.measuring = False
            result.api_calls = calls(fake)
            result.replies = turns.replies
            bot_cpu = sum(bot_proc.cpu_times()[:2]) - bot_cpu0
            me_cpu = sum(me.cpu_times()[:2]) - me_cpu0
            elapsed = end - started
            result.other_cpu = max(0.0, _busy_cpu_seconds() - busy0 - bot_cpu - me_cpu) / elapsed
            result.bot_cpu, result.driver_cpu = bot_cpu / elapsed, me_cpu / elapsed
            close_run(result, running, inflight, opts.time_limit, end, started)

            await asyncio.sleep(QUIET)
            result.stray = turns.stray
            for chat, task in zip(chats, people, strict=True):
                if task.cancelled() or not task.result():
                    continue
                got = fake.messages_to(str(chat))
                if len(got) != sum(counts) or "Đã tạo hồ sơ" not in "\n".join(got[-counts[-1]:]):
                    result.wrong_chats += 1

            child.stdin.write(b"errors\nstop\n")
            await child.stdin.drain()
            out, _ = await asyncio.wait_for(child.communicate(), 60)
            for line in out.decode().splitlines():
                if line.startswith("USAGE "):
                    result.rss_mb = json.loads(line[6:])["maxrss_kb"] / 1024
                elif line.startswith("ERRORS "):
                    result.bot_log = json.loads(line[7:])
    return result


def run_zalo(opts: argparse.Namespace, think: float, round_no: int) -> Result:
    """One Zalo measurement in fresh processes."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--measure", "--think-one", str(think),
           "--chats", str(opts.chats), "--seed", str(opts.seed + round_no), "--time-limit", str(opts.time_limit)]
    proc = subprocess.run(cmd, cwd=str(ROOT), stdout=subprocess.PIPE, text=True, check=False)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if proc.returncode or line is None:
        raise SystemExit(f"Zalo measurement think={think:g} failed (exit {proc.returncode}):\n{proc.stdout}")
    return Result(**json.loads(line[7:]))


def run_telegram(opts: argparse.Namespace, think: float, round_no: int) -> Result:
    """telegram_load's production bot, measured by its own harness (fresh processes, split layout)."""
    telegram_opts = argparse.Namespace(profile=None, layout="split", chats=opts.chats, seed=opts.seed,
                                       time_limit=opts.time_limit, poll_interval=POLL_INTERVAL,
                                       poll_timeout=POLL_TIMEOUT, echo_concurrency=0, builder=[])
    return run_measurement(telegram_opts, "ours", think, round_no)


# -- messages per task -----------------------------------------------------------------------------


def scenario_lines(name: str) -> list[str]:
    """The user's lines of tests/scenarios/<name>.txt (comments and expectations left out)."""
    text = (ROOT / "tests" / "scenarios" / f"{name}.txt").read_text(encoding="utf-8")
    return [ln.replace("\\n", "\n").strip() for ln in text.splitlines()
            if ln.strip() and not ln.lstrip().startswith("#")]


async def seed_plan_messages(name: str = SEED_PLAN) -> dict[str, Any]:
    """Replay a seed plan as one Zalo chat (the real channel, the fake server, a fresh database)."""
    from bot.clock import Clock
    from tests.conftest import NOW
    from tests.zalo_harness import running_zalo

    lines = scenario_lines(name)
    with tempfile.TemporaryDirectory(prefix="chibo-bench-seed-") as tmp:
        async with FakeZalo() as fake, running_zalo(fake, Path(tmp) / "seed.sqlite3", Clock(frozen=NOW)) as run:
            for line in lines:
                await run.say("42", line)
            documents = await run.store.documents(1)
            counted = calls(fake)
    return {"lines": len(lines), "messages": counted.get("sendMessage", 0) + counted.get("sendPhoto", 0),
            "replies": sum(run.replies), "typing": counted.get("sendChatAction", 0), "documents": len(documents)}


# -- main ------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", type=int, default=200, help="concurrent simulated chats (default 200)")
    parser.add_argument("--think", type=float, default=DEFAULT_THINK,
                        help=f"think time in seconds, uniform 0.5x..1.5x (default {DEFAULT_THINK:g}; 0 = closed loop)")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT,
                        help=f"end a measurement after this many seconds (default {TIME_LIMIT:g}; 0 = none)")
    parser.add_argument("--channels", default="zalo,telegram", help="comma-separated, from zalo,telegram")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--think-one", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)
    if opts.serve:
        serve_bot(opts)
        return
    if opts.measure:
        print("RESULT " + json.dumps(asdict(asyncio.run(measure(opts)))), flush=True)
        return

    from tests.conftest import ONBOARD

    channels = [c.strip() for c in opts.channels.split(",") if c.strip()]
    started = time.monotonic()
    print(f"Zalo load benchmark: {opts.chats} concurrent chats x {len(ONBOARD)} onboarding messages; "
          f"{os.cpu_count()} CPUs; think {opts.think:g}s; time limit "
          f"{f'{opts.time_limit:g}s' if opts.time_limit else 'none'}; split layout (bot in its own process)")
    rows: dict[str, Result] = {}
    for channel in channels:
        result = run_zalo(opts, opts.think, 0) if channel == "zalo" else run_telegram(opts, opts.think, 0)
        result.bot = channel[:4]
        rows[channel] = result
        print(f"\n{channel}:")
        print("\n".join(describe(result)), flush=True)
        print(f"       messages per answer: {result.counts} = {sum(result.counts)} per onboarding")

    print(f"\nSummary ({opts.chats} chats, think {opts.think:g}s)")
    header = f"{'channel':<9} {'updates/s':>10} {'msgs/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'RSS MB':>7}"
    print(header)
    print("-" * len(header))
    for channel, r in rows.items():
        marks = ("*" if r.unfinished else "") + ("!" if r.problems else "")
        print(f"{channel:<9} {r.rate:>10.1f} {r.reply_rate:>8.1f} {r.pct(50):>8.0f} {r.pct(95):>8.0f} "
              f"{r.pct(99):>8.0f} {r.rss_mb:>7.0f} {marks}")
    if "zalo" in rows and "telegram" in rows and rows["telegram"].rate:
        z, t = rows["zalo"], rows["telegram"]
        print(f"Zalo/Telegram: throughput {z.rate / t.rate:.0%}, p99 {z.pct(99):.0f} ms vs {t.pct(99):.0f} ms")
    if any(r.unfinished for r in rows.values()):
        print("* stopped by the time limit: the figures cover the window; unanswered turns count with their age")
    if any(r.problems for r in rows.values()):
        print("! some turns failed (error apology, timeout or wrong messages): see the lines above")

    print("\nMessages per task on Zalo (monthly quota ~3,000 messages per bot)")
    if "zalo" in rows:
        per = sum(rows["zalo"].counts)
        print(f"  onboarding ({len(ONBOARD)} user messages): {per} bot messages "
              f"({per / len(ONBOARD):.2f} per user message) -> {MONTHLY_QUOTA // per} onboardings a month")
    if "telegram" in rows:
        print(f"  (the same onboarding on Telegram: {sum(rows['telegram'].counts)} bot messages)")
    seed = asyncio.run(seed_plan_messages())
    print(f"  {SEED_PLAN} (a plan from above typed in, through to the issued plan; {seed['lines']} user messages): "
          f"{seed['messages']} bot messages ({seed['messages'] / seed['lines']:.2f} per user message; "
          f"{seed['replies']} replies before merging; {seed['typing']} typing actions, not messages; "
          f"{seed['documents']} document issued) -> {MONTHLY_QUOTA // max(seed['messages'], 1)} such plans a month")
    print(f"total time {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    main()
