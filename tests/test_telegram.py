"""End to end: the real python-telegram-bot Application against a fake Bot API server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import sys

from bot.messages import OutDocument, Outgoing
from bot.store import Store
from handlers.commands import menu
from tests.conftest import ONBOARD, ROOT
from tests.telegram_harness import TgUser, running_bot

TAPS = {1, 2, 5, 8, 9, 10, 13}  # indexes of ONBOARD answered by tapping a button


async def test_onboarding_by_typing(db_url, fake, tmp_path, clock):
    async with running_bot(fake, db_url, clock):
        user = TgUser(fake, 1001)
        for answer in ONBOARD:
            reply = await user.say(answer)
        assert "Đã tạo hồ sơ Chi bộ Xóm Định Thành" in reply
        assert [c["command"] for c in fake.commands] == [name for name, _ in menu()]
        profile = await user.say("/donvi")
        assert "Trần Thị Bình (dự bị)" in profile
        assert all(m.parse_mode == "HTML" for m in fake.messages_to(1001))


async def test_onboarding_by_button_taps(db_url, fake, tmp_path, clock):
    async with running_bot(fake, db_url, clock):
        user = TgUser(fake, 1002)
        for index, answer in enumerate(ONBOARD):
            reply = await (user.tap(answer) if index in TAPS else user.say(answer))
        assert "Đã tạo hồ sơ Chi bộ Xóm Định Thành" in reply
        assert fake.calls["answerCallbackQuery"] == len(TAPS)
        edited = [s for s in fake.sent if s.method == "editMessageText"]
        assert len(edited) == len(TAPS)
        assert edited[0].text.endswith("✓ Tạo đơn vị mới")
        assert "<b>" in edited[0].raw_text  # the question keeps its bold title after the edit
    store = await Store.open(db_url)
    unit = await store.get_unit((await store.account("telegram", "1002")).unit_id)
    assert (unit.kind, unit.code, unit.signer_title, unit.spelling) == ("chi_bo", "CB", "BÍ THƯ", "ủy")
    await store.close()


async def test_restart_mid_flow_resumes(db_url, fake, tmp_path, clock):
    db = db_url
    user = TgUser(fake, 1003)
    async with running_bot(fake, db, clock):
        for answer in ONBOARD[:6]:
            reply = await user.say(answer)
        assert "Địa danh ghi ở dòng ngày tháng" in reply
    async with running_bot(fake, db, clock):
        assert "Họ và tên đồng chí ký văn bản" in await user.say("Tuyên Quang")
        for answer in ONBOARD[7:]:
            reply = await user.say(answer)
        assert "Đã tạo hồ sơ Chi bộ Xóm Định Thành" in reply


async def test_stale_button_after_restart_is_explained(db_url, fake, tmp_path, clock):
    db = db_url
    user = TgUser(fake, 1004)
    async with running_bot(fake, db, clock):
        await user.say("/batdau")
        await user.tap("Tạo đơn vị mới")
        old = user.last_with_buttons()
        await user.tap("Chi bộ")
    async with running_bot(fake, db, clock):
        fake.push_callback(1004, old.message_id, old.buttons[1]["callback_data"])
        reply = "\n".join(m.text for m in await user.turn())
        assert "câu hỏi trước" in reply and "cấp trên" in reply


async def test_two_units_cannot_see_each_other(db_url, fake, tmp_path, clock):
    async with running_bot(fake, db_url, clock):
        first, second = TgUser(fake, 2001), TgUser(fake, 2002)
        other = list(ONBOARD)
        other[4], other[11] = "Thôn Hạ", "Hoàng Văn Em"
        await asyncio.gather(*(u.say(a) for u, a in ((first, ONBOARD[0]), (second, other[0]))))
        for mine, theirs in zip(ONBOARD[1:], other[1:], strict=True):
            await asyncio.gather(first.say(mine), second.say(theirs))
        one, two = await first.say("/donvi"), await second.say("/donvi")
        assert "Xóm Định Thành" in one and "Hoàng Văn Em" not in one and "Thôn Hạ" not in one
        assert "Thôn Hạ" in two and "Nguyễn Văn An" not in two and "Xóm Định Thành" not in two


async def test_html_characters_and_emoji_are_escaped(db_url, fake, tmp_path, clock):
    async with running_bot(fake, db_url, clock):
        user = TgUser(fake, 3001)
        answers = list(ONBOARD)
        answers[7] = "Nguyễn <b>Thị</b> & Co 🌸"
        answers[11] = "Lê <Văn> Tám & 🌟\nA&amp B </i>"
        for answer in answers:
            await user.say(answer)
        profile = await user.say("/donvi")
        assert "Nguyễn <b>Thị</b> & Co 🌸" in profile
        assert "Lê <Văn> Tám & 🌟" in profile and "A&amp B </i>" in profile
        raw = next(m.raw_text for m in reversed(fake.messages_to(3001)))
        assert "&lt;b&gt;Thị&lt;/b&gt; &amp; Co" in raw


async def test_long_answer_refused_and_long_reply_split(db_url, fake, tmp_path, clock):
    async with running_bot(fake, db_url, clock):
        user = TgUser(fake, 3002)
        for answer in ONBOARD[:3]:
            await user.say(answer)
        reply = await user.say("Đảng bộ " + "x" * 5000)
        assert "vượt giới hạn 120 ký tự" in reply and "cấp trên" in reply
        for answer in ONBOARD[3:11]:
            await user.say(answer)
        roster = "\n".join(f"Đảng viên số {n:03d} Nguyễn Văn Hải Đăng" for n in range(1, 201))
        assert "Đã thêm 200" in await user.say(roster)
        await user.say("xong")
        await user.say("Xác nhận và lưu")
        await user.say("/donvi")
        parts = fake.messages_to(3002)[-3:]
        assert all(len(p.text) <= 4096 for p in parts)
        assert "Hồ sơ Chi bộ" in parts[0].text and "Đảng viên số 200" in parts[-1].text
        assert parts[0].text.count("Đảng viên số") + parts[1].text.count("Đảng viên số") + \
            parts[2].text.count("Đảng viên số") == 200
        assert parts[2].buttons and not parts[0].buttons and not parts[1].buttons  # buttons go with the last part


async def test_messages_of_one_chat_are_handled_in_order(db_url, fake, tmp_path, clock):
    async with running_bot(fake, db_url, clock):
        for answer in ONBOARD:  # all at once, no waiting between messages
            fake.push_text(4001, answer)
        await fake.wait_for(lambda s: s.chat_id == 4001 and "Đã tạo hồ sơ" in (s.text or ""), timeout=15)
    store = await Store.open(db_url)
    assert (await store.account("telegram", "4001")).role == "owner"
    await store.close()


async def test_flood_control_and_server_errors_are_retried(db_url, fake, tmp_path, clock):
    async with running_bot(fake, db_url, clock):
        user = TgUser(fake, 5001)
        fake.fail_next("sendMessage", status=429, retry_after=1)
        assert "Chào mừng" in await user.say("/batdau")
        fake.fail_next("sendMessage", status=500)
        assert "Đơn vị của đồng chí" in await user.say("Tạo đơn vị mới")
        assert fake.failures_served == 2


async def run_cli(*args: str, env: dict[str, str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        cwd=ROOT, env={**os.environ, **env})
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode, out.decode()


async def test_missing_or_wrong_token_is_a_clear_error(db_url, fake, tmp_path):
    env = {"TELEGRAM_BOT_TOKEN": "", "CHIBO_DB": db_url, "TELEGRAM_API_BASE": fake.base_url}
    code, out = await run_cli("telegram", env=env)
    assert code != 0 and "Thiếu TELEGRAM_BOT_TOKEN" in out and "Traceback" not in out
    code, out = await run_cli("telegram", env={**env, "TELEGRAM_BOT_TOKEN": "999:WRONG"})
    assert code == 2 and "TELEGRAM_BOT_TOKEN không đúng" in out and "Traceback" not in out


class SlowAssistant:
    """Stands in for the core to show what the channel does while work is slow and a document comes back."""

    async def handle(self, inc):
        await asyncio.sleep(0.8)
        return [Outgoing(text="Văn bản đã soạn xong.",
                         document=OutDocument("Kế hoạch số 05-KH/CB.docx", b"PK\x03\x04 fake docx", "Kế hoạch <số 05>"))]


async def test_typing_action_and_document_upload(db_url, fake, tmp_path, clock):
    async with running_bot(fake, db_url, clock) as app:
        app.bot_data["assistant"] = SlowAssistant()
        user = TgUser(fake, 7001)
        assert "Văn bản đã soạn xong." in await user.say("/kehoach")
        assert fake.calls["sendChatAction"] >= 1
        doc = next(s for s in fake.messages_to(7001) if s.method == "sendDocument")
        assert doc.document_name == "Kế hoạch số 05-KH/CB.docx"
        assert doc.document_bytes == b"PK\x03\x04 fake docx"
        assert doc.caption == "Kế hoạch <số 05>"
