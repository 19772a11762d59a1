"""The store on PostgreSQL (`CHIBO_DB=postgresql://…`), through psycopg 3 and its connection pool.

The table families write one SQL for both engines: `?` parameters, `ON CONFLICT`, `RETURNING`, `IS NOT DISTINCT
FROM`, `json_extract` / `json_patch`. What differs is kept here:

- parameters: `?` becomes psycopg's `%s` (and a literal `%` is doubled), once per statement text (`pyformat`);
- the numbered migrations of bot/store/migrations.py are translated for PostgreSQL (`ddl`): an `INTEGER PRIMARY
  KEY` becomes an identity column, INTEGER BIGINT, BLOB BYTEA, and TEXT compares byte by byte (COLLATE "C") as
  SQLite's does, whatever the database's locale; a migration whose SQL cannot be translated has its own text in
  `OVERRIDES`; `PREAMBLE` defines SQLite's `json_extract` (paths `$.a."b.c"[0]`) and `json_patch` (RFC 7396)
  for PostgreSQL, on every start (before the migrations, under their lock);
- rows read by column name or position, as sqlite3.Row (`Row`), booleans written as 0 and 1, a NUL in a text
  dropped (handlers never see one: bot/messages.py);
- connections: a statement outside a transaction borrows a pool connection (autocommit) for itself; a
  transaction, or a chat's session (`pinned`: the chat's advisory lock, held while one update of that chat is
  answered, whichever worker answers it), keeps one connection for every statement run in its task (a context
  variable), so the table families never pass connections around.
"""

from __future__ import annotations

import asyncio
import contextvars
import re
import shutil
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.rows import RowMaker
from psycopg_pool import AsyncConnectionPool

SCHEMES = ("postgresql://", "postgres://")
CHAT_LOCK, MIGRATION_LOCK = 1, 2  # first key of the two-key advisory locks



class _Held:
    """A connection of a pool kept for a task (and the tasks it starts) while `open`: a task that outlives the
    transaction or session it was started in goes back to the pool, never to a connection another task now holds;
    another store (pool) in the same process never uses it."""

    def __init__(self, conn: psycopg.AsyncConnection[Any], pool: AsyncConnectionPool[Any]) -> None:
        self.conn = conn
        self.pool = pool
        self.open = True


_held: contextvars.ContextVar[_Held | None] = contextvars.ContextVar("chibo_pg_connection", default=None)


def _current(pool: AsyncConnectionPool[Any]) -> psycopg.AsyncConnection[Any] | None:
    held = _held.get()
    return held.conn if held is not None and held.open and held.pool is pool else None


@asynccontextmanager
async def _holding(conn: psycopg.AsyncConnection[Any], pool: AsyncConnectionPool[Any]) -> AsyncIterator[None]:
    held = _Held(conn, pool)
    token = _held.set(held)
    try:
        yield
    finally:
        held.open = False
        _held.reset(token)


def is_url(db: str) -> bool:
    return db.lower().startswith(SCHEMES)


def shown_url(url: str) -> str:
    """The URL as it may be printed: without its password."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


class Row:
    """A row read by column name or position, like sqlite3.Row."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: Sequence[Any]) -> None:
        self._index = index
        self._values = values

    def __getitem__(self, key: int | str) -> Any:
        return self._values[self._index[key] if isinstance(key, str) else key]

    def keys(self) -> list[str]:
        return list(self._index)

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._index, self._values, strict=True))!r})"


def _row_maker(cursor: psycopg.AsyncCursor[Any]) -> RowMaker[Row]:
    index = {column.name: i for i, column in enumerate(cursor.description or ())}
    return lambda values: Row(index, values)


@lru_cache(maxsize=2048)
def pyformat(sql: str) -> str:
    """A statement with `?` parameters as psycopg's `%s` ones (a `%` of the text doubled, quoted or not)."""
    out: list[str] = []
    quote = ""
    for ch in sql:
        if ch == "%":
            out.append("%%")
        elif quote:
            out.append(ch)
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        else:
            out.append("%s" if ch == "?" else ch)
    return "".join(out)


