"""Issue 15, points 3 and 4: each plan keeps its seed's numbering and section titles, emphasis she gives an answer
stays in the .docx, and the wording a secretary would correct before signing. The documents are the real ones the
scenario replays (tests/scenarios/*.txt through `chibo chat`) and the fake Telegram Bot API writes, read back with
python-docx."""

from __future__ import annotations

import io
import re
from datetime import date

import docx
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.documents import escape_markup, parse_markup, plain_text
from bot.issuing import _fit, file_name
from bot.numbering import restyle
from bot.tidy import tidy
from tests.conftest import SCENARIOS
from tests.fakes.telegram import parse_html
from tests.telegram_harness import TgUser, running_bot

END = (".", ";", ":", "!", "?", "…", "./.")


def body(path) -> list:
    """The body paragraphs (not the header and footer tables) of a .docx, empty ones left out."""
    return [p for p in docx.Document(str(path)).paragraphs if p.text.strip()]


def texts(paragraphs) -> list[str]:
    return [p.text for p in paragraphs]


def one(replay, name: str, head: str = ""):
    run = replay(name)
    assert run.returncode == 0 and "Traceback" not in run.stdout + run.stderr, run.stderr[-2000:]
    files = [f for f in run.documents if f.name.startswith(head)]
    assert len(files) == 1, files
    return run, files[0]


def between(lines: list[str], start: str, stop: str) -> list[str]:
    """The lines after the one starting with `start`, up to the one starting with `stop`."""
    first = next(i for i, line in enumerate(lines) if line.startswith(start))
    last = next(i for i, line in enumerate(lines) if i > first and line.startswith(stop))
    return lines[first + 1:last]


def bold_runs(paragraphs) -> list[str]:
    return [r.text for p in paragraphs for r in p.runs if r.bold]


# -- point 3: the seeds' numbering and section titles ---------------------------------------------------


def test_seed_002_numbers_its_headings_and_purposes_with_dashes(replay):
    run, path = one(replay, "seed_002")
    paragraphs = body(path)
    lines = texts(paragraphs)
    assert "I- MỤC ĐÍCH, YÊU CẦU" in bold_runs(paragraphs)
    purposes = between(lines, "I- MỤC ĐÍCH", "II- NỘI DUNG, THỜI GIAN THỰC HIỆN")
    assert [line[:3] for line in purposes] == ["1- ", "2- ", "3- "], purposes
    assert {"III- CHƯƠNG TRÌNH SINH HOẠT CHUYÊN ĐỀ", "IV- TỔ CHỨC THỰC HIỆN", "1- Các chi bộ trực thuộc"} \
        <= set(bold_runs(paragraphs))
    programme = between(lines, "III- CHƯƠNG TRÌNH", "IV- TỔ CHỨC")
    assert [line.split(" ")[0] for line in programme] == [f"{n}-" for n in range(1, 9)]
    assert not any(re.match(r"[IVX]+\. |\d+\. ", line) for line in lines), "a '.' number left in a '-' plan"


def test_seed_002_bold_deadline_is_bold_in_the_docx(replay):
    run, path = one(replay, "seed_002")
    paragraphs = body(path)
    line = next(p for p in paragraphs if "báo cáo Đảng ủy trước ngày 05/01/2023." in p.text)
    assert [(r.text, bool(r.bold)) for r in line.runs if "05/01" in r.text] == [("trước ngày 05/01/2023", True)]
    assert not any("*" in p.text for p in paragraphs), "a raw emphasis marker printed"
    # Read back to her without the markers; the preview, review and "Đã thêm" lines too.
    shown = [line for line in run.stdout.splitlines() if "05/01/2023" in line and not line.startswith(">")]
    assert shown and not any("**" in line for line in shown), shown


