"""The reminder sweep of one channel: what is due now, claimed, sent and confirmed once (see __init__)."""

from __future__ import annotations

import asyncio
import logging
import os
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from bot.clock import Clock
from bot.messages import Outgoing
from bot.reminders.duties import ensure_duties, satisfied_duties
from bot.reminders.lease import Taken, expired
from bot.reminders.messages import MessageSender
from bot.reminders.moments import (
    CATCH_UP,
    LATE_AFTER,
    Due,
    Recipient,
    daily_moment,
    plan_due,
    snooze_instant,
)
from bot.reminders.notices import NoticeSender
from bot.reminders.pacer import Pacer, Undeliverable, paced_send
from bot.reminders.settings import MAX_DAYS, ReminderSettings, in_quiet
from bot.reminders.shares import ShareSender
from bot.reminders.texts import digest_message, notice_message, reminder_message
from bot.rhythm import rhythm_notices
from bot.store import Deadline, Store

log = logging.getLogger(__name__)

SWEEP_EVERY = 60  # seconds between two sweeps
FIRST_SWEEP = 2  # seconds after start
CONCURRENCY = 16  # chats served at the same time
MAX_FAILURES = 5  # consecutive transient send failures that end a sweep's sending (the rest waits)

Send = Callable[[str, Outgoing], Awaitable[None]]


@dataclass
class SweepResult:
    claimed: int = 0  # new rows claimed by this sweep
    resent: int = 0  # unconfirmed rows of earlier sweeps sent again
    sent: int = 0  # confirmed
    late: int = 0  # of them, marked late
    failed: int = 0  # transient failures (left unconfirmed, retried by the next sweep)
    refused: int = 0  # given up (the chat refuses the bot)
    dropped: int = 0  # unconfirmed rows whose item was done or removed meanwhile
    skipped: int = 0  # unconfirmed rows of earlier sweeps no longer due at now: deleted unsent (see _pending)
    created: int = 0  # duty deadlines created
    shared: int = 0  # shared documents of the outbox sent (bot/reminders/shares.py; no quiet hours)
    noticed: int = 0  # meeting notices sent (bot/reminders/notices.py; no quiet hours)
    messaged: int = 0  # messages queued for an account sent (bot/reminders/messages.py; no quiet hours)
    keys: list[tuple[str, str]] = field(default_factory=list)  # (key, chat) confirmed


def _wall() -> datetime:
    """Real time, whatever the clock says."""
    return datetime.now(UTC)


def is_frozen(clock: Clock) -> bool:
    return clock.frozen


def sweep_clock(clock: Clock, env: dict[str, str] | None = None) -> Clock:
    """The sweep's clock: `clock`, or frozen at $CHIBO_NOW (an ISO date-time) when that is set."""
    value = (os.environ if env is None else env).get("CHIBO_NOW", "").strip()
    if not value:
        return clock
    return Clock(getattr(clock.tz, "key", "Asia/Ho_Chi_Minh"), datetime.fromisoformat(value))


