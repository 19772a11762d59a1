"""What the form engine shows: the question on screen or the review screen, and answers as text.

Also keeps the items of a list or group step while they are being answered (in the draft's `pending`),
since the question shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from typing import Any, cast

from jinja2 import TemplateError

from bot import dates
from bot.documents import plain_text
from bot.messages import Choice, Outgoing
from bot.templating import environment
from handlers.context import Context
from handlers.draft import Draft, GroupEntry
from handlers.forms import Flow, Step, item_kind, parse_item, run_provider
from handlers.listedit import HINT
from handlers.tidying import held_prompt

CHOICE_PREVIEW = 60
PAGE_SIZE = 30  # options shown at once; a longer list (a big roster) gets “Trang sau” / “Trang trước”
NEXT_PAGE, PREV_PAGE = "__next_page__", "__prev_page__"


async def screen(ctx: Context, flow: Flow, draft: Draft) -> Outgoing:
    """The review screen, or the question at the draft's cursor; choices carry their plain values."""
    if draft.mode == "review":
        return review_screen(flow, draft)
    return await _question(ctx, flow, draft, flow.step(draft.cursor))


# -- questions ----------------------------------------------------------------------------------

def progress(flow: Flow, draft: Draft, step: Step) -> str:
    """The title of a question: the flow's, with where she is.

    “câu N”: N counts the questions she has answered in this conversation, plus one — it grows by exactly one
    per answer and falls by one on “quay lại”, whatever the answers show or hide. “còn khoảng K câu”: the
    questions the answers so far still leave after this one; an answer that opens or closes a part of the
    flow changes K, never N (hence “khoảng”). A question asked again from the review screen says so instead.
    """
    visible = flow.visible_steps(draft.answers)
    if draft.return_to_review:
        return f"{flow.title} — sửa: {step.label}"
    if len(visible) <= 1:
        return flow.title
    keys = [s.key for s in visible]
    later = visible[keys.index(step.key) + 1:] if step.key in keys else []
    left = sum(1 for s in later if s.key not in draft.answers)
    return f"{flow.title} — câu {len(draft.history) + 1}" + (f", còn khoảng {left} câu" if left else ", câu cuối")


def _options_shown(draft: Draft, offered: list[Choice], lines: list[str]) -> list[Choice]:
    """The options of the page on screen; after an ambiguous typed answer only its likeliest options."""
    if draft.narrowed:
        return [Choice(label, value) for label, value in draft.narrowed] + [Choice("Xem tất cả", "__all__")]
    return _page(draft, offered, lines)


async def _question(ctx: Context, flow: Flow, draft: Draft, step: Step) -> Outgoing:
    title = progress(flow, draft, step)
    if step.type == "group":
        return await _group_question(ctx, draft, step, title)
    lines = [_ask(ctx, draft, step)]
    if step.example:
        lines.append(f"Ví dụ: {example(ctx, draft, step)}")
    choices: list[Choice] = []
    if step.type in ("choice", "person"):
        choices += _options_shown(draft, await options(ctx, draft, step), lines)
        if step.type == "person" and not choices:
            lines.append("(Danh sách đảng viên của đơn vị đang trống; xin gõ họ tên.)")
    suggestions = fill(ctx, draft, step.suggest)
    if step.suggest_from:
        suggestions += [str(s) for s in await run_provider(step.suggest_from, ctx, draft)]
    current = draft.answers.get(step.key)
    items: list[Any] = []
    if step.type == "list":
        items = list_items(ctx, draft, step)
        if draft.editing is not None and 0 <= draft.editing < len(items):
            kind = item_kind(step)
            lines.append(f"Đang sửa mục {draft.editing + 1}: {kind.show(items[draft.editing])}")
            lines.append("Gõ nội dung mới của mục này, hoặc chọn “Giữ nguyên”.")
            held_lines, held_choices = held_prompt(draft, step)
            return Outgoing(title=title, text="\n".join(lines + held_lines),
                            choices=held_choices + [Choice("Giữ nguyên", "__keep__")])
    _suggest(suggestions, lines, choices)
    if step.type == "list":
        _list_lines(draft, step, items, lines, choices)
    held_lines, held_choices = held_prompt(draft, step)
    if step.type != "list" and draft.return_to_review and step.key in draft.answers:
        lines.append(f"Hiện tại: {show(step, current)}")
        if not held_lines:
            choices.append(Choice("Giữ nguyên", "__keep__"))
    if step.optional and (step.type != "list" or not items):
        choices.append(Choice("Bỏ qua", "__skip__"))
    return Outgoing(title=title, text="\n".join(lines + held_lines), choices=held_choices + choices)


