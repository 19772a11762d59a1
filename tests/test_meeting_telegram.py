"""End to end over the fake Telegram Bot API: a meeting logged by tapping the roster, across a restart."""

from __future__ import annotations

import io

import docx

from bot.store import Store
from tests.conftest import ONBOARD, select
from tests.telegram_harness import TgUser, running_bot

ROSTER = "Nguyễn Thị Thược\nNguyễn Văn An\nTrần Thị Bình, dự bị\nLê Văn Cường, miễn\nPhạm Văn Dũng\nHoàng Thị Lan"
ONBOARD_CELL = ONBOARD[:11] + [ROSTER] + ONBOARD[12:]


async def test_attendance_by_taps_across_a_restart_and_counts_refused(db_url, fake, tmp_path, clock):
    db = db_url
    user = TgUser(fake, 8001)
    async with running_bot(fake, db, clock):
        for answer in ONBOARD_CELL:
            await user.say(answer)
        assert "thường kỳ hay chuyên đề" in await user.say("/sinhhoat")
        await user.tap("Thường kỳ")
        await user.say("20/11/2026")
        await user.tap("11/2026")
        await user.say("14h00")
        await user.say("Nhà văn hóa xóm Định Thành")
        await user.tap("Nguyễn Thị Thược")
        roll = await user.tap("Hoàng Thị Lan")
        assert "chi bộ có 6 đảng viên (chính thức 5, dự bị 1); miễn sinh hoạt 1: Lê Văn Cường" in roll
        question = await user.tap("Có đồng chí vắng")
        assert "Đồng chí nào vắng mặt?" in question
        assert [b["text"] for b in user.last_with_buttons().buttons] == ["Nguyễn Văn An", "Trần Thị Bình",
                                                                         "Phạm Văn Dũng"]
        await user.tap("Trần Thị Bình")
        assert "Lý do vắng?" in await user.tap("Vắng có lý do")
        assert "Đã thêm mục 1: Trần Thị Bình — Vắng có lý do — Ốm" in await user.tap("Ốm")

    # The bot restarts; the keyboard sent before the restart still answers the pending question.
    async with running_bot(fake, db, clock):
        assert "Vắng mặt 2" in await user.tap("Thêm")
        # A member already picked is no longer offered; typed again, she is refused with the counts.
        assert [b["text"] for b in user.last_with_buttons().buttons] == ["Nguyễn Văn An", "Phạm Văn Dũng"]
        refused = await user.say("Trần Thị Bình")
        assert "đã được ghi vắng" in refused and "số liệu không khớp" in refused
        assert "có mặt 4 + vắng 2 = 6, vượt số đảng viên phải dự sinh hoạt (5)" in refused
        await user.tap("Phạm Văn Dũng")
        await user.tap("Vắng không lý do")
        summary = await user.tap("Xong")
        assert "- Có mặt: 3/5 (chính thức 3, dự bị 0), tỷ lệ 60%" in summary
        assert "dưới 90%" in await user.tap("Đúng, tiếp tục")
        await user.tap("Bỏ qua")  # no guests
        await user.tap("Xong")  # the suggested agenda
        await user.tap("Bỏ qua")  # no news
        await user.say("Hoàn thành các nhiệm vụ tháng 11.")
        await user.say("Tổng vệ sinh cuối năm.")
        assert "Đã thêm 2" in await user.say("Đ/c An: Nhất trí.\nĐ/c Lan: Đề nghị làm sớm.")
        await user.tap("Xong")
        await user.say("Giao việc như sau.")
        await user.tap("Nguyễn Văn An")
        await user.say("Dọn vệ sinh đường làng")
        await user.say("30/11/2026")
        assert "Có mặt 3 đồng chí" in await user.tap("Xong")
        assert "Số tán thành (4) vượt số đảng viên có mặt (3)" in await user.say("4")
        await user.tap("3")
        await user.tap("0")
        await user.tap("Bỏ qua")
        await user.tap("Tốt")
        assert "phải sau giờ bắt đầu" in await user.say("13h30")
        review = await user.say("16h00")
        assert "Xem lại biên bản" in review
        done = await user.tap("Xác nhận và tạo biên bản")
        assert "Đã lưu biên bản 01-BB/CB" in done and "Có mặt 3/5 đồng chí (60%)" in done
        sent = next(m for m in fake.messages_to(8001) if m.method == "sendDocument")
        assert sent.document_name == "Biên bản 01-BB-CB - Sinh hoạt chi bộ thường kỳ tháng 11 năm 2026.docx"
        document = docx.Document(io.BytesIO(sent.document_bytes))
        text = "\n".join(p.text for p in document.paragraphs)
        assert "- Số đảng viên có mặt: 3 đồng chí (chính thức: 3 đồng chí; dự bị: 0 đồng chí), đạt tỷ lệ 60%." in text
        assert "+ Vắng có lý do: 1 đồng chí: đồng chí Trần Thị Bình (ốm)." in text
        assert "+ Vắng không có lý do: 1 đồng chí: đồng chí Phạm Văn Dũng." in text
        assert "3/3 đồng chí tán thành (100%), 0 đồng chí không tán thành." in text
        assert any(b["text"] == "Soạn nghị quyết" for b in user.last_with_buttons().buttons)

    store = await Store.open(db)
    rows = {r["person_name"]: r["status"] for r in await select(store, "SELECT person_name, status FROM attendance")}
    await store.close()
    assert rows == {"Nguyễn Thị Thược": "present", "Nguyễn Văn An": "present", "Trần Thị Bình": "excused",
                    "Lê Văn Cường": "exempt", "Phạm Văn Dũng": "absent", "Hoàng Thị Lan": "present"}
