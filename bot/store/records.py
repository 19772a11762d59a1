"""The rows the store returns, as typed records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Unit:
    id: int
    kind: str
    superior: str
    name: str
    code: str
    place: str
    signer_name: str
    signer_title: str
    spelling: str
    settings: dict[str, Any]


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    status: str  # 'chinh_thuc' | 'du_bi'
    exempt: bool


@dataclass(frozen=True)
class Account:
    channel: str
    user_id: str
    unit_id: int
    role: str  # owner | manager | member (bot/roles.py)
    display_name: str = ""
    person_id: int | None = None  # the roster member (people.id) this account is, when known
    person_key: str | None = None  # shared by the accounts of one person on several apps (/ketnoi)


@dataclass(frozen=True)
class InviteCheck:
    """The answer to one typed invite code: the unit it opens, or why not."""

    unit_id: int | None  # the unit of a valid, unused, unexpired code; None otherwise
    wait_seconds: int = 0  # > 0: this account typed too many wrong codes; the code was not even looked at
    tries_left: int = 0  # wrong codes this account may still type before it has to wait


@dataclass(frozen=True)
class Deadline:
    """A row of `deadlines`: a deadline, an event or a period of a unit."""

    id: int
    unit_id: int
    kind: str  # deadline | event | period
    title: str
    due: date
    start: date | None = None
    at_time: str | None = None  # 'HH:MM'
    assignee: str | None = None
    source: str = ""
    status: str = "open"  # open | done
    snoozed_until: str | None = None  # a date or a date-time, ISO
    created_at: str | None = None
    document_id: int | None = None
    meeting_id: int | None = None
    duty: str | None = None
    duty_period: str | None = None
    done_at: str | None = None
    person_id: int | None = None  # the roster member (people.id) the item is assigned to, when matched
    done_by: str | None = None  # who marked it done ("channel:user")
    done_by_name: str | None = None  # that account's roster name (or display name) when it did

    @property
    def day(self) -> date:
        """The day reminders count down to: an event's first day, otherwise the due day."""
        return self.start if self.kind == "event" and self.start else self.due


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def deadline_of(row: Any) -> Deadline:
    """A Deadline from a `deadlines` row (columns not selected keep their defaults)."""
    keys = set(row.keys())
    values = {k: row[k] for k in Deadline.__dataclass_fields__ if k in keys}
    values["due"] = _day(values.get("due"))
    values["start"] = _day(values.get("start"))
    if values.get("source") is None:
        values["source"] = ""
    return Deadline(**values)


@dataclass(frozen=True)
class NewMeeting:
    """A meeting to record with its minutes: the meetings row and one attendance row per roster member."""

    kind: str  # thuong_ky | chuyen_de
    period_year: int
    period_month: int
    topic: str | None
    held_on: str
    started_at: str
    ended_at: str | None
    answers: dict[str, Any]
    attendance: tuple[tuple[str, str, str | None], ...]  # (name, present|excused|absent|exempt, reason)


@dataclass(frozen=True)
class LoggedMeeting:
    """A row of `meetings` (without its answers): a meeting logged with its minutes."""

    id: int
    kind: str  # thuong_ky | chuyen_de
    period_year: int
    period_month: int
    held_on: date
    topic: str | None = None


def logged_meeting_of(row: Any) -> LoggedMeeting:
    return LoggedMeeting(id=row["id"], kind=row["kind"], period_year=row["period_year"],
                         period_month=row["period_month"], held_on=date.fromisoformat(row["held_on"][:10]),
                         topic=row["topic"])


@dataclass(frozen=True)
class MeetingAnswers:
    """A logged meeting's id and the answers its minutes were written from."""

    id: int
    answers: dict[str, Any]


@dataclass(frozen=True)
class MeetingAttendance:
    """One logged meeting and how many members it records with each attendance status."""

    meeting_id: int
    kind: str  # thuong_ky | chuyen_de
    held_on: date
    present: int
    excused: int
    absent: int
    exempt: int


@dataclass(frozen=True)
class AttendanceCount:
    """How many meetings of a span a member is recorded with one attendance status."""

    name: str
    status: str  # present | excused | absent | exempt
    meetings: int


@dataclass(frozen=True)
class StoredDocument:
    """A row of `documents`: a document the unit issued (answers and content only where selected)."""

    id: int
    unit_id: int
    kind: str  # plan_thematic, …, minutes, resolution
    doc_type: str  # KH | BB | NQ | KL
    series: str
    number: int | None
    issued_on: date
    title: str
    filename: str
    answers: dict[str, Any] = field(default_factory=dict)
    content: bytes | None = None
    created_by: str | None = None
    created_at: str | None = None
    version: int = 1  # 1: as first issued; N: the (N-1)th revision (earlier ones in `document_versions`)
    revised_at: str | None = None


