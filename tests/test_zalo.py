"""The Zalo channel: the typed client against the fake Zalo Bot API (real HTTP), and the real channel end
to end on a real SQLite file — scenarios typed as Zalo messages, merging, faults, duplicates, reminders,
and `chibo zalo` as a real subprocess."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import sys
from datetime import datetime

import pytest

from bot.channels.zalo import MESSAGE_BUDGET, UNSUPPORTED, pack, render
from bot.channels.zalo_api import ZaloBot, ZaloError, parse_update
from bot.messages import Choice, OutDocument, Outgoing
from bot.redact import Redactor
from tests.conftest import ROOT, SCENARIOS, select
from tests.fakes.zalo import BOT_ID, FakeZalo
from tests.test_reminders import NO_DIGEST, add_item, make_unit
from tests.zalo_harness import ZaloRun, running_zalo

CHAT = "6ede9afa66b88fe6d6a9"


@pytest.fixture
async def fake():
    async with FakeZalo() as zalo:
        yield zalo


# -- the client -----------------------------------------------------------------------------------

async def test_client_errors_idle_and_both_update_shapes(fake):
    async with ZaloBot(fake.token, fake.base_url) as bot:
        me = await bot.get_me()
        assert me["id"] == BOT_ID
        assert await bot.get_updates(timeout=0.2) is None  # HTTP 408: nothing yet
        fake.push_text(CHAT, "chào", wrapped=True)
        fake.push_text(CHAT, "bare")
        first, second = await bot.get_updates(1), await bot.get_updates(1)
        assert first is not None and second is not None
        assert (first.text, first.chat_id, first.user_id, first.user_name) == ("chào", CHAT, CHAT, "Nguyễn Văn An")
        assert second.text == "bare" and second.date is not None and second.date.tzinfo is not None
        assert abs((datetime.now(second.date.tzinfo) - second.date).total_seconds()) < 60  # milliseconds read
        await bot.send_message(CHAT, "ok")
        fake.fail("sendMessage", code=429, description="Too Many Requests")  # HTTP 200 with ok:false
        with pytest.raises(ZaloError) as refused:
            await bot.send_message(CHAT, "again")
        assert (refused.value.error_code, refused.value.transient) == (429, True)
        fake.fail("sendMessage", status=500)
        with pytest.raises(ZaloError) as broken:
            await bot.send_message(CHAT, "again")
        assert (broken.value.error_code, broken.value.transient) == (500, True)
        with pytest.raises(ZaloError) as too_long:
            await bot.send_message(CHAT, "x" * 2001)
        assert (too_long.value.error_code, too_long.value.transient) == (400, False)
        with pytest.raises(ZaloError) as stranger:
            await bot.send_message("never-wrote", "hello")
        assert stranger.value.error_code == 403
        await bot.send_chat_action(CHAT, "typing")
        await bot.send_photo(CHAT, "https://example.org/a.png", "ảnh")
        await bot.set_webhook("https://example.org/zalo", "s" * 16)
        assert (await bot.get_webhook_info())["url"] == "https://example.org/zalo"
        await bot.delete_webhook()
        assert fake.messages_to(CHAT) == ["ok"]
    async with ZaloBot("999:wrong-token-value", fake.base_url) as wrong:
        with pytest.raises(ZaloError) as denied:
            await wrong.get_me()
        assert denied.value.error_code == 401 and "wrong-token-value" not in str(denied.value)


def test_parse_update_accepts_wrapped_and_bare_and_refuses_garbage():
    message = {"from": {"id": "u", "display_name": "An", "is_bot": False}, "chat": {"id": "c", "chat_type": "PRIVATE"},
               "text": "xin chào", "message_id": "m1", "date": 1_750_316_131_602}
    bare = {"event_name": "message.text.received", "message": message}
    for body in (bare, {"ok": True, "result": bare}):
        update = parse_update(body)
        assert update is not None
        assert (update.chat_id, update.user_id, update.text, update.message_id, update.is_bot) == \
            ("c", "u", "xin chào", "m1", False)
        assert update.date is not None and update.date.year == 2025 and update.date.utcoffset() is not None
    file = parse_update({"event_name": "message.unsupported.received", "message": {**message, "text": None}})
    assert file is not None and file.unsupported and file.text == ""
    for garbage in (None, [], {}, {"ok": True, "result": []}, {"event_name": "message.text.received"},
                    {"event_name": "user.joined", "message": message}, {"event_name": "message.x", "message": {}}):
        assert parse_update(garbage) is None


async def test_the_token_never_reaches_the_logs(fake):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(Redactor())  # no configured secret: the URL shape alone is masked
    root, httpx_log = logging.getLogger(), logging.getLogger("httpx")
    root.addHandler(handler)
    level = httpx_log.level
    httpx_log.setLevel(logging.INFO)
    try:
        async with ZaloBot(fake.token, fake.base_url) as bot:
            await bot.get_me()
            fake.fail("getUpdates", code=429)
            with pytest.raises(ZaloError) as exc:
                await bot.get_updates(0.1)
            logging.getLogger("bot.channels.zalo").warning("getUpdates failed: %s", exc.value)
    finally:
        root.removeHandler(handler)
        httpx_log.setLevel(level)
    text = stream.getvalue()
    assert f"{fake.base_url}/bot***/getMe" in text
    assert fake.token not in text and fake.token.split(":")[1] not in text


# -- rendering -------------------------------------------------------------------------------------

def test_rendering_numbers_choices_announces_documents_and_merges():
    out = Outgoing(title="Bắt đầu", text="Chọn một việc:", choices=[Choice("Tạo đơn vị mới", "new"),
                                                                     Choice("Tham gia", "join")])
    assert render(out) == "Bắt đầu\nChọn một việc:\n1. Tạo đơn vị mới\n2. Tham gia"
    doc = Outgoing(document=OutDocument("KH-46.docx", b"x"))
    assert "Văn bản đã được tạo: KH-46.docx. Gõ /vanban" in render(doc)
    assert render(doc, lambda d: f"https://chibo.example/d/{d.filename}") == \
        "Văn bản đã được tạo: KH-46.docx. Tải về: https://chibo.example/d/KH-46.docx"
    assert pack(["a", "", "b"]) == ["a\n\nb"]
    long = "\n\n".join(f"Đoạn {n}: " + "chữ " * 120 for n in range(12))  # about 5,900 characters: 3 messages
    messages = pack(["Mở đầu", long, "Kết"])
    assert all(len(m) <= MESSAGE_BUDGET for m in messages)
    assert len(messages) == 3 and messages[0].startswith("Mở đầu\n\nĐoạn 0") and messages[-1].endswith("Kết")
    assert "".join(messages).replace("\n", "").replace(" ", "") == \
        ("Mở đầu" + long + "Kết").replace("\n", "").replace(" ", "")


# -- end to end ------------------------------------------------------------------------------------

def scenario(name: str) -> list[tuple[str, str]]:
    """("say", line) and ("expect", text) steps of tests/scenarios/<name>.txt."""
    steps = []
    for line in (SCENARIOS / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#="):
            steps.append(("expect", line[2:].strip()))
        elif line.strip() and not line.lstrip().startswith("#"):
            steps.append(("say", line.replace("\\n", "\n").strip()))
    return steps


async def replay(run: ZaloRun, chat: str, name: str) -> list[tuple[str, list[str]]]:
    answers: list[tuple[str, list[str]]] = []
    for kind, text in scenario(name):
        if kind == "say":
            answers.append((text, await run.say(chat, text)))
        else:
            line, messages = answers[-1]
            assert text in "\n".join(messages), f"after {line!r}: {messages!r}"
    return answers


def assert_economical(answers: list[tuple[str, list[str]]]) -> None:
    for line, messages in answers:
        assert messages, f"no answer to {line!r}"
        assert all(1 <= len(m) <= 2000 for m in messages)
        for a, b in zip(messages, messages[1:], strict=False):  # could not have been one message
            assert len(a) + 2 + len(b) > 2000, f"after {line!r}: two messages that fit in one"


async def test_onboarding_on_zalo_by_numbers_and_labels(db_url, fake, tmp_path):
    async with running_zalo(fake, db_url) as run:
        answers = await replay(run, CHAT, "onboarding")
        assert_economical(answers)
        assert fake.count("sendMessage") == len(answers) < sum(run.replies)  # merged: fewer messages than replies
        rows = await select(run.store, "SELECT channel, user_id, role FROM accounts")
        assert [tuple(r) for r in rows] == [("zalo", CHAT, "owner")]
        assert (await select(run.store, "SELECT name FROM units"))[0]["name"] == "Chi bộ Xóm Định Thành"


async def test_seed_002_typed_on_zalo_ends_with_the_document_line(db_url, fake, tmp_path):
    async with running_zalo(fake, db_url) as run:
        answers = await replay(run, CHAT, "seed_002")
        assert_economical(answers)
        line, last = answers[-1]
        assert line == "Xác nhận và tạo văn bản" and len(last) == 1  # the saved note and the document: one message
        assert "Đã lưu kế hoạch 46-KH/ĐU" in last[0]
        docs = await select(run.store, "SELECT filename FROM documents")
        assert len(docs) == 1
        assert f"Văn bản đã được tạo: {docs[0]['filename']}. Gõ /vanban để xem danh sách" in last[0]
        listing = "\n".join(await run.say(CHAT, "/vanban"))
        assert "Kế hoạch số 46-KH" in listing and "1. Gửi lại 1" in listing
        again = await run.say(CHAT, "1")  # the offered choice, typed by its number
        assert len(again) == 1 and f"Văn bản đã được tạo: {docs[0]['filename']}" in again[0]
        assert fake.count("sendDocument") == 0 and len(fake.messages_to(CHAT)) == sum(len(m) for _, m in answers) + 2
        assert fake.count("sendMessage") < sum(run.replies)  # merged: fewer messages than replies


async def test_a_file_gets_the_explanation_and_the_bots_messages_are_ignored(db_url, fake, tmp_path):
    async with running_zalo(fake, db_url) as run:
        file_id = fake.push_unsupported(CHAT)
        await run.wait_handled(file_id)
        assert fake.messages_to(CHAT) == [UNSUPPORTED]
        assert "dán vào đây" in UNSUPPORTED
        own = fake.push_text(CHAT, "/batdau", user_id=BOT_ID)  # the bot's own message, echoed
        other = fake.push_text(CHAT, "/batdau", user_id="another-bot", is_bot=True)
        replies = await run.say(CHAT, "/trogiup")
        assert own not in run.handled and other not in run.handled
        assert len(fake.messages_to(CHAT)) == 2 and "/batdau" in replies[0]


async def test_a_duplicate_message_id_is_answered_once(db_url, fake, tmp_path):
    async with running_zalo(fake, db_url) as run:
        first = fake.push_text(CHAT, "/batdau", message_id="dup-1")
        fake.push_text(CHAT, "/batdau", message_id="dup-1")
        await run.wait_handled(first)
        after = await run.say(CHAT, "1")
        assert run.handled.count("dup-1") == 1 and len(fake.messages_to(CHAT)) == 2
        assert "câu 1, còn khoảng 9 câu" in after[0]


async def test_faults_are_retried_without_losing_a_message(db_url, fake, tmp_path, caplog):
    fake.fail("getUpdates", status=500)
    fake.fail("getUpdates", code=429, description="Too Many Requests")
    fake.fail("getUpdates", code=400, description="Bad Request", times=2)
    fake.fail("sendMessage", status=502)
    fake.fail("sendMessage", code=429)
    caplog.set_level(logging.WARNING, "bot.channels.zalo")
    async with running_zalo(fake, db_url) as run:
        replies = await run.say(CHAT, "/batdau")
        assert len(replies) == 1 and "1. Tạo đơn vị mới" in replies[0]
        second = await run.say(CHAT, "1")
        assert "câu 1, còn khoảng 9 câu" in second[0]
    assert not fake.faults.get("getUpdates") and not fake.faults.get("sendMessage")
    logged = caplog.text
    assert "error 500" in logged and "error 429" in logged and "error 400" in logged
    assert fake.token not in logged


async def test_chats_are_served_concurrently_in_order(db_url, fake, tmp_path):
    async with running_zalo(fake, db_url) as run:
        ids = [fake.push_text(chat, text) for text in ("/batdau", "1", "Chi bộ") for chat in ("a1", "b2")]
        for message_id in ids:
            await run.wait_handled(message_id)
        for chat in ("a1", "b2"):
            sent = fake.messages_to(chat)
            assert len(sent) == 3 and "câu 1, còn khoảng 9 câu" in sent[1] and "câu 2, còn khoảng 8 câu" in sent[2]


async def test_a_reminder_is_delivered_on_zalo_by_the_sweep(db_url, fake, tmp_path, monkeypatch):
    monkeypatch.setenv("CHIBO_NOW", "2026-11-23T07:00")  # the sweep's clock, as for `chibo zalo`
    db = db_url
    async with running_zalo(fake, db) as run:  # the schema
        unit = await make_unit(run.store, owner=CHAT, reminders=NO_DIGEST, channel="zalo")
        await add_item(run.store, unit, "Nộp báo cáo sơ kết", "2026-11-30")
    fake.known_chats.add(CHAT)  # the secretary wrote to the bot before
    async with running_zalo(fake, db, first_sweep=0):
        sent = await fake.wait_sent(CHAT, 1)
    assert sent == ["Nhắc việc: còn 7 ngày (thứ hai, 30/11/2026) — Nộp báo cáo sơ kết (Kế hoạch số 46-KH/ĐU)"]
    async with running_zalo(fake, db) as run:
        rows = await select(run.store, "SELECT channel, chat_id, sent_at FROM reminder_log")
    assert [(r["channel"], r["chat_id"]) for r in rows] == [("zalo", CHAT)] and rows[0]["sent_at"]


# -- `chibo zalo` ------------------------------------------------------------------------------------

async def _chibo_zalo(env: dict[str, str], db: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "zalo", "--db", db, cwd=str(ROOT), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    return proc.returncode or 0, err.decode()


async def test_chibo_zalo_with_a_wrong_or_missing_token_says_so_in_one_line(db_url, fake, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZALO_", "TELEGRAM_"))}
    env["ZALO_API_BASE"] = fake.base_url
    code, err = await _chibo_zalo({**env, "ZALO_BOT_TOKEN": "42:not-the-token"}, db_url)
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert err.startswith("ZALO_BOT_TOKEN không đúng") and "not-the-token" not in err
    code, err = await _chibo_zalo(env, db_url)
    assert code == 2 and len(err.strip().splitlines()) == 1 and err.startswith("Thiếu ZALO_BOT_TOKEN"), err
