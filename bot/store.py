"""The SQLite store: one aiosqlite connection in autocommit mode, every query parameterised."""

from __future__ import annotations

import asyncio
import json
import secrets
import sqlite3
from collections.abc import Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.migrations import MIGRATIONS

UNIT_FIELDS = ("kind", "superior", "name", "code", "place", "signer_name", "signer_title", "spelling")
INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class Unit:
    id: int
    kind: str
    superior: str
    name: str
    code: str
    place: str
    signer_name: str
    signer_title: str
    spelling: str
    settings: dict[str, Any]


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    status: str  # 'chinh_thuc' | 'du_bi'
    exempt: bool


@dataclass(frozen=True)
class Account:
    channel: str
    user_id: str
    unit_id: int
    role: str


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


class Store:
    def __init__(self, conn: aiosqlite.Connection):
        self.conn = conn
        self._writing = asyncio.Lock()  # one explicit transaction at a time on the shared connection

    @classmethod
    async def open(cls, path: str, *, migrate_to: int | None = None) -> Store:
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA busy_timeout = 5000")
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA foreign_keys = ON")
        store = cls(conn)
        await store.migrate(migrate_to)
        return store

    async def close(self) -> None:
        await self.conn.close()

    @asynccontextmanager
    async def transaction(self):
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
        row = await self.fetch_one("SELECT MAX(version) AS v FROM schema_migrations")
        return row["v"] or 0

    async def migrate(self, target: int | None = None) -> int:
        current = await self.schema_version()
        for version, name, sql in MIGRATIONS:
            if version <= current or (target is not None and version > target):
                continue
            # executescript commits on its own; wrap it so a failed migration leaves nothing behind.
            await self.conn.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\n"
                f"INSERT INTO schema_migrations VALUES ({version}, '{name}', '{_now()}');\nCOMMIT;"
            )
            current = version
        return current

    async def backup(self, path: str) -> None:
        target = await aiosqlite.connect(path)
        try:
            await self.conn.backup(target)
        finally:
            await target.close()

    # -- helpers --------------------------------------------------------------------------------

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        async with self.conn.execute(sql, tuple(params)) as cur:
            return await cur.fetchone()

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        async with self.conn.execute(sql, tuple(params)) as cur:
            return list(await cur.fetchall())

    # -- units and roster -----------------------------------------------------------------------

    async def create_unit(self, fields: dict[str, Any], people: list[dict[str, Any]],
                          settings: dict[str, Any] | None = None) -> int:
        async with self.transaction() as conn:
            cur = await conn.execute(
                f"INSERT INTO units ({', '.join(UNIT_FIELDS)}, settings, created_at) "
                f"VALUES ({', '.join('?' for _ in UNIT_FIELDS)}, ?, ?)",
                (*(fields.get(k, "") for k in UNIT_FIELDS), json.dumps(settings or {}, ensure_ascii=False), _now()),
            )
            unit_id = cur.lastrowid
            await self._write_roster(conn, unit_id, people)
        return unit_id

    async def update_unit(self, unit_id: int, fields: dict[str, Any], people: list[dict[str, Any]],
                          settings: dict[str, Any] | None = None) -> None:
        """Replace the profile and roster; `settings` keys given are merged into the unit's settings."""
        async with self.transaction() as conn:
            await conn.execute(
                f"UPDATE units SET {', '.join(f'{k} = ?' for k in UNIT_FIELDS)}, "
                "settings = json_patch(settings, ?) WHERE id = ?",
                (*(fields.get(k, "") for k in UNIT_FIELDS), json.dumps(settings or {}, ensure_ascii=False), unit_id),
            )
            await conn.execute("DELETE FROM people WHERE unit_id = ?", (unit_id,))
            await self._write_roster(conn, unit_id, people)

    @staticmethod
    async def _write_roster(conn: aiosqlite.Connection, unit_id: int, people: list[dict[str, Any]]) -> None:
        await conn.executemany(
            "INSERT INTO people (unit_id, position, name, status, exempt) VALUES (?, ?, ?, ?, ?)",
            [(unit_id, i, p["name"], p["status"], int(p.get("exempt", False))) for i, p in enumerate(people)],
        )

    async def get_unit(self, unit_id: int) -> Unit | None:
        row = await self.fetch_one("SELECT * FROM units WHERE id = ?", (unit_id,))
        if row is None:
            return None
        return Unit(
            id=row["id"],
            **{k: row[k] for k in UNIT_FIELDS},
            settings=json.loads(row["settings"]),
        )

    async def people(self, unit_id: int) -> list[Person]:
        rows = await self.fetch_all(
            "SELECT id, name, status, exempt FROM people WHERE unit_id = ? ORDER BY position", (unit_id,)
        )
        return [Person(r["id"], r["name"], r["status"], bool(r["exempt"])) for r in rows]

    # -- accounts, chats, invites ---------------------------------------------------------------

    async def account(self, channel: str, user_id: str) -> Account | None:
        row = await self.fetch_one(
            "SELECT channel, user_id, unit_id, role FROM accounts WHERE channel = ? AND user_id = ?",
            (channel, user_id),
        )
        return Account(**dict(row)) if row else None

    async def link_account(self, channel: str, user_id: str, unit_id: int, role: str, name: str = "") -> None:
        await self.conn.execute(
            "INSERT INTO accounts (channel, user_id, unit_id, role, display_name, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel, user_id) DO UPDATE SET "
            "unit_id = excluded.unit_id, role = excluded.role, display_name = excluded.display_name",
            (channel, user_id, unit_id, role, name, _now()),
        )

    async def unit_accounts(self, unit_id: int) -> list[sqlite3.Row]:
        return await self.fetch_all(
            "SELECT channel, user_id, role, display_name FROM accounts WHERE unit_id = ? ORDER BY created_at",
            (unit_id,),
        )

    async def touch_chat(self, channel: str, chat_id: str, chat_type: str, unit_id: int | None) -> None:
        await self.conn.execute(
            "INSERT INTO chats (channel, chat_id, chat_type, unit_id, last_seen) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (channel, chat_id) DO UPDATE SET last_seen = excluded.last_seen, "
            "unit_id = CASE WHEN chats.linked = 1 THEN chats.unit_id ELSE COALESCE(excluded.unit_id, chats.unit_id) END",
            (channel, chat_id, chat_type, unit_id, _now()),
        )

    async def create_invite(self, unit_id: int, created_by: str, now: datetime, days: int = 7) -> str:
        while True:
            code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(6))
            try:
                await self.conn.execute(
                    "INSERT INTO invites (code, unit_id, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                    (code, unit_id, created_by, now.isoformat(), (now + timedelta(days=days)).isoformat()),
                )
                return code
            except sqlite3.IntegrityError:
                continue

    async def find_invite(self, code: str, now: datetime) -> int | None:
        """The unit of a valid, unused, unexpired invite code."""
        row = await self.fetch_one(
            "SELECT unit_id FROM invites WHERE code = ? AND used_by IS NULL AND expires_at > ?",
            (code.strip().upper(), now.isoformat()),
        )
        return row["unit_id"] if row else None

    async def use_invite(self, code: str, user: str, now: datetime) -> int | None:
        async with self.transaction() as conn:
            unit_id = await self.find_invite(code, now)
            if unit_id is not None:
                await conn.execute(
                    "UPDATE invites SET used_by = ?, used_at = ? WHERE code = ?",
                    (user, now.isoformat(), code.strip().upper()),
                )
        return unit_id

    # -- drafts: the state of every unfinished conversation -------------------------------------

    async def draft(self, channel: str, chat_id: str, user_id: str) -> dict[str, Any] | None:
        row = await self.fetch_one(
            "SELECT state FROM drafts WHERE channel = ? AND chat_id = ? AND user_id = ?",
            (channel, chat_id, user_id),
        )
        return json.loads(row["state"]) if row else None

    async def save_draft(self, channel: str, chat_id: str, user_id: str, state: dict[str, Any]) -> None:
        await self.conn.execute(
            "INSERT INTO drafts (channel, chat_id, user_id, flow, state, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (channel, chat_id, user_id) DO UPDATE SET flow = excluded.flow, "
            "state = excluded.state, updated_at = excluded.updated_at",
            (channel, chat_id, user_id, state["flow"], json.dumps(state, ensure_ascii=False), _now()),
        )

    async def delete_draft(self, channel: str, chat_id: str, user_id: str) -> None:
        await self.conn.execute(
            "DELETE FROM drafts WHERE channel = ? AND chat_id = ? AND user_id = ?", (channel, chat_id, user_id)
        )

    # -- documents and their number series ------------------------------------------------------

    async def next_number(self, unit_id: int, series: str) -> int:
        """The next free number: numbers are never reused, even after a higher one was typed by hand."""
        row = await self.fetch_one(
            "SELECT MAX(n) AS n FROM (SELECT last AS n FROM number_series WHERE unit_id = ? AND series = ? "
            "UNION ALL SELECT MAX(number) FROM documents WHERE unit_id = ? AND series = ?)",
            (unit_id, series, unit_id, series),
        )
        return (row["n"] or 0) + 1

    async def number_taken(self, unit_id: int, series: str, number: int) -> bool:
        row = await self.fetch_one(
            "SELECT 1 FROM documents WHERE unit_id = ? AND series = ? AND number = ?", (unit_id, series, number)
        )
        return row is not None

    async def save_document(self, doc: dict[str, Any], deadlines: list[dict[str, Any]]) -> int:
        """Store a finished document and the dated items it creates, in one transaction."""
        async with self.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO documents (unit_id, kind, doc_type, series, number, issued_on, title, answers, "
                "filename, content, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc["unit_id"], doc["kind"], doc["doc_type"], doc["series"], doc.get("number"), doc["issued_on"],
                 doc["title"], json.dumps(doc["answers"], ensure_ascii=False), doc["filename"], doc["content"],
                 doc["created_by"], _now()),
            )
            doc_id = cur.lastrowid
            if doc.get("number") is not None:
                await conn.execute(
                    "INSERT INTO number_series (unit_id, series, last) VALUES (?, ?, ?) "
                    "ON CONFLICT (unit_id, series) DO UPDATE SET last = MAX(last, excluded.last)",
                    (doc["unit_id"], doc["series"], doc["number"]),
                )
            await conn.executemany(
                "INSERT INTO deadlines (unit_id, kind, title, due, start, at_time, assignee, document_id, source, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(doc["unit_id"], d["kind"], d["title"], d["due"], d.get("start"), d.get("time"), d.get("who"),
                  doc_id, d.get("source", ""), _now()) for d in deadlines],
            )
        return doc_id

    async def documents(self, unit_id: int, limit: int = 20) -> list[sqlite3.Row]:
        return await self.fetch_all(
            "SELECT id, kind, doc_type, number, issued_on, title, filename FROM documents "
            "WHERE unit_id = ? ORDER BY id DESC LIMIT ?",
            (unit_id, limit),
        )

    async def document(self, unit_id: int, doc_id: int) -> sqlite3.Row | None:
        return await self.fetch_one("SELECT * FROM documents WHERE unit_id = ? AND id = ?", (unit_id, doc_id))

    async def document_by_number(self, unit_id: int, doc_type: str, number: int) -> sqlite3.Row | None:
        return await self.fetch_one(
            "SELECT * FROM documents WHERE unit_id = ? AND doc_type = ? AND number = ? ORDER BY id DESC LIMIT 1",
            (unit_id, doc_type, number),
        )

    async def deadlines_of_document(self, doc_id: int) -> list[sqlite3.Row]:
        return await self.fetch_all("SELECT * FROM deadlines WHERE document_id = ? ORDER BY due, id", (doc_id,))
