"""Load benchmark: our Telegram bot vs a bare python-telegram-bot echo bot, both against FakeTelegram.

Run from the repository root::

    python bench/telegram_load.py                     # both scenarios below, 200 chats, ~3 minutes
    python bench/telegram_load.py --think 0           # the closed loop only
    python bench/telegram_load.py --chats 50 --think 2.0 --rounds 3 --time-limit 0

It prints numbers, it does not pass or fail.

What is measured
----------------
N simulated people (``--chats``, default 200) each walk through the onboarding conversation
(``tests.conftest.ONBOARD``) in their own private chat, all at the same time. A person sends one
answer (``FakeTelegram.push_text``), waits until the bot has finished replying, optionally "thinks",
then sends the next answer. How many messages the bot sends for each answer is deterministic; the
counts are learnt before every measurement from one warm-up chat (a turn is over after a quiet
moment) and then a turn ends exactly when its last expected message reaches the fake server. The
results are checked afterwards: no chat may get more or fewer messages than expected, and for our
bot each finished chat must end with "Đã tạo hồ sơ". If the bot answers with its error apology
("Xin lỗi, tôi gặp lỗi ...") the turn counts as an error and that person stops.

The latency of a turn is the time from ``push_text`` to the moment the fake server received the last
reply of that turn (``Sent.at``, via the ``on_send`` hook): long-poll delivery of the update, the
bot's work and the reply's HTTP request. updates/s = user messages answered / wall time; replies/s
counts the bot's messages.

The baseline is a bare PTB echo bot (one ``MessageHandler`` that answers with
``update.message.reply_text``), with the same fake server, the same long-polling settings
(poll_interval=0, timeout=1, as ``tests.telegram_harness.running_bot``) and the same number of user
messages. It runs with ``concurrent_updates(256)``, the concurrency our ``PerChatUpdateProcessor(256)``
allows; a sequential echo bot would mostly measure HTTP round trips. It has no rate limiter.

Our bot is built exactly as in production, through ``tests.telegram_harness.running_bot`` (which
calls ``bot.channels.telegram.build_application``) on a fresh SQLite file, so a change made to
``build_application`` is what this benchmark then measures. For investigation only,
``--builder KEY=VALUE`` applies one more ``ApplicationBuilder`` call to both bots, after
``build_application``'s own, e.g. ``--builder connection_pool_size=16``,
``--builder "concurrent_updates=PerChatUpdateProcessor(16)"`` or
``--builder "rate_limiter=AIORateLimiter(overall_max_rate=0, max_retries=3)"``.

Scenarios
---------
* ``think 0`` -- closed loop, no think time: each chat sends its next answer the instant the
  previous turn ends, so there are always N (200) messages waiting or in progress. This measures the
  maximum throughput (updates/s). Its latency is not what a user would see: by Little's law
  latency ~= messages in flight / throughput (200 / 300 per s = 670 ms), so the 100 ms p99 target
  cannot be met by any bot here, the echo bot included.
* ``think T`` (default T = 2.0 s) -- people type: after each reply a person waits uniformly
  0.5T..1.5T seconds (and the chats start spread over the first T seconds). 200 chats then offer
  about 200 / T = 100 updates/s. While a bot keeps up, its throughput equals that offered load (the
  ratio to the echo bot is ~100%) and the percentiles are the latency users see at that load: the
  scenario the 100 ms p99 target is about. If a bot cannot keep up, its queue and latency grow for as
  long as the measurement runs.

Time limit
----------
A measurement stops after ``--time-limit`` seconds (default 40; 0 = none) so that a full run stays
near 3 minutes even when a bot is too slow to finish 200 x 14 messages in time (our production bot,
capped at 30 messages/s by its rate limiter, needs about 2 minutes per scenario). The figures then
cover the window: updates/s counts the turns completed in it, and the latency of each turn still
unanswered at the end is counted as its age at that moment (a lower bound). Such rows are marked
with ``*``. Early turns of the onboarding send more messages than late ones, so a capped run is not
exactly the average over the whole flow.

Process layout
--------------
``--layout split`` (default): the fake Telegram server and the simulated people run in one process,
the bot under test in another, so on the 2-core machine each gets a core of its own, as in
production where Telegram is elsewhere (the driver needs 10-25% of a core; the bot is the one that
saturates). ``--layout inproc`` runs all three on one event loop. Every measurement runs in fresh
processes. Peak RSS is the bot process's ``ru_maxrss`` (split) or the single process's (inproc). bot
CPU is the bot process's CPU time over the window (100% = one core); "other" is CPU used by
unrelated processes on the machine during the window -- when it is high the figures are disturbed.

Errors the bot logs (its tracebacks are not shown) are counted and the most frequent are printed.

What limits throughput (python-telegram-bot 22.8, httpx 0.28.1, httpcore 1.0.9, 2 cores)
------------------------------------------------------------------------------------------
* Our bot as built by ``build_application``: ``AIORateLimiter``'s overall limit of 30 messages/s
  (its default, Telegram's documented bulk limit). With ~1.2 messages per answer that is ~21-25
  updates/s whatever the CPU (the bot process idles at ~20%), so both scenarios at 200 chats
  overload it and latencies grow to seconds. Even at ``--think 10`` (~20 updates/s offered) the
  start, when every chat gets its two-message welcome at once, queues for seconds (p95 ~3.7 s).
* Without that throttle (``--builder "rate_limiter=AIORateLimiter(overall_max_rate=0, max_retries=3)"``)
  both bots are CPU bound in the bot process, ~90% of it in PTB and httpx/httpcore (our handlers
  and SQLite ~5-7%). httpcore's connection pool does work proportional to connections x waiting
  requests for every request, so 200 concurrent updates through PTB's default 256-connection pool
  cost about twice as much per request as 16 through 16 (``concurrent_updates(...(16))`` plus
  ``connection_pool_size(16)``). And httpcore 1.0.9 tries ``import sniffio`` (a failed search of
  sys.path) every time it sets up a lock; anyio 4.16 no longer installs sniffio, so installing it
  makes requests cheaper again.
* Per update our bot costs about twice the echo bot: it sends ~1.2 messages (echo 1), its long
  polls return smaller batches (~0.9 getUpdates per update against ~0.1 for the echo bot in the
  closed loop) and it makes several aiosqlite round trips through one worker thread.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

QUIET = 0.25  # seconds without a new message that end a warm-up turn
TURN_TIMEOUT = 60.0
ERROR_REPLIES = ("Xin lỗi, tôi gặp lỗi",)  # router.Assistant.handle and channels.telegram.on_error
WARMUP_CHAT = 1
FIRST_CHAT = 1001
DEFAULT_THINK = 2.0
TIME_LIMIT = 40.0
ECHO_CONCURRENCY = 256
POLL_INTERVAL = 0.0  # as tests.telegram_harness.running_bot
POLL_TIMEOUT = 1.0
STRING_KNOBS = {"http_version", "get_updates_http_version"}


# -- the bots (in the bot process, or on the driver's loop with --layout inproc) -------------------


def _parse_value(key: str, raw: str) -> Any:
    if key in STRING_KNOBS:
        return raw
    if raw.lower() == "none":
        return None
    if "(" in raw:  # an object, e.g. AIORateLimiter(overall_max_rate=0, max_retries=3)
        import telegram.ext

        from bot.channels.telegram import PerChatUpdateProcessor

        names = {**vars(telegram.ext), "PerChatUpdateProcessor": PerChatUpdateProcessor}
        return eval(raw, names)  # local investigation knob, typed by whoever runs the benchmark
    for kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            pass
    return raw


def parse_builder(items: list[str]) -> dict[str, Any]:
    knobs: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--builder expects KEY=VALUE, got {item!r}")
        knobs[key.strip()] = _parse_value(key.strip(), value.strip())
    return knobs


def _apply_knobs(builder, knobs: dict[str, Any]):
    for key, value in knobs.items():
        builder = getattr(builder, key)(value)
    return builder


def _patch_production_builder(knobs: dict[str, Any]) -> None:
    """Investigation only: build_application's ApplicationBuilder also gets `knobs`, applied last."""
    if not knobs:
        return
    import bot.channels.telegram as channel

    class Tuned(channel.ApplicationBuilder):  # type: ignore[misc, valid-type]
        def build(self):
            _apply_knobs(self, knobs)
            return super().build()

    channel.ApplicationBuilder = Tuned


