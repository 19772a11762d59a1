"""Webhook load benchmark: `chibo serve --workers N` on PostgreSQL and on SQLite beside a bare
python-telegram-bot echo bot, all fed over real HTTP webhooks, in one run and one table.

Run from the repository root::

    python bench/telegram_webhooks.py --pg-url postgresql://user@127.0.0.1:5432/postgres
    python bench/telegram_webhooks.py --configs echo,sqlite-1 --think 0 --chats 50
    python bench/telegram_webhooks.py                    # PostgreSQL from tests/pg_server.py

It prints numbers, it does not pass or fail.

The harness plays Telegram. It runs the fake Bot API server (tests/fakes/telegram.py), where the bots'
replies arrive, and posts every user update to the bot's webhook as Telegram does: one JSON update per
POST, the secret header X-Telegram-Bot-Api-Secret-Token, over up to ``--connections`` (default 40, Telegram's
default ``max_connections``) keep-alive connections in parallel; a refused or failed POST is retried. The
simulated people, the turn accounting, the time limit and the result checks are bench/telegram_load.py's
(read its docstring): N people (``--chats``) walk through the onboarding (``tests.conftest.ONBOARD``) in
chats of their own, a turn is over when its expected number of replies has reached the fake server, and
its latency runs from the update being handed to the poster to the turn's last reply arriving (so it
includes the webhook POST, the bot's work and its replies' HTTP requests). ``--think 0`` is the closed
loop (maximum throughput), ``--think 2.0`` people typing (the latency users see at ~chats/2 updates/s).

Configurations (``--configs``; each measured in fresh processes, one after another, same harness):

* ``echo``: a bare PTB echo bot behind a webhook, one process: the same ASGI server as ``chibo serve``
  (Starlette on uvicorn) whose POST /telegram checks the secret, parses the update and queues it for the
  Application; one MessageHandler answers with ``reply_text``. It gets the tuning our
  ``bot.channels.telegram.build_application`` sets (read from a built application and printed: concurrent
  updates, connection pool size), without a rate limiter. It is the honest ceiling of one process.
* ``sqlite-1``: ``chibo serve`` (one worker) on a fresh SQLite file.
* ``pg-1``, ``pg-2``, ``pg-4``: ``chibo serve --workers N`` on a fresh PostgreSQL database each.

``chibo serve`` runs exactly as in production: a real process started with CHIBO_DB, TELEGRAM_BOT_TOKEN,
TELEGRAM_API_BASE (the fake), CHIBO_PUBLIC_URL=https://bench.invalid (webhook mode: it calls setWebhook on
the fake, which then refuses getUpdates), CHIBO_WEBHOOK_SECRET and CHIBO_PDF=off; the harness posts to its
real address. ``chibo migrate`` is run first when the command exists. A configuration that cannot start
(no PostgreSQL, no ``--workers`` yet) gets one line in its row and the run goes on.

PostgreSQL: ``--pg-url URL`` uses that server (a database is created for each measurement and dropped
after); otherwise ``tests.pg_server.start_server`` starts a throwaway one for the run.

CPU: "bot CPU" is the bot's process tree (all workers; 100% = one core), "db CPU" the PostgreSQL server's
processes, "driver" this harness (fake Telegram, people, poster), "other" the rest of the machine.
"vs echo" is updates/s against the echo bot's in the same scenario; "per worker" divides ours by its
workers first. Ceiling notes close the output: the cores this run may use (os.sched_getaffinity) and
Telegram's own limits.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import psutil  # noqa: E402

from bench.telegram_load import (  # noqa: E402
    DEFAULT_THINK,
    FIRST_CHAT,
    QUIET,
    TIME_LIMIT,
    WARMUP_CHAT,
    Result,
    Turns,
    _busy_cpu_seconds,
    close_run,
    describe,
    person,
    warm_up,
    wrong_chats,
)
from tests.fakes.telegram import FakeTelegram  # noqa: E402

SECRET = "bench-webhook-secret-0123456789"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PUBLIC_URL = "https://bench.invalid"
CONNECTIONS = 40  # Telegram's default max_connections for a webhook
POST_RETRIES = 5
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
ALL_CONFIGS = "echo,sqlite-1,pg-1,pg-2,pg-4"
TELEGRAM_BROADCAST_RATE = 30  # messages/s per bot, Telegram's documented bulk limit


@dataclass(frozen=True)
class Config:
    name: str
    kind: str  # "ours" or "echo"
    engine: str  # "sqlite", "postgres" or "-"
    workers: int


CONFIGS = {c.name: c for c in (
    Config("echo", "echo", "-", 1),
    Config("sqlite-1", "ours", "sqlite", 1),
    Config("pg-1", "ours", "postgres", 1),
    Config("pg-2", "ours", "postgres", 2),
    Config("pg-4", "ours", "postgres", 4),
)}


@dataclass
class HookResult(Result):
    config: str = ""
    workers: int = 1
    engine: str = ""
    db_cpu: float = 0.0  # PostgreSQL's processes, fraction of one core during the window (nan: not here)
    posts: int = 0  # webhook POSTs answered 200
    post_failures: int = 0  # POSTs refused or failed (each retried)
    failed: str = ""  # why the configuration did not run


# -- the tuning our bot runs with ------------------------------------------------------------------


@dataclass(frozen=True)
class Tuning:
    concurrent_updates: int
    connection_pool_size: int
    rate_limiter: str

    def describe(self) -> str:
        return f"concurrent_updates={self.concurrent_updates}, connection_pool_size={self.connection_pool_size}"


def production_tuning() -> Tuning:
    """What build_application sets, read from an application it builds (so the echo bot follows it)."""
    from bot.channels.telegram import build_application
    from bot.config import load_settings

    app = build_application(load_settings({"TELEGRAM_BOT_TOKEN": "1:bench", "TELEGRAM_API_BASE": "http://bench"}))
    limits = app.bot._request[1]._client_kwargs["limits"]  # the HTTPXRequest of ordinary calls
    limiter = app.bot.rate_limiter
    if limiter is None:
        limiter_text = "none"
    else:
        overall = "off" if getattr(limiter, "_base_limiter", True) is None else "on"
        limiter_text = f"{type(limiter).__name__} (overall limit {overall})"
    return Tuning(app.update_processor.max_concurrent_updates, limits.max_connections, limiter_text)


# -- Telegram's side: the fake Bot API and the webhook poster --------------------------------------


class WebhookTelegram(FakeTelegram):
    """FakeTelegram that, as Telegram does once a webhook is set, POSTs each user update to the bot instead
    of queuing it for getUpdates: JSON body, the secret header, `connections` connections in parallel."""

    def __init__(self, *, on_send: Turns, connections: int = CONNECTIONS, secret: str = SECRET):
        super().__init__(on_send=on_send)
        self.connections = connections
        self.secret = secret
        self.hook_url = ""  # the bot's real address (the URL it registers is the public https one)
        self.posts = 0
        self.post_failures = 0
        self._session: aiohttp.ClientSession | None = None
        self._posting: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        await super().start()
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=self.connections),
                                              timeout=aiohttp.ClientTimeout(total=60))

    async def stop(self) -> None:
        for task in self._posting:
            task.cancel()
        if self._session is not None:
            await self._session.close()
        await super().stop()

    def push_update(self, update: dict[str, Any]) -> int:
        update_id = super().push_update(update)
        posted = self._updates.pop()  # not for getUpdates: it goes to the webhook
        task = asyncio.get_running_loop().create_task(self._post(json.dumps(posted).encode()))
        self._posting.add(task)
        task.add_done_callback(self._posting.discard)
        return update_id

    async def _post(self, body: bytes) -> None:
        assert self._session is not None
        headers = {SECRET_HEADER: self.secret, "Content-Type": "application/json"}
        for attempt in range(POST_RETRIES):
            try:
                async with self._session.post(self.hook_url, data=body, headers=headers) as response:
                    await response.read()
                    if response.status == 200:
                        self.posts += 1
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            self.post_failures += 1
            await asyncio.sleep(0.2 * (attempt + 1))


# -- the bots under test ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _chibo_help(*args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "bot", *args, "--help"], capture_output=True, text=True,
                         cwd=str(ROOT), check=False)
    return out.stdout


def bot_env(db: str, fake: FakeTelegram) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHIBO_", "TELEGRAM_", "ZALO_"))}
    env.update(CHIBO_DB=db, TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE=fake.base_url,
               CHIBO_PUBLIC_URL=PUBLIC_URL, CHIBO_WEBHOOK_SECRET=SECRET, CHIBO_PDF="off")
    return env


def last_line(path: Path) -> str:
    lines = [ln.strip() for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    return lines[-1][:200] if lines else "(nothing on stderr)"


async def start_bot(config: Config, fake: FakeTelegram, port: int, db: str, folder: Path,
                    tuning: Tuning) -> tuple[asyncio.subprocess.Process | None, str]:
    """The bot's process (in a session of its own, so that its workers can be stopped with it), or why not."""
    log = folder / "bot.log"
    env = bot_env(db, fake)
    if config.kind == "echo":
        cmd = [sys.executable, str(Path(__file__).resolve()), "--serve-echo", "--port", str(port),
               "--concurrency", str(tuning.concurrent_updates), "--pool", str(tuning.connection_pool_size)]
        cwd = str(ROOT)
    else:
        if config.workers != 1 and "--workers" not in _chibo_help("serve"):
            return None, "chibo serve has no --workers on this branch"
        if re.search(r"\bmigrate\b", _chibo_help()):
            done = subprocess.run([sys.executable, "-m", "bot", "migrate", "--db", db], env=env, cwd=str(folder),
                                  capture_output=True, text=True, check=False)
            if done.returncode:
                return None, f"chibo migrate failed: {(done.stderr or done.stdout).strip()[-200:]}"
        cmd = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)]
        if config.workers != 1:
            cmd += ["--workers", str(config.workers)]
        cwd = str(folder)  # no .env of the repository
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(*cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                                    stderr=out, start_new_session=True)
    return proc, ""


