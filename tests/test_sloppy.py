"""The sloppy scenarios (tests/scenarios/sloppy_*.txt): typed as a hurried secretary types, printed as she would sign.

Each scenario is piped into the real `chibo chat` (clock from its `# now:` line); every .docx it writes is read
back with python-docx and checked for the tidy forms, whatever the scenario typed: roster members by their full
names, bodies and places capitalised, absolute dates, standard citations, no text without diacritics, items and
headings starting with a capital. The checks are generic (they read the scenario's `# roster:` line and its
typed lines), so a new sloppy scenario is checked the same way.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import docx
import pytest

from bot.channels.console import exchanges
from bot.text import fold
from bot.tidy.accents import looks_unaccented
from bot.tidy.bodies import place_names
from tests.conftest import ROOT, SCENARIOS, scenario_header
from tests.docx_checks import all_text, assert_layout

PLACES = {tuple(fold(w) for w in name) for name in place_names()}
SLOPPY = sorted(SCENARIOS.glob("sloppy_*.txt"))
RELATIVE = re.compile(r"(?i)\b(?:tuần (?:sau|tới|này)|tháng (?:sau|tới|này)|ngày mai|năm nay|cuối tuần|"
                      r"cuối tháng(?! \d)|đầu tháng(?! \d)|thứ (?:\d|hai|ba|tư|năm|sáu|bảy) (?:tuần|này|tới))\b")
ABBREVIATED = re.compile(r"(?i)(?<![\w/])(?:qđ|kh|nq|cv|đ/c|đc|bch|ubnd|đv|cb)\s+(?:số\s*)?\d|(?<![\w/])đ/c\s")
BODY = re.compile(r"(?i)\b(đảng (?:ủy|uỷ|bộ)) (phường|xã|thị trấn|quận|huyện|tỉnh) ([^\W\d_]+ [^\W\d_]+)")


def scenario_lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]


def documents(replay, path: Path) -> dict[str, str]:
    run = replay(path.stem)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    found = {}
    for file in run.documents:
        document = docx.Document(str(file))
        assert_layout(document)
        found[file.name] = all_text(document)
    assert found, f"{path.name} wrote no document"
    return found


def test_there_are_sloppy_scenarios_with_the_contract_header():
    assert len(SLOPPY) >= 3
    for path in SLOPPY:
        head = path.read_text(encoding="utf-8").splitlines()[:2]
        assert head[0] == "# now: 2026-12-01T08:00", path.name
        assert head[1].startswith("# roster: ") and ";" in head[1], path.name


def test_between_them_they_write_a_plan_and_minutes(replay):
    names = [name for path in SLOPPY for name in documents(replay, path)]
    assert any(name.startswith("Kế hoạch") for name in names), names
    assert any(name.startswith("Biên bản") for name in names), names


@pytest.mark.parametrize("path", SLOPPY, ids=lambda p: p.stem)
def test_documents_print_what_she_would_sign(path, replay):
    roster = [n.strip() for n in (scenario_header(path.stem, "roster") or "").split(";") if n.strip()]
    typed = scenario_lines(path)
    for name, text in documents(replay, path).items():
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        # Members by their full names, never as she typed them in lower case.
        for member in roster:
            assert member.lower() not in text.replace(member, ""), (name, member)
        # No abbreviation of a document type or of "đồng chí" before a name or a number.
        assert not ABBREVIATED.search(text), (name, ABBREVIATED.search(text))
        # Dates are absolute: no relative word is left.
        assert not RELATIVE.search(text), (name, RELATIVE.search(text))
        # Party bodies and places with their capitals.
        for match in BODY.finditer(text):
            body, level, place = match.groups()
            if match.group(0).isupper():
                continue  # the header, all in capitals
            assert body[0] == "Đ" and level.islower(), (name, match.group(0))
            if tuple(fold(w) for w in place.split()) in PLACES:
                assert all(w[0].isupper() for w in place.split()), (name, match.group(0))
        # Nothing typed without diacritics reached the document, and no line reads as unaccented.
        for answer in typed:
            if looks_unaccented(answer) and len(answer) > 12:
                assert fold(answer) not in fold(text) or answer not in text, (name, answer)
        assert not [line for line in lines if looks_unaccented(line)], name
        # Items and headings start with a capital letter.
        for line in lines:
            item = re.match(r"^(?:[-+•]|\d+(?:\.\d+)*\.)\s+(\S)", line)
            if item and item.group(1).isalpha():
                assert item.group(1).isupper(), (name, line)


def test_the_plan_is_written_in_the_standard_forms(replay):
    text = "\n".join(documents(replay, SCENARIOS / "sloppy_plan.txt").values())
    assert "Thực hiện Quyết định số 125-QĐ/ĐU, ngày 25/11/2026 của Đảng ủy phường Tân Mai" in text
    assert "Thời gian: 14 giờ 00, thứ Sáu, ngày 11/12/2026" in text
    assert "Đồng chí Nguyễn Thị Hoa chuẩn bị quyết định kết nạp" in text
    assert "hoàn thành trước ngày 06/12/2026" in text and "trước ngày 31/12/2026" in text
    assert "Tổ chức lễ kết nạp đảng viên mới cho quần chúng Trần Thị Mai" in text
    assert "Đảng ủy phường Tân Mai (b/c)," in text
    assert text.rstrip().endswith("Nguyễn Thị Hoa")  # the signer, typed "hoa"


def test_the_minutes_name_everyone_in_full_and_date_the_past_meeting(replay):
    found = documents(replay, SCENARIOS / "sloppy_meeting.txt")
    minutes = next(text for name, text in found.items() if name.startswith("Biên bản"))
    assert "ngày 28 tháng 11 năm 2026" in minutes  # "28/11" typed on 1/12: the meeting just held
    assert "Thư ký: đồng chí Nguyễn Thị Hoa." in minutes and "Chủ trì: đồng chí Nguyễn Văn Hùng." in minutes
    assert "đồng chí Trần Văn Thắng (đi làm ca)" in minutes and "đồng chí Lê Văn Nam (ốm)" in minutes
    assert "đồng chí Trần Quốc Toàn, Đảng ủy viên, phụ trách chi bộ" in minutes
    assert "Kế hoạch số 125-KH/ĐU, ngày 10/11/2026 của Đảng ủy xã Kim Phú" in minutes
    assert "- Đồng chí Đỗ Thị Lan: Đề nghị giao từng đoạn đường" in minutes
    assert "- Đồng chí Phạm Minh Tuấn: Nhất trí với báo cáo của chi ủy" in minutes
    assert "tại Nhà văn hóa thôn Định Thành, xã Kim Phú" in minutes  # the fix made after it was issued
    lines = [line.strip() for line in minutes.splitlines() if line.strip()]
    assert lines[lines.index("THƯ KÝ") + 1] == "Nguyễn Thị Hoa"
    assert lines[lines.index("CHỦ TRÌ") + 1] == "Nguyễn Văn Hùng"


def test_the_admission_plan_dates_its_ceremony_and_decision(replay):
    text = "\n".join(documents(replay, SCENARIOS / "sloppy_admission.txt").values())
    assert "Quyết định số 125-QĐ/ĐU ngày 25/11/2026 của Đảng ủy phường Tân Mai" in text
    assert "14 giờ 00, thứ Sáu, ngày 11/12/2026" in text
    assert "Hội trường nhà văn hóa khu phố 5" in text and "hoi truong" not in text
    assert "quần chúng Nguyễn Văn Hải" in text and "Nguyễn Thị Hoa" in text
    assert "- Đại diện gia đình quần chúng Nguyễn Văn Hải và chi đoàn khu phố 5" in text  # item 4 edited in place
    assert text.rstrip().endswith("Trần Văn Minh")


def test_typed_naturally_each_task_takes_few_messages(replay):
    """The targets of bench/messages_per_task.py, on the transcripts of the sloppy scenarios."""
    spec = importlib.util.spec_from_file_location("messages_per_task", ROOT / "bench" / "messages_per_task.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    counted = {(path.stem, name): count for path in SLOPPY
               for name, count in bench.tasks(exchanges(replay(path.stem).stdout))}
    assert {name for _, name in counted} >= set(bench.TARGETS), counted
    for (scenario, name), count in counted.items():
        if name in bench.TARGETS:
            assert count <= bench.TARGETS[name], (scenario, name, count)
