"""Who may do what: every way into a job is checked here against the account's role (bot/roles.py).

The roles themselves are written in ONE table, the command table (handlers/commands.py: `Command.role`, and
`Command.verbs` for a command whose sub-actions need more, e.g. `/vanban sua`). Everything else refers to a
command of that table: an order in words (handlers/intents.py `Intent.command`), a flow (`FLOW_COMMAND`
below: a draft is refused when its flow's command is no longer allowed, e.g. after a demotion), a choice on
screen (a command, pruned from what she is shown when she may not run it). On a tracker item a member may act
only on what is assigned to her (`can_act_on`).
"""

from __future__ import annotations

from bot import roles
from bot.messages import Outgoing
from bot.store import Deadline
from bot.wording import mentions, name_words
from handlers.context import Context

# The command (with its verb) whose permission each flow needs; None: open to anyone (onboarding).
FLOW_COMMAND: dict[str, str | None] = {
    "start": None, "join": None, "link": None,
    "unit": "donvi sua",  # creating a unit (no unit yet) is open: see `may_run_flow`
    "plan": "kehoach", "plan_thematic": "kehoach", "plan_generic": "kehoach", "plan_admission": "kehoach",
    "plan_conference": "kehoach", "plan_midterm": "kehoach", "plan_model_meeting": "kehoach",
    "meeting": "sinhhoat", "resolution": "sinhhoat",
    "deadline": "hanchot them", "deadline_import": "hanchot them", "deadline_snooze": "hanchot hoanden",
    "reminder_settings": "nhacnho", "invite": "moi", "notice": "thongbao",
}
# Every flow of data/flows/ is named above (tests/test_permissions.py checks it); a flow of no file (a test's
# own) is open.


def needed(command_line: str) -> str | None:
    """The least role that may run `command_line` ("vanban", "/vanban sua 8", "/lam kehoach soan ke hoach")."""
    from handlers.commands import BY_NAME  # the command table imports the handlers that import this module

    name, _, arg = command_line.lstrip("/").partition(" ")
    command = BY_NAME.get(name.split("@", 1)[0].lower())
    if command is None:
        return None  # an unknown command is answered as such, by the router
    if command.name == "lam":
        from handlers.intents import BY_NAME as INTENTS

        intent = INTENTS.get(arg.strip().partition(" ")[0])
        return needed(intent.command) if intent is not None and intent.command else None
    return command.role_for(arg)


def allowed(ctx: Context, command_line: str) -> bool:
    """Whether the speaking account may run `command_line`. Without a unit, only what needs none (the router
    answers the rest with its "no unit yet" message)."""
    return roles.at_least(ctx.role, needed(command_line))


def may_run_flow(ctx: Context, flow: str) -> bool:
    """Whether the account may start (or go on with) `flow`; a unit's profile is open while she has none."""
    if flow == "unit" and ctx.unit is None:
        return True
    command = FLOW_COMMAND.get(flow)
    return command is None or allowed(ctx, command)


def member_commands() -> list[str]:
    """The commands of the menus a member may run, e.g. "/hanchot", "/tuannay", "/vanban"."""
    from handlers.commands import COMMANDS

    return [f"/{c.name}" for c in COMMANDS if c.menu and c.role == roles.MEMBER]


def refusal(ctx: Context, command_line: str = "") -> Outgoing:
    """The answer to a job her role may not do: who does it, and what she can do instead."""
    need = needed(command_line) if command_line else roles.MANAGER
    if ctx.role == roles.MANAGER and need == roles.OWNER:
        return Outgoing(text="Việc này chỉ bí thư (chủ đơn vị) làm. Với vai trò người cùng quản lý, đồng chí vẫn "
                             "soạn, ban hành văn bản và quản lý hồ sơ, hạn chót của đơn vị như thường.")
    unit = ctx.unit.name if ctx.unit else "đơn vị"
    return Outgoing(text=f"Đồng chí là đảng viên của {unit}; việc này do bí thư hoặc người cùng quản lý làm. "
                         f"Đồng chí có thể xem việc được giao cho mình và các văn bản đã ban hành: "
                         f"{', '.join(member_commands())}. Gõ /trogiup để xem hướng dẫn.")


NOT_YOURS = ("Việc này không giao cho đồng chí. Đảng viên chỉ đánh dấu xong hoặc hoãn việc được giao cho chính "
             "mình; việc khác do bí thư hoặc người cùng quản lý cập nhật.")


async def assigned_to_me(ctx: Context, row: Deadline) -> bool:
    """Whether the tracker item is assigned to the roster member this account is: by the item's person when
    it names one (deadlines.person_id), else by the member's name in the item's assignee (her full name, or
    her given name when no other member of the roster bears it)."""
    account = ctx.account
    if account is None or account.person_id is None or ctx.unit is None or row.unit_id != ctx.unit.id:
        return False
    if row.person_id is not None:
        return row.person_id == account.person_id
    if not row.assignee:
        return False
    people = await ctx.people()
    me = next((p for p in people if p.id == account.person_id), None)
    if me is None:
        return False
    full = name_words(me.name)
    if full and mentions(full, row.assignee):
        return True
    given = full[-1:]
    others = [p for p in people if p.id != me.id and name_words(p.name)[-1:] == given]
    return bool(given) and not others and mentions(given, row.assignee)


async def can_act_on(ctx: Context, row: Deadline) -> bool:
    """Whether the account may mark the tracker item done or snooze it: a manager any item of the unit, a
    member only an item assigned to her."""
    if roles.at_least(ctx.role, roles.MANAGER):
        return True
    return ctx.role == roles.MEMBER and await assigned_to_me(ctx, row)


async def visible(ctx: Context, rows: list[Deadline]) -> list[Deadline]:
    """The tracker items the account is shown: all of them to a manager, her own to a member."""
    if roles.at_least(ctx.role, roles.MANAGER):
        return rows
    return [r for r in rows if await assigned_to_me(ctx, r)]


def prune(ctx: Context, replies: list[Outgoing]) -> list[Outgoing]:
    """The replies without the choices (commands) her role may not run, so a member is never offered one."""
    if ctx.unit is None:
        return replies
    for out in replies:
        if out.choices:
            out.choices = [c for c in out.choices if not c.value.startswith("/") or allowed(ctx, c.value)]
    return replies
