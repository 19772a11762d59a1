import asyncio
import datetime as dtm
import html
import time

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from tests.fakes.telegram import FakeTelegram, Sent, parse_html

# RetryAfter.retry_after warns about its future timedelta type on every access, even inside PTB.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

CHAT = 1001


@pytest.fixture
async def tg():
    async with FakeTelegram() as fake:
        yield fake


def make_bot(tg: FakeTelegram, token: str | None = None) -> Bot:
    return Bot(
        token or tg.token,
        base_url=f"{tg.base_url}/bot",
        base_file_url=f"{tg.base_url}/file/bot",
    )


@pytest.fixture
async def bot(tg):
    async with make_bot(tg) as b:
        yield b


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d.title(), callback_data=d) for d in data]])


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else value


async def test_get_me(tg, bot):
    me = await bot.get_me()
    assert me.username == "chibo_test_bot"
    assert me.id == 123456
    assert me.is_bot
    assert tg.calls["getMe"] >= 1


async def test_send_message_with_keyboard_then_edit(tg, bot):
    msg = await bot.send_message(
        CHAT, "<b>Chào</b> đồng chí", parse_mode=ParseMode.HTML, reply_markup=keyboard("yes", "no")
    )
    assert msg.chat.id == CHAT
    assert msg.text == "Chào đồng chí"
    assert msg.from_user.id == 123456
    assert msg.reply_markup.inline_keyboard[0][1].callback_data == "no"
    assert msg.entities[0].type == "bold" and msg.entities[0].length == 4

    rec = tg.sent[-1]
    assert (rec.method, rec.chat_id, rec.message_id) == ("sendMessage", CHAT, msg.message_id)
    assert rec.raw_text == "<b>Chào</b> đồng chí"
    assert rec.text == "Chào đồng chí"
    assert rec.parse_mode == "HTML"
    assert [b["callback_data"] for b in rec.buttons] == ["yes", "no"]

    edited = await bot.edit_message_text("Đã xác nhận", chat_id=CHAT, message_id=msg.message_id)
    assert edited.text == "Đã xác nhận"
    assert edited.reply_markup is None
    assert edited.edit_date is not None
    assert tg.message(CHAT, msg.message_id)["text"] == "Đã xác nhận"
    assert tg.sent[-1].method == "editMessageText"
    assert [s.method for s in tg.messages_to(CHAT)] == ["sendMessage"]

    with pytest.raises(BadRequest, match="(?i)not modified"):
        await bot.edit_message_text("Đã xác nhận", chat_id=CHAT, message_id=msg.message_id)
    with pytest.raises(BadRequest, match="(?i)not found"):
        await bot.edit_message_text("x", chat_id=CHAT, message_id=999)

    with_kb = await bot.edit_message_reply_markup(CHAT, msg.message_id, reply_markup=keyboard("again"))
    assert with_kb.reply_markup.inline_keyboard[0][0].callback_data == "again"


async def test_send_document_records_name_and_bytes(tg, bot):
    payload = "Nghị quyết".encode() * 100
    msg = await bot.send_document(
        CHAT,
        InputFile(payload, filename="bien_ban.docx"),
        caption="<i>Biên bản</i>",
        parse_mode=ParseMode.HTML,
    )
    assert msg.document.file_name == "bien_ban.docx"
    assert msg.document.file_size == len(payload)
    assert msg.caption == "Biên bản"
    rec = tg.messages_to(CHAT)[-1]
    assert rec.method == "sendDocument"
    assert rec.document_name == "bien_ban.docx"
    assert rec.document_bytes == payload
    assert rec.caption == "Biên bản" and rec.raw_caption == "<i>Biên bản</i>"

    # The uploaded file can be re-sent by file_id and downloaded back.
    again = await bot.send_document(CHAT, msg.document.file_id)
    assert again.document.file_unique_id == msg.document.file_unique_id
    data = await (await bot.get_file(msg.document.file_id)).download_as_bytearray()
    assert bytes(data) == payload


async def test_pushed_document_downloads(tg, bot):
    tg.push_document(CHAT, "danh_sach.xlsx", b"\x00binary\xff", caption="ds")
    [update] = await bot.get_updates()
    doc = update.message.document
    assert (doc.file_name, update.message.caption) == ("danh_sach.xlsx", "ds")
    file = await bot.get_file(doc.file_id)
    assert bytes(await file.download_as_bytearray()) == b"\x00binary\xff"