def _param(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and "\x00" in value:  # PostgreSQL's text cannot hold a NUL (SQLite's can)
        return value.replace("\x00", "")
    return value


def _params(params: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(_param(p) for p in params)


class Cursor:
    """The rows and row count of one statement, read at once (as aiosqlite's cursor is used here)."""

    def __init__(self, rows: list[Row], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount

    async def fetchone(self) -> Row | None:
        return self.rows[0] if self.rows else None

    async def fetchall(self) -> list[Row]:
        return self.rows

    async def close(self) -> None:
        pass


class _Pending:
    """What `execute` returns: awaited, or used as `async with … as cur`, like aiosqlite's."""

    def __init__(self, run: Callable[[], Any]) -> None:
        self._run = run

    def __await__(self):
        return self._run().__await__()

    async def __aenter__(self) -> Cursor:
        cursor: Cursor = await self._run()
        return cursor

    async def __aexit__(self, *exc: object) -> None:
        pass


async def _run(conn: psycopg.AsyncConnection[Any], sql: str, params: Iterable[Any]) -> Cursor:
    async with conn.cursor(row_factory=_row_maker) as cur:
        await cur.execute(pyformat(sql), _params(params))
        rows = await cur.fetchall() if cur.description is not None else []
        return Cursor(rows, cur.rowcount)


class Connection:
    """The connection the table families see (`Base.conn`) on PostgreSQL: a pool behind aiosqlite's calls."""

    def __init__(self, pool: AsyncConnectionPool[Any]) -> None:
        self.pool = pool

    @classmethod
    async def open(cls, url: str, size: int) -> Connection:
        # One connection first: a wrong address or password is its own clear error at once, not a pool's timeout.
        first = await psycopg.AsyncConnection.connect(url, connect_timeout=10)
        await first.close()
        pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            url, min_size=1, max_size=max(2, size), kwargs={"autocommit": True}, open=False, timeout=60,
            name="chibo")
        await pool.open(wait=True, timeout=15)
        return cls(pool)

    async def close(self) -> None:
        await self.pool.close()

    def execute(self, sql: str, params: Iterable[Any] = ()) -> _Pending:
        return _Pending(lambda: self._execute(sql, params))

    async def _execute(self, sql: str, params: Iterable[Any]) -> Cursor:
        async with self._connection() as conn:
            return await _run(conn, sql, params)

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        rows = [_params(r) for r in rows]
        if not rows:
            return
        async with self._connection() as conn, conn.cursor() as cur:
            await cur.executemany(pyformat(sql), rows)  # type: ignore[arg-type]

    async def script(self, sql: str) -> None:
        """Several statements without parameters (a migration), in the running transaction."""
        async with self._connection() as conn:
            await conn.execute(sql)

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        conn = _current(self.pool)
        if conn is not None:
            yield conn
        else:
            async with self.pool.connection() as conn:
                yield conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """One transaction for every statement of this task until it ends (a savepoint when nested)."""
        conn = _current(self.pool)
        if conn is not None:
            async with conn.transaction():
                yield
            return
        async with self.pool.connection() as conn, _holding(conn, self.pool), conn.transaction():
            yield

    @asynccontextmanager
    async def pinned(self, key: str) -> AsyncIterator[None]:
        """Hold the advisory lock of `key` (a chat) on one connection that every statement of this task uses
        meanwhile: whoever else asks for the same key, in this process or another, waits until it is released."""
        if _current(self.pool) is not None:  # inside a session or transaction already: its connection goes on
            yield
            return
        lock = (CHAT_LOCK, zlib.crc32(key.encode()) - 2**31)
        async with self.pool.connection() as conn:
            try:
                await conn.execute("SELECT pg_advisory_lock(%s, %s)", lock)
            except BaseException:
                await conn.close()  # the lock may have been granted as the wait was cancelled: the server drops it
                raise
            try:
                async with _holding(conn, self.pool):
                    yield
            finally:
                try:
                    await asyncio.shield(conn.execute("SELECT pg_advisory_unlock(%s, %s)", lock))
                except BaseException:
                    await conn.close()
                    raise

    # -- schema and backups ------------------------------------------------------------------------

    async def migration_lock(self) -> None:
        """Inside the migrating transaction: one process migrates at a time, the others then find it done."""
        await self.execute("SELECT pg_advisory_xact_lock(?, 0)", (MIGRATION_LOCK,))

    async def backup(self, url: str, path: str) -> None:
        """`pg_dump --format=custom` of the database into `path` (restore with pg_restore)."""
        if shutil.which("pg_dump") is None:
            raise FileNotFoundError("pg_dump")
        proc = await asyncio.create_subprocess_exec(
            "pg_dump", "--format=custom", "--no-owner", "--file", path, "--dbname", url,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        _, err = await proc.communicate()
        if proc.returncode != 0:
            raise OSError(err.decode(errors="replace").strip() or f"pg_dump exited with {proc.returncode}")


# -- the migrations, for PostgreSQL --------------------------------------------------------------------

PREAMBLE = r"""
CREATE OR REPLACE FUNCTION chibo_json_path(path text) RETURNS text[] AS $$
    SELECT COALESCE(array_agg(COALESCE(m[1], m[2], m[3]) ORDER BY n), '{}')
    FROM regexp_matches(substring(path from 2), '\.(?:"([^"]*)"|([^.\[]+))|\[([0-9]+)\]', 'g')
        WITH ORDINALITY AS t(m, n)
$$ LANGUAGE sql IMMUTABLE;
CREATE OR REPLACE FUNCTION json_extract(doc text, path text) RETURNS text AS $$
    SELECT (doc::jsonb) #>> chibo_json_path(path)
$$ LANGUAGE sql IMMUTABLE;
CREATE OR REPLACE FUNCTION chibo_merge_patch(target jsonb, patch jsonb) RETURNS jsonb AS $$
DECLARE
    k text;
    v jsonb;
    result jsonb;
BEGIN
    IF jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN
        RETURN patch;
    END IF;
    result := CASE WHEN jsonb_typeof(target) = 'object' THEN target ELSE '{}'::jsonb END;
    FOR k, v IN SELECT * FROM jsonb_each(patch) LOOP
        IF jsonb_typeof(v) = 'null' THEN
            result := result - k;
        ELSE
            result := jsonb_set(result, ARRAY[k], chibo_merge_patch(result -> k, v));
        END IF;
    END LOOP;
    RETURN result;
END
$$ LANGUAGE plpgsql IMMUTABLE;
CREATE OR REPLACE FUNCTION json_patch(target text, patch text) RETURNS text AS $$
    SELECT chibo_merge_patch(target::jsonb, patch::jsonb)::text
$$ LANGUAGE sql IMMUTABLE;
"""

# Migrations whose SQLite text PostgreSQL cannot run. 8 rewrote invite times of SQLite databases made before it;
# a PostgreSQL database is made at a later version, with no invites to rewrite: its table is all that is left.
OVERRIDES = {
    8: """
        CREATE TABLE invite_tries (
            account TEXT NOT NULL,
            tried_at TEXT NOT NULL
        );
        CREATE INDEX invite_tries_account ON invite_tries(account, tried_at);
    """,
}


def ddl(version: int, sql: str) -> str:
    """A migration's SQL for PostgreSQL."""
    sql = OVERRIDES.get(version, sql)
    sql = re.sub(r"\bINTEGER PRIMARY KEY\b", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", sql)
    sql = re.sub(r"\bINTEGER\b", "BIGINT", sql)
    sql = re.sub(r"\bBLOB\b", "BYTEA", sql)
    return re.sub(r"\bTEXT\b", 'TEXT COLLATE "C"', sql)
