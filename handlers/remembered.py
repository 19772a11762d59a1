"""Corrections remembered: what she changed in the last document is offered the changed way in the next one.

The rule is one and simple: the unit's last issued document is the memory (no table of its own).

* Recipients ("Nơi nhận"): a new plan starts with the recipients of the unit's last issued plan, a new
  Nghị quyết / Kết luận with those of the last one — so a line she corrected ("Đảng ủy xã Kim Phú (b/c),"
  for the profile's "Đảng bộ xã Kim Phú") or added comes back as she left it. With no earlier document of
  that family, the suggested list is the usual one, except its line to the superior ("… (b/c)"), which
  takes the form of the latest "(b/c)" line she issued in any document.
* Signer: the name, title and signing authority of the last issued document come first among the
  suggestions when they differ from the profile (the profile's stay offered after them).

The profile itself is not changed behind her back: the superior printed in the header is edited in /donvi.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.store.records import StoredDocument
from bot.text import fold
from handlers import prompts
from handlers.context import Context
from handlers.draft import Draft

_TO_SUPERIOR = re.compile(r"\(\s*b\s*/\s*c", re.IGNORECASE)  # "(b/c)", "(B/cáo)": sent to report upward


def family(flow: str) -> str:
    """Documents that share recipients: every kind of plan, or one flow (resolution)."""
    return "plan_" if flow.startswith("plan_") else flow


async def last_document_with(ctx: Context, key: str, kind_prefix: str = "") -> StoredDocument | None:
    if ctx.unit is None:
        return None
    return await ctx.store.last_document_with(ctx.unit.id, key, kind_prefix)


def with_superior_line(defaults: Sequence[str], remembered: Sequence[str]) -> list[str]:
    """`defaults` with its "(b/c)" line replaced by the remembered one (the last she issued), if any."""
    line = next((r for r in remembered if _TO_SUPERIOR.search(r)), None)
    if line is None:
        return list(defaults)
    return [line if _TO_SUPERIOR.search(d) else d for d in defaults]


async def recipients(ctx: Context, flow: str, answers: dict[str, Any]) -> dict[str, list[Any]]:
    """The `pending` starting list of a flow's recipients step, when memory changes the suggested one."""
    step = next((s for s in ctx.engine.flows[flow].steps if s.key == "recipients"), None)
    if step is None:
        return {}
    same = await last_document_with(ctx, "recipients", family(flow))
    if same is not None:
        return {"recipients": [str(r) for r in same.answers["recipients"]]}
    defaults = prompts.fill(ctx, Draft(flow=flow, answers=dict(answers)), step.prefill)
    last = await last_document_with(ctx, "recipients")
    if last is None:
        return {}
    lines = with_superior_line(defaults, [str(r) for r in last.answers["recipients"]])
    return {"recipients": lines} if lines != defaults else {}


async def first_used(ctx: Context, key: str, offered: Sequence[str]) -> list[str]:
    """`offered` with the value of `key` in the last issued document put first (when it is a new one)."""
    last = await last_document_with(ctx, key)
    value = str(last.answers[key]).strip() if last is not None else ""
    if not value:
        return list(offered)
    return [value] + [o for o in offered if fold(o) != fold(value)]
