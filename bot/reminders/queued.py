"""Rows queued for sending by the sweep (shared documents, meeting notices): claim → send → confirm.

A row is claimed by one compare-and-set on its ``claimed_at``, sent as ONE message, and confirmed right after the
send with no other await in between. A row claimed and never confirmed is sent again by a sweep of a later process
(its claim is older than the process) or by this process after a transient failure; a claim of another process
running now is left to it. So a kill between claim and confirm resends at most the row in flight, and no row is
lost. With several workers (the store's ``claim_lease``, bot/reminders/lease.py) another worker's claim is left to it
until it is older than the lease, and a row is claimed just before its send. A chat refusing the bot for good (Undeliverable) has its row deleted. No quiet hours: the user asked for the
sending, the rows go at the next sweep. Each chat's rows go in order; chats are served side by side.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from bot.messages import Outgoing
from bot.reminders.lease import Taken, expired
from bot.reminders.pacer import Pacer, Undeliverable, paced_send
from bot.store import Store

log = logging.getLogger(__name__)

MAX_FAILURES = 5  # consecutive transient failures that end this sweep's sending of a queue (the rest waits)


class Queued(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def chat_id(self) -> str: ...
    @property
    def claimed_at(self) -> str | None: ...


Row = TypeVar("Row", bound=Queued)


@dataclass
class QueueResult:
    sent: int = 0
    failed: int = 0
    refused: int = 0


def _instant(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


class QueuedSender(Generic[Row]):
    """The queued rows of one channel (and chat, when given), sent once each. A queue names its table and says
    how its rows are listed and written as a message."""

    what = "row"  # for the log
    table = ""  # its queue in the store (bot/store/base.py QUEUES)

    def __init__(self, store: Store, channel: str, chat_id: str | None, started: datetime) -> None:
        self.store = store
        self.channel = channel
        self.chat_id = chat_id
        self.started = started
        self.lease = store.claim_lease
        self._mine: set[int] = set()  # claimed by this process, not confirmed yet

    async def pending(self) -> list[Row]:
        raise NotImplementedError

    async def message(self, row: Row) -> Outgoing | None:
        """The message of a row; None when what it sends is gone (the row is dropped)."""
        raise NotImplementedError

    def _ours(self, row: Row) -> bool:
        """May this process claim the row: never claimed, claimed by an earlier process, or by us; under a lease,
        ours (a failed send), never claimed, or its claim expired."""
        if self.lease is not None:
            return row.id in self._mine or expired(row.claimed_at, self.lease)
        if row.claimed_at is None or row.id in self._mine:
            return True
        claimed = _instant(row.claimed_at)
        return claimed is None or claimed < self.started

    async def deliver(self, send: Callable[[str, Outgoing], Awaitable[None]], pacer: Pacer,
                      keep_going: Callable[[], bool], concurrency: int) -> QueueResult:
        result = QueueResult()
        by_chat: dict[str, list[Row]] = defaultdict(list)
        for row in await self.pending():
            if self._ours(row):
                by_chat[row.chat_id].append(row)
        gate = asyncio.Semaphore(concurrency)
        failures = 0

        async def serve(rows: list[Row]) -> None:
            nonlocal failures
            async with gate:
                for row in rows:
                    if failures >= MAX_FAILURES or not keep_going():
                        return
                    if self.lease is None:
                        if not await self.store.claim_queued(self.table, row.id, row.claimed_at):
                            continue  # another sweep took it meanwhile
                        self._mine.add(row.id)
                    out = await self.message(row)
                    if out is None:
                        if self.lease is None or await self.store.claim_queued(self.table, row.id, row.claimed_at):
                            await self._drop(row)
                        continue
                    error = await paced_send(pacer, send if self.lease is None else self._held(row, send),
                                             row.chat_id, out)
                    if isinstance(error, Taken):
                        continue  # another worker took it meanwhile
                    if isinstance(error, Undeliverable):
                        log.warning("%s %s to %s:%s refused: %s", self.what, row.id, self.channel, row.chat_id, error)
                        await self._drop(row)
                        result.refused += 1
                        continue
                    if error is not None:
                        failures += 1
                        result.failed += 1
                        log.warning("%s %s to %s:%s not sent (retried next sweep): %r", self.what, row.id,
                                    self.channel, row.chat_id, error)
                        return  # this chat's next rows wait too, to keep their order
                    await self.store.confirm_queued(self.table, row.id)  # at once: the only await between the server's answer and this write
                    failures = 0
                    self._mine.discard(row.id)
                    result.sent += 1

        await asyncio.gather(*(serve(rows) for rows in by_chat.values()))
        return result

    def _held(self, row: Row, send: Callable[[str, Outgoing], Awaitable[None]]) -> Callable[[str, Outgoing],
                                                                                         Awaitable[None]]:
        """Under a lease: `send`, after claiming the row (a compare-and-set from the claim it was listed with)."""
        async def held(chat_id: str, out: Outgoing) -> None:
            if not await self.store.claim_queued(self.table, row.id, row.claimed_at):
                raise Taken(str(row.id))
            self._mine.add(row.id)
            await send(chat_id, out)

        return held

    async def _drop(self, row: Row) -> None:
        await self.store.drop_queued(self.table, row.id)
        self._mine.discard(row.id)
