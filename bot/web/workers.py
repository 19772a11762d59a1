"""`chibo serve --workers N`: N worker processes serving one listening socket, kept running by the parent.

The parent binds the socket (bot/cli.py `listening_socket`), then forks the workers; each inherits the socket and
runs the whole application on it (uvicorn), the kernel handing each new connection to one of them. The parent
serves nothing and holds no database connection: it forwards SIGTERM and SIGINT to the workers as SIGTERM (each
finishes what it has in hand and stops), waits for them, and restarts a worker that dies unexpectedly after a short
back-off (one line on stderr). Each worker is in a process group of its own, so a Ctrl-C in the terminal reaches the
parent only, and the workers stop once, gracefully.

Several workers share the database, so they need the PostgreSQL store, and webhooks (only one process may call
getUpdates): bot/cli.py refuses N > 1 otherwise. N = 1 runs in the one process, without this module.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from types import FrameType
from typing import Any

BACKOFF = 1.0  # seconds before a worker that died is started again; doubled while it keeps dying young
MAX_BACKOFF = 30.0
YOUNG = 10.0  # a worker that dies within this many seconds of its start "keeps dying"
STOP_GRACE = 30.0  # seconds the workers get to stop before they are killed
WORKER_HEADER = b"x-chibo-worker"  # every response of a worker names its pid (no secret: tells workers apart)


def tag_responses(app: Any) -> Any:
    """The ASGI `app`, with the header WORKER_HEADER (this process's pid) on every HTTP response."""
    pid = str(os.getpid()).encode()

    async def tagged(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send)

        async def send_tagged(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (WORKER_HEADER, pid)]}
            await send(message)

        return await app(scope, receive, send_tagged)

    return tagged


def _leave(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class Workers:
    """`count` forked processes, each running `work(number)` (1-based) to its end; see the module's docstring."""

    def __init__(self, count: int, work: Callable[[int], None], *, command: str = "chibo serve",
                 backoff: float = BACKOFF) -> None:
        self.count = count
        self.work = work
        self.command = command
        self.backoff = backoff
        self.running: dict[int, tuple[int, float]] = {}  # pid -> (worker number, monotonic start)
        self.delays = dict.fromkeys(range(1, count + 1), backoff)
        self.stopping = False

    def _start(self, number: int) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                os.setpgid(0, 0)
                signal.signal(signal.SIGTERM, _leave)  # uvicorn stops gracefully, then raises it again: leave then
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                self.work(number)
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stderr.flush()
                os._exit(code)  # not the parent's cleanup (atexit, buffers it holds)
        self.running[pid] = (number, time.monotonic())

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True
        for pid in self.running:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def _died(self, number: int, started: float, status: int) -> None:
        code = os.waitstatus_to_exitcode(status)
        how = f"bị tín hiệu {-code} dừng" if code < 0 else f"thoát với mã {code}"
        lived = time.monotonic() - started
        delay = self.delays[number] if lived < YOUNG else self.backoff
        self.delays[number] = min(delay * 2, MAX_BACKOFF)
        _say(f"{self.command}: tiến trình phục vụ số {number} {how}; khởi động lại sau {delay:g} giây.")
        deadline = time.monotonic() + delay
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.1, deadline - time.monotonic()))
        if not self.stopping:
            self._start(number)

    def run(self) -> int:
        """Start the workers, keep them running until SIGTERM or SIGINT, stop them; 0 when all stopped cleanly."""
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        clean = True
        killed_at: float | None = None
        try:
            for number in range(1, self.count + 1):
                self._start(number)
            while self.running:
                if self.stopping and killed_at is None:
                    killed_at = time.monotonic() + STOP_GRACE
                    self._stop(signal.SIGTERM, None)  # again: a worker forked while the signal came
                if killed_at is not None and time.monotonic() > killed_at:
                    for pid in self.running:
                        os.kill(pid, signal.SIGKILL)
                    killed_at = float("inf")
                pid, status = os.waitpid(-1, os.WNOHANG)
                if pid == 0:
                    time.sleep(0.05)
                    continue
                number, started = self.running.pop(pid)
                if self.stopping:
                    clean = clean and os.waitstatus_to_exitcode(status) in (0, -signal.SIGTERM)
                else:
                    self._died(number, started, status)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0 if clean else 1