def test_seed_004_writes_section_ii_as_content_form_and_time(replay):
    run, path = one(replay, "seed_004")
    paragraphs = body(path)
    lines = texts(paragraphs)
    bold = bold_runs(paragraphs)
    assert "II- NỘI DUNG, THỜI GIAN, HÌNH THỨC" in bold and "NỘI DUNG, CÁC BƯỚC TIẾN HÀNH" not in " ".join(lines)
    section = between(lines, "II- NỘI DUNG, THỜI GIAN, HÌNH THỨC", "III- TỔ CHỨC THỰC HIỆN")
    heads = [line for line in section if re.match(r"\d+(\.\d+)?- ", line)]
    assert heads == ["1- Nội dung", "2- Hình thức và thời gian thực hiện", "2.1- Hình thức tổ chức:",
                     "2.2- Thời gian thực hiện:"]
    form = between(section, "2.1- Hình thức tổ chức:", "2.2- Thời gian thực hiện:")
    assert [line.split(":")[0] for line in form] == ["- Cấp cơ sở", "- Đảng bộ Khối"]
    time_lines = section[section.index("2.2- Thời gian thực hiện:") + 1:]
    assert time_lines[0] == ("- Cấp cơ sở: Tổ chức sơ kết giữa nhiệm kỳ thực hiện nghị quyết đại hội Đảng các chi, "
                             "đảng bộ cơ sở hoàn thành trước ngày 15/6/2023.")
    assert time_lines[1].startswith("- Đảng bộ Khối: Tổ chức Hội nghị sơ kết") and \
        time_lines[1].endswith("dự kiến đầu tháng 7/2023.")
    assert time_lines[2].startswith("Tài liệu Hội nghị gồm: (1) Báo cáo sơ kết giữa nhiệm kỳ")
    assert "2.1- Hình thức tổ chức:" in bold


def test_seed_003_numbers_its_purposes_with_dots_and_the_others_keep_bullets(replay):
    for name, marks in (("seed_003", ["1. ", "2. "]), ("seed_000", ["- "] * 3), ("seed_001", ["- "] * 3)):
        _, path = one(replay, name)
        lines = texts(body(path))
        purposes = between(lines, "I. MỤC ĐÍCH", "II. ")
        assert [line[: len(mark)] for line, mark in zip(purposes, marks, strict=True)] == marks, (name, purposes)


def test_restyle_touches_only_the_numbers_a_template_writes():
    markup = "# II. X\n## 2. Y\n### 2.1. Z\n3. item\n**1. Nội dung:** x\nV. I. Lênin\n\\- 1. typed\n1.5 triệu"
    assert restyle(markup, "-").split("\n") == [
        "# II- X", "## 2- Y", "### 2.1- Z", "3- item", "**1- Nội dung:** x", "V. I. Lênin", "\\- 1. typed",
        "1.5 triệu"]
    assert restyle(markup, ".") == markup


# -- point 3: emphasis in answers -----------------------------------------------------------------------


def test_emphasis_pairs_are_kept_and_everything_else_is_literal():
    cases = {
        "báo cáo **trước ngày 05/01/2023**.": [("báo cáo ", False), ("trước ngày 05/01/2023", True), (".", False)],
        "5*3*2, a * b, **unclosed": [("5*3*2, a * b, **unclosed", False)],
        "snake_case_name và __gạch__": [("snake_case_name và ", False), ("gạch", False)],
    }
    for text, runs in cases.items():
        (block,) = parse_markup(escape_markup(text))
        assert block.kind == "para"
        assert [(r.text, r.bold) for r in block.runs] == runs
    for hostile in ("# I. HEADING **x**", "- bullet", "+ plus", "= centred", "## 1. x"):
        blocks = parse_markup(escape_markup(hostile))
        assert [b.kind for b in blocks] == ["para"], hostile  # no heading, bullet or centred line injected
    assert plain_text("**Đồng chí Hoa** và *nghiêng*, 5*3") == "Đồng chí Hoa và nghiêng, 5*3"


