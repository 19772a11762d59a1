"""The reminder log, recurring duties and linked group chats."""

from __future__ import annotations

from bot.store.base import Base


class RemindersStore(Base):
    pass
