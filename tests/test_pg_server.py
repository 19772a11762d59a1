"""The tests' own PostgreSQL server (tests/pg_server.py): it starts, runs as a user other than root, gives each
test a database of its own, copies templates, and leaves nothing running behind it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import psycopg
import pytest

from tests import pg_server as pg
from tests.pg_server import PgServer, PgUnavailable, start_server, unique_name

ROOT = Path(__file__).resolve().parent.parent


def own_server(server: PgServer) -> psutil.Process:
    """The postmaster of our own server (not one CHIBO_TEST_PG names)."""
    if server.process is None:
        pytest.skip("CHIBO_TEST_PG names an existing server: its process is not ours to inspect")
    return psutil.Process(server.process.pid)


def gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def refuses(url: str) -> bool:
    try:
        psycopg.connect(url, connect_timeout=2).close()
    except psycopg.OperationalError:
        return True
    return False


def test_the_server_answers_as_the_chibo_superuser_in_utf8(pg_url):
    with psycopg.connect(pg_url) as conn:
        user, encoding, superuser = conn.execute(
            "SELECT current_user, current_setting('server_encoding'), current_setting('is_superuser')").fetchone()
        assert conn.execute("SELECT 'Nghị quyết chi bộ'").fetchone() == ("Nghị quyết chi bộ",)
    assert (encoding, superuser) == ("UTF8", "on")
    assert user == psycopg.conninfo.conninfo_to_dict(pg_url)["user"]


def test_the_server_runs_as_a_user_other_than_root_and_owns_its_data(pg_server):
    postmaster = own_server(pg_server)
    uid = postmaster.uids().real
    assert uid != 0 and postmaster.uids().effective != 0
    if os.geteuid() != 0:
        assert uid == os.geteuid()
    with psycopg.connect(pg_server.url) as conn:
        data_directory, fsync = conn.execute(
            "SELECT current_setting('data_directory'), current_setting('fsync')").fetchone()
        backend = psutil.Process(conn.execute("SELECT pg_backend_pid()").fetchone()[0])
    assert os.stat(data_directory).st_uid == uid
    assert backend.ppid() == postmaster.pid and backend.uids().real == uid
    assert fsync == "off"  # a throwaway server


def test_two_databases_are_isolated(pg_server):
    first, second = unique_name(), unique_name()
    urls = pg_server.create_database(first), pg_server.create_database(second)
    try:
        with psycopg.connect(urls[0], autocommit=True) as conn:
            conn.execute("CREATE TABLE members (name text)")
            conn.execute("INSERT INTO members VALUES ('Nguyễn Văn An')")
        with psycopg.connect(urls[1]) as conn:
            assert conn.execute("SELECT to_regclass('members')").fetchone() == (None,)
            assert conn.execute("SELECT current_database()").fetchone() == (second,)
        with psycopg.connect(urls[0]) as conn:
            assert conn.execute("SELECT name FROM members").fetchall() == [("Nguyễn Văn An",)]
    finally:
        pg_server.drop_database(first)
        pg_server.drop_database(second)
    with pytest.raises(psycopg.OperationalError, match="does not exist"):
        psycopg.connect(urls[0], connect_timeout=5)


def test_a_copy_of_a_template_carries_its_tables_and_rows(pg_server):
    template, copy = unique_name(), unique_name()
    template_url = pg_server.create_database(template)
    try:
        with psycopg.connect(template_url, autocommit=True) as conn:
            conn.execute("CREATE TABLE units (id int PRIMARY KEY, name text NOT NULL)")
            conn.execute("INSERT INTO units VALUES (1, 'Chi bộ Xóm Định Thành')")
        copy_url = pg_server.create_database(copy, template=template)
        with psycopg.connect(copy_url, autocommit=True) as conn:
            assert conn.execute("SELECT id, name FROM units").fetchall() == [(1, "Chi bộ Xóm Định Thành")]
            conn.execute("INSERT INTO units VALUES (2, 'Chi bộ Thôn Mới')")
        with psycopg.connect(template_url) as conn:  # the copy is a copy
            assert conn.execute("SELECT count(*) FROM units").fetchone() == (1,)
    finally:
        pg_server.drop_database(copy)
        pg_server.drop_database(template)


def test_each_test_gets_an_empty_database_dropped_after_it(pg_server, pg_url):
    name = psycopg.conninfo.conninfo_to_dict(pg_url)["dbname"]
    with psycopg.connect(pg_url) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    assert tables == (0,)
    assert name in pg_server.made  # the fixture drops it after the test


def second_server(pg_server: PgServer, folder: Path) -> PgServer:
    """A server of its own for the tests that stop one (the session's stays up)."""
    try:
        return start_server(folder)
    except PgUnavailable as e:
        pytest.skip(f"cannot start a second server here: {e}")


def test_stop_shuts_the_server_down_and_removes_its_scratch_folder(pg_server, tmp_path):
    started = time.monotonic()
    server = second_server(pg_server, tmp_path)
    assert time.monotonic() - started < 15
    assert server.process is not None
    pid = server.process.pid
    assert not refuses(server.url)
    server.stop()
    assert gone(pid)
    assert refuses(server.url)
    assert server.scratch is None or not server.scratch.exists()
    assert "database system is shut down" in (tmp_path / "postgresql.log").read_text()
    server.stop()  # again: nothing to do


@pytest.mark.parametrize("ending", ["exit", "kill -9"])
def test_a_test_run_that_ends_without_stop_leaves_no_server_behind(pg_server, tmp_path, ending):
    """Ended normally, atexit stops the server; killed, the server gets SIGINT as its parent dies."""
    second_server(pg_server, tmp_path / "probe").stop()  # skips when a server cannot start
    script = ("import sys; from pathlib import Path; from tests.pg_server import start_server; "
              "s = start_server(Path(sys.argv[1])); print(s.process.pid, s.url, s.scratch, flush=True); "
              "sys.stdin.readline()")  # then ends without s.stop()
    child = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "run")], cwd=ROOT,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdin is not None and child.stdout is not None
    pid, url, scratch = child.stdout.readline().split()
    assert not refuses(url)
    if ending == "kill -9":
        child.send_signal(signal.SIGKILL)
    else:
        child.stdin.write("done\n")
        child.stdin.flush()
    assert child.wait(timeout=30) in (0, -signal.SIGKILL)
    assert gone(int(pid))
    assert refuses(url)
    if ending == "exit":
        assert scratch == "None" or not Path(scratch).exists()
    elif scratch != "None":
        shutil.rmtree(scratch)  # a killed run leaves its scratch folder; start_server sweeps old ones


