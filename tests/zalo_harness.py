"""The real Zalo channel (bot/channels/zalo.py) polling the fake Zalo Bot API, for tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

from bot.channels.zalo import ZaloChannel
from bot.channels.zalo_api import ZaloBot, ZaloUpdate
from bot.clock import Clock
from bot.store import Store
from handlers.router import Assistant
from tests.fakes.zalo import FakeZalo


class ZaloRun:
    """A running channel; `say` is a user's message and the bot's whole answer to it."""

    def __init__(self, fake: FakeZalo, channel: ZaloChannel, store: Store):
        self.fake = fake
        self.channel = channel
        self.store = store
        self.handled: list[str] = []  # message ids whose answer was sent, in order
        self.replies: list[int] = []  # how many Outgoing items each answered message had

    async def wait_handled(self, message_id: str, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while message_id not in self.handled:
            if time.monotonic() > deadline:
                raise TimeoutError(f"message {message_id} not answered")
            await asyncio.sleep(0.01)

    async def say(self, chat_id: str, text: str, **kw) -> list[str]:
        """Push `text` as a message of `chat_id`, wait for the answer, return the messages it sent."""
        before = len(self.fake.messages_to(chat_id))
        message_id = self.fake.push_text(chat_id, text, **kw)
        await self.wait_handled(message_id)
        return self.fake.messages_to(chat_id)[before:]


@asynccontextmanager
async def running_zalo(fake: FakeZalo, db_path: str | Path, clock: Clock | None = None,
                       first_sweep: float = 3600) -> AsyncIterator[ZaloRun]:
    store = await Store.open(str(db_path))
    bot = ZaloBot(fake.token, fake.base_url)
    channel = ZaloChannel(bot, Assistant(store, clock or Clock()), poll_timeout=1, backoff=lambda attempt: 0.05)
    run = ZaloRun(fake, channel, store)
    answer = channel.answer

    async def tracked(update: ZaloUpdate) -> None:
        try:
            await answer(update)
        finally:
            run.handled.append(update.message_id)

    channel.answer = tracked  # type: ignore[method-assign]
    handle = channel.assistant.handle

    async def counted(inc):
        replies = await handle(inc)
        run.replies.append(len(replies))
        return replies

    channel.assistant.handle = counted  # type: ignore[method-assign]
    task = asyncio.create_task(channel.run(first_sweep=first_sweep))
    try:
        yield run
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        await bot.close()
        await store.close()
