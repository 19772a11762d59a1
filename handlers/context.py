"""What a handler knows about the message it is answering."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.config import Settings
from bot.messages import Incoming
from bot.store import Account, Person, Store, Unit

if TYPE_CHECKING:
    from handlers.engine import Engine


@dataclass
class Context:
    store: Store
    clock: Clock
    engine: Engine
    incoming: Incoming
    account: Account | None = None
    unit: Unit | None = None
    settings: Settings | None = None  # CHIBO_PUBLIC_URL and the link key, for links (None: no links)
    started_flow: bool = False
    notes: list[str] = field(default_factory=list)  # warnings about an accepted answer, shown before the next question
    preview_page: int = 1  # the page of the document a preview action shows (“Xem trang 2”)
    _people: list[Person] | None = field(default=None, repr=False)

    @property
    def role(self) -> str | None:
        """The account's role in its unit (bot/roles.py), None without a unit."""
        return self.account.role if self.account and self.unit else None

    @property
    def actor(self) -> str:
        """Who is speaking, as the audit trail and invites name an account: "channel:user_id"."""
        return f"{self.incoming.channel}:{self.incoming.user_id}"

    def warn(self, message: str) -> None:
        self.notes.append(message)

    @property
    def key(self) -> tuple[str, str, str]:
        inc = self.incoming
        return inc.channel, inc.chat_id, inc.user_id

    async def people(self) -> list[Person]:
        if self._people is None:
            self._people = await self.store.people(self.unit.id) if self.unit else []
        return self._people

    async def refresh(self) -> None:
        """Reload the account and unit after a handler changed them."""
        inc = self.incoming
        self.account = await self.store.account(inc.channel, inc.user_id)
        self.unit = await self.store.get_unit(self.account.unit_id) if self.account else None
        self._people = None
