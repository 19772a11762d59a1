"""The pages in a real browser: headless Chromium (Debian's `chromium` package) loads the document page of a
signed link and the page of a tampered link from the web app on 127.0.0.1, at a phone's size, and saves a
screenshot of each; the test checks the PNGs (valid, that size, not blank) and prints where they are.
Skipped, with the reason, where no Chromium is installed."""

from __future__ import annotations

import asyncio
import shutil
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from bot.clock import Clock
from bot.config import Settings, load_settings
from bot.links import document_link
from bot.store import Store
from bot.web import create_app
from tests.conftest import NOW, select_one
from tests.png_read import read_png

WIDTH, HEIGHT = 412, 915  # a common phone's viewport, in CSS pixels
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed: apt-get install chromium")


@dataclass
class Pages:
    store: Store
    settings: Settings
    unit_id: int
    doc_id: int

    async def link(self) -> str:
        url = await document_link(self.store, self.settings, self.unit_id, self.doc_id, NOW)
        assert url is not None
        return url


@pytest.fixture
async def pages(replay, tmp_path) -> AsyncIterator[Pages]:
    run = replay("seed_000")
    assert run.returncode == 0, run.stderr[-2000:]
    store = await Store.open(str(run.copy_db(tmp_path)))
    row = await select_one(store, "SELECT id FROM units")
    assert row is not None
    listed = await store.documents(row["id"])
    assert len(listed) == 1
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    settings = load_settings({"CHIBO_PUBLIC_URL": f"http://127.0.0.1:{sock.getsockname()[1]}"})
    app = create_app(store, settings, Clock(frozen=NOW))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        yield Pages(store, settings, row["id"], listed[0].id)
    finally:
        server.should_exit = True
        await task
        sock.close()
        await store.close()


async def screenshot(url: str, folder: Path, name: str) -> Path:
    """Chromium loads `url` at the phone's size and writes folder/name; the server keeps serving meanwhile
    (the browser runs as an asyncio subprocess)."""
    assert CHROMIUM is not None
    target = folder / name
    proc = await asyncio.create_subprocess_exec(
        CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--hide-scrollbars", f"--user-data-dir={folder / 'chromium-profile'}", f"--window-size={WIDTH},{HEIGHT}",
        f"--screenshot={target}", url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=90)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
    assert target.is_file(), (out + err).decode(errors="replace")[-2000:]
    print(f"screenshot: {target}")
    return target


def check_screenshot(path: Path) -> None:
    png = read_png(path.read_bytes())
    assert (png.width, png.height) == (WIDTH, HEIGHT)
    colours = png.colours()
    assert len(colours) >= 20, f"{path} looks blank: {len(colours)} colours"  # text is anti-aliased: many shades
    # the page's own colours are there: the beige background and the Party red of the title
    rgb = {c[:3] for c in colours}
    assert bytes((0xF6, 0xF4, 0xEF)) in rgb and bytes((0xA5, 0x0E, 0x0E)) in rgb


async def test_the_document_page_in_chromium(pages, tmp_path):
    url = await pages.link()
    async with httpx.AsyncClient(timeout=10) as client:  # the page the browser will get
        assert (await client.get(url)).status_code == 200
    check_screenshot(await screenshot(url, tmp_path, "document-page.png"))


async def test_the_page_of_a_tampered_link_in_chromium(pages, tmp_path):
    url = await pages.link()
    head, token = url.rsplit("/", 1)
    tampered = f"{head}/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}"
    async with httpx.AsyncClient(timeout=10) as client:
        got = await client.get(tampered)
    assert got.status_code == 403 and "Đường dẫn không hợp lệ" in got.text
    check_screenshot(await screenshot(tampered, tmp_path, "tampered-link.png"))
