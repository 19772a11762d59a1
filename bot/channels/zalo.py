"""The Zalo channel (`chibo zalo`): the Zalo Bot API with long polling, on bot/channels/zalo_api.py.

Zalo has no buttons and sends no files either way, and its free plan allows about 3,000 messages a month
per bot, so this channel is plain and economical: choices are numbered lines answered by number or label
(as on the console), the replies to one message are merged into as few messages as fit 2,000 characters,
and a document is announced by a line (with a download link once `document_link` gives one). With `photos`
(the links are on a public https address, which Zalo's servers can fetch) and LibreOffice, a linked document
is announced by a picture of its page 1 with that line as the caption; and with `picture_link` too, every
picture of a reply (Outgoing.picture: a page of a draft, a chart) goes as a photo of its own, stored and
served by `chibo serve` at a random address (bot/pictures.py). Without them the reply's text stands alone.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import random
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot import pdf
from bot.channels.zalo_api import MAX_TEXT, ZaloBot, ZaloError, ZaloUpdate
from bot.messages import Choice, Incoming, OutDocument, Outgoing, OutPicture
from bot.text import fold, split_message

if TYPE_CHECKING:
    from bot.reminders.sweeper import Sweeper
    from handlers.router import Assistant

log = logging.getLogger(__name__)

CHANNEL = "zalo"
MESSAGE_BUDGET = MAX_TEXT  # characters: a reminder is always one Zalo message
ZALO_RATE = 2  # messages per second the reminder sweep sends (modest: the monthly quota is small)
TYPING_AFTER = 0.3  # seconds of work before the chat shows "typing…"
TYPING_EVERY = 4.5
POLL_TIMEOUT = 30  # seconds one getUpdates waits for an update
SEND_RETRIES = 3
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 60.0  # seconds between failed getUpdates calls, doubling, with jitter
RECENT = 2048  # message ids remembered to drop a duplicate delivery

UNSUPPORTED = (
    "Trợ lý chưa nhận được tệp gửi qua Zalo: Zalo không chuyển nội dung tệp cho trợ lý. Xin mở tệp, sao chép "
    "toàn bộ nội dung văn bản (ví dụ kế hoạch của cấp trên) rồi dán vào đây thành tin nhắn; trợ lý đọc văn bản "
    "dán vào như đọc tệp."
)
UNSUPPORTED_LINK = (
    "Trợ lý chưa nhận được tệp gửi qua Zalo: Zalo không chuyển nội dung tệp cho trợ lý. Xin mở đường dẫn sau để "
    "chọn lại tệp (Word .docx hoặc văn bản .txt) trên điện thoại và gửi cho trợ lý: {link}\nĐường dẫn dùng được "
    "một lần, trong 24 giờ. Cũng có thể sao chép nội dung văn bản rồi dán vào đây thành tin nhắn."
)
DOCUMENT_LINE = ("Văn bản đã được tạo: {name}. Gõ /vanban để xem danh sách; bản tải về sẽ có khi máy chủ có "
                 "địa chỉ công khai (CHIBO_PUBLIC_URL).")
DOCUMENT_LINK_LINE = "Văn bản đã được tạo: {name}. Tải về: {link}"
PICTURE_AT = "Xem ảnh tại: {url}"
APOLOGY = ("Xin lỗi, tôi gặp lỗi khi xử lý tin nhắn vừa rồi. Các câu trả lời trước đó vẫn được lưu; "
           "xin gửi lại tin nhắn, hoặc gõ /trogiup.")

DocumentLink = Callable[[OutDocument], str | None]
Delivery = tuple[Incoming, "asyncio.Future[None]"]  # a message handed over by `deliver`, and its completion
LinkMaker = Callable[[OutDocument], Awaitable[str | None]]  # async: a link is a row written to the store
PictureLink = Callable[[OutPicture, str], Awaitable[str | None]]  # a picture and the user's id → its public URL
Photo = tuple[str, str]  # the URL of a picture of page 1, and its caption
PAGE1 = "/page1.png"  # the picture of page 1 under a document page's URL (bot/web/app.py)


# -- rendering ----------------------------------------------------------------------------------

def document_line(doc: OutDocument, document_link: DocumentLink | None = None) -> str:
    link = document_link(doc) if document_link is not None else None
    if link:
        return DOCUMENT_LINK_LINE.format(name=doc.filename, link=link)
    return DOCUMENT_LINE.format(name=doc.filename)


def render(out: Outgoing, document_link: DocumentLink | None = None) -> str:
    """One Outgoing as plain text: title, text, the document's line, the choices as `n. label` lines."""
    lines = [out.plain()] if out.plain() else []
    if out.document is not None:
        lines.append(document_line(out.document, document_link))
    lines += [f"{n}. {c.label}" for n, c in enumerate(out.choices, 1)]
    return "\n".join(lines)


