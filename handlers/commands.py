"""The one table of slash commands: the router's dispatch, Telegram's command menu, /trogiup and the main
menu are all generated from `COMMANDS`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot import roles
from bot.messages import Outgoing
from bot.roles import MANAGER, MEMBER, OWNER
from bot.text import fold
from handlers import (
    audit,
    deadlines,
    intents,
    meetings,
    members,
    plans,
    questions,
    reminders,
    revise,
    tasks,
    unit,
)
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
    # The least role that may run it (bot/roles.py; None: anyone, even without a unit). Required: a new command
    # must choose (tests/test_permissions.py walks every command as each role).
    role: str | None = field(kw_only=True)
    # Sub-actions (the first word of the argument, folded) that need another role than the command itself.
    verbs: dict[str, str | None] = field(default_factory=dict, kw_only=True)

    def role_for(self, arg: str) -> str | None:
        """The least role that may run the command with this argument."""
        verb = fold(arg.strip().partition(" ")[0])
        return self.verbs.get(verb, self.role)


async def cmd_help(ctx: Context, arg: str) -> list[Outgoing]:
    lines = ["Trợ lý Chi bộ giúp bí thư chi bộ và văn phòng đảng ủy làm việc ngay trên điện thoại.", ""]
    lines += [f"/{name} — {desc}" for name, desc in menu_for(ctx)]
    if ctx.role == MEMBER:
        lines += [
            "",
            f"Đồng chí là {roles.LABELS[MEMBER]} của đơn vị: đồng chí xem và nhận lại các văn bản đã ban hành (/vanban), "
            "xem việc được giao cho mình, đánh dấu xong hoặc hoãn việc đó (/hanchot, /tuannay). Soạn, ban hành, sửa "
            "văn bản, sửa hồ sơ đơn vị và mời người khác do bí thư hoặc người cùng quản lý làm.",
        ]
        return [Outgoing(title="Hướng dẫn", text="\n".join(lines))]
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


# In the order of the menus. Each row chooses its role (README "Roles"): None for what anyone may do,
# MEMBER for what a party member of the roster may do, MANAGER for the owner and managers.
COMMANDS = [
    Command("batdau", "Bắt đầu, tạo hoặc tham gia đơn vị", unit.cmd_start, aliases=("start",), needs_unit=False,
            role=None),
    Command("kehoach", "Soạn kế hoạch", plans.cmd_plan, role=MANAGER),
    Command("sinhhoat", "Ghi biên bản sinh hoạt chi bộ", meetings.cmd_meeting, role=MANAGER),
    # A member: her own items (listed, marked done, snoozed: handlers/permissions.py can_act_on).
    Command("hanchot", "Các hạn chót", deadlines.cmd_deadlines, role=MEMBER,
            verbs={"them": MANAGER, "sua": MANAGER, "xoa": MANAGER}),
    Command("thongbao", "Gửi thông báo họp chi bộ tới đảng viên", meetings.notice.cmd_notice, role=MANAGER),
    Command("viec", "Việc được giao cho tôi", tasks.cmd_tasks, role=MEMBER),
    Command("tuannay", "Việc cần làm trong tuần", questions.cmd_week, role=MEMBER),  # a member: her own items
    # A member: the list, a file again, an earlier version; not revising, redoing, sharing or deleting.
    Command("vanban", "Văn bản đã soạn", revise.cmd_documents, role=MEMBER,
            verbs={"sua": MANAGER, "lamlai": MANAGER, "chiase": MANAGER, "xoa": MANAGER}),
    Command("nhipsinhhoat", "Các tháng, quý đã sinh hoạt", meetings.cmd_rhythm, role=MANAGER),
    Command("thongke", "Thống kê dự họp, nhiệm vụ", meetings.cmd_statistics, role=MANAGER),
    Command("nhacnho", "Cài đặt nhắc việc", reminders.cmd_settings, role=MANAGER),
    Command("dinhky", "Việc định kỳ: sinh hoạt, đảng phí, kiểm điểm", reminders.cmd_duties, role=MANAGER),
    Command("lienket", "Liên kết nhóm chat với đơn vị", reminders.cmd_link, role=MANAGER),
    # A member sees the profile and the roster; editing them is for managers.
    Command("donvi", "Hồ sơ đơn vị, danh sách đảng viên", unit.cmd_unit, role=MEMBER,
            verbs={"sua": MANAGER, "chinh": MANAGER}),
    Command("moi", "Mời người cùng quản lý hoặc đảng viên", unit.cmd_invite, menu=False, needs_unit=False,
            role=MANAGER),
    # Managers list, confirm join requests and revoke member codes; the rest is the owner's (handlers/members.py).
    Command("thanhvien", "Thành viên, vai trò và mã mời", members.cmd_members, role=MANAGER),
    Command("nhatky", "Nhật ký thay đổi của đơn vị", audit.cmd_journal, role=OWNER),
    Command("ketnoi", "Dùng cùng tài khoản trên Zalo và Telegram", unit.cmd_link, needs_unit=False, role=None),
    Command("huy", "Hủy việc đang làm", cmd_cancel, needs_unit=False, role=None),
    # The intent it runs is checked (handlers/intents.py Intent.command).
    Command("lam", "Việc gõ bằng lời, chọn từ gợi ý", intents.cmd_do, menu=False, needs_unit=False, role=None),
    Command("trogiup", "Hướng dẫn", cmd_help, aliases=("help",), needs_unit=False, role=None),
]

BY_NAME = {name: c for c in COMMANDS for name in (c.name, *c.aliases)}


def menu(role: str | None = roles.OWNER) -> list[tuple[str, str]]:
    """(name, description) of the commands shown in the menus to `role`, in order (by default all of them:
    Telegram's command menu is one for the whole bot)."""
    return [(c.name, c.description) for c in COMMANDS if c.menu and roles.at_least(role, c.role)]


def menu_for(ctx: Context) -> list[tuple[str, str]]:
    """The commands shown to this account: those its role may run (all of them before it has a unit: it will
    own the unit it creates)."""
    return menu(ctx.role if ctx.unit else roles.OWNER)