async def wait_ready(proc: asyncio.subprocess.Process, fake: FakeTelegram, port: int, workers: int,
                     log: Path) -> str:
    """'' once /healthz answers and the webhook is set (by every worker, or 10 s more); else why not."""
    deadline = time.monotonic() + START_TIMEOUT
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        while time.monotonic() < deadline:
            if proc.returncode is not None:
                return f"exited with code {proc.returncode}: {last_line(log)}"
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    healthy = response.status == 200
            except (aiohttp.ClientError, TimeoutError):
                healthy = False
            if healthy and fake.calls["setWebhook"] >= 1:
                break
            await asyncio.sleep(0.2)
        else:
            return f"not ready in {START_TIMEOUT:g}s: {last_line(log)}"
    grace = time.monotonic() + 10
    while fake.calls["setWebhook"] < workers and time.monotonic() < grace:
        await asyncio.sleep(0.2)
    return ""


async def stop_bot(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM (uvicorn finishes in-flight requests), then SIGKILL to the bot's own process group."""
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), STOP_TIMEOUT)
        except TimeoutError:
            pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # the group of the session started for this bot: its workers
    await proc.wait()


LOG_LINE = re.compile(r"^\S+ \S+ (ERROR|CRITICAL) (\S+): (.*)$")


def logged_errors(log: Path) -> dict[str, Any]:
    """The bot's ERROR/CRITICAL log lines (the CLI's format), counted, for telegram_load's describe()."""
    kinds: Counter[str] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        match = LOG_LINE.match(line)
        if match:
            kinds[f"{match[2]}: {match[3]}"[:160]] += 1
    return {"errors": sum(kinds.values()), "kinds": kinds.most_common(3)}