class _Endpoint(SimpleNamespace):
    """The two attributes of a FakeTelegram that tests.telegram_harness.settings_for reads."""

    token: str
    base_url: str
    # by identity, as a FakeTelegram: tests.telegram_harness.running_bot keys a WeakKeyDictionary by it
    __eq__ = object.__eq__
    __hash__ = object.__hash__


async def _start_echo(endpoint: _Endpoint, knobs: dict[str, Any], concurrency: int, poll: tuple[float, float]):
    from telegram.ext import ApplicationBuilder, MessageHandler, filters

    async def echo(update, context) -> None:
        await update.message.reply_text(update.message.text)

    builder = (
        ApplicationBuilder()
        .token(endpoint.token)
        .base_url(f"{endpoint.base_url}/bot")
        .base_file_url(f"{endpoint.base_url}/file/bot")
    )
    if concurrency:
        builder = builder.concurrent_updates(concurrency)
    app = _apply_knobs(builder, knobs).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=poll[0], timeout=poll[1])

    async def stop() -> None:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()

    return stop


async def _start_ours(endpoint: _Endpoint, db_path: str, knobs: dict[str, Any], poll: tuple[float, float]):
    from bot.clock import Clock
    from tests.conftest import NOW

    _patch_production_builder(knobs)
    clock = Clock(frozen=NOW)
    if poll == (POLL_INTERVAL, POLL_TIMEOUT):
        from tests.telegram_harness import running_bot

        context = running_bot(endpoint, db_path, clock)  # type: ignore[arg-type]
        await context.__aenter__()

        async def stop() -> None:
            await context.__aexit__(None, None, None)

        return stop

    # What running_bot does, with other long-polling settings (investigation only).
    from bot.channels.telegram import build_application
    from bot.store import Store
    from handlers.router import Assistant
    from tests.telegram_harness import settings_for

    store = await Store.open(db_path)
    app = build_application(settings_for(endpoint), Assistant(store, clock))  # type: ignore[arg-type]
    await app.initialize()
    await app.post_init(app)
    await app.start()
    await app.updater.start_polling(poll_interval=poll[0], timeout=poll[1])

    async def stop_custom() -> None:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await store.close()

    return stop_custom