@pytest.fixture
def fake_bindir(monkeypatch):
    """A folder of fake PostgreSQL binaries that the server user can run (under root, `nobody`)."""
    folder = Path(tempfile.mkdtemp(prefix="chibo-fake-pg-"))
    folder.chmod(0o755)
    monkeypatch.setattr(pg, "find_bindir", lambda: folder)

    def write(name: str, body: str) -> None:
        (folder / name).write_text(f"#!/bin/sh\n{body}\n")
        (folder / name).chmod(0o755)

    yield write
    for item in folder.iterdir():
        item.unlink()
    folder.rmdir()


def test_a_failing_initdb_is_reported_with_its_stderr(fake_bindir, tmp_path):
    fake_bindir("initdb", "echo 'initdb: error: the disk is on fire' >&2; exit 1")
    fake_bindir("postgres", "exit 1")
    with pytest.raises(PgUnavailable, match=r"initdb failed \(exit 1\): initdb: error: the disk is on fire"):
        start_server(tmp_path)


def test_a_server_that_never_answers_times_out_instead_of_hanging(fake_bindir, tmp_path):
    fake_bindir("initdb", "exit 0")
    fake_bindir("postgres", "exec sleep 60")
    started = time.monotonic()
    with pytest.raises(PgUnavailable, match="did not accept connections in 1 s"):
        start_server(tmp_path, timeout=1)
    assert time.monotonic() - started < 10
    left = [p for p in psutil.Process().children(recursive=True) if p.name() == "sleep" and not gone(p.pid, 1)]
    assert left == []  # the fake server was stopped


def test_a_server_that_exits_at_once_is_reported_with_its_log(fake_bindir, tmp_path):
    fake_bindir("initdb", "exit 0")
    fake_bindir("postgres", "echo 'FATAL:  data directory has wrong ownership' >&2; exit 1")
    with pytest.raises(PgUnavailable, match="postgres exited with code 1: FATAL:  data directory has wrong"):
        start_server(tmp_path)


def test_chibo_test_pg_off_means_no_postgresql(monkeypatch, tmp_path):
    monkeypatch.setenv("CHIBO_TEST_PG", "off")
    with pytest.raises(PgUnavailable, match="^CHIBO_TEST_PG=off$"):
        pg.server_for_tests(tmp_path)
    monkeypatch.setenv("CHIBO_TEST_PG", "mysql://nope")
    with pytest.raises(PgUnavailable, match="neither 'off', 'require' nor a postgresql:// URL"):
        pg.server_for_tests(tmp_path)


def test_chibo_test_pg_names_an_existing_server(pg_server, monkeypatch, tmp_path):
    monkeypatch.setenv("CHIBO_TEST_PG", pg_server.url)
    existing = pg.server_for_tests(tmp_path)
    assert existing.process is None and existing.url == pg_server.url
    name = unique_name()
    with psycopg.connect(existing.create_database(name)) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (name,)
    existing.stop()  # drops what it made, leaves the server up
    with psycopg.connect(pg_server.url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone() == (0,)
