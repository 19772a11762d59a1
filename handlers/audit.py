"""The audit trail from the conversation: `note`/`record` a change, and `/nhatky`, the latest lines for the owner."""

from __future__ import annotations

import re
from datetime import datetime

from bot.audit import label
from bot.messages import Choice, Outgoing
from bot.roles import LABELS, OWNER
from bot.store.records import AuditNote
from handlers.context import Context

PAGE = 10


def actor_name(ctx: Context) -> str:
    """Who is speaking as the trail names her: her name in the roster when known, else her app name."""
    return ctx.incoming.user_name or (ctx.account.display_name if ctx.account else "")


def note(ctx: Context, action: str, detail: str = "", unit_id: int | None = None) -> AuditNote:
    """A line about a change the speaker makes, for a store method to write in the change's transaction."""
    unit = unit_id if unit_id is not None else (ctx.unit.id if ctx.unit else 0)
    return AuditNote(unit, ctx.clock.now(), ctx.actor, actor_name(ctx), action, detail)


async def record(ctx: Context, action: str, detail: str = "") -> None:
    """Write a line now, for a change made in a transaction of its own (a document issued)."""
    if ctx.unit is None:
        return
    await ctx.store.record_audit(ctx.unit.id, ctx.clock.now(), ctx.actor, action, detail, actor_name(ctx))


async def cmd_journal(ctx: Context, arg: str) -> list[Outgoing]:
    """/nhatky [truoc <id>]: the latest changes, newest first, PAGE at a time."""
    assert ctx.unit is not None
    if ctx.role != OWNER:
        return [Outgoing(text="Chỉ bí thư (chủ đơn vị) mới xem được nhật ký thay đổi của đơn vị.")]
    older = re.fullmatch(r"\s*truoc\s+(\d+)\s*", arg)
    before = int(older.group(1)) if older else None
    entries = await ctx.store.audit_trail(ctx.unit.id, limit=PAGE + 1, before=before)
    if not entries:
        return [Outgoing(title="Nhật ký thay đổi", text="Chưa có thay đổi nào được ghi." if before is None
                         else "Không còn mục nào cũ hơn.")]
    shown, more = entries[:PAGE], len(entries) > PAGE
    roles = {f"{a.channel}:{a.user_id}": a.role for a in await ctx.store.unit_accounts(ctx.unit.id)}
    lines = []
    for e in shown:
        when = datetime.fromisoformat(e.at).astimezone(ctx.clock.tz).strftime("%H:%M %d/%m/%Y")
        role = LABELS.get(roles.get(e.actor, ""), "đã rời đơn vị")
        who = f"{e.actor_name or e.actor} ({role})"
        lines.append(f"• {when} — {who}: {label(e.action)}" + (f": {e.detail}" if e.detail else ""))
    choices = [Choice("Xem thêm", f"/nhatky truoc {shown[-1].id}")] if more else []
    return [Outgoing(title=f"Nhật ký thay đổi — {ctx.unit.name}", text="\n".join(lines), choices=choices)]