async def start_bot(kind: str, endpoint: _Endpoint, db_path: str, opts: argparse.Namespace):
    knobs = parse_builder(opts.builder)
    poll = (opts.poll_interval, opts.poll_timeout)
    if kind == "ours":
        return await _start_ours(endpoint, db_path, knobs, poll)
    return await _start_echo(endpoint, knobs, opts.echo_concurrency, poll)


class ErrorLog(logging.Handler):
    """Counts what the bot logs at WARNING and above instead of printing tracebacks."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors = 0
        self.kinds: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.errors += 1
        exc = record.exc_info[1] if record.exc_info else None
        self.kinds[f"{type(exc).__name__}: {exc}"[:160] if exc else record.getMessage()[:160]] += 1

    def install(self) -> ErrorLog:
        logging.getLogger().addHandler(self)
        return self

    def summary(self) -> dict[str, Any]:
        return {"errors": self.errors, "kinds": self.kinds.most_common(3)}


def _start_profiler(path: str | None):
    if not path:
        return None
    try:
        if os.environ.get("BENCH_PROFILER") == "cprofile":
            raise ImportError
        from pyinstrument import Profiler  # optional, investigation only
    except ImportError:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        return ("cprofile", profiler, path)
    profiler = Profiler(async_mode="disabled", interval=0.002)
    profiler.start()
    return ("pyinstrument", profiler, path)


def _stop_profiler(handle) -> None:
    if handle is None:
        return
    kind, profiler, path = handle
    if kind == "cprofile":
        profiler.disable()
        profiler.dump_stats(path + ".prof")
    else:
        session = profiler.stop()
        session.save(path + ".pyisession")  # pyinstrument --load FILE -r html
        Path(path + ".txt").write_text(profiler.output_text(unicode=True, show_all=False))


def serve_bot(opts: argparse.Namespace) -> None:
    """The bot process (--layout split): start, say READY, obey stdin until "stop", report usage."""
    log = ErrorLog().install()

    async def main() -> None:
        endpoint = _Endpoint(token=opts.token, base_url=opts.base_url)
        stop = await start_bot(opts.serve, endpoint, opts.db, opts)
        print("READY", flush=True)
        loop = asyncio.get_running_loop()
        profiler = None
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
            if line == "profile":
                profiler = _start_profiler(opts.profile)
            elif line == "unprofile":
                _stop_profiler(profiler)
                profiler = None
            elif line == "errors":
                print("ERRORS " + json.dumps(log.summary()), flush=True)
            else:
                break
        await stop()

    asyncio.run(main())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print("USAGE " + json.dumps({"maxrss_kb": usage.ru_maxrss}), flush=True)


# -- the driver: fake Telegram and simulated people ---------------------------------------------------


@dataclass
class Result:
    bot: str
    think: float
    layout: str
    chats: int
    messages: int = 0  # turns completed in the window
    replies: int = 0  # bot messages to the measured chats in the window
    wall: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    by_answer: dict[str, list[float]] = field(default_factory=dict)  # answer index -> latencies (ms)
    censored: int = 0  # turns unanswered at the time limit, counted with their age
    rss_mb: float = 0.0
    bot_cpu: float = 0.0  # fraction of one core during the window
    driver_cpu: float = 0.0
    other_cpu: float = 0.0  # cores used by unrelated processes during the window
    api_calls: dict[str, int] = field(default_factory=dict)
    counts: list[int] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    timeouts: int = 0
    errors: int = 0
    wrong_chats: int = 0
    stray: int = 0
    unfinished: int = 0  # chats still in their flow when the time limit ended the window
    time_limit: float = 0.0
    bot_log: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.messages / self.wall if self.wall else 0.0

    @property
    def reply_rate(self) -> float:
        return self.replies / self.wall if self.wall else 0.0

    @property
    def problems(self) -> bool:
        return bool(self.timeouts or self.errors or self.wrong_chats or self.stray)

    def pct(self, q: float) -> float:
        return _pct(self.latencies_ms, q)


def _pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    data = sorted(values)
    if not data:
        return float("nan")
    return data[min(len(data) - 1, max(0, round(q / 100 * len(data) + 0.5) - 1))]


class Turns:
    """The on_send hook: a chat's turn is over when its expected number of messages has arrived."""

    def __init__(self) -> None:
        from tests.fakes.telegram import MESSAGE_METHODS

        self.methods = MESSAGE_METHODS
        self.pending: dict[int, list[Any]] = {}
        self.measuring = False
        self.replies = 0
        self.stray = 0

    def expect(self, chat_id: int, count: int) -> asyncio.Future[float | None]:
        """Resolves to the arrival time of the turn's last message, or None if the bot apologised."""
        future = asyncio.get_running_loop().create_future()
        self.pending[chat_id] = [count, future]
        return future

    def __call__(self, record) -> None:
        if record.method not in self.methods or record.chat_id == WARMUP_CHAT:
            return
        if self.measuring:
            self.replies += 1
        state = self.pending.get(record.chat_id)
        if state is None:
            self.stray += 1
            return
        if (record.text or "").startswith(ERROR_REPLIES):
            del self.pending[record.chat_id]
            if not state[1].done():
                state[1].set_result(None)
            return
        state[0] -= 1
        if state[0] == 0:
            del self.pending[record.chat_id]
            if not state[1].done():  # cancelled when the time limit ended the window
                state[1].set_result(record.at)


