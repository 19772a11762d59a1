"""The seed plans as acceptance tests: replaying tests/scenarios/seed_NNN.txt with `chibo chat` reproduces seed NNN.

Each scenario onboards the issuing unit, drafts the plan and confirms it. Besides the hand-checked facts of
shared/seeds/expected.json, a scenario lists what its document must contain in `#doc <text>` lines.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3

import docx
import pytest

from tests.conftest import ROOT
from tests.docx_checks import all_text, assert_layout, norm, table_text

SEEDS = ROOT.parent / "shared" / "seeds"
SCENARIOS = sorted((ROOT / "tests" / "scenarios").glob("seed_*.txt"))


def expected_for(scenario) -> dict:
    if not (SEEDS / "expected.json").exists():
        pytest.skip(f"needs ../shared/seeds beside the checkout (no {SEEDS / 'expected.json'})")
    seeds = json.loads((SEEDS / "expected.json").read_text(encoding="utf-8"))["seeds"]
    number = scenario.stem.removeprefix("seed_")
    return next(v for k, v in seeds.items() if k.startswith(number + "_"))


def replayed(scenario, replay):
    """The scenario's shared `chibo chat` replay (tests/conftest.py): its database, its one .docx, its output."""
    run = replay(scenario.stem)
    transcript = run.stdout + run.stderr
    assert run.returncode == 0 and "Traceback" not in transcript, transcript[-3000:]
    files = run.documents
    assert len(files) == 1, f"expected one .docx in {run.out}, got {files}:\n{transcript[-2000:]}"
    return run.db, files[0], transcript


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_seed_plan_is_reproduced(scenario, replay):
    facts = expected_for(scenario)
    db, path, transcript = replayed(scenario, replay)
    document = docx.Document(io.BytesIO(path.read_bytes()))
    text = norm(all_text(document))

    if facts["number"]:
        assert norm(f"Số {facts['number']}") in text
        assert path.name.startswith(f"Kế hoạch {facts['number'].replace('/', '-')}")
    assert norm(facts["title"]) in text
    bold = {norm(r.text) for p in document.paragraphs for r in p.runs if r.bold}
    for heading in ("I[.-] MỤC ĐÍCH, YÊU CẦU", "TỔ CHỨC THỰC HIỆN"):  # "I." or "I-", as the seed numbers them
        assert any(re.search(heading.casefold(), b) for b in bold), heading
    for item in facts["dates"]:
        assert norm(item["quote"]) in text, f"date not written as in the seed: {item['quote']}"
    if facts["signer"]:
        footer = norm(table_text(document.tables[-1]))
        for part in ("authority", "title", "name"):
            assert norm(facts["signer"][part]) in footer
    for line in scenario.read_text(encoding="utf-8").splitlines():
        if line.startswith("#doc "):
            assert norm(line[5:]) in text, f"not in the document: {line[5:]}"

    assert_layout(document)

    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT kind, due, start, at_time FROM deadlines WHERE document_id IS NOT NULL").fetchall()
    for item in facts["dates"]:
        assert any(kind == item["kind"] and due == item["due"] for kind, due, _, _ in stored), \
            f"deadline not on the tracker: {item}"
