"""The app shell's guards: private files (modes after a real `chibo chat`), and bad paths or options that
end with one clear line on stderr and exit code 2, never a traceback."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.store import Store
from tests.conftest import ROOT, run_env


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def chibo(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, env={**run_env(), "PYTHONPATH": str(ROOT)}, timeout=60)


def test_chat_writes_private_files(replay):
    run = replay("seed_000")
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.documents, "the scenario writes a document"
    assert mode(run.db) == 0o600
    assert mode(run.out) == 0o700
    assert {mode(doc) for doc in run.documents} == {0o600}


async def test_wal_and_shm_files_and_backups_are_private(tmp_path):
    old = os.umask(0o022)  # as a careless shell would have it
    try:
        db = tmp_path / "db.sqlite3"
        store = await Store.open(str(db))
        await store.create_unit({"kind": "chi_bo", "name": "Chi bộ A", "code": "CB", "place": "B",
                                 "signer_name": "C", "signer_title": "BÍ THƯ"}, [])
        assert (tmp_path / "db.sqlite3-wal").exists() and (tmp_path / "db.sqlite3-shm").exists()
        assert {mode(db), mode(tmp_path / "db.sqlite3-wal"), mode(tmp_path / "db.sqlite3-shm")} == {0o600}
        await store.backup(str(tmp_path / "copy.sqlite3"))
        assert mode(tmp_path / "copy.sqlite3") == 0o600
        await store.close()
        os.chmod(db, 0o644)  # made readable by an older version: private again on the next start
        store = await Store.open(str(db))
        await store.close()
        assert mode(db) == 0o600
    finally:
        os.umask(old)


def one_clear_line(run: subprocess.CompletedProcess[str], *words: str) -> None:
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture
def folder(tmp_path) -> Path:
    (tmp_path / "a-file").write_text("not a folder")
    return tmp_path


@pytest.mark.parametrize(("args", "words"), [
    (["chat", "--db", "missing/db.sqlite3"], ["--db", "không có thư mục", "missing"]),
    (["chat", "--db", "a-file/db.sqlite3"], ["--db", "a-file", "là một tệp"]),
    (["chat", "--db", "."], ["--db", "là một thư mục"]),
    (["chat", "--db", "a-file"], ["--db", "không mở được cơ sở dữ liệu"]),
    (["chat", "--db", "db.sqlite3", "--out", "a-file"], ["--out", "a-file", "là một tệp"]),
    (["chat", "--db", "db.sqlite3", "--out", "a-file/docs"], ["--out", "a-file/docs", "là một tệp"]),
    (["chat", "--db", "db.sqlite3", "--now", "2026-13-45"], ["--now", "2026-13-45", "ví dụ đúng"]),
    (["chat", "--db", "db.sqlite3", "--now", "hôm qua"], ["--now", "hôm qua"]),
    (["telegram", "--db", "missing/db.sqlite3"], ["--db", "không có thư mục"]),
    (["backup", "missing/copy.sqlite3", "--db", "db.sqlite3"], ["chibo backup", "không có thư mục", "missing"]),
    (["backup", "a-file/copy.sqlite3", "--db", "db.sqlite3"], ["chibo backup", "là một tệp"]),
    (["backup", ".", "--db", "db.sqlite3"], ["chibo backup", "là một thư mục"]),
    (["backup", "db.sqlite3", "--db", "db.sqlite3"], ["chibo backup", "đã có"]),
    (["backup", "copy.sqlite3", "--db", "nothing.sqlite3"], ["Không có cơ sở dữ liệu", "nothing.sqlite3"]),
], ids=lambda v: " ".join(v) if isinstance(v, list) and v and v[0] in ("chat", "telegram", "backup") else "")
def test_bad_paths_and_options_are_one_clear_line(folder, args, words):
    (folder / "db.sqlite3").write_bytes(b"")  # an empty file is a new, empty database for SQLite
    if args[0] == "chat" and args[2] == "a-file":
        (folder / "a-file").write_text("not a database, but long enough to be read as one " * 4)
    run = chibo(*args, cwd=folder, stdin="/batdau\n")
    one_clear_line(run, *words)


def test_backup_into_an_existing_folder_works(folder):
    chibo("chat", "--db", "db.sqlite3", cwd=folder, stdin="/batdau\n")
    (folder / "backups").mkdir()
    run = chibo("backup", "backups/copy.sqlite3", "--db", "db.sqlite3", cwd=folder)
    assert run.returncode == 0, run.stderr
    assert mode(folder / "backups" / "copy.sqlite3") == 0o600


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into any folder: the permission check cannot fail")
def test_unwritable_folders_are_one_clear_line(folder):
    locked = folder / "locked"
    locked.mkdir(mode=0o500)
    one_clear_line(chibo("chat", "--db", "locked/db.sqlite3", cwd=folder), "không có quyền ghi", "locked")
    one_clear_line(chibo("chat", "--db", "db.sqlite3", "--out", "locked/out", cwd=folder),
                   "--out", "không có quyền ghi")
