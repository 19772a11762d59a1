"""Tidying the answers that enter a document (bot/tidy), as the form engine applies it.

A flow with `tidy: true` (the plans, the meeting's Biên bản and Nghị quyết/Kết luận, the unit's profile) has
every typed answer tidied before its validator runs; an answer chosen from the offered options or suggestions
is kept as offered. A step's `tidy:` names the kind of text; without one, the kind follows the step's type
(DEFAULTS). When the tidied text differs from what she typed, the next message says what will be printed.

Two answers are held instead of stored (in the draft's `held`, so a restart asks the same again): one that reads
as typed without tone marks (she retypes it, or chooses “Giữ như đã gõ”), and one naming a
roster member who has a namesake (she chooses which).
"""

from __future__ import annotations

from typing import Any

from bot.dates import DateError
from bot.documents import plain_text
from bot.messages import Choice
from bot.text import fold
from bot.tidy import Tidied, tidy
from bot.tidy.bodies import known_names
from handlers.context import Context
from handlers.draft import Draft
from handlers.forms import Flow, Invalid, Step

KEEP = "__keep_typed__"
WHO = "__who__:"
DEFAULTS = {"text": "phrase", "longtext": "paragraphs", "list": "item", "person": "name", "choice": "phrase"}
READ_BACK = "Sẽ ghi vào văn bản: "


class Held(Invalid):
    """The answer is held in the draft until she retypes it or chooses (the question screen shows why)."""


def how(flow: Flow, step: Step) -> str:
    """The kind of text of `step`'s typed answers ("none" where nothing is tidied)."""
    if not flow.tidy:
        return "none"
    return step.tidy or DEFAULTS.get(step.type, "none")


def unit_known(ctx: Context) -> list[str]:
    """The unit's names as they must be printed (its name, superior, place): `known` for bot/tidy."""
    unit = ctx.unit
    return known_names(unit.name, unit.superior, unit.place) if unit else []


def held_key(draft: Draft, step: Step) -> str:
    """Where a held answer belongs: the step on screen, or a field of the group on screen."""
    return step.key if step.key == draft.cursor else f"{draft.cursor}/{step.key}"


def held_for(draft: Draft, step: Step) -> dict[str, Any] | None:
    held = draft.held
    return held if held is not None and held.get("key") == held_key(draft, step) else None


def take_choice(draft: Draft, step: Step, chosen: str | None) -> str | None:
    """The held text when `chosen` answers the held question (keep as typed / which member), else None.

    Any other answer drops what was held: the new answer replaces it.
    """
    held = held_for(draft, step)
    draft.held = None
    if held is None or chosen is None or not (chosen == KEEP or chosen.startswith(WHO)):
        return None
    if chosen == KEEP:
        held["keep"] = True
    else:
        held.setdefault("resolved", {})[fold(held["typed"])] = chosen[len(WHO):]
    draft.held = held
    return str(held["text"])


async def tidy_text(ctx: Context, draft: Draft, step: Step, kind: str, text: str) -> Tidied:
    """`text` tidied as `kind`, honouring what she chose about it; raises Held to ask her first."""
    return (await tidy_texts(ctx, draft, step, kind, [text], text))[0]


async def tidy_texts(ctx: Context, draft: Draft, step: Step, kind: str, texts: list[str], typed: str) -> list[Tidied]:
    """The items of one message (`typed`) tidied; raises Held (holding the whole message) to ask her first."""
    held = held_for(draft, step) or {}
    draft.held = None
    known = unit_known(ctx)
    roster = [p.name for p in await ctx.people()]
    resolved = held.get("resolved") or {}
    try:
        results = [tidy(text, how=kind, roster=roster, known_names=known, today=ctx.clock.today(),
                        resolved=resolved) for text in texts]
    except DateError as exc:  # a cited document dated in the future, or on a day that does not exist
        raise Invalid(f"Ngày của văn bản được trích dẫn chưa đúng: {exc}") from None
    base = {"key": held_key(draft, step), "text": typed, "keep": bool(held.get("keep")), "resolved": resolved}
    if any(r.unaccented for r in results) and not base["keep"]:
        draft.held = {**base, "why": "unaccented"}
        raise Held("")
    ambiguous = [a for r in results for a in r.ambiguous]
    if ambiguous:
        first = ambiguous[0]
        draft.held = {**base, "why": "ambiguous", "typed": first.typed, "candidates": list(first.candidates)}
        raise Held("")
    return results


def shown(text: str) -> str:
    """An answer as a chat message shows it: the markers of its emphasis (``**…**``) left out."""
    return plain_text(text)


def read_back(ctx: Context, result: Tidied) -> None:
    if result.changed and result.text.strip():
        ctx.warn(READ_BACK + shown(result.text))


def held_prompt(draft: Draft, step: Step) -> tuple[list[str], list[Choice]]:
    """What the question screen adds while an answer to `step` is held: the reason, and the choices."""
    held = held_for(draft, step)
    if held is None:
        return [], []
    if held["why"] == "unaccented":
        return ([f"Câu trả lời vừa gõ có vẻ chưa có dấu: “{held['text']}”. Văn bản cần viết tiếng Việt có dấu: "
                 "xin gõ lại có dấu, hoặc chọn “Giữ như đã gõ”."],
                [Choice("Giữ như đã gõ", KEEP)])
    names = held["candidates"]
    return ([f"Trong danh sách đảng viên có {len(names)} đồng chí tên “{held['typed']}”: {', '.join(names)}. "
             "Đồng chí nói tới là ai? Chọn một tên (hoặc gõ lại câu trả lời với họ tên đầy đủ)."],
            [Choice(name, WHO + name) for name in names])
