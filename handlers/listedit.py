"""The commands that edit a list or a repeating group in place, typed where its items are shown.

- “sửa N” (“chỉnh 2”, “sửa mục 2”): edit item N — a list takes the next message as the new item N, a group
  asks item N's questions again with its current answers offered as “Giữ nguyên”;
- “xóa N”, “xóa 2, 4”, “xóa 2-5”, “bỏ 2 và 3”: remove those items;
- “giữ 1, 3”, “chỉ giữ 1 3”, “giữ lại 1-3”: keep only those items;
- “xóa hết”, “xoá tất cả”, “bỏ hết” (or the “Bỏ tất cả” button): empty it.

A text that starts like a command but is not a valid one (“sửa”, “xóa 0”, “giữ 7” of 3 items) is answered
with why, never stored as an item. A command is only a command as a whole message: “Xóa đói giảm nghèo” and
“Sửa chữa nhà văn hóa” are items.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from bot.text import fold
from handlers.choosing import CLEAR, norm

Kind = Literal["edit", "remove", "keep", "clear"]

_RANGE = r"[0-9]+(?:\s*(?:-|den|toi)\s*[0-9]+)?"
_NUMS = rf"{_RANGE}(?:\s*(?:,|;|va|\s)\s*{_RANGE})*"
_ITEM = r"(?:(?:cac\s+)?(?:muc|dong|so|y)\s*)?"
EDIT = re.compile(rf"(?:sua|chinh|chinh sua|doi|sua lai)\s*{_ITEM}([0-9]+)")
REMOVE = re.compile(rf"(?:xoa|bo|loai|loai bo|xoa bo)\s*{_ITEM}({_NUMS})")
KEEP = re.compile(rf"(?:chi\s+)?(?:giu|giu lai)\s*(?:lai\s*)?{_ITEM}({_NUMS})")
# What starts like a command and holds nothing but numbers: answered, never stored as an item.
LOOKS = re.compile(r"(?:sua|chinh sua|chinh|xoa|bo|chi giu|giu|giu lai)(?:\s+(?:muc|dong|lai|cac muc))?[\s0-9,;\-]*")
FOLDED = re.compile(r"[^\w\s,;\-]|_")


@dataclass
class Command:
    kind: Kind
    numbers: list[int]  # 1-based, in order, without repeats


def _folded(text: str) -> str:
    """Folded, keeping the commas, semicolons and dashes that separate numbers."""
    return re.sub(r"\s+", " ", FOLDED.sub(" ", fold(text))).strip()


def _numbers(text: str) -> list[int]:
    out: list[int] = []
    for first, last in re.findall(r"([0-9]+)(?:\s*(?:-|den|toi)\s*([0-9]+))?", text):
        low, high = int(first), int(last or first)
        if high - low > 1000:
            high = low + 1000
        for n in range(min(low, high), max(low, high) + 1):
            if n not in out:
                out.append(n)
    return out


def read(text: str) -> Command | None:
    """The list command a whole message is, or None."""
    folded = _folded(text)
    if norm(text) in CLEAR:
        return Command("clear", [])
    for kind, pattern in (("edit", EDIT), ("remove", REMOVE), ("keep", KEEP)):
        match = pattern.fullmatch(folded)
        if match:
            return Command(kind, _numbers(match.group(1)))  # type: ignore[arg-type]
    return None


def looks_like_command(text: str) -> bool:
    """A message that reads as a mistyped command (“sửa”, “xóa mục”), which must not become an item."""
    folded = _folded(text)
    return bool(folded) and LOOKS.fullmatch(folded) is not None


def check(command: Command, count: int) -> str | None:
    """Why `command` cannot apply to a list of `count` items; None when it can."""
    if command.kind == "clear":
        return None if count else "Danh sách đang trống."
    if not command.numbers:
        return "Xin ghi số thứ tự của mục, ví dụ “xóa 2”."
    wrong = [n for n in command.numbers if not 0 < n <= count]
    if wrong:
        where = f"các mục được đánh số từ 1 đến {count}" if count else "danh sách đang trống"
        return f"Không có mục {', '.join(str(n) for n in wrong[:5])}: {where}."
    return None


def apply(command: Command, items: list[Any], show: Callable[[Any], str]) -> str:
    """Apply a remove, keep or clear command to `items` (checked first); the note saying what was done."""
    if command.kind == "clear":
        count = len(items)
        items.clear()
        return f"Đã bỏ cả {count} mục; danh sách đang trống."
    if command.kind == "keep":
        kept = [items[n - 1] for n in sorted(command.numbers)]
        dropped = len(items) - len(kept)
        items[:] = kept
        return f"Đã giữ {len(kept)} mục, bỏ {dropped} mục."
    gone = [items[n - 1] for n in sorted(command.numbers)]
    for n in sorted(command.numbers, reverse=True):
        del items[n - 1]
    if len(gone) == 1:
        return f"Đã bỏ: {show(gone[0]).rstrip('.,;')}."
    return f"Đã bỏ {len(gone)} mục: " + "; ".join(show(g).rstrip(".,;") for g in gone) + "."


HINT = ("“sửa N” để sửa mục N; “xóa N” (hoặc “xóa 2, 4”, “xóa 2-5”, “xóa hết”) để bỏ; "
        "“giữ 1, 3” để chỉ giữ các mục đó")
