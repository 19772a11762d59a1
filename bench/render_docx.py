"""Render the seed-002 plan 50 times: median and p95 time of render_docx, and the .docx size.

Run from the repository root: python bench/render_docx.py   (target: median at most 50 ms)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.documents import render_docx, render_text  # noqa: E402
from tests.test_documents import seed_002_document  # noqa: E402

RUNS = 50


def main() -> None:
    document = seed_002_document()
    render_docx(document)  # warm up imports and caches
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        data = render_docx(document)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    start = time.perf_counter()
    text = render_text(document)
    text_ms = (time.perf_counter() - start) * 1000
    print(f"render_docx over {RUNS} runs: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms")
    print(f".docx size: {len(data) / 1024:.1f} KB")
    print(f"render_text: {text_ms:.2f} ms, {len(text)} characters")


if __name__ == "__main__":
    main()
