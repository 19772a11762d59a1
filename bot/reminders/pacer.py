"""Pacing bulk sends under a platform's rate limit, and sending one message within it."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

from bot.messages import Outgoing


class Undeliverable(Exception):
    """Raised by a sender when the chat refuses the message for good (blocked, kicked, not found)."""


class Pacer:
    """At most `rate` sends per second, counted the way a server's sliding window counts them, but safe.

    A send may start when fewer than `rate` sends are in flight or have *finished* within the last
    ``1 s + MARGIN``. Counting finished sends from their end (not their start) means a send can reach the
    server no earlier than one window after the one it replaces, whatever the network's jitter. And when
    the bot's rate limiter holds requests (after a 429 it pauses them all), those stay in flight and keep
    their places, so they are not followed by a fresh burst when the pause ends. Sends are also spaced by
    at least half the mean interval, so the first second is not one burst. No `rate`: no pacing.
    """

    MARGIN = 0.02

    def __init__(self, rate: float | None) -> None:
        self.limit = max(1, int(rate)) if rate else 0
        self.span = 1.0 + self.MARGIN
        self.gap = 0.5 / rate if rate else 0.0
        self._finished: deque[float] = deque()
        self._in_flight = 0
        self._last = float("-inf")
        self._changed = asyncio.Event()

    async def acquire(self) -> None:
        if not self.limit:
            return
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            while self._finished and now - self._finished[0] >= self.span:
                self._finished.popleft()
            full = self._in_flight + len(self._finished) >= self.limit
            if not full and now >= self._last + self.gap:
                break
            if full and not self._finished:  # all in flight: wait for one to finish
                self._changed.clear()
                await self._changed.wait()
                continue
            wake = max(self._last + self.gap, self._finished[0] + self.span if full else now)
            await asyncio.sleep(wake - now)
        self._in_flight += 1
        self._last = now

    def release(self) -> None:
        """A send acquired with `acquire` is over (answered, failed or cancelled)."""
        if not self.limit:
            return
        self._in_flight -= 1
        self._finished.append(asyncio.get_running_loop().time())
        self._changed.set()


async def paced_send(pacer: Pacer, send: Callable[[str, Outgoing], Awaitable[None]], chat_id: str,
                     out: Outgoing) -> Exception | None:
    """Send one message within the pacer's rate: None when it was sent, else the error — `Undeliverable`
    when the chat refuses the bot for good, any other Exception when it may work later. Cancellation
    propagates."""
    await pacer.acquire()
    try:
        await send(chat_id, out)
    except Exception as exc:
        return exc
    finally:
        pacer.release()
    return None
