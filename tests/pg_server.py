"""A throwaway PostgreSQL server for the tests, started by the test run itself.

`server_for_tests(folder)` reads CHIBO_TEST_PG: unset (or "require") starts a server of our own with
`start_server`; a `postgresql://…` URL uses that existing server; "off" means no PostgreSQL. Every failure
raises `PgUnavailable` with a message that says why (which binary is missing, initdb's stderr, the server's
log), never hangs.

The server is initdb'd into a fresh data directory (superuser `chibo`, trust authentication, UTF8, locale C),
listens on 127.0.0.1 on a free port only (no Unix socket) and runs without durability (fsync, synchronous
commit and full page writes off): its data is thrown away. PostgreSQL refuses to run as root, so under root
(CI) initdb and the server run as `nobody`, their data directory in a folder of /tmp that user owns.
"""

from __future__ import annotations

import atexit
import contextlib
import grp
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

SUPERUSER = "chibo"
ENV = "CHIBO_TEST_PG"
SERVER_USER, SERVER_GROUP = "nobody", "nogroup"  # who runs the server when we are root
SCRATCH_PREFIX = "chibo-pg-"  # the folders in /tmp of the servers run as SERVER_USER

SETTINGS = {  # a throwaway server: speed over durability
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",
    "shared_buffers": "32MB",
    "jit": "off",
    "log_checkpoints": "off",
}


class PgUnavailable(RuntimeError):
    """No PostgreSQL for the tests; the message says why."""


def find_bindir() -> Path:
    """The folder of the PostgreSQL server binaries (initdb and postgres): the one of `initdb` on PATH, else
    `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin."""
    candidates: list[Path] = []
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).resolve().parent)
    if pg_config := shutil.which("pg_config"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10)
            if out.returncode == 0 and out.stdout.strip():
                candidates.append(Path(out.stdout.strip()))

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", path.parent.name)) or (0,)

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for folder in candidates:
        if all(os.access(folder / name, os.X_OK) for name in ("initdb", "postgres")):
            return folder
    looked = ", ".join(str(c) for c in candidates) or "nothing found"
    raise PgUnavailable(f"no PostgreSQL server binaries (initdb and postgres) on PATH, in `pg_config --bindir` "
                        f"or /usr/lib/postgresql/*/bin (looked at: {looked})")


def database_url(url: str, name: str) -> str:
    """`url` with its database replaced by `name`."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


class PgServer:
    """A PostgreSQL server for the tests: ours (`process` set; `stop` shuts it down) or an existing one at
    `url` (`stop` drops the databases made here)."""

    def __init__(self, url: str, process: subprocess.Popen[bytes] | None = None,
                 scratch: Path | None = None, log: Path | None = None):
        self.url = url
        self.process = process
        self.scratch = scratch  # removed on stop: the data directory's folder in /tmp when we are root
        self.log = log
        self.made: set[str] = set()
        atexit.register(self.stop)

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=10)

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database `name` (a copy of `template`, which nobody may be connected to, when given);
        its URL."""
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            query = sql.SQL("{} TEMPLATE {}").format(query, sql.Identifier(template))
        with self.admin() as conn:
            if self.process is not None and conn.info.server_version >= 150000:
                query = sql.SQL("{} STRATEGY FILE_COPY").format(query)  # quicker than WAL_LOG without fsync
            conn.execute(query)
        self.made.add(name)
        return database_url(self.url, name)

    def drop_database(self, name: str) -> None:
        """Drops database `name`, closing the connections still open to it."""
        with self.admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        self.made.discard(name)

    def stop(self) -> None:
        """Fast shutdown of our server (SIGINT; SIGKILL after 30 s) and its scratch folder removed; on an
        existing server, the databases made here dropped. Idempotent."""
        atexit.unregister(self.stop)
        if self.process is None:
            for name in list(self.made):
                with contextlib.suppress(psycopg.Error):
                    self.drop_database(name)
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def __repr__(self) -> str:
        return f"PgServer({self.url!r})"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def as_server_user() -> tuple[list[str], int, int] | None:
    """Under root: the command prefix that runs a program as `nobody`, with that user's uid and gid."""
    if os.geteuid() != 0:
        return None
    if not shutil.which("setpriv"):
        raise PgUnavailable("running as root, and PostgreSQL refuses root: setpriv (util-linux) is needed to "
                            f"run it as {SERVER_USER}")
    try:
        uid = pwd.getpwnam(SERVER_USER).pw_uid
    except KeyError:
        raise PgUnavailable(f"running as root, and PostgreSQL refuses root: no user {SERVER_USER} to run it") \
            from None
    try:
        gid = grp.getgrnam(SERVER_GROUP).gr_gid
    except KeyError:
        gid = pwd.getpwnam(SERVER_USER).pw_gid
    return ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups"], uid, gid


