"""`python -m tests.workers_app PORT`: bot/web/workers.py's Workers serving a bare ASGI app on one port with 2
workers (no database, no channel), for tests/test_workers.py."""

from __future__ import annotations

import asyncio
import sys

import uvicorn

from bot.cli import listening_socket
from bot.web.workers import Workers, tag_responses


async def hello(scope, receive, send) -> None:
    assert scope["type"] == "http"
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


def main() -> None:
    sock = listening_socket("127.0.0.1", int(sys.argv[1]), "workers_app")

    def work(number: int) -> None:
        config = uvicorn.Config(tag_responses(hello), log_config=None, lifespan="off", log_level="warning")
        asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))

    raise SystemExit(Workers(2, work, command="workers_app", backoff=0.2).run())


if __name__ == "__main__":
    main()