async def warm_up(fake, answers: list[str], chat: Any = WARMUP_CHAT,
                  push: Callable[[str], None] | None = None) -> list[int]:
    """One chat through the flow; how many messages each answer gets, found by waiting for quiet.
    `push(text)` sends one answer as that chat (default: the fake Telegram's push_text)."""
    push = push or (lambda text: fake.push_text(chat, text, first_name="Warm"))
    counts: list[int] = []
    seen = 0
    for text in answers:
        push(text)
        messages = await fake.wait_sent(chat, seen + 1, timeout=30)
        while True:
            await asyncio.sleep(QUIET)
            now = fake.messages_to(chat)
            if len(now) == len(messages):
                break
            messages = now
        counts.append(len(messages) - seen)
        seen = len(messages)
    return counts


async def person(fake, turns: Turns, chat_id: int, answers: list[str], counts: list[int], think: float,
                 rng: random.Random, result: Result, inflight: dict[int, float]) -> bool:
    """One person through the flow; True if every turn was answered as expected."""
    if think:
        await asyncio.sleep(rng.uniform(0, think))
    for i, (text, count) in enumerate(zip(answers, counts, strict=True)):
        reply = turns.expect(chat_id, count)
        start = inflight[chat_id] = time.monotonic()
        fake.push_text(chat_id, text, first_name="Người dùng")
        try:
            done = await asyncio.wait_for(reply, TURN_TIMEOUT)
        except TimeoutError:
            turns.pending.pop(chat_id, None)
            result.timeouts += 1
            return False
        finally:
            inflight.pop(chat_id, None)
        if done is None:  # the bot apologised; the rest of the flow would be out of step
            result.errors += 1
            return False
        result.latencies_ms.append((done - start) * 1000)
        result.by_answer.setdefault(str(i), []).append((done - start) * 1000)
        result.messages += 1
        result.wall = max(result.wall, done)
        if think and i < len(answers) - 1:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
    return True


