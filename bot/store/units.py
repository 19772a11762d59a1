"""Units and their roster, accounts, chats and invite codes."""

from __future__ import annotations

import json
import math
import re
import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import aiosqlite

from bot.store.audit import write_note
from bot.store.base import Base, IntegrityError, now_text
from bot.store.deadlines import match_people
from bot.store.records import Account, AuditNote, InviteCheck, Person, Unit

UNIT_FIELDS = ("kind", "superior", "name", "code", "place", "signer_name", "signer_title", "spelling")
INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 letters: no 0/O, 1/I to misread
INVITE_LENGTH = 8  # 8 × 5 bits = 40 bits
INVITE_DAYS = 7
LINK_LIFETIME = timedelta(minutes=10)  # a /ketnoi code: typed on the other app right away
PURPOSES = ("join", "link")  # an invite lets another person join; a link code lets the same person's other app in
ACCOUNT_COLUMNS = "channel, user_id, unit_id, role, display_name, person_id, person_key"
INVITE_TRIES = 5  # wrong codes an account may type per INVITE_WINDOW…
INVITE_WINDOW = timedelta(minutes=15)  # …before it waits until the oldest of them is this old
UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class UnitsStore(Base):
    async def create_unit(self, fields: dict[str, Any], people: list[dict[str, Any]],
                          settings: dict[str, Any] | None = None) -> int:
        async with self.transaction() as conn:
            unit_id = await self._insert(
                f"INSERT INTO units ({', '.join(UNIT_FIELDS)}, settings, created_at) "
                f"VALUES ({', '.join('?' for _ in UNIT_FIELDS)}, ?, ?)",
                (*(fields.get(k, "") for k in UNIT_FIELDS), json.dumps(settings or {}, ensure_ascii=False), now_text()),
            )
            assert unit_id is not None
            await self._write_roster(conn, unit_id, people)
        return unit_id

    async def update_unit(self, unit_id: int, fields: dict[str, Any], people: list[dict[str, Any]],
                          settings: dict[str, Any] | None = None, audit: Sequence[AuditNote] = ()) -> None:
        """Replace the profile and roster; `settings` keys given are merged into the unit's settings; the
        `audit` lines are written in the same transaction."""
        async with self.transaction() as conn:
            for note in audit:
                await self.write_audit(note)
            await conn.execute(
                f"UPDATE units SET {', '.join(f'{k} = ?' for k in UNIT_FIELDS)}, "
                "settings = json_patch(settings, ?) WHERE id = ?",
                (*(fields.get(k, "") for k in UNIT_FIELDS), json.dumps(settings or {}, ensure_ascii=False), unit_id),
            )
            await self._rewrite_roster(conn, unit_id, people)
            await match_people(conn, unit_id)  # a member added may be the one an open task names

    @staticmethod
    async def _rewrite_roster(conn: aiosqlite.Connection, unit_id: int, people: list[dict[str, Any]]) -> None:
        """Replace the roster, keeping the row (and id) of each member whose name stays, so the accounts that
        know their member keep it; a member removed takes the link with it (ON DELETE SET NULL)."""
        async with conn.execute("SELECT id, name FROM people WHERE unit_id = ? ORDER BY position", (unit_id,)) as cur:
            kept: dict[str, list[int]] = {}
            for row in await cur.fetchall():
                kept.setdefault(row["name"], []).append(row["id"])
        for i, p in enumerate(people):
            ids = kept.get(p["name"])
            values = (i, p["status"], int(p.get("exempt", False)))
            if ids:
                await conn.execute("UPDATE people SET position = ?, status = ?, exempt = ? WHERE id = ?",
                                   (*values, ids.pop(0)))
            else:
                await conn.execute("INSERT INTO people (unit_id, position, name, status, exempt) VALUES (?, ?, ?, ?, ?)",
                                   (unit_id, i, p["name"], *values[1:]))
        gone = [(i,) for ids in kept.values() for i in ids]
        await conn.executemany("DELETE FROM people WHERE id = ?", gone)

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
            f"SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE channel = ? AND user_id = ?", (channel, user_id)
        )
        return Account(**dict(row)) if row else None

    async def link_account(self, channel: str, user_id: str, unit_id: int, role: str, name: str = "",
                           person_id: int | None = None, person_key: str | None = None) -> None:
        await self.conn.execute(
            "INSERT INTO accounts (channel, user_id, unit_id, role, display_name, person_id, person_key, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel, user_id) DO UPDATE SET "
            "unit_id = excluded.unit_id, role = excluded.role, display_name = excluded.display_name, "
            "person_id = excluded.person_id, person_key = excluded.person_key",
            (channel, user_id, unit_id, role, name, person_id, person_key, now_text()),
        )

    async def set_person(self, channel: str, user_id: str, person_id: int | None) -> None:
        """Say which roster member an account is: the account and the other apps linked to it."""
        async with self.transaction() as conn:
            await conn.execute(
                "UPDATE accounts SET person_id = ? WHERE (channel = ? AND user_id = ?) OR (person_key IS NOT NULL "
                "AND (unit_id, person_key) = (SELECT unit_id, person_key FROM accounts WHERE channel = ? AND user_id = ?))",
                (person_id, channel, user_id, channel, user_id),
            )

    async def linked_accounts(self, channel: str, user_id: str) -> list[Account]:
        """The account and the accounts of the same person on other apps (linked by /ketnoi), oldest first."""
        rows = await self._all(
            f"SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE (channel = ? AND user_id = ?) OR (person_key IS NOT NULL "
            "AND (unit_id, person_key) = (SELECT unit_id, person_key FROM accounts WHERE channel = ? AND user_id = ?)) "
            "ORDER BY created_at, channel",
            (channel, user_id, channel, user_id),
        )
        return [Account(**dict(r)) for r in rows]

    async def invite_maker(self, code: str) -> str | None:
        """Who made a code ("channel:user")."""
        row = await self._one("SELECT created_by FROM invites WHERE code = ?", (normal_code(code),))
        return row["created_by"] if row else None

    async def redeem_link(self, code: str, channel: str, user_id: str, name: str, now: datetime) -> Account | None:
        """Use a valid /ketnoi code: the account (channel, user_id) becomes the same person as the code's maker —
        same unit, role and roster member. None when the code is not valid or its maker left the unit."""
        code = normal_code(code)
        async with self.transaction() as conn:
            row = await self._one(
                "SELECT unit_id, created_by FROM invites WHERE code = ? AND purpose = 'link' AND used_by IS NULL "
                "AND expires_at > ?", (code, utc_text(now)),
            )
            if row is None:
                return None
            maker = await self.account(*row["created_by"].split(":", 1))
            if maker is None or maker.unit_id != row["unit_id"]:
                return None
            key = maker.person_key or secrets.token_hex(8)
            await conn.execute("UPDATE accounts SET person_key = ? WHERE channel = ? AND user_id = ?",
                               (key, maker.channel, maker.user_id))
            await self.link_account(channel, user_id, maker.unit_id, maker.role, name, maker.person_id, key)
            await conn.execute("UPDATE invites SET used_by = ?, used_at = ? WHERE code = ?",
                               (f"{channel}:{user_id}", utc_text(now), code))
        return await self.account(channel, user_id)

    async def unit_accounts(self, unit_id: int) -> list[Account]:
        """The unit's accounts, the earliest linked first."""
        rows = await self._all(
            f"SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE unit_id = ? ORDER BY created_at",
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

    async def create_invite(self, unit_id: int, created_by: str, now: datetime, days: int = INVITE_DAYS, *,
                            purpose: str = "join", lifetime: timedelta | None = None, role: str = "manager",
                            person_id: int | None = None, audit: AuditNote | None = None) -> str:
        """A new single-use code of INVITE_LENGTH letters of INVITE_ALPHABET (40 bits), valid `days` days (or
        `lifetime`). `purpose` "join" lets another person join the unit as `role` (manager or member, a member
        for the roster member `person_id` when given); "link" lets `created_by`'s other app in. `audit` (its
        detail may name the code as "{code}") is written in the same transaction."""
        if purpose not in PURPOSES:
            raise ValueError(purpose)
        if role not in ("manager", "member"):
            raise ValueError(role)
        expires = now + (lifetime if lifetime is not None else timedelta(days=days))
        while True:
            code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
            try:
                async with self.transaction() as conn:
                    await conn.execute(
                        "INSERT INTO invites (code, unit_id, created_by, created_at, expires_at, purpose, role, "
                        "person_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (code, unit_id, created_by, utc_text(now), utc_text(expires), purpose, role, person_id),
                    )
                    if audit is not None:
                        await self.write_audit(replace(audit, detail=audit.detail.replace("{code}", code)))
                return code
            except IntegrityError:
                continue

    async def write_audit(self, note: AuditNote) -> None:
        """The audit line of a change, inside the caller's transaction."""
        await write_note(self.conn, note)

    async def find_invite(self, code: str, now: datetime, purpose: str = "join") -> int | None:
        """The unit of a valid, unused, unexpired code of `purpose` (no count of tries: see `try_invite`)."""
        row = await self._one(
            "SELECT unit_id FROM invites WHERE code = ? AND purpose = ? AND used_by IS NULL AND expires_at > ?",
            (normal_code(code), purpose, utc_text(now)),
        )
        return row["unit_id"] if row else None

    async def try_invite(self, code: str, account: str, now: datetime, *, tries: int = INVITE_TRIES,
                         window: timedelta = INVITE_WINDOW, purpose: str = "join") -> InviteCheck:
        """Check a code typed by `account` ("channel:user"), counting its wrong codes in SQLite: invite and
        link codes share the count, so guessing either costs the same.

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
            unit_id = await self.find_invite(code, now, purpose)
            if unit_id is not None:
                return InviteCheck(unit_id, tries_left=tries - len(recent))
            await conn.execute("INSERT INTO invite_tries (account, tried_at) VALUES (?, ?)", (account, utc_text(now)))
            return InviteCheck(None, tries_left=tries - len(recent) - 1)

    async def use_invite(self, code: str, user: str, now: datetime) -> int | None:
        """Use a valid join code (one statement: of two people typing it at once, one gets it); its unit."""
        row = await self._one(
            "UPDATE invites SET used_by = ?, used_at = ? WHERE code = ? AND purpose = 'join' AND used_by IS NULL "
            "AND expires_at > ? RETURNING unit_id", (user, utc_text(now), normal_code(code), utc_text(now)))
        return row["unit_id"] if row else None


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