def test_tidying_carries_the_emphasis_over():
    typed = "**đ/c hoa** chuẩn bị hội trường **thứ 6 tuần sau**"
    result = tidy(typed, how="sentence", roster=["Nguyễn Thị Hoa"], today=date(2026, 12, 1))
    assert result.text == "**Đồng chí Nguyễn Thị Hoa** chuẩn bị hội trường **thứ Sáu, ngày 11/12/2026**."
    assert tidy("**to chuc le ket nap dang vien**", how="item").unaccented  # read as plain words
    assert tidy("báo cáo **trước ngày 05/01/2023**", how="item").text == "Báo cáo **trước ngày 05/01/2023**"


async def test_telegram_bold_entity_ends_bold_in_the_docx(fake, tmp_path, clock):
    """Seed 002 typed on Telegram: the deadline made bold with Telegram's formatting (a bold entity, no stars)."""
    lines = [line.replace("\\n", "\n") for line in (SCENARIOS / "seed_002.txt").read_text(encoding="utf-8")
             .splitlines() if line.strip() and not line.startswith("#")]
    async with running_bot(fake, str(tmp_path / "db.sqlite3"), clock):
        user = TgUser(fake, 4242, "Thược")
        for line in lines:
            if "**" in line:
                text, entities = parse_html(line.replace("**trước", "<b>trước").replace("2023**", "2023</b>"))
                assert entities and "*" not in text
                fake.push_text(user.chat_id, text, first_name=user.name, entities=entities)
                await user.turn()
            else:
                await user.say(line)
    sent = [m for m in fake.messages_to(4242) if m.document_bytes and m.document_name.endswith(".docx")]
    assert sent, "no .docx sent"
    paragraphs = [p for p in docx.Document(io.BytesIO(sent[-1].document_bytes)).paragraphs if p.text.strip()]
    line = next(p for p in paragraphs if "báo cáo Đảng ủy trước ngày 05/01/2023." in p.text)
    assert [r.text for r in line.runs if r.bold] == ["trước ngày 05/01/2023"]
    assert not any("*" in p.text for p in paragraphs)
    shown = [m.text or "" for m in fake.messages_to(4242)]
    assert not any("**" in text for text in shown), "a raw marker shown in a chat message"


# -- point 4: wording ------------------------------------------------------------------------------------


def test_resolution_names_the_meeting_once_and_puts_the_judgement_under_i(replay):
    _, path = one(replay, "meeting_regular", "Nghị quyết")
    lines = texts(body(path))
    assert "Căn cứ kết quả buổi sinh hoạt chi bộ thường kỳ ngày 20/11/2026," in lines
    assert not any("năm 2026 ngày" in line for line in lines)
    review = between(lines, "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ THÁNG 11", "II. PHƯƠNG HƯỚNG")
    plan = between(lines, "II. PHƯƠNG HƯỚNG, NHIỆM VỤ THÁNG 12", "III. TỔ CHỨC THỰC HIỆN")
    assert "- Chi bộ thống nhất đánh giá tháng 11 chi bộ đã hoàn thành tốt các nhiệm vụ đề ra." in review
    assert "- Tháng 12, tập trung tổng vệ sinh môi trường và chuẩn bị kiểm điểm cuối năm." in plan
    assert not any("đánh giá tháng 11" in line for line in plan)


def test_every_typed_line_of_the_minutes_ends_as_a_sentence(replay):
    for name in ("meeting_regular", "sloppy_meeting"):
        for head in ("Biên bản", "Nghị quyết"):
            _, path = one(replay, name, head)
            lines = texts(body(path))
            content = lines[lines.index(next(x for x in lines if x.startswith(("II. NỘI DUNG", "I. KẾT QUẢ")))):]
            open_lines = [x for x in content if not re.match(r"[IVX]+\. |\d+\. ", x) and not x.endswith(END)]
            assert not open_lines, (name, head, open_lines)
    _, path = one(replay, "meeting_regular", "Biên bản")
    assert ("Phổ biến Kế hoạch số 125-KH/ĐU ngày 10/11/2026 của Đảng ủy xã Kim Phú về tổng kết công tác xây dựng "
            "Đảng năm 2026.") in texts(body(path))


