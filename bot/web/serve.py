"""`chibo serve`: one ASGI application that runs every channel whose token is set, beside the web pages.

`serve_app(store, settings, clock, channels)` composes bot/web/app.py's pages (/healthz, /d/<token>) with
the channels, started and stopped by the Starlette lifespan inside uvicorn's event loop:

- Zalo: long polling when CHIBO_PUBLIC_URL is not https; with https, `setWebhook(<CHIBO_PUBLIC_URL>/zalo)`.
  `POST /zalo` is served in both modes: the header X-Bot-Api-Secret-Token must equal CHIBO_WEBHOOK_SECRET
  (constant-time compare; 403 otherwise, and always when no secret is set), the body is at most 1 MiB (413),
  JSON (400), bare or wrapped in {ok, result}; it is answered 200 at once and the update is answered in its
  chat's order by the channel. A document in a Zalo reply carries its signed link (bot/links.py).
- Telegram: long polling, or with https `setWebhook(<CHIBO_PUBLIC_URL>/telegram)` and `POST /telegram`
  (bot/channels/webhook.py's `accept`, shared with `chibo telegram --webhook-url`).

Each channel runs its reminder sweep. `Channels.deliver(incoming)` hands a message from elsewhere (the
upload page) to the channel of its chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from bot import redact
from bot.clock import Clock
from bot.config import Settings
from bot.links import document_link
from bot.messages import Incoming, OutDocument, OutPicture
from bot.pictures import picture_link
from bot.store import Store
from bot.web.app import create_app
from bot.web.upload import upload_routes

if TYPE_CHECKING:
    from telegram.ext import Application

    from bot.channels.zalo import ZaloChannel

log = logging.getLogger(__name__)

ZALO_SECRET_HEADER = "X-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # an update is small; nothing bigger is read
ZALO, TELEGRAM = "zalo", "telegram"


def webhook_mode(settings: Settings) -> bool:
    """Webhooks need a public HTTPS address (a reverse proxy in front of `chibo serve`); else long polling."""
    return settings.public_url.lower().startswith("https://")


def webhook_secret(settings: Settings) -> str:
    """CHIBO_WEBHOOK_SECRET, or one made for this run (webhook mode needs one; it is redacted from logs)."""
    secret = settings.webhook_secret or secrets.token_urlsafe(32)
    redact.remember(secret)
    return secret


Deliver = Callable[[Incoming], Awaitable[None]]


@dataclass
class Channels:
    """The channels running, by name, each with the `deliver(incoming)` of its chats."""

    delivers: dict[str, Deliver] = field(default_factory=dict)

    def names(self) -> list[str]:
        return sorted(self.delivers)

    async def deliver(self, inc: Incoming) -> None:
        """Answer `inc` as a message of its chat and send the replies through its channel."""
        send = self.delivers.get(inc.channel)
        if send is None:
            raise LookupError(f"channel {inc.channel} is not running")
        await send(inc)


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes | None:
    """The body, or None when it is over `limit` bytes (declared or streamed: nothing more is read)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _status(status: HTTPStatus) -> JSONResponse:
    return JSONResponse({"ok": status == HTTPStatus.OK}, status_code=status)


async def webhook_body(request: Request, header: str, secret: str) -> bytes | Response:
    """The body of a webhook request whose secret header matches (constant time), or the refusal: 403
    without the secret, 400 when the sender goes away, 413 over MAX_BODY."""
    from bot.channels import webhook

    if not webhook.secret_ok(request.headers.get(header), secret):
        return _status(HTTPStatus.FORBIDDEN)
    try:
        body = await read_body(request)
    except ClientDisconnect:
        return _status(HTTPStatus.BAD_REQUEST)
    return _status(HTTPStatus.REQUEST_ENTITY_TOO_LARGE) if body is None else body


# -- Zalo ---------------------------------------------------------------------------------------

def zalo_route(channel: ZaloChannel, secret: str) -> Route:
    from bot.channels.zalo_api import parse_update

    async def post(request: Request) -> Response:
        body = await webhook_body(request, ZALO_SECRET_HEADER, secret)
        if isinstance(body, Response):
            return body
        try:
            data: Any = json.loads(body)
        except ValueError:
            log.warning("zalo webhook: a body that is not JSON was refused (%d bytes)", len(body))
            return _status(HTTPStatus.BAD_REQUEST)
        update = parse_update(data)
        if update is None:
            log.info("zalo webhook: an update that is not a message was ignored")
        else:
            channel.dispatch(update)  # answered in the chat's order, after this 200
        return _status(HTTPStatus.OK)

    return Route("/zalo", post, methods=["POST"])


