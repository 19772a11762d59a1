"""The sweep's fourth job: deliver the messages queued for accounts of its channel (bot/store/messages_out.py), once
each (bot/reminders/queued.py), with their buttons."""

from __future__ import annotations

from bot.messages import Choice, Outgoing
from bot.reminders.queued import QueuedSender
from bot.store.records import OutMessage


class MessageSender(QueuedSender[OutMessage]):
    what = "message"
    table = "messages_out"

    async def pending(self) -> list[OutMessage]:
        return await self.store.pending_messages(self.channel, self.chat_id)

    async def message(self, row: OutMessage) -> Outgoing | None:
        return Outgoing(text=row.text, choices=[Choice(label, value) for label, value in row.choices])
