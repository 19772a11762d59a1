"""Claims shared by several workers (bot/reminders/lease.py): a claim is another worker's until it is older than the
store's `claim_lease`, then any worker may take it over, by a compare-and-set so that only one does.

The engine here is SQLite with the lease switched on by hand on two Store objects over one file: two worker
processes, as far as the claims go (PostgreSQL runs the same statements; tests/test_workers_kill.py runs real
workers on it). Old claims are made by writing old `claimed_at` values.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.messages import Outgoing
from bot.reminders.lease import expired
from bot.reminders.messages import MessageSender
from bot.reminders.pacer import Pacer
from bot.reminders.sweeper import Sweeper
from bot.store import Store
from tests.conftest import select
from tests.test_reminders import NO_DIGEST, ManualClock, Outbox, add_item, make_unit

LEASE = 5.0
NOW = "2026-11-23T07:05"  # every item below is due in 7 days: its 7-day reminder is due now


def stamp(seconds_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds_ago)).isoformat(timespec="microseconds")


@pytest.fixture
async def workers(tmp_path):
    """Two stores on one database, each with the lease: two workers."""
    path = str(tmp_path / "shared.sqlite3")
    one, two = await Store.open(path), await Store.open(path)
    one.claim_lease = two.claim_lease = LEASE
    yield one, two
    await one.close()
    await two.close()


async def seed(store: Store, units: int = 6, per_unit: int = 4) -> list[str]:
    titles = []
    for u in range(units):
        unit = await make_unit(store, owner=str(1000 + u), reminders=NO_DIGEST, name=f"Chi bộ Thôn {u}")
        for k in range(per_unit):
            titles.append(f"Việc số {u}-{k}")
            await add_item(store, unit, titles[-1], "2026-11-30")
    return titles


def test_expired_reads_claim_stamps():
    now = datetime.now(UTC)
    assert expired(None, LEASE, now)
    assert expired("not a time", LEASE, now)
    assert expired(stamp(LEASE + 1), LEASE)
    assert not expired(stamp(1), LEASE)


async def test_two_sweepers_at_once_send_every_reminder_once(workers):
    one, two = workers
    titles = await seed(one)
    clock = ManualClock(NOW)
    sent: list[tuple[str, str]] = []

    def sender(worker: str):
        async def send(chat_id: str, out: Outgoing) -> None:
            await asyncio.sleep(0.01)  # the network: the other worker runs meanwhile
            sent.append((worker, out.plain()))
        return send

    a = Sweeper(one, clock, "telegram", sender("a"))
    b = Sweeper(two, clock, "telegram", sender("b"))
    ra, rb = await asyncio.gather(a.sweep(), b.sweep())
    texts = [text for _, text in sent]
    assert sorted(t.split(" — ")[1].split(" (")[0] for t in texts) == sorted(titles)
    assert ra.claimed + rb.claimed == ra.sent + rb.sent == len(titles)
    rows = await select(one, "SELECT COUNT(*) AS n, COUNT(sent_at) AS s FROM reminder_log")
    assert (rows[0]["n"], rows[0]["s"]) == (len(titles), len(titles))
    # nothing is left for a second round
    assert (await a.sweep()).sent == (await b.sweep()).sent == 0


async def test_a_live_claim_of_another_worker_is_left_to_it_an_expired_one_is_taken_over_once(workers):
    one, two = workers
    unit = await make_unit(one, reminders=NO_DIGEST)
    await add_item(one, unit, "Việc còn được giữ", "2026-11-30")
    await add_item(one, unit, "Việc bỏ dở", "2026-11-30")
    clock = ManualClock(NOW)
    dead = Sweeper(one, clock, "telegram", Outbox())
    await dead.sweep()  # learn the keys: then pretend its sends never got through
    await one.conn.execute("UPDATE reminder_log SET sent_at = NULL")
    keys = {r["title"]: r["key"] for r in await select(
        one, "SELECT d.title, r.key FROM reminder_log r JOIN deadlines d ON r.key LIKE 'dl:' || d.id || ':%'")}
    await one.conn.execute("UPDATE reminder_log SET claimed_at = ? WHERE key = ?", (stamp(1), keys["Việc còn được giữ"]))
    await one.conn.execute("UPDATE reminder_log SET claimed_at = ? WHERE key = ?", (stamp(LEASE + 2), keys["Việc bỏ dở"]))

    outs = [Outbox(), Outbox()]
    a, b = Sweeper(one, clock, "telegram", outs[0]), Sweeper(two, clock, "telegram", outs[1])
    await asyncio.gather(a.sweep(), b.sweep())
    texts = outs[0].sent + outs[1].sent
    assert len(texts) == 1 and "Việc bỏ dở" in texts[0][1]  # taken over by one of the two, sent once
    live = await select(one, "SELECT sent_at FROM reminder_log WHERE key = ?", keys["Việc còn được giữ"])
    assert live[0]["sent_at"] is None  # still its holder's


async def test_the_takeover_is_a_compare_and_set(workers):
    one, two = workers
    unit = await make_unit(one, reminders=NO_DIGEST)
    await add_item(one, unit, "Việc bỏ dở", "2026-11-30")
    await Sweeper(one, ManualClock(NOW), "telegram", Outbox()).sweep()
    old = stamp(LEASE + 2)
    await one.conn.execute("UPDATE reminder_log SET sent_at = NULL, claimed_at = ?", (old,))
    [row] = await select(one, "SELECT key, chat_id FROM reminder_log")
    won = await asyncio.gather(one.take_reminder("telegram", row["key"], row["chat_id"], old),
                               two.take_reminder("telegram", row["key"], row["chat_id"], old))
    assert sum(w is not None for w in won) == 1
    assert not await two.drop_orphan_reminder("telegram", row["key"], row["chat_id"], old)  # taken: not stale
    [taken] = [w for w in won if w is not None]
    assert await one.drop_orphan_reminder("telegram", row["key"], row["chat_id"], taken)
    assert await select(one, "SELECT key FROM reminder_log") == []


async def test_a_row_is_claimed_just_before_its_send_not_at_the_sweeps_start(workers):
    """A slow worker cannot lose its claims to the lease while its sends wait their turn: under a lease nothing
    is claimed until the pacer lets its send go; a worker finding the chat's row held by another leaves the chat."""
    one, two = workers
    await seed(one, units=1, per_unit=3)
    clock = ManualClock(NOW)
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow(chat_id: str, out: Outgoing) -> None:
        entered.set()
        await release.wait()

    a = Sweeper(one, clock, "telegram", slow)
    task = asyncio.create_task(a.sweep())
    await asyncio.wait_for(entered.wait(), 5)
    rows = await select(one, "SELECT sent_at FROM reminder_log")
    assert len(rows) == 1 and rows[0]["sent_at"] is None  # only the row in flight is claimed
    out = Outbox()
    result = await Sweeper(two, clock, "telegram", out).sweep()
    assert out.sent == [] and result.sent == 0  # the chat's first row is held: the chat stays with its holder
    release.set()
    assert (await task).sent == 3


