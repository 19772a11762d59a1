"""“Xem trước” as a picture of the page (issue 15, points 5 and 6): the draft's real .docx → LibreOffice's PDF →
a PNG drawn by pypdfium2, page 1 first and “Xem trang 2” (then 3…) offered at the same review; the text
preview where LibreOffice is missing, switched off, failing or too slow, or where the channel cannot show a
picture. On the console every picture is written into --out; on Telegram it is a photo (the fake Bot API
server checks it is an image); on Zalo, with public https links, a photo whose URL the web app serves.

LibreOffice is faked by tests/fakes/soffice.py (a valid PDF of 3 pages, each with a black bar as long as its
page number), except in the test marked for the real one (skipped without `soffice`).
"""

from __future__ import annotations

import asyncio
import io
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from PIL import Image

from bot import pdf
from bot.channels.console import exchanges
from bot.clock import Clock
from bot.config import load_settings
from bot.messages import Incoming, OutPicture
from bot.pictures import PICTURE_DAYS, picture_link, stored_picture
from bot.store import Store
from bot.web import create_app
from handlers import previews
from handlers.engine import preview_page
from handlers.router import Assistant
from tests.conftest import ROOT, chat_cmd, run_env, scenario_header
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo import FakeZalo
from tests.telegram_harness import TgUser, running_bot
from tests.test_page1 import conversions, dark_pixels, soffice  # noqa: F401  (soffice: the fixture)
from tests.test_zalo import CHAT, scenario
from tests.zalo_harness import running_zalo

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def no_kept_pdfs():
    """Each test converts its drafts itself (the previews keep the PDFs of the last drafts in memory)."""
    previews._pdfs.clear()
    yield
    previews._pdfs.clear()


def says(name: str) -> list[str]:
    return [text for kind, text in scenario(name) if kind == "say"]


def clock_of(name: str) -> Clock:
    now = scenario_header(name, "now")
    assert now is not None
    return Clock(frozen=datetime.fromisoformat(now).replace(tzinfo=Clock().tz))


def with_previews(name: str) -> list[str]:
    """The meeting scenario with pages asked for at the Biên bản's review (the button's number, then words)
    and a preview of the Nghị quyết before it is issued."""
    lines = says(name)
    at = lines.index("Xem trước")
    lines[at + 1:at + 1] = ["3", "xem trang 3"]  # [3]: the “Xem trang 2” choice
    resolution = lines.index("Xác nhận và tạo văn bản")
    lines.insert(resolution, "Xem trước")
    return lines


