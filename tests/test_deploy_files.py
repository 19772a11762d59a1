"""The files of deploy/ (docs/DEPLOY.md) agree with the code they start.

These tests check consistency, not that Docker or systemd run: every `chibo` command line in the unit files, the
compose file and the Dockerfile names a subcommand and options that `chibo <command> --help` lists; every setting
they pass to chibo is a variable the code reads; the compose services start in order (postgres healthy, then
`chibo migrate` exits 0, then the workers, then Caddy); the units keep their hardening and can write the folders
they must write.
"""

from __future__ import annotations

import ast
import configparser
import re
import shlex
import subprocess
import sys
from functools import cache
from pathlib import Path, PurePosixPath

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = ("chibo.service", "chibo-backup.service", "chibo-backup.timer")
# Variables read by Caddy (deploy/Caddyfile), not by chibo.
CADDY_VARS = {"CHIBO_DOMAIN", "CHIBO_UPSTREAM"}
APP_VAR = re.compile(r"^(CHIBO|TELEGRAM|ZALO)_[A-Z_]+$")


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))


def unit(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string((DEPLOY / name).read_text(encoding="utf-8"))
    return parser


def env_file(name: str, *, commented: bool = False) -> dict[str, str]:
    """KEY=value lines of an env file; with `commented`, also the alternatives written as `#KEY=value`."""
    pattern = re.compile(r"^#?([A-Z][A-Z0-9_]*)=(.*)$" if commented else r"^([A-Z][A-Z0-9_]*)=(.*)$")
    found = (pattern.match(line.strip()) for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines())
    return {m.group(1): m.group(2) for m in found if m}


@cache
def help_text(*command: str) -> str:
    done = subprocess.run([sys.executable, "-m", "bot", *command, "--help"], capture_output=True, text=True,
                          cwd=ROOT, timeout=60, check=True)
    return done.stdout


def subcommands() -> set[str]:
    usage = re.search(r"\{([a-z,]+)\}", help_text())
    assert usage, help_text()
    return set(usage.group(1).split(","))


@cache
def code_strings() -> frozenset[str]:
    """Every string constant in the code of bot/ and handlers/: the names of the variables it reads."""
    strings: set[str] = set()
    for top in ("bot", "handlers"):
        for path in (ROOT / top).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    strings.add(node.value)
    return frozenset(strings)


def chibo_lines() -> list[tuple[str, list[str]]]:
    """(where, argv after `chibo`) for every chibo command line of deploy/."""
    lines: list[tuple[str, list[str]]] = []
    for name, service in compose()["services"].items():
        command = service.get("command")
        if command and command[0] == "chibo":
            lines.append((f"docker-compose.yml {name}", command[1:]))
    cmd = re.search(r"^CMD (\[.*\])$", (DEPLOY / "Dockerfile").read_text(encoding="utf-8"), re.M)
    assert cmd, "deploy/Dockerfile has no CMD"
    argv = yaml.safe_load(cmd.group(1))
    assert argv[0] == "chibo"
    lines.append(("Dockerfile CMD", argv[1:]))
    for name in UNITS[:2]:
        exec_start = unit(name)["Service"]["ExecStart"]
        words = shlex.split(exec_start)
        if words[:2] == ["/bin/sh", "-c"]:
            words = shlex.split(words[2])
        words = words[1:] if words[0] == "exec" else words
        assert PurePosixPath(words[0]).name == "chibo", exec_start
        lines.append((f"{name} ExecStart", words[1:]))
    return lines


def test_every_chibo_command_line_names_a_command_and_options_chibo_has():
    lines = chibo_lines()
    assert {argv[0] for _, argv in lines} >= {"serve", "migrate", "backup"}
    missing: set[str] = set()
    for where, argv in lines:
        if argv[0] not in subcommands():
            missing.add(f"{where}: chibo has no command {argv[0]!r}")
            continue
        options = {word for word in argv[1:] if word.startswith("--")}
        missing |= {option for option in options if option not in help_text(argv[0])}
    assert not missing, sorted(missing)


def test_every_setting_passed_to_chibo_is_read_by_the_code():
    services = compose()["services"]
    names = set(services["chibo"]["environment"]) | set(services["migrate"]["environment"])
    names |= {name for name in env_file(".env.example") if APP_VAR.match(name)}
    names |= set(env_file("chibo.env.example", commented=True))
    caddy = names & CADDY_VARS
    assert caddy <= set(services["caddy"]["environment"])
    caddyfile = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    assert all("{$" + name in caddyfile for name in CADDY_VARS)
    names -= CADDY_VARS
    assert {"CHIBO_DB", "CHIBO_PUBLIC_URL", "CHIBO_WEBHOOK_SECRET", "CHIBO_SECRET_KEY", "TELEGRAM_BOT_TOKEN",
            "ZALO_BOT_TOKEN"} <= names
    unknown = {name for name in names if name not in code_strings()}
    assert not unknown, sorted(unknown)


def test_compose_variables_are_all_in_the_env_example():
    text = (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    assert used and used <= set(env_file(".env.example"))
    # The secrets have no default: compose stops with the message when one is left empty.
    for name in ("POSTGRES_PASSWORD", "CHIBO_WEBHOOK_SECRET", "CHIBO_SECRET_KEY"):
        assert f"${{{name}:?" in text
        assert env_file(".env.example")[name] == "", f"{name}: the example must not carry a usable secret"


def test_compose_starts_postgres_then_migrate_then_the_workers_then_caddy():
    services = compose()["services"]
    assert set(services) == {"postgres", "migrate", "chibo", "caddy"}
    postgres, migrate, chibo, caddy = (services[n] for n in ("postgres", "migrate", "chibo", "caddy"))
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert migrate["command"] == ["chibo", "migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert chibo["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert chibo["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "/healthz" in " ".join(chibo["healthcheck"]["test"])
    assert caddy["depends_on"]["chibo"]["condition"] == "service_healthy"
    assert migrate["image"] == chibo["image"] and migrate["build"] == chibo["build"]


def test_compose_workers_run_on_postgresql_with_webhooks_behind_caddy():
    services = compose()["services"]
    chibo = services["chibo"]
    command = chibo["command"]
    workers = int(command[command.index("--workers") + 1])
    port = command[command.index("--port") + 1]
    assert workers > 1 and command[command.index("--host") + 1] == "0.0.0.0"
    env = chibo["environment"]
    assert env["CHIBO_DB"].startswith("postgresql://")  # several workers need PostgreSQL...
    assert env["CHIBO_PUBLIC_URL"].startswith("https://")  # ...and webhooks
    assert "ports" not in chibo  # reached through Caddy only
    assert services["caddy"]["environment"]["CHIBO_UPSTREAM"] == f"chibo:{port}"
    # The postgres image's major version is the pg_dump the Dockerfile installs (Debian bookworm: 15).
    image = services["postgres"]["image"]
    assert image.startswith("postgres:15") and "bookworm" in (DEPLOY / "Dockerfile").read_text(encoding="utf-8")


def test_dockerfile_runs_the_source_folder_as_a_user_without_privileges():
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.1\d-slim", text, re.M)
    users = re.findall(r"^USER (\S+)$", text, re.M)
    assert users and users[-1] not in {"root", "0"}
    assert "pip install -e /opt/chibo" in text  # templates/ and data/ are read beside the packages
    for folder in ("bot", "handlers", "templates", "data"):
        assert re.search(rf"^COPY {folder} ", text, re.M), folder
    assert "postgresql-client" in text  # pg_dump, for `chibo backup` on PostgreSQL
    assert "/healthz" in text


def under(path: str, folders: str) -> bool:
    return any(PurePosixPath(path).is_relative_to(folder) for folder in folders.split())


def test_service_unit_is_hardened_and_can_write_the_database_folder():
    service = unit("chibo.service")["Service"]
    assert service["User"] not in {"root", "0"}
    assert service["Restart"] == "on-failure"
    assert service["EnvironmentFile"] == "/etc/chibo/chibo.env"
    for key, value in {"ProtectSystem": "strict", "NoNewPrivileges": "yes", "PrivateTmp": "yes",
                       "ProtectHome": "yes", "UMask": "0077"}.items():
        assert service[key] == value, key
    db = env_file("chibo.env.example")["CHIBO_DB"]
    assert under(str(PurePosixPath(db).parent), service["ReadWritePaths"])
    assert under(service["WorkingDirectory"], service["ReadWritePaths"])
    exec_start = shlex.split(service["ExecStart"])
    port = exec_start[exec_start.index("--port") + 1]
    assert exec_start[exec_start.index("--host") + 1] == "127.0.0.1"  # the reverse proxy is the way in
    assert "{$CHIBO_UPSTREAM:127.0.0.1:" + port + "}" in (DEPLOY / "Caddyfile").read_text(encoding="utf-8")


def test_backup_unit_writes_its_folder_keeps_two_weeks_and_runs_nightly():
    backup = unit("chibo-backup.service")["Service"]
    service = unit("chibo.service")["Service"]
    assert backup["Type"] == "oneshot"
    assert (backup["User"], backup["EnvironmentFile"]) == (service["User"], service["EnvironmentFile"])
    assert backup["ProtectSystem"] == "strict"
    target = re.search(r'"(/[^"$]+)/chibo-', backup["ExecStart"])
    assert target and under(target.group(1), backup["ReadWritePaths"])
    db = env_file("chibo.env.example")["CHIBO_DB"]
    assert under(str(PurePosixPath(db).parent), backup["ReadWritePaths"])  # WAL: reading writes the -shm
    assert "%%Y" in backup["ExecStart"]  # systemd would expand a single %
    assert re.search(rf"find {re.escape(target.group(1))} .*-mtime \+\d+ -delete", backup["ExecStartPost"])
    timer = unit("chibo-backup.timer")
    assert timer["Timer"]["Unit"] == "chibo-backup.service"
    assert timer["Timer"]["Persistent"] == "true" and timer["Timer"]["OnCalendar"]
    assert timer["Install"]["WantedBy"] == "timers.target"
