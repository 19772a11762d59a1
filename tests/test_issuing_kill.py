"""kill -9 of a real `chibo chat` at several points of a confirm (issue rows 3 and 4): before the commit,
right after it, during the PDF conversion (a slow fake `soffice`), after it. Restarted, the console sends the
stored document; the confirm sent again issues nothing: one document, one meeting, one attendance set, one
set of deadlines, and the file delivered is the number committed."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from bot import issuing
from tests.conftest import ONBOARD, ROOT, chat_cmd, run_env
from tests.test_console import Proc
from tests.test_meetings import BODY, HEAD, ONBOARD_CELL, ROLL, TAIL, TASK
from tests.test_plan_flow import THEMATIC

PLAN = (ONBOARD + [a.replace("__number__", "1") for a in THEMATIC], "Xác nhận và tạo văn bản",
        "Kế hoạch 01-KH-CB - Tổ chức sinh hoạt chi bộ theo Chuyên đề năm 2027")
MEETING = (ONBOARD_CELL + HEAD + ROLL + BODY + TASK + TAIL, "Xác nhận và tạo biên bản",
           "Biên bản 01-BB-CB - Sinh hoạt chi bộ thường kỳ tháng 11 năm 2026")
FAKE_SOFFICE = """#!/bin/sh
out=""; prev=""
for a in "$@"; do [ "$prev" = "--outdir" ] && out="$a"; prev="$a"; done
if [ -e "{dir}/slow" ]; then echo $$ > "{dir}/pid"; exec sleep 60; fi
printf '%%PDF-1.4 fake\\n' > "$out/document.pdf"
"""


def review_db(folder: Path, lines: list[str]) -> Path:
    """A database whose console draft waits on the review screen (the lines piped into a real `chibo chat`)."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "db.sqlite3"
    script = "".join(line.replace("\n", "\\n") + "\n" for line in lines).encode()
    done = subprocess.run(chat_cmd(db, folder / "out"), input=script, capture_output=True, cwd=ROOT, env=run_env(),
                          timeout=120)
    assert done.returncode == 0 and b"Traceback" not in done.stdout + done.stderr, done.stdout.decode()[-2000:]
    return db


def fake_soffice(folder: Path) -> dict[str, str]:
    """PATH with a `soffice` that writes a fake PDF, or hangs while folder/slow exists."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    soffice = bin_dir / "soffice"
    soffice.write_text(FAKE_SOFFICE.format(dir=folder))
    soffice.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "CHIBO_PDF": "on"}


async def start(db: Path, out: Path, env: dict[str, str]) -> Proc:
    proc = await asyncio.create_subprocess_exec(
        *chat_cmd(db, out), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT, cwd=ROOT, env={**run_env(), **env})
    return Proc(proc)


def table_counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("documents", "meetings", "attendance", "deadlines")}


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["plan", "meeting"])
@pytest.mark.parametrize("point", ["render", "commit", "soffice", "pdf"])
async def test_kill_9_during_a_confirm_then_restart_and_confirm_again(tmp_path: Path, kind: str, point: str) -> None:
    lines, confirm, stem = PLAN if kind == "plan" else MEETING
    db = review_db(tmp_path / "db", lines)
    out = tmp_path / "out"
    env = fake_soffice(tmp_path)
    if point == "soffice":
        (tmp_path / "slow").touch()
    else:
        env[issuing.PAUSE_ENV] = point
    proc = await start(db, out, env)
    await proc.expect("Tiếp tục việc đang dở")
    await proc.send(confirm)
    if point == "soffice":
        for _ in range(400):  # the conversion has started: the commit is done
            if (tmp_path / "pid").exists():
                break
            await asyncio.sleep(0.05)
        assert (tmp_path / "pid").exists(), proc.buffer
    else:
        await proc.expect(f"{issuing.PAUSE_ENV}: paused after {point}")
    await proc.kill9()
    if point == "soffice":
        os.kill(int((tmp_path / "pid").read_text()), signal.SIGKILL)
        (tmp_path / "slow").unlink()
    assert not out.exists() or not list(out.iterdir())  # nothing was delivered
    committed = table_counts(db)
    assert committed["documents"] == (0 if point == "render" else 1)

    env.pop(issuing.PAUSE_ENV, None)
    proc = await start(db, out, env)
    if point == "render":  # nothing committed: the review screen again, and the confirm issues once
        await proc.expect("Tiếp tục việc đang dở")
        await proc.send(confirm)
        shown = await proc.expect(r"Đã lưu [\s\S]*\n\n$")
    else:  # committed: the console sends the stored document at once
        shown = await proc.expect(r"chưa kịp gửi[\s\S]*\.pdf\n\n")
        await proc.send(confirm)
        again = await proc.expect(r"đã được tạo[\s\S]*\.docx\n\n")
        assert "số 01-" in again and f"{stem}.docx" in again
    assert f"{stem}.docx" in shown and f"{stem}.pdf" in shown
    proc.proc.stdin.close()
    await proc.proc.wait()

    counts = table_counts(db)
    expected = ({"documents": 1, "meetings": 0, "attendance": 0, "deadlines": 5} if kind == "plan"  # 4 quarters, 1
                else {"documents": 1, "meetings": 1, "attendance": 6, "deadlines": 1})
    assert counts == expected
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(DISTINCT title || due) FROM deadlines").fetchone()[0] == counts["deadlines"]
        number, filename, content = conn.execute("SELECT number, filename, content FROM documents").fetchone()
    assert (number, filename) == (1, f"{stem}.docx")
    assert (out / filename).read_bytes() == content  # the file delivered is the document committed
    assert sorted(p.name for p in out.iterdir()) == [f"{stem}.docx", f"{stem}.pdf"]
