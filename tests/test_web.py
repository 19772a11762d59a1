"""The document pages over real HTTP: uvicorn on 127.0.0.1 (a port of its own), an httpx client, a plan issued
by replaying seed 000 through the real `chibo chat`; and `chibo serve` as a subprocess."""

from __future__ import annotations

import asyncio
import io
import re
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import unquote

import docx
import httpx
import pytest
import uvicorn

from bot.clock import Clock
from bot.config import Settings, load_settings
from bot.links import document_link, link_key, revoke, sign
from bot.store import Store
from bot.store.records import StoredDocument
from bot.web import create_app
from bot.web.files import DOCX, ascii_name, content_disposition
from tests.conftest import NOW, run_env, select_one
from tests.docx_checks import all_text, norm

UNIT_NAME = 'Chi bộ <b>Sở</b> "Giáo dục" & Đào tạo'


class MovableClock(Clock):
    """A frozen clock the test can move forward."""

    def __init__(self, at: datetime):
        super().__init__(frozen=at)
        self.at = at

    def now(self) -> datetime:
        return self.at.astimezone(self.tz)


@dataclass
class Site:
    store: Store
    settings: Settings
    clock: MovableClock
    client: httpx.AsyncClient
    unit_id: int
    doc: StoredDocument

    async def link(self) -> str:
        url = await document_link(self.store, self.settings, self.unit_id, self.doc.id, self.clock.now())
        assert url is not None and url.startswith(f"{self.settings.public_url}/d/")
        return url


