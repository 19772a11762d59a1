"""Benchmark: how many messages the secretary types for each task of each console scenario.

Run from the repository root:

    python bench/messages_per_task.py [--scenarios tests/scenarios] [NAME ...]

Each scenario is piped into a fresh `chibo chat` (its `# now:` line sets the clock, as the tests do) and its
transcript is cut into tasks: a task starts with the first message answered by a flow's question (or its review
screen) and ends with the message whose reply saves its result ("Đã tạo hồ sơ", "Đã lưu …", "Đã sửa …"). Messages typed
between tasks (a /hanchot, a question) are not counted. The task is named by what it saved: onboarding, a plan,
the minutes (Biên bản), a resolution, a revision.

Targets (issue "Say it once"), for scenarios typed naturally — the sloppy_* ones: onboarding ≤ 14 messages, a
generic plan ≤ 25, the minutes of a regular meeting ≤ 30. The seed scenarios reproduce whole real plans
answer by answer and are shown for comparison only.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.channels.console import exchanges  # noqa: E402

TARGETS = {"onboarding": 14, "plan_generic": 25, "minutes_regular": 30}
DEFAULT_NOW = "2026-11-23T08:00"

SAVED = (
    (re.compile(r"Đã tạo hồ sơ"), "onboarding"),
    (re.compile(r"Đã sửa (?:kế hoạch|biên bản|nghị quyết|kết luận)"), "revision"),
    (re.compile(r"Đã lưu biên bản .*thường kỳ"), "minutes_regular"),
    (re.compile(r"Đã lưu biên bản"), "minutes_thematic"),
    (re.compile(r"Đã lưu (?:nghị quyết|kết luận)"), "resolution"),
    (re.compile(r"Đã lưu kế hoạch"), "plan"),
)
QUESTION = re.compile(r"— (?:câu \d+|câu cuối|sửa:)|^Bắt đầu$|^Xem lại|Đồng chí muốn tạo hồ sơ", re.MULTILINE)
PLAN_FLOW = re.compile(r"^(Kế hoạch[^\n—]*?) — (?:câu|sửa)", re.MULTILINE)


def header(path: Path, key: str) -> str | None:
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            return None
        name, _, value = line[1:].partition(":")
        if name.strip() == key:
            return value.strip()
    return None


def transcript(path: Path) -> list[tuple[str, str]]:
    """(message, replies) pairs of the scenario piped into a fresh `chibo chat`."""
    with tempfile.TemporaryDirectory() as tmp:
        now = header(path, "now") or DEFAULT_NOW
        cmd = [sys.executable, "-m", "bot", "chat", "--db", f"{tmp}/db.sqlite3", "--out", f"{tmp}/out", "--now", now]
        with path.open("rb") as stdin:
            out = subprocess.run(cmd, stdin=stdin, capture_output=True, cwd=ROOT, timeout=300,
                                 env={**os.environ, "CHIBO_PDF": "off"}).stdout.decode()
    return exchanges(out)


def tasks(pairs: list[tuple[str, str]]) -> list[tuple[str, int]]:
    """(task name, messages typed for it) in the order they were done."""
    found: list[tuple[str, int]] = []
    start: int | None = None
    flow = ""
    for n, (_message, reply) in enumerate(pairs):
        if start is None and QUESTION.search(reply):
            start = n
        if start is not None and (m := PLAN_FLOW.search(reply)):
            flow = m.group(1)
        for pattern, name in SAVED:
            if pattern.search(reply):
                begin = n if start is None else start
                if name == "plan":
                    name = "plan_generic" if flow.strip() == "Kế hoạch" else f"plan ({flow.strip() or '?'})"
                found.append((name, n - begin + 1))
                start, flow = None, ""
                break
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", type=Path, default=ROOT / "tests" / "scenarios")
    parser.add_argument("names", nargs="*", help="scenario names (default: all)")
    args = parser.parse_args()
    paths = [args.scenarios / f"{n.removesuffix('.txt')}.txt" for n in args.names] or sorted(args.scenarios.glob("*.txt"))
    print(f"{'scenario':<22} {'task':<48} {'messages':>8} {'target':>7}")
    for path in paths:
        if any(line.startswith("#as") for line in path.read_text(encoding="utf-8").splitlines()):
            continue  # typed by several people (`#as`): one person's task is not a run of consecutive messages
        for name, count in tasks(transcript(path)):
            target = TARGETS.get(name)
            natural = path.stem.startswith("sloppy_")
            verdict = "" if target is None else (f"≤ {target}" + ("" if natural else " (ref)"))
            flag = "" if target is None or not natural else ("  ok" if count <= target else "  OVER")
            print(f"{path.stem:<22} {name:<48} {count:>8} {verdict:>7}{flag}")


if __name__ == "__main__":
    main()
