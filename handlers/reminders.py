"""Reminder settings, linked groups (/lienket) and recurring duties."""

from __future__ import annotations

COMMANDS: dict = {}
