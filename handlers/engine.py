"""The form engine: runs any declared flow — ask, validate, re-ask, back, skip, edit, review, confirm.

The whole state of a conversation is one JSON document saved in the drafts table after every
answer, so a restart resumes at the same question.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from jinja2 import TemplateError

from bot import dates
from bot.messages import Choice, Outgoing
from bot.templating import environment
from bot.text import fold
from handlers.context import Context
from handlers.forms import ACTIONS, ITEMS, PROVIDERS, VALIDATORS, Flow, Invalid, Option, Step

TEXT_MAX = 300
LONGTEXT_MAX = 10_000
CHOICE_PREVIEW = 60

BACK = {"quay lai", "tro lai", "lui", "quay lai cau truoc"}
SKIP = {"bo qua", "khong co", "bo", "skip"}
DONE = {"xong", "het", "da xong", "du roi", "ket thuc"}
CONFIRM = {"xac nhan", "dong y", "ok", "co", "luu", "xac nhan va luu"}
PREVIEW = {"xem truoc", "xem thu", "preview"}
ADD = {"them", "them nua", "them muc", "co them"}
EDIT = re.compile(r"^(?:sua|chinh|chinh sua)\s*(?:muc\s*)?(\d+)$")
REMOVE = re.compile(r"^(?:xoa|bo)\s*(?:muc\s*)?(\d+)$")

def thousands(n: int) -> str:
    """12.345, as Vietnamese writes it."""
    return f"{n:,}".replace(",", ".")


NAV_HINT = "Gõ “quay lại” để về câu trước, /trogiup để xem hướng dẫn, /huy để dừng."


class Engine:
    def __init__(self, flows: dict[str, Flow]):
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
        state = {"flow": flow_name, "answers": dict(answers or {}), "meta": dict(meta or {}),
                 "cursor": None, "history": [], "mode": "ask", "return_to_review": False,
                 "seq": 0, "offered": [], "pending": dict(pending or {})}
        out: list[Outgoing] = []
        if flow.intro and not review:
            out.append(Outgoing(text=flow.intro + "\n" + NAV_HINT))
        if review:
            state["mode"] = "review"
        else:
            state["cursor"] = self._next_unanswered(flow, state["answers"], after=None)
        return out + await self._prompt_and_save(ctx, flow, state)

    async def resume(self, ctx: Context, state: dict[str, Any], note: str = "") -> list[Outgoing]:
        """Ask the pending question again (after a restart, /start, or an interrupting command)."""
        flow = self.flows[state["flow"]]
        out = [Outgoing(text=note)] if note else []
        return out + await self._prompt_and_save(ctx, flow, state)

    def help_for(self, state: dict[str, Any]) -> str:
        flow = self.flows[state["flow"]]
        lines = [f"Đồng chí đang làm: {flow.title}."]
        if state["mode"] == "review":
            lines.append("Đây là màn hình xem lại: gõ “sửa N” để sửa mục N, “xác nhận” để lưu.")
        else:
            step = flow.step(state["cursor"])
            if step.help:
                lines.append(step.help)
            if step.example:
                lines.append(f"Ví dụ: {step.example}")
            if step.type == "list":
                lines.append("Có thể gõ nhiều mục trong một tin, mỗi mục một dòng; “xóa N” để bỏ mục N; "
                             "“xong” khi đủ.")
            if step.optional:
                lines.append("Câu này không bắt buộc: gõ “bỏ qua” nếu không có.")
        lines.append("“quay lại”: về câu trước. /huy: dừng và bỏ bản nháp.")
        return "\n".join(lines)

    async def handle(self, ctx: Context, state: dict[str, Any]) -> list[Outgoing]:
        ctx.notes = []
        ctx.flow_name = state["flow"]
        out = await self._handle(ctx, state)
        return ([Outgoing(text="\n".join(ctx.notes))] if ctx.notes else []) + out

    async def _handle(self, ctx: Context, state: dict[str, Any]) -> list[Outgoing]:
        flow = self.flows[state["flow"]]
        inc = ctx.incoming
        ctx.answers = state["answers"]
        text = inc.text.strip()
        chosen: str | None = None  # the value of a chosen offered option

        if inc.choice is not None:
            seq, _, index = inc.choice.partition(".")
            if seq != str(state["seq"]) or not index.isdigit() or not 0 < int(index) <= len(state["offered"]):
                return await self._reask(ctx, flow, state, "Nút này thuộc câu hỏi trước. Xin trả lời câu hỏi hiện tại:")
            chosen = state["offered"][int(index) - 1][1]
        else:
            chosen = self._match_offered(state, text, flow)

        folded = fold(text)
        if chosen is None and folded in BACK:
            return await self._back(ctx, flow, state)

        if state["mode"] == "review":
            return await self._review_input(ctx, flow, state, chosen, folded)

        step = flow.step(state["cursor"])
        if step.type == "group":
            return await self._group_input(ctx, flow, state, step, chosen, text)
        if step.type == "list":
            return await self._list_input(ctx, flow, state, step, chosen, text)
        if chosen == "__skip__" or (chosen is None and folded in SKIP):
            if not step.optional:
                return await self._reask(ctx, flow, state, "Câu này bắt buộc, không bỏ qua được.")
            return await self._accept(ctx, flow, state, step, None)
        if chosen == "__keep__":
            return await self._accept(ctx, flow, state, step, state["answers"].get(step.key))
        try:
            value = await self._value(ctx, step, chosen, text)
        except Invalid as exc:
            return await self._reask(ctx, flow, state, str(exc))
        return await self._accept(ctx, flow, state, step, value)

    async def _value(self, ctx: Context, step: Step, chosen: str | None, text: str) -> Any:
        """The typed or chosen answer to a step, parsed and validated; raises Invalid."""
        value = chosen if chosen is not None else await self._parse(ctx, step, text)
        if chosen is not None and step.type in ("date", "time", "number"):
            value = await self._parse(ctx, step, chosen)
        if step.validate:
            value = await VALIDATORS[step.validate](value, ctx)
        return value

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
                return dates.parse_date(text, today=ctx.clock.today()).isoformat()
            except dates.DateError as exc:
                raise Invalid(str(exc)) from None
        if step.type == "time":
            try:
                return dates.parse_time(text).strftime("%H:%M")
            except dates.DateError as exc:
                raise Invalid(str(exc)) from None
        if step.type == "number":
            digits = text.replace(".", "").replace(" ", "")
            if not re.fullmatch(r"-?\d+", digits):
                raise Invalid("Xin nhập một số nguyên, ví dụ 12.")
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

    def _match_offered(self, state: dict[str, Any], text: str, flow: Flow) -> str | None:
        """A typed label (any case or accents), or a typed number where it cannot mean a number answer."""
        if not text:
            return None
        folded = fold(text)
        for label, value in state["offered"]:
            if fold(label) == folded:
                return value
        if text.isdigit() and state["offered"]:
            step = None if state["mode"] == "review" else self._asking(flow, state)
            if step is None or step.type in ("choice", "person", "group"):
                index = int(text)
                if 0 < index <= len(state["offered"]):
                    return state["offered"][index - 1][1]
        return None

    def _asking(self, flow: Flow, state: dict[str, Any]) -> Step:
        """The step whose question is on screen: a group's current field, or the step itself."""
        step = flow.step(state["cursor"])
        if step.type == "group":
            field_key = state.get("pending", {}).get(step.key, {}).get("field")
            if field_key is not None:
                return next(f for f in step.fields if f.key == field_key)
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

    async def _accept(self, ctx: Context, flow: Flow, state: dict, step: Step, value: Any) -> list[Outgoing]:
        state["answers"][step.key] = value
        state["history"].append(step.key)
        # Answers of steps that a changed answer hides are dropped, so the review shows only what applies.
        visible = {s.key for s in flow.visible_steps(state["answers"])}
        for key in list(state["answers"]):
            if key not in visible and any(s.key == key for s in flow.steps):
                del state["answers"][key]
        if state["return_to_review"]:
            nxt = self._next_unanswered(flow, state["answers"], after=None)
        else:
            nxt = self._next_unanswered(flow, state["answers"], after=step.key)
        if nxt is not None:
            state["cursor"] = nxt
            return await self._prompt_and_save(ctx, flow, state)
        state["cursor"] = None
        state["return_to_review"] = False
        if not flow.review:
            return await self._finish(ctx, flow, state)
        state["mode"] = "review"
        return await self._prompt_and_save(ctx, flow, state)

    async def _back(self, ctx: Context, flow: Flow, state: dict) -> list[Outgoing]:
        if state["mode"] == "review":
            visible = flow.visible_steps(state["answers"])
            state["mode"] = "ask"
            state["cursor"] = visible[-1].key
            return await self._prompt_and_save(ctx, flow, state)
        step = flow.step(state["cursor"])
        group = state.get("pending", {}).get(step.key) if step.type == "group" else None
        if group and group["field"] is not None:
            shown = [f.key for f in step.visible_fields(group["item"])]
            at = shown.index(group["field"])
            if at > 0:
                group["field"] = shown[at - 1]
                return await self._prompt_and_save(ctx, flow, state)
            if group["items"]:
                group.update(item=None, field=None)
                return await self._reask(ctx, flow, state, "Đã bỏ mục đang nhập dở.")
        if not state["history"]:
            return await self._reask(ctx, flow, state, "Đây là câu hỏi đầu tiên, không có câu nào trước đó.")
        state["cursor"] = state["history"].pop()
        return await self._prompt_and_save(ctx, flow, state)

    async def _review_input(self, ctx, flow: Flow, state: dict, chosen: str | None, folded: str) -> list[Outgoing]:
        if chosen == "__confirm__" or (chosen is None and folded in CONFIRM):
            return await self._finish(ctx, flow, state)
        if flow.preview and (chosen == "__preview__" or (chosen is None and folded in PREVIEW)):
            shown = await ACTIONS[flow.preview](ctx, state["answers"], state["meta"])
            return shown + await self._prompt_and_save(ctx, flow, state)
        match = EDIT.match(folded)
        if match:
            listed = [s for s in flow.visible_steps(state["answers"]) if s.in_review]
            number = int(match.group(1))
            if not 0 < number <= len(listed):
                return await self._reask(ctx, flow, state, f"Không có mục {number}. Các mục được đánh số từ 1 đến {len(listed)}.")
            state.update(mode="ask", cursor=listed[number - 1].key, return_to_review=True)
            return await self._prompt_and_save(ctx, flow, state)
        return await self._reask(ctx, flow, state, f"Xin chọn “{flow.confirm_label}”, hoặc gõ “sửa N” để sửa mục N.")

    async def _finish(self, ctx: Context, flow: Flow, state: dict) -> list[Outgoing]:
        ctx.started_flow = False
        out = await ACTIONS[flow.on_done](ctx, state["answers"], state["meta"])
        if not ctx.started_flow:  # an action may chain into another flow, whose draft must stay
            await ctx.store.delete_draft(*ctx.key)
        return out

    # -- lists ----------------------------------------------------------------------------------

    async def _list_input(self, ctx, flow: Flow, state: dict, step: Step, chosen: str | None, text: str):
        items: list[Any] = self._pending(ctx, state, step)
        kind = ITEMS[step.item]
        folded = fold(text)
        if chosen == "__done__" or (chosen is None and folded in DONE):
            if not items and not step.optional:
                return await self._reask(ctx, flow, state, "Danh sách đang trống. Xin gõ ít nhất một mục.")
            del state["pending"][step.key]
            return await self._accept(ctx, flow, state, step, items)
        if chosen == "__skip__" or (chosen is None and folded in SKIP):
            if not step.optional:
                return await self._reask(ctx, flow, state, "Câu này bắt buộc, không bỏ qua được.")
            del state["pending"][step.key]
            return await self._accept(ctx, flow, state, step, [])
        removal = REMOVE.match(folded)
        if removal:
            number = int(removal.group(1))
            if not 0 < number <= len(items):
                return await self._reask(ctx, flow, state, f"Không có mục {number} trong danh sách.")
            removed = items.pop(number - 1)
            return await self._reask(ctx, flow, state, f"Đã bỏ: {kind.show(removed).rstrip('.')}.")
        lines = [line.strip(" \t•*") for line in re.split(kind.separator, text) if line.strip(" \t•*")]
        if not lines:
            return await self._reask(ctx, flow, state, "Câu trả lời đang trống.")
        parsed, errors = [], []
        for n, line in enumerate(lines, 1):
            try:
                parsed.append(kind.parse(line))
            except Invalid as exc:
                errors.append(f"Dòng {n} (“{line[:40]}”): {exc}" if len(lines) > 1 else str(exc))
        if errors:
            return await self._reask(ctx, flow, state, "Chưa thêm được vì:\n" + "\n".join(errors))
        if step.max is not None and len(items) + len(parsed) > step.max:
            return await self._reask(ctx, flow, state, f"Danh sách này tối đa {int(step.max)} mục.")
        items.extend(parsed)
        added = ", ".join(kind.show(i) for i in parsed).rstrip(".")
        return await self._reask(ctx, flow, state, f"Đã thêm {len(parsed)}: {added}.")

    def _pending(self, ctx: Context, state: dict, step: Step) -> list[Any]:
        """Items of a list being typed; they become the answer on “xong”."""
        pending = state.setdefault("pending", {})
        if step.key not in pending:
            if step.key in state["answers"]:
                pending[step.key] = list(state["answers"][step.key] or [])
            else:
                kind = ITEMS[step.item]
                pending[step.key] = [kind.parse(line) for line in self._fill(ctx, state, step.prefill)]
        return pending[step.key]

    @staticmethod
    def _fill(ctx: Context, state: dict, texts: tuple[str, ...]) -> list[str]:
        """Render suggestions, which may be Jinja templates over the answers so far and the unit.

        One that needs an answer not given yet is left out.
        """
        out = []
        for text in texts:
            if "{" not in text:
                out.append(text)
                continue
            try:
                rendered = environment().from_string(text).render(**state["answers"], unit=ctx.unit)
            except (TemplateError, TypeError, ValueError):
                continue
            if rendered.strip():
                out.append(rendered.strip())
        return out

    # -- groups: the same few questions asked again for each item ---------------------------------

    def _group(self, state: dict, step: Step) -> dict[str, Any]:
        pending = state.setdefault("pending", {})
        if step.key not in pending:
            items = [dict(i) for i in state["answers"].get(step.key) or []]
            first = step.visible_fields({})[0].key
            pending[step.key] = {"items": items, "item": None if items else {}, "field": None if items else first}
        return pending[step.key]

    async def _group_input(self, ctx, flow: Flow, state: dict, step: Step, chosen: str | None, text: str):
        group = self._group(state, step)
        items: list[dict[str, Any]] = group["items"]
        folded = fold(text)
        if group["field"] is None:
            if chosen == "__done__" or (chosen is None and folded in DONE):
                if not items and not step.optional:
                    return await self._reask(ctx, flow, state, "Cần ít nhất một mục.")
                del state["pending"][step.key]
                return await self._accept(ctx, flow, state, step, items)
            if chosen == "__skip__" and step.optional and not items:
                del state["pending"][step.key]
                return await self._accept(ctx, flow, state, step, [])
            removal = REMOVE.match(folded)
            if removal and chosen is None:
                number = int(removal.group(1))
                if not 0 < number <= len(items):
                    return await self._reask(ctx, flow, state, f"Không có mục {number}.")
                removed = items.pop(number - 1)
                return await self._reask(ctx, flow, state, f"Đã bỏ: {self._show_item(step, removed).rstrip('.')}.")
            group.update(item={}, field=step.visible_fields({})[0].key)
            if chosen == "__add__" or (chosen is None and folded in ADD):
                return await self._prompt_and_save(ctx, flow, state)
            chosen = None  # anything else typed here is the first field of a new item
        field = next(f for f in step.fields if f.key == group["field"])
        item = group["item"]
        if chosen == "__skip__" or (chosen is None and folded in SKIP):
            if not field.optional:
                return await self._reask(ctx, flow, state, "Câu này bắt buộc, không bỏ qua được.")
            value = None
        else:
            try:
                value = await self._value(ctx, field, chosen, text)
            except Invalid as exc:
                return await self._reask(ctx, flow, state, str(exc))
        item[field.key] = value
        shown = [f.key for f in step.visible_fields(item)]
        later = shown[shown.index(field.key) + 1:]
        if later:
            group["field"] = later[0]
            return await self._prompt_and_save(ctx, flow, state)
        items.append({k: v for k, v in item.items() if k in shown})
        group.update(item=None, field=None)
        note = f"Đã thêm mục {len(items)}: {self._show_item(step, items[-1]).rstrip('.')}."
        if step.max is not None and len(items) >= step.max:
            del state["pending"][step.key]
            return [Outgoing(text=note)] + await self._accept(ctx, flow, state, step, items)
        return await self._reask(ctx, flow, state, note)

    def _show_item(self, step: Step, item: dict[str, Any]) -> str:
        return " — ".join(self._show(f, item[f.key]) for f in step.visible_fields(item)
                          if item.get(f.key) not in (None, ""))

    # -- prompts --------------------------------------------------------------------------------

    async def _reask(self, ctx: Context, flow: Flow, state: dict, message: str) -> list[Outgoing]:
        return [Outgoing(text=message)] + await self._prompt_and_save(ctx, flow, state)

    async def _prompt_and_save(self, ctx: Context, flow: Flow, state: dict) -> list[Outgoing]:
        state["seq"] += 1
        if state["mode"] == "review":
            out = await self._review_screen(ctx, flow, state)
        else:
            out = await self._question(ctx, flow, state, flow.step(state["cursor"]))
        state["offered"] = [[c.label, c.value] for c in out.choices]
        out.choices = [Choice(c.label, f"{state['seq']}.{i}") for i, c in enumerate(out.choices, 1)]
        await ctx.store.save_draft(*ctx.key, state)
        return [out]

    async def _question(self, ctx: Context, flow: Flow, state: dict, step: Step) -> Outgoing:
        visible = flow.visible_steps(state["answers"])
        position = next(i for i, s in enumerate(visible, 1) if s.key == step.key)
        title = f"{flow.title} — câu {position}/{len(visible)}" if len(visible) > 1 else flow.title
        if step.type == "group":
            return await self._group_question(ctx, state, step, title)
        lines = [self._ask(ctx, state, step)]
        if step.example:
            lines.append(f"Ví dụ: {step.example}")
        choices: list[Choice] = []
        if step.type in ("choice", "person"):
            choices += [Choice(o.label, o.value) for o in await self._options(ctx, step, state["answers"])]
            if step.type == "person" and not choices:
                lines.append("(Danh sách đảng viên của đơn vị đang trống; xin gõ họ tên.)")
        suggestions = self._fill(ctx, state, step.suggest)
        if step.suggest_from:
            suggestions += [str(s) for s in await PROVIDERS[step.suggest_from](ctx, state["answers"])]
        self._suggest(suggestions, lines, choices)
        current = state["answers"].get(step.key)
        if step.type == "list":
            items = self._pending(ctx, state, step)
            kind = ITEMS[step.item]
            if items:
                lines.append(f"Danh sách hiện có {len(items)} mục:")
                lines += [f"{i}. {kind.show(item)}" for i, item in enumerate(items, 1)]
                lines.append("Gõ thêm, “xóa N” để bỏ mục N, hoặc “xong” khi đủ.")
            else:
                apart = "mỗi mục một dòng, hoặc cách nhau bằng dấu “;”" if ";" in kind.separator else "mỗi mục một dòng"
                lines.append(f"Có thể gõ cả danh sách trong một tin ({apart}) hoặc từng mục một; gõ “xong” khi đủ.")
            choices.append(Choice("Xong", "__done__"))
        elif state["return_to_review"] and step.key in state["answers"]:
            lines.append(f"Hiện tại: {self._show(step, current)}")
            choices.append(Choice("Giữ nguyên", "__keep__"))
        if step.optional and (step.type != "list" or not items):
            choices.append(Choice("Bỏ qua", "__skip__"))
        return Outgoing(title=title, text="\n".join(lines), choices=choices)

    def _ask(self, ctx: Context, state: dict, step: Step) -> str:
        """The question, which may name earlier answers (a Jinja template like suggestions)."""
        return (self._fill(ctx, state, (step.ask,)) or [step.ask])[0]

    @staticmethod
    def _suggest(suggestions: list[str], lines: list[str], choices: list[Choice]) -> None:
        """Suggestions as buttons; one too long for a button is shown in full and chosen by a short label."""
        for n, suggestion in enumerate(suggestions, 1):
            if len(suggestion) <= CHOICE_PREVIEW:
                choices.append(Choice(suggestion, suggestion))
            else:
                label = "Dùng gợi ý" if len(suggestions) == 1 else f"Dùng gợi ý {n}"
                lines.append(f"{label.replace('Dùng g', 'G')}: {suggestion}")
                choices.append(Choice(label, suggestion))

    async def _group_question(self, ctx: Context, state: dict, step: Step, title: str) -> Outgoing:
        group = self._group(state, step)
        items = group["items"]
        if group["field"] is None:
            lines = [self._ask(ctx, state, step)]
            if items:
                lines.append(f"Đã có {len(items)} mục:")
                lines += [f"{i}. {self._show_item(step, item)}" for i, item in enumerate(items, 1)]
            lines.append("Chọn “Thêm” để thêm một mục, “xóa N” để bỏ mục N, hoặc “Xong”.")
            choices = [Choice("Thêm", "__add__"), Choice("Xong", "__done__")]
            if step.optional and not items:
                choices.append(Choice("Bỏ qua", "__skip__"))
            return Outgoing(title=title, text="\n".join(lines), choices=choices)
        field = next(f for f in step.fields if f.key == group["field"])
        question = await self._question_for_field(ctx, state, field)
        question.title = f"{title} — {step.label} {len(items) + 1}"
        return question

    async def _question_for_field(self, ctx: Context, state: dict, field: Step) -> Outgoing:
        lines = [self._ask(ctx, state, field)] + ([f"Ví dụ: {field.example}"] if field.example else [])
        choices: list[Choice] = []
        if field.type in ("choice", "person"):
            choices += [Choice(o.label, o.value) for o in await self._options(ctx, field, state["answers"])]
        suggestions = self._fill(ctx, state, field.suggest)
        if field.suggest_from:
            suggestions += [str(s) for s in await PROVIDERS[field.suggest_from](ctx, state["answers"])]
        self._suggest(suggestions, lines, choices)
        if field.optional:
            choices.append(Choice("Bỏ qua", "__skip__"))
        return Outgoing(text="\n".join(lines), choices=choices)

    async def _options(self, ctx: Context, step: Step, answers: dict) -> list[Option]:
        if step.type == "person":
            return [Option(p.name, p.name) for p in await ctx.people()]
        if step.options_from:
            return list(await PROVIDERS[step.options_from](ctx, answers))
        return list(step.options)

    async def _review_screen(self, ctx: Context, flow: Flow, state: dict) -> Outgoing:
        listed = [s for s in flow.visible_steps(state["answers"]) if s.in_review]
        lines = []
        for n, step in enumerate(listed, 1):
            lines.append(f"{n}. {step.label}: {self._show(step, state['answers'].get(step.key), long=False)}")
        lines.append("")
        lines.append("Gõ “sửa N” để sửa mục N (ví dụ “sửa 2”), hoặc chọn:")
        return Outgoing(
            title=flow.review_title or f"Xem lại: {flow.title}",
            text="\n".join(lines),
            choices=[Choice(flow.confirm_label, "__confirm__")]
            + ([Choice("Xem trước", "__preview__")] if flow.preview else []),
        )

    def _show(self, step: Step, value: Any, long: bool = True) -> str:
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
            shown = [ITEMS[step.item].show(v) if step.type == "list" else self._show_item(step, v) for v in value]
            if long:
                return "\n" + "\n".join(f"   {i}. {s}" for i, s in enumerate(shown, 1))
            head = "; ".join(shown[:8])
            return f"{len(shown)} mục: {head}" + ("; …" if len(shown) > 8 else "")
        text = value["text"] if isinstance(value, dict) and "text" in value else str(value)
        if not long and len(text) > 200:
            return text[:200].rstrip() + "…"
        return text
