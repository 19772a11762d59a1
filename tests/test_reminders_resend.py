"""Claims left unconfirmed by a kill are resent under the rules of a new claim (issue row 16).

A kill is simulated as in tests/test_reminders.py: a sweep whose sender never answers is cancelled with its
first send in flight, leaving every row it claimed unconfirmed; a new Sweeper is the restarted process
(those claims predate it, so they are orphans it must deal with). tests/test_reminders_restart.py does the
same with a real `chibo telegram` process and kill -9.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.messages import Outgoing
from bot.reminders.sweeper import Sweeper
from bot.store import Store
from tests.conftest import lease_passes, left_claimed, select
from tests.test_reminders import NO_DIGEST, ManualClock, Outbox, add_item, make_unit

PLAN = "(Kế hoạch số 46-KH/ĐU)"


async def crash_mid_sweep(store: Store, clock: ManualClock) -> int:
    """Run a sweep at the clock's time and kill it with its first send in flight; the number of rows left
    claimed and unconfirmed."""
    entered = asyncio.Event()

    async def hanging(chat_id: str, out: Outgoing) -> None:  # the server never answers
        entered.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(Sweeper(store, clock, "telegram", hanging).sweep())
    await asyncio.wait_for(entered.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    rows = await select(store, "SELECT sent_at FROM reminder_log")
    assert rows and all(r["sent_at"] is None for r in rows)
    await lease_passes(store)
    return len(rows)


async def unconfirmed(store: Store) -> list[str]:
    return [r["key"] for r in await select(store, "SELECT key FROM reminder_log WHERE sent_at IS NULL ORDER BY key")]


async def test_row16_claims_left_by_a_kill_get_one_message_each_six_days_later(store):
    unit = await make_unit(store)  # with the Monday digest
    ids = [await add_item(store, unit, f"Việc số {n:02}", "2026-11-30") for n in range(1, 12)]
    done = await add_item(store, unit, "Xong trong lúc bot dừng", "2026-11-30")
    snoozed = await add_item(store, unit, "Hoãn trong lúc bot dừng", "2026-11-30")
    clock = ManualClock("2026-11-23T07:05")  # Monday: the digest and every 7-day reminder are due
    left = left_claimed(store, 14)
    assert await crash_mid_sweep(store, clock) == left
    await store.conn.execute("UPDATE deadlines SET status = 'done' WHERE id = ?", (done,))
    await store.conn.execute("UPDATE deadlines SET snoozed_until = '2026-12-01' WHERE id = ?", (snoozed,))

    clock.set("2026-11-29T07:05")  # restarted six days later: the 1-day reminders are due
    out = Outbox()
    restarted = Sweeper(store, clock, "telegram", out)
    result = await restarted.sweep()
    assert (result.claimed, result.resent, result.skipped, result.sent) == (11, 0, left, 11)
    texts = [text for _, text in out.take()]
    assert sorted(texts) == [f"Nhắc việc: còn 1 ngày (ngày mai, thứ hai, 30/11/2026) — Việc số {n:02} {PLAN}"
                     for n in range(1, 12)]  # one each, today's moment: no 7-day resend, no old digest
    assert await unconfirmed(store) == []
    rows = await select(store, "SELECT key FROM reminder_log ORDER BY key")
    assert sorted(r["key"] for r in rows) == sorted(f"dl:{i}:2026-11-30:1" for i in ids)
    assert (await restarted.sweep()).sent == 0
    assert (await Sweeper(store, clock, "telegram", out).sweep()).sent == 0

    clock.set("2026-11-30T07:00")  # the digest and the on-the-day reminders, as usual
    await restarted.sweep()
    assert len(out.take()) == 12
    clock.set("2026-12-01T07:00")  # the snoozed item wakes: reminded then, once (nothing was lost)
    await restarted.sweep()
    assert [t.split(" — ")[1] for _, t in out.take()] == [f"Hoãn trong lúc bot dừng {PLAN}"]


@pytest.mark.parametrize("restart_at, expected", [
    ("2026-11-23T07:01", f"Nhắc việc: còn 7 ngày (thứ hai, 30/11/2026) — Việc {PLAN}"),  # crashed a minute ago
    ("2026-11-25T07:00", f"Nhắc việc (nhắc muộn): còn 5 ngày (thứ hai, 30/11/2026) — Việc {PLAN}"),
    ("2026-11-26T06:59", f"Nhắc việc (nhắc muộn): còn 4 ngày (thứ hai, 30/11/2026) — Việc {PLAN}"),
    ("2026-11-26T07:01", None),  # 3 days and 1 minute after its moment: outside the catch-up window
])
async def test_a_resend_only_within_the_catch_up_window(store, restart_at, expected):
    unit = await make_unit(store, reminders={"digest": False, "days": [7], "on_day": False})
    await add_item(store, unit, "Việc", "2026-11-30")
    clock = ManualClock("2026-11-23T07:00")
    assert await crash_mid_sweep(store, clock) == 1
    clock.set(restart_at)
    out = Outbox()
    result = await Sweeper(store, clock, "telegram", out).sweep()
    assert [text for _, text in out.take()] == ([expected] if expected else [])
    assert (result.resent, result.skipped) == ((1, 0) if expected else (0, 1))
    assert await unconfirmed(store) == []
    rows = await select(store, "SELECT key, sent_at FROM reminder_log")
    assert len(rows) == (1 if expected else 0) and all(r["sent_at"] for r in rows)


async def test_a_failed_send_gives_way_to_the_items_later_moment(store):
    unit = await make_unit(store, reminders=NO_DIGEST)
    await add_item(store, unit, "Nộp đảng phí", "2026-11-30")
    clock, out = ManualClock("2026-11-29T07:00"), Outbox()
    sweeper = Sweeper(store, clock, "telegram", out)
    out.fail["1001"] = ConnectionError("network down")
    assert (await sweeper.sweep()).failed == 1  # the 1-day reminder stays claimed, unconfirmed
    clock.set("2026-11-30T07:00")  # the network is back when the on-the-day moment has come
    result = await sweeper.sweep()
    assert (result.claimed, result.resent, result.skipped, result.sent) == (1, 0, 1, 1)
    assert out.take() == [("1001", f"Nhắc việc: hạn chót là hôm nay (thứ hai, 30/11/2026) — Nộp đảng phí {PLAN}")]
    assert [r["key"] for r in await select(store, "SELECT key FROM reminder_log")] == ["dl:1:2026-11-30:0"]


async def test_a_digest_claimed_last_week_is_not_sent_this_week(store):
    unit = await make_unit(store)
    await add_item(store, unit, "Nộp báo cáo tháng", "2026-12-04")
    clock = ManualClock("2026-11-23T07:00")
    assert await crash_mid_sweep(store, clock) == 1  # last Monday's digest (the item's moment is 27/11)
    clock.set("2026-11-30T07:05")
    out = Outbox()
    result = await Sweeper(store, clock, "telegram", out).sweep()
    digests = [t for _, t in out.take() if "Việc tuần này" in t]
    assert len(digests) == 1 and digests[0].startswith("Việc tuần này (30/11/2026 – 06/12/2026):")
    assert result.skipped == 1
    assert [r["key"] for r in await select(store, "SELECT key FROM reminder_log WHERE key LIKE 'digest:%'")] \
        == ["digest:2026-11-30"]


async def test_a_digest_claimed_this_week_is_resent(store):
    unit = await make_unit(store)
    await add_item(store, unit, "Nộp báo cáo tháng", "2026-12-04")
    clock = ManualClock("2026-11-23T07:00")
    await crash_mid_sweep(store, clock)
    clock.set("2026-11-25T09:00")
    out = Outbox()
    result = await Sweeper(store, clock, "telegram", out).sweep()
    assert (result.resent, result.sent) == (1, 1)
    (text,) = [t for _, t in out.take()]
    assert text.startswith("(Nhắc muộn) Việc tuần này (23/11/2026 – 29/11/2026):")


async def test_an_unconfirmed_claim_waits_through_the_quiet_hours(store):
    unit = await make_unit(store, reminders={"digest": False, "days": [7], "on_day": False})
    await add_item(store, unit, "Việc", "2026-11-30")
    clock = ManualClock("2026-11-23T07:00")
    await crash_mid_sweep(store, clock)
    clock.set("2026-11-23T22:00")
    out = Outbox()
    sweeper = Sweeper(store, clock, "telegram", out)
    result = await sweeper.sweep()
    assert (result.resent, result.skipped, result.sent) == (0, 0, 0)
    assert await unconfirmed(store) == ["dl:1:2026-11-30:7"]  # kept, not decided during the quiet hours
    clock.set("2026-11-24T06:30")
    await sweeper.sweep()
    assert out.take() == [("1001", f"Nhắc việc (nhắc muộn): còn 6 ngày (thứ hai, 30/11/2026) — Việc {PLAN}")]


async def test_a_claim_for_an_item_done_meanwhile_is_not_resent(store):
    unit = await make_unit(store, reminders={"digest": False, "days": [7], "on_day": False})
    first = await add_item(store, unit, "Việc một", "2026-11-30")
    await add_item(store, unit, "Việc hai", "2026-11-30")
    clock = ManualClock("2026-11-23T07:00")
    left = left_claimed(store, 2)
    assert await crash_mid_sweep(store, clock) == left
    await store.conn.execute("UPDATE deadlines SET status = 'done' WHERE id = ?", (first,))
    clock.set("2026-11-23T07:01")
    out = Outbox()
    result = await Sweeper(store, clock, "telegram", out).sweep()
    assert [t.split(" — ")[1] for _, t in out.take()] == [f"Việc hai {PLAN}"]
    assert (result.resent, result.skipped) == (left - 1, 1)  # under a lease only the first (done) was claimed
