"""`chibo serve` as a real subprocess over real HTTP: the Zalo contract (seed 002 typed on Zalo ends with a
signed link; its page; the .docx read back), POST /zalo (secret, bare and wrapped bodies, size), and the
Telegram channel in both modes, against the fake Zalo and Telegram Bot API servers."""

from __future__ import annotations

import asyncio
import io
import os
import re
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from docx import Document

from tests.conftest import ROOT, SCENARIOS
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo import FakeZalo

CHAT = "6ede9afa66b88fe6d6a9"
SECRET = "s3cret-webhook-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ZALO_", "TELEGRAM_", "CHIBO_PUBLIC_URL", "CHIBO_WEBHOOK_SECRET"))}
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


@asynccontextmanager
async def chibo(command: str, port: int, env: dict[str, str], db: Path) -> AsyncIterator[str]:
    """`chibo <command> --port P` running until the block ends; yields its base URL once /healthz answers."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", command, "--db", str(db), "--host", "127.0.0.1", "--port", str(port),
        cwd=str(ROOT), env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        async with httpx.AsyncClient() as client:
            while True:
                try:
                    if (await client.get(f"{base}/healthz", timeout=2)).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if proc.returncode is not None:
                    _, err = await proc.communicate()
                    raise AssertionError(f"chibo {command} exited: {err.decode()}")
                assert time.monotonic() < deadline, "chibo did not answer"
                await asyncio.sleep(0.1)
        yield base
    finally:
        if proc.returncode is None:
            proc.terminate()
        _, err = await asyncio.wait_for(proc.communicate(), 20)
        assert "Traceback" not in err.decode(), err.decode()


async def wait_for(predicate, timeout: float = 30, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


def seed_lines(name: str) -> list[str]:
    lines = (SCENARIOS / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return [line.replace("\\n", "\n").strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def doc_lines(name: str) -> list[str]:
    lines = (SCENARIOS / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return [line.removeprefix("#doc").strip() for line in lines if line.startswith("#doc")]


@pytest.mark.slow
async def test_the_contract_seed_002_on_zalo_ends_with_a_link_to_its_docx(tmp_path):
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    async with FakeZalo() as fake:
        env = clean_env(ZALO_BOT_TOKEN=fake.token, ZALO_API_BASE=fake.base_url, CHIBO_PUBLIC_URL=public,
                        CHIBO_DB=str(tmp_path / "z.sqlite3"), CHIBO_WEBHOOK_SECRET=SECRET)
        async with chibo("serve", port, env, tmp_path / "z.sqlite3") as base, httpx.AsyncClient() as client:
            for line in seed_lines("seed_002"):  # in order: the channel answers a chat's messages one by one
                fake.push_text(CHAT, line)
            await wait_for(lambda: any("Tải về:" in m for m in fake.messages_to(CHAT)), 90, "the document")
            await asyncio.sleep(1)
            last = fake.messages_to(CHAT)[-1]
            assert "Đã lưu kế hoạch 46-KH/ĐU" in last
            found = re.search(rf"Tải về: ({re.escape(public)}/d/[A-Za-z0-9._-]+)", last)
            assert found, last
            page = await client.get(found[1])
            assert page.status_code == 200 and "46-KH/ĐU" in page.text
            href = re.search(r'href="([^"]+/docx)"', page.text)
            assert href, page.text
            docx = await client.get(base + href[1])
            assert docx.status_code == 200 and "attachment" in docx.headers["content-disposition"]
            text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
            tables = "\n".join(c.text for t in Document(io.BytesIO(docx.content)).tables
                               for row in t.rows for c in row.cells)
            assert "46-KH/ĐU" in tables + text
            for expected in doc_lines("seed_002"):
                assert expected in text + "\n" + tables, expected

            # POST /zalo: the secret, bare and wrapped bodies, the size limit, bad JSON
            other = "a1b2c3d4e5f6a7b8c9d0"
            fake.known_chats.add(other)
            update = fake.message(other, "/batdau")
            assert (await client.post(f"{base}/zalo", json=update)).status_code == 403
            wrong = {"X-Bot-Api-Secret-Token": "not-" + SECRET}
            assert (await client.post(f"{base}/zalo", json=update, headers=wrong)).status_code == 403
            good = {"X-Bot-Api-Secret-Token": SECRET}
            assert (await client.post(f"{base}/zalo", json=update, headers=good)).status_code == 200
            await wait_for(lambda: len(fake.messages_to(other)) >= 1, 20, "a reply to the bare update")
            assert "Tạo đơn vị mới" in fake.messages_to(other)[0]
            before = len(fake.messages_to(other))
            wrapped = {"ok": True, "result": fake.message(other, "/trogiup")}
            assert (await client.post(f"{base}/zalo", json=wrapped, headers=good)).status_code == 200
            await wait_for(lambda: len(fake.messages_to(other)) > before, 20, "a reply to the wrapped update")
            big = b'{"x": "' + b"a" * (1024 * 1024) + b'"}'
            assert (await client.post(f"{base}/zalo", content=big, headers=good)).status_code == 413
            assert (await client.post(f"{base}/zalo", content=b"{not json", headers=good)).status_code == 400
        assert not fake.webhook  # http: long polling, no webhook set


@pytest.mark.slow
async def test_serve_with_https_sets_both_webhooks_and_checks_their_secrets(tmp_path):
    port = free_port()
    async with FakeZalo() as zalo, FakeTelegram() as tg:
        env = clean_env(ZALO_BOT_TOKEN=zalo.token, ZALO_API_BASE=zalo.base_url, TELEGRAM_BOT_TOKEN=tg.token,
                        TELEGRAM_API_BASE=tg.base_url, CHIBO_PUBLIC_URL="https://chibo.example",
                        CHIBO_WEBHOOK_SECRET=SECRET)
        async with chibo("serve", port, env, tmp_path / "w.sqlite3") as base, httpx.AsyncClient() as client:
            await wait_for(lambda: bool(zalo.webhook) and tg.webhook is not None, 20, "the webhooks")
            assert zalo.webhook == {"url": "https://chibo.example/zalo", "secret_token": SECRET}
            assert tg.webhook is not None and tg.webhook["url"] == "https://chibo.example/telegram"
            assert tg.webhook["secret_token"] == SECRET

            tg.push_text(1001, "/batdau")
            update = tg._updates.pop()  # not polled in webhook mode: posted below as Telegram would
            assert (await client.post(f"{base}/telegram", json=update)).status_code == 403
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            assert (await client.post(f"{base}/telegram", content=b"[1]", headers=headers)).status_code == 400
            assert (await client.post(f"{base}/telegram", json=update, headers=headers)).status_code == 200
            await wait_for(lambda: len(tg.messages_to(1001)) >= 1, 20, "the Telegram reply")
            assert "Trợ lý Chi bộ" in tg.messages_to(1001)[0].text

            zalo.known_chats.add(CHAT)
            good = {"X-Bot-Api-Secret-Token": SECRET}
            assert (await client.post(f"{base}/zalo", json=zalo.message(CHAT, "/batdau"))).status_code == 403
            assert (await client.post(f"{base}/zalo", json=zalo.message(CHAT, "/batdau"),
                                      headers=good)).status_code == 200
            await wait_for(lambda: len(zalo.messages_to(CHAT)) >= 1, 20, "the Zalo reply")


@pytest.mark.slow
async def test_telegram_through_serve_by_long_polling(tmp_path):
    port = free_port()
    async with FakeTelegram() as tg:
        env = clean_env(TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_BASE=tg.base_url)
        async with chibo("serve", port, env, tmp_path / "t.sqlite3") as base, httpx.AsyncClient() as client:
            tg.push_text(1002, "/batdau")
            await wait_for(lambda: len(tg.messages_to(1002)) >= 1, 30, "the Telegram reply")
            assert "Trợ lý Chi bộ" in tg.messages_to(1002)[0].text
            # no CHIBO_WEBHOOK_SECRET: POST /telegram accepts nothing
            update = {"update_id": 99, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"},
                                                   "text": "x"}}
            assert (await client.post(f"{base}/telegram", json=update)).status_code == 403
        assert tg.webhook is None or not tg.webhook.get("url")


async def test_serve_and_zalo_refuse_clearly(tmp_path):
    env = clean_env()
    db = str(tmp_path / "e.sqlite3")

    async def run(*args: str, extra: dict[str, str] | None = None) -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *args, "--db", db, cwd=str(ROOT), env={**env, **(extra or {})},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
        return proc.returncode or 0, err.decode()

    code, err = await run("zalo", "--port", str(free_port()))
    assert code == 2 and err.startswith("Thiếu ZALO_BOT_TOKEN") and len(err.strip().splitlines()) == 1, err
    async with FakeZalo() as fake:
        code, err = await run("zalo", "--port", str(free_port()),
                              extra={"ZALO_BOT_TOKEN": "42:wrong", "ZALO_API_BASE": fake.base_url})
        assert code == 2 and err.startswith("ZALO_BOT_TOKEN không đúng") and len(err.strip().splitlines()) == 1
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            code, err = await run("zalo", "--port", str(port),
                                  extra={"ZALO_BOT_TOKEN": fake.token, "ZALO_API_BASE": fake.base_url})
        assert code == 2 and f"cổng {port}" in err and "Traceback" not in err, err


async def test_zalo_deliver_answers_a_message_from_elsewhere_and_links_a_document_once(tmp_path):
    from bot.messages import Incoming, OutDocument, Outgoing
    from tests.zalo_harness import running_zalo

    async with FakeZalo() as fake, running_zalo(fake, tmp_path / "d.sqlite3") as run:
        fake.known_chats.add(CHAT)
        await run.channel.deliver(Incoming(channel="zalo", chat_id=CHAT, user_id=CHAT, text="/batdau"))
        assert "Tạo đơn vị mới" in fake.messages_to(CHAT)[-1]  # sent before deliver returned

        asked: list[str] = []

        async def link(doc: OutDocument) -> str | None:
            asked.append(doc.filename)
            return f"https://chibo.example/d/{doc.doc_id}"

        run.channel.document_link = link
        replies = [Outgoing(document=OutDocument("KH.docx", b"x", unit_id=1, doc_id=7)),
                   Outgoing(document=OutDocument("KH.pdf", b"x", unit_id=1, doc_id=7)), Outgoing(text="Đã lưu.")]
        [message] = await run.channel.render_replies(CHAT, replies)
        assert message == "Văn bản đã được tạo: KH.docx. Tải về: https://chibo.example/d/7\n\nĐã lưu."
        assert asked == ["KH.docx"]


async def test_serve_refuses_several_workers_on_sqlite_and_with_long_polling(tmp_path):
    async def run(*args: str, **extra: str) -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "serve", "--port", str(free_port()), *args, cwd=str(ROOT),
            env=clean_env(**extra), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
        text = err.decode()
        assert len(text.strip().splitlines()) == 1 and "Traceback" not in text, text
        return proc.returncode or 0, text.strip()

    sqlite = str(tmp_path / "s.sqlite3")
    assert await run("--workers", "2", "--db", sqlite) == (
        2, "chibo serve --workers 2: nhiều tiến trình cần một cơ sở dữ liệu PostgreSQL dùng chung (--db hoặc "
           "CHIBO_DB dạng postgresql://…); với tệp SQLite xin chạy --workers 1.")
    assert not Path(sqlite).exists()  # refused before anything was opened
    assert await run("--workers", "3", "--db", "postgresql://chibo@127.0.0.1:1/chibo", TELEGRAM_BOT_TOKEN="1:x",
                     CHIBO_PUBLIC_URL="http://127.0.0.1:8080") == (
        2, "chibo serve --workers 3: nhiều tiến trình cần webhook (CHIBO_PUBLIC_URL dạng https://…) vì chỉ một "
           "tiến trình được nhận tin nhắn bằng long polling; xin đặt CHIBO_PUBLIC_URL hoặc chạy --workers 1.")
    assert await run("--workers", "0", "--db", sqlite) == (
        2, "chibo serve: --workers 0 không hợp lệ; xin chọn một số từ 1 trở lên.")


@pytest.fixture
async def pg_db(request) -> str:
    """A fresh PostgreSQL database (tests/pg_server.py's `pg_url`) the store can open; skipped, with the reason,
    when this tree has no PostgreSQL fixture, no server, or no PostgreSQL engine in the store."""
    try:
        url = request.getfixturevalue("pg_url")
    except pytest.FixtureLookupError:
        pytest.skip("no `pg_url` fixture (tests/pg_server.py) in this tree")
    from bot.store import Store

    try:
        store = await Store.open(url)
    except Exception as exc:  # the engine is not there (yet)
        pytest.skip(f"the store cannot open PostgreSQL: {exc!r}")
    await store.close()
    return url


@pytest.mark.slow
async def test_serve_with_two_workers_on_postgresql_one_port_restart_and_stop(pg_db):
    from tests.test_workers import alive, kill_one_and_see_it_replaced, pids_seen

    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", "--workers", "2", "--db", pg_db, "--host", "127.0.0.1", "--port",
        str(port), cwd=str(ROOT), env=clean_env(), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/healthz"
    try:
        async with httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=0)) as client:
            first = await pids_seen(client, base, 2, timeout=60)  # both workers answer /healthz on the one port
            assert proc.pid not in first
            assert (await client.get(base)).text == "ok"
            now = await kill_one_and_see_it_replaced(client, base, first)
        proc.terminate()  # SIGTERM to the parent stops all
        _, err = await asyncio.wait_for(proc.communicate(), 40)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    text = err.decode()
    assert proc.returncode == 0, text
    assert "với 2 tiến trình" in text and "tiến trình phục vụ số" in text and "Traceback" not in text, text
    assert pg_db.split("@")[0] not in text  # the URL's credentials are not logged
    await asyncio.sleep(0.2)
    assert not any(alive(pid) for pid in now)
