"""Chi bộ meetings and their attendance."""

from __future__ import annotations

from bot.store.base import Base


class MeetingsStore(Base):
    pass
