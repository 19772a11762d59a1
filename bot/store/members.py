"""The members of a unit: joining by an invite of a role, open invites, join requests, roles, removal and
handing the unit over. A unit has exactly one owner (one person: her accounts on several apps linked by
/ketnoi share the role); every change here is one transaction with its audit line."""

from __future__ import annotations

from datetime import datetime

from bot.store.base import now_text
from bot.store.records import AuditNote, JoinRequest, OpenInvite
from bot.store.units import UnitsStore, normal_code, utc_text

# The account and the accounts of the same person on other apps: (channel, user_id) given twice.
SAME_PERSON = ("((channel = ? AND user_id = ?) OR (person_key IS NOT NULL AND (unit_id, person_key) = "
               "(SELECT unit_id, person_key FROM accounts WHERE channel = ? AND user_id = ?)))")


class MemberError(Exception):
    """A change the rules refuse (the unit would be left without its one owner…); str() says which rule."""


class MembersStore(UnitsStore):
    async def join_unit(self, code: str, channel: str, user_id: str, name: str, now: datetime,
                        audit: AuditNote | None = None) -> OpenInvite | None:
        """Use a valid join code: the account joins its unit with the code's role (and, for a member code made
        for a roster member, as that member); the code is spent and `audit` written, in one transaction.
        Returns the invite used (its unit: `unit_of_invite`), None when the code is no longer valid."""
        code = normal_code(code)
        async with self.transaction() as conn:
            row = await self._one(
                "SELECT code, unit_id, role, person_id, created_by, expires_at FROM invites WHERE code = ? "
                "AND purpose = 'join' AND used_by IS NULL AND expires_at > ?", (code, utc_text(now)))
            if row is None:
                return None
            await conn.execute("UPDATE invites SET used_by = ?, used_at = ? WHERE code = ?",
                               (f"{channel}:{user_id}", utc_text(now), code))
            await self.link_account(channel, user_id, row["unit_id"], row["role"], name, row["person_id"])
            await conn.execute("DELETE FROM join_requests WHERE channel = ? AND user_id = ?", (channel, user_id))
            if audit is not None:
                await self.write_audit(AuditNote(row["unit_id"], audit.at, audit.actor, audit.actor_name,
                                                 audit.action, audit.detail))
        return OpenInvite(row["code"], row["role"], row["person_id"], row["created_by"], row["expires_at"])

    async def unit_of_invite(self, code: str) -> int | None:
        row = await self._one("SELECT unit_id FROM invites WHERE code = ?", (normal_code(code),))
        return row["unit_id"] if row else None

    async def open_invites(self, unit_id: int, now: datetime) -> list[OpenInvite]:
        """The unit's join codes still usable, the newest first."""
        rows = await self._all(
            "SELECT code, role, person_id, created_by, expires_at FROM invites WHERE unit_id = ? AND purpose = 'join' "
            "AND used_by IS NULL AND expires_at > ? ORDER BY created_at DESC, code", (unit_id, utc_text(now)))
        return [OpenInvite(**dict(r)) for r in rows]

    async def revoke_invite(self, unit_id: int, code: str, audit: AuditNote) -> bool:
        """Delete an unused join code of the unit; False when there is none such."""
        async with self.transaction() as conn:
            cur = await conn.execute("DELETE FROM invites WHERE code = ? AND unit_id = ? AND purpose = 'join' "
                                     "AND used_by IS NULL", (normal_code(code), unit_id))
            gone = cur.rowcount == 1
            await cur.close()
            if gone:
                await self.write_audit(audit)
        return gone

    # -- join requests ------------------------------------------------------------------------------

    async def ask_to_be(self, channel: str, user_id: str, unit_id: int, person_id: int) -> None:
        """The account says it is roster member `person_id`; kept until a manager confirms or refuses."""
        await self.conn.execute(
            "INSERT INTO join_requests (channel, user_id, unit_id, person_id, created_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (channel, user_id) DO UPDATE SET unit_id = excluded.unit_id, person_id = excluded.person_id, "
            "created_at = excluded.created_at", (channel, user_id, unit_id, person_id, now_text()))

    async def join_requests(self, unit_id: int) -> list[JoinRequest]:
        rows = await self._all(
            "SELECT r.channel, r.user_id, r.unit_id, r.person_id, a.display_name, r.created_at FROM join_requests r "
            "JOIN accounts a ON (a.channel, a.user_id) = (r.channel, r.user_id) AND a.unit_id = r.unit_id "
            "WHERE r.unit_id = ? ORDER BY r.created_at", (unit_id,))
        return [JoinRequest(**dict(r)) for r in rows]

    async def answer_join_request(self, unit_id: int, channel: str, user_id: str, accept: bool,
                                  audit: AuditNote) -> JoinRequest | None:
        """Confirm (the account and its other apps become that roster member) or refuse a request; None when
        there is no such request (already answered)."""
        async with self.transaction() as conn:
            found = [r for r in await self.join_requests(unit_id) if (r.channel, r.user_id) == (channel, user_id)]
            if not found:
                return None
            await conn.execute("DELETE FROM join_requests WHERE channel = ? AND user_id = ?", (channel, user_id))
            if accept:
                await conn.execute(f"UPDATE accounts SET person_id = ? WHERE unit_id = ? AND {SAME_PERSON}",
                                   (found[0].person_id, unit_id, channel, user_id, channel, user_id))
            await self.write_audit(audit)
        return found[0]

    # -- roles ----------------------------------------------------------------------------------

    async def set_role(self, unit_id: int, channel: str, user_id: str, role: str, audit: AuditNote) -> None:
        """Make an account (and its other apps) a manager or a member; the owner's role changes only by
        handing the unit over."""
        if role not in ("manager", "member"):
            raise MemberError("Chỉ đổi được giữa người cùng quản lý và đảng viên; bí thư chuyển quyền bằng "
                              "“chuyển quyền”.")
        async with self.transaction() as conn:
            await self._not_owner(unit_id, channel, user_id)
            await conn.execute(f"UPDATE accounts SET role = ? WHERE unit_id = ? AND {SAME_PERSON}",
                               (role, unit_id, channel, user_id, channel, user_id))
            await self.write_audit(audit)

    async def remove_account(self, unit_id: int, channel: str, user_id: str, audit: AuditNote) -> None:
        """Take an account (and its other apps) out of the unit; never the owner."""
        async with self.transaction() as conn:
            await self._not_owner(unit_id, channel, user_id)
            await conn.execute(f"DELETE FROM accounts WHERE unit_id = ? AND {SAME_PERSON}",
                               (unit_id, channel, user_id, channel, user_id))
            await self.write_audit(audit)

    async def hand_over(self, unit_id: int, owner: tuple[str, str], to: tuple[str, str], audit: AuditNote) -> None:
        """The unit's owner hands it to another account of the unit: that person becomes the owner, the old
        owner a manager; one transaction, after which the unit has exactly one owner."""
        async with self.transaction() as conn:
            old = await self.account(*owner)
            new = await self.account(*to)
            if old is None or old.unit_id != unit_id or old.role != "owner":
                raise MemberError("Chỉ bí thư (chủ đơn vị) mới chuyển quyền được.")
            if new is None or new.unit_id != unit_id:
                raise MemberError("Tài khoản được chuyển quyền không thuộc đơn vị.")
            if new.role == "owner":
                raise MemberError("Tài khoản này đã là bí thư (chủ đơn vị).")
            await conn.execute("UPDATE accounts SET role = 'manager' WHERE unit_id = ? AND role = 'owner'", (unit_id,))
            await conn.execute(f"UPDATE accounts SET role = 'owner' WHERE unit_id = ? AND {SAME_PERSON}",
                               (unit_id, *to, *to))
            await self._one_owner(unit_id)
            await self.write_audit(audit)

    async def _not_owner(self, unit_id: int, channel: str, user_id: str) -> None:
        account = await self.account(channel, user_id)
        if account is None or account.unit_id != unit_id:
            raise MemberError("Tài khoản này không còn thuộc đơn vị.")
        if account.role == "owner":
            raise MemberError("Bí thư (chủ đơn vị) không thể bị xóa hay đổi vai trò: đơn vị luôn có một bí thư. "
                              "Muốn thôi, bí thư chuyển quyền cho người khác trước (“chuyển quyền cho …”).")

    async def _one_owner(self, unit_id: int) -> None:
        """Raise (rolling the transaction back) unless the owners of the unit are one person."""
        rows = await self._all("SELECT DISTINCT COALESCE(person_key, channel || ':' || user_id) AS who FROM accounts "
                               "WHERE unit_id = ? AND role = 'owner'", (unit_id,))
        if len(rows) != 1:
            raise MemberError("Đơn vị phải có đúng một bí thư (chủ đơn vị).")