def close_run(result: Result, running: set, inflight: dict, time_limit: float, end: float, started: float) -> None:
    """The end of a measured run: at the time limit, the unanswered turns count with their age so far."""
    elapsed = end - started
    if running:
        result.unfinished, result.time_limit = len(running), time_limit
        result.censored = len(inflight)
        result.latencies_ms += [(end - start) * 1000 for start in inflight.values()]
        result.wall = elapsed
        for task in running:
            task.cancel()
    else:
        result.wall = result.wall - started if result.messages else elapsed


def wrong_chats(fake, chats: list[int], people: Sequence[asyncio.Future[bool]], counts: list[int], *,
                onboarding: bool) -> int:
    """The finished chats that did not get exactly the expected messages (with `onboarding`: or whose last
    turn lacks "Đã tạo hồ sơ")."""
    expected, wrong = sum(counts), 0
    for chat, task in zip(chats, people, strict=True):
        if not task.done() or task.cancelled() or not task.result():
            continue  # unfinished at the time limit (a cancel may still be on its way), or an error or timeout
        got = fake.messages_to(chat)
        last_turn = " ".join(m.text or "" for m in got[len(got) - counts[-1]:])
        if len(got) != expected or (onboarding and "Đã tạo hồ sơ" not in last_turn):
            wrong += 1
    return wrong


def _busy_cpu_seconds() -> float:
    """CPU seconds used by every process on the machine so far (to spot a busy machine)."""
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0) - getattr(t, "guest", 0.0) - getattr(t, "guest_nice", 0.0)


