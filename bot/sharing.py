"""Sharing an issued document with the unit ("Gửi cho chi bộ"): who receives it, queued in the outbox.

Recipients: every group chat linked to the unit with /lienket (any channel), and, on each channel where
the unit has no linked group (Zalo, whose bot talks to one person at a time), every account of the unit
there, but not the one who shares (she has the document). One outbox row per (document, channel, chat):
sharing twice sends nothing twice. Each channel's reminder sweep delivers its own rows
(bot/reminders/shares.py) — on Telegram the .docx itself, on Zalo a line with the document's link —
at once, whatever the quiet hours: sharing is asked for by the user.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.store import Store

CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "console": "máy tính"}


@dataclass(frozen=True)
class Recipient:
    channel: str
    chat_id: str
    group: bool  # a linked group chat; else one person's account


@dataclass(frozen=True)
class Shared:
    recipients: list[Recipient]  # every chat the document goes to
    added: list[Recipient]  # of them, those queued by this share (the others had it queued already)


async def recipients(store: Store, unit_id: int, sharer: tuple[str, str] | None = None) -> list[Recipient]:
    keys = [key.partition(":") for key in await store.linked_chats(unit_id)]
    groups = [Recipient(channel, chat_id, group=True) for channel, _, chat_id in keys]
    group_channels = {g.channel for g in groups}
    people = [Recipient(a.channel, a.user_id, group=False) for a in await store.unit_accounts(unit_id)
              if a.channel not in group_channels and (a.channel, a.user_id) != sharer]
    return groups + people


async def share_document(store: Store, unit_id: int, doc_id: int, text: str, sharer: tuple[str, str]) -> Shared:
    """Queue the document (already checked to be the unit's) for the unit's chats, with `text` above it."""
    everyone = await recipients(store, unit_id, sharer)
    added = set(await store.enqueue_share(unit_id, doc_id, text, [(r.channel, r.chat_id) for r in everyone],
                                          f"{sharer[0]}:{sharer[1]}"))
    return Shared(everyone, [r for r in everyone if (r.channel, r.chat_id) in added])


def describe(chats: list[Recipient]) -> str:
    """'1 nhóm Telegram và 2 tài khoản Zalo'."""
    counts = Counter((r.group, r.channel) for r in chats)
    parts = [f"{n} {'nhóm' if group else 'tài khoản'} {CHANNEL_NAMES.get(channel, channel)}"
             for (group, channel), n in sorted(counts.items(), key=lambda kv: (not kv[0][0], kv[0][1]))]
    return ", ".join(parts[:-1]) + " và " + parts[-1] if len(parts) > 1 else "".join(parts)
