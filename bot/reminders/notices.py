"""The sweep's third job: deliver the meeting notices of its channel (bot/store/notices.py), queued rows sent once
each (bot/reminders/queued.py). A member's private chat gets the notice with the two answers as buttons ("Tôi sẽ
dự", "Xin vắng"); a linked group the notice alone. No quiet hours: the manager sent it now."""

from __future__ import annotations

from bot.messages import Choice, Outgoing
from bot.reminders.queued import QueuedSender
from bot.store.records import NoticeSend

CHOICE_PREFIX = "notice:"  # a button's value: "notice:<id>:attend" or "notice:<id>:absent"
ATTEND, ABSENT = "attend", "absent"
ANSWER_HINT = ("Xin đồng chí bấm “Tôi sẽ dự” hoặc “Xin vắng”; nếu vắng, nhắn lý do, ví dụ “vắng, lý do đi công tác”.")


def answer_choices(notice_id: int) -> list[Choice]:
    return [Choice("Tôi sẽ dự", f"{CHOICE_PREFIX}{notice_id}:{ATTEND}"),
            Choice("Xin vắng", f"{CHOICE_PREFIX}{notice_id}:{ABSENT}")]


class NoticeSender(QueuedSender[NoticeSend]):
    what = "notice send"
    table = "notice_sends"

    async def pending(self) -> list[NoticeSend]:
        return await self.store.pending_notice_sends(self.channel, self.chat_id)

    async def message(self, row: NoticeSend) -> Outgoing | None:
        notice = await self.store.notice(row.unit_id, row.notice_id)
        if notice is None:
            return None
        if not row.private:
            return Outgoing(text=notice.text)
        return Outgoing(text=f"{notice.text}\n\n{ANSWER_HINT}", choices=answer_choices(notice.id))
