"""End to end over the fake Bot API: a plan from above sent as a .docx, its deadlines kept, then 'tuần này có gì?'."""

from __future__ import annotations

from bot.clock import Clock
from tests.conftest import NOW, ONBOARD
from tests.telegram_harness import TgUser, running_bot
from tests.test_deadlines import plan_docx


async def test_import_a_docx_and_ask_what_is_due(db_url, fake, tmp_path):
    async with running_bot(fake, db_url, Clock(frozen=NOW)):
        user = TgUser(fake, 8001)
        for answer in ONBOARD:
            await user.say(answer)
        data = plan_docx("Thực hiện Kế hoạch số 65-KH/ĐUK ngày 02/11/2026 của Đảng ủy Khối;",
                         "1. Các chi bộ trực thuộc",
                         "- Gửi danh sách đảng viên, hoàn thành trước ngày 27/11/2026.",
                         "- Tổ chức kiểm điểm, hoàn thành trước ngày 15/12/2026.")
        fake.push_document(8001, "Kế hoạch 70-KH-ĐUK.docx", data)
        reply = "\n".join(m.text for m in await user.turn())
        assert "tìm thấy 2 mốc" in reply and "Các chi bộ trực thuộc" in reply
        await user.tap("Xong")
        assert "Đã đưa 2 mốc" in await user.tap("Đưa vào theo dõi")
        week = await user.say("tuần này có gì phải làm?")
        assert "thứ sáu, 27/11/2026 — Gửi danh sách đảng viên" in week and "15/12/2026" not in week
        await user.say("/hanchot")
        await user.tap("1")
        assert "Đã đánh dấu hoàn thành" in await user.tap("Đã xong")
        fake.push_document(8001, "giay-moi.docx", b"this is not a zip")
        assert "không phải tệp Word .docx hợp lệ" in "\n".join(m.text for m in await user.turn())
