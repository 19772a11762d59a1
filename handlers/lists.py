"""The form engine's list and group steps: items typed, edited in place, removed, kept, undone.

A list step takes items typed one a line; a group step asks the same few questions again for each item.
Both take the commands of handlers/listedit.py (“sửa N”, “xóa 2-5”, “giữ 1, 3”, “xóa hết”), “quay lại”
right after an addition removes what it added, and a control word is never stored as an item. The engine
(handlers/engine.py) mixes this class in.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from bot.formats import thousands
from bot.messages import Outgoing
from handlers import listedit, prompts, tidying
from handlers.choosing import ADD, DONE, KEEP, SKIP, SKIP_REQUIRED, norm
from handlers.context import Context
from handlers.draft import Draft, GroupEntry
from handlers.forms import Flow, Invalid, ItemType, Step, item_kind, parse_item

LIST_MAX = 100  # items of a list or group step that declares no `max` of its own
BUSY = "Mục này đang nhập dở: xin trả lời câu hỏi dưới đây, hoặc gõ “quay lại” để về câu trước."


def list_max(step: Step) -> int:
    """How many items a list or group step takes: its own `max`, else LIST_MAX."""
    return int(step.max) if step.max is not None else LIST_MAX


def is_control(text: str) -> bool:
    """A message that is a control word or a list command at a list or group prompt, never an item."""
    typed = norm(text)
    return (typed in DONE or typed in SKIP or typed in ADD or listedit.read(text) is not None
            or listedit.looks_like_command(text))


class ListsMixin:
    """List and group input for the Engine; the engine provides the methods declared below."""

    async def _reask(self, ctx: Context, flow: Flow, draft: Draft, message: str) -> list[Outgoing]:
        raise NotImplementedError

    async def _prompt_and_save(self, ctx: Context, flow: Flow, draft: Draft) -> list[Outgoing]:
        raise NotImplementedError

    async def _accept(self, ctx: Context, flow: Flow, draft: Draft, step: Step, value: Any) -> list[Outgoing]:
        raise NotImplementedError

    async def _value(self, ctx: Context, draft: Draft, step: Step, chosen: str | None, text: str) -> Any:
        raise NotImplementedError

    # -- lists ----------------------------------------------------------------------------------

    async def _list_input(
        self, ctx: Context, flow: Flow, draft: Draft, step: Step, chosen: str | None, text: str
    ) -> list[Outgoing]:
        items = prompts.list_items(ctx, draft, step)
        kind = item_kind(step)
        how = tidying.how(flow, step)
        again = tidying.take_choice(draft, step, chosen) if how != "none" else None
        if again is not None:  # she chose what to do with the held message
            chosen, text = None, again
        typed = norm(text)
        if draft.editing is not None:
            return await self._list_edit(ctx, flow, draft, step, items, chosen, text)
        if chosen == "__done__" or (chosen is None and typed in DONE):
            return await self._list_done(ctx, flow, draft, step, items)
        if chosen == "__skip__" or (chosen is None and typed in SKIP):
            if not step.optional:
                return await self._reask(ctx, flow, draft, "Câu này bắt buộc, không bỏ qua được.")
            # “bỏ qua” leaves an optional list empty, its suggested items too
            draft.release(step.key)
            return await self._accept(ctx, flow, draft, step, [])
        command = listedit.Command("clear", []) if chosen == "__clear__" else listedit.read(text) if chosen is None \
            else None
        if command is not None:
            return await self._list_command(ctx, flow, draft, step, items, kind, command)
        if chosen is None and typed in ADD:
            return await self._reask(ctx, flow, draft, "Xin gõ mục cần thêm (nhiều mục thì mỗi mục một dòng).")
        if chosen is None and listedit.looks_like_command(text):
            return await self._reask(ctx, flow, draft, f"Chưa rõ lệnh “{text[:40]}”. Gõ {listedit.HINT}.")
        lines = [line.strip(" \t•*") for line in re.split(kind.separator, text) if line.strip(" \t•*")]
        finish = len(lines) > 1 and norm(lines[-1]) in DONE  # “…\nxong”: add the items, then go on
        if finish:
            lines.pop()
        limit = list_max(step)
        if len(items) + len(lines) > limit:
            room = limit - len(items)
            return await self._reask(
                ctx, flow, draft,
                f"Danh sách này tối đa {thousands(limit)} mục; tin vừa gửi có {thousands(len(lines))} mục"
                + (f" mà danh sách đã có {thousands(len(items))} mục" if items else "")
                + (f". Chưa thêm mục nào: xin gửi tối đa {thousands(room)} mục." if room > 0
                   else ". Chưa thêm mục nào: danh sách đã đủ; gõ “xong”, hoặc “xóa N” để bỏ mục N."))
        parsed = await self._parse_lines(ctx, flow, draft, step, kind, lines, text)
        if isinstance(parsed, str):
            return await self._reask(ctx, flow, draft, parsed)
        if parsed is None:  # held to ask about it (tidying)
            return await self._prompt_and_save(ctx, flow, draft)
        items.extend(parsed)
        draft.touched(step.key)
        draft.undo = {"key": step.key, "count": len(parsed)}
        added = ", ".join(kind.show(i) for i in parsed).rstrip(".,;")
        note = f"Đã thêm {len(parsed)}: {added}."
        if finish:
            ctx.warn(note)
            return await self._list_done(ctx, flow, draft, step, items)
        return await self._reask(ctx, flow, draft, note)

    async def _list_done(self, ctx: Context, flow: Flow, draft: Draft, step: Step, items: list[Any]) -> list[Outgoing]:
        if not items and not step.optional:
            return await self._reask(ctx, flow, draft, "Danh sách đang trống. Xin gõ ít nhất một mục.")
        draft.release(step.key)
        return await self._accept(ctx, flow, draft, step, items)

    async def _parse_lines(
        self, ctx: Context, flow: Flow, draft: Draft, step: Step, kind: ItemType, lines: list[str], text: str
    ) -> list[Any] | str | None:
        """The items of typed lines, tidied; a str says why not; None: the message is held to ask about it."""
        if not lines:
            return "Câu trả lời đang trống."
        parsed: list[Any] = []
        errors: list[str] = []
        for n, line in enumerate(lines, 1):
            if len(lines) > 1 and is_control(line):
                errors.append(f"Dòng {n} (“{line[:40]}”) là một lệnh, không phải một mục: xin gửi lệnh trong một "
                              "tin riêng.")
                continue
            try:
                parsed.append(parse_item(ctx, kind, line))
            except Invalid as exc:
                errors.append(f"Dòng {n} (“{line[:40]}”): {exc}" if len(lines) > 1 else str(exc))
        if errors:
            return "Chưa thêm được vì:\n" + "\n".join(errors)
        how = tidying.how(flow, step)
        if how != "none" and any(isinstance(item, str) for item in parsed):
            texts = [item for item in parsed if isinstance(item, str)]
            try:
                tidied = iter(await tidying.tidy_texts(ctx, draft, step, how, texts, text))
            except tidying.Held:
                return None
            parsed = [next(tidied).text if isinstance(item, str) else item for item in parsed]
        return parsed

    async def _list_command(
        self, ctx: Context, flow: Flow, draft: Draft, step: Step, items: list[Any], kind: ItemType,
        command: listedit.Command,
    ) -> list[Outgoing]:
        problem = listedit.check(command, len(items))
        if problem:
            return await self._reask(ctx, flow, draft, problem)
        if command.kind == "edit":
            draft.editing = command.numbers[0] - 1
            return await self._prompt_and_save(ctx, flow, draft)
        note = listedit.apply(command, items, kind.show)
        draft.touched(step.key)
        return await self._reask(ctx, flow, draft, note)

    async def _list_edit(
        self, ctx: Context, flow: Flow, draft: Draft, step: Step, items: list[Any], chosen: str | None, text: str
    ) -> list[Outgoing]:
        """The message after “sửa N” at a list: the new item N (or several in its place)."""
        index = draft.editing
        assert index is not None
        if not 0 <= index < len(items):
            draft.editing = None
            return await self._prompt_and_save(ctx, flow, draft)
        if chosen == "__keep__" or (chosen is None and norm(text) in KEEP):
            draft.editing = None
            return await self._reask(ctx, flow, draft, f"Mục {index + 1} giữ nguyên.")
        if chosen is not None or is_control(text):
            return await self._reask(ctx, flow, draft, f"Đang sửa mục {index + 1}: xin gõ nội dung mới của mục này, "
                                                       "hoặc chọn “Giữ nguyên”.")
        kind = item_kind(step)
        lines = [line.strip(" \t•*") for line in re.split(kind.separator, text) if line.strip(" \t•*")]
        if len(items) - 1 + len(lines) > list_max(step):
            return await self._reask(ctx, flow, draft, f"Danh sách này tối đa {thousands(list_max(step))} mục.")
        parsed = await self._parse_lines(ctx, flow, draft, step, kind, lines, text)
        if isinstance(parsed, str):
            return await self._reask(ctx, flow, draft, parsed)
        if parsed is None:
            return await self._prompt_and_save(ctx, flow, draft)
        items[index:index + 1] = parsed
        draft.editing = None
        draft.touched(step.key)
        shown = ", ".join(kind.show(i) for i in parsed).rstrip(".,;")
        return await self._reask(ctx, flow, draft, f"Đã sửa mục {index + 1}: {shown}.")

    # -- groups: the same few questions asked again for each item ---------------------------------

    async def _group_input(
        self, ctx: Context, flow: Flow, draft: Draft, step: Step, chosen: str | None, text: str
    ) -> list[Outgoing]:
        entry = prompts.group_entry(draft, step)
        items = entry.items
        typed = norm(text)
        if entry.field is None:
            if chosen == "__done__" or (chosen is None and typed in DONE):
                if not items and not step.optional:
                    return await self._reask(ctx, flow, draft, "Cần ít nhất một mục.")
                draft.release(step.key)
                return await self._accept(ctx, flow, draft, step, items)
            if (chosen == "__skip__" or (chosen is None and typed in SKIP)) and step.optional and not items:
                draft.release(step.key)
                return await self._accept(ctx, flow, draft, step, [])
            if chosen is None and (listedit.read(text) is not None or listedit.looks_like_command(text)):
                return await self._group_control(ctx, flow, draft, step, entry, text)
            entry.item, entry.field = {}, step.visible_fields({})[0].key
            if chosen == "__add__" or (chosen is None and typed in ADD):
                return await self._prompt_and_save(ctx, flow, draft)
            chosen = None  # anything else typed here is the first field of a new item
        field = step.field_named(entry.field)
        item = entry.item
        assert item is not None  # a field is asked only for an item
        if chosen is None and not item and entry.editing is None:
            skips_group = typed in SKIP and step.optional and not entry.items and not field.optional
            if typed in DONE or typed in ADD or skips_group or listedit.read(text) is not None \
                    or listedit.looks_like_command(text):
                # The first question of a new item: the group's control words still act as controls.
                return await self._group_control(ctx, flow, draft, step, entry, text)
        if chosen is None and (item or entry.editing is not None) and (typed in DONE or typed in ADD):
            return await self._reask(ctx, flow, draft, BUSY)
        value: Any
        if chosen == "__keep__" and entry.editing is not None:
            value = item.get(field.key)
        elif chosen == "__skip__" or (chosen is None and typed in SKIP and (field.optional or typed in SKIP_REQUIRED)):
            if not field.optional:
                return await self._reask(ctx, flow, draft, "Câu này bắt buộc, không bỏ qua được.")
            value = None
        else:
            try:
                value = await self._value(ctx, draft, field, chosen, text)
            except Invalid as exc:
                return await self._reask(ctx, flow, draft, str(exc))
            if draft.pending_group(step.key) is not entry:  # the validator answered the whole group from one message
                return await self._accept(ctx, flow, draft, step, draft.answers[step.key])
            if entry.item is None:  # the validator added whole items from one message
                return await self._reask(ctx, flow, draft, "")
        item[field.key] = value
        shown = [f.key for f in step.visible_fields(item)]
        later = shown[shown.index(field.key) + 1:]
        if later:
            entry.field = later[0]
            return await self._prompt_and_save(ctx, flow, draft)
        done = {k: v for k, v in item.items() if k in shown}
        entry.item = entry.field = None
        if entry.editing is not None:
            n, entry.editing = entry.editing, None
            items[n] = done
            return await self._reask(ctx, flow, draft, f"Đã sửa mục {n + 1}: {prompts.show_item(step, done).rstrip('.')}.")
        items.append(done)
        draft.undo = {"key": step.key, "count": 1}
        note = f"Đã thêm mục {len(items)}: {prompts.show_item(step, items[-1]).rstrip('.')}."
        if len(items) >= list_max(step):
            draft.release(step.key)
            return [Outgoing(text=note)] + await self._accept(ctx, flow, draft, step, items)
        return await self._reask(ctx, flow, draft, note)

    async def _group_control(
        self, ctx: Context, flow: Flow, draft: Draft, step: Step, entry: GroupEntry, text: str
    ) -> list[Outgoing]:
        """A control word or list command typed at the group's question or the first field of a new item."""
        items = entry.items
        typed = norm(text)
        if typed in ADD:
            return await self._reask(ctx, flow, draft, f"Đang thêm mục {len(items) + 1}. Xin trả lời câu hỏi dưới đây:")
        command = listedit.read(text)
        if command is None and listedit.looks_like_command(text):
            return await self._reask(ctx, flow, draft, f"Chưa rõ lệnh “{text[:40]}”. Gõ {listedit.HINT}.")
        if command is not None:
            problem = listedit.check(command, len(items))
            if problem:
                return await self._reask(ctx, flow, draft, problem)
            if command.kind == "edit":
                n = command.numbers[0] - 1
                entry.item, entry.editing = dict(items[n]), n
                entry.field = step.visible_fields(entry.item)[0].key
                return await self._prompt_and_save(ctx, flow, draft)
            note = listedit.apply(command, items, partial(prompts.show_item, step))
            entry.item = entry.field = None
            return await self._reask(ctx, flow, draft, note)
        if not items and not step.optional:
            return await self._reask(ctx, flow, draft, "Cần ít nhất một mục. Xin trả lời câu hỏi dưới đây:")
        draft.release(step.key)
        return await self._accept(ctx, flow, draft, step, items)

    # -- “quay lại” inside a list or group ------------------------------------------------------

    async def _back_in_list(
        self, ctx: Context, flow: Flow, draft: Draft, step: Step, undo: dict[str, Any] | None
    ) -> list[Outgoing] | None:
        """“quay lại” at a list or group: stop editing an item, undo the items just added, or step back inside
        the item being typed. None: go to the previous question."""
        if step.type == "list":
            items = prompts.list_items(ctx, draft, step)
            if draft.editing is not None:
                n, draft.editing = draft.editing, None
                return await self._reask(ctx, flow, draft, f"Đã thôi sửa; mục {n + 1} giữ nguyên.")
            if undo and undo.get("key") == step.key and 0 < undo["count"] <= len(items):
                kind = item_kind(step)
                dropped = items[-undo["count"]:]
                del items[-undo["count"]:]
                listed = ", ".join(kind.show(i) for i in dropped).rstrip(".,;")
                return await self._reask(ctx, flow, draft, f"Đã bỏ {len(dropped)} mục vừa thêm: {listed}.")
            return None
        entry = draft.pending_group(step.key)
        if entry is None:
            return None
        if entry.field is not None:
            assert entry.item is not None  # a field is asked only for an item
            shown = [f.key for f in step.visible_fields(entry.item)]
            at = shown.index(entry.field)
            if at > 0:
                entry.field = shown[at - 1]
                return await self._prompt_and_save(ctx, flow, draft)
            if entry.editing is not None:
                n, entry.editing = entry.editing, None
                entry.item = entry.field = None
                return await self._reask(ctx, flow, draft, f"Đã thôi sửa; mục {n + 1} giữ nguyên.")
            if entry.items:
                entry.item = entry.field = None
                return await self._reask(ctx, flow, draft, "Đã bỏ mục đang nhập dở.")
            return None
        if undo and undo.get("key") == step.key and entry.items:
            last = entry.items.pop()
            return await self._reask(ctx, flow, draft,
                                     f"Đã bỏ mục vừa thêm: {prompts.show_item(step, last).rstrip('.')}.")
        return None
