"""The webhook server of the Telegram channel (`chibo telegram --webhook-url`), and what `chibo serve` shares
with it: `accept` (one webhook request) and `start_application` / `stop_application`.

Our own small tornado server in place of python-telegram-bot's, which answers a body that is not JSON
with HTTP 500 and a traceback, and logs an update it cannot parse at CRITICAL with the raw data (the
user's text). Here: a wrong or missing secret is 403, a body that is not an update is 400 with one
WARNING line that quotes nothing, a good update goes to the Application's queue and is 200.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from http import HTTPStatus

import tornado.web
from telegram import Update
from telegram.ext import Application, ExtBot
from tornado.httpserver import HTTPServer

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # an update is small; files are fetched separately


def secret_ok(given: str | None, secret: str) -> bool:
    """The secret header of a request, compared in constant time (an empty secret accepts nothing)."""
    return bool(secret) and hmac.compare_digest((given or "").encode(), secret.encode())


async def accept(app: Application, secret: str, given: str | None, body: bytes) -> HTTPStatus:
    """One webhook request to the Application: 403 without the secret, 400 for a body that is not an update
    (one WARNING line that quotes nothing), else the update queued for the Application and 200. Shared by
    this server (`chibo telegram --webhook-url`) and `chibo serve` (bot/web/serve.py)."""
    if not secret_ok(given, secret):
        return HTTPStatus.FORBIDDEN
    if len(body) > MAX_BODY:
        return HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    try:
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        update = Update.de_json(data, app.bot)
    except Exception as exc:  # noqa: BLE001 - whatever the body, a bad request, never a 500
        log.warning("webhook: a request that is not a Telegram update was refused (%s, %d bytes)",
                    type(exc).__name__, len(body))
        return HTTPStatus.BAD_REQUEST
    if isinstance(app.bot, ExtBot):
        app.bot.insert_callback_data(update)
    await app.update_queue.put(update)
    return HTTPStatus.OK


def answer_body(status: HTTPStatus) -> str:
    return json.dumps({"ok": status == HTTPStatus.OK})


class UpdateHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, app: Application, secret: str) -> None:
        self.app = app
        self.secret = secret

    async def post(self) -> None:
        status = await accept(self.app, self.secret, self.request.headers.get(SECRET_HEADER), self.request.body)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(answer_body(status))


class WebhookApp(tornado.web.Application):
    def __init__(self, app: Application, path: str, secret: str):
        super().__init__([(rf"/{path.strip('/')}/?", UpdateHandler, {"app": app, "secret": secret})])

    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """Silent: the access log would only repeat what the bot logs itself."""


def start_server(app: Application, *, listen: str, port: int, path: str, secret: str) -> HTTPServer:
    """Serve the webhook on listen:port/path in the running loop; `port=0` picks a free port."""
    server = HTTPServer(WebhookApp(app, path, secret), max_body_size=MAX_BODY)
    server.listen(port, address=listen)
    return server


def bound_port(server: HTTPServer) -> int:
    return next(iter(server._sockets.values())).getsockname()[1]


async def serve(app: Application, *, listen: str, port: int, path: str, url: str, secret: str,
                allowed_updates: list[str]) -> None:
    """Run the Application behind the webhook until SIGINT or SIGTERM (as `Application.run_webhook`)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await start_application(app)
    try:
        server = start_server(app, listen=listen, port=port, path=path, secret=secret)
        try:
            await app.bot.set_webhook(url, secret_token=secret, allowed_updates=allowed_updates)
            log.info("webhook listening on %s:%d", listen, bound_port(server))
            await stop.wait()
        finally:
            server.stop()
            await server.close_all_connections()
    finally:
        await stop_application(app)


async def start_application(app: Application, *, poll: bool = False) -> None:
    """Initialize and start the Application in the running loop (its post_init run as `run_*` would);
    `poll`: fetch updates by long polling, else they come through `accept`."""
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    if poll and app.updater is not None:
        await app.updater.start_polling(allowed_updates=list(Update.ALL_TYPES))
    await app.start()


async def stop_application(app: Application) -> None:
    """Stop polling if it runs, finish the updates in hand, shut down (post_shutdown run)."""
    try:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
