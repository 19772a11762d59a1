"""A fake Zalo Bot API server for end-to-end tests (aiohttp on 127.0.0.1, a free port).

    async with FakeZalo() as zalo:
        bot = ZaloBot(zalo.token, zalo.base_url)

Users are simulated with ``push_text`` / ``push_unsupported`` / ``push_raw``; what the bot did is seen in
``sent`` / ``messages_to`` / ``wait_sent`` / ``calls``. Faults on demand: ``fail(method, status=500)`` for an
HTTP error, ``fail(method, code=429)`` for an HTTP 200 carrying ``ok: false``, ``slow(method, seconds)``.

As the real API: getUpdates hands out ONE update per call, waits up to its ``timeout`` (capped by
``max_wait``) and answers HTTP 408 when nothing came; sendMessage refuses an empty text or one over 2,000
characters (``ok: false``, 400), and a chat that never wrote to the bot (403); a wrong token gets 401.
All methods must be called from the event loop the server runs on.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["FakeZalo", "Sent"]

MAX_TEXT = 2000
BOT_ID = "b0t1d0000000000000001"


@dataclass
class Sent:
    method: str
    chat_id: str
    text: str = ""
    photo: str = ""
    at: float = field(default_factory=time.monotonic)


@dataclass
class Fault:
    status: int = 200
    code: int = 0
    description: str = "fault"
    times: int = 1


class FakeZalo:
    def __init__(self, token: str = "1234567890:zaloSecretTokenAbcXyz_0123456789", *, max_wait: float = 0.5):
        self.token = token
        self.max_wait = max_wait  # longest getUpdates wait, whatever timeout the bot asks for
        self.updates: deque[dict[str, Any]] = deque()
        self.sent: list[Sent] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.known_chats: set[str] = set()  # chats that wrote to the bot (the only ones it may message)
        self.webhook: dict[str, str] = {}
        self.faults: dict[str, deque[Fault]] = {}
        self.delays: dict[str, float] = {}
        self._ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._new_sent = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def __aenter__(self) -> FakeZalo:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # -- simulated users ------------------------------------------------------------------------

    def push_raw(self, update: dict[str, Any]) -> None:
        self.updates.append(update)
        self._new_update.set()

    def message(self, chat_id: str, text: str = "", *, name: str = "Nguyễn Văn An", user_id: str | None = None,
                event: str = "message.text.received", message_id: str | None = None, is_bot: bool | None = None,
                chat_type: str = "PRIVATE") -> dict[str, Any]:
        sender: dict[str, Any] = {"id": user_id or chat_id, "display_name": name}
        if is_bot is not None:
            sender["is_bot"] = is_bot
        message: dict[str, Any] = {"from": sender, "chat": {"id": chat_id, "chat_type": chat_type},
                                   "message_id": message_id or f"m{next(self._ids):08d}",
                                   "date": int(time.time() * 1000)}
        if event == "message.text.received":
            message["text"] = text
        return {"event_name": event, "message": message}

    def push_text(self, chat_id: str, text: str, *, wrapped: bool = False, **kw: Any) -> str:
        """A user writes `text`; returns the message id. `wrapped`: the update comes as {ok, result}."""
        update = self.message(chat_id, text, **kw)
        if not update["message"]["from"].get("is_bot"):
            self.known_chats.add(chat_id)
        self.push_raw({"ok": True, "result": update} if wrapped else update)
        return str(update["message"]["message_id"])

    def push_unsupported(self, chat_id: str, **kw: Any) -> str:
        """A user sends a file (or a sticker, a voice note): the bot gets nothing to download."""
        update = self.message(chat_id, event="message.unsupported.received", **kw)
        self.known_chats.add(chat_id)
        self.push_raw(update)
        return str(update["message"]["message_id"])

    # -- faults ---------------------------------------------------------------------------------

    def fail(self, method: str, *, status: int = 200, code: int = 0, description: str = "fault",
             times: int = 1) -> None:
        """The next `times` calls of `method` fail: with HTTP `status` (>= 400), or HTTP 200 ok:false `code`."""
        self.faults.setdefault(method, deque()).append(
            Fault(status, code or (status if status >= 400 else 400), description, times))

    def slow(self, method: str, seconds: float) -> None:
        self.delays[method] = seconds

    # -- observing ------------------------------------------------------------------------------

    def messages_to(self, chat_id: str) -> list[str]:
        return [s.text for s in self.sent if s.chat_id == chat_id and s.method == "sendMessage"]

    async def wait_sent(self, chat_id: str, count: int, timeout: float = 10) -> list[str]:
        """Wait until `count` messages were sent to `chat_id` in all; returns them all."""
        deadline = time.monotonic() + timeout
        while len(self.messages_to(chat_id)) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{len(self.messages_to(chat_id))} of {count} messages to {chat_id}: "
                                   f"{self.messages_to(chat_id)!r}")
            self._new_sent.clear()
            try:
                await asyncio.wait_for(self._new_sent.wait(), min(left, 0.2))
            except TimeoutError:
                pass
        return self.messages_to(chat_id)

    def count(self, method: str) -> int:
        return sum(1 for name, _ in self.calls if name == method)

    # -- the API --------------------------------------------------------------------------------

    @staticmethod
    def _ok(result: Any) -> web.Response:
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _error(code: int, description: str, status: int = 200) -> web.Response:
        return web.json_response({"ok": False, "error_code": code, "description": description}, status=status)

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            body = await request.json() if request.can_read_body else {}
        except ValueError:
            return self._error(400, "Bad Request: the body is not JSON", 400)
        body = body if isinstance(body, dict) else {}
        self.calls.append((method, body))
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized", 401)
        delay = self.delays.get(method)
        if delay:
            await asyncio.sleep(delay)
        faults = self.faults.get(method)
        if faults:
            fault = faults[0]
            fault.times -= 1
            if fault.times <= 0:
                faults.popleft()
            return self._error(fault.code, fault.description, fault.status)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._error(404, f"Not Found: method {method}", 404)
        return await handler(body)

    async def _m_getMe(self, body: dict[str, Any]) -> web.Response:
        return self._ok({"id": BOT_ID, "account_name": "bot.chibo", "account_type": "BASIC",
                         "can_join_groups": False})

    async def _m_getUpdates(self, body: dict[str, Any]) -> web.Response:
        if self.webhook:
            return self._error(409, "Conflict: a webhook is set")
        try:
            wait = min(float(body.get("timeout", 0)), self.max_wait)
        except (TypeError, ValueError):
            return self._error(400, "Bad Request: timeout")
        deadline = time.monotonic() + wait
        while not self.updates:
            left = deadline - time.monotonic()
            if left <= 0:
                return self._error(408, "Request Timeout", 408)
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), left)
            except TimeoutError:
                pass
        return self._ok(self.updates.popleft())  # a bare update, or one wrapped again in {ok, result}

    def _chat(self, body: dict[str, Any]) -> tuple[str, web.Response | None]:
        chat_id = str(body.get("chat_id") or "")
        if not chat_id:
            return chat_id, self._error(400, "Bad Request: chat_id is required")
        if chat_id not in self.known_chats:
            return chat_id, self._error(403, "Forbidden: the user has not messaged the bot")
        return chat_id, None

    def _record(self, sent: Sent) -> web.Response:
        self.sent.append(sent)
        self._new_sent.set()
        return self._ok({"message_id": f"s{next(self._ids):08d}", "date": int(time.time() * 1000)})

    async def _m_sendMessage(self, body: dict[str, Any]) -> web.Response:
        chat_id, refused = self._chat(body)
        if refused is not None:
            return refused
        text = body.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT:
            return self._error(400, "Bad Request: text must be 1 to 2000 characters")
        return self._record(Sent("sendMessage", chat_id, text=text))

    async def _m_sendPhoto(self, body: dict[str, Any]) -> web.Response:
        chat_id, refused = self._chat(body)
        if refused is not None:
            return refused
        if not str(body.get("photo", "")).startswith(("http://", "https://")):
            return self._error(400, "Bad Request: photo must be a URL")
        return self._record(Sent("sendPhoto", chat_id, text=str(body.get("caption", "")), photo=body["photo"]))

    async def _m_sendSticker(self, body: dict[str, Any]) -> web.Response:
        chat_id, refused = self._chat(body)
        return refused or self._record(Sent("sendSticker", chat_id))

    async def _m_sendChatAction(self, body: dict[str, Any]) -> web.Response:
        _, refused = self._chat(body)
        if refused is not None:
            return refused
        if body.get("action") not in ("typing", "upload_photo"):
            return self._error(400, "Bad Request: action")
        return self._ok(True)

    async def _m_setWebhook(self, body: dict[str, Any]) -> web.Response:
        url, secret = str(body.get("url", "")), str(body.get("secret_token", ""))
        if not url.startswith("https://") or not 8 <= len(secret) <= 256:
            return self._error(400, "Bad Request: url or secret_token")
        self.webhook = {"url": url, "secret_token": secret}
        return self._ok({"url": url, "updated_at": int(time.time() * 1000)})

    async def _m_deleteWebhook(self, body: dict[str, Any]) -> web.Response:
        self.webhook = {}
        return self._ok({"url": "", "updated_at": int(time.time() * 1000)})

    async def _m_getWebhookInfo(self, body: dict[str, Any]) -> web.Response:
        return self._ok({"url": self.webhook.get("url", ""), "updated_at": int(time.time() * 1000)})
