"""The deadline tracker: /hanchot, /tuannay, adding items in one message, importing a plan from above."""

from __future__ import annotations

from bot.messages import Outgoing
from handlers.context import Context

COMMANDS: dict = {}


async def free_text(ctx: Context, text: str) -> list[Outgoing] | None:
    """Questions and new items in plain words; None when the text is not one."""
    return None