def _parse_instant(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    return instant if instant.tzinfo else instant.astimezone()  # naive: local time, as written


class Sweeper:
    """One channel's reminder sweep: `await sweeper.sweep()` sends what is due now (see bot/reminders).

    `send(chat_id, outgoing)` delivers one message (raising Undeliverable when the chat refuses it for
    good); `chat_id` limits the sweep to one chat (the console serves one user); `rate` paces the sends
    (messages per second, None: no pacing) and `budget` is the longest text one message may carry (None:
    no limit), both the channel's; `keep_going()` turning False (the bot is stopping) ends the sweep after
    the sends in flight; `started`: when the process started, if before this sweeper was made (default: now).
    """

    def __init__(self, store: Store, clock: Clock, channel: str, send: Send, *, chat_id: str | None = None,
                 rate: float | None = None, budget: int | None = None, concurrency: int = CONCURRENCY,
                 keep_going: Callable[[], bool] = lambda: True, started: datetime | None = None) -> None:
        self.store = store
        self.clock = clock
        self.channel = channel
        self.send = send
        self.chat_id = chat_id
        self.budget = budget
        self.concurrency = concurrency
        self.keep_going = keep_going  # False once the bot is shutting down: no new sends start
        self.pacer = Pacer(rate)
        self.lease = store.claim_lease  # several workers share the log: claims are taken just before each send
        self.frozen = is_frozen(clock)
        self.started = started or _wall()  # when this process began: claims older than this are orphans
        self._lock = asyncio.Lock()
        self._duties_day: date | None = None
        self._notices: dict[tuple[int, date], list[str]] = {}
        self._mine: set[tuple[str, str]] = set()  # claimed by this process, not confirmed yet
        self._refused: set[tuple[str, str]] = set()
        self._first_seen: dict[str, datetime] = {}
        self._settings: dict[int, ReminderSettings] = {}
        self.shares = ShareSender(store, channel, chat_id, self.started)
        self.notices_out = NoticeSender(store, channel, chat_id, self.started)
        self.messages_out = MessageSender(store, channel, chat_id, self.started)

    # -- since: when a thing began to exist, in the clock's terms -------------------------------

    def since(self, created: str | None, now: datetime) -> datetime | None:
        instant = _parse_instant(created)
        if instant is None:
            return None
        if not self.frozen:
            return instant
        if instant < self.started:
            return None
        # made while this process runs on a frozen clock: it exists since the clock's time it was first seen (a
        # script's `#time` moves the clock on; its reminders are then due, not "before it existed")
        return self._first_seen.setdefault(created or "", now)

    # -- the sweep ------------------------------------------------------------------------------

    async def sweep(self) -> SweepResult:
        async with self._lock:
            result = SweepResult()
            now = self.clock.now()
            if self._duties_day != now.date():
                result.created = len(await ensure_duties(self.store, now.date()))
                self._duties_day = now.date()
                self._notices = {k: v for k, v in self._notices.items() if k[1] >= now.date() - timedelta(days=1)}
            recipients, settings, items = await self._load(now)
            self._settings = settings
            skip = await satisfied_duties(self.store, items)
            notices = await self._rhythm(now, recipients, settings)
            by_id = {i.id: i for i in items}
            due = plan_due(now, recipients, settings, items, skip=skip, notices=notices,
                           item_since=lambda item: self.since(item.created_at, now))
            rows: list[Due] = []
            for d in await self._unlogged(due):
                if (d.key, d.chat_id) in self._refused:
                    continue
                if self.lease is not None:
                    rows.append(d)  # claimed just before its send (_hold), counted then
                    continue
                if await self.store.claim_reminder(self.channel, d.key, d.chat_id, d.unit_id, d.scheduled_for,
                                                   d.late, d.item_id):
                    self._mine.add((d.key, d.chat_id))
                    rows.append(d)
            result.claimed = 0 if self.lease is not None else len(rows)
            current = {(d.key, d.chat_id): d for d in due}
            busy: set[str] = set()
            pending = await self._pending(now, settings, current, {(r.key, r.chat_id) for r in rows}, result, busy)
            rows = [r for r in rows if r.chat_id not in busy]  # under a lease: chats with a send in flight elsewhere
            result.resent = len(pending)
            await self._deliver(pending + rows, now, by_id, result)
            shared = await self.shares.deliver(self.send, self.pacer, self.keep_going, self.concurrency)
            result.shared, result.failed, result.refused = (shared.sent, result.failed + shared.failed,
                                                            result.refused + shared.refused)
            noticed = await self.notices_out.deliver(self.send, self.pacer, self.keep_going, self.concurrency)
            result.noticed, result.failed, result.refused = (noticed.sent, result.failed + noticed.failed,
                                                             result.refused + noticed.refused)
            messaged = await self.messages_out.deliver(self.send, self.pacer, self.keep_going, self.concurrency)
            result.messaged, result.failed, result.refused = (messaged.sent, result.failed + messaged.failed,
                                                              result.refused + messaged.refused)
            return result

    async def _load(self, now: datetime) -> tuple[list[Recipient], dict[int, ReminderSettings], list[Deadline]]:
        owners = await self.store.owner_chats(self.channel, self.chat_id)
        linked = await self.store.linked_chat_ids(self.channel, self.chat_id)
        raw = await self.store.settings_of_linking_units() if linked else {}
        groups = [(unit_id, key.partition(":")[2], when) for unit_id, values in sorted(raw.items())
                  for key, when in (values.get("linked_at") or {}).items()
                  if key.partition(":")[0] == self.channel and key.partition(":")[2] in linked]
        members = await self.store.member_chats(self.channel, self.chat_id)
        missing = sorted(({unit_id for unit_id, _, _ in owners} | {unit_id for unit_id, *_ in members}) - set(raw))
        raw.update(await self.store.settings_of_units(missing))
        settings = {unit_id: ReminderSettings.of(values) for unit_id, values in raw.items()}
        recipients = [Recipient(unit_id, chat_id, self.since(created, now))
                      for unit_id, chat_id, created in owners if unit_id in settings]
        recipients += [Recipient(unit_id, chat_id, self.since(when, now)) for unit_id, chat_id, when in groups]
        owner_chats = {(r.unit_id, r.chat_id) for r in recipients}
        recipients += [Recipient(unit_id, chat_id, self.since(created, now), person_id)
                       for unit_id, chat_id, created, person_id in members
                       if unit_id in settings and (unit_id, chat_id) not in owner_chats]
        unit_ids = sorted({r.unit_id for r in recipients})
        today = now.date()
        items = await self.store.deadlines_to_remind(unit_ids, today - CATCH_UP - timedelta(days=1),
                                                     today + timedelta(days=MAX_DAYS + 1), today)
        return recipients, settings, items

    async def _rhythm(self, now: datetime, recipients: list[Recipient],
                      settings: dict[int, ReminderSettings]) -> dict[int, list[str]]:
        """bot.rhythm.rhythm_notices for units with a meeting duty switched on (once a day each)."""
        units = sorted({r.unit_id for r in recipients})
        if not units:
            return {}
        out: dict[int, list[str]] = {}
        for unit_id in await self.store.units_with_meeting_duty(units):
            day, _ = daily_moment(now, settings.get(unit_id, ReminderSettings()))
            cached = self._notices.get((unit_id, day))
            if cached is None:
                try:
                    cached = list(await rhythm_notices(self.store, unit_id, day))
                except Exception:
                    log.exception("rhythm notices failed for unit %s", unit_id)
                    cached = []
                self._notices[(unit_id, day)] = cached
            out[unit_id] = cached
        return out

    async def _unlogged(self, due: list[Due]) -> list[Due]:
        """The due pairs the log does not hold yet (the claim checks again, atomically)."""
        if not due:
            return []
        logged = await self.store.logged_reminders(self.channel, {d.key for d in due})
        fresh = [d for d in due if (d.key, d.chat_id) not in logged]
        return sorted(fresh, key=lambda d: (d.chat_id, d.scheduled_for, d.key))

    async def _pending(self, now: datetime, settings: dict[int, ReminderSettings], current: dict[tuple[str, str], Due],
                       just_claimed: set[tuple[str, str]], result: SweepResult, busy: set[str]) -> list[Due]:
        """Claimed, unconfirmed rows to send again: from an earlier process, or this one's failures.

        A resend follows the rules of a new claim at `now` (`current`: what plan_due finds due now): only
        when the row's (key, chat) is due now — its item still open, not snoozed past now, the moment still
        the item's latest at or before now and within CATCH_UP; the digest of this week only; a rhythm
        notice only while it stands. Any other unconfirmed row is stale: it is deleted unsent (counted in
        ``skipped``), and what is due for its item instead is claimed as new. During the chat's quiet hours
        nothing is decided: the row waits.

        Under a lease (several workers) a claim younger than the lease is live: its holder sends it, and the chat
        is added to `busy` (its next reminders wait for that send, to keep the chat's order).
        """
        out = []
        for r in await self.store.unconfirmed_reminders(self.channel, self.chat_id):
            pair = (r.key, r.chat_id)
            if pair in just_claimed:
                continue
            claimed_at = _parse_instant(r.claimed_at)
            if self.lease is not None:
                if pair not in self._mine and not expired(r.claimed_at, self.lease):
                    busy.add(r.chat_id)
                    continue  # a live claim of another worker: its holder sends it
            elif pair not in self._mine and (claimed_at is None or claimed_at >= self.started):
                continue  # claimed by another process running now: it sends it
            s = settings.get(r.unit_id)
            if s is None:
                unit = await self.store.get_unit(r.unit_id)
                s = settings[r.unit_id] = ReminderSettings.of(unit.settings if unit else {})
            if in_quiet(now.time(), s):
                continue
            due = current.get(pair)
            if due is None:
                log.info("unconfirmed reminder %s to %s:%s (due %s) is no longer due: not sent", r.key,
                         self.channel, r.chat_id, r.scheduled_for)
                if self.lease is None:
                    await self.store.drop_reminder(self.channel, r.key, r.chat_id)
                elif not await self.store.drop_orphan_reminder(self.channel, r.key, r.chat_id, r.claimed_at):
                    continue  # another worker took it over meanwhile
                self._mine.discard(pair)
                result.skipped += 1
                continue
            out.append(replace(due, resend=True, claim=r.claimed_at))
        return sorted(out, key=lambda r: (r.chat_id, r.scheduled_for, r.key))

    async def _message(self, row: Due, now: datetime, items: dict[int, Deadline],
                       digests: dict[tuple[int, str], Outgoing | None]) -> Outgoing | None:
        late = row.late or now - row.scheduled_for > LATE_AFTER
        if row.key.startswith("dl:"):
            assert row.item_id is not None
            item = items.get(row.item_id)
            if item is None or row.resend:
                item = await self.store.deadline(row.item_id)
            if item is None or item.status != "open":
                return None
            if row.resend:  # claimed earlier: still worth sending?
                snooze = snooze_instant(item, self._settings.get(row.unit_id, ReminderSettings()), now.tzinfo)
                if (snooze is not None and now < snooze) or (item.kind == "event" and now.date() > item.day):
                    return None
            return reminder_message(item, now.date(), late, budget=self.budget, member=row.member)
        if row.key.startswith("digest:"):
            cache = (row.unit_id, row.key + ("!" if late else ""))
            if cache not in digests:
                digests[cache] = await digest_message(self.store, row.unit_id, date.fromisoformat(row.key[7:]),
                                                      now.date(), late, budget=self.budget)
            return digests[cache]
        if row.key.startswith("rhythm:"):
            if row.text is None:
                return None
            return notice_message(row.text, late, budget=self.budget)
        return None

    async def _deliver(self, rows: list[Due], now: datetime, items: dict[int, Deadline],
                       result: SweepResult) -> None:
        by_chat: dict[str, list[Due]] = defaultdict(list)
        for row in rows:
            by_chat[row.chat_id].append(row)
        digests: dict[tuple[int, str], Outgoing | None] = {}
        gate = asyncio.Semaphore(self.concurrency)
        failures = 0

        async def serve(chat_rows: list[Due]) -> None:
            nonlocal failures
            async with gate:
                for row in chat_rows:
                    if failures >= MAX_FAILURES or not self.keep_going():
                        return  # the rest stays claimed and is sent by the next sweep (or process)
                    pair = (row.key, row.chat_id)
                    out = await self._message(row, now, items, digests)
                    if out is None:
                        if await self._drop_unsent(row):
                            result.dropped += 1
                        continue
                    late = row.late or now - row.scheduled_for > LATE_AFTER
                    send = self.send if self.lease is None else self._held_send(row, result)
                    error = await paced_send(self.pacer, send, row.chat_id, out)
                    if isinstance(error, Taken):
                        return  # another worker has this chat's reminder: it goes on with the chat
                    if isinstance(error, Undeliverable):
                        log.warning("reminder %s to %s:%s refused: %s", row.key, self.channel, row.chat_id, error)
                        self._refused.add(pair)
                        self._mine.discard(pair)
                        await self._drop(row)
                        result.refused += 1
                        continue
                    if error is not None:
                        failures += 1
                        result.failed += 1
                        log.warning("reminder %s to %s:%s not sent (retried next sweep): %r", row.key,
                                    self.channel, row.chat_id, error)
                        return  # this chat's next reminders wait too, to keep their order
                    # Confirm at once: the only await between the server's answer and this write.
                    await self.store.confirm_reminder(self.channel, row.key, row.chat_id, late)
                    failures = 0
                    self._mine.discard(pair)
                    result.sent += 1
                    result.late += int(late)
                    result.keys.append(pair)

        await asyncio.gather(*(serve(chat_rows) for chat_rows in by_chat.values()))

    async def _drop(self, row: Due) -> None:
        await self.store.drop_reminder(self.channel, row.key, row.chat_id)
        self._mine.discard((row.key, row.chat_id))

    async def _drop_unsent(self, row: Due) -> bool:
        """Forget a row whose item is gone before its send. Under a lease the row is not held yet: a new one was
        never claimed (nothing to forget), a resend is deleted only while it is still the orphan it was."""
        if self.lease is None:
            await self._drop(row)
            return True
        if not row.resend:
            return False
        return await self.store.drop_orphan_reminder(self.channel, row.key, row.chat_id, row.claim)

    async def _hold(self, row: Due) -> bool:
        """Under a lease: take the row right before its send. A new row is claimed (the log's one-statement claim),
        a resend taken over from the claim it was found with (a compare-and-set); False when another worker was
        first."""
        if row.resend:
            return await self.store.take_reminder(self.channel, row.key, row.chat_id, row.claim) is not None
        return await self.store.claim_reminder(self.channel, row.key, row.chat_id, row.unit_id, row.scheduled_for,
                                               row.late, row.item_id)

    def _held_send(self, row: Due, result: SweepResult) -> Send:
        """The channel's send, after taking the row (raises Taken, sending nothing, when another worker has it)."""
        async def send(chat_id: str, out: Outgoing) -> None:
            if not await self._hold(row):
                raise Taken(row.key)
            self._mine.add((row.key, row.chat_id))  # a failed send of ours is retried by our next sweep
            result.claimed += int(not row.resend)
            await self.send(chat_id, out)

        return send

    # -- running it periodically (the console; Telegram uses PTB's JobQueue) ---------------------

    async def run_forever(self, every: float = SWEEP_EVERY, first_after: bool = False) -> None:
        """Sweep every `every` seconds (after waiting first when `first_after`), until cancelled."""
        if first_after:
            await asyncio.sleep(every)
        while True:
            try:
                await self.sweep()
            except Exception:
                log.exception("reminder sweep failed")
            await asyncio.sleep(every)
