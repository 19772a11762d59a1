"""The form engine: runs any declared flow — ask, validate, re-ask, back, skip, edit, review, confirm.

The whole state of a conversation is a Draft (handlers/draft.py), saved in the drafts table after
every answer, so a restart resumes at the same question. What is shown is built in handlers/prompts.py.
"""

from __future__ import annotations

import re
from typing import Any

from bot import dates
from bot.formats import thousands
from bot.messages import Choice, Outgoing
from bot.text import is_count
from handlers import choosing, listedit, menus, permissions, prompts, tidying
from handlers.choosing import BACK, CONFIRM, DONE, PREVIEW, SKIP, SKIP_REQUIRED, norm
from handlers.context import Context
from handlers.draft import Draft
from handlers.forms import Flow, Invalid, Step, run_action, run_validator
from handlers.lists import LIST_MAX, ListsMixin, list_max

TEXT_MAX = 300
LONGTEXT_MAX = 10_000
INTEGER_MIN, INTEGER_MAX = -(2**63), 2**63 - 1  # what SQLite stores as an INTEGER
NUMBER_DIGITS_MAX = 19  # longer digit strings are refused before int() (which also caps digits)

EDIT = re.compile(r"^(?:sua|chinh|chinh sua|sua lai|doi)\s*(?:muc\s*)?(\d+)$")
PAGE = re.compile(r"^(?:xem\s*)?trang\s*(\d{1,3})$")  # “xem trang 2”: that page of the preview
PREVIEW_PAGE = "__preview__:"  # a choice showing a given page of the preview: "__preview__:2"
__all__ = ["LIST_MAX", "Engine", "list_max"]


NAV_HINT = "Gõ “quay lại” để về câu trước, /trogiup để xem hướng dẫn, /huy để dừng."


