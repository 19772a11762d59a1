"""The charts of /thongke and /nhipsinhhoat (bot/charts.py): drawn from the same numbers as the text, real PNGs
of the expected size, every label in a font that has its Vietnamese letters, no chart without data; through the
Assistant, the real `chibo chat` console and the real python-telegram-bot Application against the fake Bot API."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import sys
import warnings
from datetime import date

import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

from bot import charts
from bot.charts import FUTURE, HELD, MISSING, OPEN, MeetingBar, Period, Statistics, TaskCounts, YearGrid
from bot.formats import percent
from handlers.meetings.rhythm import report
from tests.conftest import ROOT, chat_cmd, run_env
from tests.png_read import read_png
from tests.telegram_harness import TgUser, running_bot
from tests.test_meeting_telegram import ONBOARD_CELL
from tests.test_meetings import BODY, HEAD, ROLL, TAIL, TASK, cell, say_all

UNIT = "Chi bộ Xóm Định Thành"
YEAR = Statistics(date(2026, 1, 1), date(2026, 11, 23),
                  (MeetingBar(date(2026, 10, 5), "thuong_ky", 9, 11), MeetingBar(date(2026, 10, 25), "chuyen_de", 10, 11),
                   MeetingBar(date(2026, 11, 20), "thuong_ky", 11, 11)),
                  TaskCounts(on_time=3, late=1, done_unknown=1, overdue=2, running=4), 90.0)
GRID = YearGrid(2026, tuple([Period(HELD, date(2026, m, 18)) for m in range(1, 9)]
                            + [Period(MISSING), Period(HELD, date(2026, 10, 5)), Period(OPEN, late=True), Period(FUTURE)]),
                (Period(HELD, date(2026, 3, 25), "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
                 Period(MISSING), Period(MISSING), Period(OPEN)), 11, 4)


# -- the pictures themselves --------------------------------------------------------------------------

def test_charts_are_small_phone_sized_pngs():
    for png, height in ((charts.statistics_png(UNIT, YEAR), 900), (charts.rhythm_png(UNIT, GRID), 500),
                        (charts.statistics_png(UNIT, Statistics(YEAR.start, YEAR.end, YEAR.meetings[:1])), 560)):
        image = read_png(png)  # checks the signature, every chunk's CRC, the pixel data's size
        assert (image.width, image.height) == (1100, height)
        assert len(png) < 60_000, len(png)
        colours = image.colours()
        assert b"\xff\xff\xff" in colours or b"\xfe\xfe\xfe" in colours  # a white page
        assert len(colours) > 8  # not blank: the bars, the cells, anti-aliased text


def texts(fig) -> list[str]:
    FigureCanvasAgg(fig).draw()  # the tick labels are made when drawn
    return [t.get_text() for t in fig.findobj(Text) if t.get_text().strip()]


@pytest.mark.parametrize("figure", [lambda: charts.statistics_figure(UNIT, YEAR),
                                    lambda: charts.rhythm_figure(UNIT, GRID)], ids=["statistics", "rhythm"])
def test_every_label_is_vietnamese_in_a_font_that_has_its_letters(figure):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        labels = texts(figure())
    assert not [w for w in caught if "missing from" in str(w.message)], [str(w.message) for w in caught]
    path = font_manager.findfont(font_manager.FontProperties(family=charts.FONT), fallback_to_default=False)
    assert "DejaVuSans" in path
    glyphs = FT2Font(path).get_charmap()
    missing = {c for label in labels for c in label if c != "\n" and ord(c) not in glyphs}
    assert not missing, missing
    joined = "\n".join(labels)
    expected = (["Thống kê sinh hoạt — Chi bộ Xóm Định Thành", "Hoàn thành trễ hạn", "Quá hạn chưa hoàn thành",
                 "Tỷ lệ đảng viên có mặt (%)", "Mức cần đạt 90%", "Sinh hoạt chuyên đề"]
                if "Thống kê" in joined else
                ["Nhịp sinh hoạt chi bộ năm 2026", UNIT, "▼ Tháng này (đã qua ngày 20)", "Quý IV", "Không có",
                 "Chưa đến", "Đã sinh hoạt"])
    for label in expected:
        assert label in joined, label


def test_the_chart_says_the_numbers_it_is_given():
    labels = "\n".join(texts(charts.statistics_figure(UNIT, YEAR)))
    present, required = YEAR.attendance
    assert (present, required) == (30, 33)
    assert f"tỷ lệ chung {percent(present, required)} (30/33 lượt)" in labels
    assert "3 buổi sinh hoạt (thường kỳ 2, chuyên đề 1)" in labels
    assert "81,8%\n9/11" in labels and "100%\n11/11" in labels
    assert "Việc chi bộ giao tại các buổi sinh hoạt: 11 việc" in labels
    assert "Hoàn thành (không rõ ngày)" in labels
    grid = "\n".join(texts(charts.rhythm_figure(UNIT, GRID)))
    assert "Thường kỳ: 9/11 tháng đã sinh hoạt  ·  Chuyên đề: 1/4 quý đã sinh hoạt" in grid


async def test_charts_drawn_at_once_from_worker_threads():
    pngs = await asyncio.gather(*(asyncio.to_thread(charts.statistics_png, UNIT, YEAR) for _ in range(3)),
                                *(asyncio.to_thread(charts.rhythm_png, UNIT, GRID) for _ in range(3)))
    assert len({p for p in pngs[:3]}) == 1 and len({p for p in pngs[3:]}) == 1  # the same picture each time


def test_matplotlib_is_not_imported_until_a_chart_is_drawn():
    code = ("import sys, bot.cli, bot.channels.telegram, handlers.router, handlers.meetings.rhythm, bot.charts; "
            "print('matplotlib' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert run.stdout.strip() == "False", run.stdout + run.stderr


# -- the numbers in the chart are the numbers of the text ---------------------------------------------

class Spy:
    """Wraps a chart function: records what it is given, draws the real picture."""

    def __init__(self, monkeypatch, name: str):
        self.calls: list[tuple] = []
        real = getattr(charts, name)

        def spy(*args):
            self.calls.append(args)
            return real(*args)

        monkeypatch.setattr(charts, name, spy)


async def two_meetings(assistant):
    talk = await cell(assistant)
    october = list(HEAD)
    october[2:4] = ["05/10/2026", "10/2026"]
    await say_all(talk, october + ["Có đồng chí vắng", "Phạm Văn Dũng", "Vắng không lý do", "Xong", "Đúng, tiếp tục"]
                  + BODY + ["Nguyễn Văn An", "Dọn vệ sinh", "15/10/2026", "Thêm", "Chi ủy", "Thu quỹ", "20/10/2026",
                            "Xong"] + TAIL)
    await talk.tap("Xác nhận và tạo biên bản")
    await say_all(talk, HEAD + ROLL + BODY + TASK + TAIL)
    await talk.tap("Xác nhận và tạo biên bản")
    await assistant.store.conn.execute("UPDATE deadlines SET status = 'done' WHERE title = 'Dọn vệ sinh'")
    return talk


async def test_statistics_chart_gets_the_numbers_of_the_text(assistant, monkeypatch):
    spy = Spy(monkeypatch, "statistics_png")
    talk = await two_meetings(assistant)
    text = await talk.say("/thongke")
    [out] = talk.last
    assert out.picture is not None and out.picture.filename == "Thống kê sinh hoạt 01-01-2026 đến 23-11-2026.png"
    assert out.picture.caption == "Thống kê sinh hoạt — Chi bộ Xóm Định Thành, 01/01/2026 – 23/11/2026"
    assert read_png(out.picture.data).width == 1100
    [(unit, stats)] = spy.calls
    assert unit == "Chi bộ Xóm Định Thành" and (stats.start, stats.end) == (date(2026, 1, 1), date(2026, 11, 23))
    # per meeting: October (Dũng absent), November (Bình excused); Cường exempt, left out of both
    assert stats.meetings == (MeetingBar(date(2026, 10, 5), "thuong_ky", 4, 5),
                              MeetingBar(date(2026, 11, 20), "thuong_ky", 4, 5))
    assert f"Số buổi sinh hoạt: {len(stats.meetings)} (thường kỳ 2, chuyên đề 0)." in text
    present, required = stats.attendance
    assert f"Tỷ lệ dự sinh hoạt chung: {percent(present, required)}." in text
    members = [tuple(map(int, m)) for m in re.findall(r"dự (\d+)/(\d+) buổi", text)]
    assert (sum(p for p, _ in members), sum(r for _, r in members)) == (present, required)
    t = stats.tasks
    assert (t.on_time, t.late, t.done_unknown, t.overdue, t.running) == (0, 0, 1, 1, 1)
    assert (f"Việc chi bộ giao tại các buổi sinh hoạt: {t.total} — hoàn thành đúng hạn {t.on_time}, hoàn thành trễ "
            f"hạn {t.late}, hoàn thành (không rõ ngày) {t.done_unknown}, quá hạn chưa hoàn thành {t.overdue}, đang "
            f"thực hiện, chưa đến hạn {t.running}.") in text
    assert stats.target == 90.0
    # the text is the text of before the chart
    assert "Trần Thị Bình: dự 1/2 buổi (50%), vắng có lý do 1" in text and "Tỷ lệ dự sinh hoạt chung: 80%." in text

    month = await talk.tap("Tháng này")
    assert "Số buổi sinh hoạt: 1" in month and len(spy.calls) == 2
    assert [m.held_on for m in spy.calls[1][1].meetings] == [date(2026, 11, 20)]


async def test_no_chart_without_meetings(assistant, monkeypatch):
    stats_spy, rhythm_spy = Spy(monkeypatch, "statistics_png"), Spy(monkeypatch, "rhythm_png")
    talk = await cell(assistant)
    assert "Chưa có buổi sinh hoạt nào được ghi biên bản trong khoảng này." in await talk.say("/thongke")
    assert talk.last[0].picture is None
    assert "Tổng: 0/11 tháng đã sinh hoạt thường kỳ; 0/4 quý" in await talk.say("/nhipsinhhoat")
    assert talk.last[0].picture is None
    assert stats_spy.calls == rhythm_spy.calls == []
    # a meeting logged: charts; another year without any: none again
    await say_all(talk, HEAD + ROLL + BODY + TASK + TAIL)
    await talk.tap("Xác nhận và tạo biên bản")
    await talk.say("/thongke")
    assert talk.last[0].picture is not None
    await talk.say("/nhipsinhhoat")
    assert talk.last[0].picture is not None
    assert "Chưa có buổi sinh hoạt nào" in await talk.say("/thongke năm 2025") and talk.last[0].picture is None
    assert "Tổng: 0/12 tháng" in await talk.say("/nhipsinhhoat 2025") and talk.last[0].picture is None
    assert len(stats_spy.calls) == len(rhythm_spy.calls) == 1


async def test_no_meeting_in_the_span_gives_an_empty_statistics(assistant):
    talk = await two_meetings(assistant)
    unit = await assistant.store.get_unit((await assistant.store.account("test", talk.user)).unit_id)
    text, stats = await report(assistant.store, unit, date(2026, 6, 1), date(2026, 6, 30), date(2026, 11, 23))
    assert stats.empty and "Chưa có buổi sinh hoạt nào" in text


async def test_chart_that_fails_to_draw_leaves_the_text(assistant, monkeypatch):
    talk = await two_meetings(assistant)

    def broken(*args):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(charts, "rhythm_png", broken)
    reply = await talk.say("/nhipsinhhoat")
    assert "- Tháng 11: đã sinh hoạt ngày 20/11/2026" in reply and talk.last[0].picture is None


STATUS_OF_LINE = {"đã sinh hoạt": HELD, "KHÔNG có": MISSING, "chưa có": OPEN, "chưa đến": FUTURE}


async def test_year_grid_gets_the_months_and_quarters_of_the_text(assistant, monkeypatch):
    spy = Spy(monkeypatch, "rhythm_png")
    talk = await two_meetings(assistant)
    text = await talk.say("/nhipsinhhoat")
    [out] = talk.last
    assert out.picture is not None and out.picture.filename == "Nhịp sinh hoạt chi bộ năm 2026.png"
    assert out.picture.caption == out.title == "Nhịp sinh hoạt chi bộ năm 2026 — Chi bộ Xóm Định Thành"
    [(unit, grid)] = spy.calls
    assert unit == "Chi bộ Xóm Định Thành" and grid.year == 2026
    assert (grid.current_month, grid.current_quarter) == (11, 4)
    months = dict(re.findall(r"^- Tháng (\d+): (đã sinh hoạt|KHÔNG có|chưa có|chưa đến)", text, re.M))
    quarters = dict(re.findall(r"^- Quý ([IV]+): (đã sinh hoạt|KHÔNG có|chưa có|chưa đến)", text, re.M))
    assert [STATUS_OF_LINE[months[str(m)]] for m in range(1, 13)] == [p.status for p in grid.months]
    assert [STATUS_OF_LINE[quarters[q]] for q in ("I", "II", "III", "IV")] == [p.status for p in grid.quarters]
    assert [p.held_on for p in grid.months if p.held_on] == [date(2026, 10, 5), date(2026, 11, 20)]
    (held, due), (q_held, q_due) = grid.months_held, grid.quarters_held
    assert f"Tổng: {held}/{due} tháng đã sinh hoạt thường kỳ; {q_held}/{q_due} quý" in text
    assert (held, due) == (2, 11)


# -- through the real console and the real Telegram Application -----------------------------------------

def test_console_writes_the_charts_into_the_out_folder(replay, tmp_path):
    db = replay("meeting_regular").copy_db(tmp_path)
    out = tmp_path / "out"
    run = subprocess.run(chat_cmd(db, out), input="/thongke\n/nhipsinhhoat\n/thongke năm 2025\n/nhipsinhhoat 2025\n",
                         capture_output=True, text=True, cwd=ROOT, env=run_env(), timeout=120)
    assert run.returncode == 0 and "Traceback" not in run.stdout + run.stderr, run.stderr[-2000:]
    written = re.findall(r"^Đã ghi ảnh: (.+)$", run.stdout, re.M)
    assert written == [str(out / "Thống kê sinh hoạt 01-01-2026 đến 23-11-2026.png"),
                       str(out / "Nhịp sinh hoạt chi bộ năm 2026.png")]
    for path, height in zip(written, (900, 500), strict=True):
        image = read_png(open(path, "rb").read())
        assert (image.width, image.height) == (1100, height)
    # the text is printed as before, above the picture's line
    assert "Tỷ lệ dự sinh hoạt chung: 81,8%." in run.stdout
    assert "Tổng: 1/11 tháng đã sinh hoạt thường kỳ; 0/4 quý đã sinh hoạt chuyên đề." in run.stdout
    assert sorted(p.name for p in out.glob("*.png")) == sorted(p.rsplit("/", 1)[1] for p in written)


def seed_meeting(db: str) -> None:
    """A regular meeting of 20/11/2026 with its attendance and two tasks, written straight into the file."""
    conn = sqlite3.connect(db)
    with conn:
        unit_id = conn.execute("SELECT id FROM units").fetchone()[0]
        conn.execute("INSERT INTO meetings (id, unit_id, kind, period_year, period_month, held_on, started_at, "
                     "answers, created_at) VALUES (1, ?, 'thuong_ky', 2026, 11, '2026-11-20', '14:00', '{}', '')",
                     (unit_id,))
        conn.executemany("INSERT INTO attendance (meeting_id, person_name, status) VALUES (1, ?, ?)",
                         [("Nguyễn Thị Thược", "present"), ("Nguyễn Văn An", "present"),
                          ("Trần Thị Bình", "excused"), ("Lê Văn Cường", "exempt"), ("Phạm Văn Dũng", "present"),
                          ("Hoàng Thị Lan", "absent")])
        conn.executemany("INSERT INTO deadlines (unit_id, kind, title, due, status, done_at, meeting_id, created_at) "
                         "VALUES (?, 'deadline', ?, ?, ?, ?, 1, '')",
                         [(unit_id, "Dọn vệ sinh", "2026-11-21", "done", "2026-11-21T09:00"),
                          (unit_id, "Báo cáo", "2026-11-22", "open", None)])
    conn.close()


async def test_telegram_sends_the_charts_as_photos(fake, tmp_path, clock):
    db = str(tmp_path / "db.sqlite3")
    user = TgUser(fake, 8101)
    async with running_bot(fake, db, clock):
        for answer in ONBOARD_CELL:
            await user.say(answer)
        assert "Chưa có buổi sinh hoạt nào" in await user.say("/thongke")
        assert not [m for m in fake.messages_to(8101) if m.method == "sendPhoto"]
        seed_meeting(db)
        stats = await user.say("/thongke")
        assert "Tỷ lệ dự sinh hoạt chung: 60%." in stats  # 3 of the 5 who had to attend
        assert "hoàn thành đúng hạn 1" in stats and "quá hạn chưa hoàn thành 1" in stats
        rhythm = await user.say("/nhipsinhhoat")
        assert "- Tháng 11: đã sinh hoạt ngày 20/11/2026" in rhythm
        assert "Chưa có buổi sinh hoạt nào" in await user.say("/thongke năm 2025")
    photos = [m for m in fake.messages_to(8101) if m.method == "sendPhoto"]
    assert [p.document_name for p in photos] == ["Thống kê sinh hoạt 01-01-2026 đến 23-11-2026.png",
                                                 "Nhịp sinh hoạt chi bộ năm 2026.png"]
    assert [p.caption for p in photos] == ["Thống kê sinh hoạt — Chi bộ Xóm Định Thành, 01/01/2026 – 23/11/2026",
                                           "Nhịp sinh hoạt chi bộ năm 2026 — Chi bộ Xóm Định Thành"]
    for photo, height in zip(photos, (900, 500), strict=True):
        image = read_png(photo.document_bytes or b"")
        assert (image.width, image.height) == (1100, height)
    # each photo comes before its text, which keeps its buttons
    sent = fake.messages_to(8101)
    for photo in photos:
        after = sent[sent.index(photo) + 1]
        assert after.method == "sendMessage" and after.buttons
