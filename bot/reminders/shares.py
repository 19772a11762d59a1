"""The sweep's second job: deliver the outbox's shared documents of its channel (bot/sharing.py), queued rows
sent once each (bot/reminders/queued.py): on Telegram the .docx with the text as its caption, on Zalo the text and
the document's line with its link."""

from __future__ import annotations

from bot.messages import OutDocument, Outgoing
from bot.reminders.queued import QueuedSender
from bot.store import OutboxItem


class ShareSender(QueuedSender[OutboxItem]):
    what = "shared document"
    table = "outbox"

    async def pending(self) -> list[OutboxItem]:
        return await self.store.pending_shares(self.channel, self.chat_id)

    async def message(self, row: OutboxItem) -> Outgoing | None:
        doc = await self.store.document(row.unit_id, row.doc_id)
        if doc is None or doc.content is None:
            return None
        return Outgoing(text=row.text, document=OutDocument(doc.filename, doc.content, row.text,
                                                            unit_id=doc.unit_id, doc_id=doc.id))