def run_console(lines: list[str], folder: Path, now: str) -> list[tuple[str, str]]:
    folder.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(chat_cmd(folder / "db.sqlite3", folder / "out", now=now), input="\n".join(lines).encode(),
                          capture_output=True, cwd=ROOT, env=run_env(), timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    out = proc.stdout.decode()
    assert "Traceback" not in out + proc.stderr.decode()
    return exchanges(out)


def written(reply: str) -> Path:
    """The picture a console reply wrote (its “Đã ghi ảnh: <path>” line), checked to be a PNG."""
    [path] = re.findall(r"^Đã ghi ảnh: (.+)$", reply, re.M)
    picture = Path(path)
    assert picture.read_bytes().startswith(PNG)
    return picture


def answer(replies: list[tuple[str, str]], line: str, nth: int = 0) -> str:
    return [reply for said, reply in replies if said == line][nth]


# -- the engine's page choice ---------------------------------------------------------------------

def test_which_page_an_answer_at_the_review_asks_for():
    assert preview_page("__preview__", "") == 1 and preview_page(None, "xem truoc") == 1
    assert preview_page("__preview__:2", "") == 2 and preview_page(None, "xem trang 3") == 3
    assert preview_page(None, "trang 12") == 12 and preview_page(None, "xem trang 0") == 1
    assert preview_page("__confirm__", "xac nhan") is None and preview_page(None, "sua 2") is None
    assert preview_page("__preview__:x", "") is None


# -- console ---------------------------------------------------------------------------------------

async def test_console_writes_each_page_asked_for_and_the_resolution(soffice, tmp_path):  # noqa: F811
    name = "meeting_regular"
    replies = run_console(with_previews(name), tmp_path / "run", scenario_header(name, "now") or "")
    out = tmp_path / "run" / "out"

    first = answer(replies, "Xem trước")
    assert "Xem trước: trang 1/3 (bản nháp, chưa lưu)." in first and "[3] Xem trang 2" in first
    assert "BIÊN BẢN" not in first  # the picture instead of the long text
    page1 = written(first)
    assert page1.parent == out and page1.name.startswith("Biên bản - ") and page1.name.endswith(" - trang 1.png")

    second = answer(replies, "3")
    assert "Xem trước: trang 2/3" in second and "[3] Xem trang 3" in second and "Xem lại biên bản" in second
    page2 = written(second)
    assert page2.name == page1.name.replace("trang 1.png", "trang 2.png")

    third = answer(replies, "xem trang 3")
    assert "Xem trước: trang 3/3" in third and "Xem trang 4" not in third
    page3 = written(third)
    assert dark_pixels(page1.read_bytes()) < dark_pixels(page2.read_bytes()) < dark_pixels(page3.read_bytes())
    assert Image.open(page3).width == pdf.PAGE_WIDTH

    assert "Đã lưu biên bản 01-BB/CB" in answer(replies, "Xác nhận và tạo biên bản")  # still at the same review
    resolution = written(answer(replies, "Xem trước", 1))
    assert resolution.name.startswith("Nghị quyết ") and resolution.name.endswith(" - trang 1.png")
    assert "Đã lưu nghị quyết 01-NQ/CB" in answer(replies, "Xác nhận và tạo văn bản")
    # minutes preview (pages 2 and 3 from the same PDF), minutes issued, resolution preview, resolution issued
    assert conversions(soffice) == ["pdf"] * 4
    assert sorted(p.name for p in out.glob("*.png")) == sorted({page1.name, page2.name, page3.name, resolution.name})


def test_a_different_picture_of_the_same_name_is_kept_beside(tmp_path):
    from bot.channels.console import Console

    console = Console(None, user_id="u", out_dir=tmp_path, stdout=io.StringIO())
    assert console.write("a - trang 1.png", PNG + b"1", "Đã ghi ảnh", keep_others=True).endswith("a - trang 1.png")
    assert console.write("a - trang 1.png", PNG + b"1", "Đã ghi ảnh", keep_others=True).endswith("a - trang 1.png")
    assert console.write("a - trang 1.png", PNG + b"2", "Đã ghi ảnh", keep_others=True).endswith("a - trang 1 (2).png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a - trang 1 (2).png", "a - trang 1.png"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
async def test_real_libreoffice_draws_the_pages_of_the_draft(tmp_path, monkeypatch):
    monkeypatch.setenv("CHIBO_PDF", "on")
    name = "meeting_regular"
    lines = says(name)
    at = lines.index("Xem trước")
    lines = [*lines[:at + 1], "3"]  # page 2 (the Biên bản of a regular meeting has more than one), not issued
    replies = run_console(lines, tmp_path / "run", scenario_header(name, "now") or "")
    first = answer(replies, "Xem trước")
    pages = re.search(r"Xem trước: trang 1/(\d+) \(bản nháp, chưa lưu\)\.", first)
    assert pages is not None and int(pages.group(1)) >= 2, first
    for reply in (first, answer(replies, "3")):
        image = Image.open(written(reply))
        assert image.width == pdf.PAGE_WIDTH and 1750 <= image.height <= 1760
        assert written(reply).stat().st_size < 200_000  # small enough for a phone
    assert "Xem trước: trang 2/" in answer(replies, "3")


# -- the text preview where no picture can be shown --------------------------------------------------

async def _at_review(store: Store, name: str = "sloppy_plan", **incoming) -> tuple[Assistant, list[str]]:
    """The assistant with the plan of `name` typed up to its review; the lines left (the preview first)."""
    assistant = Assistant(store, clock_of(name))
    lines = says(name)
    at = lines.index("xem truoc")
    for line in lines[:at]:
        await assistant.handle(Incoming(channel="test", chat_id="u1", user_id="u1", text=line, **incoming))
    return assistant, lines[at:]


async def preview(assistant: Assistant, text: str = "xem truoc", **incoming):
    return await assistant.handle(Incoming(channel="test", chat_id="u1", user_id="u1", text=text, **incoming))


@pytest.mark.parametrize("case", ["switched off", "not installed", "too slow", "unreadable PDF", "no pictures"])
async def test_the_text_preview_where_no_picture_can_be_made(soffice, store, monkeypatch, tmp_path, case):  # noqa: F811
    assistant, _ = await _at_review(store)
    if case == "switched off":
        monkeypatch.setenv("CHIBO_PDF", "off")
    elif case == "not installed":
        monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    elif case == "too slow":
        monkeypatch.setenv("FAKE_SOFFICE_SLEEP", "20")
        monkeypatch.setattr(previews, "PREVIEW_TIMEOUT", 0.5)
    elif case == "unreadable PDF":
        monkeypatch.setenv("FAKE_SOFFICE_PAGES", "0")
    started = asyncio.get_running_loop().time()
    replies = await preview(assistant, pictures=case != "no pictures")  # Zalo without https links: False
    assert asyncio.get_running_loop().time() - started < 10
    assert all(out.picture is None for out in replies)
    shown = "\n".join(out.plain() for out in replies)
    assert "KẾ HOẠCH" in shown and "Tổ chức lễ kết nạp đảng viên" in shown and "Xem lại kế hoạch" in shown
    assert "Xem trang 2" not in shown
    started_soffice = case in ("too slow", "unreadable PDF")
    assert conversions(soffice) == (["pdf"] if started_soffice else [])


async def test_a_picture_with_the_next_page_offered_then_confirm(soffice, store):  # noqa: F811
    assistant, rest = await _at_review(store)
    replies = await preview(assistant)
    shown, review = replies[0], replies[-1]
    assert shown.picture is not None and not shown.text and shown.choices == []
    assert shown.picture.filename.endswith(" - trang 1.png") and shown.picture.data.startswith(PNG)
    assert [c.label for c in review.choices] == ["Xác nhận và tạo văn bản", "Xem trước", "Xem trang 2"]
    page2 = await preview(assistant, "Xem trang 2")
    assert page2[0].picture is not None and page2[0].picture.caption.startswith("Xem trước: trang 2/3")
    assert "Đã lưu kế hoạch 01-KH/CB" in "\n".join(o.plain() for o in await preview(assistant, rest[1]))


# -- Telegram ----------------------------------------------------------------------------------------

async def test_telegram_sends_the_page_as_a_photo_and_page_2_on_a_tap(soffice, tmp_path, monkeypatch):  # noqa: F811
    name = "sloppy_plan"
    lines = says(name)
    at = lines.index("xem truoc")
    async with FakeTelegram() as fake, running_bot(fake, str(tmp_path / "db.sqlite3"), clock_of(name)):
        user, other = TgUser(fake, 7101), TgUser(fake, 7102)
        for line in lines[:at]:
            await user.say(line)
        monkeypatch.setenv("FAKE_SOFFICE_SLEEP", "1.5")  # a slow LibreOffice does not hold up another chat
        fake.push_text(user.chat_id, "xem truoc")
        await asyncio.sleep(0.2)
        fake.push_text(other.chat_id, "/trogiup")
        helped = await fake.wait_for(lambda s: s.chat_id == other.chat_id and "/kehoach" in (s.text or ""))
        assert not any(s.method == "sendPhoto" for s in fake.sent)  # answered while the picture was being made
        await user.turn()
        assert helped.at < next(s.at for s in fake.sent if s.method == "sendPhoto")
        [photo] = [s for s in fake.messages_to(user.chat_id) if s.method == "sendPhoto"]
        assert photo.caption == "Xem trước: trang 1/3 (bản nháp, chưa lưu)."
        assert photo.document_name is not None and photo.document_name.endswith(" - trang 1.png")
        assert photo.document_bytes is not None and Image.open(io.BytesIO(photo.document_bytes)).width == pdf.PAGE_WIDTH
        review = user.last_with_buttons()
        assert [b["text"] for b in review.buttons][-1] == "Xem trang 2" and review.message_id > photo.message_id
        monkeypatch.setenv("FAKE_SOFFICE_SLEEP", "0")
        await user.tap("Xem trang 2")
        page2 = [s for s in fake.messages_to(user.chat_id) if s.method == "sendPhoto"][-1]
        assert page2.caption is not None and page2.caption.startswith("Xem trước: trang 2/3")
        assert page2.document_bytes is not None and dark_pixels(page2.document_bytes) > dark_pixels(photo.document_bytes)
        assert "Đã lưu kế hoạch 01-KH/CB" in await user.say(lines[at + 1])


async def test_the_fake_bot_api_refuses_a_photo_that_is_not_an_image():
    from telegram import Bot
    from telegram.error import BadRequest

    async with FakeTelegram() as fake:
        bot = Bot(fake.token, base_url=f"{fake.base_url}/bot", base_file_url=f"{fake.base_url}/file/bot")
        async with bot:
            fake.push_text(5, "hi")
            with pytest.raises(BadRequest, match="(?i)image_process_failed"):
                await bot.send_photo(5, b"PK not a picture")
            sent = await bot.send_photo(5, pdf.page_png(_one_page_pdf()).png, caption="ok")  # type: ignore[union-attr]
            assert sent.photo[-1].width == pdf.PAGE_WIDTH and sent.caption == "ok"


def _one_page_pdf() -> bytes:
    from tests.fakes.soffice import pdf as fake_pdf

    return fake_pdf(1)


# -- Zalo ------------------------------------------------------------------------------------------------

async def _plan_previewed_on_zalo(tmp_path: Path, public_url: str, photos: bool):
    """sloppy_plan typed on Zalo with its preview, page 2 by number, then confirmed; the web app of the same
    database is asked for what Zalo would fetch."""
    name = "sloppy_plan"
    settings = load_settings({"CHIBO_PUBLIC_URL": public_url})
    clock = clock_of(name)
    async with FakeZalo() as fake, running_zalo(fake, tmp_path / "z.sqlite3", clock) as run:
        async def link(picture: OutPicture, user_id: str) -> str | None:
            return await picture_link(run.store, settings, picture.data, "zalo", user_id, clock.now())

        run.channel.photos, run.channel.picture_link = photos, link
        lines = says(name)
        at = lines.index("xem truoc")
        for line in lines[:at]:
            await run.say(CHAT, line)
        first = await run.say(CHAT, "xem truoc")
        second = await run.say(CHAT, "3")  # the number of “Xem trang 2”
        saved = await run.say(CHAT, lines[at + 1])
        app = create_app(run.store, settings, clock)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://pages") as web:
            fetched = [await web.get(s.photo.removeprefix(public_url)) for s in fake.sent if s.method == "sendPhoto"]
        return fake, first, second, saved, fetched


async def test_zalo_sends_the_page_by_a_url_the_web_app_serves(soffice, tmp_path):  # noqa: F811
    fake, first, second, saved, fetched = await _plan_previewed_on_zalo(tmp_path, "https://chibo.example.vn", True)
    photos = [s for s in fake.sent if s.method == "sendPhoto"]
    assert [p.text for p in photos] == ["Xem trước: trang 1/3 (bản nháp, chưa lưu).",
                                        "Xem trước: trang 2/3 (bản nháp, chưa lưu)."]
    assert all(re.fullmatch(r"https://chibo\.example\.vn/p/[A-Za-z0-9_-]{32}\.png", p.photo) for p in photos)
    assert all(got.status_code == 200 and got.headers["content-type"] == "image/png" for got in fetched)
    assert all(got.headers["cache-control"] == "no-store" for got in fetched)
    assert dark_pixels(fetched[1].content) > dark_pixels(fetched[0].content) > 0
    assert "3. Xem trang 2" in first[-1] and "Xem lại kế hoạch" in first[-1] and "KẾ HOẠCH" not in first[-1]
    assert "3. Xem trang 3" in second[-1]
    assert "Đã lưu kế hoạch 01-KH/CB" in "\n".join(saved)


async def test_zalo_without_https_links_gets_the_text_and_no_conversion(soffice, tmp_path):  # noqa: F811
    fake, first, _, saved, _ = await _plan_previewed_on_zalo(tmp_path, "http://127.0.0.1:8080", False)
    assert fake.count("sendPhoto") == 0 and conversions(soffice).count("pdf") == 1  # the issued plan's PDF only
    assert "KẾ HOẠCH" in "\n".join(first) and "Xem trang 2" not in "\n".join(first)
    assert "Đã lưu kế hoạch 01-KH/CB" in "\n".join(saved)


# -- the pictures table and its page ------------------------------------------------------------------------

async def test_pictures_are_served_by_token_and_pruned(store, tmp_path):
    from datetime import timedelta

    clock = Clock(frozen=datetime.fromisoformat("2026-11-23T08:00:00+07:00"))
    settings = load_settings({"CHIBO_PUBLIC_URL": "https://chibo.example.vn"})
    now = clock.now()
    url = await picture_link(store, settings, PNG + b"a", "zalo", "nobody", now)
    assert url is not None and url.startswith("https://chibo.example.vn/p/")
    token = url.rsplit("/", 1)[1].removesuffix(".png")
    assert await stored_picture(store, token, now) == PNG + b"a"
    assert await stored_picture(store, token, now + timedelta(days=PICTURE_DAYS, seconds=1)) is None
    assert await stored_picture(store, "../../etc/passwd", now) is None
    app = create_app(store, settings, clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://pages") as web:
        assert (await web.get(f"/p/{token}.png")).content == PNG + b"a"
        missing = await web.get("/p/" + "A" * 32 + ".png")
        assert missing.status_code == 404 and "Không tìm thấy ảnh" in missing.text
    # older than PICTURE_DAYS, or beyond the newest `keep`: deleted when the next one is stored
    later = now + timedelta(days=PICTURE_DAYS + 1)
    await store.add_picture("B" * 32, None, PNG, later, older_than=later - timedelta(days=PICTURE_DAYS), keep=2)
    assert await store.picture_count() == 1
    for n in range(3):
        await store.add_picture(str(n) * 32, None, PNG, later, older_than=later - timedelta(days=PICTURE_DAYS), keep=2)
    assert await store.picture_count() == 2 and await store.picture("2" * 32, later) is not None
    assert await picture_link(store, load_settings({}), PNG, "zalo", "x", now) is None  # no public address


async def test_any_picture_of_a_reply_goes_to_zalo_as_a_photo_before_its_text(tmp_path):
    """A chart (or any Outgoing.picture) as a photo, its reply's text after it; refused by Zalo, the caption
    and the picture's address as a text; without public https links, the text alone."""
    from bot.messages import Outgoing

    async def link(picture: OutPicture, user_id: str) -> str:
        return f"https://chibo.example.vn/p/{picture.filename}"

    replies = [Outgoing(text="Thống kê năm 2026", picture=OutPicture("bieu-do.png", PNG, "Biểu đồ dự họp")),
               Outgoing(text="Gõ /trogiup để xem thêm.")]
    async with FakeZalo() as fake, running_zalo(fake, tmp_path / "z.sqlite3") as run:
        channel = run.channel
        channel.photos, channel.picture_link = True, link
        assert await channel.render_answer(CHAT, replies) == [
            ("https://chibo.example.vn/p/bieu-do.png", "Biểu đồ dự họp"),
            "Thống kê năm 2026\n\nGõ /trogiup để xem thêm."]
        fake.known_chats.add(CHAT)  # she wrote to the bot
        fake.fail("sendPhoto", code=400, description="cannot fetch")
        await channel.send_photo(CHAT, ("https://chibo.example.vn/p/bieu-do.png", "Biểu đồ dự họp"))
        assert fake.sent[-1].method == "sendMessage"
        assert fake.sent[-1].text == "Biểu đồ dự họp\nXem ảnh tại: https://chibo.example.vn/p/bieu-do.png"
        channel.photos = False
        assert await channel.render_answer(CHAT, replies) == ["Thống kê năm 2026\n\nGõ /trogiup để xem thêm."]
