"""bot/web/workers.py: two forked workers on one bound socket, both answering; a worker killed is restarted (one
line on stderr); SIGTERM to the parent stops them all. A bare ASGI app (tests/workers_app.py): the machinery
alone, on any engine. `chibo serve --workers 2` itself on PostgreSQL is in tests/test_serve.py."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time

import httpx
import pytest

from tests.conftest import ROOT
from tests.test_serve import free_port


async def worker_pid(client: httpx.AsyncClient, base: str) -> int | None:
    try:
        response = await client.get(base, timeout=2, headers={"Connection": "close"})
    except httpx.TransportError:
        return None
    return int(response.headers["x-chibo-worker"])


async def pids_seen(client: httpx.AsyncClient, base: str, want: int, timeout: float = 20) -> set[int]:
    """Ask on fresh connections until `want` different workers answered."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while len(seen) < want:
        assert time.monotonic() < deadline, f"only {seen} answered"
        pid = await worker_pid(client, base)
        if pid is not None:
            seen.add(pid)
        await asyncio.sleep(0.01)
    return seen


async def kill_one_and_see_it_replaced(client: httpx.AsyncClient, base: str, first: set[int],
                                       timeout: float = 30) -> set[int]:
    """Kill one of the two workers seen (`first`) with SIGKILL; the two workers answering once it is replaced."""
    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while not (now := await pids_seen(client, base, 2)) - first:
        assert time.monotonic() < deadline, "the killed worker was not restarted"
    assert victim not in now and len(now) == 2
    return now


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
async def test_two_workers_share_the_port_a_killed_one_comes_back_sigterm_stops_all():
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.workers_app", str(port), cwd=str(ROOT), stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}/"
    try:
        async with httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=0)) as client:
            first = await pids_seen(client, base, 2)
            assert proc.pid not in first  # the parent serves nothing
            now = await kill_one_and_see_it_replaced(client, base, first, timeout=20)
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 40)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    text = err.decode()
    assert proc.returncode == 0, text
    assert text.count("workers_app: tiến trình phục vụ số") == 1, text
    assert "bị tín hiệu 9 dừng; khởi động lại sau 0.2 giây" in text and "Traceback" not in text, text
    await asyncio.sleep(0.2)
    assert not any(alive(pid) for pid in now)
