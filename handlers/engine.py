"""The form engine: runs any declared flow — ask, validate, re-ask, back, skip, edit, review, confirm.

The whole state of a conversation is a Draft (handlers/draft.py), saved in the drafts table after
every answer, so a restart resumes at the same question. What is shown is built in handlers/prompts.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

from bot import dates
from bot.formats import thousands
from bot.messages import Choice, Outgoing
from bot.text import fold, is_count
from handlers import prompts, tidying
from handlers.context import Context
from handlers.draft import Draft, GroupEntry
from handlers.forms import Flow, Invalid, Step, item_kind, parse_item, run_action, run_validator

TEXT_MAX = 300
LONGTEXT_MAX = 10_000
LIST_MAX = 100  # items of a list or group step that declares no `max` of its own
INTEGER_MIN, INTEGER_MAX = -(2**63), 2**63 - 1  # what SQLite stores as an INTEGER
NUMBER_DIGITS_MAX = 19  # longer digit strings are refused before int() (which also caps digits)

BACK = {"quay lai", "tro lai", "lui", "quay lai cau truoc"}
SKIP = {"bo qua", "khong co", "bo", "skip"}
DONE = {"xong", "het", "da xong", "du roi", "ket thuc"}
CONFIRM = {"xac nhan", "dong y", "ok", "co", "luu", "xac nhan va luu"}
PREVIEW = {"xem truoc", "xem thu", "preview"}
ADD = {"them", "them nua", "them muc", "co them"}
EDIT = re.compile(r"^(?:sua|chinh|chinh sua)\s*(?:muc\s*)?(\d+)$")
REMOVE = re.compile(r"^(?:xoa|bo)\s*(?:muc\s*)?(\d+)$")


NAV_HINT = "Gõ “quay lại” để về câu trước, /trogiup để xem hướng dẫn, /huy để dừng."


def list_max(step: Step) -> int:
    """How many items a list or group step takes: its own `max`, else LIST_MAX."""
    return int(step.max) if step.max is not None else LIST_MAX


def remove_item(folded: str, items: list[Any], show: Callable[[Any], str], where: str = "") -> tuple[str, bool] | None:
    """“xóa N” typed at a list or a group: (the note to show, whether item N was removed from `items`);
    None when the text is not that command."""
    match = REMOVE.match(folded)
    if not match:
        return None
    number = int(match.group(1))
    if not 0 < number <= len(items):
        return f"Không có mục {number}{where}.", False
    return f"Đã bỏ: {show(items.pop(number - 1)).rstrip('.,;')}.", True


class Engine:
    def __init__(self, flows: dict[str, Flow]) -> None:
        self.flows = flows

    # -- public ---------------------------------------------------------------------------------

    async def start(
        self,
        ctx: Context,
        flow_name: str,
        answers: dict[str, Any] | None = None,
        meta: dict[str, Any] | None = None,
        review: bool = False,
        pending: dict[str, list[Any]] | None = None,
    ) -> list[Outgoing]:
        """Begin a flow; with review=True (editing a saved record) go straight to the review screen.

        `pending` gives lists their starting items (found by the caller), shown for keeping or removing.
        """
        flow = self.flows[flow_name]
        ctx.started_flow = True
        draft = Draft(flow=flow_name, answers=dict(answers or {}), meta=dict(meta or {}),
                      pending=dict(pending or {}))
        out: list[Outgoing] = []
        if flow.intro and not review:
            out.append(Outgoing(text=flow.intro + "\n" + NAV_HINT))
        if review:
            draft.mode = "review"
        else:
            draft.cursor = self._next_unanswered(flow, draft.answers, after=None)
        return out + await self._prompt_and_save(ctx, flow, draft)

    async def resume(self, ctx: Context, draft: Draft, note: str = "") -> list[Outgoing]:
        """Ask the pending question again (after a restart, /start, or an interrupting command)."""
        flow = self.flows[draft.flow]
        out = [Outgoing(text=note)] if note else []
        return out + await self._prompt_and_save(ctx, flow, draft)

    def help_for(self, draft: Draft, ctx: Context | None = None) -> str:
        flow = self.flows[draft.flow]
        lines = [f"Đồng chí đang làm: {flow.title}."]
        if draft.mode == "review":
            lines.append("Đây là màn hình xem lại: gõ “sửa N” để sửa mục N, “xác nhận” để lưu.")
        else:
            step = flow.step(draft.cursor)
            if step.help:
                lines.append(step.help)
            if step.example:
                lines.append(f"Ví dụ: {prompts.example(ctx, draft, step) if ctx else step.example}")
            if step.type == "list":
                lines.append("Có thể gõ nhiều mục trong một tin, mỗi mục một dòng; “xóa N” để bỏ mục N; "
                             "“xong” khi đủ.")
            if step.optional:
                lines.append("Câu này không bắt buộc: gõ “bỏ qua” nếu không có.")
        lines.append("“quay lại”: về câu trước. /huy: dừng và bỏ bản nháp.")
        return "\n".join(lines)

    async def handle(self, ctx: Context, draft: Draft) -> list[Outgoing]:
        """Take the user's answer to the question on screen."""
        ctx.notes = []
        out = await self._handle(ctx, draft)
        return ([Outgoing(text="\n".join(ctx.notes))] if ctx.notes else []) + out

    async def _handle(self, ctx: Context, draft: Draft) -> list[Outgoing]:
        flow = self.flows[draft.flow]
        inc = ctx.incoming
        text = inc.text.strip()
        chosen: str | None = None  # the value of a chosen offered option

        if inc.choice is not None:
            seq, _, index = inc.choice.partition(".")
            if seq != str(draft.seq) or not is_count(index) or not 0 < int(index) <= len(draft.offered):
                return await self._reask(ctx, flow, draft, "Nút này thuộc câu hỏi trước. Xin trả lời câu hỏi hiện tại:")
            chosen = draft.offered[int(index) - 1][1]
        else:
            chosen = self._match_offered(draft, text, flow)

        # A long list of options is shown a page at a time; any other answer starts the next question on page 1.
        if chosen in (prompts.NEXT_PAGE, prompts.PREV_PAGE):
            draft.page = max(0, draft.page + (1 if chosen == prompts.NEXT_PAGE else -1))
            return await self._prompt_and_save(ctx, flow, draft)
        draft.page = 0

        folded = fold(text)
        if chosen is None and folded in BACK:
            draft.held = None
            return await self._back(ctx, flow, draft)

        if draft.mode == "review":
            return await self._review_input(ctx, flow, draft, chosen, folded)

        step = flow.step(draft.cursor)
        if step.type == "group":
            return await self._group_input(ctx, flow, draft, step, chosen, text)
        if step.type == "list":
            return await self._list_input(ctx, flow, draft, step, chosen, text)
        if chosen == "__skip__" or (chosen is None and folded in SKIP):
            if not step.optional:
                return await self._reask(ctx, flow, draft, "Câu này bắt buộc, không bỏ qua được.")
            return await self._accept(ctx, flow, draft, step, None)
        if chosen == "__keep__":
            return await self._accept(ctx, flow, draft, step, draft.answers.get(step.key))
        try:
            value = await self._value(ctx, draft, step, chosen, text)
        except Invalid as exc:
            return await self._reask(ctx, flow, draft, str(exc))
        return await self._accept(ctx, flow, draft, step, value)

    async def _value(self, ctx: Context, draft: Draft, step: Step, chosen: str | None, text: str) -> Any:
        """The typed or chosen answer to a step, parsed, tidied (typed text only) and validated; raises Invalid."""
        kind = tidying.how(self.flows[draft.flow], step)
        again = tidying.take_choice(draft, step, chosen) if kind != "none" else None
        if again is not None:  # she chose what to do with the held answer
            chosen, text = None, again
        if chosen is None and step.type in ("choice", "person"):
            chosen = await self._typed_option(ctx, draft, step, text)
        value = chosen if chosen is not None else await self._parse(ctx, step, text)
        if chosen is not None and step.type in ("date", "time", "number"):
            value = await self._parse(ctx, step, chosen)
        typed = None  # typed text that is tidied: what she typed, to say what will be printed instead
        if chosen is None and kind != "none" and isinstance(value, str):
            typed = value
            value = (await tidying.tidy_text(ctx, draft, step, kind, value)).text
        if step.validate:
            value = await run_validator(step.validate, ctx, draft, value)
        if typed is not None and str(value) != typed:
            ctx.warn(tidying.READ_BACK + str(value))
        return value

    async def _typed_option(self, ctx: Context, draft: Draft, step: Step, text: str) -> str | None:
        """The value of the option whose label was typed, also one on another page of a long list."""
        folded = fold(text)
        if not folded:
            return None
        return next((c.value for c in await prompts.options(ctx, draft, step) if fold(c.label) == folded), None)

    # -- parsing --------------------------------------------------------------------------------

    async def _parse(self, ctx: Context, step: Step, text: str) -> Any:
        if not text:
            raise Invalid("Câu trả lời đang trống. Xin gõ nội dung" + (", hoặc “bỏ qua”." if step.optional else "."))
        if step.type in ("text", "longtext"):
            limit = step.max_len or (TEXT_MAX if step.type == "text" else LONGTEXT_MAX)
            if len(text) > limit:
                raise Invalid(f"Câu trả lời dài {thousands(len(text))} ký tự, vượt giới hạn {thousands(limit)} ký tự "
                              "của mục này. Xin rút gọn rồi gửi lại.")
            return text if step.type == "longtext" else re.sub(r"\s+", " ", text)
        if step.type == "date":
            try:
                day, note = dates.read_date(text, today=ctx.clock.today(), tense=step.tense)
            except dates.DateError as exc:
                raise Invalid(str(exc)) from None
            if note:
                ctx.warn(note)  # the year was implied and the other year's reading is plausible too
            return day.isoformat()
        if step.type == "time":
            try:
                return dates.parse_time(text).strftime("%H:%M")
            except dates.DateError as exc:
                raise Invalid(str(exc)) from None
        if step.type == "number":
            digits = text.replace(".", "").replace(" ", "")
            if not re.fullmatch(r"-?[0-9]+", digits):
                raise Invalid("Xin nhập một số nguyên, ví dụ 12.")
            if len(digits.lstrip("-0")) > NUMBER_DIGITS_MAX or not INTEGER_MIN <= int(digits) <= INTEGER_MAX:
                if step.max is not None and not digits.startswith("-"):
                    raise Invalid(f"Số này không được lớn hơn {int(step.max)}.")
                raise Invalid("Số này quá lớn, không phải một số hợp lý cho mục này. Xin kiểm tra lại và nhập một số "
                              "nguyên, ví dụ 12.")
            number = int(digits)
            if step.min is not None and number < step.min:
                raise Invalid(f"Số này không được nhỏ hơn {int(step.min)}.")
            if step.max is not None and number > step.max:
                raise Invalid(f"Số này không được lớn hơn {int(step.max)}.")
            return number
        if step.type == "person" and not await ctx.people():
            return await self._parse(ctx, Step(key=step.key, type="text", ask="", label="", max_len=60), text)
        if step.type in ("choice", "person"):
            if step.other:
                return await self._parse(ctx, Step(key=step.key, type="text", ask="", label=""), text)
            raise Invalid("Xin chọn một trong các phương án dưới đây (gõ số thứ tự hoặc đúng tên phương án).")
        raise AssertionError(step.type)

    def _match_offered(self, draft: Draft, text: str, flow: Flow) -> str | None:
        """A typed label (any case or accents), or a typed number where it cannot mean a number answer.

        A number picks the offered choice of that number on every channel (the console prints them as
        “[n] label”): on the review screen, at choice, person and group questions, and at a text question's
        suggestions. At number, date and time steps a number is the answer itself, and at a list step an item.
        """
        if not text:
            return None
        folded = fold(text)
        for label, value in draft.offered:
            if fold(label) == folded:
                return value
        if re.fullmatch(r"[0-9]{1,4}", text) and draft.offered:
            step = None if draft.mode == "review" else self._asking(flow, draft)
            if step is not None and any(is_count(label) for label, _ in draft.offered):
                return None  # a number suggested as the answer ("9" votes for): a typed number is an answer too
            if step is None or step.type in ("choice", "person", "group", "text", "longtext"):
                index = int(text)
                if 0 < index <= len(draft.offered):
                    return draft.offered[index - 1][1]
        return None

    def _asking(self, flow: Flow, draft: Draft) -> Step:
        """The step whose question is on screen: a group's current field, or the step itself."""
        step = flow.step(draft.cursor)
        if step.type == "group":
            entry = draft.pending_group(step.key)
            if entry is not None and entry.field is not None:
                return step.field_named(entry.field)
        return step

    # -- moving through the flow ----------------------------------------------------------------

    def _next_unanswered(self, flow: Flow, answers: dict[str, Any], after: str | None) -> str | None:
        steps = flow.visible_steps(answers)
        keys = [s.key for s in steps]
        start = keys.index(after) + 1 if after in keys else 0
        for s in steps[start:]:
            if s.key not in answers:
                return s.key
        return None

    async def _accept(self, ctx: Context, flow: Flow, draft: Draft, step: Step, value: Any) -> list[Outgoing]:
        draft.held = None
        draft.answers[step.key] = value
        draft.history.append(step.key)
        # Answers of steps that a changed answer hides are dropped, so the review shows only what applies.
        visible = {s.key for s in flow.visible_steps(draft.answers)}
        for key in list(draft.answers):
            if key not in visible and any(s.key == key for s in flow.steps):
                del draft.answers[key]
        if draft.return_to_review:
            nxt = self._next_unanswered(flow, draft.answers, after=None)
        else:
            nxt = self._next_unanswered(flow, draft.answers, after=step.key)
        if nxt is not None:
            draft.cursor = nxt
            return await self._prompt_and_save(ctx, flow, draft)
        draft.cursor = None
        draft.return_to_review = False
        if not flow.review:
            return await self._finish(ctx, flow, draft)
        draft.mode = "review"
        return await self._prompt_and_save(ctx, flow, draft)

    async def _back(self, ctx: Context, flow: Flow, draft: Draft) -> list[Outgoing]:
        if draft.mode == "review":
            visible = flow.visible_steps(draft.answers)
            draft.mode = "ask"
            draft.cursor = visible[-1].key
            return await self._prompt_and_save(ctx, flow, draft)
        step = flow.step(draft.cursor)
        entry = draft.pending_group(step.key) if step.type == "group" else None
        if entry is not None and entry.field is not None:
            assert entry.item is not None  # a field is asked only for an item
            shown = [f.key for f in step.visible_fields(entry.item)]
            at = shown.index(entry.field)
            if at > 0:
                entry.field = shown[at - 1]
                return await self._prompt_and_save(ctx, flow, draft)
            if entry.items:
                entry.item = entry.field = None
                return await self._reask(ctx, flow, draft, "Đã bỏ mục đang nhập dở.")
        if not draft.history:
            return await self._reask(ctx, flow, draft, "Đây là câu hỏi đầu tiên, không có câu nào trước đó.")
        draft.cursor = draft.history.pop()
        return await self._prompt_and_save(ctx, flow, draft)

    async def _review_input(
        self, ctx: Context, flow: Flow, draft: Draft, chosen: str | None, folded: str
    ) -> list[Outgoing]:
        if chosen == "__confirm__" or (chosen is None and folded in CONFIRM):
            return await self._finish(ctx, flow, draft)
        if flow.preview and (chosen == "__preview__" or (chosen is None and folded in PREVIEW)):
            shown = await run_action(flow.preview, ctx, draft)
            return shown + await self._prompt_and_save(ctx, flow, draft)
        match = EDIT.match(folded)
        if match:
            listed = [s for s in flow.visible_steps(draft.answers) if s.in_review]
            number = int(match.group(1))
            if not 0 < number <= len(listed):
                return await self._reask(ctx, flow, draft, f"Không có mục {number}. Các mục được đánh số từ 1 đến {len(listed)}.")
            draft.mode, draft.cursor, draft.return_to_review = "ask", listed[number - 1].key, True
            return await self._prompt_and_save(ctx, flow, draft)
        return await self._reask(ctx, flow, draft, f"Xin chọn “{flow.confirm_label}”, hoặc gõ “sửa N” để sửa mục N.")

    async def _finish(self, ctx: Context, flow: Flow, draft: Draft) -> list[Outgoing]:
        ctx.started_flow = False
        out = await run_action(flow.on_done, ctx, draft)
        if not ctx.started_flow:  # an action may chain into another flow, whose draft must stay
            await ctx.store.delete_draft(*ctx.key)
        return out

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
        folded = fold(text)
        if chosen == "__done__" or (chosen is None and folded in DONE):
            if not items and not step.optional:
                return await self._reask(ctx, flow, draft, "Danh sách đang trống. Xin gõ ít nhất một mục.")
            draft.release(step.key)
            return await self._accept(ctx, flow, draft, step, items)
        if chosen == "__skip__" or (chosen is None and folded in SKIP):
            if not step.optional:
                return await self._reask(ctx, flow, draft, "Câu này bắt buộc, không bỏ qua được.")
            draft.release(step.key)
            return await self._accept(ctx, flow, draft, step, [])
        removal = remove_item(folded, items, kind.show, " trong danh sách")
        if removal:
            return await self._reask(ctx, flow, draft, removal[0])
        lines = [line.strip(" \t•*") for line in re.split(kind.separator, text) if line.strip(" \t•*")]
        if not lines:
            return await self._reask(ctx, flow, draft, "Câu trả lời đang trống.")
        limit = list_max(step)
        if len(items) + len(lines) > limit:
            room = limit - len(items)
            return await self._reask(
                ctx, flow, draft,
                f"Danh sách này tối đa {thousands(limit)} mục; tin vừa gửi có {thousands(len(lines))} mục"
                + (f" mà danh sách đã có {thousands(len(items))} mục" if items else "")
                + (f". Chưa thêm mục nào: xin gửi tối đa {thousands(room)} mục." if room > 0
                   else ". Chưa thêm mục nào: danh sách đã đủ; gõ “xong”, hoặc “xóa N” để bỏ mục N."))
        parsed: list[Any] = []
        errors: list[str] = []
        for n, line in enumerate(lines, 1):
            try:
                parsed.append(parse_item(ctx, kind, line))
            except Invalid as exc:
                errors.append(f"Dòng {n} (“{line[:40]}”): {exc}" if len(lines) > 1 else str(exc))
        if errors:
            return await self._reask(ctx, flow, draft, "Chưa thêm được vì:\n" + "\n".join(errors))
        if how != "none" and any(isinstance(item, str) for item in parsed):
            texts = [item for item in parsed if isinstance(item, str)]
            try:
                tidied = iter(await tidying.tidy_texts(ctx, draft, step, how, texts, text))
            except tidying.Held:
                return await self._prompt_and_save(ctx, flow, draft)
            parsed = [next(tidied).text if isinstance(item, str) else item for item in parsed]
        items.extend(parsed)
        added = ", ".join(kind.show(i) for i in parsed).rstrip(".,;")
        return await self._reask(ctx, flow, draft, f"Đã thêm {len(parsed)}: {added}.")

    # -- groups: the same few questions asked again for each item ---------------------------------

    async def _group_input(
        self, ctx: Context, flow: Flow, draft: Draft, step: Step, chosen: str | None, text: str
    ) -> list[Outgoing]:
        entry = prompts.group_entry(draft, step)
        items = entry.items
        folded = fold(text)
        if entry.field is None:
            if chosen == "__done__" or (chosen is None and folded in DONE):
                if not items and not step.optional:
                    return await self._reask(ctx, flow, draft, "Cần ít nhất một mục.")
                draft.release(step.key)
                return await self._accept(ctx, flow, draft, step, items)
            if chosen == "__skip__" and step.optional and not items:
                draft.release(step.key)
                return await self._accept(ctx, flow, draft, step, [])
            removal = remove_item(folded, items, partial(prompts.show_item, step)) if chosen is None else None
            if removal:
                return await self._reask(ctx, flow, draft, removal[0])
            entry.item, entry.field = {}, step.visible_fields({})[0].key
            if chosen == "__add__" or (chosen is None and folded in ADD):
                return await self._prompt_and_save(ctx, flow, draft)
            chosen = None  # anything else typed here is the first field of a new item
        field = step.field_named(entry.field)
        item = entry.item
        assert item is not None  # a field is asked only for an item
        skips_group = folded in SKIP and step.optional and not entry.items and not field.optional
        if chosen is None and not item and (folded in DONE or folded in ADD or REMOVE.match(folded) or skips_group):
            # The first question of a new item: the group's control words still act as controls.
            return await self._group_control(ctx, flow, draft, step, entry, folded)
        if chosen is None and item and (folded in DONE or folded in ADD):
            return await self._reask(ctx, flow, draft, "Mục này đang nhập dở: xin trả lời câu hỏi dưới đây, "
                                                       "hoặc gõ “quay lại” để về câu trước.")
        value: Any
        if chosen == "__skip__" or (chosen is None and folded in SKIP):
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
        items.append({k: v for k, v in item.items() if k in shown})
        entry.item = entry.field = None
        note = f"Đã thêm mục {len(items)}: {prompts.show_item(step, items[-1]).rstrip('.')}."
        if len(items) >= list_max(step):
            draft.release(step.key)
            return [Outgoing(text=note)] + await self._accept(ctx, flow, draft, step, items)
        return await self._reask(ctx, flow, draft, note)

    async def _group_control(
        self, ctx: Context, flow: Flow, draft: Draft, step: Step, entry: GroupEntry, folded: str
    ) -> list[Outgoing]:
        """“xong”, “thêm” or “xóa N” typed where the first field of a new item is asked."""
        items = entry.items
        if folded in ADD:
            return await self._reask(ctx, flow, draft, f"Đang thêm mục {len(items) + 1}. Xin trả lời câu hỏi dưới đây:")
        removal = remove_item(folded, items, partial(prompts.show_item, step))
        if removal:
            note, removed = removal
            if removed:
                entry.item = entry.field = None
            return await self._reask(ctx, flow, draft, note)
        if not items and not step.optional:
            return await self._reask(ctx, flow, draft, "Cần ít nhất một mục. Xin trả lời câu hỏi dưới đây:")
        draft.release(step.key)
        return await self._accept(ctx, flow, draft, step, items)

    # -- prompts --------------------------------------------------------------------------------

    async def _reask(self, ctx: Context, flow: Flow, draft: Draft, message: str) -> list[Outgoing]:
        return ([Outgoing(text=message)] if message else []) + await self._prompt_and_save(ctx, flow, draft)

    async def _prompt_and_save(self, ctx: Context, flow: Flow, draft: Draft) -> list[Outgoing]:
        draft.seq += 1
        out = await prompts.screen(ctx, flow, draft)
        draft.offered = [(c.label, c.value) for c in out.choices]
        out.choices = [Choice(c.label, f"{draft.seq}.{i}") for i, c in enumerate(out.choices, 1)]
        await ctx.store.save_draft(*ctx.key, draft.to_json())
        return [out]
