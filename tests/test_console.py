"""The console channel as a user meets it: `python -m bot chat` in a real subprocess on a real SQLite file."""

from __future__ import annotations

import asyncio
import codecs
import re
import signal
from pathlib import Path

import pytest

from bot.channels.console import exchanges
from bot.store import Store
from tests.conftest import ONBOARD, ROOT, chat_cmd, run_env, select
from tests.conftest import SCENARIOS as SCENARIO_DIR

SCENARIOS = sorted(SCENARIO_DIR.glob("*.txt"))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_replays(scenario, replay):
    run = replay(scenario.stem)  # shared with the other tests of the scenario
    assert run.returncode == 0, run.stderr
    replies = exchanges(run.stdout)
    expectations: list[tuple[int, str]] = []  # (index of the message it follows, expected text)
    count = -1
    for line in scenario.read_text(encoding="utf-8").splitlines():
        if line.startswith("#="):
            expectations.append((count, line[2:].strip()))
        elif line.strip() and not line.lstrip().startswith("#"):
            count += 1
    assert len(replies) == count + 1
    for index, expected in expectations:
        message, reply = replies[index]
        assert expected in reply, f"after {message!r} expected {expected!r}, got:\n{reply}"
    assert "Traceback" not in run.stdout + run.stderr


# A question block: its title line (or the review screen), its text and choices, then a blank line.
QUESTION = r"(?:— câu \d+, (?:còn khoảng \d+ câu|câu cuối)|\nBắt đầu|Xem lại hồ sơ đơn vị)\n[\s\S]*\n\n$"


class Proc:
    """A `chibo chat` subprocess fed one line at a time."""

    def __init__(self, proc: asyncio.subprocess.Process):
        self.proc = proc
        self.buffer = ""
        self.decoder = codecs.getincrementaldecoder("utf-8")()  # a read may end inside a character

    @classmethod
    async def start(cls, db: Path, out: Path) -> Proc:
        proc = await asyncio.create_subprocess_exec(
            *chat_cmd(db, out), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, cwd=ROOT, env=run_env())
        return cls(proc)

    async def expect(self, pattern: str, timeout: float = 20) -> str:
        async def read():
            while not re.search(pattern, self.buffer):
                chunk = await self.proc.stdout.read(4096)
                if not chunk:
                    raise AssertionError(f"process ended before {pattern!r}; output:\n{self.buffer}")
                self.buffer += self.decoder.decode(chunk)
        try:
            await asyncio.wait_for(read(), timeout)
        except TimeoutError:
            raise AssertionError(f"no {pattern!r} within {timeout}s; output:\n{self.buffer}") from None
        seen, self.buffer = self.buffer, ""
        return seen

    async def send(self, line: str) -> None:
        self.proc.stdin.write((line.replace("\n", "; ") + "\n").encode())  # one message per line
        await self.proc.stdin.drain()

    async def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()


@pytest.mark.slow
async def test_kill_9_at_every_step_resumes_at_the_same_question(tmp_path):
    db, out = tmp_path / "db.sqlite3", tmp_path / "out"
    proc = await Proc.start(db, out)
    await proc.expect("Gõ /batdau")
    for step, answer in enumerate(ONBOARD[:-1]):
        await proc.send(answer)
        before = await proc.expect(QUESTION)
        block = before.rstrip("\n").split("\n\n")[-1]  # the last printed block is the pending question
        question = "\n".join(line for line in block.splitlines() if not line.startswith("> "))
        await proc.kill9()
        proc = await Proc.start(db, out)
        resumed = await proc.expect(r"Tiếp tục việc đang dở:[\s\S]*?" + QUESTION)
        assert resumed.rstrip("\n").endswith(question), f"step {step}: not asked again after kill -9:\n{resumed}"
    await proc.send(ONBOARD[-1])
    assert "Đã tạo hồ sơ Chi bộ Xóm Định Thành" in await proc.expect("Đã tạo hồ sơ.*")
    proc.proc.stdin.close()
    await proc.proc.wait()

    store = await Store.open(str(db))
    units = await select(store, "SELECT id FROM units")
    assert len(units) == 1
    assert [p.name for p in await store.people(units[0]["id"])] == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
    await store.close()