def _tree_cpu(pid: int) -> dict[int, float]:
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return {}
    return _cpu_of(procs)


def postmaster_pid(url: str) -> int | None:
    """The PostgreSQL server of `url` when it runs on this machine (the process listening on its port)."""
    parts = urlsplit(url)
    if parts.hostname not in (None, "", "localhost", "127.0.0.1", "::1"):
        return None
    port = parts.port or 5432
    for conn in psutil.net_connections("inet"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port and conn.pid:
            return conn.pid
    return None


def _cpu_of(procs) -> dict[int, float]:
    cpu = {}
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            cpu[proc.pid] = sum(proc.cpu_times()[:2])
    return cpu


def _delta(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


def _rss_mb(pid: int) -> float:
    try:
        root = psutil.Process(pid)
        return sum(p.memory_info().rss for p in (root, *root.children(recursive=True))) / 2**20
    except psutil.NoSuchProcess:
        return 0.0


# -- one measurement (in a fresh process) ----------------------------------------------------------


async def measure(opts: argparse.Namespace) -> HookResult:
    from tests.conftest import ONBOARD

    config = CONFIGS[opts.measure]
    answers = ONBOARD[:opts.turns] if opts.turns else list(ONBOARD)
    onboarding = config.kind == "ours" and len(answers) == len(ONBOARD)  # the flow ends with "Đã tạo hồ sơ"
    result = HookResult(bot=config.name, think=opts.think_one, layout="webhook", chats=opts.chats,
                        config=config.name, workers=config.workers, engine=config.engine)
    tuning = Tuning(**json.loads(opts.tuning))
    turns = Turns()
    me = psutil.Process()
    with tempfile.TemporaryDirectory(prefix="chibo-hooks-") as tmp:
        folder = Path(tmp)
        db = opts.db or str(folder / "bench.sqlite3")
        fake = WebhookTelegram(on_send=turns, connections=opts.connections)
        async with fake:
            port = free_port()
            fake.hook_url = f"http://127.0.0.1:{port}/telegram"
            proc, result.failed = await start_bot(config, fake, port, db, folder, tuning)
            if proc is None:
                return result
            try:
                result.failed = await wait_ready(proc, fake, port, config.workers, folder / "bot.log")
                if not result.failed:
                    await run_people(opts, fake, turns, answers, onboarding, result, proc.pid, me)
            finally:
                await stop_bot(proc)
                result.bot_log = logged_errors(folder / "bot.log")
                if proc.returncode not in (0, -signal.SIGTERM, -signal.SIGKILL) and not result.failed:
                    result.failed = f"exited with code {proc.returncode}: {last_line(folder / 'bot.log')}"
    return result


async def run_people(opts: argparse.Namespace, fake: WebhookTelegram, turns: Turns, answers: list[str],
                     onboarding: bool, result: HookResult, bot_pid: int, me: psutil.Process) -> None:
    result.counts = counts = await warm_up(fake, answers)
    result.answers = answers
    if onboarding and not any("Đã tạo hồ sơ" in (m.text or "") for m in fake.messages_to(WARMUP_CHAT)[-counts[-1]:]):
        result.failed = "the warm-up chat did not finish onboarding"
        return
    fake.clear()
    fake.posts = fake.post_failures = 0
    rng = random.Random(opts.seed)
    chats = [FIRST_CHAT + i for i in range(opts.chats)]
    pg_pid = postmaster_pid(opts.db) if opts.db else None
    bot0, db0, me0 = _tree_cpu(bot_pid), _tree_cpu(pg_pid) if pg_pid else {}, sum(me.cpu_times()[:2])
    busy0 = _busy_cpu_seconds()
    started = time.monotonic()
    turns.measuring = True
    inflight: dict[int, float] = {}
    people = [asyncio.ensure_future(person(fake, turns, chat, answers, counts, opts.think_one, rng, result, inflight))
              for chat in chats]
    _, running = await asyncio.wait(people, timeout=opts.time_limit or None)
    end = time.monotonic()
    turns.measuring = False
    bot_cpu, db_cpu = _delta(bot0, _tree_cpu(bot_pid)), _delta(db0, _tree_cpu(pg_pid)) if pg_pid else 0.0
    me_cpu = sum(me.cpu_times()[:2]) - me0
    elapsed = end - started
    result.rss_mb = _rss_mb(bot_pid)
    result.other_cpu = max(0.0, _busy_cpu_seconds() - busy0 - bot_cpu - db_cpu - me_cpu) / elapsed
    result.bot_cpu, result.driver_cpu = bot_cpu / elapsed, me_cpu / elapsed
    result.db_cpu = db_cpu / elapsed if pg_pid or not opts.db else float("nan")  # nan: a server elsewhere
    result.api_calls = dict(fake.calls)
    result.replies = turns.replies
    result.posts, result.post_failures = fake.posts, fake.post_failures
    close_run(result, running, inflight, opts.time_limit, end, started)
    await asyncio.sleep(QUIET)  # late extra messages would show as stray or wrong counts
    result.stray = turns.stray
    result.wrong_chats = wrong_chats(fake, chats, people, counts, onboarding=onboarding)
    for task in people:  # a cancel that lost its race with a reply: the person went on to the next turn
        task.cancel()
    await asyncio.gather(*people, return_exceptions=True)


# -- the echo bot's process ------------------------------------------------------------------------


def serve_echo(opts: argparse.Namespace) -> None:
    """A bare PTB echo bot behind a webhook: Starlette on uvicorn, as `chibo serve`, one process."""
    import hmac
    from contextlib import asynccontextmanager

    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route
    from telegram import Update
    from telegram.ext import ApplicationBuilder, MessageHandler, filters

    base = os.environ["TELEGRAM_API_BASE"]
    secret = os.environ["CHIBO_WEBHOOK_SECRET"]
    app = (ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(f"{base}/bot")
           .base_file_url(f"{base}/file/bot").updater(None)
           .concurrent_updates(opts.concurrency).connection_pool_size(opts.pool).build())

    async def echo(update, context) -> None:
        await update.message.reply_text(update.message.text)

    app.add_handler(MessageHandler(filters.TEXT, echo))

    async def webhook(request: Request) -> JSONResponse:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), secret.encode()):
            return JSONResponse({"ok": False}, status_code=403)
        update = Update.de_json(json.loads(await request.body()), app.bot)
        await app.update_queue.put(update)
        return JSONResponse({"ok": True})

    async def healthz(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    @asynccontextmanager
    async def lifespan(_):
        async with app:
            await app.start()
            await app.bot.set_webhook(f"{PUBLIC_URL}/telegram", secret_token=secret)
            yield
            await app.stop()

    web = Starlette(routes=[Route("/telegram", webhook, methods=["POST"]), Route("/healthz", healthz)],
                    lifespan=lifespan)
    uvicorn.run(web, host="127.0.0.1", port=opts.port, access_log=False, log_config=None, log_level="warning",
                server_header=False, lifespan="on")


# -- PostgreSQL for the run ------------------------------------------------------------------------


class Postgres:
    """A fresh database per measurement: on --pg-url's server, or on one tests.pg_server starts for the run."""

    def __init__(self, url: str | None, folder: Path):
        self.url, self.folder = url, folder
        self.server: Any = None
        self.problem = ""
        self._started = False

    def _start(self) -> None:
        self._started = True
        if self.url:
            return
        try:
            from tests.pg_server import start_server  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            self.problem = "no PostgreSQL: tests/pg_server.py is not on this branch; pass --pg-url"
            return
        try:
            self.server = start_server(self.folder)
        except Exception as exc:  # noqa: BLE001 - the row says why
            self.problem = f"no PostgreSQL: {type(exc).__name__}: {exc}"[:200]

    def create(self, name: str) -> str:
        """The URL of a new database `name`; raises RuntimeError(why) when there is no server."""
        if not self._started:
            self._start()
        if self.problem:
            raise RuntimeError(self.problem)
        if self.server is not None:
            return self.server.create_database(name)
        import psycopg

        with psycopg.connect(str(self.url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return str(urlsplit(str(self.url))._replace(path=f"/{name}").geturl())

    def drop(self, name: str) -> None:
        import psycopg

        with contextlib.suppress(psycopg.Error):
            if self.server is not None:
                self.server.drop_database(name)
            elif self.url:
                with psycopg.connect(self.url, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def describe(self) -> str:
        if self.url:
            return f"the server at --pg-url ({urlsplit(self.url).hostname}:{urlsplit(self.url).port or 5432})"
        return "a throwaway server from tests/pg_server.py (its settings: no fsync), started for this run"

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


# -- the run ---------------------------------------------------------------------------------------


def run_measurement(opts: argparse.Namespace, config: Config, think: float, tuning: Tuning, pg: Postgres,
                    round_no: int = 0) -> HookResult:
    """One configuration in one scenario, in a fresh driver process; a failure is a row that says why."""
    failed = HookResult(bot=config.name, think=think, layout="webhook", chats=opts.chats, config=config.name,
                        workers=config.workers, engine=config.engine)
    db, name = "", ""
    if config.engine == "postgres":
        name = f"bench_{config.name.replace('-', '_')}_t{int(think * 10)}_{os.getpid()}"
        try:
            db = pg.create(name)
        except Exception as exc:  # noqa: BLE001 - the row says why
            failed.failed = str(exc) if isinstance(exc, RuntimeError) else f"{type(exc).__name__}: {exc}"[:200]
            return failed
    cmd = [sys.executable, str(Path(__file__).resolve()), "--measure", config.name, "--think-one", str(think),
           "--chats", str(opts.chats), "--seed", str(opts.seed + round_no), "--time-limit", str(opts.time_limit),
           "--connections", str(opts.connections), "--turns", str(opts.turns), "--tuning", json.dumps(asdict(tuning))]
    if db:
        cmd += ["--db", db]
    try:
        proc = subprocess.run(cmd, cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              check=False)
    finally:
        if name:
            pg.drop(name)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if proc.returncode or line is None:
        tail = [ln for ln in proc.stdout.splitlines() if ln.strip()][-1:] or ["no output"]
        failed.failed = f"the measurement failed (exit {proc.returncode}): {tail[0][:200]}"
        return failed
    return HookResult(**json.loads(line[7:]))


def ratio(r: HookResult, echo: HookResult | None, per_worker: bool) -> str:
    if r.failed or echo is None or echo.failed or not echo.rate:
        return ""
    return f"{r.rate / (r.workers if per_worker else 1) / echo.rate:.0%}"


def print_table(rows: list[HookResult], opts: argparse.Namespace, tuning: Tuning) -> None:
    print(f"\nSummary ({opts.chats} chats over webhooks, {opts.connections} connections)")
    header = (f"{'config':<9} {'workers':>7} {'engine':<8} {'think':>5} {'updates/s':>10} {'replies/s':>10} "
              f"{'p50 ms':>7} {'p99 ms':>7} {'bot CPU':>8} {'db CPU':>7} {'driver':>7} {'other':>6} "
              f"{'vs echo':>8} {'per worker':>10}")
    print(header)
    print("-" * len(header))
    echoes = {r.think: r for r in rows if r.config == "echo"}
    for r in rows:
        head = f"{r.config:<9} {r.workers:>7} {r.engine:<8} {r.think:>4g}s"
        if r.failed:
            print(f"{head}  not run: {r.failed}")
            continue
        echo = echoes.get(r.think)
        marks = ("*" if r.unfinished else "") + ("!" if r.problems or r.post_failures else "")
        print(f"{head} {r.rate:>10.0f} {r.reply_rate:>10.0f} {r.pct(50):>7.0f} {r.pct(99):>7.0f} "
              f"{r.bot_cpu:>8.0%} {'n/a' if r.db_cpu != r.db_cpu else f'{r.db_cpu:.0%}':>7} {r.driver_cpu:>7.0%} {r.other_cpu:>6.0%} "
              f"{ratio(r, echo, False):>8} {ratio(r, echo, True):>10} {marks}")
    if any(r.unfinished for r in rows):
        print("* stopped by the time limit: the figures cover the window; unanswered turns count with their age")
    if any((r.problems or r.post_failures) and not r.failed for r in rows):
        print("! some turns failed or webhook POSTs were refused: see the lines above")
    cores = len(os.sched_getaffinity(0))
    print(f"\nTuning: our bot as build_application sets it: {tuning.describe()}, rate limiter "
          f"{tuning.rate_limiter}; the echo bot: {tuning.describe()}, no rate limiter.")
    print("CPU: 100% = one core; bot = the bot's processes (all workers), db = PostgreSQL's, driver = this "
          "harness (fake Telegram, people, webhook poster), other = the rest of the machine.")
    print(f"Ceiling: this run may use {cores} core(s) (os.sched_getaffinity); the bot, PostgreSQL and the harness "
          f"share them, so workers add throughput only until bot + db + driver CPU reach {cores * 100}%.")
    print(f"Ceiling: Telegram accepts about {TELEGRAM_BROADCAST_RATE} messages/s per bot for broadcasts (bulk "
          "sends to many chats, e.g. reminders), about 1 message/s in one chat and 20 a minute in a group; "
          "replies to people writing in are what the table measures.")


def main(argv: list[str] | None = None) -> list[HookResult]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", default=ALL_CONFIGS, help=f"comma-separated, from {ALL_CONFIGS} (default: all)")
    parser.add_argument("--chats", type=int, default=200, help="concurrent simulated chats (default 200)")
    parser.add_argument("--think", type=float, default=None,
                        help=f"think time in seconds (default: two scenarios, 0 and {DEFAULT_THINK:g})")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT,
                        help=f"end a measurement after this many seconds (default {TIME_LIMIT:g}; 0 = none)")
    parser.add_argument("--turns", type=int, default=0, help="only the first N onboarding answers (default: all)")
    parser.add_argument("--connections", type=int, default=CONNECTIONS,
                        help=f"parallel webhook connections, as Telegram's max_connections (default {CONNECTIONS})")
    parser.add_argument("--pg-url", help="an existing PostgreSQL server (a database is created per measurement); "
                                         "default: start one with tests/pg_server.py")
    parser.add_argument("--seed", type=int, default=1)
    # internal: one measurement, and the echo bot's process
    parser.add_argument("--measure", choices=sorted(CONFIGS), help=argparse.SUPPRESS)
    parser.add_argument("--think-one", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--tuning", help=argparse.SUPPRESS)
    parser.add_argument("--serve-echo", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--pool", type=int, help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)

    if opts.serve_echo:
        serve_echo(opts)
        return []
    if opts.measure:
        result = asyncio.run(measure(opts))
        print("RESULT " + json.dumps(asdict(result)), flush=True)
        return [result]

    import telegram

    names = [c.strip() for c in opts.configs.split(",") if c.strip()]
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        parser.error(f"unknown configuration(s) {', '.join(unknown)}; choose from {ALL_CONFIGS}")
    configs = [CONFIGS[n] for n in names]
    thinks = [opts.think] if opts.think is not None else [0.0, DEFAULT_THINK]
    tuning = production_tuning()
    print(f"Telegram webhook load benchmark: {opts.chats} concurrent chats x "
          f"{opts.turns or 'all'} onboarding messages; {len(os.sched_getaffinity(0))} cores; "
          f"python-telegram-bot {telegram.__version__}; time limit "
          f"{f'{opts.time_limit:g}s' if opts.time_limit else 'none'}; {opts.connections} webhook connections")
    print(f"tuning (from build_application): {tuning.describe()}; ours also {tuning.rate_limiter}, the echo bot none")
    started = time.monotonic()
    rows: list[HookResult] = []
    with tempfile.TemporaryDirectory(prefix="chibo-hooks-pg-") as tmp:
        pg = Postgres(opts.pg_url, Path(tmp))
        if any(c.engine == "postgres" for c in configs):
            print(f"PostgreSQL: {pg.describe()}; a fresh database for each measurement")
        try:
            for think in thinks:
                what = ("closed loop: each chat sends its next message as soon as the last turn is answered"
                        if not think else f"people type: {0.5 * think:g}-{1.5 * think:g}s between messages, "
                                          f"offering ~{opts.chats / think:.0f} updates/s")
                print(f"\nscenario think={think:g}s ({what})", flush=True)
                for config in configs:
                    r = run_measurement(opts, config, think, tuning, pg)
                    rows.append(r)
                    if r.failed:
                        print(f"  {config.name}: not run: {r.failed}", flush=True)
                    else:
                        print("\n".join(describe(r)), flush=True)
                        print(f"       webhook: {r.posts} POSTs answered 200, {r.post_failures} refused or failed",
                              flush=True)
        finally:
            pg.stop()
    print_table(rows, opts, tuning)
    print(f"total time {time.monotonic() - started:.0f}s")
    return rows


if __name__ == "__main__":
    main()
