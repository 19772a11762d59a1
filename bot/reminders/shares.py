"""The sweep's second job: deliver the outbox's shared documents of its channel (bot/sharing.py).

Claim → send → confirm, as for reminders: a row is claimed by one compare-and-set on ``claimed_at``
(``Store.claim_share``), sent as ONE message (on Telegram the .docx with the text as its caption, on
Zalo the text and the document's line with its link), and confirmed right after the send with no other
await in between. A row claimed and never confirmed is sent again by a sweep of a later process (its
claim is older than the process) or by this process after a transient failure; a claim of another
process running now is left to it. So a kill between claim and confirm resends at most the row in
flight, and no row is lost. A chat refusing the bot for good (Undeliverable) has its row deleted. No
quiet hours: sharing is asked for by the user, the rows go at the next sweep.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.messages import OutDocument, Outgoing
from bot.reminders.pacer import Pacer, Undeliverable, paced_send
from bot.store import OutboxItem, Store

log = logging.getLogger(__name__)

MAX_FAILURES = 5  # consecutive transient failures that end this sweep's sharing (the rest waits)


@dataclass
class ShareResult:
    sent: int = 0
    failed: int = 0
    refused: int = 0


def _instant(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


class ShareSender:
    """The outbox rows of one channel (and chat, when given), sent once each."""

    def __init__(self, store: Store, channel: str, chat_id: str | None, started: datetime) -> None:
        self.store = store
        self.channel = channel
        self.chat_id = chat_id
        self.started = started
        self._mine: set[int] = set()  # claimed by this process, not confirmed yet

    def _ours(self, item: OutboxItem) -> bool:
        """May this process claim the row: never claimed, claimed by an earlier process, or by us."""
        if item.claimed_at is None or item.id in self._mine:
            return True
        claimed = _instant(item.claimed_at)
        return claimed is None or claimed < self.started

    async def message(self, item: OutboxItem) -> Outgoing | None:
        doc = await self.store.document(item.unit_id, item.doc_id)
        if doc is None or doc.content is None:
            return None
        return Outgoing(text=item.text, document=OutDocument(doc.filename, doc.content, item.text,
                                                             unit_id=doc.unit_id, doc_id=doc.id))

    async def deliver(self, send: Callable[[str, Outgoing], Awaitable[None]], pacer: Pacer,
                      keep_going: Callable[[], bool], concurrency: int) -> ShareResult:
        result = ShareResult()
        by_chat: dict[str, list[OutboxItem]] = defaultdict(list)
        for item in await self.store.pending_shares(self.channel, self.chat_id):
            if self._ours(item):
                by_chat[item.chat_id].append(item)
        gate = asyncio.Semaphore(concurrency)
        failures = 0

        async def serve(items: list[OutboxItem]) -> None:
            nonlocal failures
            async with gate:
                for item in items:
                    if failures >= MAX_FAILURES or not keep_going():
                        return
                    if not await self.store.claim_share(item.id, item.claimed_at):
                        continue  # another sweep took it meanwhile
                    self._mine.add(item.id)
                    out = await self.message(item)
                    if out is None:
                        await self._drop(item)
                        continue
                    error = await paced_send(pacer, send, item.chat_id, out)
                    if isinstance(error, Undeliverable):
                        log.warning("shared document %s to %s:%s refused: %s", item.doc_id, self.channel,
                                    item.chat_id, error)
                        await self._drop(item)
                        result.refused += 1
                        continue
                    if error is not None:
                        failures += 1
                        result.failed += 1
                        log.warning("shared document %s to %s:%s not sent (retried next sweep): %r", item.doc_id,
                                    self.channel, item.chat_id, error)
                        return  # this chat's next rows wait too, to keep their order
                    # Confirm at once: the only await between the server's answer and this write.
                    await self.store.confirm_share(item.id)
                    failures = 0
                    self._mine.discard(item.id)
                    result.sent += 1

        await asyncio.gather(*(serve(items) for items in by_chat.values()))
        return result

    async def _drop(self, item: OutboxItem) -> None:
        await self.store.drop_share(item.id)
        self._mine.discard(item.id)