async def measure(opts: argparse.Namespace) -> Result:
    """One measurement: fake server and people here, the bot in a child process (or here, inproc)."""
    from tests.conftest import ONBOARD
    from tests.fakes.telegram import FakeTelegram

    kind, think = opts.measure, opts.think_one
    result = Result(bot=kind, think=think, layout=opts.layout, chats=opts.chats)
    turns = Turns()
    me = psutil.Process()
    log = ErrorLog().install() if opts.layout == "inproc" else None
    with tempfile.TemporaryDirectory(prefix="chibo-bench-") as tmp:
        db = os.path.join(tmp, "bench.sqlite3")
        async with FakeTelegram(on_send=turns) as fake:
            child = None
            if opts.layout == "split":
                cmd = [sys.executable, str(Path(__file__).resolve()), "--serve", kind, "--token", fake.token,
                       "--base-url", fake.base_url, "--db", db, *_shared_args(opts, opts.profile)]
                child = await asyncio.create_subprocess_exec(
                    *cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=str(ROOT))
                line = await asyncio.wait_for(child.stdout.readline(), 60)
                if line.strip() != b"READY":
                    raise SystemExit(f"the bot process did not start: {line!r}")
                bot_proc, stop = psutil.Process(child.pid), None
            else:
                endpoint = _Endpoint(token=fake.token, base_url=fake.base_url)
                bot_proc, stop = me, await start_bot(kind, endpoint, db, opts)

            async def command(text: str) -> None:
                child.stdin.write(text.encode() + b"\n")
                await child.stdin.drain()

            result.counts = counts = await warm_up(fake, ONBOARD)
            result.answers = list(ONBOARD)
            warm = fake.messages_to(WARMUP_CHAT)
            if kind == "ours" and not any("Đã tạo hồ sơ" in (m.text or "") for m in warm[-counts[-1]:]):
                raise SystemExit("the warm-up chat did not finish onboarding; last messages: "
                                 + " | ".join((m.text or "")[:80] for m in warm[-3:]))
            fake.clear()
            rng = random.Random(opts.seed)
            chats = [FIRST_CHAT + i for i in range(opts.chats)]
            profiler = None
            if opts.profile:
                if child is not None:
                    await command("profile")
                    await asyncio.sleep(0.2)
                else:
                    profiler = _start_profiler(opts.profile)

            bot_cpu0, me_cpu0, busy0 = sum(bot_proc.cpu_times()[:2]), sum(me.cpu_times()[:2]), _busy_cpu_seconds()
            started = time.monotonic()
            turns.measuring = True
            inflight: dict[int, float] = {}
            people = [asyncio.ensure_future(person(fake, turns, chat, ONBOARD, counts, think, rng, result, inflight))
                      for chat in chats]
            _, running = await asyncio.wait(people, timeout=opts.time_limit or None)
            end = time.monotonic()
            turns.measuring = False
            result.api_calls = dict(fake.calls)
            result.replies = turns.replies
            bot_cpu = sum(bot_proc.cpu_times()[:2]) - bot_cpu0
            me_cpu = sum(me.cpu_times()[:2]) - me_cpu0
            elapsed = end - started
            result.other_cpu = max(0.0, _busy_cpu_seconds() - busy0 - (bot_cpu + me_cpu if child else me_cpu)) / elapsed
            result.bot_cpu, result.driver_cpu = bot_cpu / elapsed, me_cpu / elapsed
            close_run(result, running, inflight, opts.time_limit, end, started)
            if opts.profile:
                if child is not None:
                    await command("unprofile")
                else:
                    _stop_profiler(profiler)

            await asyncio.sleep(QUIET)  # late extra messages would show as stray or wrong counts
            result.stray = turns.stray
            result.wrong_chats = wrong_chats(fake, chats, people, counts, onboarding=kind == "ours")

            if child is not None:
                await command("errors")
                await command("stop")
                out, _ = await asyncio.wait_for(child.communicate(), 60)
                for line in out.decode().splitlines():
                    if line.startswith("USAGE "):
                        result.rss_mb = json.loads(line[6:])["maxrss_kb"] / 1024
                    elif line.startswith("ERRORS "):
                        result.bot_log = json.loads(line[7:])
            else:
                await stop()
                result.rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                result.bot_log = log.summary()
    return result


def _shared_args(opts: argparse.Namespace, profile: str | None) -> list[str]:
    """Options every process of a measurement gets."""
    args = ["--poll-interval", str(opts.poll_interval), "--poll-timeout", str(opts.poll_timeout),
            "--echo-concurrency", str(opts.echo_concurrency)]
    for item in opts.builder:
        args += ["--builder", item]
    if profile:
        args += ["--profile", profile]
    return args


def run_measurement(opts: argparse.Namespace, kind: str, think: float, round_no: int) -> Result:
    """One measurement in a fresh process (which starts a fresh bot process with --layout split)."""
    profile = ""
    if opts.profile:
        Path(opts.profile).mkdir(parents=True, exist_ok=True)
        profile = str(Path(opts.profile) / f"{kind}-think{think:g}-r{round_no}")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--measure", kind, "--think-one", str(think),
           "--layout", opts.layout, "--chats", str(opts.chats), "--seed", str(opts.seed + round_no),
           "--time-limit", str(opts.time_limit), *_shared_args(opts, profile)]
    proc = subprocess.run(cmd, cwd=str(ROOT), stdout=subprocess.PIPE, text=True, check=False)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if proc.returncode or line is None:
        raise SystemExit(f"measurement {kind} think={think:g} failed (exit {proc.returncode}):\n{proc.stdout}")
    return Result(**json.loads(line[7:]))


# -- reporting ---------------------------------------------------------------------------------------


