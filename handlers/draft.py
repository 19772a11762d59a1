"""A draft: the whole state of one unfinished conversation with the form engine.

It is saved as one JSON document in the drafts table after every answer, so a restart resumes at the
same question. `Draft.from_json` / `to_json` read and write exactly the document the store holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Mode = Literal["ask", "review"]


@dataclass
class GroupEntry:
    """A group step being answered: the items so far, and the item and field being asked."""

    items: list[dict[str, Any]]
    item: dict[str, Any] | None = None  # None between items, when the group's own question is shown
    field: str | None = None  # the field asked next in `item`
    editing: int | None = None  # `item` is item `editing` (0-based) asked again (“sửa N”), not a new one

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GroupEntry:
        return cls(items=data["items"], item=data.get("item"), field=data.get("field"), editing=data.get("editing"))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"items": self.items, "item": self.item, "field": self.field}
        if self.editing is not None:
            data["editing"] = self.editing
        return data


Pending = list[Any] | GroupEntry  # a list step's items being typed, or a group step's entry


@dataclass
class Draft:
    flow: str
    answers: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)  # what the caller that started the flow keeps (ids…)
    cursor: str | None = None  # the step being asked; None on the review screen
    history: list[str] = field(default_factory=list)  # steps answered, for “quay lại”
    mode: Mode = "ask"
    return_to_review: bool = False  # editing one answer from the review screen
    seq: int = 0  # numbers the question on screen; a button of an older question is refused
    offered: list[tuple[str, str]] = field(default_factory=list)  # (label, value) of the choices on screen
    pending: dict[str, Pending] = field(default_factory=dict)  # lists and groups being answered, by step key
    page: int = 0  # the page shown of a question's long list of options (0 = the first)
    held: dict[str, Any] | None = None  # a typed answer held back to ask about it (handlers/tidying.py)
    narrowed: list[tuple[str, str]] | None = None  # the likeliest options of an ambiguous typed answer, shown alone
    undo: dict[str, Any] | None = None  # {"key", "count"}: items the last message added, which “quay lại” removes
    editing: int | None = None  # the item (0-based) of the list on screen that the next message replaces
    suggested: list[str] = field(default_factory=list)  # lists on screen still exactly as suggested (prefilled)
    # Drafts saved before lists and groups existed have no "pending"; they are saved back without it
    # until a list or group step is reached, as the engine always did.
    _saves_pending: bool = field(default=True, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        pending = data.get("pending")
        return cls(
            flow=data["flow"],
            answers=data.get("answers", {}),
            meta=data.get("meta", {}),
            cursor=data.get("cursor"),
            history=data.get("history", []),
            mode=data.get("mode", "ask"),
            return_to_review=data.get("return_to_review", False),
            seq=data.get("seq", 0),
            offered=[(label, value) for label, value in data.get("offered", [])],
            pending={key: value if isinstance(value, list) else GroupEntry.from_json(value)
                     for key, value in (pending or {}).items()},
            page=data.get("page", 0),
            held=data.get("held"),
            narrowed=[(label, value) for label, value in data["narrowed"]] if data.get("narrowed") else None,
            undo=data.get("undo"),
            editing=data.get("editing"),
            suggested=list(data.get("suggested", [])),
            _saves_pending=pending is not None,
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "flow": self.flow, "answers": self.answers, "meta": self.meta, "cursor": self.cursor,
            "history": self.history, "mode": self.mode, "return_to_review": self.return_to_review,
            "seq": self.seq, "offered": [[label, value] for label, value in self.offered],
        }
        if self.page:
            data["page"] = self.page
        if self.held is not None:
            data["held"] = self.held
        if self.narrowed:
            data["narrowed"] = [[label, value] for label, value in self.narrowed]
        if self.undo is not None:
            data["undo"] = self.undo
        if self.editing is not None:
            data["editing"] = self.editing
        if self.suggested:
            data["suggested"] = self.suggested
        if self._saves_pending or self.pending:
            data["pending"] = {key: value if isinstance(value, list) else value.to_json()
                               for key, value in self.pending.items()}
        return data

    # -- lists and groups being answered ----------------------------------------------------------

    def pending_list(self, key: str) -> list[Any] | None:
        value = self.pending.get(key)
        return value if isinstance(value, list) else None

    def pending_group(self, key: str) -> GroupEntry | None:
        value = self.pending.get(key)
        return value if isinstance(value, GroupEntry) else None

    def hold(self, key: str, value: Pending) -> None:
        """Start keeping a list's or a group's items until the step is answered."""
        self.pending[key] = value
        self._saves_pending = True

    def release(self, key: str) -> None:
        del self.pending[key]
        self.touched(key)

    def touched(self, key: str) -> None:
        """A list's items were changed: no longer exactly the suggested ones."""
        if key in self.suggested:
            self.suggested.remove(key)
