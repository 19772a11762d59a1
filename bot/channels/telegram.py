"""The Telegram channel: python-telegram-bot for transport only; conversation state lives in the store."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import re
import secrets
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse
from weakref import WeakValueDictionary
from zoneinfo import ZoneInfo

from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.constants import ChatAction, MessageEntityType, MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bot import redact
from bot.channels import webhook
from bot.config import Settings
from bot.extract.limits import check_upload
from bot.messages import Attachment, Incoming, Outgoing
from bot.text import split_message

if TYPE_CHECKING:
    from handlers.router import Assistant

log = logging.getLogger(__name__)

CHANNEL = "telegram"
TYPING_AFTER = 0.3  # seconds of work before the chat shows "typing…"
SEND_RETRIES = 3
TELEGRAM_RATE = 30  # messages per second the reminder sweep sends (Telegram's limit; see bot.reminders.pacer)
MESSAGE_BUDGET = 3800  # characters: a reminder is always one Telegram message (limit 4096)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of one chat run one after another, in order; different chats run concurrently."""

    def __init__(self, max_concurrent_updates: int = 256):
        super().__init__(max_concurrent_updates)
        self._locks: WeakValueDictionary[int, asyncio.Lock] = WeakValueDictionary()

    def lock(self, chat_id: int) -> asyncio.Lock:
        """The lock the updates of `chat_id` are processed under (a message from elsewhere takes it too)."""
        lock = self._locks.get(chat_id)
        if lock is None:
            lock = self._locks[chat_id] = asyncio.Lock()
        return lock

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        async with self.lock(chat.id):
            await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


# -- rendering ----------------------------------------------------------------------------------

def render(out: Outgoing, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Outgoing text as HTML messages, user text escaped, each within Telegram's length limit."""
    title = html.escape(out.title)
    budget = limit - len(out.title) - 1 if out.title else limit
    parts = split_message(out.text, budget) if out.text else [""]
    messages = [html.escape(part) for part in parts]
    if title:
        messages[0] = f"<b>{title}</b>" + (f"\n{messages[0]}" if messages[0] else "")
    return [m for m in messages if m]


MAX_BUTTONS = 100


def keyboard(out: Outgoing) -> InlineKeyboardMarkup | None:
    if not out.choices:
        return None
    # Telegram takes at most 100 buttons; the engine pages long lists (handlers/prompts.py), this is the last guard.
    buttons = [InlineKeyboardButton(c.label[:64], callback_data=c.value[:64]) for c in out.choices[:MAX_BUTTONS]]
    width = 2 if all(len(c.label) <= 18 for c in out.choices) else 1
    return InlineKeyboardMarkup([buttons[i:i + width] for i in range(0, len(buttons), width)])


async def _retrying(make_call) -> Any:
    """Retry a send on transient network and server errors (AIORateLimiter handles 429)."""
    for attempt in range(SEND_RETRIES):
        try:
            return await make_call()
        except (BadRequest, Forbidden, InvalidToken):
            raise
        except NetworkError:
            if attempt == SEND_RETRIES - 1:
                raise
            await asyncio.sleep(0.5 * (attempt + 1))
    return None


async def send_outgoing(bot, chat_id: int | str, replies: list[Outgoing]) -> None:
    for out in replies:
        doc = out.document
        if doc is not None:
            caption = html.escape(doc.caption)[:1024] or None
            await _retrying(partial(bot.send_document, chat_id, InputFile(doc.data, filename=doc.filename),
                                    caption=caption, parse_mode=ParseMode.HTML))
        if out.picture is not None:
            caption = html.escape(out.picture.caption)[:1024] or None
            await _retrying(partial(bot.send_photo, chat_id, InputFile(out.picture.data, filename=out.picture.filename),
                                    caption=caption, parse_mode=ParseMode.HTML))
        messages = render(out)
        markup = keyboard(out)
        for i, message in enumerate(messages):
            reply_markup = markup if i == len(messages) - 1 else None
            await _retrying(partial(bot.send_message, chat_id, message, parse_mode=ParseMode.HTML,
                                    reply_markup=reply_markup))


async def _with_typing(bot, chat_id: int, work: Awaitable[list[Outgoing]]) -> list[Outgoing]:
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=TYPING_AFTER)
    while not done:
        try:
            await bot.send_chat_action(chat_id, ChatAction.TYPING)
        except TelegramError:
            pass
        done, _ = await asyncio.wait({task}, timeout=4.5)
    return task.result()


# -- handlers -----------------------------------------------------------------------------------

def _assistant(context: ContextTypes.DEFAULT_TYPE) -> Assistant:
    return context.application.bot_data["assistant"]


_MARKS: dict[str, str] = {MessageEntityType.BOLD: "**", MessageEntityType.ITALIC: "*", MessageEntityType.UNDERLINE: "__"}