async def test_queued_rows_under_a_lease(workers):
    one, two = workers
    unit = await make_unit(one)
    await one.queue_messages(unit, [("telegram", "1001"), ("telegram", "1002"), ("telegram", "1003")], "Xin duyệt",
                             [])
    [first, second, third] = [r["id"] for r in await select(one, "SELECT id FROM messages_out ORDER BY id")]
    await one.conn.execute("UPDATE messages_out SET claimed_at = ? WHERE id = ?", (stamp(1), first))
    await one.conn.execute("UPDATE messages_out SET claimed_at = ? WHERE id = ?", (stamp(LEASE + 2), second))
    started = datetime.now(UTC) + timedelta(hours=1)  # "started later": on SQLite rules both claims would be orphans
    outs = [Outbox(), Outbox()]
    senders = [MessageSender(one, "telegram", None, started), MessageSender(two, "telegram", None, started)]
    await asyncio.gather(*(s.deliver(o, Pacer(None), lambda: True, 4) for s, o in zip(senders, outs, strict=True)))
    chats = sorted(chat for o in outs for chat, _ in o.sent)
    assert chats == ["1002", "1003"]  # the live claim is left to its holder; the expired one and the new one go once
    rows = {r["id"]: r["sent_at"] for r in await select(one, "SELECT id, sent_at FROM messages_out")}
    assert rows[first] is None and rows[second] and rows[third]
