"""Reading an untrusted plan in a separate process, so that a hostile file never blocks the bot.

``await read_and_extract(data, name, today)`` (a file sent) and ``await extract_pasted(text, today)`` (a
plan pasted as a message) return the plan's dated items, or raise ValueError with a Vietnamese message
naming the limit that was hit. Each job is a fresh ``python -m bot.extract.worker`` child:

* the parent checks the upload size, then waits for the child without blocking the event loop (other
  chats are answered meanwhile); at most ``WORKERS`` children run at once, the others wait their turn;
* the child first limits its own address space (RLIMIT_AS = ``WORKER_MEMORY``) and CPU time, then
  checks the zip directory of a .docx (sizes, ratio, members) before python-docx unpacks anything,
  the length of the text before searching it, and the number of items found (bot/extract/limits.py);
* after ``WORKER_SECONDS`` of wall time the parent kills the child (SIGKILL) and reaps it.

A fresh process per job costs ~0.15 s and means a killed or exhausted job cannot poison the next one.

The protocol: one JSON line on the child's stdin ({"name", "today", "memory", "seconds", "max_text"}),
then the file's bytes; one JSON object on its stdout: {"items": [...], "heading": "..."} or
{"error": "<Vietnamese message>"}.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from weakref import WeakKeyDictionary

from bot.extract import limits
from bot.extract.items import Item

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]  # the folder that holds the bot package
PASTED = ""  # the name of a pasted plan: no file

_slots: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = WeakKeyDictionary()


@dataclass(frozen=True)
class Found:
    """What a plan holds: its dated items in document order, and its first real line (a title guess)."""

    items: list[Item]
    heading: str


def heading_of(text: str) -> str:
    """The first line longer than 10 characters, without markdown marks: usually the plan's title."""
    return next((s.strip(" *#") for s in text.splitlines() if len(s.strip(" *#")) > 10), "")[:200]


def _item_json(item: Item) -> dict:
    return {**item.as_json(), "line": item.line}


def _item(data: dict) -> Item:
    return Item(kind=data["kind"], due=date.fromisoformat(data["due"]),
                start=date.fromisoformat(data["start"]) if data["start"] else None,
                time=time.fromisoformat(data["time"]) if data["time"] else None,
                who=data["who"], quote=data["quote"], line=data["line"],
                tentative=bool(data.get("tentative", False)), title=data.get("title") or "")


async def read_and_extract(data: bytes, name: str, today: date) -> Found:
    """The dated items of a plan file (.docx, .txt, .md) sent by someone, read in a child process.
    ValueError (Vietnamese, naming the limit) when the file is refused or unreadable."""
    from bot.extract.files import check_suffix

    check_suffix(name)
    limits.check_upload(len(data), name)
    return await _run(data, name, today)


async def extract_pasted(text: str, today: date) -> Found:
    """The dated items of a plan pasted as a message, searched in a child process."""
    limits.check_text(len(text), PASTED)
    return await _run(text.encode("utf-8", "surrogatepass"), PASTED, today)


def _slot() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    slot = _slots.get(loop)
    if slot is None:
        slot = _slots[loop] = asyncio.Semaphore(limits.WORKERS)
    return slot


async def _run(payload: bytes, name: str, today: date) -> Found:
    header = {"name": name, "today": today.isoformat(), "memory": limits.WORKER_MEMORY,
              "seconds": limits.WORKER_SECONDS, "max_text": limits.MAX_TEXT, "nice": limits.WORKER_NICE}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    async with _slot():
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.extract.worker", stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env, cwd=str(ROOT))
        stdin = json.dumps(header).encode() + b"\n" + payload
        try:
            out, err = await asyncio.wait_for(child.communicate(stdin), timeout=limits.WORKER_SECONDS)
        except TimeoutError:
            log.warning("reading %r took more than %s s: killed", name, limits.WORKER_SECONDS)
            raise ValueError(limits.timed_out(name)) from None
        finally:  # timed out, or the chat's task cancelled: the child goes too, and is reaped
            if child.returncode is None:
                child.kill()
                await child.wait()
    try:
        result = json.loads(out)
    except ValueError:
        log.warning("reading %r failed (exit %s): %s", name, child.returncode, err.decode(errors="replace")[-2000:])
        raise ValueError(limits.failed(name)) from None
    if "error" in result:
        raise ValueError(result["error"])
    return Found([_item(i) for i in result["items"]], result["heading"])


# -- the child ----------------------------------------------------------------------------------

def _limit_self(memory: int, seconds: float, nice: int) -> None:
    try:
        import resource
    except ImportError:  # not a POSIX system: the parent's timeout still holds
        return
    os.nice(nice)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(seconds) + 5  # a backstop should the parent be gone
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))


def _work(header: dict, payload: bytes) -> dict:
    from bot.extract.files import text_of
    from bot.extract.items import extract

    limits.MAX_TEXT = header["max_text"]
    limits.WORKER_MEMORY = header["memory"]
    name = header["name"]
    try:
        if name == PASTED:
            text = payload.decode("utf-8", "surrogatepass")
            limits.check_text(len(text), name)
        else:
            text = text_of(payload, name)
        items = extract(text, today=date.fromisoformat(header["today"]))
        limits.check_items(len(items), name)
    except ValueError as exc:
        return {"error": str(exc)}
    except MemoryError:
        return {"error": limits.out_of_memory(name)}
    return {"items": [_item_json(i) for i in items], "heading": heading_of(text)}


def main() -> None:
    header = json.loads(sys.stdin.buffer.readline())
    _limit_self(header["memory"], header["seconds"], header["nice"])
    payload = sys.stdin.buffer.read(limits.MAX_UPLOAD * 4 + 1)
    result = _work(header, payload)
    sys.stdout.buffer.write(json.dumps(result, ensure_ascii=False).encode())
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
