"""Which roster member a task is assigned to: its `who` (the minutes' person, a plan's “Đồng chí Nguyễn Văn An”,
the tracker's assignee), else the one comrade its title names (“Nhắc đ/c Hoa nộp báo cáo”).

Matched by the helpers of bot/tidy/people.py: the full name, or its end (“Hoa”, “Thị Hoa”) when that means one
member only. Nothing is guessed: a body (“Chi ủy”), a name of nobody in the roster or of two members gives None.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from bot.store.records import Deadline, Person
from bot.text import fold
from bot.tidy.people import COMRADE, candidates

_LEAD = re.compile(rf"^\s*(?:giao\s+(?:cho\s+)?)?{COMRADE}?\s*", re.IGNORECASE)
_IN_TEXT = re.compile(rf"(?<![\w/]){COMRADE}\s+(?P<name>[^\W\d_]+(?:\s+[^\W\d_]+){{0,3}})", re.IGNORECASE)


def _one(typed: str, roster: Sequence[Person]) -> int | None:
    names = [p.name for p in roster]
    found = set(candidates(typed, names))
    if len(found) != 1:
        return None
    name = found.pop()
    ids = [p.id for p in roster if p.name == name]
    return ids[0] if len(ids) == 1 else None


def _in_text(text: str, roster: Sequence[Person]) -> int | None:
    """The one roster member named after “đ/c” / “đồng chí” in free text (the longest reading of each)."""
    found: set[int] = set()
    for m in _IN_TEXT.finditer(text):
        words = m.group("name").split()
        for n in range(len(words), 0, -1):
            person = _one(" ".join(words[:n]), roster)
            if person is not None:
                found.add(person)
                break
    for p in roster:  # a full name written without “đồng chí”
        if len(p.name.split()) >= 2 and re.search(rf"(?<!\w){re.escape(fold(p.name))}(?!\w)", fold(text)):
            found.add(p.id)
    return found.pop() if len(found) == 1 else None


def person_of(who: str | None, title: str, roster: Sequence[Person]) -> int | None:
    """The roster member (people.id) a task is assigned to, or None."""
    if not roster:
        return None
    if who and who.strip():
        bare = _LEAD.sub("", who).strip(" .,;:-–")
        person = _one(bare, roster) if bare else None
        return person if person is not None else _in_text(who, roster)
    return _in_text(title, roster)


def done_text(item: Deadline) -> str:
    """“đã xong — đ/c Nguyễn Thị Hoa, 03/12” (who and when, as far as known)."""
    parts = []
    if item.done_by_name:
        parts.append(f"đ/c {item.done_by_name}")
    if item.done_at:
        try:
            parts.append(datetime.fromisoformat(item.done_at).strftime("%d/%m"))
        except ValueError:
            pass
    return "đã xong" + (" — " + ", ".join(parts) if parts else "")