@pytest.fixture
async def site(replay, tmp_path) -> AsyncIterator[Site]:
    run = replay("seed_000")
    assert run.returncode == 0, run.stderr[-2000:]
    store = await Store.open(str(run.copy_db(tmp_path)))
    row = await select_one(store, "SELECT id FROM units")
    assert row is not None
    unit_id = row["id"]
    unit = await store.get_unit(unit_id)
    assert unit is not None
    fields = {k: getattr(unit, k) for k in ("kind", "superior", "name", "code", "place", "signer_name",
                                            "signer_title", "spelling")}
    people = [{"name": p.name, "status": p.status, "exempt": p.exempt} for p in await store.people(unit_id)]
    await store.update_unit(unit_id, {**fields, "name": UNIT_NAME}, people)  # markup in a name stays text
    listed = await store.documents(unit_id)
    assert len(listed) == 1

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = load_settings({"CHIBO_PUBLIC_URL": base + "/"})
    clock = MovableClock(NOW)
    server = uvicorn.Server(uvicorn.Config(create_app(store, settings, clock), log_config=None, access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            while not server.started:
                await asyncio.sleep(0.01)
            yield Site(store, settings, clock, client, unit_id, listed[0])
    finally:
        server.should_exit = True
        await task
        sock.close()
        await store.close()


def file_name_of(disposition: str) -> str:
    """The name a browser saves under: filename* (RFC 5987) when given."""
    match = re.search(r"filename\*=UTF-8''([^;\s]+)", disposition)
    assert match, disposition
    return unquote(match.group(1), encoding="utf-8", errors="strict")


async def test_the_document_page_is_vietnamese_escaped_and_locked_down(site):
    url = await site.link()
    page = await site.client.get(url)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="vi">' in html and 'name="viewport"' in html and "<script" not in html
    assert "Tải tệp Word (.docx)" in html and "Kế hoạch" in html and "Số 68-KH/ĐU" in html
    assert "25/9/2023" in html and "Đơn vị ban hành" in html
    assert "Chi bộ &lt;b&gt;Sở&lt;/b&gt; &quot;Giáo dục&quot; &amp; Đào tạo" in html
    assert "<b>" not in html
    assert site.doc.title.split()[0] in html
    # CHIBO_PDF=off in the tests: no PDF button, a note instead, and the PDF path is not served
    assert "Tải tệp PDF" not in html and "LibreOffice" in html
    assert (await site.client.get(url + "/pdf")).status_code == 404
    headers = page.headers
    assert headers["x-content-type-options"] == "nosniff" and headers["cache-control"] == "no-store"
    assert headers["referrer-policy"] == "no-referrer"
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp


async def test_the_docx_downloads_under_its_vietnamese_name(site):
    url = await site.link()
    got = await site.client.get(url + "/docx")
    assert got.status_code == 200
    assert got.headers["content-type"] == DOCX
    assert got.headers["cache-control"] == "no-store" and got.headers["x-content-type-options"] == "nosniff"
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert file_name_of(disposition) == site.doc.filename and site.doc.filename.startswith("Kế hoạch 68")
    fallback = re.search(r'filename="([^"]*)"', disposition)
    assert fallback and fallback.group(1).isascii() and fallback.group(1).startswith("Ke hoach 68")
    document = docx.Document(io.BytesIO(got.content))
    text = norm(all_text(document))
    assert norm("Số 68-KH/ĐU") in text and norm(site.doc.title) in text
    stored = await site.store.document(site.unit_id, site.doc.id)
    assert stored is not None and got.content == stored.content


async def test_a_token_with_one_character_changed_is_refused(site):
    url = await site.link()
    head, token = url.rsplit("/", 1)
    for i in (2, len(token) // 2, len(token) - 1):  # in the id, the expiry or the signature
        changed = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]
        for path in (f"{head}/{changed}", f"{head}/{changed}/docx"):
            got = await site.client.get(path)
            assert got.status_code == 403, path
            assert "Đường dẫn không hợp lệ" in got.text and "PK" not in got.text[:4]


async def test_an_expired_link_is_gone(site):
    url = await site.link()
    site.clock.at = NOW + timedelta(days=8)
    for path in (url, url + "/docx"):
        got = await site.client.get(path)
        assert got.status_code == 410 and "Đường dẫn đã hết hạn" in got.text


async def test_a_revoked_link_is_gone_and_others_still_work(site):
    url, other = await site.link(), await site.link()
    assert await revoke(site.store, url.rsplit("/", 1)[1], site.clock.now())
    for path in (url, url + "/docx"):
        got = await site.client.get(path)
        assert got.status_code == 410 and "đã bị thu hồi" in got.text
    assert (await site.client.get(other)).status_code == 200


async def test_a_link_to_no_document_is_not_found(site):
    key = await link_key(site.store, site.settings)
    expires = NOW + timedelta(days=1)
    await site.store.add_link("nodoc", "d", site.unit_id, None, NOW, expires)
    got = await site.client.get(f"{site.settings.public_url}/d/{sign('d', 'nodoc', expires, key)}")
    assert got.status_code == 404 and "Không tìm thấy văn bản" in got.text


async def test_healthz_and_unknown_paths(site):
    got = await site.client.get(f"{site.settings.public_url}/healthz")
    assert got.status_code == 200 and got.text == "ok"
    missing = await site.client.get(f"{site.settings.public_url}/nowhere")
    assert missing.status_code == 404 and missing.headers["x-content-type-options"] == "nosniff"


async def test_no_link_without_a_public_url(site):
    assert await document_link(site.store, load_settings({}), site.unit_id, site.doc.id, NOW) is None
    assert await document_link(site.store, site.settings, site.unit_id, 999999, NOW) is None


def test_content_disposition_of_hostile_names():
    for name in ('Kế hoạch "số 1"\\.docx', "Biên bản\r\nSet-Cookie: x.docx", "Đảng ủy; filename=evil.docx"):
        header = content_disposition(name)
        assert "\r" not in header and "\n" not in header
        assert file_name_of(header) == name
        assert ascii_name(name).isascii() and '"' not in ascii_name(name)


# -- `chibo serve` as a process ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_cmd(db, port: int) -> list[str]:
    return [sys.executable, "-m", "bot", "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port)]


def test_chibo_serve_answers_healthz_and_refuses_a_taken_port(tmp_path):
    port = free_port()
    proc = subprocess.Popen(serve_cmd(tmp_path / "s.sqlite3", port), cwd=tmp_path, env=run_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                got = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "chibo serve did not answer"
                time.sleep(0.1)
        assert got.status_code == 200 and got.text == "ok"

        taken = subprocess.run(serve_cmd(tmp_path / "s.sqlite3", port), cwd=tmp_path, env=run_env(),
                               capture_output=True, text=True, timeout=30)
        assert taken.returncode == 2
        lines = taken.stderr.strip().splitlines()
        assert len(lines) == 1 and f"cổng {port}" in lines[0] and "Traceback" not in taken.stderr
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
    assert (tmp_path / "s.sqlite3").stat().st_mode & 0o077 == 0
