"""The sweep's third job: deliver the meeting notices of its channel (bot/store/notices.py).

The same claim → send → confirm as the outbox of shared documents (bot/reminders/shares.py): a row is
claimed by one compare-and-set, sent as ONE message, and confirmed right after the send with no other
await in between; a row claimed by an earlier process and never confirmed is sent again, one of another
process running now is left to it; a chat refusing the bot has its row deleted. A member's private chat
gets the notice with the two answers as buttons ("Tôi sẽ dự", "Xin vắng"); a linked group the notice
alone. No quiet hours: the manager sent it now.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.messages import Choice, Outgoing
from bot.reminders.pacer import Pacer, Undeliverable, paced_send
from bot.reminders.shares import MAX_FAILURES, ShareResult
from bot.store import Store
from bot.store.records import NoticeSend

log = logging.getLogger(__name__)

CHOICE_PREFIX = "notice:"  # a button's value: "notice:<id>:attend" or "notice:<id>:absent"
ATTEND, ABSENT = "attend", "absent"
ANSWER_HINT = ("Xin đồng chí bấm “Tôi sẽ dự” hoặc “Xin vắng”; nếu vắng, nhắn lý do, ví dụ “vắng, lý do đi công tác”.")


def answer_choices(notice_id: int) -> list[Choice]:
    return [Choice("Tôi sẽ dự", f"{CHOICE_PREFIX}{notice_id}:{ATTEND}"),
            Choice("Xin vắng", f"{CHOICE_PREFIX}{notice_id}:{ABSENT}")]


def _instant(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


class NoticeSender:
    """The notice rows of one channel (and chat, when given), sent once each."""

    def __init__(self, store: Store, channel: str, chat_id: str | None, started: datetime) -> None:
        self.store = store
        self.channel = channel
        self.chat_id = chat_id
        self.started = started
        self._mine: set[int] = set()

    def _ours(self, row: NoticeSend) -> bool:
        if row.claimed_at is None or row.id in self._mine:
            return True
        claimed = _instant(row.claimed_at)
        return claimed is None or claimed < self.started

    async def message(self, row: NoticeSend) -> Outgoing | None:
        notice = await self.store.notice(row.unit_id, row.notice_id)
        if notice is None:
            return None
        if not row.private:
            return Outgoing(text=notice.text)
        return Outgoing(text=f"{notice.text}\n\n{ANSWER_HINT}", choices=answer_choices(notice.id))

    async def deliver(self, send: Callable[[str, Outgoing], Awaitable[None]], pacer: Pacer,
                      keep_going: Callable[[], bool], concurrency: int) -> ShareResult:
        result = ShareResult()
        by_chat: dict[str, list[NoticeSend]] = defaultdict(list)
        for row in await self.store.pending_notice_sends(self.channel, self.chat_id):
            if self._ours(row):
                by_chat[row.chat_id].append(row)
        gate = asyncio.Semaphore(concurrency)
        failures = 0

        async def serve(rows: list[NoticeSend]) -> None:
            nonlocal failures
            async with gate:
                for row in rows:
                    if failures >= MAX_FAILURES or not keep_going():
                        return
                    if not await self.store.claim_notice_send(row.id, row.claimed_at):
                        continue
                    self._mine.add(row.id)
                    out = await self.message(row)
                    if out is None:
                        await self._drop(row)
                        continue
                    error = await paced_send(pacer, send, row.chat_id, out)
                    if isinstance(error, Undeliverable):
                        log.warning("notice %s to %s:%s refused: %s", row.notice_id, self.channel, row.chat_id, error)
                        await self._drop(row)
                        result.refused += 1
                        continue
                    if error is not None:
                        failures += 1
                        result.failed += 1
                        log.warning("notice %s to %s:%s not sent (retried next sweep): %r", row.notice_id,
                                    self.channel, row.chat_id, error)
                        return
                    await self.store.confirm_notice_send(row.id)  # the only await after the server's answer
                    failures = 0
                    self._mine.discard(row.id)
                    result.sent += 1

        await asyncio.gather(*(serve(rows) for rows in by_chat.values()))
        return result

    async def _drop(self, row: NoticeSend) -> None:
        await self.store.drop_notice_send(row.id)
        self._mine.discard(row.id)
