"""The connection every table family shares: one aiosqlite connection in autocommit mode.

WAL, foreign keys and a busy timeout; multi-statement writes run in explicit `BEGIN IMMEDIATE`
transactions, one at a time on the shared connection. Every query is parameterised.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Self

import aiosqlite

from bot.store.migrations import MIGRATIONS


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


class Base:
    engine = "sqlite"  # or "postgresql": the store shared by several worker processes
    # Seconds after which another process's claim of a queued row or reminder that was never confirmed is taken
    # over. None on SQLite (one process): a claim made before this process started is an orphan at once.
    claim_lease: float | None = None

    def __init__(self, conn: aiosqlite.Connection):
        self.conn = conn
        self._writing = asyncio.Lock()  # one explicit transaction at a time on the shared connection

    @classmethod
    async def open(cls, path: str, *, migrate_to: int | None = None) -> Self:
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
        await self.conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._writing:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    # -- schema ---------------------------------------------------------------------------------

    async def schema_version(self) -> int:
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        row = await self._one("SELECT MAX(version) AS v FROM schema_migrations")
        return (row["v"] if row else None) or 0

    async def migrate(self, target: int | None = None) -> int:
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

    async def backup(self, path: str) -> None:
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
            f"UPDATE {table} SET claimed_at = ? WHERE id = ? AND sent_at IS NULL AND claimed_at IS ?",
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