def sweep_scratch(age: float = 3600) -> None:
    """Removes the scratch folders that killed test runs left in /tmp: no server running in them (its
    postmaster.pid is gone: the server stops when its test run dies) and untouched for `age` seconds."""
    for folder in Path(tempfile.gettempdir()).glob(SCRATCH_PREFIX + "*"):
        with contextlib.suppress(OSError):
            if not (folder / "data" / "postmaster.pid").exists() and time.time() - folder.stat().st_mtime > age:
                shutil.rmtree(folder)


def start_server(folder: Path, timeout: float = 30.0) -> PgServer:
    """initdb a fresh cluster and start it on 127.0.0.1 on a free port; returns when it takes connections.
    `folder` keeps the log (and, unless we are root, the data directory)."""
    bindir = find_bindir()
    folder.mkdir(parents=True, exist_ok=True)
    user = as_server_user()
    prefix: list[str] = []
    scratch: Path | None = None
    if user is None:
        data = folder / "data"
    else:
        prefix, uid, gid = user
        sweep_scratch()
        scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))  # /tmp is reachable by everyone; this is 0700
        os.chown(scratch, uid, gid)
        data = scratch / "data"
    try:
        init = subprocess.run(
            [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
             "--encoding=UTF8", "--locale=C", "--no-sync"],
            capture_output=True, text=True, timeout=timeout, cwd=scratch or folder)
        if init.returncode != 0:
            raise PgUnavailable(f"{bindir / 'initdb'} failed (exit {init.returncode}): "
                                f"{init.stderr.strip() or init.stdout.strip()}")
        for attempt in range(3):  # another process may take the free port first
            try:
                return _run(bindir, prefix, data, folder / "postgresql.log", scratch, timeout)
            except _PortTaken:
                if attempt == 2:
                    raise PgUnavailable("postgres could not bind a free port on 127.0.0.1 three times") from None
        raise AssertionError("unreachable")
    except subprocess.TimeoutExpired as e:
        raise PgUnavailable(f"{e.cmd[len(prefix)]} did not finish in {timeout:g} s") from None
    except BaseException:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        raise


class _PortTaken(Exception):
    pass


def _run(bindir: Path, prefix: list[str], data: Path, log: Path, scratch: Path | None,
         timeout: float) -> PgServer:
    port = free_port()
    settings = [arg for key, value in {**SETTINGS, "port": str(port)}.items() for arg in ("-c", f"{key}={value}")]
    # the server gets SIGINT (fast shutdown) when this process dies, even by kill -9
    runner = prefix or (["setpriv"] if shutil.which("setpriv") else [])
    if runner:
        runner = [*runner, "--pdeathsig=INT"]
    command = [*runner, str(bindir / "postgres"), "-D", str(data), *settings]
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                   cwd=scratch or data.parent)
    server = PgServer(f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres", process, scratch, log)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            atexit.unregister(server.stop)
            text = log.read_text(errors="replace")
            if "could not bind" in text[-2000:] or "Address already in use" in text[-2000:]:
                log.write_text("")
                raise _PortTaken
            raise PgUnavailable(f"postgres exited with code {process.returncode}: {text.strip()[-2000:]}")
        try:
            with psycopg.connect(server.url, connect_timeout=2):
                return server
        except psycopg.OperationalError as e:
            if time.monotonic() > deadline:
                server.stop()
                raise PgUnavailable(f"postgres did not accept connections in {timeout:g} s: {e}") from None
            time.sleep(0.02)


def server_for_tests(folder: Path) -> PgServer:
    """The PostgreSQL of the tests, as CHIBO_TEST_PG says: unset, empty or "require" → `start_server(folder)`;
    a postgresql:// URL → that existing server; "off" → PgUnavailable."""
    setting = os.environ.get(ENV, "").strip()
    if setting == "off":
        raise PgUnavailable(f"{ENV}=off")
    if setting.startswith(("postgresql://", "postgres://")):
        try:
            with psycopg.connect(setting, connect_timeout=10):
                pass
        except psycopg.Error as e:
            raise PgUnavailable(f"{ENV}={setting}: cannot connect: {e}") from None
        return PgServer(setting)
    if setting not in ("", "require"):
        raise PgUnavailable(f"{ENV}={setting!r} is neither 'off', 'require' nor a postgresql:// URL")
    return start_server(folder)


def unique_name(prefix: str = "t") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"
