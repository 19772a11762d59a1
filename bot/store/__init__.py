"""The store: the only code that writes SQL. One class per table family, joined into `Store`."""

from __future__ import annotations

from bot.store.audit import AuditStore
from bot.store.base import IntegrityError, QueuedRows
from bot.store.claims import ClaimsStore
from bot.store.deadlines import DeadlinesStore
from bot.store.documents import DocumentsStore
from bot.store.drafts import DraftsStore
from bot.store.links import LinksStore
from bot.store.meetings import MeetingsStore
from bot.store.members import MembersStore
from bot.store.messages_out import MessagesOutStore
from bot.store.notices import NoticesStore
from bot.store.outbox import OutboxStore
from bot.store.pictures import PicturesStore
from bot.store.records import (
    Account,
    Deadline,
    Link,
    NewDeadline,
    OutboxItem,
    Person,
    ReminderClaim,
    Unit,
    deadline_of,
)
from bot.store.reminders import RemindersStore


class Store(MembersStore, DraftsStore, DocumentsStore, DeadlinesStore, MeetingsStore, RemindersStore,
            LinksStore, OutboxStore, PicturesStore, AuditStore, NoticesStore, MessagesOutStore, QueuedRows, ClaimsStore):
    pass


__all__ = ["Account", "IntegrityError", "Deadline", "Link", "NewDeadline", "OutboxItem", "Person", "ReminderClaim", "Store", "Unit",
           "deadline_of"]
