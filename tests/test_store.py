"""The store: migrations from empty and from every earlier version, roster, invites, drafts, backup."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import subprocess
from datetime import timedelta

import pytest

from bot.store import IntegrityError, Store
from bot.store.migrations import LATEST, MIGRATIONS
from tests.conftest import NOW, select, select_one, table_names
from tests.pg_server import unique_name

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
async def test_migrates_from_each_earlier_version(db_url, start):
    old = await Store.open(db_url, migrate_to=start)
    assert await old.schema_version() == start
    unit_id = await old.create_unit(UNIT, [{"name": "Nguyễn Văn An", "status": "chinh_thuc"}])
    await old.close()
    store = await Store.open(db_url)
    assert await store.schema_version() == LATEST
    assert (await store.get_unit(unit_id)).name == "Chi bộ Xóm Định Thành"
    assert [p.name for p in await store.people(unit_id)] == ["Nguyễn Văn An"]
    await store.close()


async def test_reopening_applies_nothing_twice(db_url):
    for _ in range(2):
        store = await Store.open(db_url)
        rows = await select(store, "SELECT version FROM schema_migrations ORDER BY version")
        assert [r[0] for r in rows] == [v for v, _, _ in MIGRATIONS]
        await store.close()


async def test_workers_starting_together_migrate_once(pg_url):
    """Several processes opening one new PostgreSQL database at once: one migrates, the others wait for it."""
    stores = await asyncio.gather(*(Store.open(pg_url) for _ in range(4)))
    rows = await select(stores[0], "SELECT version FROM schema_migrations ORDER BY version")
    assert [r["version"] for r in rows] == [v for v, _, _ in MIGRATIONS]
    assert {s.engine for s in stores} == {"postgresql"} and all(s.claim_lease for s in stores)
    assert set(await table_names(stores[0])) >= {"units", "people", "accounts", "documents", "reminder_log"}
    for store in stores:
        await store.close()


async def test_postgresql_reads_json_and_orders_text_as_sqlite_does(store):
    unit_id = await store.create_unit(UNIT, [{"name": n, "status": "chinh_thuc"} for n in ("Ân", "An", "Bình", "a")])
    await store.patch_unit_settings(unit_id, {"linked_at": {"telegram:-100.5": "x"}, "reminders": {"time": "07:00"}})
    await store.patch_unit_settings(unit_id, {"reminders": {"time": None, "days": [7]}})
    row = await select_one(store, "SELECT json_extract(settings, ?) AS chat, json_extract(settings, '$.reminders') "
                                  "AS reminders FROM units", '$.linked_at."telegram:-100.5"')
    assert row["chat"] == "x" and json.loads(row["reminders"]) == {"days": [7]}
    names = [r["name"] for r in await select(store, "SELECT name FROM people ORDER BY name")]
    assert names == sorted(names) == ["An", "Bình", "a", "Ân"]  # code point order, whatever the database's locale


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


async def test_backup_is_a_consistent_copy(store, tmp_path, request):
    unit_id = await store.create_unit(UNIT, [{"name": "A", "status": "chinh_thuc"}])
    target = tmp_path / "backup.copy"
    await store.backup(str(target))
    if store.engine == "postgresql":  # a pg_dump archive: restored into a new database
        if shutil.which("pg_restore") is None:
            pytest.skip("pg_restore not installed")
        server = request.getfixturevalue("pg_server")
        name = unique_name()
        url = server.create_database(name)
        subprocess.run(["pg_restore", "--no-owner", "--dbname", url, str(target)], check=True)
    else:
        url = str(target)
    copy = await Store.open(url)
    assert (await copy.get_unit(unit_id)).name == UNIT["name"]
    await copy.close()
    if store.engine == "postgresql":
        server.drop_database(name)
