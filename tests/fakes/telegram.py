"""A fake Telegram Bot API server for end-to-end tests and benchmarks.

Point python-telegram-bot at it with::

    async with FakeTelegram() as tg:
        bot = Bot(tg.token, base_url=f"{tg.base_url}/bot", base_file_url=f"{tg.base_url}/file/bot")

Users are simulated with ``push_text`` / ``push_callback`` / ``push_document`` / ``push_update``
and what the bot did is observed through ``sent``, ``calls``, ``messages_to``, ``wait_for`` and
``wait_sent``. All methods must be called from the event loop the server runs on.

Deliberate differences from the real server:

* With ``strict_html=True`` (the default) a bare ``&`` that does not start a valid entity is
  rejected; Telegram itself keeps it literally. This lets tests prove user text was escaped.
* Markdown and MarkdownV2 are accepted but not parsed: ``text`` is then the raw string.
* Message text is not trimmed and entities are only produced for HTML and bot commands.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import re
import struct
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from itertools import islice
from pathlib import PurePosixPath
from typing import Any

from aiohttp import BodyPartReader, web

__all__ = ["FakeTelegram", "Sent", "StoredFile", "parse_html"]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64

SENDING_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto", "editMessageText"})
MESSAGE_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto"})
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # sendPhoto: at most 10 MB, width + height at most 10000, ratio at most 20

# Parameters the Bot API expects to be objects/arrays; form-encoded requests carry them as JSON.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "commands",
        "scope",
        "allowed_updates",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "media",
        "results",
    }
)

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_BOT_COMMAND_IN_TEXT = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")


class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


# --------------------------------------------------------------------------------------------
# HTML parse mode
# --------------------------------------------------------------------------------------------

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
}
_SPECIAL = re.compile(r"[<&]")
_HTML_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8}));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_NAME = re.compile(r"[^\s>]*")
_END_TAG = re.compile(r"</([^\s>]*)\s*>")
_SPACES = re.compile(r"\s*")
_ATTR = re.compile(r"""([^\s=>]+)\s*(=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")


def _utf16_len(s: str) -> int:
    return len(s) if s.isascii() else len(s.encode("utf-16-le")) // 2


def _decode_entity(m: re.Match[str]) -> str | None:
    named, dec, hexa = m.groups()
    if named:
        return _NAMED_ENTITIES[named]
    code = int(dec) if dec else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _unescape_attr(value: str) -> str:
    if "&" not in value:
        return value
    return _HTML_ENTITY.sub(lambda m: _decode_entity(m) or m.group(0), value)


def parse_html(text: str, strict: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-flavoured HTML into (plain text, entities with UTF-16 offsets).

    Raises ``ValueError`` with Telegram's wording (after "can't parse entities: ") on bad markup.
    """

    def byte_offset(pos: int) -> int:
        return len(text[:pos].encode())

    out: list[str] = []
    pos16 = 0
    # Open tags: [name, utf16 start, attrs, pre language]
    stack: list[list[Any]] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(text)
    while i < n:
        m = _SPECIAL.search(text, i)
        end = m.start() if m else n
        if end > i:
            chunk = text[i:end]
            out.append(chunk)
            pos16 += _utf16_len(chunk)
        if m is None:
            break
        i = end
        if text[i] == "&":
            em = _HTML_ENTITY.match(text, i)
            ch = _decode_entity(em) if em else None
            if ch is None:
                if strict:
                    raise ValueError(f'Unescaped "&" at byte offset {byte_offset(i)}')
                ch, stop = "&", i + 1
            else:
                stop = em.end()  # type: ignore[union-attr]
            out.append(ch)
            pos16 += _utf16_len(ch)
            i = stop
            continue

        if i + 1 < n and text[i + 1] == "/":
            if not stack:
                raise ValueError(f"Unexpected end tag at byte offset {byte_offset(i)}")
            tm = _END_TAG.match(text, i)
            if tm is None:
                raise ValueError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
            name, start16, attrs, language = stack.pop()
            end_name = tm.group(1).lower()
            if end_name and end_name != name:
                raise ValueError(
                    f'Unmatched end tag at byte offset {byte_offset(i)}, expected "</{name}>", '
                    f'found "</{end_name}>"'
                )
            i = tm.end()
            length = pos16 - start16
            code_language = attrs.get("class") or ""
            if name == "code" and stack and stack[-1][0] == "pre" and code_language.startswith("language-"):
                stack[-1][3] = code_language[len("language-") :]
                continue
            if length <= 0:
                continue
            entity: dict[str, Any] = {"type": _HTML_TAGS[name], "offset": start16, "length": length}
            if name == "a":
                href = (attrs.get("href") or "").strip()
                if not href:
                    continue
                if href.startswith("tg://user?id="):
                    try:
                        user_id = int(href[len("tg://user?id=") :])
                    except ValueError:
                        raise ValueError(f'Wrong user identifier in "{href}"') from None
                    entity = {
                        "type": "text_mention",
                        "offset": start16,
                        "length": length,
                        "user": {"id": user_id, "is_bot": False, "first_name": ""},
                    }
                else:
                    entity["url"] = href
            elif name == "pre" and language:
                entity["language"] = language
            elif name == "blockquote" and "expandable" in attrs:
                entity["type"] = "expandable_blockquote"
            entities.append(entity)
            continue

        begin = i
        nm = _TAG_NAME.match(text, i + 1)
        j = nm.end()  # type: ignore[union-attr]
        if j >= n:
            raise ValueError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
        name = text[i + 1 : j].lower()
        if name not in _HTML_TAGS:
            raise ValueError(f'Unsupported start tag "{name}" at byte offset {byte_offset(begin)}')
        attrs: dict[str, str | None] = {}
        pos = j
        while True:
            pos = _SPACES.match(text, pos).end()  # type: ignore[union-attr]
            if pos >= n:
                raise ValueError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if text[pos] == ">":
                pos += 1
                break
            am = _ATTR.match(text, pos)
            if am is None:
                raise ValueError(
                    f'Empty attribute name in the tag "{name}" at byte offset {byte_offset(begin)}'
                )
            key = am.group(1).lower()
            if am.group(2) is None:
                if not (name == "blockquote" and key == "expandable"):
                    raise ValueError(
                        f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                        f"at byte offset {byte_offset(begin)}"
                    )
                attrs[key] = None
            else:
                raw = next(g for g in am.groups()[2:] if g is not None)
                attrs[key] = _unescape_attr(raw)
            pos = am.end()
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise ValueError(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}')
        stack.append([name, pos16, attrs, None])
        i = pos

    if stack:
        raise ValueError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _bot_command_entities(text: str) -> list[dict[str, Any]]:
    entities = []
    for m in _BOT_COMMAND_IN_TEXT.finditer(text):
        entities.append(
            {
                "type": "bot_command",
                "offset": _utf16_len(text[: m.start()]),
                "length": _utf16_len(m.group(0)),
            }
        )
    return entities


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Sent:
    """One successful outgoing action of the bot (send, edit, delete, callback answer)."""

    method: str
    chat_id: int | str | None
    text: str | None = None
    raw_text: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    message_id: int | None = None
    document_name: str | None = None
    document_bytes: bytes | None = None
    caption: str | None = None
    at: float = field(default_factory=time.monotonic)
    raw_caption: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline keyboard buttons, flattened row by row."""
        if not self.reply_markup:
            return []
        return [button for row in self.reply_markup.get("inline_keyboard", ()) for button in row]


@dataclass(slots=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_name: str
    content: bytes
    mime_type: str
    file_path: str

    def as_document(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_size": len(self.content),
        }


@dataclass(frozen=True)
class _FileCaption:
    """What a sendDocument/sendPhoto carries besides its file."""

    raw_caption: str | None
    caption: str | None
    entities: list[dict[str, Any]]
    markup: dict[str, Any] | None
    reply_to: dict[str, Any] | None


@dataclass(slots=True)
class _Upload:
    filename: str
    content: bytes
    content_type: str | None


class _Poller:
    __slots__ = ("terminated", "wake")

    def __init__(self) -> None:
        self.wake = asyncio.Event()
        self.terminated = False


class _Params:
    """Request parameters from any encoding, with Bot API style coercion of string values."""

    __slots__ = ("raw",)

    def __init__(self, raw: dict[str, Any]):
        for key in _JSON_FIELDS.intersection(raw):
            value = raw[key]
            if isinstance(value, str):
                try:
                    raw[key] = json.loads(value)
                except ValueError:
                    if key == "reply_markup":
                        raise _bad("can't parse reply keyboard markup JSON object") from None
                    raise _bad(f"can't parse {key} JSON object") from None
        self.raw = raw

    def __contains__(self, name: str) -> bool:
        return self.raw.get(name) is not None

    def get(self, name: str, default: Any = None) -> Any:
        value = self.raw.get(name)
        return default if value is None else value

    def string(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, _Upload):
            raise _bad(f"invalid {name} specified")
        return json.dumps(value)

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise _bad(f"invalid {name} specified") from None

    def number(self, name: str, default: float = 0.0) -> float:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _bad(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        value = self.raw.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def obj(self, name: str) -> Any:
        value = self.raw.get(name)
        if isinstance(value, str):
            raise _bad(f"can't parse {name} JSON object")
        return value


@dataclass(slots=True)
class _Fault:
    status: int
    retry_after: int
    description: str | None


# --------------------------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------------------------


class FakeTelegram:
    """In-process fake of the Telegram Bot API (see module docstring)."""

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "chibo_test_bot",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        strict_html: bool = True,
        on_send: Callable[[Sent], None] | None = None,
    ):
        self.token = token
        self.bot_username = bot_username
        self.host = host
        self.port = port
        self.strict_html = strict_html
        self.on_send = on_send
        bot_id = token.split(":", 1)[0]
        self.bot_user: dict[str, Any] = {
            "id": int(bot_id) if bot_id.isdigit() else 123456,
            "is_bot": True,
            "first_name": "Chi bo Test Bot",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

        self.sent: list[Sent] = []
        self.calls: Counter[str] = Counter()
        self.commands: list[dict[str, Any]] = []
        self.commands_by_scope: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] | None = None
        self.callback_answers: list[dict[str, Any]] = []
        self.failures_served = 0
        self.rate_limited = 0

        self._runner: web.AppRunner | None = None
        self._closing = False

        self._updates: deque[dict[str, Any]] = deque()
        self._next_update_id = 1
        self._poller: _Poller | None = None
        self._webhook_url = ""

        self._chats: dict[int, dict[str, Any]] = {}
        self._usernames: dict[str, int] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._blocked: set[int] = set()
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._next_message_id: dict[int, int] = defaultdict(int)
        self._callbacks: dict[str, dict[str, Any]] = {}
        self._next_callback_id = 1

        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._next_file = 1

        self._sent_by_chat: dict[int | str | None, list[Sent]] = defaultdict(list)
        self._messages_by_chat: dict[int | str | None, list[Sent]] = defaultdict(list)
        self._predicate_waiters: list[tuple[Callable[[Sent], bool], asyncio.Future[Sent]]] = []
        self._count_waiters: dict[int | str, list[tuple[int, asyncio.Future[list[Sent]]]]] = defaultdict(list)
        self._call_waiters: list[tuple[str, int, asyncio.Future[int]]] = []

        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._rate: float | None = None
        self._rate_window: deque[float] = deque()

        self._methods: dict[str, tuple[str, Callable[[_Params], Any]]] = {}
        for name, handler in (
            ("getMe", self._get_me),
            ("getUpdates", self._get_updates),
            ("sendMessage", self._send_message),
            ("sendDocument", self._send_document),
            ("sendPhoto", self._send_photo),
            ("editMessageText", self._edit_message_text),
            ("editMessageReplyMarkup", self._edit_message_reply_markup),
            ("deleteMessage", self._delete_message),
            ("answerCallbackQuery", self._answer_callback_query),
            ("setMyCommands", self._set_my_commands),
            ("getMyCommands", self._get_my_commands),
            ("deleteMyCommands", self._delete_my_commands),
            ("setWebhook", self._set_webhook),
            ("deleteWebhook", self._delete_webhook),
            ("getWebhookInfo", self._get_webhook_info),
            ("sendChatAction", self._send_chat_action),
            ("getFile", self._get_file),
            ("close", self._true),
            ("logOut", self._true),
        ):
            self._methods[name.lower()] = (name, handler)

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        if self._runner is not None:
            return
        self._closing = False
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is None:
            return
        self._closing = True
        if self._poller is not None:
            self._poller.wake.set()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._runner is None:
            raise RuntimeError("FakeTelegram is not started")
        return f"http://{self.host}:{self.port}"

    # ---------------------------------------------------------------- simulating users

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update; assigns ``update_id`` if missing. Returns the update_id."""
        update_id = update.get("update_id")
        if update_id is None:
            update_id = self._next_update_id
            update = {"update_id": update_id, **update}
        self._next_update_id = max(self._next_update_id, update_id + 1)
        self._updates.append(update)
        if self._poller is not None:
            self._poller.wake.set()
        return update_id

    def push_text(
        self,
        chat_id: int,
        text: str,
        user_id: int | None = None,
        first_name: str = "Test",
        chat_type: str = "private",
        *,
        username: str | None = None,
        reply_to_message_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> int:
        """Queue a text message from a user. Bot commands get ``bot_command`` entities; `entities` adds others
        (bold, italic … with UTF-16 offsets, as ``parse_html`` makes them)."""
        user = self._user(chat_id if user_id is None else user_id, first_name, username)
        chat = self._register_chat(chat_id, chat_type, user)
        fields: dict[str, Any] = {"text": text}
        entities = (_bot_command_entities(text) if "/" in text else []) + list(entities or [])
        if entities:
            fields["entities"] = entities
        if reply_to_message_id is not None:
            fields["reply_to_message"] = dict(self._stored(chat["id"], reply_to_message_id))
        message = self._new_message(chat["id"], user, fields)
        return self.push_update({"message": message})

    def push_document(
        self,
        chat_id: int,
        filename: str,
        content: bytes,
        user_id: int | None = None,
        *,
        caption: str | None = None,
        mime_type: str | None = None,
        first_name: str = "Test",
        chat_type: str = "private",
    ) -> int:
        """Queue a document message from a user; the file is downloadable via getFile."""
        user = self._user(chat_id if user_id is None else user_id, first_name, None)
        chat = self._register_chat(chat_id, chat_type, user)
        stored = self._store_file(filename, bytes(content), mime_type)
        fields: dict[str, Any] = {"document": stored.as_document()}
        if caption is not None:
            fields["caption"] = caption
        message = self._new_message(chat["id"], user, fields)
        return self.push_update({"message": message})

    def push_callback(self, chat_id: int, message_id: int, data: str, user_id: int | None = None) -> int:
        """Queue a button press on the stored bot message ``message_id`` in ``chat_id``."""
        message = self._messages.get((int(chat_id), message_id))
        if message is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        uid = int(chat_id) if user_id is None else user_id
        user = self._users.get(uid) or self._user(uid, "Test", None)
        callback_id = str(self._next_callback_id)
        self._next_callback_id += 1
        self._callbacks[callback_id] = {"chat_id": int(chat_id), "message_id": message_id, "answered": False}
        query = {
            "id": callback_id,
            "from": user,
            "message": dict(message),
            "chat_instance": str(abs(int(chat_id)) * 7919 + 17),
            "data": data,
        }
        return self.push_update({"callback_query": query})

    def block_chat(self, chat_id: int, blocked: bool = True) -> None:
        """Make sending to ``chat_id`` fail with 403 "bot was blocked by the user"."""
        if blocked:
            self._blocked.add(int(chat_id))
        else:
            self._blocked.discard(int(chat_id))

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    @property
    def last_update_id(self) -> int:
        """The id of the last update pushed (0 before the first)."""
        return self._next_update_id - 1

    # ---------------------------------------------------------------- observing the bot

    def messages_to(self, chat_id: int | str) -> list[Sent]:
        """sendMessage/sendDocument records for a chat, oldest first."""
        return list(self._messages_by_chat.get(self._key(chat_id), ()))

    def sent_to(self, chat_id: int | str) -> list[Sent]:
        """Every record (sends, edits, deletes, callback answers) for a chat, oldest first."""
        return list(self._sent_by_chat.get(self._key(chat_id), ()))

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """Current state of a stored message (after edits), as the API would return it."""
        return self._messages.get((int(chat_id), message_id))

    async def wait_for(self, predicate: Callable[[Sent], bool], timeout: float = 5.0) -> Sent:
        """Return the first record (existing or future) satisfying ``predicate``."""
        for record in self.sent:
            if predicate(record):
                return record
        future: asyncio.Future[Sent] = asyncio.get_running_loop().create_future()
        waiter = (predicate, future)
        self._predicate_waiters.append(waiter)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"no matching record within {timeout}s; last records: {self.sent[-5:]!r}"
            ) from None
        finally:
            self._predicate_waiters.remove(waiter)

    async def wait_sent(self, chat_id: int | str, count: int = 1, timeout: float = 5.0) -> list[Sent]:
        """Wait until at least ``count`` messages were sent to ``chat_id``; return all of them."""
        key = self._key(chat_id)
        records = self._messages_by_chat.get(key, [])
        if len(records) >= count:
            return list(records)
        future: asyncio.Future[list[Sent]] = asyncio.get_running_loop().create_future()
        waiter = (count, future)
        self._count_waiters[key].append(waiter)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            got = self._messages_by_chat.get(key, [])
            raise TimeoutError(
                f"expected {count} messages to chat {chat_id} within {timeout}s, got {len(got)}: "
                f"{[s.text if s.text is not None else s.document_name for s in got]!r}"
            ) from None
        finally:
            waiters = self._count_waiters[key]
            waiters.remove(waiter)
            if not waiters:
                del self._count_waiters[key]

    async def wait_call(self, method: str, count: int = 1, timeout: float = 5.0) -> int:
        """Wait until ``method`` was called at least ``count`` times; return the call count."""
        name = self._canonical(method)
        if self.calls[name] >= count:
            return self.calls[name]
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        waiter = (name, count, future)
        self._call_waiters.append(waiter)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"{name} called {self.calls[name]} times, expected {count} within {timeout}s"
            ) from None
        finally:
            self._call_waiters.remove(waiter)

    def clear(self) -> None:
        """Forget recorded calls and sends (stored messages, chats and files are kept)."""
        self.sent.clear()
        self.calls.clear()
        self.callback_answers.clear()
        self._sent_by_chat.clear()
        self._messages_by_chat.clear()
        self.failures_served = 0
        self.rate_limited = 0

    # ---------------------------------------------------------------- fault injection

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 1,
        times: int = 1,
        description: str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with HTTP ``status``."""
        fault = _Fault(status, retry_after, description)
        self._faults[method.lower()].extend([fault] * times)

    def set_rate_limit(self, per_second: float | None) -> None:
        """Limit sendMessage/sendDocument/editMessageText globally over a sliding 1 s window."""
        self._rate = per_second
        self._rate_window.clear()

    # ---------------------------------------------------------------- HTTP layer

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _json(_ApiError(401, "Unauthorized").body(), 401)
        requested = request.match_info["method"]
        entry = self._methods.get(requested.lower())
        try:
            params = await _read_params(request)
        except _ApiError as exc:
            self._count_call(entry[0] if entry else requested)
            return _json(exc.body(), exc.code)
        if entry is None:
            self._count_call(requested)
            return _json(_ApiError(404, "Not Found").body(), 404)
        name, handler = entry
        self._count_call(name)
        try:
            fault = self._take_fault(name)
            if fault is not None:
                raise fault
            if name in SENDING_METHODS and not self._allow_by_rate():
                self.rate_limited += 1
                raise _ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
            result = await handler(params)
        except _ApiError as exc:
            return _json(exc.body(), exc.code)
        return _json({"ok": True, "result": result}, 200)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _json(_ApiError(401, "Unauthorized").body(), 401)
        stored = self._files_by_path.get(request.match_info["file_path"])
        if stored is None:
            return _json(_ApiError(404, "Not Found").body(), 404)
        return web.Response(body=stored.content, content_type=stored.mime_type)

    def _count_call(self, name: str) -> None:
        self.calls[name] += 1
        if self._call_waiters:
            total = self.calls[name]
            for wanted, count, future in self._call_waiters:
                if wanted == name and total >= count and not future.done():
                    future.set_result(total)

    def _take_fault(self, name: str) -> _ApiError | None:
        queue = self._faults.get(name.lower())
        if not queue:
            return None
        fault = queue.popleft()
        self.failures_served += 1
        if fault.status == 429:
            return _ApiError(
                429,
                fault.description or f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
        default = {
            400: "Bad Request",
            403: "Forbidden: bot was blocked by the user",
            409: "Conflict",
            500: "Internal Server Error",
        }.get(fault.status)
        if default is None:
            try:
                default = HTTPStatus(fault.status).phrase
            except ValueError:
                default = "Error"
        return _ApiError(fault.status, fault.description or default)

    def _allow_by_rate(self) -> bool:
        if self._rate is None:
            return True
        now = time.monotonic()
        window = self._rate_window
        while window and now - window[0] >= 1.0:
            window.popleft()
        if len(window) >= self._rate:
            return False
        window.append(now)
        return True

    # ---------------------------------------------------------------- state helpers

    def _canonical(self, method: str) -> str:
        entry = self._methods.get(method.lower())
        return entry[0] if entry else method

    def _key(self, chat_id: int | str) -> int | str:
        if isinstance(chat_id, str):
            stripped = chat_id.strip()
            if stripped.lstrip("-").isdigit():
                return int(stripped)
            return self._usernames.get(stripped.lstrip("@").lower(), stripped)
        return chat_id

    def _user(self, user_id: int, first_name: str, username: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        self._users[user_id] = user
        return user

    def _register_chat(self, chat_id: int, chat_type: str, user: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(chat_id)
        if chat_type == "private":
            chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            if "username" in user:
                chat["username"] = user["username"]
                self._usernames[user["username"].lower()] = chat_id
        else:
            chat = self._chats.get(chat_id) or {"id": chat_id, "type": chat_type, "title": f"Chat {chat_id}"}
            chat["type"] = chat_type
        self._chats[chat_id] = chat
        return chat

    def _chat(self, chat_id: int) -> dict[str, Any]:
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                chat = {"id": chat_id, "type": "private", "first_name": "Test"}
            elif str(chat_id).startswith("-100"):
                chat = {"id": chat_id, "type": "supergroup", "title": f"Chat {chat_id}"}
            else:
                chat = {"id": chat_id, "type": "group", "title": f"Chat {chat_id}"}
            self._chats[chat_id] = chat
        return chat

    def _new_message(self, chat_id: int, sender: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
        self._next_message_id[chat_id] += 1
        message_id = self._next_message_id[chat_id]
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": sender,
            **fields,
        }
        self._messages[(chat_id, message_id)] = message
        return message

    def _stored(self, chat_id: int, message_id: int) -> dict[str, Any]:
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        return message

    def _store_file(self, filename: str, content: bytes, mime_type: str | None) -> StoredFile:
        n = self._next_file
        self._next_file += 1
        suffix = PurePosixPath(filename).suffix
        if not re.fullmatch(r"\.[A-Za-z0-9]{1,10}", suffix):
            suffix = ""
        stored = StoredFile(
            file_id=f"BQACAgIAAxkBAAI{n:08d}",
            file_unique_id=f"AgAD{n:08d}",
            file_name=filename,
            content=content,
            mime_type=mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream",
            file_path=f"documents/file_{n}{suffix}",
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _record(self, record: Sent) -> None:
        self.sent.append(record)
        key = record.chat_id
        self._sent_by_chat[key].append(record)
        if record.method in MESSAGE_METHODS:
            chat_messages = self._messages_by_chat[key]
            chat_messages.append(record)
            waiters = self._count_waiters.get(key) if key is not None else None
            if waiters:
                for count, future in waiters:
                    if len(chat_messages) >= count and not future.done():
                        future.set_result(list(chat_messages))
        if self.on_send is not None:
            self.on_send(record)
        for predicate, future in self._predicate_waiters:
            if future.done():
                continue
            try:
                matched = predicate(record)
            except Exception as exc:  # surfaced to the waiting test instead of the bot
                future.set_exception(exc)
                continue
            if matched:
                future.set_result(record)

    # ---------------------------------------------------------------- validation helpers

    def _target_chat(self, params: _Params) -> int:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise _bad("chat_id is empty")
        key = self._key(raw) if isinstance(raw, str) else raw
        if not isinstance(key, int) or isinstance(key, bool):
            raise _bad("chat not found")
        return key

    def _check_sendable(self, chat_id: int) -> None:
        if chat_id in self._blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")

    def _format(self, raw: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
        mode = (parse_mode or "").lower()
        if not mode:
            return raw, []
        if mode == "html":
            try:
                return parse_html(raw, strict=self.strict_html)
            except ValueError as exc:
                raise _bad(f"can't parse entities: {exc}") from None
        if mode in ("markdown", "markdownv2"):
            return raw, []
        raise _bad("unsupported parse_mode")

    def _text_and_entities(self, params: _Params) -> tuple[str, str, list[dict[str, Any]]]:
        raw = params.string("text") or ""
        text, entities = self._format(raw, params.string("parse_mode"))
        if not text.strip():
            raise _bad("message text is empty")
        if len(text) > MAX_TEXT:
            raise _bad("message is too long")
        explicit = params.obj("entities")
        if explicit and not params.string("parse_mode"):
            entities = explicit
        return raw, text, entities

    def _reply_markup(self, params: _Params) -> dict[str, Any] | None:
        markup = params.obj("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        keyboard = markup.get("inline_keyboard")
        if keyboard is not None:
            if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
                raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays')
            for row in keyboard:
                for button in row:
                    if not isinstance(button, dict) or not button.get("text"):
                        raise _bad(
                            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                        )
                    data = button.get("callback_data")
                    if data is not None and (not data or len(str(data).encode()) > MAX_CALLBACK_DATA):
                        raise _bad("BUTTON_DATA_INVALID")
                    if len(button) < 2:
                        raise _bad(
                            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                        )
        return markup

    def _reply_to(self, chat_id: int, params: _Params) -> dict[str, Any] | None:
        reply = params.obj("reply_parameters")
        message_id = (
            reply.get("message_id") if isinstance(reply, dict) else params.integer("reply_to_message_id")
        )
        if message_id is None:
            return None
        message = self._messages.get((chat_id, int(message_id)))
        if message is None:
            if isinstance(reply, dict) and reply.get("allow_sending_without_reply"):
                return None
            raise _bad("message to be replied not found")
        return dict(message)

    def _bot_message(self, params: _Params) -> tuple[int, int, dict[str, Any]]:
        chat_id = self._target_chat(params)
        message_id = params.integer("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise _bad("message to edit not found")
        if message["from"].get("id") != self.bot_user["id"]:
            raise _bad("message can't be edited")
        return chat_id, message_id, message

    # ---------------------------------------------------------------- API methods

    async def _true(self, params: _Params) -> bool:
        return True

    async def _get_me(self, params: _Params) -> dict[str, Any]:
        return self.bot_user

    async def _get_updates(self, params: _Params) -> list[dict[str, Any]]:
        if self._webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.integer("offset", 0) or 0
        limit = min(max(params.integer("limit", 100) or 100, 1), 100)
        timeout = max(params.number("timeout", 0.0), 0.0)
        if self._poller is not None:
            self._poller.terminated = True
            self._poller.wake.set()
            self._poller = None
        updates = self._updates
        if offset > 0:
            while updates and updates[0]["update_id"] < offset:
                updates.popleft()
        elif offset < 0:
            while len(updates) > -offset:
                updates.popleft()
        if not updates and timeout > 0 and not self._closing:
            poller = _Poller()
            self._poller = poller
            try:
                await asyncio.wait_for(poller.wake.wait(), timeout)
            except TimeoutError:
                pass
            finally:
                if self._poller is poller:
                    self._poller = None
            if poller.terminated:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
        return list(islice(updates, limit))

    async def _send_message(self, params: _Params) -> dict[str, Any]:
        chat_id = self._target_chat(params)
        raw, text, entities = self._text_and_entities(params)
        markup = self._reply_markup(params)
        reply_to = self._reply_to(chat_id, params)
        self._check_sendable(chat_id)
        fields: dict[str, Any] = {"text": text}
        if entities:
            fields["entities"] = entities
        if reply_to is not None:
            fields["reply_to_message"] = reply_to
        if markup is not None and "inline_keyboard" in markup:
            fields["reply_markup"] = markup
        message = self._new_message(chat_id, self.bot_user, fields)
        self._record(
            Sent(
                method="sendMessage",
                chat_id=chat_id,
                text=text,
                raw_text=raw,
                parse_mode=params.string("parse_mode"),
                reply_markup=markup,
                message_id=message["message_id"],
                entities=entities,
                params=params.raw,
            )
        )
        return message

    def _file_caption(self, chat_id: int, params: _Params) -> _FileCaption:
        """The caption, keyboard and reply of a sendDocument/sendPhoto, checked as Telegram does, and the chat
        checked sendable: the file itself is stored only after this, so a rejected send leaves none behind."""
        raw_caption = params.string("caption")
        caption, entities = (None, [])
        if raw_caption is not None:
            caption, entities = self._format(raw_caption, params.string("parse_mode"))
            if len(caption) > MAX_CAPTION:
                raise _bad("message caption is too long")
        caption_part = _FileCaption(raw_caption, caption, entities, self._reply_markup(params),
                                    self._reply_to(chat_id, params))
        self._check_sendable(chat_id)
        return caption_part

    def _file_message(self, method: str, chat_id: int, params: _Params, fields: dict[str, Any],
                      part: _FileCaption, stored: StoredFile, content: bytes | None) -> dict[str, Any]:
        """The message carrying a sent file (`fields` hold the document or the photo sizes), recorded."""
        if part.caption:
            fields["caption"] = part.caption
            if part.entities:
                fields["caption_entities"] = part.entities
        if part.reply_to is not None:
            fields["reply_to_message"] = part.reply_to
        if part.markup is not None and "inline_keyboard" in part.markup:
            fields["reply_markup"] = part.markup
        message = self._new_message(chat_id, self.bot_user, fields)
        self._record(
            Sent(
                method=method,
                chat_id=chat_id,
                parse_mode=params.string("parse_mode"),
                reply_markup=part.markup,
                message_id=message["message_id"],
                document_name=stored.file_name,
                document_bytes=content,
                caption=part.caption,
                raw_caption=part.raw_caption,
                entities=part.entities,
                params={k: v for k, v in params.raw.items() if not isinstance(v, _Upload)},
            )
        )
        return message

    async def _send_document(self, params: _Params) -> dict[str, Any]:
        chat_id = self._target_chat(params)
        document = params.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            document = params.get(document[len("attach://") :])
        stored: StoredFile | None = None
        url_name: str | None = None
        if isinstance(document, _Upload):
            if not document.content:
                raise _bad("file must be non-empty")
        elif isinstance(document, str) and document in self._files:
            stored = self._files[document]
        elif isinstance(document, str) and document.startswith(("http://", "https://")):
            url_name = PurePosixPath(document.split("?", 1)[0]).name or "file"
        elif document is None:
            raise _bad("there is no document in the request")
        else:
            raise _bad("wrong file identifier/HTTP URL specified")
        part = self._file_caption(chat_id, params)
        if isinstance(document, _Upload):
            content_type = document.content_type
            if content_type == "application/octet-stream":
                content_type = None
            stored = self._store_file(document.filename, document.content, content_type)
        if stored is None:
            stored = self._store_file(url_name or "file", b"", None)
        return self._file_message("sendDocument", chat_id, params, {"document": stored.as_document()}, part, stored,
                                  stored.content if url_name is None else None)

    async def _send_photo(self, params: _Params) -> dict[str, Any]:
        """An uploaded PNG or JPEG, checked as Telegram does (size, dimensions, an image at all), answered with
        its PhotoSize list; a known file_id or an http(s) URL is accepted as is."""
        chat_id = self._target_chat(params)
        photo = params.get("photo")
        if isinstance(photo, str) and photo.startswith("attach://"):
            photo = params.get(photo[len("attach://") :])
        width = height = 0
        stored: StoredFile | None = None
        if isinstance(photo, _Upload):
            if not photo.content:
                raise _bad("file must be non-empty")
            if len(photo.content) > MAX_PHOTO_BYTES:
                raise _ApiError(413, "Request Entity Too Large")
            size = _image_size(photo.content)
            if size is None:
                raise _bad("IMAGE_PROCESS_FAILED")
            width, height = size
            if width + height > 10000 or max(width, height) > 20 * min(width, height):
                raise _bad("PHOTO_INVALID_DIMENSIONS")
        elif isinstance(photo, str) and photo in self._files:
            stored = self._files[photo]
        elif isinstance(photo, str) and photo.startswith(("http://", "https://")):
            stored = self._store_file(PurePosixPath(photo.split("?", 1)[0]).name or "photo", b"", "image/jpeg")
        elif photo is None:
            raise _bad("there is no photo in the request")
        else:
            raise _bad("wrong file identifier/HTTP URL specified")
        part = self._file_caption(chat_id, params)
        if isinstance(photo, _Upload):
            stored = self._store_file(photo.filename, photo.content, photo.content_type)
        assert stored is not None
        sizes = [{"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "width": width,
                  "height": height, "file_size": len(stored.content)}]
        return self._file_message("sendPhoto", chat_id, params, {"photo": sizes}, part, stored, stored.content)

    async def _edit_message_text(self, params: _Params) -> dict[str, Any] | bool:
        raw, text, entities = self._text_and_entities(params)
        markup = self._reply_markup(params)
        if "inline_message_id" in params:
            self._record(
                Sent(
                    method="editMessageText",
                    chat_id=None,
                    text=text,
                    raw_text=raw,
                    parse_mode=params.string("parse_mode"),
                    reply_markup=markup,
                    entities=entities,
                    params=params.raw,
                )
            )
            return True
        chat_id, message_id, message = self._bot_message(params)
        if "text" not in message:
            raise _bad("there is no text in the message to edit")
        new_markup = markup if markup is not None and "inline_keyboard" in markup else None
        if (
            message.get("text") == text
            and message.get("entities", []) == entities
            and message.get("reply_markup") == new_markup
        ):
            raise _bad(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        self._check_sendable(chat_id)
        message["text"] = text
        message["edit_date"] = int(time.time())
        if entities:
            message["entities"] = entities
        else:
            message.pop("entities", None)
        if new_markup is not None:
            message["reply_markup"] = new_markup
        else:
            message.pop("reply_markup", None)
        self._record(
            Sent(
                method="editMessageText",
                chat_id=chat_id,
                text=text,
                raw_text=raw,
                parse_mode=params.string("parse_mode"),
                reply_markup=markup,
                message_id=message_id,
                entities=entities,
                params=params.raw,
            )
        )
        return message

    async def _edit_message_reply_markup(self, params: _Params) -> dict[str, Any] | bool:
        markup = self._reply_markup(params)
        new_markup = markup if markup is not None and "inline_keyboard" in markup else None
        if "inline_message_id" in params:
            self._record(
                Sent(method="editMessageReplyMarkup", chat_id=None, reply_markup=markup, params=params.raw)
            )
            return True
        chat_id, message_id, message = self._bot_message(params)
        if message.get("reply_markup") == new_markup:
            raise _bad(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        if new_markup is not None:
            message["reply_markup"] = new_markup
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(time.time())
        self._record(
            Sent(
                method="editMessageReplyMarkup",
                chat_id=chat_id,
                text=message.get("text"),
                reply_markup=markup,
                message_id=message_id,
                params=params.raw,
            )
        )
        return message

    async def _delete_message(self, params: _Params) -> bool:
        chat_id = self._target_chat(params)
        message_id = params.integer("message_id")
        if message_id is None or self._messages.pop((chat_id, message_id), None) is None:
            raise _bad("message to delete not found")
        self._record(Sent(method="deleteMessage", chat_id=chat_id, message_id=message_id, params=params.raw))
        return True

    async def _answer_callback_query(self, params: _Params) -> bool:
        query_id = params.string("callback_query_id")
        callback = self._callbacks.get(query_id or "")
        if callback is None or callback["answered"]:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        callback["answered"] = True
        answer = {
            "callback_query_id": query_id,
            "text": params.string("text"),
            "show_alert": params.flag("show_alert"),
            "url": params.string("url"),
        }
        self.callback_answers.append(answer)
        self._record(
            Sent(
                method="answerCallbackQuery",
                chat_id=callback["chat_id"],
                text=answer["text"],
                message_id=callback["message_id"],
                params=params.raw,
            )
        )
        return True

    @staticmethod
    def _scope_key(params: _Params) -> tuple[str, str]:
        scope = params.obj("scope")
        scope_key = json.dumps(scope, sort_keys=True) if scope else '{"type": "default"}'
        return scope_key, params.string("language_code") or ""

    async def _set_my_commands(self, params: _Params) -> bool:
        commands = params.obj("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("can't parse commands JSON object")
        cleaned = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand JSON object")
            name = str(command.get("command", ""))
            description = str(command.get("description", ""))
            if not _COMMAND_RE.match(name.lstrip("/")):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name.lstrip("/"), "description": description})
        self.commands_by_scope[self._scope_key(params)] = cleaned
        self.commands = cleaned
        return True

    async def _get_my_commands(self, params: _Params) -> list[dict[str, Any]]:
        return self.commands_by_scope.get(self._scope_key(params), [])

    async def _delete_my_commands(self, params: _Params) -> bool:
        self.commands_by_scope.pop(self._scope_key(params), None)
        self.commands = []
        return True

    async def _set_webhook(self, params: _Params) -> bool:
        url = params.string("url") or ""
        self.webhook = {k: v for k, v in params.raw.items() if not isinstance(v, _Upload)}
        self._webhook_url = url
        if params.flag("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _delete_webhook(self, params: _Params) -> bool:
        self._webhook_url = ""
        if params.flag("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: _Params) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook_url and self.webhook:
            for key in ("max_connections", "ip_address", "allowed_updates"):
                if key in self.webhook:
                    info[key] = self.webhook[key]
        return info

    async def _send_chat_action(self, params: _Params) -> bool:
        chat_id = self._target_chat(params)
        if params.string("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self._check_sendable(chat_id)
        return True

    async def _get_file(self, params: _Params) -> dict[str, Any]:
        stored = self._files.get(params.string("file_id") or "")
        if stored is None:
            raise _bad("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }


def _json(body: dict[str, Any], status: int) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False), status=status, content_type="application/json"
    )


def _form_unescape(filename: str) -> str:
    # httpx follows the HTML5 multipart rules and percent-escapes only these three characters.
    if "%" not in filename:
        return filename
    return filename.replace("%22", '"').replace("%0A", "\n").replace("%0D", "\r")


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG or a baseline/progressive JPEG; None when it is neither."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return (width, height) if width and height else None
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data) and data[i] == 0xFF:
            marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return (width, height) if width and height else None
            i += 2 + length
    return None


async def _read_params(request: web.Request) -> _Params:
    raw: dict[str, Any] = dict(request.query)
    if request.body_exists:
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise _bad("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise _bad("JSON request body must be an object")
            raw.update(body)
        elif content_type == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename is not None:
                    raw[part.name] = _Upload(
                        _form_unescape(part.filename),
                        bytes(await part.read(decode=True)),
                        part.headers.get("Content-Type"),
                    )
                else:
                    raw[part.name] = await part.text()
        elif content_type == "application/x-www-form-urlencoded":
            raw.update(await request.post())
        else:
            await request.read()
    return _Params(raw)