async def test_get_updates_text_and_callback_with_offset_confirmation(tg, bot):
    msg = await bot.send_message(CHAT, "Chọn:", reply_markup=keyboard("a", "b"))
    first = tg.push_text(CHAT, "/start", first_name="Lan")
    second = tg.push_callback(CHAT, msg.message_id, "b")

    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [first, second]
    text_update, cb_update = updates
    assert text_update.message.text == "/start"
    assert text_update.message.from_user.first_name == "Lan"
    assert text_update.message.entities[0].type == "bot_command"
    assert cb_update.callback_query.data == "b"
    assert cb_update.callback_query.message.message_id == msg.message_id
    assert cb_update.callback_query.from_user.first_name == "Lan"

    assert await cb_update.callback_query.answer("OK")
    assert tg.callback_answers[-1]["text"] == "OK"
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await cb_update.callback_query.answer("twice")

    assert len(await bot.get_updates(limit=1)) == 1
    assert await bot.get_updates(offset=second + 1) == ()
    assert tg.pending_updates == 0

    with pytest.raises(ValueError):
        tg.push_callback(CHAT, 4242, "x")


async def test_long_poll_returns_promptly_on_push(tg, bot):
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await tg.wait_call("getUpdates", count=1)
    await asyncio.sleep(0.1)
    assert not poll.done()
    tg.push_text(CHAT, "xin chào")
    updates = await asyncio.wait_for(poll, 2)
    assert [u.message.text for u in updates] == ["xin chào"]
    assert time.monotonic() - started < 1.5


async def test_long_poll_times_out_empty(bot):
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 2


async def test_wrong_token_is_invalid(tg):
    with pytest.raises(InvalidToken):
        async with make_bot(tg, token="999:WRONG"):
            pass


async def test_fail_next_429_raises_retry_after(tg, bot):
    tg.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as exc_info:
        await bot.send_message(CHAT, "hi")
    assert seconds(exc_info.value.retry_after) == 7
    assert tg.failures_served == 1
    assert tg.messages_to(CHAT) == []
    await bot.send_message(CHAT, "hi")
    assert len(tg.messages_to(CHAT)) == 1


async def test_fail_next_500_raises_network_error(tg, bot):
    tg.fail_next("sendmessage", status=500, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError) as exc_info:
            await bot.send_message(CHAT, "hi")
        assert isinstance(exc_info.value, TelegramError)
        assert "Internal Server Error" in str(exc_info.value)
    assert tg.failures_served == 2
    await bot.send_message(CHAT, "hi")


