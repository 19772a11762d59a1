from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import Clock
from bot.messages import Incoming, Outgoing
from bot.store import Store
from bot.store.base import QUEUES
from handlers.router import Assistant
from tests.pg_server import PgServer, PgUnavailable, server_for_tests, unique_name

ROOT = Path(__file__).resolve().parent.parent

SCENARIOS = ROOT / "tests" / "scenarios"

# No LibreOffice start-ups outside tests/test_pdf.py: in this process and in every subprocess a test starts.
os.environ["CHIBO_PDF"] = "off"
NOW = datetime.fromisoformat("2026-11-23T08:00:00+07:00")  # a Monday


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: a worker per core and one more, as one worker mostly waits on the paced reminders of the
    kill -9 restart test."""
    return len(os.sched_getaffinity(0)) + 1


SLOW_FILES = {"test_reminders_restart.py"}  # marked here: the file's owner keeps its own lines


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow files; collect the slow tests first, so that pytest-xdist (`--dist loadgroup` in pyproject)
    starts each on a worker of its own while the other workers share the quick ones."""
    for item in items:
        if item.path.name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture
async def store(db_url):
    """The store on a fresh database: each test that takes it runs on SQLite and on PostgreSQL."""
    store = await Store.open(db_url)
    yield store
    await store.close()


async def select(store: Store, sql: str, *params: Any) -> list[sqlite3.Row]:
    """Tests may read the tables directly; product code goes through the store's methods."""
    async with store.conn.execute(sql, params) as cur:
        return list(await cur.fetchall())


async def select_one(store: Store, sql: str, *params: Any) -> sqlite3.Row | None:
    async with store.conn.execute(sql, params) as cur:
        return await cur.fetchone()


def left_claimed(store: Store, rows_due: int) -> int:
    """How many reminder rows a sweep killed with its first send in flight leaves claimed: all it found due on
    SQLite (one process claims them up front), only the one in flight under a lease (PostgreSQL: several workers
    claim each row right before its send)."""
    return rows_due if store.claim_lease is None else 1


async def lease_passes(store: Store) -> None:
    """Time passes beyond the lease of every claim not confirmed (a killed process's). On a store shared by worker
    processes (PostgreSQL) only then may another process take them over; on SQLite (one process) a restarted
    process takes them over at once, and nothing changes here."""
    if store.claim_lease is None:
        return
    old = (datetime.now(UTC) - timedelta(seconds=store.claim_lease + 1)).isoformat(timespec="microseconds")
    for table in ("reminder_log", *QUEUES):
        await store.conn.execute(f"UPDATE {table} SET claimed_at = ? "  # noqa: S608 - our own table names
                                 "WHERE sent_at IS NULL AND claimed_at IS NOT NULL", (old,))


async def table_names(store: Store) -> list[str]:
    """The tables of the store's database, on either engine."""
    sql = ("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'"
           if store.engine == "postgresql" else "SELECT name FROM sqlite_master WHERE type = 'table'")
    return [r["name"] for r in await select(store, sql)]


class Talk:
    """Drives the Assistant like a channel would, keeping the last offered choices."""

    def __init__(self, assistant: Assistant, user: str = "u1", channel: str = "test"):
        self.assistant = assistant
        self.user = user
        self.channel = channel
        self.last: list[Outgoing] = []

    async def say(self, text: str = "", choice: str | None = None) -> str:
        inc = Incoming(channel=self.channel, chat_id=self.user, user_id=self.user, text=text, choice=choice,
                       user_name="Tester")
        self.last = await self.assistant.handle(inc)
        await self.assistant.delivered(inc.channel, inc.chat_id, inc.user_id)
        return "\n".join(o.plain() for o in self.last)

    async def tap(self, label: str) -> str:
        for out in reversed(self.last):
            for c in out.choices:
                if c.label == label:
                    return await self.say(label, choice=c.value)
        raise AssertionError(f"no choice {label!r} in {[c.label for o in self.last for c in o.choices]}")

    def choices(self) -> list[str]:
        return [c.label for o in self.last for c in o.choices]


@pytest.fixture
def clock():
    return Clock(frozen=NOW)


@pytest.fixture
async def fake():
    """The fake Telegram Bot API server on 127.0.0.1 (tests/fakes/telegram.py)."""
    from tests.fakes.telegram import FakeTelegram

    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def assistant(store):
    return Assistant(store, Clock(frozen=NOW))


ONBOARD = [
    "/batdau", "Tạo đơn vị mới", "Chi bộ", "Đảng bộ xã Kim Phú", "Xóm Định Thành", "CB", "Tuyên Quang",
    "Nguyễn Thị Thược", "Bí thư", "ủy, hòa (kiểu mới)", "Theo nhiệm kỳ",
    "Nguyễn Văn An\nTrần Thị Bình, dự bị\nLê Văn Cường, miễn", "xong", "Xác nhận và lưu",
]


