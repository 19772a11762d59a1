"""The real python-telegram-bot Application wired to the fake Bot API server, for tests and benchmarks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from telegram.ext import Application

from bot.channels.telegram import build_application
from bot.clock import Clock
from bot.config import Settings, load_settings
from bot.store import Store
from handlers.router import Assistant
from tests.fakes.telegram import FakeTelegram, Sent

QUIET = 0.12  # seconds without a new message that end a bot's turn when the bot runs in another process

# The update ids each fake's in-process bots have finished handling, across restarts of the bot.
_handled: WeakKeyDictionary[FakeTelegram, set[int]] = WeakKeyDictionary()


def settings_for(fake: FakeTelegram, **extra: str) -> Settings:
    return load_settings({"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE": fake.base_url, **extra})


def _track_handled(app: Application, handled: set[int]) -> None:
    """Record each update's id once the Application has finished handling it (replies sent)."""
    processor = app.update_processor
    process = processor.do_process_update

    async def do_process_update(update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await process(update, coroutine)
        finally:
            update_id = getattr(update, "update_id", None)
            if update_id is not None:
                handled.add(update_id)

    processor.do_process_update = do_process_update  # type: ignore[method-assign]


@asynccontextmanager
async def running_bot(fake: FakeTelegram, db_path: str, clock: Clock,
                      first_sweep: float | None = None) -> AsyncIterator[Application]:
    """Start store, assistant and Application with long polling; stop them all on exit.

    `first_sweep`: seconds after the start when the reminder job first runs (default: as in production)."""
    store = await Store.open(db_path)
    app = build_application(settings_for(fake), Assistant(store, clock))
    _track_handled(app, _handled.setdefault(fake, set()))
    try:
        async with app:
            await app.post_init(app)  # as run_polling() does
            await app.start()
            if first_sweep is not None and app.job_queue is not None:
                when = datetime.now(UTC) + timedelta(seconds=first_sweep)
                for job in app.job_queue.get_jobs_by_name("reminders"):
                    job.job.modify(next_run_time=when)
            await app.updater.start_polling(poll_interval=0, timeout=1)
            try:
                yield app
            finally:
                await app.updater.stop()
                await app.stop()
    finally:
        await store.close()


class TgUser:
    """A person in a private chat with the bot."""

    def __init__(self, fake: FakeTelegram, chat_id: int, name: str = "Test"):
        self.fake = fake
        self.chat_id = chat_id
        self.name = name
        self.seen = 0

    async def turn(self) -> list[Sent]:
        """Wait for the bot's replies to the last message: at least one, then the end of the bot's work.

        With the bot in this process (`running_bot`) the turn ends when the bot has handled every update
        pushed so far; otherwise when no new message has come for QUIET seconds."""
        messages = await self.fake.wait_sent(self.chat_id, self.seen + 1, timeout=10)
        handled = _handled.get(self.fake)
        if handled is not None:
            pushed = range(1, self.fake.last_update_id + 1)
            for _ in range(2000):
                if handled.issuperset(pushed):
                    break
                await asyncio.sleep(0.005)
            else:
                raise AssertionError(f"the bot did not handle updates {set(pushed) - handled} within 10 s")
            messages = self.fake.messages_to(self.chat_id)
        else:
            while True:
                await asyncio.sleep(QUIET)
                now = self.fake.messages_to(self.chat_id)
                if len(now) == len(messages):
                    break
                messages = now
        new, self.seen = messages[self.seen:], len(messages)
        return new

    async def say(self, text: str) -> str:
        self.fake.push_text(self.chat_id, text, first_name=self.name)
        return "\n".join(m.text or m.caption or "" for m in await self.turn())

    def last_with_buttons(self) -> Sent:
        return next(m for m in reversed(self.fake.messages_to(self.chat_id)) if m.buttons)

    async def tap(self, label: str) -> str:
        message = self.last_with_buttons()
        button = next((b for b in message.buttons if b["text"] == label), None)
        assert button is not None, f"no button {label!r} in {[b['text'] for b in message.buttons]}"
        self.fake.push_callback(self.chat_id, message.message_id, button["callback_data"])
        return "\n".join(m.text or m.caption or "" for m in await self.turn())
