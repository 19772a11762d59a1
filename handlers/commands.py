"""The one table of slash commands: the router's dispatch, Telegram's command menu, /trogiup and the main
menu are all generated from `COMMANDS`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.messages import Outgoing
from bot.roles import MANAGER
from handlers import deadlines, intents, meetings, plans, questions, reminders, revise, unit
from handlers.context import Context

Handler = Callable[[Context, str], Awaitable[list[Outgoing]]]

NEEDS_UNIT = "Tài khoản này chưa thuộc đơn vị nào. Gõ /batdau để tạo hoặc tham gia một đơn vị."


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    handler: Handler
    menu: bool = True  # listed in the command menus and /trogiup
    aliases: tuple[str, ...] = ()
    needs_unit: bool = True  # the router answers NEEDS_UNIT to an account without a unit
    role: str | None = MANAGER  # the least role that may run it (bot/roles.py); None: anyone


async def cmd_help(ctx: Context, arg: str) -> list[Outgoing]:
    lines = ["Trợ lý Chi bộ giúp bí thư chi bộ và văn phòng đảng ủy làm việc ngay trên điện thoại.", ""]
    lines += [f"/{name} — {desc}" for name, desc in menu()]
    lines += [
        "",
        "Khi tôi hỏi từng câu: trả lời bằng tin nhắn hoặc bấm nút; “quay lại” để về câu trước; "
        "“bỏ qua” với câu không bắt buộc; ở màn hình xem lại, “sửa N” để sửa mục N.",
        "Sửa văn bản đã ban hành (giữ nguyên số): gõ “sửa kế hoạch số 8”, “sửa biên bản số 3”, “sửa nghị quyết 2”, "
        "“sửa kết luận 1”, hoặc /vanban rồi chọn “Sửa N”; bản trước vẫn được lưu (“Bản cũ N”).",
        "Cũng có thể nói bằng lời, có dấu hay không dấu: “soạn kế hoạch kết nạp đảng viên”, “ghi biên bản họp tháng 11”, "
        "“nhắc tôi nộp đảng phí trước 5/12”, “khi nào nộp báo cáo kiểm điểm?”, “việc của đ/c Tuấn?”, “tháng sau có gì?”.",
        "Mọi câu trả lời được lưu ngay; nếu bị ngắt giữa chừng, gõ /batdau hoặc bất kỳ tin nào để làm tiếp.",
    ]
    if not ctx.unit:
        lines.append("\nĐồng chí chưa có đơn vị: gõ /batdau để bắt đầu.")
    return [Outgoing(title="Hướng dẫn", text="\n".join(lines))]


async def cmd_cancel(ctx: Context, arg: str) -> list[Outgoing]:
    """/huy when no flow is running; the router cancels a running one itself."""
    return [Outgoing(text="Hiện không có việc nào đang làm dở.")]


# In the order of the menus.
COMMANDS = [
    Command("batdau", "Bắt đầu, tạo hoặc tham gia đơn vị", unit.cmd_start, aliases=("start",), needs_unit=False),
    Command("kehoach", "Soạn kế hoạch", plans.cmd_plan),
    Command("sinhhoat", "Ghi biên bản sinh hoạt chi bộ", meetings.cmd_meeting),
    Command("thongbao", "Gửi thông báo họp chi bộ tới đảng viên", meetings.notice.cmd_notice),
    Command("hanchot", "Các hạn chót", deadlines.cmd_deadlines),
    Command("tuannay", "Việc cần làm trong tuần", questions.cmd_week),
    Command("vanban", "Văn bản đã soạn", revise.cmd_documents),
    Command("nhipsinhhoat", "Các tháng, quý đã sinh hoạt", meetings.cmd_rhythm),
    Command("thongke", "Thống kê dự họp, nhiệm vụ", meetings.cmd_statistics),
    Command("nhacnho", "Cài đặt nhắc việc", reminders.cmd_settings),
    Command("dinhky", "Việc định kỳ: sinh hoạt, đảng phí, kiểm điểm", reminders.cmd_duties),
    Command("lienket", "Liên kết nhóm chat với đơn vị", reminders.cmd_link),
    Command("donvi", "Hồ sơ đơn vị, danh sách đảng viên", unit.cmd_unit),
    Command("moi", "Mời người cùng quản lý", unit.cmd_invite, menu=False, needs_unit=False),
    Command("ketnoi", "Dùng cùng tài khoản trên Zalo và Telegram", unit.cmd_link, needs_unit=False),
    Command("huy", "Hủy việc đang làm", cmd_cancel, needs_unit=False),
    Command("lam", "Việc gõ bằng lời, chọn từ gợi ý", intents.cmd_do, menu=False, needs_unit=False),
    Command("trogiup", "Hướng dẫn", cmd_help, aliases=("help",), needs_unit=False),
]

BY_NAME = {name: c for c in COMMANDS for name in (c.name, *c.aliases)}


def menu() -> list[tuple[str, str]]:
    """(name, description) of the commands shown in the menus, in order."""
    return [(c.name, c.description) for c in COMMANDS if c.menu]
