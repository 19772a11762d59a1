"""Deadlines, events and periods of a unit (the tracker)."""

from __future__ import annotations

from bot.store.base import Base


class DeadlinesStore(Base):
    pass
