"""Document rendering speed: each seed plan's .docx, rebuilt from the answers its scenario stores.

Replays tests/scenarios/seed_*.txt through the console channel into a temporary database, then times
plan_document + render_docx for each stored plan (50 runs), render_text for the chat preview, and the
picture of page 1 that “Xem trước” sends (render_docx → LibreOffice's PDF → PNG with pypdfium2, as
handlers/previews.py makes it; median of 3 runs, with the PNG's size) when LibreOffice is installed.
Run from the repository root: python bench/render_docx.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import pdf  # noqa: E402
from bot.documents import Document, render_docx, render_text  # noqa: E402
from bot.store import Store, Unit  # noqa: E402
from handlers.plans import plan_document  # noqa: E402

RUNS = 50
PICTURE_RUNS = 3  # each starts LibreOffice: about a second or two


async def stored_plan(db: Path) -> tuple[Unit, str, dict[str, Any]]:
    """The plan a scenario wrote: the latest document of the one unit it created."""
    store = await Store.open(str(db))
    try:
        unit_id = 1
        latest = (await store.documents(unit_id, limit=1))[0]
        doc, unit = await store.document(unit_id, latest.id), await store.get_unit(unit_id)
        assert doc is not None and unit is not None
        return unit, doc.kind, doc.answers
    finally:
        await store.close()


async def page_1(doc: Document) -> tuple[float, int] | None:
    """Milliseconds from the document to the PNG of its page 1 (median of PICTURE_RUNS), and its size."""
    times, size = [], 0
    for _ in range(PICTURE_RUNS):
        start = time.perf_counter()
        picture = await pdf.page_picture(render_docx(doc), "bench.docx", 1)
        if picture is None:
            return None
        times.append((time.perf_counter() - start) * 1000)
        size = len(picture.png)
    return statistics.median(times), size


def main() -> None:
    pictures = pdf.available()
    print(f"{'seed':10} {'kind':20} {'median ms':>10} {'p95 ms':>8} {'size KB':>8} {'text ms':>8}"
          + (f" {'page 1 ms':>10} {'PNG KB':>7}" if pictures else ""))
    worst = 0.0
    slowest = 0.0
    for scenario in sorted((ROOT / "tests" / "scenarios").glob("seed_*.txt")):
        with tempfile.TemporaryDirectory() as folder:
            db = Path(folder) / "db.sqlite3"
            subprocess.run([sys.executable, "-m", "bot", "chat", "--db", str(db), "--out", folder],
                           stdin=scenario.open("rb"), stdout=subprocess.DEVNULL, cwd=ROOT, check=True,
                           env={**os.environ, "CHIBO_PDF": "off"})  # the replay needs no PDF
            unit, kind, answers = asyncio.run(stored_plan(db))
        times, size = [], 0
        for _ in range(RUNS):
            start = time.perf_counter()
            data = render_docx(plan_document(unit, kind, answers))
            times.append((time.perf_counter() - start) * 1000)
            size = len(data)
        start = time.perf_counter()
        render_text(plan_document(unit, kind, answers))
        text_ms = (time.perf_counter() - start) * 1000
        median, p95 = statistics.median(times), sorted(times)[int(0.95 * RUNS) - 1]
        worst = max(worst, median)
        line = f"{scenario.stem:10} {kind:20} {median:10.1f} {p95:8.1f} {size / 1024:8.1f} {text_ms:8.2f}"
        if pictures:
            picture = asyncio.run(page_1(plan_document(unit, kind, answers)))
            if picture is None:
                line += f" {'failed':>10}"
            else:
                slowest = max(slowest, picture[0])
                line += f" {picture[0]:10.0f} {picture[1] / 1024:7.1f}"
        print(line)
    print(f"target: median at most 50 ms per seed: {'yes' if worst <= 50 else 'NO'} (worst {worst:.1f} ms)")
    if pictures:
        print(f"picture of page 1 (LibreOffice -> PDF -> PNG, {pdf.PAGE_WIDTH} px wide): at most {slowest:.0f} ms per seed")
    else:
        print("picture of page 1: not measured (LibreOffice is not installed, or CHIBO_PDF=off)")


if __name__ == "__main__":
    main()
