"""Roles in a unit: the owner (the account that created it — the secretary), managers (deputy, office staff)
and members (party members of the roster). A role may do what every lower role may."""

from __future__ import annotations

OWNER, MANAGER, MEMBER = "owner", "manager", "member"
ROLES = (OWNER, MANAGER, MEMBER)
_LEVEL = {MEMBER: 1, MANAGER: 2, OWNER: 3}
LABELS = {OWNER: "bí thư (chủ đơn vị)", MANAGER: "người cùng quản lý", MEMBER: "đảng viên"}


def at_least(role: str | None, needed: str | None) -> bool:
    """Whether `role` (None: no unit) may do what needs `needed` (None: anyone, even without a unit)."""
    if needed is None:
        return True
    return role is not None and _LEVEL.get(role, 0) >= _LEVEL[needed]