class Engine(ListsMixin):
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
        if not permissions.may_run_flow(ctx, flow_name):  # every way into a job ends here: her role is checked
            return [permissions.refusal(ctx)]
        flow = self.flows[flow_name]
        ctx.started_flow = True
        draft = Draft(flow=flow_name, answers=dict(answers or {}), meta=dict(meta or {}),
                      pending=dict(pending or {}), suggested=[key for key, items in (pending or {}).items() if items])
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
            if step.type in ("list", "group"):
                lines.append(("Có thể gõ nhiều mục trong một tin, mỗi mục một dòng; " if step.type == "list" else "")
                             + listedit.HINT + "; “quay lại” ngay sau khi thêm để bỏ mục vừa thêm; “xong” khi đủ.")
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
        undo, draft.undo = draft.undo, None  # “quay lại” undoes only what the message just before added
        draft.narrowed = None

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
        if chosen == "__all__":  # the whole list of options again, after an ambiguous answer
            return await self._prompt_and_save(ctx, flow, draft)

        folded = norm(text)
        if chosen is None and folded in BACK:
            draft.held = None
            return await self._back(ctx, flow, draft, undo)

        if draft.mode == "review":
            return await self._review_input(ctx, flow, draft, chosen, folded)

        step = flow.step(draft.cursor)
        if step.type == "group":
            return await self._group_input(ctx, flow, draft, step, chosen, text)
        if step.type == "list":
            return await self._list_input(ctx, flow, draft, step, chosen, text)
        if chosen == "__skip__" or (chosen is None and folded in SKIP and (step.optional or folded in SKIP_REQUIRED)):
            if not step.optional and chosen is None and step.type == "choice" and step.validate:
                try:  # a choice's own reading may know the words ("không có" at the roll call: nobody absent)
                    return await self._accept(ctx, flow, draft, step, await self._value(ctx, draft, step, None, text))
                except Invalid:
                    pass
            if not step.optional:
                return await self._reask(ctx, flow, draft, "Câu này bắt buộc, không bỏ qua được.")
            return await self._accept(ctx, flow, draft, step, None)
        if chosen == "__keep__":
            return await self._accept(ctx, flow, draft, step, draft.answers.get(step.key))
        if chosen is None and folded in DONE and step.type in ("text", "longtext"):
            # "xong" is how she ends a list: as the whole answer to a free text it means "nothing", never a line
            if step.optional:
                return await self._accept(ctx, flow, draft, step, None)
            return await self._reask(ctx, flow, draft, "Câu này cần nội dung (“xong” không được ghi vào văn bản). "
                                                        "Xin gõ nội dung:")
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
        try:
            value = chosen if chosen is not None else await self._parse(ctx, step, text)
        except Invalid:
            # "1" at a date or time question is no date or time: the suggestion numbered 1 on screen
            if not (step.type in ("date", "time") and is_count(text) and 0 < int(text) <= len(draft.offered)):
                raise
            chosen = value = draft.offered[int(text) - 1][1]
        if chosen is not None and step.type in ("date", "time", "number"):
            value = await self._parse(ctx, step, chosen)
        typed = None  # typed text that is tidied: what she typed, to say what will be printed instead
        if chosen is None and kind != "none" and isinstance(value, str):
            typed = value
            value = (await tidying.tidy_text(ctx, draft, step, kind, value)).text
        if step.validate:
            value = await run_validator(step.validate, ctx, draft, value)
        if typed is not None and str(value) != typed:
            ctx.warn(tidying.READ_BACK + tidying.shown(str(value)))
        return value

    async def _typed_option(self, ctx: Context, draft: Draft, step: Step, text: str) -> str | None:
        """The option a typed answer means (handlers/choosing.py), also one on another page of a long list.

        Where it fits several options, the two likeliest are shown alone to choose from (Invalid).
        """
        options = [(c.label, c.value) for c in await prompts.options(ctx, draft, step)]
        free = step.other or (step.type == "person" and not options)
        found = choosing.pick(text, [], options, mode="other" if free else "loose", numbers=False)
        if found.ambiguous:
            draft.narrowed = found.candidates
            first, second = (label for label, _ in found.candidates[:2])
            raise Invalid(f"“{text[:40]}” có thể là “{first}” hoặc “{second}”. Đồng chí chọn một"
                          + (", hoặc gõ đầy đủ:" if free else " (hoặc “Xem tất cả”):"))
        return found.value

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
        """A typed label (any case, accents or punctuation) or synonym of a choice on screen, or a typed number
        where it cannot mean a number answer (handlers/choosing.py).

        A number picks the offered choice of that number on every channel (the console prints them as
        “[n] label”): on the review screen, at choice, person and group questions, and at a text question's
        suggestions. At number, date and time steps a number is the answer itself, and at a list step an item.
        """
        if not text:
            return None
        step = None if draft.mode == "review" else self._asking(flow, draft)
        numbers = step is None or step.type in ("choice", "person", "group", "text", "longtext")
        if step is not None and any(is_count(label) for label, _ in draft.offered):
            numbers = False  # a number suggested as the answer ("9" votes for): a typed number is an answer too
        worded = step is None or step.type in ("choice", "person", "group")
        return choosing.pick(text, draft.offered, numbers=numbers, worded=worded).value

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
        draft.held = draft.editing = None
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

    async def _back(self, ctx: Context, flow: Flow, draft: Draft, undo: dict[str, Any] | None = None) -> list[Outgoing]:
        if draft.mode == "review":
            visible = flow.visible_steps(draft.answers)
            draft.mode = "ask"
            draft.cursor = visible[-1].key
            return await self._prompt_and_save(ctx, flow, draft)
        step = flow.step(draft.cursor)
        if step.type in ("list", "group"):
            inside = await self._back_in_list(ctx, flow, draft, step, undo)
            if inside is not None:
                return inside
        if not draft.history:
            return await self._reask(ctx, flow, draft, "Đây là câu hỏi đầu tiên, không có câu nào trước đó.")
        draft.editing = None
        draft.cursor = draft.history.pop()
        return await self._prompt_and_save(ctx, flow, draft)

    async def _review_input(
        self, ctx: Context, flow: Flow, draft: Draft, chosen: str | None, folded: str
    ) -> list[Outgoing]:
        if chosen == "__confirm__" or (chosen is None and folded in CONFIRM):
            return await self._finish(ctx, flow, draft)
        page = preview_page(chosen, folded)
        if flow.preview and page is not None:
            ctx.preview_page = page
            shown = await run_action(flow.preview, ctx, draft)
            more = [c for out in shown for c in out.choices]  # e.g. “Xem trang 2”: offered with the review,
            for out in shown:                                 # numbered with it, so a tap or a number works
                out.choices = []
            return shown + await self._prompt_and_save(ctx, flow, draft, more)
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
        if not permissions.may_run_flow(ctx, draft.flow):  # the last guard before saving or issuing anything
            await ctx.store.delete_draft(*ctx.key)
            return [permissions.refusal(ctx)]
        ctx.started_flow = False
        out = await run_action(flow.on_done, ctx, draft)
        if not ctx.started_flow:  # an action may chain into another flow, whose draft must stay
            await ctx.store.delete_draft(*ctx.key)
            out = await menus.after_flow(ctx, draft.meta, out)  # a flow started from a settings menu returns to it
        return out

    # -- prompts --------------------------------------------------------------------------------

    async def _reask(self, ctx: Context, flow: Flow, draft: Draft, message: str) -> list[Outgoing]:
        return ([Outgoing(text=message)] if message else []) + await self._prompt_and_save(ctx, flow, draft)

    async def _prompt_and_save(self, ctx: Context, flow: Flow, draft: Draft,
                               more: list[Choice] | None = None) -> list[Outgoing]:
        """Ask the question on screen (with `more` choices after its own) and save the draft."""
        draft.seq += 1
        out = await prompts.screen(ctx, flow, draft)
        out.choices += more or []
        draft.offered = [(c.label, c.value) for c in out.choices]
        out.choices = [Choice(c.label, f"{draft.seq}.{i}") for i, c in enumerate(out.choices, 1)]
        await ctx.store.save_draft(*ctx.key, draft.to_json())
        return [out]


def preview_page(chosen: str | None, folded: str) -> int | None:
    """The page of the preview an answer at the review asks for: 1 for “Xem trước”, N for a “Xem trang N”
    choice (value "__preview__:N") or typed “xem trang N”; None when it asks for no preview."""
    if chosen == "__preview__" or (chosen is None and folded in PREVIEW):
        return 1
    if chosen is not None and chosen.startswith(PREVIEW_PAGE) and chosen[len(PREVIEW_PAGE):].isdigit():
        return max(1, int(chosen[len(PREVIEW_PAGE):]))
    match = PAGE.match(folded) if chosen is None else None
    return max(1, int(match.group(1))) if match else None