def _list_lines(draft: Draft, step: Step, items: list[Any], lines: list[str], choices: list[Choice]) -> None:
    """A list step's items, what may be typed, and its buttons: “Xong”, and “Bỏ tất cả” on suggested items."""
    kind = item_kind(step)
    if items:
        suggested = step.key in draft.suggested
        lines.append(f"{'Gợi ý' if suggested else 'Danh sách hiện có'} {len(items)} mục:")
        lines += [f"{i}. {kind.show(item)}" for i, item in enumerate(items, 1)]
        if suggested:
            lines.append("Giữ cả: chọn “Xong”; chỉ giữ một số mục: gõ “giữ 1, 3”; bỏ cả: “Bỏ tất cả”. "
                         "Gõ thêm mục khác; “sửa N” để sửa mục N; “xóa N” để bỏ mục N.")
        else:
            lines.append(f"Gõ thêm; {HINT}; “xong” khi đủ.")
    else:
        apart = "mỗi mục một dòng, hoặc cách nhau bằng dấu “;”" if ";" in kind.separator else "mỗi mục một dòng"
        lines.append(f"Có thể gõ cả danh sách trong một tin ({apart}) hoặc từng mục một; gõ “xong” khi đủ.")
    choices.append(Choice("Xong", "__done__"))
    if items and (step.key in draft.suggested or len(items) > 1):
        choices.append(Choice("Bỏ tất cả", "__clear__"))


def _ask(ctx: Context, draft: Draft, step: Step) -> str:
    """The question, which may name earlier answers (a Jinja template like suggestions)."""
    return (fill(ctx, draft, (step.ask,)) or [step.ask])[0]


def example(ctx: Context, draft: Draft, step: Step) -> str:
    """The step's example, which may depend on the unit or earlier answers (a Jinja template like suggestions)."""
    return (fill(ctx, draft, (step.example,)) or [step.example])[0]


def _suggest(suggestions: list[str], lines: list[str], choices: list[Choice]) -> None:
    """Suggestions as buttons; one too long for a button is shown in full and chosen by a short label."""
    for n, suggestion in enumerate(suggestions, 1):
        if len(suggestion) <= CHOICE_PREVIEW:
            choices.append(Choice(suggestion, suggestion))
        else:
            label = "Dùng gợi ý" if len(suggestions) == 1 else f"Dùng gợi ý {n}"
            lines.append(f"{label.replace('Dùng g', 'G')}: {suggestion}")
            choices.append(Choice(label, suggestion))


async def _group_question(ctx: Context, draft: Draft, step: Step, title: str) -> Outgoing:
    entry = group_entry(draft, step)
    items = entry.items
    if entry.field is None:
        lines = [_ask(ctx, draft, step)]
        if items:
            lines.append(f"Đã có {len(items)} mục:")
            lines += [f"{i}. {show_item(step, item)}" for i, item in enumerate(items, 1)]
        lines.append(f"Chọn “Thêm” để thêm một mục, hoặc “Xong”; {HINT}.")
        choices = [Choice("Thêm", "__add__"), Choice("Xong", "__done__")]
        if step.optional and not items:
            choices.append(Choice("Bỏ qua", "__skip__"))
        return Outgoing(title=title, text="\n".join(lines), choices=choices)
    field = step.field_named(entry.field)
    editing = entry.editing is not None and entry.item is not None and field.key in entry.item
    question = await _question_for_field(ctx, draft, field, entry.item if editing else None)
    number = entry.editing + 1 if entry.editing is not None else len(items) + 1
    question.title = f"{title} — {step.label} {number}" + (" (đang sửa)" if entry.editing is not None else "")
    return question


async def _question_for_field(ctx: Context, draft: Draft, field: Step, item: dict[str, Any] | None = None) -> Outgoing:
    """A group's field; `item`: the item being edited, whose current answer is kept by “Giữ nguyên”."""
    lines = [_ask(ctx, draft, field)] + ([f"Ví dụ: {example(ctx, draft, field)}"] if field.example else [])
    choices: list[Choice] = []
    if field.type in ("choice", "person"):
        choices += _options_shown(draft, await options(ctx, draft, field), lines)
    suggestions = fill(ctx, draft, field.suggest)
    if field.suggest_from:
        suggestions += [str(s) for s in await run_provider(field.suggest_from, ctx, draft)]
    _suggest(suggestions, lines, choices)
    if item is not None:  # editing an item: its current answer, kept by “Giữ nguyên”
        lines.append(f"Hiện tại: {show(field, item.get(field.key))}")
        choices.append(Choice("Giữ nguyên", "__keep__"))
    if field.optional:
        choices.append(Choice("Bỏ qua", "__skip__"))
    held_lines, held_choices = held_prompt(draft, field)
    return Outgoing(text="\n".join(lines + held_lines), choices=held_choices + choices)


