"""The webhook server of the Telegram channel (`chibo telegram --webhook-url`).

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


class UpdateHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, app: Application, secret: str) -> None:
        self.app = app
        self.secret = secret.encode()

    async def post(self) -> None:
        given = (self.request.headers.get(SECRET_HEADER) or "").encode()
        if not hmac.compare_digest(given, self.secret):
            self._answer(HTTPStatus.FORBIDDEN)
            return
        try:
            data = json.loads(self.request.body)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            update = Update.de_json(data, self.app.bot)
        except Exception as exc:  # noqa: BLE001 - whatever the body, a bad request, never a 500
            log.warning("webhook: a request that is not a Telegram update was refused (%s, %d bytes)",
                        type(exc).__name__, len(self.request.body))
            self._answer(HTTPStatus.BAD_REQUEST)
            return
        if isinstance(self.app.bot, ExtBot):
            self.app.bot.insert_callback_data(update)
        await self.app.update_queue.put(update)
        self._answer(HTTPStatus.OK)

    def _answer(self, status: HTTPStatus) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"ok": status == HTTPStatus.OK}))


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
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        server = start_server(app, listen=listen, port=port, path=path, secret=secret)
        try:
            await app.bot.set_webhook(url, secret_token=secret, allowed_updates=allowed_updates)
            await app.start()
            log.info("webhook listening on %s:%d", listen, bound_port(server))
            await stop.wait()
            await app.stop()
        finally:
            server.stop()
            await server.close_all_connections()
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
