"""The one-time upload page over real HTTP: uvicorn on 127.0.0.1 (a port of its own) serving `upload_routes`, an
`on_upload` that runs the real Assistant (its worker included) and keeps the replies, a unit onboarded on Zalo.
Also: where the link is offered (a typed request on Zalo, a file Zalo did not pass on)."""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

import docx
import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from bot.channels.zalo import UNSUPPORTED, ZaloChannel
from bot.channels.zalo_api import ZaloUpdate
from bot.clock import Clock
from bot.config import Settings, load_settings
from bot.extract.limits import MAX_UPLOAD
from bot.links import upload_link
from bot.messages import Incoming, Outgoing
from bot.store import Store
from bot.web.app import SecurityHeaders
from bot.web.upload import upload_routes
from handlers.router import Assistant
from tests.conftest import NOW, Talk, onboard
from tests.hostile_files import MB, zip_bomb_docx
from tests.test_web import MovableClock

CHAT = "zalo-user-1"


def plan_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("ĐẢNG BỘ XÃ KIM PHÚ")
    document.add_paragraph("KẾ HOẠCH tổ chức hội nghị sơ kết công tác năm 2027")
    document.add_paragraph("1. Các chi bộ nộp báo cáo sơ kết về Đảng ủy trước ngày 15/01/2027.")
    document.add_paragraph("2. Hoàn thành kiểm điểm đảng viên trước ngày 20/02/2027.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@dataclass
class Site:
    store: Store
    settings: Settings
    clock: MovableClock
    client: httpx.AsyncClient
    base: str
    port: int
    replies: list[tuple[Incoming, list[Outgoing]]] = field(default_factory=list)

    async def link(self) -> str:
        url = await upload_link(self.store, self.settings, "zalo", CHAT, CHAT, self.clock.now())
        assert url is not None and url.startswith(f"{self.base}/u/")
        return url

    def said(self) -> str:
        return "\n".join(out.plain() for _, outs in self.replies for out in outs)


@pytest.fixture
async def site(tmp_path) -> AsyncIterator[Site]:
    store = await Store.open(str(tmp_path / "upload.sqlite3"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    settings = load_settings({"CHIBO_PUBLIC_URL": base + "/"})
    clock = MovableClock(NOW)
    assistant = Assistant(store, Clock(frozen=NOW), settings=settings)
    await onboard(Talk(assistant, user=CHAT, channel="zalo"))
    replies: list[tuple[Incoming, list[Outgoing]]] = []

    async def on_upload(inc: Incoming) -> None:
        replies.append((inc, await assistant.handle(inc)))

    app = Starlette(routes=upload_routes(store, settings, clock, on_upload))
    server = uvicorn.Server(uvicorn.Config(SecurityHeaders(app), log_config=None, access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            while not server.started:
                await asyncio.sleep(0.01)
            yield Site(store, settings, clock, client, base, port, replies)
    finally:
        server.should_exit = True
        await task
        sock.close()
        await store.close()


async def test_the_page_is_a_vietnamese_form_locked_down(site):
    url = await site.link()
    page = await site.client.get(url)
    assert page.status_code == 200
    html = page.text
    assert '<html lang="vi">' in html and 'name="viewport"' in html and "<script" not in html
    assert "Gửi kế hoạch của cấp trên" in html and "Gửi tệp" in html and "trả lời trong Zalo" in html
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html and ".docx,.txt,.md" in html
    csp = page.headers["content-security-policy"]
    assert "form-action 'self'" in csp and "default-src 'none'" in csp
    assert page.headers["referrer-policy"] == "no-referrer"


async def test_a_plan_uploaded_starts_the_import_in_the_chat_and_the_link_is_used_once(site):
    url = await site.link()
    sent = await site.client.post(url, files={"file": ("Kế hoạch 70-KH/ĐU <b>.docx", plan_docx(), "application/octet-stream")})
    assert sent.status_code == 200, sent.text
    assert "Đã nhận tệp" in sent.text and "xin quay lại Zalo để tiếp tục" in sent.text
    assert "&lt;b&gt;" in sent.text and "<b>" not in sent.text  # the name is escaped
    [(inc, _)] = site.replies
    assert (inc.channel, inc.chat_id, inc.user_id) == ("zalo", CHAT, CHAT)
    assert inc.attachment is not None and inc.attachment.name == "ĐU <b>.docx"  # the last part of a path only
    said = site.said()
    assert "Đã đọc văn bản: tìm thấy 2 mốc thời gian" in said
    assert "15/01/2027" in said or "15/1/2027" in said
    again = await site.client.post(url, files={"file": ("plan.docx", plan_docx())})
    assert again.status_code == 410 and "chỉ dùng được một lần" in again.text
    assert (await site.client.get(url)).status_code == 410
    assert len(site.replies) == 1


async def test_tampered_and_expired_links_are_refused(site):
    url = await site.link()
    head, token = url.rsplit("/", 1)
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    for method in ("GET", "POST"):
        got = await site.client.request(method, f"{head}/{changed}", files={"file": ("a.txt", b"x")}
                                        if method == "POST" else None)
        assert got.status_code == 403 and "Đường dẫn không hợp lệ" in got.text
    site.clock.at = NOW + timedelta(hours=25)
    got = await site.client.post(url, files={"file": ("plan.docx", plan_docx())})
    assert got.status_code == 410 and "hết hạn" in got.text
    assert site.replies == []


async def test_a_document_link_does_not_open_the_upload_page(site):
    from bot.links import DOCUMENT, link_key, sign

    url = await site.link()
    ident = url.rsplit("/", 1)[1].split(".")[1]
    forged = sign(DOCUMENT, ident, NOW + timedelta(hours=1), await link_key(site.store, site.settings))
    assert (await site.client.get(f"{site.base}/u/{forged}")).status_code == 403


async def test_an_oversized_body_is_refused_before_it_is_read(site):
    url = await site.link()
    path = url.removeprefix(site.base)
    reader, writer = await asyncio.open_connection("127.0.0.1", site.port)
    declared = 50 * MB
    writer.write((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                  f"Content-Length: {declared}\r\n\r\n").encode() + b"x" * 65536)
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)  # answered with 64 KB of 50 MB sent
    assert head.startswith(b"HTTP/1.1 413")
    writer.close()
    # a body with no length that grows past the cap is cut off too
    body = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n\r\n"
    body += b"x" * (MAX_UPLOAD + 200 * 1024)
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for at in range(0, len(body), 64 * 1024):
            sent += 64 * 1024
            yield body[at:at + 64 * 1024]

    got = await site.client.post(url, content=chunks(),
                                 headers={"content-type": "multipart/form-data; boundary=b"})
    assert got.status_code == 413 and "Tệp quá lớn" in got.text
    assert site.replies == []
    assert (await site.client.get(url)).status_code == 200  # the link still works


async def test_a_program_is_refused_in_vietnamese_and_the_link_stays(site):
    url = await site.link()
    got = await site.client.post(url, files={"file": ("setup.exe", b"MZ\x90\x00")})
    assert got.status_code == 415
    assert "Không đọc được tệp “setup.exe”: chỉ hỗ trợ tệp Word .docx hoặc văn bản .txt, .md." in got.text
    assert 'type="file"' in got.text  # a second chance
    assert site.replies == []
    none = await site.client.post(url, files={"file": ("", b"")})
    assert none.status_code == 400 and "Xin chọn một tệp" in none.text
    ok = await site.client.post(url, files={"file": ("ke-hoach.txt", "Nộp báo cáo trước ngày 15/01/2027.".encode())})
    assert ok.status_code == 200 and "tìm thấy 1 mốc" in site.said()


async def test_a_zip_bomb_comes_back_as_the_workers_limit_message(site):
    url = await site.link()
    bomb = zip_bomb_docx(200 * MB)
    got = await site.client.post(url, files={"file": ("Kế hoạch 70.docx", bomb)})
    assert got.status_code == 200
    said = site.said()
    assert "Tệp “Kế hoạch 70.docx” quá lớn: một phần bên trong giải nén ra 200 MB" in said
    assert "Xin lỗi" not in said


# -- where the link is offered ---------------------------------------------------------------------

async def test_the_typed_request_gets_a_link_on_zalo_and_an_invitation_elsewhere(tmp_path):
    store = await Store.open(str(tmp_path / "offer.sqlite3"))
    try:
        settings = load_settings({"CHIBO_PUBLIC_URL": "https://chibo.example.vn"})
        assistant = Assistant(store, Clock(frozen=NOW), settings=settings)
        await onboard(Talk(assistant, user=CHAT, channel="zalo"))
        for text in ("Tôi có kế hoạch cấp trên", "gửi kế hoạch", "Nhập kế hoạch của huyện ủy"):
            [out] = await assistant.handle(Incoming("zalo", CHAT, CHAT, text=text, files=False))
            assert "https://chibo.example.vn/u/" in out.text and "một lần" in out.text, text
        [out] = await assistant.handle(Incoming("zalo", CHAT, CHAT, text="gửi kế hoạch", files=True))
        assert "Xin gửi tệp kế hoạch" in out.text and "/u/" not in out.text
        bare = Assistant(store, Clock(frozen=NOW))  # no public address: paste the text
        [out] = await bare.handle(Incoming("zalo", CHAT, CHAT, text="gửi kế hoạch", files=False))
        assert "dán vào đây" in out.text and "http" not in out.text
        # a dated sentence stays a deadline
        reply = await assistant.handle(Incoming("zalo", CHAT, CHAT, text="Gửi kế hoạch tuyên truyền trước 15/12",
                                                files=False))
        assert "/u/" not in "\n".join(o.plain() for o in reply)
    finally:
        await store.close()


async def test_a_file_zalo_did_not_pass_on_gets_an_upload_link(tmp_path):
    store = await Store.open(str(tmp_path / "zalo.sqlite3"))
    try:
        settings = load_settings({"CHIBO_PUBLIC_URL": "https://chibo.example.vn"})
        assistant = Assistant(store, Clock(frozen=NOW), settings=settings)
        await onboard(Talk(assistant, user=CHAT, channel="zalo"))
        update = ZaloUpdate(event="message.unsupported.received", message_id="m1", chat_id=CHAT, chat_type="PRIVATE",
                            user_id=CHAT, user_name="Chi", is_bot=False, text="", unsupported=True, date=None)
        reply = await ZaloChannel(None, assistant).unsupported_reply(update)  # type: ignore[arg-type]
        assert "https://chibo.example.vn/u/" in reply and "Zalo không chuyển nội dung tệp" in reply
        assert await ZaloChannel(None, Assistant(store, Clock(frozen=NOW))).unsupported_reply(  # type: ignore[arg-type]
            update) == UNSUPPORTED
        stranger = ZaloUpdate(event="message.unsupported.received", message_id="m2", chat_id="x", chat_type="PRIVATE",
                              user_id="x", user_name="", is_bot=False, text="", unsupported=True, date=None)
        assert await ZaloChannel(None, assistant).unsupported_reply(stranger) == UNSUPPORTED  # type: ignore[arg-type]
    finally:
        await store.close()