def test_every_assignment_of_a_plan_ends_as_a_sentence(replay):
    """TỔ CHỨC THỰC HIỆN: each duty she typed ends with a full stop, as in the seeds."""
    for name in ("sloppy_plan", "seed_000", "admission"):
        _, path = one(replay, name, "Kế hoạch")
        lines = texts(body(path))
        start = next(i for i, x in enumerate(lines) if "TỔ CHỨC THỰC HIỆN" in x)
        duties = [x for x in lines[start + 1:] if x.startswith(("- ", "+ "))]
        assert duties and all(x.endswith(END) for x in duties), (name, duties)


def test_a_plan_without_a_number_is_announced_without_blanks(replay):
    run, _ = one(replay, "seed_004")
    assert "Đã lưu kế hoạch không số (mã văn bản" in run.stdout
    assert not re.search(r"kế hoạch\s+-KH", run.stdout) and "      -KH/ĐUK (mã" not in run.stdout


WORD = st.one_of(st.sampled_from(["năm", "2023,", "tháng", "9", "đầu", "Đảng", "và", "20/11/2026", "-", "của",
                                  "Hội", "nghị", "triển", "khai", "123456"]),
                 st.text(alphabet="abcđêơưáàạ0123456789", min_size=1, max_size=12))


@settings(max_examples=300, deadline=None)
@given(st.lists(WORD, min_size=1, max_size=60), st.integers(min_value=10, max_value=150))
def test_titles_are_shortened_between_whole_words(words, limit):
    title = " ".join(words)
    cut = _fit(title, limit)
    assert len(cut.encode()) <= limit
    if len(title.encode()) <= limit:
        assert cut == title
    elif len(words[0].encode()) <= limit:
        kept = cut.split(" ")
        assert kept[:-1] == words[: len(kept) - 1] and words[len(kept) - 1].startswith(kept[-1])
        assert kept[-1] == words[len(kept) - 1].rstrip(",;"), "a word or number cut inside"


def test_the_issue_s_file_name_keeps_its_year_whole():
    title = ("Tổ chức Hội nghị Ban Chấp hành lần thứ 14 sơ kết công tác xây dựng Đảng 9 tháng đầu năm 2023, triển "
             "khai phương hướng nhiệm vụ 3 tháng cuối năm 2023")
    words = title.replace(",", "").split()
    for number in (None, 5, 68, 123):
        name = file_name("Kế hoạch", number, "KH", "ĐU", title)
        assert name.endswith("9 tháng đầu năm 2023.docx"), name  # the clause, whole
    name = file_name("Kế hoạch", 9999, "KH", "ĐU", title)  # one byte short of "năm 2023": no "năm 20", no "năm"
    assert name.endswith("9 tháng đầu.docx") and name.removesuffix(".docx").split(" - ", 1)[1].split() == \
        words[:len(name.removesuffix(".docx").split(" - ", 1)[1].split())], name


def test_a_shortened_file_name_ends_where_a_phrase_ends():
    """Seed 003's title: cut before "các trường Đại học…", not after "Đại" (a name cut in two)."""
    title = ("Tổ chức sơ kết công tác giữa nhiệm kỳ Đại hội lần thứ III Đảng bộ Khối các trường Đại học, Cao đẳng Hà "
             "Nội và các chi, đảng bộ cơ sở trực thuộc")
    name = file_name("Kế hoạch", 90, "KH", "ĐUK", title)
    assert name == "Kế hoạch 90-KH-ĐUK - Tổ chức sơ kết công tác giữa nhiệm kỳ Đại hội lần thứ III Đảng bộ Khối.docx"