def marked_text(msg: Message) -> str:
    """The message's text (or caption) with the bold, italic and underline she gave it written as the documents'
    markup (``**…**``, ``*…*``, ``__…__``; see bot/documents.py), line by line, the spaces at a span's ends
    left outside it. Telegram counts entity offsets in UTF-16 code units."""
    text = msg.text or msg.caption or ""
    entities = msg.entities if msg.text else msg.caption_entities
    spans = [e for e in entities or () if e.type in _MARKS]
    if not spans:
        return text
    units = text.encode("utf-16-le")
    starts: dict[int, list[str]] = {}
    ends: dict[int, list[str]] = {}
    for e in spans:
        begin = len(units[: 2 * e.offset].decode("utf-16-le", errors="ignore"))
        end = len(units[: 2 * (e.offset + e.length)].decode("utf-16-le", errors="ignore"))
        for piece in re.finditer(r"[^\n]+", text[begin:end]):  # each line of the span on its own
            first, last = begin + piece.start(), begin + piece.end()
            while first < last and text[first].isspace():
                first += 1
            while last > first and text[last - 1].isspace():
                last -= 1
            if first < last:
                starts.setdefault(first, []).append(_MARKS[e.type])
                ends.setdefault(last, []).insert(0, _MARKS[e.type])
    out = []
    for i in range(len(text) + 1):
        out += ends.get(i, []) + starts.get(i, [])
        if i < len(text):
            out.append(text[i])
    return "".join(out)


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    msg, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if msg is None or chat is None or user is None or user.is_bot:
        return
    attachment = None
    if msg.document is not None:
        try:
            check_upload(msg.document.file_size or 0, msg.document.file_name or "tệp")
        except ValueError as exc:
            await send_outgoing(context.bot, chat.id, [Outgoing(text=str(exc))])
            return
        file = await msg.document.get_file()
        data = bytes(await file.download_as_bytearray())
        attachment = Attachment(name=msg.document.file_name or "tep", data=data)
    inc = Incoming(channel=CHANNEL, chat_id=str(chat.id), user_id=str(user.id),
                   text=marked_text(msg), attachment=attachment,
                   user_name=user.full_name, chat_type=chat.type)
    await _answer(context, chat.id, inc)


