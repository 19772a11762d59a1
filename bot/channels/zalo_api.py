"""A small typed async client of the Zalo Bot API (https://bot.zaloplatforms.com), on httpx.

The API is Telegram-like: `POST <base>/bot<TOKEN>/<method>` with a JSON body, answered with
`{"ok": true, "result": …}` or `{"ok": false, "error_code": N, "description": "…"}` — an HTTP 200 may
carry `ok: false`. getUpdates returns ONE update per call and answers HTTP 408 when nothing came within
its long-poll timeout. The token is part of every URL: it never goes into an exception's text (the log
filter of bot/redact.py masks it in httpx's request lines).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

log = logging.getLogger(__name__)

DEFAULT_BASE = "https://bot-api.zaloplatforms.com"
MAX_TEXT = 2000  # characters of one sendMessage text
TEXT_EVENT = "message.text.received"
UNSUPPORTED_EVENT = "message.unsupported.received"
IDLE = 408  # getUpdates: nothing arrived within the timeout


class ZaloError(Exception):
    """The API refused a call (`ok: false`, or an HTTP error); `error_code` 0 is a network failure."""

    def __init__(self, error_code: int, description: str):
        super().__init__(f"Zalo error {error_code}: {description}")
        self.error_code = error_code
        self.description = description

    @property
    def transient(self) -> bool:
        """Worth trying again later: a network failure, a rate limit or a server error."""
        return self.error_code in (0, 408, 429) or self.error_code >= 500


@dataclass(frozen=True)
class ZaloUpdate:
    event: str
    message_id: str
    chat_id: str
    chat_type: str
    user_id: str
    user_name: str
    is_bot: bool
    text: str
    unsupported: bool
    date: datetime | None


def _str(value: Any) -> str:
    return "" if value is None or isinstance(value, (dict, list)) else str(value)


def parse_update(body: Any) -> ZaloUpdate | None:
    """An update as the API sends it, bare (`{event_name, message}`) or wrapped (`{ok, result}`); None when
    it is not a message update this bot understands (no chat, an unknown shape)."""
    if isinstance(body, dict) and "event_name" not in body and isinstance(body.get("result"), dict):
        body = body["result"]
    if not isinstance(body, dict):
        return None
    event = _str(body.get("event_name"))
    message = body.get("message")
    if not event.startswith("message.") or not isinstance(message, dict):
        return None
    chat: dict[str, Any] = message["chat"] if isinstance(message.get("chat"), dict) else {}
    sender: dict[str, Any] = message["from"] if isinstance(message.get("from"), dict) else {}
    chat_id = _str(chat.get("id")) or _str(sender.get("id"))
    if not chat_id:
        return None
    when = None
    stamp = message.get("date")
    if isinstance(stamp, (int, float)) and not isinstance(stamp, bool):
        try:
            when = datetime.fromtimestamp(stamp / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            when = None
    text = message.get("text")
    return ZaloUpdate(
        event=event, message_id=_str(message.get("message_id")), chat_id=chat_id,
        chat_type=_str(chat.get("chat_type")) or "PRIVATE", user_id=_str(sender.get("id")),
        user_name=_str(sender.get("display_name")), is_bot=sender.get("is_bot") is True,
        text=text if isinstance(text, str) else "", unsupported=event == UNSUPPORTED_EVENT, date=when)


class ZaloBot:
    """`ZaloBot(token, base_url)`: one method per API call; pass `client` to share an httpx.AsyncClient."""

    def __init__(self, token: str, base_url: str = DEFAULT_BASE, client: httpx.AsyncClient | None = None):
        self._token = token
        self.base_url = base_url.rstrip("/")
        self._own = client is None
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(15.0))

    async def __aenter__(self) -> ZaloBot:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own:
            await self._client.aclose()

    async def call(self, method: str, payload: dict[str, Any] | None = None, *, timeout: float | None = None) -> Any:
        """POST `method` with `payload`; the `result`, or ZaloError (the token is never in its text)."""
        url = f"{self.base_url}/bot{self._token}/{method}"
        try:
            response = await self._client.post(url, json=payload or {},
                                               timeout=httpx.Timeout(timeout) if timeout else httpx.USE_CLIENT_DEFAULT)
        except httpx.TimeoutException:
            raise ZaloError(0, f"{method}: no answer in time") from None
        except httpx.HTTPError as exc:
            raise ZaloError(0, f"{method}: {exc.__class__.__name__}") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("ok") is True and response.status_code < 400:
            return body.get("result")
        code, description = response.status_code, response.reason_phrase or "HTTP error"
        if isinstance(body, dict):
            if isinstance(body.get("error_code"), int):
                code = body["error_code"]
            if isinstance(body.get("description"), str):
                description = body["description"]
        if code < 400 and response.status_code < 400:
            code = 400  # `ok: false` without a code, or no JSON at all
        raise ZaloError(code, f"{method}: {description}".replace(self._token, "***"))

    async def get_me(self) -> dict[str, Any]:
        """The bot's account; a wrong token raises ZaloError (401/404 or `ok: false`)."""
        result = await self.call("getMe")
        if not isinstance(result, dict):
            raise ZaloError(400, "getMe: unexpected answer")
        return result

    async def get_updates(self, timeout: float = 30) -> ZaloUpdate | None:
        """Wait up to `timeout` seconds for the next update; None when nothing came (HTTP 408) or the update
        is not one this bot understands."""
        try:
            result = await self.call("getUpdates", {"timeout": str(int(timeout))}, timeout=timeout + 10)
        except ZaloError as exc:
            if exc.error_code == IDLE:
                return None
            raise
        update = parse_update(result)
        if update is None and result:
            log.info("ignored an update of an unknown shape")
        return update

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        result = await self.call("sendMessage", {"chat_id": chat_id, "text": text})
        return result if isinstance(result, dict) else {}

    async def send_photo(self, chat_id: str, url: str, caption: str = "") -> dict[str, Any]:
        payload = {"chat_id": chat_id, "photo": url}
        if caption:
            payload["caption"] = caption
        result = await self.call("sendPhoto", payload)
        return result if isinstance(result, dict) else {}

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def set_webhook(self, url: str, secret_token: str) -> None:
        if not 8 <= len(secret_token) <= 256:
            raise ValueError("secret_token must be 8 to 256 characters")
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")

    async def get_webhook_info(self) -> dict[str, Any]:
        result = await self.call("getWebhookInfo")
        return result if isinstance(result, dict) else {}
