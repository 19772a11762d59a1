"""Untrusted files never block the bot: hostile plans are refused or stopped at a named limit, in a worker
process, while the other chats are answered (issue rows 1, 2 and 13)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from bot.cli import extract_command
from bot.clock import Clock
from bot.extract import limits, read_text
from bot.extract.worker import extract_pasted, read_and_extract
from tests.conftest import NOW, ONBOARD, ROOT, Talk, chat_cmd, onboard, run_env
from tests.hostile_files import MB, dated_txt, dense_docx, zip_bomb_docx
from tests.telegram_harness import TgUser, running_bot
from tests.test_deadlines import plan_docx, send_file

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """The hostile tester's file: a 0.75 MB .docx whose word/document.xml unpacks to 200 MB."""
    return zip_bomb_docx(200 * MB)


def worker_children() -> list[int]:
    """The pids of this process's children that run bot.extract.worker (alive or zombie)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == os.getpid() and b"bot.extract.worker" in cmdline:
            found.append(int(entry.name))
    return found


async def test_a_zip_bomb_docx_is_refused_quickly_and_the_talk_goes_on(assistant, bomb):
    talk = Talk(assistant)
    await onboard(talk)
    assert len(bomb) < 1 * MB
    started = time.perf_counter()
    reply = await send_file(talk, "Kế hoạch 70-KH-ĐUK.docx", bomb)
    assert time.perf_counter() - started < 5
    assert "Tệp “Kế hoạch 70-KH-ĐUK.docx” quá lớn: một phần bên trong giải nén ra 200 MB" in reply
    assert "vượt giới hạn 30 MB cho một phần" in reply
    assert "Xin lỗi" not in reply
    assert "Chưa có hạn chót nào đang mở" in await talk.say("/hanchot")  # the conversation continues
    data = plan_docx("1. Các chi bộ trực thuộc", "- Gửi danh sách đảng viên, hoàn thành trước ngày 27/11/2026.")
    assert "tìm thấy 1 mốc" in await send_file(talk, "ke-hoach.docx", data)


def test_a_ratio_over_the_limit_is_refused_from_the_zip_directory(tmp_path, bomb, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PART", 1000 * MB)  # in this process: read_text is `chibo extract`'s reader
    monkeypatch.setattr(limits, "MAX_UNZIPPED", 1000 * MB)
    path = tmp_path / "bom.docx"
    path.write_bytes(bomb)
    started = time.perf_counter()
    with pytest.raises(ValueError, match=r"bị nén bất thường: một phần giải nén ra gấp [\d.]+ lần, vượt giới hạn 100"):
        read_text(path)
    assert time.perf_counter() - started < 2


def test_chibo_extract_checks_the_zip_before_python_docx(tmp_path, bomb, capsys):
    path = tmp_path / "bom.docx"
    path.write_bytes(bomb)
    started = time.perf_counter()
    assert extract_command(str(path), False, today=TODAY) == 2
    assert time.perf_counter() - started < 2  # python-docx would need minutes and gigabytes
    assert "giải nén ra 200 MB" in capsys.readouterr().err


async def test_a_huge_dated_txt_is_refused_quickly(assistant):
    talk = Talk(assistant)
    await onboard(talk)
    started = time.perf_counter()
    reply = await send_file(talk, "ke-hoach.txt", dated_txt(9_900_000))
    assert time.perf_counter() - started < 5  # was 25 s
    assert re.search(r"Văn bản trong tệp “ke-hoach.txt” quá dài: [\d.]{9} ký tự, vượt giới hạn 1.000.000 ký tự", reply)
    pasted = "Hoàn thành trước ngày 15/6/2027.\n" * 40_000
    assert "Văn bản gửi lên quá dài: 1.319.999 ký tự" in await talk.say(pasted)
    assert "Tuần này" in await talk.say("tuần này có gì?")


async def test_too_many_items_are_refused_with_the_limit():
    text = "".join(f"- Chi bộ {n} nộp báo cáo trước ngày {n % 28 + 1}/{n % 12 + 1}/2027.\n" for n in range(400))
    with pytest.raises(ValueError, match="tìm thấy 400 mốc thời gian trong văn bản gửi lên, vượt giới hạn 200 mốc"):
        await extract_pasted(text, TODAY)


async def test_a_job_over_its_time_limit_is_killed_and_the_user_told(assistant, monkeypatch):
    talk = Talk(assistant)
    await onboard(talk)
    monkeypatch.setattr(limits, "WORKER_SECONDS", 0.5)
    slow = dated_txt(900_000)  # within every size limit; searching it takes ~2.5 s
    started = time.perf_counter()
    reply = await send_file(talk, "dai.txt", slow)
    assert time.perf_counter() - started < 2
    assert "Đọc tệp “dai.txt” mất quá nhiều thời gian (vượt giới hạn 0,5 giây) nên tôi đã dừng" in reply
    assert worker_children() == []  # killed and reaped
    monkeypatch.setattr(limits, "WORKER_SECONDS", 20.0)
    data = plan_docx("- Gửi danh sách đảng viên, hoàn thành trước ngày 27/11/2026.")
    assert "tìm thấy 1 mốc" in await send_file(talk, "ke-hoach.docx", data)  # the next job runs as usual


async def test_a_job_over_its_memory_limit_stops_with_the_limit_named(monkeypatch):
    monkeypatch.setattr(limits, "WORKER_MEMORY", 200 * MB)
    data = dense_docx(12 * MB)  # within the zip limits; its tree needs ~350 MB
    with pytest.raises(ValueError, match=r"Đọc tệp “lon.docx” cần quá nhiều bộ nhớ \(vượt giới hạn 200 MB\)"):
        await read_and_extract(data, "lon.docx", TODAY)


@pytest.mark.slow
async def test_a_hostile_upload_does_not_delay_another_chat(fake, tmp_path, bomb):
    async with running_bot(fake, str(tmp_path / "db.sqlite3"), Clock(frozen=NOW), first_sweep=600):
        hostile, other = TgUser(fake, 8001, "Thử"), TgUser(fake, 8002, "Khác")
        for answer in ONBOARD:
            await hostile.say(answer)
            await other.say(answer)
        before = len(fake.messages_to(8001))
        fake.push_document(8001, "bom.docx", bomb)
        fake.push_document(8001, "ke-hoach.txt", dated_txt(9_900_000))
        fake.push_document(8001, "dai.txt", dated_txt(900_000))  # searched for ~2.5 s, then too many items
        await asyncio.sleep(1.0)  # the bomb and the huge .txt are refused by now; dai.txt is being searched
        seen = len(fake.messages_to(8002))
        started = time.perf_counter()
        fake.push_text(8002, "tuần này có gì?", first_name="Khác")
        reply = (await fake.wait_sent(8002, seen + 1, timeout=10))[-1]
        assert time.perf_counter() - started < 2, "another chat waited for a hostile upload"
        assert "Tuần này" in (reply.text or "")
        texts = [m.text or "" for m in fake.messages_to(8001)[before:]]
        assert len(texts) < 3, "the slow upload was over before the other chat asked"
        texts = [m.text or "" for m in (await fake.wait_sent(8001, before + 3, timeout=30))[before:]]
        assert "giải nén ra 200 MB" in texts[0] and "quá dài" in texts[1], texts
        # refused for its 200+ items; on a machine loaded by other jobs the reading (at a lower priority) may
        # reach its time limit first — refused all the same, and the other chat was answered meanwhile
        assert "vượt giới hạn 200 mốc" in texts[2] or "vượt giới hạn 20 giây" in texts[2], texts[2]


def test_console_refuses_a_huge_file_without_reading_it(tmp_path):
    """A 3 GB sparse file: `@path` is refused from its size; reading it would fail the 1 GB memory cap."""
    big = tmp_path / "ke-hoach.txt"
    with big.open("wb") as file:
        file.seek(3 * 1024 * MB)
        file.write(b"\0")
    lines = "\n".join([*ONBOARD, f"@{big}", "/hanchot"]) + "\n"
    limit = "import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)); "
    cmd = chat_cmd(tmp_path / "db.sqlite3", tmp_path / "out")
    script = limit + f"sys.argv = ['chibo'] + {cmd[3:]!r}; runpy.run_module('bot', run_name='__main__')"
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", script], input=lines, capture_output=True, text=True, cwd=ROOT,
                         env=run_env(), timeout=60)
    assert run.returncode == 0, run.stderr
    assert time.perf_counter() - started < 20
    assert "Tệp “ke-hoach.txt” quá lớn: 3072 MB, vượt giới hạn 10 MB cho một tệp. Tôi chưa đọc tệp này" in run.stdout
    assert "Chưa có hạn chót nào đang mở" in run.stdout  # the conversation goes on
    assert "MemoryError" not in run.stderr


def test_chibo_extract_refuses_a_huge_file_before_reading(tmp_path, capsys):
    big = tmp_path / "ke-hoach.docx"
    with big.open("wb") as file:
        file.seek(3 * 1024 * MB)
        file.write(b"\0")
    assert extract_command(str(big), False, today=TODAY) == 2
    assert "quá lớn: 3072 MB, vượt giới hạn 10 MB" in capsys.readouterr().err
    with pytest.raises(ValueError, match="vượt giới hạn 10 MB"):
        read_text(big)
