"""Menus that stay: after an action taken from a settings menu, the menu is shown again with the new state.

A menu is a command's screen whose choices are commands (/dinhky, /nhacnho, /donvi, /hanchot). Each
registers its screen here by name with @menu. After an action from it — a command's verb (“/dinhky bat …”) or
a flow started from it (its draft's meta names the menu, `from_menu`) — `again` appends the menu's screen,
so the choices on screen are those of the menu and her next “4” picks its fourth choice, until she types
something else: a menu holds no state, so leaving it is simply answering anything else.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.messages import Outgoing
from handlers.context import Context

Screen = Callable[[Context], Awaitable[list[Outgoing]]]
ScreenT = TypeVar("ScreenT", bound=Screen)
MENUS: dict[str, Screen] = {}
META = "menu"  # the draft's meta key naming the menu a flow was started from
STAY = "Chọn tiếp trong danh sách dưới đây, hoặc gõ việc khác."


def menu(name: str) -> Callable[[ScreenT], ScreenT]:
    """Register the screen of the menu `name` (a command's name, e.g. "dinhky")."""

    def register(fn: ScreenT) -> ScreenT:
        MENUS[name] = fn
        return fn

    return register


def from_menu(name: str, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """The meta of a flow started from the menu `name`: when the flow ends, the menu is shown again."""
    return {**(meta or {}), META: name}


async def again(ctx: Context, name: str, replies: list[Outgoing]) -> list[Outgoing]:
    """`replies` to an action taken from the menu `name`, then the menu again with its new state."""
    screen = await MENUS[name](ctx)
    if screen:
        last = screen[-1]
        last.text = f"{last.text}\n{STAY}" if last.text else STAY
    return replies + screen


async def after_flow(ctx: Context, meta: dict[str, Any], replies: list[Outgoing]) -> list[Outgoing]:
    """A flow has ended: its replies, then the menu it was started from, if any."""
    name = meta.get(META)
    if not isinstance(name, str) or name not in MENUS or ctx.unit is None:
        return replies
    return await again(ctx, name, replies)
