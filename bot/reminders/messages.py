"""The sweep's fourth job: deliver the messages queued for accounts of its channel (bot/store/messages_out.py), once
each (bot/reminders/queued.py), with their buttons."""

from __future__ import annotations

from bot.messages import Choice, Outgoing
from bot.reminders.queued import QueuedSender
from bot.store.records import OutMessage


class MessageSender(QueuedSender[OutMessage]):
    what = "message"

    async def pending(self) -> list[OutMessage]:
        return await self.store.pending_messages(self.channel, self.chat_id)

    async def claim(self, row: OutMessage) -> bool:
        return await self.store.claim_message(row.id, row.claimed_at)

    async def message(self, row: OutMessage) -> Outgoing | None:
        return Outgoing(text=row.text, choices=[Choice(label, value) for label, value in row.choices])

    async def confirm(self, row: OutMessage) -> None:
        await self.store.confirm_message(row.id)

    async def drop(self, row: OutMessage) -> None:
        await self.store.drop_message(row.id)
