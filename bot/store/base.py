"""The connection every table family shares: one aiosqlite connection in autocommit mode, or a PostgreSQL pool.

SQLite: WAL, foreign keys and a busy timeout; multi-statement writes run in explicit `BEGIN IMMEDIATE`
transactions, one at a time on the shared connection. PostgreSQL (a postgresql:// URL): bot/store/postgresql.py.
Every query is parameterised.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Self, cast

import aiosqlite
import psycopg

from bot.store import postgresql
from bot.store.migrations import MIGRATIONS

IntegrityError = (sqlite3.IntegrityError, psycopg.IntegrityError)  # a constraint refused a write, on either engine
DEFAULT_POOL = 10  # PostgreSQL connections per process (CHIBO_DB_POOL)
DEFAULT_LEASE = 120.0  # seconds (CHIBO_CLAIM_LEASE)


def claim_stamp() -> str:
    """Real time in UTC, to the microsecond, for the claim and confirmation stamps of a queued row, whatever the
    assistant's clock says (a claim older than the process is an orphan: bot/reminders/queued.py)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def now_text() -> str:
    """The wall-clock instant stored in `created_at` columns (with its UTC offset)."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def private_file(path: str) -> None:
    """Create the database file (or a backup's) readable by its owner only, before SQLite opens it.

    SQLite gives the -wal and -shm files the mode of the database file. A file made readable by others
    (e.g. by an older version) is made private again, with its -wal and -shm.
    """
    if path == ":memory:" or path.startswith("file:"):
        return
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for name in (path, f"{path}-wal", f"{path}-shm"):
        try:
            if os.stat(name).st_mode & 0o077:
                os.chmod(name, 0o600)
        except FileNotFoundError:
            pass


def _positive(name: str, default: float) -> float:
    """A number setting of the environment (PostgreSQL's pool and lease); ValueError, in words, when it is not one."""
    value = os.environ.get(name, "").strip()
    try:
        number = float(value) if value else default
    except ValueError:
        number = 0
    if not number > 0:
        raise ValueError(f"{name}={value!r}: cần một số lớn hơn 0")
    return number


class Base:
    engine = "sqlite"  # or "postgresql": the store shared by several worker processes
    # Seconds after which another process's claim of a queued row or reminder that was never confirmed is taken
    # over. None on SQLite (one process): a claim made before this process started is an orphan at once.
    claim_lease: float | None = None

    def __init__(self, conn: aiosqlite.Connection, pg: postgresql.Connection | None = None, url: str = ""):
        # On PostgreSQL `conn` is the pool's `postgresql.Connection`, which answers the calls the table families
        # make (execute, executemany, fetchone, fetchall, rowcount).
        self.conn = conn
        self._pg = pg
        self._url = url
        self._writing = asyncio.Lock()  # SQLite: one explicit transaction at a time on the shared connection
        if pg is not None:
            self.engine = "postgresql"
            self.claim_lease = _positive("CHIBO_CLAIM_LEASE", DEFAULT_LEASE)

    @classmethod
    async def open(cls, path: str, *, migrate_to: int | None = None) -> Self:
        """The store in a SQLite file, or in the PostgreSQL database of a postgresql:// URL."""
        if postgresql.is_url(path):
            pg = await postgresql.Connection.open(path, int(_positive("CHIBO_DB_POOL", DEFAULT_POOL)))
            store = cls(cast(aiosqlite.Connection, pg), pg, path)
            try:
                await store.migrate(migrate_to)
            except BaseException:
                await pg.close()
                raise
            return store
        private_file(path)
        conn = await aiosqlite.connect(path, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute("PRAGMA busy_timeout = 5000")
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            store = cls(conn)
            await store.migrate(migrate_to)
        except BaseException:
            await conn.close()  # its thread would keep the process alive
            raise
        return store

    async def close(self) -> None:
        if self._pg is not None:
            await self._pg.close()
        else:
            await self.conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        if self._pg is not None:
            async with self._pg.transaction():
                yield self.conn
            return
        async with self._writing:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    @asynccontextmanager
    async def chat_session(self, channel: str, chat_id: str) -> AsyncIterator[None]:
        """While one message of a chat is answered: on PostgreSQL the chat's lock, so that its messages are
        answered one at a time whichever worker process takes them (within a process, handlers/router.py's
        lock orders them); on SQLite (one process) nothing more."""
        if self._pg is None:
            yield
            return
        async with self._pg.pinned(f"{channel}:{chat_id}"):
            yield

    # -- schema ---------------------------------------------------------------------------------

    async def schema_version(self) -> int:
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        row = await self._one("SELECT MAX(version) AS v FROM schema_migrations")
        return (row["v"] if row else None) or 0

    async def migrate(self, target: int | None = None) -> int:
        if self._pg is not None:
            return await self._migrate_pg(self._pg, target)
        current = await self.schema_version()
        for version, name, sql in MIGRATIONS:
            if version <= current or (target is not None and version > target):
                continue
            # executescript commits on its own; wrap it so a failed migration leaves nothing behind.
            await self.conn.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\n"
                f"INSERT INTO schema_migrations VALUES ({version}, '{name}', '{now_text()}');\nCOMMIT;"
            )
            current = version
        return current

    async def _migrate_pg(self, pg: postgresql.Connection, target: int | None) -> int:
        """The same numbered migrations in one transaction, one process at a time (bot/store/postgresql.py)."""
        async with pg.transaction():
            await pg.migration_lock()
            await pg.script(postgresql.PREAMBLE)  # CREATE OR REPLACE: the functions as this version defines them
            current = await self.schema_version()
            for version, name, sql in MIGRATIONS:
                if version <= current or (target is not None and version > target):
                    continue
                await pg.script(postgresql.ddl(version, sql))
                await self.conn.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (version, name, now_text()))
                current = version
        return current

    async def backup(self, path: str) -> None:
        """A copy of the database while it is in use: SQLite's online backup into a file, or PostgreSQL's
        pg_dump (custom format) of the database."""
        if self._pg is not None:
            await self._pg.backup(self._url, path)
            return
        private_file(path)
        target = await aiosqlite.connect(path)
        try:
            await self.conn.backup(target)
        finally:
            await target.close()

    # -- helpers for the table families ----------------------------------------------------------

    async def _one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        async with self.conn.execute(sql, tuple(params)) as cur:
            return await cur.fetchone()

    async def _insert(self, sql: str, params: Iterable[Any] = ()) -> int | None:
        """Run an INSERT and return the id of the row it made (None when ON CONFLICT DO NOTHING made none)."""
        row = await self._one(sql + " RETURNING id", params)
        return row["id"] if row else None

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        async with self.conn.execute(sql, tuple(params)) as cur:
            return list(await cur.fetchall())


QUEUES = frozenset({"outbox", "notice_sends", "messages_out"})  # tables of rows the sweep sends (bot/reminders/queued.py)


class QueuedRows(Base):
    """Claim, confirm and drop a row of one of the sweep's queues: the same three statements for every queue."""

    async def claim_queued(self, table: str, row_id: int, seen_claim: str | None) -> bool:
        """Claim an unconfirmed row whose ``claimed_at`` is still `seen_claim` (one statement: a compare-and-set, so
        two sweeps never both claim it); True when this call claimed it."""
        assert table in QUEUES
        cur = await self.conn.execute(
            f"UPDATE {table} SET claimed_at = ? WHERE id = ? AND sent_at IS NULL AND claimed_at IS NOT DISTINCT FROM ?",
            (claim_stamp(), row_id, seen_claim))
        claimed = cur.rowcount == 1
        await cur.close()
        return claimed

    async def confirm_queued(self, table: str, row_id: int) -> None:
        """The row was sent: write ``sent_at``."""
        assert table in QUEUES
        await self.conn.execute(f"UPDATE {table} SET sent_at = ? WHERE id = ?", (claim_stamp(), row_id))

    async def drop_queued(self, table: str, row_id: int) -> None:
        """Forget an unconfirmed row (the chat refuses the bot, what it sends is gone)."""
        assert table in QUEUES
        await self.conn.execute(f"DELETE FROM {table} WHERE id = ? AND sent_at IS NULL", (row_id,))