async def test_html_must_be_escaped(tg, bot):
    user_text = "a < b & c > d"
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(CHAT, f"<b>Ý kiến:</b> {user_text}", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(CHAT, "AT&T", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)unsupported start tag"):
        await bot.send_message(CHAT, "<script>x</script>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)end tag"):
        await bot.send_message(CHAT, "<b>x<i>y</b></i>", parse_mode=ParseMode.HTML)

    await bot.send_message(CHAT, f"<b>Ý kiến:</b> {html.escape(user_text)}", parse_mode=ParseMode.HTML)
    rec = tg.messages_to(CHAT)[-1]
    assert rec.text == f"Ý kiến: {user_text}"
    # Without parse_mode the same text is fine as is.
    await bot.send_message(CHAT, user_text)
    assert tg.messages_to(CHAT)[-1].text == user_text


async def test_text_length_limits(tg, bot):
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(CHAT, "x" * 4097)
    with pytest.raises(BadRequest, match="(?i)text is empty"):
        await bot.send_message(CHAT, "   ")
    # The limit applies to the text after entity parsing.
    await bot.send_message(CHAT, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    assert len(tg.messages_to(CHAT)) == 1


async def test_callback_data_over_64_bytes_rejected(bot):
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(CHAT, "x", reply_markup=keyboard("đ" * 33))


async def test_commands_webhook_and_chat_action(tg, bot):
    from telegram import BotCommand

    assert await bot.set_my_commands([BotCommand("start", "Bắt đầu"), BotCommand("help", "Trợ giúp")])
    assert [c["command"] for c in tg.commands] == ["start", "help"]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("Họp", "x")])
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()

    assert await bot.set_webhook("https://example.invalid/hook", secret_token="s3cret")
    assert tg.webhook["secret_token"] == "s3cret"
    assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
    with pytest.raises(TelegramError, match="webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).url == ""

    assert await bot.send_chat_action(CHAT, "typing")
    assert await bot.close()
    assert await bot.log_out()


async def test_wait_helpers_and_on_send(tg, bot):
    seen: list[Sent] = []
    tg.on_send = seen.append

    async def reply_later():
        await asyncio.sleep(0.05)
        await bot.send_message(CHAT, "một")
        await bot.send_message(CHAT, "hai")

    task = asyncio.create_task(reply_later())
    records = await tg.wait_sent(CHAT, 2, timeout=2)
    assert [r.text for r in records] == ["một", "hai"]
    assert (await tg.wait_for(lambda s: s.text == "hai")).chat_id == CHAT
    assert [s.text for s in seen] == ["một", "hai"]
    await task

    with pytest.raises(TimeoutError):
        await tg.wait_sent(CHAT, 3, timeout=0.1)
    with pytest.raises(TimeoutError):
        await tg.wait_for(lambda s: s.text == "ba", timeout=0.1)


async def test_rate_limit(tg, bot):
    tg.set_rate_limit(5)
    results = await asyncio.gather(
        *(bot.send_message(CHAT, f"m{i}") for i in range(8)), return_exceptions=True
    )
    assert sum(isinstance(r, RetryAfter) for r in results) == 3
    assert tg.rate_limited == 3
    assert len(tg.messages_to(CHAT)) == 5
    tg.set_rate_limit(None)
    await bot.send_message(CHAT, "free")


async def test_raw_http_encodings_and_unknown_method(tg):
    api = f"{tg.base_url}/bot{tg.token}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{api}/GETME") as resp:
            assert (await resp.json())["result"]["username"] == "chibo_test_bot"
        async with http.post(
            f"{api}/sendMessage",
            json={
                "chat_id": CHAT,
                "text": "json",
                "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
            },
        ) as resp:
            body = await resp.json()
            assert body["ok"] and body["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
        async with http.get(f"{api}/sendMessage", params={"chat_id": str(CHAT), "text": "query"}) as resp:
            assert resp.status == 200
        async with http.post(f"{api}/noSuchMethod") as resp:
            assert resp.status == 404
            assert await resp.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        async with http.post(f"{tg.base_url}/bot1:BAD/getMe") as resp:
            assert resp.status == 401
            assert (await resp.json())["description"] == "Unauthorized"
    assert [s.text for s in tg.messages_to(CHAT)] == ["json", "query"]
    assert tg.calls["noSuchMethod"] == 1


async def test_second_poll_terminates_first(tg, bot):
    # A Bot polls over a single pooled connection, so the competing poller is a second Bot.
    first = asyncio.create_task(bot.get_updates(timeout=3))
    await tg.wait_call("getUpdates", 1)
    async with make_bot(tg) as other:
        second = asyncio.create_task(other.get_updates(timeout=3))
        with pytest.raises(TelegramError, match="terminated by other getUpdates"):
            await asyncio.wait_for(first, 2)
        tg.push_text(CHAT, "hi")
        assert len(await asyncio.wait_for(second, 2)) == 1


async def test_application_polling_round_trip(tg):
    async def start(update, context):
        await update.message.reply_text(
            f"Chào <b>{html.escape(update.effective_user.first_name)}</b>",
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard("ok"),
        )

    async def pressed(update, context):
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(f"Đã chọn {update.callback_query.data}")

    app = (
        Application.builder()
        .token(tg.token)
        .base_url(f"{tg.base_url}/bot")
        .base_file_url(f"{tg.base_url}/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=5)
        try:
            tg.push_text(CHAT, "/start", first_name="<Lan & Huệ>")
            [greeting] = await tg.wait_sent(CHAT, 1)
            assert greeting.text == "Chào <Lan & Huệ>"
            tg.push_callback(CHAT, greeting.message_id, "ok")
            edit = await tg.wait_for(lambda s: s.method == "editMessageText")
            assert edit.text == "Đã chọn ok"
            assert tg.callback_answers
        finally:
            await app.updater.stop()
            await app.stop()


def test_parse_html_entities_use_utf16_offsets():
    text, entities = parse_html('😀 <b>đậm</b> <a href="https://x.vn/?a=1&amp;b=2">link</a> &lt;3 &#34;')
    assert text == '😀 đậm link <3 "'
    assert entities == [
        {"type": "bold", "offset": 3, "length": 3},
        {"type": "text_link", "offset": 7, "length": 4, "url": "https://x.vn/?a=1&b=2"},
    ]
    assert parse_html("a & b", strict=False)[0] == "a & b"
    with pytest.raises(ValueError):
        parse_html("a & b")
    with pytest.raises(ValueError, match="must have class"):
        parse_html("<span>x</span>")
    assert parse_html('<pre><code class="language-python">x</code></pre>')[1] == [
        {"type": "pre", "offset": 0, "length": 1, "language": "python"}
    ]
