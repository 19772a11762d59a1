"""Invite codes: 40 bits, five wrong tries per account per 15 minutes (counted in SQLite), expiry in UTC."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.store import Store
from bot.store.units import INVITE_ALPHABET, INVITE_LENGTH
from handlers.router import Assistant
from tests.conftest import NOW, Talk, make_invite, onboard, select, select_one
from tests.test_store import UNIT


def wrong_code(right: str) -> str:
    while True:
        code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
        if code != right:
            return code


async def test_codes_have_40_bits_and_forgive_case_spaces_and_dashes(store):
    unit_id = await store.create_unit(UNIT, [])
    codes = {await store.create_invite(unit_id, "test:1", NOW) for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == INVITE_LENGTH == 8 and set(c) <= set(INVITE_ALPHABET) for c in codes)
    assert len(INVITE_ALPHABET) ** INVITE_LENGTH >= 2 ** 40
    code = codes.pop()
    assert await store.find_invite(f" {code[:4].lower()} - {code[4:].lower()} ", NOW) == unit_id


async def test_guessing_is_blocked_after_five_wrong_codes_even_across_a_restart(tmp_path):
    path = str(tmp_path / "db.sqlite3")
    store = await Store.open(path)
    assistant = Assistant(store, Clock(frozen=NOW))
    owner, guesser = Talk(assistant, "u1"), Talk(assistant, "u9")
    await onboard(owner)
    code = (await make_invite(owner)).split("Mã mời: ")[1][:8]
    await guesser.say("/batdau")
    await guesser.tap("Tham gia bằng mã mời")
    replies = [await guesser.say(wrong_code(code)) for _ in range(5)]
    assert all("Mã mời không đúng" in r for r in replies)
    assert "Còn 4 lần thử" in replies[0] and "Còn 1 lần thử" in replies[3]
    assert "chờ 15 phút" in replies[4]
    # Blocked: more guesses and even the right code are refused without being looked at.
    for _ in range(20):
        assert "xin chờ 15 phút nữa" in await guesser.say(wrong_code(code))
    blocked = await guesser.say(code)
    assert "đã nhập sai mã mời 5 lần trong 15 phút" in blocked and "chờ 15 phút nữa" in blocked
    assert await store.account("test", "u9") is None
    rows = await select(store, "SELECT COUNT(*) FROM invite_tries WHERE account = 'test:u9'")
    assert rows[0][0] == 5  # only the five checked codes were counted
    await store.close()

    # A restart does not reset the count; the wait shrinks as the frozen clock moves on.
    store = await Store.open(path)
    assistant = Assistant(store, Clock(frozen=NOW + timedelta(minutes=10)))
    guesser = Talk(assistant, "u9")
    assert "xin chờ 5 phút nữa" in await guesser.say(code)
    assistant.clock = Clock(frozen=NOW + timedelta(minutes=15, seconds=1))
    assert "đã tham gia Chi bộ Xóm Định Thành" in await guesser.say(code)
    assert (await store.account("test", "u9")).role == "manager"
    await store.close()


async def test_thousands_of_guesses_cost_five_lookups(store):
    unit_id = await store.create_unit(UNIT, [])
    code = await store.create_invite(unit_id, "test:1", NOW)
    checks = [await store.try_invite(wrong_code(code), "telegram:666", NOW + timedelta(seconds=i))
              for i in range(300)]
    assert [c.tries_left for c in checks[:5]] == [4, 3, 2, 1, 0]
    assert all(c.unit_id is None and c.wait_seconds > 0 for c in checks[5:])
    right = await store.try_invite(code, "telegram:666", NOW + timedelta(seconds=300))
    assert right.unit_id is None and right.wait_seconds == 15 * 60 - 300
    # Another account is not blocked by the guesser, and the block lifts after the window.
    assert (await store.try_invite(code, "telegram:7", NOW)).unit_id == unit_id
    assert (await store.try_invite(code, "telegram:666", NOW + timedelta(minutes=15))).unit_id == unit_id


async def test_expiry_is_compared_in_utc_whatever_the_time_zone():
    store = await Store.open(":memory:")
    unit_id = await store.create_unit(UNIT, [])
    made_in_hanoi = Clock("Asia/Ho_Chi_Minh", NOW).now()
    code = await store.create_invite(unit_id, "test:1", made_in_hanoi)
    expiry = made_in_hanoi + timedelta(days=7)
    for tz in ("UTC", "America/New_York", "Asia/Ho_Chi_Minh", "Pacific/Kiritimati"):
        late = Clock(tz, expiry + timedelta(hours=4)).now()
        early = Clock(tz, expiry - timedelta(minutes=1)).now()
        assert await store.find_invite(code, late) is None, tz
        assert (await store.try_invite(code, f"test:{tz}", late)).unit_id is None, tz
        assert await store.find_invite(code, early) == unit_id, tz
    row = await select_one(store, "SELECT created_at, expires_at FROM invites")
    assert (row["created_at"], row["expires_at"]) == ("2026-11-23T01:00:00Z", "2026-11-30T01:00:00Z")
    await store.close()


async def test_old_invites_written_with_an_offset_are_migrated(tmp_path):
    path = str(tmp_path / "db.sqlite3")
    old = await Store.open(path, migrate_to=6)
    unit_id = await old.create_unit(UNIT, [])
    await old.conn.execute(
        "INSERT INTO invites (code, unit_id, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        ("K7M2QX", unit_id, "test:1", "2026-11-23T08:00:00.123456+07:00", "2026-11-30T08:00:00.123456+07:00"))
    await old.close()
    store = await Store.open(path)
    row = await select_one(store, "SELECT created_at, expires_at, used_at FROM invites")
    assert tuple(row) == ("2026-11-23T01:00:00Z", "2026-11-30T01:00:00Z", None)
    utc = datetime.fromisoformat("2026-11-30T01:00:00+00:00")
    assert await store.find_invite("k7m2qx", utc - timedelta(seconds=1)) == unit_id
    assert await store.find_invite("K7M2QX", Clock("UTC", utc + timedelta(hours=4)).now()) is None
    await store.close()
