"""The store: migrations from empty and from every earlier version, roster, invites, drafts, backup."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from bot.store import IntegrityError, Store
from bot.store.migrations import LATEST, MIGRATIONS
from tests.conftest import NOW, select, select_one

UNIT = {"kind": "chi_bo", "superior": "Đảng bộ xã Kim Phú", "name": "Chi bộ Xóm Định Thành", "code": "CB",
        "place": "Tuyên Quang", "signer_name": "Nguyễn Thị Thược", "signer_title": "BÍ THƯ", "spelling": "ủy"}


def tables(path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


async def test_migrates_from_empty(tmp_path):
    path = tmp_path / "db.sqlite3"
    store = await Store.open(str(path))
    assert await store.schema_version() == LATEST
    mode = await select_one(store, "PRAGMA journal_mode")
    assert mode[0] == "wal"
    assert (await select_one(store, "PRAGMA foreign_keys"))[0] == 1
    await store.close()
    assert {"units", "people", "accounts", "chats", "drafts", "invites", "schema_migrations"} <= tables(path)


@pytest.mark.parametrize("start", [v for v, _, _ in MIGRATIONS[:-1]])
async def test_migrates_from_each_earlier_version(tmp_path, start):
    path = str(tmp_path / "db.sqlite3")
    old = await Store.open(path, migrate_to=start)
    assert await old.schema_version() == start
    unit_id = await old.create_unit(UNIT, [{"name": "Nguyễn Văn An", "status": "chinh_thuc"}])
    await old.close()
    store = await Store.open(path)
    assert await store.schema_version() == LATEST
    assert (await store.get_unit(unit_id)).name == "Chi bộ Xóm Định Thành"
    assert [p.name for p in await store.people(unit_id)] == ["Nguyễn Văn An"]
    await store.close()


async def test_reopening_applies_nothing_twice(tmp_path):
    path = str(tmp_path / "db.sqlite3")
    for _ in range(2):
        store = await Store.open(path)
        rows = await select(store, "SELECT version FROM schema_migrations ORDER BY version")
        assert [r[0] for r in rows] == [v for v, _, _ in MIGRATIONS]
        await store.close()


async def test_unit_roster_and_update(store):
    roster = [{"name": "A", "status": "chinh_thuc"}, {"name": "B", "status": "du_bi", "exempt": True}]
    unit_id = await store.create_unit(UNIT, roster)
    people = await store.people(unit_id)
    assert [(p.name, p.status, p.exempt) for p in people] == [("A", "chinh_thuc", False), ("B", "du_bi", True)]
    await store.update_unit(unit_id, {**UNIT, "place": "Hà Giang"}, roster[:1])
    assert (await store.get_unit(unit_id)).place == "Hà Giang"
    assert len(await store.people(unit_id)) == 1
    with pytest.raises(IntegrityError):
        await store.create_unit(UNIT, [{"name": "C", "status": "khong_ro"}])
    assert len(await select(store, "SELECT id FROM units")) == 1  # the failed insert left nothing behind


async def test_sql_is_parameterised(store):
    nasty = "Chi bộ'); DROP TABLE units; --"
    unit_id = await store.create_unit({**UNIT, "name": nasty}, [])
    assert (await store.get_unit(unit_id)).name == nasty


async def test_invites_are_single_use_and_expire(store):
    unit_id = await store.create_unit(UNIT, [])
    code = await store.create_invite(unit_id, "test:1", NOW)
    assert len(code) == 8
    assert await store.find_invite(code.lower(), NOW) == unit_id
    assert await store.find_invite(code, NOW + timedelta(days=8)) is None
    assert await store.use_invite(code, "test:2", NOW) == unit_id
    assert await store.use_invite(code, "test:3", NOW) is None


async def test_drafts_round_trip(store):
    state = {"flow": "unit", "answers": {"name": "Chi bộ <A> & 🌟"}, "seq": 3}
    await store.save_draft("telegram", "1", "1", state)
    assert await store.draft("telegram", "1", "1") == state
    assert await store.draft("telegram", "2", "1") is None
    await store.delete_draft("telegram", "1", "1")
    assert await store.draft("telegram", "1", "1") is None


async def test_backup_is_a_consistent_copy(store, tmp_path):
    unit_id = await store.create_unit(UNIT, [{"name": "A", "status": "chinh_thuc"}])
    target = tmp_path / "backup.sqlite3"
    await store.backup(str(target))
    copy = await Store.open(str(target))
    assert (await copy.get_unit(unit_id)).name == UNIT["name"]
    await copy.close()
