"""Units and their roster, accounts, chats and invite codes."""

from __future__ import annotations

import json
import math
import re
import secrets
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

import aiosqlite

from bot.store.base import Base, now_text
from bot.store.records import Account, InviteCheck, Person, Unit

UNIT_FIELDS = ("kind", "superior", "name", "code", "place", "signer_name", "signer_title", "spelling")
INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 letters: no 0/O, 1/I to misread
INVITE_LENGTH = 8  # 8 × 5 bits = 40 bits
INVITE_DAYS = 7
INVITE_TRIES = 5  # wrong codes an account may type per INVITE_WINDOW…
INVITE_WINDOW = timedelta(minutes=15)  # …before it waits until the oldest of them is this old
UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class UnitsStore(Base):
    async def create_unit(self, fields: dict[str, Any], people: list[dict[str, Any]],
                          settings: dict[str, Any] | None = None) -> int:
        async with self.transaction() as conn:
            cur = await conn.execute(
                f"INSERT INTO units ({', '.join(UNIT_FIELDS)}, settings, created_at) "
                f"VALUES ({', '.join('?' for _ in UNIT_FIELDS)}, ?, ?)",
                (*(fields.get(k, "") for k in UNIT_FIELDS), json.dumps(settings or {}, ensure_ascii=False), now_text()),
            )
            unit_id = cur.lastrowid
            assert unit_id is not None
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
        row = await self._one("SELECT * FROM units WHERE id = ?", (unit_id,))
        if row is None:
            return None
        return Unit(
            id=row["id"],
            **{k: row[k] for k in UNIT_FIELDS},
            settings=json.loads(row["settings"]),
        )

    async def people(self, unit_id: int) -> list[Person]:
        rows = await self._all(
            "SELECT id, name, status, exempt FROM people WHERE unit_id = ? ORDER BY position", (unit_id,)
        )
        return [Person(r["id"], r["name"], r["status"], bool(r["exempt"])) for r in rows]

    # -- accounts, chats, invites ---------------------------------------------------------------

    async def account(self, channel: str, user_id: str) -> Account | None:
        row = await self._one(
            "SELECT channel, user_id, unit_id, role FROM accounts WHERE channel = ? AND user_id = ?",
            (channel, user_id),
        )
        return Account(**dict(row)) if row else None

    async def link_account(self, channel: str, user_id: str, unit_id: int, role: str, name: str = "") -> None:
        await self.conn.execute(
            "INSERT INTO accounts (channel, user_id, unit_id, role, display_name, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel, user_id) DO UPDATE SET "
            "unit_id = excluded.unit_id, role = excluded.role, display_name = excluded.display_name",
            (channel, user_id, unit_id, role, name, now_text()),
        )

    async def unit_accounts(self, unit_id: int) -> list[Account]:
        """The unit's accounts, the earliest linked first."""
        rows = await self._all(
            "SELECT channel, user_id, unit_id, role, display_name FROM accounts WHERE unit_id = ? ORDER BY created_at",
            (unit_id,),
        )
        return [Account(**dict(r)) for r in rows]

    async def touch_chat(self, channel: str, chat_id: str, chat_type: str, unit_id: int | None) -> None:
        await self.conn.execute(
            "INSERT INTO chats (channel, chat_id, chat_type, unit_id, last_seen) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (channel, chat_id) DO UPDATE SET last_seen = excluded.last_seen, "
            "unit_id = CASE WHEN chats.linked = 1 THEN chats.unit_id ELSE COALESCE(excluded.unit_id, chats.unit_id) END",
            (channel, chat_id, chat_type, unit_id, now_text()),
        )

    async def create_invite(self, unit_id: int, created_by: str, now: datetime, days: int = INVITE_DAYS) -> str:
        """A new single-use code of INVITE_LENGTH letters of INVITE_ALPHABET (40 bits), valid `days` days."""
        while True:
            code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
            try:
                await self.conn.execute(
                    "INSERT INTO invites (code, unit_id, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                    (code, unit_id, created_by, utc_text(now), utc_text(now + timedelta(days=days))),
                )
                return code
            except sqlite3.IntegrityError:
                continue

    async def find_invite(self, code: str, now: datetime) -> int | None:
        """The unit of a valid, unused, unexpired invite code (no count of tries: see `try_invite`)."""
        row = await self._one(
            "SELECT unit_id FROM invites WHERE code = ? AND used_by IS NULL AND expires_at > ?",
            (normal_code(code), utc_text(now)),
        )
        return row["unit_id"] if row else None

    async def try_invite(self, code: str, account: str, now: datetime, *, tries: int = INVITE_TRIES,
                         window: timedelta = INVITE_WINDOW) -> InviteCheck:
        """Check a code typed by `account` ("channel:user"), counting its wrong codes in SQLite.

        After `tries` wrong codes within `window` the account must wait until the oldest of them is
        `window` old; meanwhile no code is looked at, not even the right one, and nothing is counted.
        """
        since = utc_text(now - window)
        async with self.transaction() as conn:
            await conn.execute("DELETE FROM invite_tries WHERE tried_at <= ?", (since,))
            async with conn.execute(
                "SELECT tried_at FROM invite_tries WHERE account = ? AND tried_at > ? ORDER BY tried_at DESC LIMIT ?",
                (account, since, tries),
            ) as cur:
                recent = [r["tried_at"] for r in await cur.fetchall()]
            if len(recent) >= tries:
                free_at = _parse_utc(recent[-1]) + window
                return InviteCheck(None, wait_seconds=max(1, math.ceil((free_at - now).total_seconds())))
            unit_id = await self.find_invite(code, now)
            if unit_id is not None:
                return InviteCheck(unit_id, tries_left=tries - len(recent))
            await conn.execute("INSERT INTO invite_tries (account, tried_at) VALUES (?, ?)", (account, utc_text(now)))
            return InviteCheck(None, tries_left=tries - len(recent) - 1)

    async def use_invite(self, code: str, user: str, now: datetime) -> int | None:
        async with self.transaction() as conn:
            unit_id = await self.find_invite(code, now)
            if unit_id is not None:
                await conn.execute(
                    "UPDATE invites SET used_by = ?, used_at = ? WHERE code = ?",
                    (user, utc_text(now), normal_code(code)),
                )
        return unit_id


def normal_code(code: str) -> str:
    """An invite code as stored: capitals, without the spaces or dashes a person may type."""
    return re.sub(r"[\s-]+", "", code).upper()


def utc_text(moment: datetime) -> str:
    """An instant as the invites table stores it: UTC, fixed width, so text order is time order."""
    if moment.tzinfo is None:
        raise ValueError("an invite time needs its time zone")
    return moment.astimezone(UTC).strftime(UTC_FORMAT)


def _parse_utc(text: str) -> datetime:
    return datetime.strptime(text, UTC_FORMAT).replace(tzinfo=UTC)