async def onboard(talk: Talk, answers: list[str] = ONBOARD) -> str:
    reply = ""
    for answer in answers:
        reply = await talk.say(answer)
    return reply


async def make_invite(talk: Talk, role: str = "Người cùng quản lý", person: str | None = None) -> str:
    """/moi answered with the role (and, for "Đảng viên", the roster member): the reply with the code."""
    await talk.say("/moi")
    reply = await talk.say(role)
    if person is not None:
        reply = await talk.say(person)
    return reply


# -- console scenarios, each replayed once per test session -----------------------------------------

REPLAY_NOW = "2026-11-23T08:00"  # the clock of every replay (`chibo chat --now`)


def chat_cmd(db: Path, out: Path, *extra: str, now: str = REPLAY_NOW) -> list[str]:
    """`chibo chat` on a SQLite file, documents written to `out`, the clock frozen at `now`."""
    return [sys.executable, "-m", "bot", "chat", "--db", str(db), "--out", str(out), "--now", now, *extra]


def scenario_header(name: str, key: str) -> str | None:
    """The value of a `# key: value` line at the top of tests/scenarios/<name>.txt (`# now:`, `# roster:`)."""
    for line in (SCENARIOS / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            return None
        head, _, value = line[1:].partition(":")
        if head.strip() == key:
            return value.strip()
    return None


def run_env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1"}


@dataclass(frozen=True)
class Replay:
    """What piping tests/scenarios/<name>.txt into a fresh `chibo chat` left behind. Shared: read it, do not
    change it (`copy_db` gives a private copy of the database)."""

    name: str
    db: Path
    out: Path
    returncode: int
    stdout: str
    stderr: str

    @property
    def documents(self) -> list[Path]:
        return sorted(self.out.glob("*.docx"))

    def copy_db(self, folder: Path) -> Path:
        target = folder / self.db.name
        shutil.copyfile(self.db, target)
        return target


def _replay_into(folder: Path, name: str) -> Replay:
    """The replay of scenario `name` in `folder`, run there by the first process that asks for it (the lock
    makes pytest-xdist workers share it too)."""
    folder.mkdir(parents=True, exist_ok=True)
    db, out, result = folder / "db.sqlite3", folder / "out", folder / "result.json"
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not result.exists():
            with (SCENARIOS / f"{name}.txt").open("rb") as stdin:
                now = scenario_header(name, "now") or REPLAY_NOW
                proc = subprocess.run(chat_cmd(db, out, now=now), stdin=stdin, capture_output=True, cwd=ROOT,
                                      env=run_env(), timeout=240)
            result.write_text(json.dumps({"returncode": proc.returncode, "stdout": proc.stdout.decode(),
                                          "stderr": proc.stderr.decode()}), encoding="utf-8")
        done = json.loads(result.read_text(encoding="utf-8"))
    return Replay(name=name, db=db, out=out, **done)


@pytest.fixture(scope="session")
def replay(tmp_path_factory, worker_id: str) -> Callable[[str], Replay]:
    """`replay("seed_000")`: the scenario piped into the real `chibo chat` CLI once per test session."""
    base = tmp_path_factory.getbasetemp()
    root = (base if worker_id == "master" else base.parent) / "replays"  # xdist workers share one folder
    cache: dict[str, Replay] = {}

    def get(name: str) -> Replay:
        name = name.removesuffix(".txt")
        if name not in cache:
            cache[name] = _replay_into(root / name, name)
        return cache[name]

    return get


@pytest.fixture(scope="session")
def worker_id(request) -> str:
    """The pytest-xdist worker ("gw0", …), or "master" without xdist (xdist's own fixture wins when loaded)."""
    return getattr(request.config, "workerinput", {}).get("workerid", "master")


# -- PostgreSQL: a throwaway server per test session (tests/pg_server.py) -----------------------------


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory) -> Iterator[PgServer]:
    """One PostgreSQL server per pytest-xdist worker: our own, or the one CHIBO_TEST_PG names. Without one,
    every test that needs it skips with the reason (it fails instead under CHIBO_TEST_PG=require)."""
    try:
        server = server_for_tests(tmp_path_factory.mktemp("postgresql"))
    except PgUnavailable as e:
        if os.environ.get("CHIBO_TEST_PG", "").strip() == "require":
            pytest.fail(f"PostgreSQL not available (CHIBO_TEST_PG=require): {e}", pytrace=False)
        pytest.skip(f"PostgreSQL not available: {e}")
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """The URL of a fresh, empty database of its own for this test, dropped after it."""
    name = unique_name()
    url = pg_server.create_database(name)
    yield url
    pg_server.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """The test once on a fresh SQLite file and once on a fresh PostgreSQL database (skipped, with the
    reason, when there is no PostgreSQL)."""
    if request.param == "sqlite":
        return str(tmp_path / "db.sqlite3")
    return request.getfixturevalue("pg_url")