def zalo_channel(store: Store, settings: Settings, clock: Clock) -> ZaloChannel:
    from bot.channels.zalo import ZaloChannel
    from bot.channels.zalo_api import ZaloBot
    from handlers.router import Assistant

    async def link(doc: OutDocument) -> str | None:
        if doc.unit_id is None or doc.doc_id is None:
            return None
        return await document_link(store, settings, doc.unit_id, doc.doc_id, clock.now())

    async def picture(picture: OutPicture, user_id: str) -> str | None:
        return await picture_link(store, settings, picture.data, ZALO, user_id, clock.now())

    bot = ZaloBot(settings.zalo_token, settings.zalo_api_base)
    return ZaloChannel(bot, Assistant(store, clock, settings=settings), document_link=link if settings.public_url else None,
                       photos=webhook_mode(settings),  # a public https address: Zalo can fetch the pictures
                       picture_link=picture if settings.public_url else None)


@contextlib.asynccontextmanager
async def running_zalo(channel: ZaloChannel, settings: Settings, secret: str) -> AsyncIterator[None]:
    from bot.channels.zalo_api import ZaloError

    await channel.start()
    polling: asyncio.Task[None] | None = None
    try:
        if webhook_mode(settings):
            await channel.bot.set_webhook(f"{settings.public_url}/zalo", secret)
            log.info("zalo: webhook set to %s/zalo", settings.public_url)
        else:
            try:
                await channel.bot.delete_webhook()  # getUpdates is refused while a webhook is set
            except ZaloError as exc:
                log.info("zalo: deleteWebhook refused (%s)", exc.error_code)
            polling = asyncio.create_task(channel.poll_forever(), name="zalo-polling")
        yield
    finally:
        if polling is not None:
            polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await polling
        await channel.stop()
        await channel.bot.close()


# -- Telegram -----------------------------------------------------------------------------------

def telegram_route(app: Application, secret: str) -> Route:
    from bot.channels import webhook

    async def post(request: Request) -> Response:
        body = await webhook_body(request, webhook.SECRET_HEADER, secret)
        if isinstance(body, Response):
            return body
        return _status(await webhook.accept(app, secret, request.headers.get(webhook.SECRET_HEADER), body))

    return Route("/telegram", post, methods=["POST"])


@contextlib.asynccontextmanager
async def running_telegram(app: Application, settings: Settings, secret: str) -> AsyncIterator[None]:
    from telegram import Update

    from bot.channels import webhook

    hooked = webhook_mode(settings)
    await webhook.start_application(app, poll=not hooked)
    try:
        if hooked:
            await app.bot.set_webhook(f"{settings.public_url}/telegram", secret_token=secret,
                                      allowed_updates=list(Update.ALL_TYPES))
            log.info("telegram: webhook set to %s/telegram", settings.public_url)
        yield
    finally:
        await webhook.stop_application(app)


# -- the application ----------------------------------------------------------------------------

def serve_app(store: Store, settings: Settings, clock: Clock, *, zalo: bool, telegram: bool) -> Starlette:
    """The application of `chibo serve`: the pages, and the channels asked for (their tokens checked)."""
    from bot.web.app import SecurityHeaders

    channels = Channels()
    secret = webhook_secret(settings) if webhook_mode(settings) else settings.webhook_secret
    routes: list[BaseRoute] = []
    starting: list[Callable[[], contextlib.AbstractAsyncContextManager[None]]] = []
    if zalo:
        zc = zalo_channel(store, settings, clock)
        routes.append(zalo_route(zc, secret))
        channels.delivers[ZALO] = zc.deliver
        starting.append(lambda: running_zalo(zc, settings, secret))
    if telegram:
        from bot.channels.telegram import build_application, deliver
        from handlers.router import Assistant

        tg = build_application(settings, Assistant(store, clock, settings=settings))
        routes.append(telegram_route(tg, secret))
        channels.delivers[TELEGRAM] = lambda inc: deliver(tg, inc)
        starting.append(lambda: running_telegram(tg, settings, secret))
    routes += upload_routes(store, settings, clock, channels.deliver)  # the file goes to its chat's channel
    pages = create_app(store, settings, clock)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            for start in starting:
                await stack.enter_async_context(start())
            log.info("serving with channels: %s", ", ".join(channels.names()) or "none")
            yield

    app = Starlette(routes=[*routes, Mount("/", app=pages)], lifespan=lifespan)
    app.state.channels = channels
    app.add_middleware(SecurityHeaders)
    return app