def pack(blocks: list[str], limit: int = MAX_TEXT) -> list[str]:
    """Consecutive blocks as few messages as possible: each block split at paragraphs within `limit`, then
    neighbours joined with a blank line while the message stays within `limit`."""
    parts = [part for block in blocks if block.strip() for part in split_message(block.strip(), limit)]
    messages: list[str] = []
    for part in parts:
        if messages and len(messages[-1]) + 2 + len(part) <= limit:
            messages[-1] += "\n\n" + part
        else:
            messages.append(part)
    return messages


def _backoff(attempt: int) -> float:
    delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** min(attempt, 10))
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not a secret


# -- the channel --------------------------------------------------------------------------------

class ZaloChannel:
    """Long polling, one update at a time per chat (in order), different chats concurrently."""

    def __init__(self, bot: ZaloBot, assistant: Assistant, *, document_link: DocumentLink | LinkMaker | None = None,
                 photos: bool = False, picture_link: PictureLink | None = None, poll_timeout: float = POLL_TIMEOUT,
                 typing_after: float = TYPING_AFTER, backoff: Callable[[int], float] = _backoff) -> None:
        self.bot = bot
        self.assistant = assistant
        self.document_link = document_link
        self.photos = photos  # the document links are public https addresses: Zalo can fetch their pictures
        self.picture_link = picture_link  # stores a reply's picture and gives its address (bot/pictures.py)
        self.poll_timeout = poll_timeout
        self.typing_after = typing_after
        self.backoff = backoff
        self.bot_id = ""  # the bot's own user id (getMe), to ignore its own messages
        self.choices: dict[str, list[Choice]] = {}  # the last offered choices per chat
        self.running = False
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._queues: dict[str, asyncio.Queue[ZaloUpdate | Delivery]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._sweeping: asyncio.Task[None] | None = None

    @property
    def pictures(self) -> bool:
        """A reply's picture can be sent: stored under an address Zalo's servers can fetch."""
        return self.photos and self.picture_link is not None

    # -- inbound --------------------------------------------------------------------------------

    def incoming(self, update: ZaloUpdate) -> Incoming:
        """A text message; a number or label of the chat's last offered choices selects that choice, unless
        the choices are a running flow's question (the engine reads typed numbers itself there)."""
        line = update.text.strip()
        offered = self.choices.get(update.chat_id, [])
        asked = any(re.fullmatch(r"[0-9]+\.[0-9]+", c.value) for c in offered)
        choice = None
        if offered and not asked and not line.startswith("/"):
            if line.isdigit() and 0 < int(line) <= len(offered):
                choice = offered[int(line) - 1].value
            else:
                choice = next((c.value for c in offered if fold(c.label) == fold(line)), None)
        return Incoming(channel=CHANNEL, chat_id=update.chat_id, user_id=update.user_id or update.chat_id,
                        text=line, choice=choice, user_name=update.user_name,
                        chat_type="private" if update.chat_type.upper() == "PRIVATE" else "group", files=False,
                        pictures=self.pictures)

    def accept(self, update: ZaloUpdate) -> bool:
        """Whether to answer `update`: not a bot's (this one's included), not a message seen already."""
        if update.is_bot or (self.bot_id and update.user_id == self.bot_id):
            return False
        if update.message_id:
            if update.message_id in self._recent:
                log.info("duplicate message %s ignored", update.message_id)
                return False
            self._recent[update.message_id] = None
            while len(self._recent) > RECENT:
                self._recent.popitem(last=False)
        return update.unsupported or bool(update.text.strip())

    def dispatch(self, update: ZaloUpdate) -> None:
        """Queue `update` behind the earlier ones of its chat; a chat's queue is served by one task."""
        if self.accept(update):
            self._enqueue(update.chat_id, update)

    async def deliver(self, inc: Incoming) -> None:
        """A message of a chat that did not come through Zalo (a file sent on the upload page): answered in
        the chat's order, behind what it wrote before, its replies sent here. Returns once they were sent."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._enqueue(inc.chat_id, (inc, done))
        await done

    def _enqueue(self, chat_id: str, item: ZaloUpdate | Delivery) -> None:
        queue = self._queues.get(chat_id)
        if queue is None:
            queue = self._queues[chat_id] = asyncio.Queue()
            task = asyncio.create_task(self._serve(chat_id, queue), name=f"zalo-chat-{chat_id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        queue.put_nowait(item)

    async def _serve(self, chat_id: str, queue: asyncio.Queue[ZaloUpdate | Delivery]) -> None:
        try:
            while not queue.empty():
                item = queue.get_nowait()
                try:
                    if isinstance(item, ZaloUpdate):
                        await self.answer(item)
                    else:
                        await self.answer_incoming(item[0])
                        if not item[1].done():
                            item[1].set_result(None)
                except Exception as exc:
                    log.exception("a message of chat %s failed", chat_id)
                    if not isinstance(item, ZaloUpdate) and not item[1].done():
                        item[1].set_exception(exc)
                    try:
                        await self.send_texts(chat_id, [APOLOGY])
                    except ZaloError:
                        pass
        finally:
            if self._queues.get(chat_id) is queue:
                del self._queues[chat_id]

    async def answer(self, update: ZaloUpdate) -> None:
        """Answer one message and, once every reply was sent, tell the assistant (a document in it is then
        delivered; had the send failed, it goes again with the next answer)."""
        if update.unsupported:
            await self.send_texts(update.chat_id, [await self.unsupported_reply(update)])
            return
        await self.answer_incoming(self.incoming(update))

    async def answer_incoming(self, inc: Incoming) -> None:
        replies = await self._with_typing(inc.chat_id, self.assistant.handle(inc))
        for item in await self.render_answer(inc.chat_id, replies, inc.user_id):
            if isinstance(item, str):
                await self.send_texts(inc.chat_id, [item])
            else:
                await self.send_photo(inc.chat_id, item)
        await self.assistant.delivered(inc.channel, inc.chat_id, inc.user_id)

    async def unsupported_reply(self, update: ZaloUpdate) -> str:
        """A file (or sticker…) Zalo did not pass on: a one-time upload link when the server has a public
        address and the user a unit, else how to paste the text."""
        from bot.links import upload_link

        settings = self.assistant.settings
        link = None
        if settings is not None:
            link = await upload_link(self.assistant.store, settings, CHANNEL, update.chat_id,
                                     update.user_id or update.chat_id, self.assistant.clock.now())
        return UNSUPPORTED_LINK.format(link=link) if link else UNSUPPORTED

    async def links(self, replies: list[Outgoing]) -> DocumentLink | None:
        """`document_link` as a plain function over the replies' documents (an async one is asked first, once
        per document: a PDF of a document already linked is not given a second line of its own)."""
        make = self.document_link
        if make is None:
            return None
        made: dict[int, str | None] = {}
        linked: set[tuple[int | None, int | None]] = set()
        for out in replies:
            doc = out.document
            if doc is None:
                continue
            key = (doc.unit_id, doc.doc_id)
            if doc.doc_id is not None and key in linked:
                made[id(doc)] = ""
                continue
            link = make(doc)
            made[id(doc)] = (await link) if inspect.isawaitable(link) else link
            if made[id(doc)]:
                linked.add(key)
        return lambda doc: made.get(id(doc))

    async def render_replies(self, chat_id: str, replies: list[Outgoing]) -> list[str]:
        """The replies as Zalo text messages (a picture's caption as a text of its own)."""
        return [item if isinstance(item, str) else item[1] for item in await self.render_answer(chat_id, replies)]

    def photo_at(self, replies: list[Outgoing], link: DocumentLink | None) -> int | None:
        """The reply whose document goes as a picture of its page 1 (the first one with a link), when that can
        be: the links are public https addresses (Zalo fetches the picture) and LibreOffice can draw it."""
        if not self.photos or link is None or not pdf.available():
            return None
        return next((i for i, out in enumerate(replies) if out.document is not None and link(out.document)), None)

    async def render_answer(self, chat_id: str, replies: list[Outgoing], user_id: str = "") -> list[str | Photo]:
        """The replies as Zalo messages in order: texts merged as far as they fit, maybe one photo of a
        document's page 1 captioned with its reply, and each reply's picture as a photo before its text (when
        `pictures`); the chat's offered choices become those of the last reply with text."""
        for out in replies:
            if out.choices:
                self.choices[chat_id] = out.choices
            elif out.plain() or out.document is not None:
                self.choices.pop(chat_id, None)
        link = await self.links(replies)
        at = self.photo_at(replies, link)
        items: list[str | Photo] = []
        texts: list[str] = []
        for i, out in enumerate(replies):
            doc = out.document
            if doc is not None and link is not None and link(doc) == "":
                out = Outgoing(text=out.text, title=out.title, choices=out.choices, picture=out.picture)  # linked above
            text = render(out, link)
            photos: list[Photo] = []
            if out.picture is not None:
                url = await self.picture_url(out.picture, user_id or chat_id)
                if url:
                    photos.append((url, out.picture.caption[:MAX_TEXT]))
            if i == at and doc is not None and link is not None and len(text) <= MAX_TEXT:
                photos.insert(0, (f"{link(doc)}{PAGE1}", text))
                text = ""
            if photos:
                items += pack(texts)
                texts = []
                items += photos
            texts.append(text)
        return items + pack(texts)

    async def picture_url(self, picture: OutPicture, user_id: str) -> str | None:
        """The public address of a reply's picture (stored now), or None: no public https address, or the
        picture could not be stored (the reply's text is sent without it)."""
        if not self.pictures or self.picture_link is None:
            return None
        try:
            return await self.picture_link(picture, user_id)
        except Exception:
            log.exception("a picture could not be stored; the reply goes without it")
            return None

    async def _with_typing(self, chat_id: str, work: Awaitable[list[Outgoing]]) -> list[Outgoing]:
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task}, timeout=self.typing_after)
        while not done:
            try:
                await self.bot.send_chat_action(chat_id, "typing")
            except ZaloError as exc:
                log.info("typing action refused: %s", exc)
            done, _ = await asyncio.wait({task}, timeout=TYPING_EVERY)
        return task.result()

    # -- outbound -------------------------------------------------------------------------------

    async def send_texts(self, chat_id: str, texts: list[str]) -> None:
        """Send each text, retrying transient failures (network, 429, 5xx) a few times."""
        for text in texts:
            for attempt in range(SEND_RETRIES):
                try:
                    await self.bot.send_message(chat_id, text)
                    break
                except ZaloError as exc:
                    if not exc.transient or attempt == SEND_RETRIES - 1:
                        raise
                    log.warning("sendMessage failed (%s), retrying", exc.error_code)
                    await asyncio.sleep(self.backoff(attempt))

    async def send_photo(self, chat_id: str, photo: Photo) -> None:
        """The picture with its caption; refused (Zalo could not fetch it…), the caption goes as a text, with
        the picture's address unless the caption links it already (a document's line)."""
        url, caption = photo
        try:
            await self.bot.send_photo(chat_id, url, caption)
        except ZaloError as exc:
            log.warning("sendPhoto failed (%s: %s); its caption goes as a text", exc.error_code, exc.description)
            linked = url.removesuffix(PAGE1) in caption
            await self.send_texts(chat_id, pack([caption if linked else f"{caption}\n{PICTURE_AT.format(url=url)}"]))

    async def send_reminder(self, chat_id: str, out: Outgoing) -> None:
        """The reminder sweep's sender: one message; a chat refusing the bot raises Undeliverable."""
        from bot.reminders.pacer import Undeliverable

        try:
            for text in pack([render(out, await self.links([out]))]):  # a shared document: a line with its link
                await self.bot.send_message(chat_id, text)
            if out.choices:  # a notice's answers: typed "1" or "Tôi sẽ dự" selects them
                self.choices[chat_id] = out.choices
        except ZaloError as exc:
            if exc.transient:
                raise
            raise Undeliverable(str(exc)) from exc

    def sweeper(self) -> Sweeper:
        from bot.reminders.sweeper import Sweeper, sweep_clock

        return Sweeper(self.assistant.store, sweep_clock(self.assistant.clock), CHANNEL, self.send_reminder,
                       rate=ZALO_RATE, budget=MESSAGE_BUDGET, keep_going=lambda: self.running,
                       started=datetime.now(UTC))

    async def _sweep_forever(self, first: float) -> None:
        from bot.reminders.sweeper import SWEEP_EVERY

        sweeper = self.sweeper()
        await asyncio.sleep(first)
        while True:
            try:
                await sweeper.sweep()
            except Exception:
                log.exception("reminder sweep failed")
            await asyncio.sleep(SWEEP_EVERY)

    # -- the loop -------------------------------------------------------------------------------

    async def poll_forever(self) -> None:
        """getUpdates in a loop; failures wait with a growing, jittered backoff (nothing is lost: the
        server keeps an update until a call returns it)."""
        failures = 0
        while self.running:
            try:
                update = await self.bot.get_updates(self.poll_timeout)
            except ZaloError as exc:
                delay = self.backoff(failures)
                failures += 1
                log.warning("getUpdates failed: error %s (%s); again in %.1f s", exc.error_code, exc.description,
                            delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            if update is not None:
                self.dispatch(update)

    async def start(self, *, first_sweep: float | None = None) -> None:
        """Ready to answer (the bot's own id known) with the reminder sweep running; updates come from
        `poll_forever` or, with a webhook, from `dispatch`."""
        from bot.reminders.sweeper import FIRST_SWEEP

        if not self.bot_id:
            me = await self.bot.get_me()
            self.bot_id = str(me.get("id", ""))
        self.running = True
        self._sweeping = asyncio.create_task(
            self._sweep_forever(FIRST_SWEEP if first_sweep is None else first_sweep), name="zalo-reminders")

    async def stop(self) -> None:
        """Stop the sweep and finish the chats' work in flight (10 s at most)."""
        self.running = False
        if self._sweeping is not None:
            self._sweeping.cancel()
            self._sweeping = None
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=10)

    async def run(self, *, first_sweep: float | None = None) -> None:
        """Poll until cancelled, with the reminder sweep beside it; the chats' work in flight is finished."""
        await self.start(first_sweep=first_sweep)
        try:
            await self.poll_forever()
        finally:
            await self.stop()


# -- `chibo zalo` -------------------------------------------------------------------------------

async def check_token(bot: ZaloBot) -> str | None:
    """None when getMe accepts the token, else the one Vietnamese line to print."""
    try:
        await bot.get_me()
    except ZaloError as exc:
        if exc.error_code == 0:
            return f"Không kết nối được máy chủ Zalo ({bot.base_url}): {exc.description}"
        return (f"ZALO_BOT_TOKEN không đúng: máy chủ Zalo từ chối mã này (lỗi {exc.error_code}). Kiểm tra lại "
                "mã bot mà “Zalo Bot Manager” đã gửi.")
    return None