def describe(r: Result) -> list[str]:
    calls = r.api_calls
    n = max(r.messages, 1)
    lines = [
        f"  {r.bot:<4} {r.messages} updates in {r.wall:.1f}s = {r.rate:.0f}/s ({r.reply_rate:.0f} replies/s); "
        f"latency p50 {r.pct(50):.0f} / p95 {r.pct(95):.0f} / p99 {r.pct(99):.0f} / "
        f"max {max(r.latencies_ms, default=0):.0f} ms",
        f"       peak RSS {r.rss_mb:.0f} MB; CPU: bot {r.bot_cpu:.0%}, driver {r.driver_cpu:.0%}, "
        f"other processes {r.other_cpu:.0%}; per update: {calls.get('sendMessage', 0) / n:.2f} sendMessage, "
        f"{calls.get('getUpdates', 0) / n:.2f} getUpdates, {calls.get('sendChatAction', 0) / n:.2f} typing",
    ]
    notes = []
    if r.unfinished:
        notes.append(f"stopped by the {r.time_limit:g}s time limit: {r.unfinished} chats unfinished, "
                     f"{r.censored} turns unanswered (counted with their age)")
    if r.errors:
        notes.append(f"{r.errors} turns answered with the bot's error apology")
    if r.timeouts:
        notes.append(f"{r.timeouts} turns got no complete answer in {TURN_TIMEOUT:g}s")
    if r.wrong_chats:
        notes.append(f"{r.wrong_chats} chats did not get the expected messages")
    if r.stray:
        notes.append(f"{r.stray} unexpected messages")
    if not (r.problems or r.unfinished):
        notes.append("every chat got exactly the expected messages")
    lines.append("       " + "; ".join(notes))
    slow = sorted(((_pct(v, 95), int(k)) for k, v in r.by_answer.items() if v), reverse=True)[:3]
    if slow and r.answers:
        lines.append("       slowest answers (p95): " + ", ".join(
            f"#{i + 1} {r.answers[i][:24]!r} {p95:.0f} ms ({r.counts[i]} msg)" for p95, i in slow))
    if r.bot_log.get("errors"):
        kinds = "; ".join(f"{count}x {text}" for text, count in r.bot_log["kinds"])
        lines.append(f"       the bot logged {r.bot_log['errors']} errors: {kinds}")
    return lines