async def _answer(context: ContextTypes.DEFAULT_TYPE, chat_id: int, inc: Incoming) -> None:
    """Answer one message and, once every reply was sent, tell the assistant (a document in it is then
    delivered; had the send failed, the document goes again with the next answer)."""
    assistant = _assistant(context)
    replies = await _with_typing(context.bot, chat_id, assistant.handle(inc))
    await send_outgoing(context.bot, chat_id, replies)
    await assistant.delivered(inc.channel, inc.chat_id, inc.user_id)


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None  # not an InaccessibleMessage
    label = next((b.text for row in (message.reply_markup.inline_keyboard if message and message.reply_markup else ())
                  for b in row if b.callback_data == query.data), None)
    if message is not None and label is not None and message.text:
        try:
            await message.edit_text(f"{message.text_html}\n\n✓ <i>{html.escape(label)}</i>", parse_mode=ParseMode.HTML)
        except BadRequest as exc:
            log.info("could not mark the chosen button: %s", exc)
    inc = Incoming(channel=CHANNEL, chat_id=str(chat.id), user_id=str(query.from_user.id), text=label or "",
                   choice=query.data, user_name=query.from_user.full_name, chat_type=chat.type)
    await _answer(context, chat.id, inc)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("update failed: %s", context.error, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(
                update.effective_chat.id,
                "Xin lỗi, tôi gặp lỗi khi xử lý tin nhắn vừa rồi. Các câu trả lời trước đó vẫn được lưu; "
                "xin gửi lại tin nhắn, hoặc gõ /trogiup.")
        except TelegramError:
            pass


async def set_commands(app: Application) -> None:
    assistant = app.bot_data["assistant"]
    await app.bot.set_my_commands([BotCommand(name, desc) for name, desc in assistant.menu()])


async def deliver(app: Application, inc: Incoming) -> None:
    """A message of a chat that did not come through Telegram (a file sent on the upload page): answered in
    the chat's order (under its lock), the replies sent to the chat, then reported delivered."""
    assistant: Assistant = app.bot_data["assistant"]
    chat_id = int(inc.chat_id) if inc.chat_id.lstrip("-").isdigit() else inc.chat_id
    processor = app.update_processor
    in_order = processor.lock(chat_id) if isinstance(processor, PerChatUpdateProcessor) and isinstance(
        chat_id, int) else contextlib.nullcontext()
    async with in_order:
        replies = await assistant.handle(inc)
        await send_outgoing(app.bot, chat_id, replies)
        await assistant.delivered(inc.channel, inc.chat_id, inc.user_id)


# -- reminders ----------------------------------------------------------------------------------

def reminder_sender(bot: Bot) -> Callable[[str, Outgoing], Awaitable[None]]:
    """Send one reminder (bot/reminders/) or shared document as one message; a chat refusing the bot raises
    Undeliverable."""
    from bot.reminders.pacer import Undeliverable

    async def send(chat_id: str, out: Outgoing) -> None:
        target = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
        try:
            if out.document is not None:  # a shared document (bot/sharing.py): the file, its text as caption
                caption = html.escape(out.plain() or out.document.caption)[:1024] or None
                await bot.send_document(target, InputFile(out.document.data, filename=out.document.filename),
                                        caption=caption, parse_mode=ParseMode.HTML)
                return
            messages = render(out)  # reminders are cut to fit one message
            for n, message in enumerate(messages, 1):  # her choices (a task's, a notice's) under the last part
                await bot.send_message(target, message, parse_mode=ParseMode.HTML,
                                       reply_markup=keyboard(out) if n == len(messages) else None)
        except (BadRequest, Forbidden) as exc:
            raise Undeliverable(str(exc)) from exc

    return send


async def sweep_reminders(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The periodic JobQueue job: one reminder sweep; the sweeper lives in bot_data across runs."""
    from bot.reminders.sweeper import Sweeper, sweep_clock

    app = context.application
    sweeper = app.bot_data.get("reminders")
    if sweeper is None:
        assistant = app.bot_data.get("assistant")
        if assistant is None or getattr(assistant, "store", None) is None:
            return
        started = context.job.data if context.job is not None and isinstance(context.job.data, datetime) else None
        sweeper = app.bot_data["reminders"] = Sweeper(
            assistant.store, sweep_clock(assistant.clock), CHANNEL, reminder_sender(app.bot),
            rate=TELEGRAM_RATE, budget=MESSAGE_BUDGET, keep_going=lambda: app.running, started=started)
    try:
        await sweeper.sweep()
    except Exception:
        log.exception("reminder sweep failed")


def build_application(settings: Settings, assistant=None, *, make_assistant=None, close=None) -> Application:
    """The PTB Application; pass a ready `assistant`, or async `make_assistant`/`close` run in its loop."""
    if not settings.telegram_token:
        raise SystemExit("Thiếu TELEGRAM_BOT_TOKEN: đặt biến môi trường này (hoặc ghi vào tệp .env) bằng mã bot "
                         "do @BotFather cấp, rồi chạy lại “chibo telegram”.")

    async def post_init(app: Application) -> None:
        if make_assistant is not None:
            app.bot_data["assistant"] = await make_assistant()
        await set_commands(app)

    async def post_shutdown(app: Application) -> None:
        if close is not None:
            await close()

    base = settings.telegram_api_base
    app = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .defaults(Defaults(tzinfo=ZoneInfo(settings.tz)))
        # Replies are not throttled on our side (Telegram's 429 retry_after is still obeyed); the reminder
        # sweep paces its own bulk sends at 30 messages/s. A few concurrent updates over a small connection
        # pool is faster with httpx than many (bench/telegram_load.py).
        .rate_limiter(AIORateLimiter(overall_max_rate=0, max_retries=3))
        .concurrent_updates(PerChatUpdateProcessor(16))
        .connection_pool_size(16)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    if assistant is not None:
        app.bot_data["assistant"] = assistant
    app.add_handler(CallbackQueryHandler(on_callback))
    app.add_handler(MessageHandler(filters.ALL & ~filters.UpdateType.EDITED & ~filters.StatusUpdate.ALL, on_message))
    app.add_error_handler(on_error)
    if app.job_queue is not None:
        from bot.reminders.sweeper import FIRST_SWEEP, SWEEP_EVERY

        app.job_queue.run_repeating(sweep_reminders, interval=SWEEP_EVERY, first=FIRST_SWEEP, name="reminders",
                                    data=datetime.now(UTC))  # when the bot started
    return app


def webhook_parts(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SystemExit(f"--webhook-url không hợp lệ: “{url}” (cần dạng https://ten-mien/duong-dan).")
    return url, parsed.path.lstrip("/")


def run_telegram(settings: Settings, *, db_path: str, webhook_url: str | None, listen: str, port: int) -> None:
    from bot.clock import Clock
    from bot.store import Store
    from handlers.router import Assistant

    holder: dict[str, Store] = {}

    async def make_assistant():
        holder["store"] = await Store.open(db_path)
        return Assistant(holder["store"], Clock(settings.tz))

    async def close():
        if "store" in holder:
            await holder["store"].close()

    app = build_application(settings, make_assistant=make_assistant, close=close)
    try:
        asyncio.run(check_token(settings))
    except InvalidToken:
        print("TELEGRAM_BOT_TOKEN không đúng: máy chủ Telegram từ chối mã này. Kiểm tra lại mã do @BotFather cấp.",
              file=sys.stderr)
        raise SystemExit(2) from None
    except NetworkError as exc:
        print(f"Không kết nối được máy chủ Telegram ({settings.telegram_api_base}): {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if webhook_url:
        url, path = webhook_parts(webhook_url)
        secret = settings.webhook_secret or secrets.token_urlsafe(32)
        redact.remember(secret)
        asyncio.run(webhook.serve(app, listen=listen, port=port, path=path, url=url, secret=secret,
                                  allowed_updates=list(Update.ALL_TYPES)))
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)


async def check_token(settings: Settings) -> None:
    """Ask getMe once so a wrong token is reported plainly, not as a retry-loop traceback."""
    base = settings.telegram_api_base
    async with Bot(settings.telegram_token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot") as bot:
        await bot.get_me()