def _page(draft: Draft, offered: list[Choice], lines: list[str]) -> list[Choice]:
    """The options of the draft's page, with the buttons to turn pages when there are more than PAGE_SIZE."""
    if len(offered) <= PAGE_SIZE:
        return offered
    pages = (len(offered) + PAGE_SIZE - 1) // PAGE_SIZE
    page = draft.page = min(draft.page, pages - 1)
    lines.append(f"Danh sách có {len(offered)} lựa chọn, đang xem trang {page + 1}/{pages}; "
                 "bấm “Trang sau” / “Trang trước” để xem tiếp, hoặc gõ đúng tên.")
    shown = offered[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    if page + 1 < pages:
        shown.append(Choice("Trang sau", NEXT_PAGE))
    if page > 0:
        shown.append(Choice("Trang trước", PREV_PAGE))
    return shown


async def options(ctx: Context, draft: Draft, step: Step) -> list[Choice]:
    """All the options of a choice or person step (a question shows them a page at a time)."""
    if step.type == "person":
        return [Choice(p.name, p.name) for p in await ctx.people()]
    if step.options_from:
        return list(cast(Sequence[Choice], await run_provider(step.options_from, ctx, draft)))
    return list(step.options)


def review_screen(flow: Flow, draft: Draft) -> Outgoing:
    listed = [s for s in flow.visible_steps(draft.answers) if s.in_review]
    lines = [draft.meta["review_note"], ""] if draft.meta.get("review_note") else []  # e.g. a revision's
    for n, step in enumerate(listed, 1):
        lines.append(f"{n}. {step.label}: {show(step, draft.answers.get(step.key), long=False)}")
    lines.append("")
    lines.append("Gõ “sửa N” để sửa mục N (ví dụ “sửa 2”), hoặc chọn:")
    return Outgoing(
        title=flow.review_title or f"Xem lại: {flow.title}",
        text="\n".join(lines),
        choices=[Choice(flow.confirm_label, "__confirm__")]
        + ([Choice("Xem trước", "__preview__")] if flow.preview else []),
    )


# -- answers as text ----------------------------------------------------------------------------

def show(step: Step, value: Any, long: bool = True) -> str:
    if value is None or value == [] or value == "":
        return "(bỏ trống)"
    if step.type == "choice":
        for option in step.options:
            if option.value == value:
                return option.label
        return str(value)
    if step.type == "date":
        return f"{dates.weekday_vi(date.fromisoformat(value))}, {dates.format_date_short(date.fromisoformat(value))}"
    if step.type == "time":
        t = time.fromisoformat(value)
        return f"{t.hour:02d} giờ {t.minute:02d}"
    if step.type in ("list", "group"):
        shown = [item_kind(step).show(v) if step.type == "list" else show_item(step, v) for v in value]
        if long:
            return "\n" + "\n".join(f"   {i}. {s}" for i, s in enumerate(shown, 1))
        head = "; ".join(shown[:8])
        return f"{len(shown)} mục: {head}" + ("; …" if len(shown) > 8 else "")
    text = plain_text(value["text"] if isinstance(value, dict) and "text" in value else str(value))
    if not long and len(text) > 200:
        return text[:200].rstrip() + "…"
    return text


def show_item(step: Step, item: dict[str, Any]) -> str:
    """One item of a group step, its filled fields joined."""
    return " — ".join(show(f, item[f.key]) for f in step.visible_fields(item)
                      if item.get(f.key) not in (None, ""))


def fill(ctx: Context, draft: Draft, texts: tuple[str, ...]) -> list[str]:
    """Render suggestions, which may be Jinja templates over the answers so far and the unit.

    One that needs an answer not given yet is left out.
    """
    out = []
    for text in texts:
        if "{" not in text:
            out.append(text)
            continue
        try:
            rendered = environment().from_string(text).render(**draft.answers, unit=ctx.unit)
        except (TemplateError, TypeError, ValueError):
            continue
        if rendered.strip():
            out.append(rendered.strip())
    return out


# -- lists and groups being answered ------------------------------------------------------------

def list_items(ctx: Context, draft: Draft, step: Step) -> list[Any]:
    """Items of a list being typed; they become the answer on “xong”."""
    items = draft.pending_list(step.key)
    if items is None:
        if step.key in draft.answers:
            items = list(draft.answers[step.key] or [])
        else:
            kind = item_kind(step)
            # a prefill entry may write several items, one a line (one per decision, per person…)
            items = [parse_item(ctx, kind, line) for text in fill(ctx, draft, step.prefill)
                     for line in text.splitlines() if line.strip()]
            if items:
                draft.suggested.append(step.key)
        draft.hold(step.key, items)
    return items


def group_entry(draft: Draft, step: Step) -> GroupEntry:
    """A group step's items and the item being asked, field by field."""
    entry = draft.pending_group(step.key)
    if entry is None:
        items = [dict(i) for i in draft.answers.get(step.key) or []]
        first = step.visible_fields({})[0].key
        entry = GroupEntry(items=items, item=None if items else {}, field=None if items else first)
        draft.hold(step.key, entry)
    return entry
