"""Revising an issued document: the same number (and series), a new version, the earlier one kept.

A revision is started from the current version of a document (its id and version are kept in the draft's
meta under "revises"); `bot.issuing.issue()` re-issues it when the request carries a `Revision`. Rules:

* the number and the series are kept. An issue date moved into another series (another year when the
  unit numbers per year, another term otherwise) is refused (`RevisionRefused`): the number belongs to
  the series of its year or term, so the revised document would carry a number of the wrong register.
  She keeps the date in the series, or drafts a new document ("làm lại từ kế hoạch số N") for a new number;
* a revision of a version that is no longer the current one (another revision was confirmed meanwhile)
  is refused (`StaleRevision`): she reopens the current one;
* the document's dated items on the tracker are replaced by `match_items`: an item of the new version
  is matched with a row of the old one by (kind, title, due) exactly, then by (kind, title without its
  numbers) — its day changed (a plan's item names its day in its own line) —, then by (kind, due) — its
  wording changed. Titles are compared ignoring case and spacing. A matched row keeps its id, so its status
  (done), its snooze and its reminder log stay (nothing is sent twice; a moved day gets the reminders
  of its new day, as the log keys name the day). Rows left over were removed from the document and are
  deleted; items left over are new and added.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.store.records import Deadline

META_KEY = "revises"


@dataclass(frozen=True)
class Revision:
    """The document a draft revises, and the version the draft was opened from."""

    doc_id: int
    version: int

    def to_meta(self) -> dict[str, int]:
        return {"doc_id": self.doc_id, "version": self.version}

    @classmethod
    def from_meta(cls, meta: dict[str, Any]) -> Revision | None:
        """The revision a draft's meta records, None for a draft of a new document."""
        value = meta.get(META_KEY)
        if not isinstance(value, dict) or not isinstance(value.get("doc_id"), int):
            return None
        return cls(doc_id=value["doc_id"], version=int(value.get("version") or 1))


class RevisionRefused(Exception):
    """The revision cannot be issued as it stands (its message says why, in Vietnamese); nothing was written."""


class StaleRevision(Exception):
    """The draft revises a version that another revision has replaced meanwhile; nothing was written."""

    def __init__(self, current: int):
        super().__init__(current)
        self.current = current


def revision_label(version: int) -> str:
    """'bản gốc' (version 1), 'bản sửa lần 2' (version 3)."""
    return "bản gốc" if version <= 1 else f"bản sửa lần {version - 1}"


# -- the dated items of a revised document ------------------------------------------------------------

Item = dict[str, Any]  # kind, title, due, and optionally start, time, who, source (bot.issuing.DatedItem)


@dataclass
class ItemPlan:
    """What to do with the tracker rows of a document when its new version has `items`."""

    keep: list[tuple[int, Item]] = field(default_factory=list)  # (row id, item): same item, fields refreshed
    update: list[tuple[int, Item]] = field(default_factory=list)  # (row id, item): day or wording changed
    add: list[Item] = field(default_factory=list)
    drop: list[int] = field(default_factory=list)


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _wording(title: str) -> str:
    """The title without its numbers (a plan's item names its own day: "… trước ngày 05/01/2027")."""
    return " ".join(re.sub(r"[0-9]+|[/.,;:()\-]", " ", title).split())


KEYS: Sequence[tuple[str, Callable[[str, str, str], tuple[str, ...]]]] = (
    ("keep", lambda kind, title, due: (kind, title, due)),
    ("update", lambda kind, title, due: (kind, _wording(title))),
    ("update", lambda kind, title, due: (kind, due)),
)


def match_items(old: Sequence[Deadline], new: Sequence[Item]) -> ItemPlan:
    """Pair the tracker rows of the earlier version with the items of the new one (see the module's rules)."""
    plan = ItemPlan()
    rows = sorted(old, key=lambda d: d.id)
    left_rows = {d.id: d for d in rows}
    left_items = list(range(len(new)))
    for outcome, key in KEYS:
        for index in list(left_items):
            item = new[index]
            wanted = key(item["kind"], _norm(item["title"]), str(item["due"]))
            row = next((d for d in left_rows.values()
                        if key(d.kind, _norm(d.title), d.due.isoformat()) == wanted), None)
            if row is None:
                continue
            del left_rows[row.id]
            left_items.remove(index)
            (plan.keep if outcome == "keep" else plan.update).append((row.id, item))
    plan.add = [new[i] for i in left_items]
    plan.drop = list(left_rows)
    return plan