@dataclass(frozen=True)
class DocumentVersion:
    """A row of `document_versions`: an earlier version of an issued document, replaced by a revision."""

    id: int
    document_id: int
    unit_id: int
    version: int
    number: int | None
    issued_on: date
    title: str
    filename: str
    made_at: str
    superseded_at: str
    content: bytes | None = None


@dataclass(frozen=True)
class DeadlineChanges:
    """What a revision did to the dated items of its document on the tracker (counts of rows)."""

    kept: int = 0  # the same item: its row, status and reminders untouched
    updated: int = 0  # the same item with a new day or wording: its row updated, its status kept
    added: int = 0
    dropped: int = 0


@dataclass(frozen=True)
class IssuedDraft:
    """A conversation that ended in an issued document: whether its reply (the files) was delivered."""

    flow: str
    document_id: int
    delivered: bool


@dataclass(frozen=True)
class NewDeadline:
    """A dated item to add to a unit's tracker (typed in, or found in an imported plan)."""

    kind: str  # deadline | event | period
    title: str
    due: date
    start: date | None = None
    at_time: str | None = None  # 'HH:MM'
    assignee: str | None = None


@dataclass(frozen=True)
class ReminderClaim:
    """A row of `reminder_log` claimed and not confirmed: a reminder to send again."""

    key: str
    chat_id: str
    unit_id: int
    scheduled_for: str  # ISO date-time
    claimed_at: str | None
    late: bool


@dataclass(frozen=True)
class Link:
    """A row of `links`: a signed link handed out (to a document, or to upload a file into a chat); revoked
    links stop working."""

    id: str
    kind: str  # "d": a document page, "u": a one-time upload page
    unit_id: int
    document_id: int | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    channel: str | None = None  # an upload link: the chat (channel, chat, user) the file goes to
    chat_id: str | None = None
    user_id: str | None = None


@dataclass(frozen=True)
class OutboxItem:
    """A row of `outbox` not confirmed yet: a shared document to send to one chat (bot/store/outbox.py)."""

    id: int
    doc_id: int
    unit_id: int
    channel: str
    chat_id: str
    text: str
    claimed_at: str | None  # None: never claimed; else claimed and not confirmed (in flight, or a crash)


@dataclass(frozen=True)
class AuditEntry:
    """One line of a unit's audit trail (`/nhatky`): who did what, when."""
    id: int
    at: str  # ISO, with its offset
    actor: str  # "channel:user_id"
    actor_name: str
    action: str  # bot/audit.py ACTIONS
    detail: str


@dataclass(frozen=True)
class AuditNote:
    """A line for the audit trail, written by a store method inside the transaction of the change it records."""

    unit_id: int
    at: datetime
    actor: str  # "channel:user_id"
    actor_name: str
    action: str  # bot/audit.py ACTIONS
    detail: str = ""


@dataclass(frozen=True)
class OpenInvite:
    """An unused, unexpired invite code of a unit (`/thanhvien`)."""

    code: str
    role: str  # manager | member
    person_id: int | None
    created_by: str
    expires_at: str  # UTC, bot/store/units.py utc_text


@dataclass(frozen=True)
class JoinRequest:
    """An account that said which roster member she is, waiting for a manager's confirmation."""

    channel: str
    user_id: str
    unit_id: int
    person_id: int
    display_name: str
    created_at: str


@dataclass(frozen=True)
class Notice:
    """The notice of a meeting sent to the unit's members (bot/store/notices.py)."""

    id: int
    unit_id: int
    kind: str  # thuong_ky | chuyen_de
    meeting_on: date
    meeting_at: str  # "14:00"
    place: str
    topic: str
    agenda: list[str]
    text: str
    created_by: str
    created_at: str


@dataclass(frozen=True)
class NoticeReply:
    """A member's answer to a notice: she will attend, or asks to be excused (with her reason)."""

    notice_id: int
    person_id: int
    name: str
    status: str  # attend | absent
    reason: str
    at: str


@dataclass(frozen=True)
class NoticeSend:
    """A row of `notice_sends` not confirmed yet: the notice to send to one chat."""

    id: int
    notice_id: int
    unit_id: int
    channel: str
    chat_id: str
    private: bool  # a member's private chat (answer buttons) or a linked group
    claimed_at: str | None


@dataclass(frozen=True)
class OutMessage:
    """A message queued for another account's chat (bot/store/messages_out.py), not confirmed yet."""

    id: int
    unit_id: int
    channel: str
    chat_id: str
    text: str
    choices: list[tuple[str, str]]  # (label, value)
    claimed_at: str | None
