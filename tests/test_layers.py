"""The layers of docs/ARCHITECTURE.md, checked on the source: imports only go downward, SQL only in the store.

app shell     bot/cli.py, bot/__main__.py, bot/channels/,   may import anything below
              bot/web/
conversation  handlers/                                    knows no platform: no bot.channels, bot.cli, telegram
domain        every other module of bot/                   never imports handlers, bot.channels or bot.cli
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHELL = {"bot.cli", "bot.__main__"}
PLATFORMS = ("telegram", "aiohttp", "httpx", "tornado", "starlette", "uvicorn")
QUERY_CALLS = {"execute", "executemany", "executescript", "fetch_one", "fetch_all", "_one", "_all"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    if module in SHELL or any(module == top or module.startswith(top + ".") for top in ("bot.channels", "bot.web")):
        return "shell"
    if module == "handlers" or module.startswith("handlers."):
        return "conversation"
    return "domain"


def sources() -> list[Path]:
    return sorted(p for top in ("bot", "handlers") for p in (ROOT / top).rglob("*.py"))


def imports(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, at any depth (lazy imports inside functions count too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def forbidden(importer: str, imported: str) -> bool:
    top = imported.split(".")[0]
    if top in ("bot", "handlers"):
        below = {"shell": 0, "conversation": 1, "domain": 2}
        return below[layer(imported)] < below[layer(importer)]
    return layer(importer) != "shell" and top in PLATFORMS


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_only_go_downward(path: Path) -> None:
    importer = module_name(path)
    wrong = [f"line {line}: {name}" for line, name in imports(path) if forbidden(importer, name)]
    assert not wrong, f"{importer} ({layer(importer)}) imports from a layer above it: {wrong}"


@pytest.mark.parametrize("path", [p for p in sources() if "store" not in p.relative_to(ROOT).parts[:2]],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_sql_only_in_the_store(path: Path) -> None:
    calls = [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr in QUERY_CALLS]
    assert not calls, f"{path.relative_to(ROOT)} runs SQL outside bot/store/ at lines {calls}"


def test_the_checker_sees_a_wrong_import() -> None:
    assert forbidden("bot.reminders.sweeper", "handlers.meetings")
    assert forbidden("handlers.router", "bot.channels.telegram")
    assert forbidden("bot.dates", "bot.cli")
    assert forbidden("handlers.engine", "telegram.ext")
    assert not forbidden("bot.channels.telegram", "telegram.ext")
    assert not forbidden("handlers.router", "bot.store")
    assert not forbidden("bot.cli", "handlers.router")
