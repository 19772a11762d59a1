"""Chi bộ meetings: /sinhhoat logs a meeting and returns its Biên bản; the monthly and quarterly rhythm."""

from __future__ import annotations

from bot.messages import Outgoing
from handlers.context import Context

COMMANDS: dict = {}


async def free_text(ctx: Context, text: str) -> list[Outgoing] | None:
    """Questions about meetings in plain words; None when the text is not one."""
    return None
