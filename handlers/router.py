"""The conversation core: one entry point for every channel.

Routes an Incoming to a command, the running flow, or free text, one message at a time per chat.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from weakref import WeakValueDictionary

from bot.clock import Clock
from bot.config import Settings
from bot.issuing import stored_delivery
from bot.messages import Incoming, Outgoing
from bot.reminders.notices import CHOICE_PREFIX as NOTICE_CHOICE
from bot.store import Store
from bot.text import fold
from handlers import deadlines, intents, meetings, permissions, plans, questions, revise
from handlers.commands import BY_NAME, NEEDS_UNIT, menu
from handlers.context import Context
from handlers.draft import Draft
from handlers.engine import Engine
from handlers.forms import Flow, check_hooks, load_flows

log = logging.getLogger(__name__)

CANCEL_WORDS = {"huy", "huy bo"}  # not "dừng": typed "Đúng" or a name like "Dũng" folds to it


class Assistant:
    def __init__(self, store: Store, clock: Clock, flows: dict[str, Flow] | None = None,
                 settings: Settings | None = None):
        self.store = store
        self.clock = clock
        self.settings = settings  # for links (upload pages); None: the replies carry none
        flows = flows or load_flows()
        check_hooks(flows)
        self.engine = Engine(flows)
        self._locks: WeakValueDictionary[tuple[str, str], asyncio.Lock] = WeakValueDictionary()

    async def handle(self, inc: Incoming) -> list[Outgoing]:
        """Answer one message; messages of the same chat are answered strictly in order (in this process by its
        lock, across the worker processes of a PostgreSQL store by the chat's session)."""
        key = (inc.channel, inc.chat_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock, self.store.chat_session(inc.channel, inc.chat_id):  # in order across worker processes too
            try:
                return await self._handle(inc)
            except Exception:
                log.exception("failed to answer %s:%s", inc.channel, inc.chat_id)
                return [Outgoing(text="Xin lỗi, tôi gặp lỗi khi xử lý tin nhắn vừa rồi. Các câu trả lời trước đó "
                                      "vẫn được lưu; xin gửi lại, hoặc gõ /trogiup.")]

    async def resume(self, channel: str, chat_id: str, user_id: str) -> list[Outgoing]:
        """On a channel that restarts with the user present (the console): ask the pending question again."""
        inc = Incoming(channel=channel, chat_id=chat_id, user_id=user_id)
        ctx = await self._context(inc)
        draft = await self._draft(ctx)
        if draft is not None and not permissions.may_run_flow(ctx, draft.flow):
            return await self._drop_draft(ctx, draft)
        if draft is None:
            return await self._undelivered(ctx)
        return permissions.prune(ctx, await self.engine.resume(ctx, draft, note="Tiếp tục việc đang dở:"))

    async def delivered(self, channel: str, chat_id: str, user_id: str) -> None:
        """Called by a channel once it has sent the replies to a message: a document issued in that reply
        is then delivered, and no longer sent again on the next message (at least once, never lost)."""
        await self.store.mark_delivered(channel, chat_id, user_id)

    async def _context(self, inc: Incoming) -> Context:
        ctx = Context(store=self.store, clock=self.clock, engine=self.engine, incoming=inc, settings=self.settings)
        await ctx.refresh()
        return ctx

    async def _draft(self, ctx: Context) -> Draft | None:
        saved = await self.store.draft(*ctx.key)
        return Draft.from_json(saved) if saved is not None else None

    async def _handle(self, inc: Incoming) -> list[Outgoing]:
        ctx = await self._context(inc)
        return permissions.prune(ctx, await self._answer(ctx))

    async def _answer(self, ctx: Context) -> list[Outgoing]:
        inc = ctx.incoming
        await self.store.touch_chat(inc.channel, inc.chat_id, inc.chat_type, ctx.unit.id if ctx.unit else None)
        draft = await self._draft(ctx)
        text = inc.text.strip()
        # Menu buttons carry a command as their value.
        if inc.choice and inc.choice.startswith("/"):
            text = inc.choice
            ctx.incoming = inc = replace(inc, text=text, choice=None)
        if draft is not None and not permissions.may_run_flow(ctx, draft.flow):
            # A draft begun before her role changed (or on a code path that forgot to ask): dropped, never saved.
            dropped = await self._drop_draft(ctx, draft)
            return dropped + (await self._route(ctx, None, text) if text.startswith("/") else [])
        if inc.choice and inc.choice.startswith(NOTICE_CHOICE) and ctx.unit:  # a member's answer to a meeting notice
            return await meetings.notice.answer_choice(ctx, inc.choice)

        if draft is None:  # the conversation may have ended in a document the user has not received yet
            undelivered = await self._undelivered(ctx)
            if self._confirming(inc, text):  # the confirm repeated: its document, never a second one
                again = undelivered or await self._issued_already(ctx)
                if again:
                    return again
            if undelivered:
                return undelivered + await self._route(ctx, draft, text)
        return await self._route(ctx, draft, text)

    async def _route(self, ctx: Context, draft: Draft | None, text: str) -> list[Outgoing]:
        inc = ctx.incoming
        if text.startswith("/"):
            name, _, arg = text[1:].partition(" ")
            name = name.split("@", 1)[0].lower()
            return await self._command(ctx, draft, name, arg.strip())
        if draft is not None:
            if fold(text) in CANCEL_WORDS and inc.choice is None:
                return await self._command(ctx, draft, "huy", "")
            return await self.engine.handle(ctx, draft)
        if not ctx.unit:
            return await intents.understand(ctx, text) or await intents.before_onboarding(ctx, text)
        for understand in (meetings.notice.free_text, revise.revise_by_words, plans.redo_by_number, intents.understand, meetings.free_text,
                           questions.free_text, deadlines.free_text):
            reply = await understand(ctx, text)
            if reply is not None:
                return reply
        return await intents.not_understood(ctx, text)

    async def _drop_draft(self, ctx: Context, draft: Draft) -> list[Outgoing]:
        """A draft of a job the account may no longer do: deleted, with why."""
        await self.store.delete_draft(*ctx.key)
        title = self.engine.flows[draft.flow].title if draft.flow in self.engine.flows else draft.flow
        refused = permissions.refusal(ctx)
        refused.text = f"Việc đang làm dở ({title}) đã được bỏ, không lưu gì. {refused.text}"
        return [refused]

    # -- a document issued, its reply not delivered (a crash after the commit) ---------------------------

    @staticmethod
    def _confirming(inc: Incoming, text: str) -> bool:
        """The message repeats a confirm: the confirm word, or a button of a question no longer on screen."""
        if inc.choice is not None and not inc.choice.startswith("/"):
            return True
        return fold(text).startswith("xac nhan")

    async def _undelivered(self, ctx: Context) -> list[Outgoing]:
        """The files of the document this chat's last conversation was issued as, when they were never sent
        (the process stopped between the commit and the reply). The channel marks it delivered once sent."""
        issued = await self.store.issued_draft(*ctx.key)
        if issued is None or issued.delivered or ctx.unit is None:
            return []
        doc = await self.store.document(ctx.unit.id, issued.document_id)
        if doc is None:
            await self.store.mark_delivered(*ctx.key)
            return []
        files = await stored_delivery(self.store, ctx.unit, doc.id)
        log.info("delivering document %s issued before a restart to %s:%s", doc.id, *ctx.key[:2])
        note = (f"Văn bản đã được lưu trước khi chương trình bị gián đoạn nhưng chưa kịp gửi: "
                f"{plans.doc_label(doc)} (mã văn bản {doc.id}). Xin gửi lại tệp; văn bản không bị tạo thêm lần nữa.")
        return [Outgoing(text=note)] + files

    async def _issued_already(self, ctx: Context) -> list[Outgoing]:
        """A confirm repeated after the document was issued and sent (a double tap): the same document."""
        issued = await self.store.issued_draft(*ctx.key)
        if issued is None or ctx.unit is None:
            return []
        doc = await self.store.document(ctx.unit.id, issued.document_id)
        if doc is None:
            return []
        note = (f"Văn bản này đã được tạo: {plans.doc_label(doc)} (mã văn bản {doc.id}); tôi không tạo thêm bản nào. "
                f"Gửi lại tệp .docx; gõ /vanban gui {doc.id} để nhận lại bất cứ lúc nào.")
        return [Outgoing(text=note)] + await stored_delivery(self.store, ctx.unit, doc.id, pdf=False)

    async def _command(self, ctx: Context, draft: Draft | None, name: str, arg: str) -> list[Outgoing]:
        command = BY_NAME.get(name)
        if draft is not None:
            title = self.engine.flows[draft.flow].title
            wanted = command.name if command else name
            if wanted == "huy":
                await self.store.delete_draft(*ctx.key)
                return [Outgoing(text=f"Đã hủy: {title}. Các câu trả lời của việc này đã được bỏ.")]
            if wanted == "trogiup":
                return [Outgoing(text=self.engine.help_for(draft, ctx))] + await self.engine.resume(ctx, draft)
            note = (f"Đồng chí đang làm dở: {title}. Xin trả lời tiếp câu hỏi dưới đây, "
                    "hoặc gõ /huy để bỏ việc này.")
            if wanted == "batdau":
                note = f"Tiếp tục: {title}."
            return await self.engine.resume(ctx, draft, note=note)
        if command is None:
            return [Outgoing(text=f"Không có lệnh /{name}. Gõ /trogiup để xem các lệnh.")]
        if command.needs_unit and not ctx.unit:
            return [Outgoing(text=NEEDS_UNIT)]
        # The one check of a command against the account's role (the role is chosen in the command table).
        if not permissions.allowed(ctx, f"{command.name} {arg}"):
            return [Outgoing(text=NEEDS_UNIT)] if ctx.unit is None else [permissions.refusal(ctx, f"{command.name} {arg}")]
        return await command.handler(ctx, arg)

    def menu(self) -> list[tuple[str, str]]:
        """(name, description) of the commands a channel shows in its command menu, in order."""
        return menu()