def median_result(results: list[Result]) -> Result:
    """Per-figure medians over rounds; latencies pooled."""
    first = results[0]
    merged = Result(bot=first.bot, think=first.think, layout=first.layout, chats=first.chats)
    merged.wall = 1.0
    merged.messages = round(statistics.median(r.rate for r in results))
    merged.replies = round(statistics.median(r.reply_rate for r in results))
    merged.latencies_ms = [x for r in results for x in r.latencies_ms]
    for name in ("rss_mb", "bot_cpu", "driver_cpu", "other_cpu"):
        setattr(merged, name, statistics.median(getattr(r, name) for r in results))
    for name in ("timeouts", "errors", "wrong_chats", "stray", "unfinished", "censored"):
        setattr(merged, name, sum(getattr(r, name) for r in results))
    merged.time_limit = first.time_limit
    return merged


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", type=int, default=200, help="concurrent simulated chats (default 200)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat every measurement N times in fresh processes; the summary shows medians")
    parser.add_argument("--think", type=float, default=None,
                        help="think time in seconds, uniform 0.5x..1.5x (default: two scenarios, 0 and "
                             f"{DEFAULT_THINK:g})")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT,
                        help=f"end a measurement after this many seconds (default {TIME_LIMIT:g}; 0 = none)")
    parser.add_argument("--layout", choices=("split", "inproc"), default="split",
                        help="split (default): the bot in its own process; inproc: on the fake's event loop")
    parser.add_argument("--bots", default="ours,echo", help="comma-separated, from ours,echo")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--builder", action="append", default=[], metavar="KEY=VALUE",
                        help="investigation: an ApplicationBuilder call applied to both bots, e.g. "
                             "connection_pool_size=16 or 'concurrent_updates=PerChatUpdateProcessor(16)'")
    parser.add_argument("--poll-interval", type=float, default=POLL_INTERVAL,
                        help=f"investigation: start_polling(poll_interval=...) for both bots (default {POLL_INTERVAL:g})")
    parser.add_argument("--poll-timeout", type=float, default=POLL_TIMEOUT,
                        help=f"investigation: start_polling(timeout=...) for both bots (default {POLL_TIMEOUT:g})")
    parser.add_argument("--echo-concurrency", type=int, default=ECHO_CONCURRENCY,
                        help=f"concurrent_updates of the echo bot (default {ECHO_CONCURRENCY}; 0 = sequential)")
    parser.add_argument("--profile", metavar="DIR",
                        help="investigation: profile the bot during the window into DIR (pyinstrument if "
                             "installed, else cProfile; BENCH_PROFILER=cprofile forces cProfile)")
    # internal: one measurement, and the bot process
    parser.add_argument("--measure", choices=("ours", "echo"), help=argparse.SUPPRESS)
    parser.add_argument("--think-one", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--serve", choices=("ours", "echo"), help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)

    if opts.serve:
        serve_bot(opts)
        return
    if opts.measure:
        result = asyncio.run(measure(opts))
        print("RESULT " + json.dumps(asdict(result)), flush=True)
        return

    import telegram

    from tests.conftest import ONBOARD

    bots = [b.strip() for b in opts.bots.split(",") if b.strip()]
    thinks = [opts.think] if opts.think is not None else [0.0, DEFAULT_THINK]
    layout = ("split: fake Telegram + simulated people in one process, the bot in another"
              if opts.layout == "split" else "inproc: fake Telegram, simulated people and the bot on one event loop")
    print(f"Telegram load benchmark: {opts.chats} concurrent chats x {len(ONBOARD)} onboarding messages; "
          f"{os.cpu_count()} CPUs; python-telegram-bot {telegram.__version__}; {opts.rounds} round(s); "
          f"time limit {f'{opts.time_limit:g}s' if opts.time_limit else 'none'}")
    print(f"layout {layout}")
    print(f"both bots: long polling poll_interval={opts.poll_interval:g} timeout={opts.poll_timeout:g}; "
          f"extra builder calls: {', '.join(opts.builder) or 'none (our bot exactly as in production)'}; "
          f"echo concurrent_updates={opts.echo_concurrency or 'off'}")
    started = time.monotonic()
    table: list[tuple[Result, float | None]] = []
    for think in thinks:
        what = ("closed loop: each chat sends its next message as soon as the last turn is answered" if not think
                else f"people type: {0.5 * think:g}-{1.5 * think:g}s between messages, "
                     f"offering ~{opts.chats / think:.0f} updates/s")
        print(f"\nscenario think={think:g}s ({what})")
        per_bot: dict[str, Result] = {}
        for kind in bots:
            rounds = []
            for round_no in range(opts.rounds):
                result = run_measurement(opts, kind, think, round_no)
                rounds.append(result)
                print("\n".join(describe(result)), flush=True)
            if kind == "ours" and think == thinks[0]:
                print(f"       messages per answer: {rounds[0].counts}")
            per_bot[kind] = median_result(rounds) if len(rounds) > 1 else rounds[0]
        echo = per_bot.get("echo")
        for kind in bots:
            r = per_bot[kind]
            table.append((r, r.rate / echo.rate if echo and echo.rate else None))

    rounds_note = f", medians of {opts.rounds} rounds" if opts.rounds > 1 else ""
    print(f"\nSummary ({opts.chats} chats, {opts.layout} layout{rounds_note})")
    header = (f"{'bot':<5} {'think':>5} {'updates/s':>10} {'replies/s':>10} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'p99 ms':>8} {'RSS MB':>7} {'bot CPU':>8} {'other':>6} {'vs echo':>8}")
    print(header)
    print("-" * len(header))
    for r, ratio in table:
        marks = ("*" if r.unfinished else "") + ("!" if r.problems else "")
        print(f"{r.bot:<5} {r.think:>4g}s {r.rate:>10.0f} {r.reply_rate:>10.0f} {r.pct(50):>8.0f} {r.pct(95):>8.0f} "
              f"{r.pct(99):>8.0f} {r.rss_mb:>7.0f} {r.bot_cpu:>8.0%} {r.other_cpu:>6.0%} "
              f"{'' if ratio is None else f'{ratio:.0%}':>8} {marks}")
    if any(r.unfinished for r, _ in table):
        print("* stopped by the time limit: the figures cover the window; unanswered turns count with their age")
    if any(r.problems for r, _ in table):
        print("! some turns failed (error apology, timeout or wrong messages): see the lines above")
    print(f"'other' = CPU used by unrelated processes (1 core = 100%); total time {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    main()
