"""Chi bộ meetings: /sinhhoat logs a meeting and returns its Biên bản; the monthly and quarterly rhythm.

`/sinhhoat` starts the flow `meeting` (data/flows/meeting.yaml) with two answers already set:

* `roster`: the unit's roster copied from the profile (name, status, exempt), so the minutes keep the
  roster as it was on the day and every count can be computed again from the stored answers;
* `prev`: the tasks given at the last regular meeting, each with its status on the deadline tracker
  (None when there is none): shown when the chi ủy reviews last month, and put in the agenda.

Attendance is taken by tapping the roster: everybody who is not exempt counts as present except the
members picked as absent (each "with a reason", which is then asked, or "without"). The counts per
chính thức / dự bị and the percentage are always computed, never typed, and checked: present + absent =
total - exempt; votes never exceed those present; the end comes after the start.

On confirm: the Biên bản through `store.save_document` (kind "minutes", doc type BB, its own number
series), one `meetings` row, one `attendance` row per roster member, and each task as a deadline row
(document_id and meeting_id set). `/sinhhoat nghiquyet N` / `/sinhhoat ketluan N` write the meeting's
Nghị quyết / Kết luận (flow `resolution`) from the same answers.

The rhythm: `/nhipsinhhoat`, the question "tháng này đã sinh hoạt chưa?", `rhythm_notices()` for the
daily reminder sweep, and `/thongke` (attendance per member, meetings held, tasks on time and late).
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from bot import dates
from bot.documents import Document, Signature, render_docx, render_text
from bot.messages import Choice, OutDocument, Outgoing
from bot.pdf import to_pdf
from bot.store.records import NewMeeting
from bot.templating import environment
from bot.text import apply_spelling, fold
from handlers import plans
from handlers.context import Context
from handlers.forms import Invalid, Option, action, item_type, provider, validator

KINDS = {"thuong_ky": "thường kỳ", "chuyen_de": "chuyên đề"}
QUALITY = {"tot": "Tốt", "kha": "Khá", "trung_binh": "Trung bình", "kem": "Kém"}
RESOLUTIONS = {"NQ": ("NGHỊ QUYẾT", "Nghị quyết"), "KL": ("KẾT LUẬN", "Kết luận")}
MINUTES_TYPE = "BB"
MIN_MINUTES, MIN_MINUTES_LARGE, LARGE_CELL = 90, 120, 30  # per unit: settings["meeting_min_minutes"]
ATTENDANCE_TARGET = 90.0
REGULAR_BY_DAY = 20  # a regular meeting not logged once this day of the month has passed gets a notice
EARLY_BY_DAY = 15  # a regular meeting held by this day reviews the month before (see months_of)
ROMAN = ("I", "II", "III", "IV")
NEEDS_UNIT = "Tài khoản này chưa thuộc đơn vị nào. Gõ /batdau để tạo hoặc tham gia một đơn vị."
NEEDS_ROSTER = ("Hồ sơ đơn vị chưa có danh sách đảng viên (hoặc mọi đồng chí đều được miễn sinh hoạt), nên chưa "
                "điểm danh được. Gõ /donvi, chọn “Sửa hồ sơ” để thêm danh sách đảng viên, rồi gõ lại /sinhhoat.")


# -- small formatting helpers ---------------------------------------------------------------------

def mm(month: int) -> str:
    """Months 1-2 take a leading zero in Party documents, the others do not."""
    return f"{month:02d}" if month <= 2 else str(month)


def percent(part: int, whole: int) -> str:
    """'81,8%', '100%'."""
    if whole <= 0:
        return "0%"
    text = f"{100 * part / whole:.1f}".replace(".", ",")
    return text.removesuffix(",0") + "%"


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def clock_text(value: str) -> str:
    """'14:00' -> '14 giờ 00'."""
    t = time.fromisoformat(value)
    return f"{t.hour:02d} giờ {t.minute:02d}"


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


def series(unit, doc_type: str, issued: date) -> str:
    """One running series per document type, restarting each term (or each year), as for plans."""
    if unit.settings.get("numbering") == "year":
        return f"{doc_type}:{issued.year}"
    start = plans.FIRST_TERM + plans.TERM_YEARS * ((issued.year - plans.FIRST_TERM) // plans.TERM_YEARS)
    return f"{doc_type}:{start}-{start + plans.TERM_YEARS}"


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().strip(" .;,")


# -- the roster and attendance -----------------------------------------------------------------

def roster_snapshot(people) -> list[dict[str, Any]]:
    """The roster as stored in the answers; a repeated name gets a number so every member stays apart."""
    seen: dict[str, int] = {}
    out = []
    for p in people:
        key = fold(p.name)
        seen[key] = seen.get(key, 0) + 1
        name = p.name if seen[key] == 1 else f"{p.name} ({seen[key]})"
        out.append({"name": name, "status": p.status, "exempt": bool(p.exempt)})
    return out


def candidates(text: str, roster: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Members a typed name can mean: the full name, or the end of it ("Lan", "Thị Lan")."""
    wanted = fold(re.sub(r"^\s*(?:đ/c|đ\.c\.?|đc|đồng chí)\s+", "", text, flags=re.IGNORECASE)).strip(" .:")
    if not wanted:
        return []
    exact = [m for m in roster if fold(m["name"]) == wanted]
    if exact:
        return exact
    base = {id(m): fold(re.sub(r" \(\d+\)$", "", m["name"])) for m in roster}  # "Nguyễn Thị Lan (2)"
    return [m for m in roster if base[id(m)] == wanted] or \
        [m for m in roster if base[id(m)].endswith(" " + wanted)]


def resolve(text: str, roster: list[dict[str, Any]]) -> dict[str, Any] | None:
    found = candidates(text, roster)
    return found[0] if len(found) == 1 else None


def _member(text: str, roster: list[dict[str, Any]]) -> dict[str, Any]:
    """The roster member a typed or tapped name means; Invalid with the reason otherwise."""
    found = candidates(text, roster)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise Invalid(f"Có {len(found)} đồng chí tên “{_clean(text)}”: "
                      + ", ".join(m["name"] for m in found) + ". Xin chọn hoặc gõ đủ họ tên.")
    raise Invalid(f"Không có đồng chí “{_clean(text)}” trong danh sách đảng viên của chi bộ. Xin chọn một tên "
                  "trong danh sách (gõ số thứ tự, họ tên, hoặc tên gọi).")


@dataclass
class Attendance:
    """The counts of a meeting, computed from the roster and the members marked absent."""

    total: int = 0
    official: int = 0
    reserve: int = 0
    exempt: list[str] = field(default_factory=list)
    present: int = 0
    present_official: int = 0
    present_reserve: int = 0
    excused: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)
    unexcused: list[str] = field(default_factory=list)
    listed_absent: int = 0  # entries in the absent list, as given (a name twice counts twice)
    problems: list[str] = field(default_factory=list)

    @property
    def due(self) -> int:
        """Members who must attend: the total less the exempt."""
        return self.total - len(self.exempt)

    @property
    def absent(self) -> int:
        return len(self.excused) + len(self.unexcused)

    @property
    def rate(self) -> float:
        return 100 * self.present / self.due if self.due else 0.0

    @property
    def percent_text(self) -> str:
        return percent(self.present, self.due)

    @property
    def adds_up(self) -> bool:
        return self.present + self.listed_absent == self.due and not self.problems

    @property
    def mismatch(self) -> str:
        """Why the counts do not add up, for the secretary."""
        lines = [f"Số liệu điểm danh không khớp: có mặt {self.present} + vắng {self.listed_absent} = "
                 f"{self.present + self.listed_absent}, trong khi số đảng viên phải dự sinh hoạt là {self.due} "
                 f"(tổng số {self.total} − miễn sinh hoạt {len(self.exempt)})."]
        if self.present + self.listed_absent == self.due:
            lines = ["Số liệu điểm danh chưa đúng."]
        return "\n".join(lines + [f"- {p}" for p in self.problems])

    @property
    def roll_call(self) -> str:
        exempt = f"; miễn sinh hoạt {len(self.exempt)}: {', '.join(self.exempt)}" if self.exempt else ""
        return (f"Điểm danh: chi bộ có {self.total} đảng viên (chính thức {self.official}, dự bị {self.reserve})"
                f"{exempt}; phải dự sinh hoạt {self.due} đồng chí. Có đồng chí nào vắng mặt không?")

    @property
    def summary(self) -> str:
        lines = ["Số liệu điểm danh (tôi tự tính từ danh sách):",
                 f"- Tổng số đảng viên: {self.total} (chính thức {self.official}, dự bị {self.reserve})",
                 f"- Miễn sinh hoạt: {len(self.exempt)}" + (f" ({', '.join(self.exempt)})" if self.exempt else ""),
                 f"- Có mặt: {self.present}/{self.due} (chính thức {self.present_official}, dự bị "
                 f"{self.present_reserve}), tỷ lệ {self.percent_text}",
                 f"- Vắng có lý do: {len(self.excused)}"
                 + (" (" + "; ".join(f"{n} — {r}" for n, r in self.excused) + ")" if self.excused else ""),
                 f"- Vắng không lý do: {len(self.unexcused)}"
                 + (f" ({', '.join(self.unexcused)})" if self.unexcused else "")]
        if not self.adds_up:
            lines.append(self.mismatch)
        lines.append("Đúng chưa? Nếu chưa đúng, gõ “quay lại” để sửa danh sách vắng.")
        return "\n".join(lines)


def count(roster: list[dict[str, Any]], absent: list[dict[str, Any]] | None = None,
          chair: str | None = None, secretary: str | None = None) -> Attendance:
    c = Attendance(total=len(roster), listed_absent=len(absent or []))
    members = {m["name"]: m for m in roster}
    c.official = sum(1 for m in roster if m["status"] == "chinh_thuc")
    c.reserve = c.total - c.official
    c.exempt = [m["name"] for m in roster if m["exempt"]]
    marked: dict[str, dict[str, Any]] = {}
    for item in absent or []:
        name = item.get("who") or ""
        if name not in members:
            c.problems.append(f"Đồng chí {name} không có trong danh sách đảng viên của chi bộ.")
        elif members[name]["exempt"]:
            c.problems.append(f"Đồng chí {name} được miễn sinh hoạt, không tính là vắng mặt.")
        elif name in marked:
            c.problems.append(f"Đồng chí {name} được ghi vắng hơn một lần.")
        else:
            marked[name] = item
    for role, name in (("chủ trì", chair), ("làm thư ký", secretary)):
        if name and name in marked:
            c.problems.append(f"Đồng chí {name} {role} buổi sinh hoạt nên không thể vắng mặt.")
    c.excused = [(n, i.get("reason") or "") for n, i in marked.items() if i.get("status") == "excused"]
    c.unexcused = [n for n, i in marked.items() if i.get("status") != "excused"]
    present = [m for m in roster if not m["exempt"] and m["name"] not in marked]
    c.present = len(present)
    c.present_official = sum(1 for m in present if m["status"] == "chinh_thuc")
    c.present_reserve = c.present - c.present_official
    return c


def attendance_of(answers: dict[str, Any]) -> Attendance:
    return count(answers.get("roster") or [], answers.get("absent") or [], answers.get("chair"),
                 answers.get("secretary"))


def periods(answers: dict[str, Any]) -> dict[str, Any]:
    return months_of(answers["month"], answers["held_on"])


def months_of(month_text: str, held_on: str) -> dict[str, Any]:
    """The months a regular meeting of `month_text` ('11/2026') held on `held_on` reviews and plans for.

    A meeting held by the 15th reviews the month before and plans its own month; one held later in its
    month reviews that month and plans the next one.
    """
    month, year = (int(x) for x in month_text.split("/"))
    held = date.fromisoformat(held_on)
    by = 0 if held.day > EARLY_BY_DAY and (held.year, held.month) == (year, month) else -1
    ry, rm = shift_month(year, month, by)
    ny, nm = shift_month(ry, rm, 1)
    return {"month": month, "year": year, "review": f"{mm(rm)}/{ry}", "plan": f"{mm(nm)}/{ny}",
            "review_long": f"tháng {mm(rm)} năm {ry}", "plan_long": f"tháng {mm(nm)} năm {ny}"}


def min_minutes(unit, roster: list[dict[str, Any]]) -> int:
    configured = (unit.settings.get("meeting_min_minutes") if unit else None) or 0
    if int(configured) > 0:
        return int(configured)
    return MIN_MINUTES_LARGE if len(roster) >= LARGE_CELL else MIN_MINUTES


def duration(started: str, ended: str) -> int:
    a, b = time.fromisoformat(started), time.fromisoformat(ended)
    return (b.hour * 60 + b.minute) - (a.hour * 60 + a.minute)


def minutes_text(total: int) -> str:
    hours, minutes = divmod(total, 60)
    if not hours:
        return f"{minutes} phút"
    return f"{hours} giờ" + (f" {minutes:02d} phút" if minutes else "")


# Flows are static data; the questions that show counts call these from their Jinja templates.
environment().globals.update(meeting_attendance=count, meeting_months=months_of)


def check(answers: dict[str, Any], unit) -> tuple[list[str], list[str]]:
    """Every rule the finished minutes must keep (errors) and those that only deserve a warning."""
    errors, warnings = [], []
    c = attendance_of(answers)
    if not c.adds_up:
        errors.append(c.mismatch)
    for_, against = answers.get("vote_for"), answers.get("vote_against")
    if for_ is not None and against is not None and for_ + against > c.present:
        errors.append(f"Số biểu quyết ({for_} tán thành + {against} không tán thành = {for_ + against}) vượt số "
                      f"đảng viên có mặt ({c.present}).")
    if answers.get("started_at") and answers.get("ended_at"):
        length = duration(answers["started_at"], answers["ended_at"])
        if length <= 0:
            errors.append(f"Giờ kết thúc ({clock_text(answers['ended_at'])}) phải sau giờ bắt đầu "
                          f"({clock_text(answers['started_at'])}).")
        elif length < min_minutes(unit, answers.get("roster") or []):
            warnings.append(f"Buổi sinh hoạt kéo dài {minutes_text(length)}, ngắn hơn thời lượng tối thiểu "
                            f"{minutes_text(min_minutes(unit, answers.get('roster') or []))}.")
    held = answers.get("held_on")
    for task in answers.get("tasks") or []:
        if held and task.get("due") and task["due"] < held:
            errors.append(f"Hạn của việc “{task['what']}” ({dates.format_date_short(date.fromisoformat(task['due']))}) "
                          "ở trước ngày sinh hoạt.")
    if c.due and c.rate < ATTENDANCE_TARGET:
        warnings.append(f"Tỷ lệ đảng viên dự sinh hoạt {c.percent_text}, dưới {ATTENDANCE_TARGET:.0f}%.")
    return errors, warnings


# -- validators -------------------------------------------------------------------------------

@validator("meeting.held_on")
async def check_held_on(value: str, ctx: Context) -> str:
    day = date.fromisoformat(value)
    if day > ctx.clock.today():
        ctx.warn(f"Lưu ý: ngày {dates.format_date_short(day)} chưa tới; biên bản thường được ghi trong hoặc ngay sau "
                 "buổi sinh hoạt. Tôi vẫn ghi nhận.")
    return value


_MONTH = re.compile(r"^(?:thang\s*)?(\d{1,2})(?:\s*(?:[/.\-]|nam)\s*(\d{4}))?$")


@validator("meeting.month")
async def check_month(value: str, ctx: Context) -> str:
    """'11/2026', 'tháng 11 năm 2026', '11' (the year of the meeting) -> '11/2026'."""
    match = _MONTH.match(fold(value).strip(" ."))
    held = date.fromisoformat(ctx.answers["held_on"])
    if not match or not 1 <= int(match.group(1)) <= 12:
        raise Invalid(f"Xin ghi tháng và năm, ví dụ {held.month}/{held.year}.")
    month, year = int(match.group(1)), int(match.group(2) or held.year)
    if abs((year * 12 + month) - (held.year * 12 + held.month)) > 1:
        raise Invalid(f"Tháng {month}/{year} cách xa ngày sinh hoạt ({dates.format_date_short(held)}). Biên bản "
                      "sinh hoạt thường kỳ ghi cho tháng diễn ra buổi sinh hoạt (hoặc tháng liền kề).")
    row = await ctx.store.fetch_one(
        "SELECT held_on FROM meetings WHERE unit_id = ? AND kind = 'thuong_ky' AND period_year = ? AND "
        "period_month = ? ORDER BY id DESC LIMIT 1", (ctx.unit.id, year, month))
    if row is not None:
        ctx.warn(f"Lưu ý: chi bộ đã có biên bản sinh hoạt thường kỳ tháng {month}/{year} (ngày "
                 f"{dates.format_date_short(date.fromisoformat(row['held_on']))}); biên bản này sẽ được lưu thêm.")
    return f"{month}/{year}"


@validator("meeting.topic")
async def check_topic(value: str, ctx: Context) -> str:
    value = _clean(value).strip("“”\"' ")
    if len(value) < 5:
        raise Invalid("Tên quá ngắn. Xin ghi rõ, ví dụ “Nâng cao chất lượng sinh hoạt chi bộ”.")
    return value[0].upper() + value[1:]


@validator("meeting.phrase")
async def check_phrase(value: str, ctx: Context) -> str:
    value = _clean(value)
    if not re.search(r"[^\W\d_]", value):
        raise Invalid("Câu trả lời phải có chữ. Xin gõ lại.")
    return value


def _attending_member(value: str, ctx: Context, role: str) -> str:
    member = _member(value, ctx.answers.get("roster") or [])
    if member["exempt"]:
        raise Invalid(f"Đồng chí {member['name']} được miễn sinh hoạt theo hồ sơ đơn vị nên không tính vào số có mặt. "
                      f"Xin chọn đồng chí {role} khác (hoặc sửa hồ sơ bằng /donvi sau khi ghi xong biên bản).")
    return member["name"]


@validator("meeting.chair")
async def check_chair(value: str, ctx: Context) -> str:
    return _attending_member(value, ctx, "chủ trì")


@validator("meeting.secretary")
async def check_secretary(value: str, ctx: Context) -> str:
    name = _attending_member(value, ctx, "thư ký")
    if name == ctx.answers.get("chair"):
        raise Invalid(f"Đồng chí {name} đang chủ trì; thư ký phải là một đồng chí khác.")
    return name


async def _absent_so_far(ctx: Context) -> list[dict[str, Any]]:
    """Members already entered in the absent list: the draft saved when this question was asked holds them."""
    state = await ctx.store.draft(*ctx.key)
    try:
        return [dict(i) for i in state["pending"]["absent"]["items"]]
    except (TypeError, KeyError):
        return []


@validator("meeting.absentee")
async def check_absentee(value: str, ctx: Context) -> str:
    roster = ctx.answers.get("roster") or []
    member = _member(value, roster)
    name = member["name"]
    if member["exempt"]:
        raise Invalid(f"Đồng chí {name} được miễn sinh hoạt nên không tính là vắng mặt. Xin chọn đồng chí khác.")
    for role, key in (("chủ trì", "chair"), ("làm thư ký", "secretary")):
        if ctx.answers.get(key) == name:
            raise Invalid(f"Đồng chí {name} {role} buổi sinh hoạt nên có mặt. Xin chọn đồng chí khác.")
    so_far = await _absent_so_far(ctx)
    if any(i.get("who") == name for i in so_far):
        c = count(roster, so_far + [{"who": name, "status": "absent"}])
        raise Invalid(f"Đồng chí {name} đã được ghi vắng. Ghi thêm lần nữa thì số liệu không khớp: có mặt "
                      f"{c.present} + vắng {c.listed_absent} = {c.present + c.listed_absent}, vượt số đảng viên phải "
                      f"dự sinh hoạt ({c.due}). Xin chọn đồng chí khác.")
    return name


@validator("meeting.money")
async def check_money(value: str, ctx: Context) -> str:
    """'1080000', '1.080.000 đồng', '1,08 triệu' -> '1.080.000'."""
    text = fold(value).replace(" ", "")
    match = re.fullmatch(r"(\d+(?:[.,]\d+)*)(trieu|tr|nghin|ngan|k)?(?:dong|d|vnd)?\.?", text)
    if not match:
        raise Invalid("Xin ghi số tiền bằng số, ví dụ 1.250.000 (đồng).")
    digits, unit = match.group(1), match.group(2)
    if unit:
        scale = 1_000_000 if unit.startswith("tr") else 1_000
        amount = round(float(digits.replace(".", "").replace(",", ".") if "," in digits else digits) * scale)
    else:
        amount = int(re.sub(r"[.,]", "", digits))
    if amount <= 0 or amount > 10**10:
        raise Invalid("Số tiền không hợp lệ. Xin ghi lại, ví dụ 1.250.000.")
    return money(amount)


@validator("meeting.reason")
async def check_reason(value: str, ctx: Context) -> str:
    value = _clean(value)
    if len(value) < 2:
        raise Invalid("Xin ghi lý do vắng, ví dụ “đi công tác”.")
    return value


@validator("meeting.attendance")
async def check_attendance(value: str, ctx: Context) -> str:
    c = attendance_of(ctx.answers)
    if not c.adds_up:
        raise Invalid(c.mismatch + "\nGõ “quay lại” để sửa danh sách vắng (“xóa N” để bỏ mục N).")
    if c.due and c.rate < ATTENDANCE_TARGET:
        ctx.warn(f"Lưu ý: tỷ lệ đảng viên dự sinh hoạt là {c.percent_text}, dưới {ATTENDANCE_TARGET:.0f}%.")
    return value


@validator("meeting.person")
async def check_person(value: str, ctx: Context) -> str:
    """A member of the roster (completed to the full name), or somebody else as typed (a guest)."""
    member = resolve(value, ctx.answers.get("roster") or [])
    if member is not None:
        return member["name"]
    value = _clean(re.sub(r"^\s*(?:đ/c|đồng chí)\s+", "", value, flags=re.IGNORECASE))
    if not re.search(r"[^\W\d_]", value):
        raise Invalid("Xin ghi họ tên.")
    return value


@validator("meeting.due")
async def check_due(value: str, ctx: Context) -> str:
    held = ctx.answers.get("held_on")
    if held and value < held:
        raise Invalid(f"Hạn {dates.format_date_short(date.fromisoformat(value))} ở trước ngày sinh hoạt "
                      f"({dates.format_date_short(date.fromisoformat(held))}). Xin nhập hạn từ ngày sinh hoạt trở đi.")
    return value


@validator("meeting.vote_for")
async def check_vote_for(value: int, ctx: Context) -> int:
    present = attendance_of(ctx.answers).present
    if value > present:
        raise Invalid(f"Số tán thành ({value}) vượt số đảng viên có mặt ({present}). Chỉ đảng viên có mặt mới "
                      "biểu quyết.")
    return value


@validator("meeting.vote_against")
async def check_vote_against(value: int, ctx: Context) -> int:
    present = attendance_of(ctx.answers).present
    for_ = ctx.answers.get("vote_for") or 0
    if for_ + value > present:
        raise Invalid(f"Tán thành {for_} + không tán thành {value} = {for_ + value}, vượt số đảng viên có mặt "
                      f"({present}).")
    if present - for_ - value:
        ctx.warn(f"Ghi nhận: {present - for_ - value} đồng chí có mặt không biểu quyết.")
    return value


@validator("meeting.ended_at")
async def check_ended_at(value: str, ctx: Context) -> str:
    started = ctx.answers.get("started_at")
    if started:
        length = duration(started, value)
        if length <= 0:
            raise Invalid(f"Giờ kết thúc ({clock_text(value)}) phải sau giờ bắt đầu ({clock_text(started)}); "
                          "buổi sinh hoạt kết thúc trong cùng ngày.")
        minimum = min_minutes(ctx.unit, ctx.answers.get("roster") or [])
        if length < minimum:
            ctx.warn(f"Lưu ý: buổi sinh hoạt kéo dài {minutes_text(length)}, ngắn hơn thời lượng tối thiểu "
                     f"{minutes_text(minimum)} của chi bộ. Tôi vẫn ghi nhận.")
    return value


# -- options and suggestions ------------------------------------------------------------------

def _attending(answers: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in answers.get("roster") or [] if not m["exempt"]]


@provider("meeting.chairs")
async def chairs(ctx: Context, answers: dict[str, Any]) -> list[Option]:
    members = _attending(answers)
    signer = ctx.unit.signer_name if ctx.unit else ""
    members.sort(key=lambda m: m["name"] != signer)
    return [Option(m["name"], m["name"]) for m in members]


@provider("meeting.secretaries")
async def secretaries(ctx: Context, answers: dict[str, Any]) -> list[Option]:
    return [Option(m["name"], m["name"]) for m in _attending(answers) if m["name"] != answers.get("chair")]


@provider("meeting.absentees")
async def absentees(ctx: Context, answers: dict[str, Any]) -> list[Option]:
    busy = {answers.get("chair"), answers.get("secretary")}
    return [Option(m["name"], m["name"]) for m in _attending(answers) if m["name"] not in busy]


@provider("meeting.owners")
async def owners(ctx: Context, answers: dict[str, Any]) -> list[Option]:
    return [Option("Chi ủy", "Chi ủy")] + [Option(m["name"], m["name"]) for m in _attending(answers)]


@provider("meeting.present")
async def present_count(ctx: Context, answers: dict[str, Any]) -> list[str]:
    return [str(attendance_of(answers).present)]


@provider("meeting.place")
async def last_places(ctx: Context, answers: dict[str, Any]) -> list[str]:
    rows = await ctx.store.fetch_all(
        "SELECT json_extract(answers, '$.place') AS place FROM meetings WHERE unit_id = ? "
        "ORDER BY held_on DESC, id DESC LIMIT 10", (ctx.unit.id,))
    out: list[str] = []
    for row in rows:
        if row["place"] and row["place"] not in out:
            out.append(row["place"])
    return out[:2]


async def planned_topic(store, unit_id: int, day: date) -> str | None:
    """The topic the unit's latest yearly thematic plan sets for the quarter of `day`."""
    rows = await store.fetch_all(
        "SELECT answers FROM documents WHERE unit_id = ? AND kind = 'plan_thematic' ORDER BY issued_on DESC, id DESC",
        (unit_id,))
    quarter = ROMAN[quarter_of(day) - 1]
    for row in rows:
        for topic in json.loads(row["answers"]).get("topics") or []:
            if topic.get("quarter") == quarter and topic.get("year") == day.year and topic.get("title"):
                return topic["title"]
    return None


@provider("meeting.topic")
async def suggest_topic(ctx: Context, answers: dict[str, Any]) -> list[str]:
    if not answers.get("held_on"):
        return []
    topic = await planned_topic(ctx.store, ctx.unit.id, date.fromisoformat(answers["held_on"]))
    return [topic] if topic else []


@provider("meeting.review")
async def suggest_review(ctx: Context, answers: dict[str, Any]) -> list[str]:
    """A draft of the review of last month's tasks, from their status on the tracker."""
    prev = answers.get("prev")
    if not prev or not prev.get("tasks"):
        return []
    tasks = prev["tasks"]
    done = [t for t in tasks if t["done"]]
    left = [t for t in tasks if not t["done"]]
    text = f"Chi bộ đã triển khai {len(tasks)} nhiệm vụ đề ra tại {prev['label']}"
    if not left:
        return [text + ", đến nay đã hoàn thành toàn bộ."]
    text += f": đã hoàn thành {len(done)} nhiệm vụ; còn {len(left)} nhiệm vụ chưa hoàn thành ("
    return [text + "; ".join(t["what"] for t in left) + "), chi bộ tiếp tục chỉ đạo thực hiện trong tháng tới."]


# -- list items -------------------------------------------------------------------------------

def show_guest(guest: dict[str, str]) -> str:
    return guest["name"] + (f" — {guest['role']}" if guest.get("role") else "")


@item_type("meeting.guest", show=show_guest)
def parse_guest(line: str) -> dict[str, str]:
    """'Hoàng Văn Hùng, Đảng ủy viên, phụ trách chi bộ' -> name and role."""
    line = re.sub(r"^\s*(?:\d+\s*[.)]|[-+•])\s*", "", line)
    line = re.sub(r"^(?:đ/c|đồng chí)\s+", "", line.strip(), flags=re.IGNORECASE)
    parts = re.split(r"\s*,\s*|\s+[-–]\s+", line, maxsplit=1)
    name, role = parts[0], parts[1] if len(parts) > 1 else ""
    name, role = _clean(name), _clean(role)
    if not re.search(r"[^\W\d_]", name):
        raise Invalid("Xin ghi họ tên đại biểu, rồi chức vụ sau dấu phẩy, ví dụ “Hoàng Văn Hùng, Đảng ủy viên”.")
    if len(name) > 60 or len(role) > 200:
        raise Invalid("Họ tên tối đa 60 ký tự, chức vụ tối đa 200 ký tự.")
    return {"name": name, "role": role}


def show_speech(speech: dict[str, str]) -> str:
    said = speech["said"].replace("\n", " ")
    return f"Đ/c {speech['who']}: " + (said[:100].rstrip() + "…" if len(said) > 100 else said)


_SPEECH = re.compile(r"^\s*(?:(?:đ/c|đ\.c\.?|đc|đồng chí)\s+)?(?P<who>[^:\n]{1,80}?)\s*:\s*(?P<said>.+)$",
                     re.IGNORECASE | re.DOTALL)


SPEECH_SEPARATOR = r"(?i)\n(?=\s*(?:đ/c|đ\.c|đồng chí)\s)"  # a new speaker starts a new item; other lines stay


@item_type("meeting.speech", show=show_speech, separator=SPEECH_SEPARATOR)
def parse_speech(text: str) -> dict[str, str]:
    """'Đ/c Lan: ...' (one speaker; further lines are more of what was said)."""
    match = _SPEECH.match(text.strip())
    if not match or not re.search(r"[^\W\d_]", match.group("who")):
        raise Invalid("Mỗi ý kiến ghi theo dạng “Đ/c Lan: nội dung phát biểu” (tên, dấu hai chấm, nội dung).")
    said = "\n".join(line.strip() for line in match.group("said").splitlines() if line.strip())
    if len(said) > 3000:
        raise Invalid("Mỗi ý kiến tối đa 3.000 ký tự; xin tóm tắt ngắn hơn.")
    return {"who": _clean(match.group("who")), "said": said}


# -- the documents ----------------------------------------------------------------------------

def _who(text: str, answers: dict[str, Any]) -> str:
    """A speaker or task owner as the minutes name them: a member's full name, else as typed."""
    people = (answers.get("roster") or []) + [{"name": g["name"]} for g in answers.get("guests") or []]
    member = resolve(text, people)
    return member["name"] if member else text


def meeting_name(answers: dict[str, Any]) -> str:
    """'sinh hoạt chi bộ thường kỳ tháng 11 năm 2026', 'sinh hoạt chi bộ chuyên đề quý IV năm 2026'."""
    if answers["kind"] == "thuong_ky":
        p = periods(answers)
        return f"sinh hoạt chi bộ thường kỳ tháng {mm(p['month'])} năm {p['year']}"
    held = date.fromisoformat(answers["held_on"])
    return f"sinh hoạt chi bộ chuyên đề quý {ROMAN[quarter_of(held) - 1]} năm {held.year}"


def title_lines(answers: dict[str, Any]) -> list[str]:
    """The title under BIÊN BẢN: the meeting in capitals, then the topic of a thematic one."""
    lines = [meeting_name(answers).upper()]
    if answers["kind"] == "chuyen_de":
        lines.append(f"Chuyên đề: “{answers['topic']}”")
    return lines


def view(answers: dict[str, Any], unit) -> dict[str, Any]:
    """What the templates print besides the answers themselves: counts, names, derived texts."""
    c = attendance_of(answers)
    against = answers.get("vote_against") or 0
    for_ = answers.get("vote_for") or 0
    v: dict[str, Any] = {
        "c": c,
        "name": meeting_name(answers),
        "start": clock_text(answers["started_at"]),
        "end": clock_text(answers["ended_at"]) if answers.get("ended_at") else "",
        "speeches": [],
        "tasks": [{"owner": _who(t["owner"], answers), "member": resolve(t["owner"], answers.get("roster") or []),
                   "what": t["what"], "due": t["due"]} for t in answers.get("tasks") or []],
        "vote": f"{for_}/{c.present} đồng chí tán thành ({percent(for_, c.present)}), {against} đồng chí không "
                "tán thành" + (f", {c.present - for_ - against} đồng chí không biểu quyết"
                               if c.present - for_ - against > 0 else ""),
        "vote_percent": percent(for_, c.present),
        "quality": QUALITY.get(answers.get("quality") or "", answers.get("quality") or ""),
        "dues": answers.get("dues") or "",
        "periods": periods(answers) if answers["kind"] == "thuong_ky" else None,
        "quarter": ROMAN[quarter_of(date.fromisoformat(answers["held_on"])) - 1],
    }
    for speech in answers.get("speeches") or []:
        lines = speech["said"].splitlines() or [""]
        v["speeches"].append({"who": _who(speech["who"], answers), "first": lines[0], "rest": lines[1:]})
    return v


def _header(unit) -> dict[str, str]:
    style = unit.spelling
    return {"superior": apply_spelling(unit.superior, style).upper(), "issuer": apply_spelling(unit.name, style).upper()}


def minutes_document(unit, answers: dict[str, Any], number: int | None) -> Document:
    held = date.fromisoformat(answers["held_on"])
    body = environment().get_template("minutes/minutes.md.j2").render(a=answers, v=view(answers, unit), unit=unit)
    style = unit.spelling
    return Document(
        **_header(unit),
        number=f"Số {number:02d}-{MINUTES_TYPE}/{unit.code}" if number else f"Số      -{MINUTES_TYPE}/{unit.code}",
        place_date=f"{unit.place}, {dates.format_date_long(held)}",
        doc_type="BIÊN BẢN",
        subject=apply_spelling("\n".join(title_lines(answers)), style),
        body=apply_spelling(body.strip(), style),
        signature_left=Signature("", "THƯ KÝ", answers["secretary"]),
        signature=Signature("", "CHỦ TRÌ", answers["chair"]),
    )


def resolution_title(answers: dict[str, Any]) -> str:
    return f"{RESOLUTIONS[answers['res_kind']][1]} {meeting_name(answers['m'])}"


def resolution_document(unit, answers: dict[str, Any]) -> Document:
    m = answers["m"]
    doc_type = answers["res_kind"]
    issued = date.fromisoformat(answers["issued_on"])
    number = answers.get("number")
    body = environment().get_template("minutes/resolution.md.j2").render(
        a=answers, m=m, v=view(m, unit), unit=unit, kind=doc_type)
    style = unit.spelling
    subject = meeting_name(m)
    subject = subject[0].upper() + subject[1:]
    if m["kind"] == "chuyen_de":
        subject += f"\nChuyên đề: “{m['topic']}”"
    return Document(
        **_header(unit),
        number=f"Số {number:02d}-{doc_type}/{unit.code}" if number else f"Số      -{doc_type}/{unit.code}",
        place_date=f"{answers['place']}, {dates.format_date_long(issued)}",
        doc_type=RESOLUTIONS[doc_type][0],
        subject=apply_spelling(subject, style),
        body=apply_spelling(body.strip(), style),
        recipients=[apply_spelling(r, style) for r in answers.get("recipients") or []],
        signature=Signature(answers["authority"], answers["signer_title"], answers["signer_name"]),
    )


def _file_name(head: str, number: int | None, doc_type: str, unit, title: str) -> str:
    code = f" {number:02d}-{doc_type}-{unit.code}" if number else ""
    name = re.sub(r'[\\/:*?"<>|\n“”]+', " ", f"{head}{code} - {title}")
    name = re.sub(r"\s+", " ", name).strip()
    return name[:110].rstrip() + ".docx"


async def _with_pdf(data: bytes, name: str, caption: str) -> tuple[list[Outgoing], bool]:
    out = [Outgoing(document=OutDocument(name, data, caption))]
    pdf = await to_pdf(data, name)
    if pdf is not None:
        out.append(Outgoing(document=OutDocument(name.removesuffix(".docx") + ".pdf", pdf)))
    return out, pdf is not None


# -- actions ----------------------------------------------------------------------------------

@action("meeting.preview")
async def preview(ctx: Context, answers: dict[str, Any], meta: dict[str, Any]) -> list[Outgoing]:
    errors, warnings = check(answers, ctx.unit)
    out = [Outgoing(title="Xem trước", text=render_text(minutes_document(ctx.unit, answers, None)))]
    notes = [f"Cần sửa: {e}" for e in errors] + [f"Lưu ý: {w}" for w in warnings]
    return out + ([Outgoing(text="\n".join(notes))] if notes else [])


@action("meeting.save")
async def save(ctx: Context, answers: dict[str, Any], meta: dict[str, Any]) -> list[Outgoing]:
    unit = ctx.unit
    errors, warnings = check(answers, unit)
    if errors:
        note = Outgoing(text="Chưa tạo được biên bản vì:\n" + "\n".join(f"- {e}" for e in errors)
                        + "\nXin sửa các mục liên quan (gõ “sửa N”).")
        return [note] + await ctx.engine.start(ctx, "meeting", answers=answers, meta=meta, review=True)
    held = date.fromisoformat(answers["held_on"])
    doc_series = series(unit, MINUTES_TYPE, held)
    title = meeting_name(answers)
    title = "Biên bản " + title
    by = f"{ctx.incoming.channel}:{ctx.incoming.user_id}"
    source = f"Biên bản {meeting_name(answers)}"
    tasks = [{"kind": "deadline", "title": t["what"], "due": t["due"], "who": _who(t["owner"], answers),
              "source": source} for t in answers.get("tasks") or []]
    for attempt in range(3):
        number = await ctx.store.next_number(unit.id, doc_series)
        doc = minutes_document(unit, answers, number)
        data = render_docx(doc)
        name = _file_name("Biên bản", number, MINUTES_TYPE, unit, upper_first(meeting_name(answers)))
        try:
            doc_id, meeting_id = await ctx.store.save_document({
                "unit_id": unit.id, "kind": "minutes", "doc_type": MINUTES_TYPE, "series": doc_series,
                "number": number, "issued_on": answers["held_on"], "title": title, "answers": answers,
                "filename": name, "content": data, "created_by": by}, tasks, meeting=new_meeting(answers))
            break
        except sqlite3.IntegrityError:  # another account took the number meanwhile
            if attempt == 2:
                raise
    out, has_pdf = await _with_pdf(data, name, f"{doc.number} — {title}")
    c = attendance_of(answers)
    lines = [f"Đã lưu biên bản {doc.number.removeprefix('Số ')} ({title[0].lower() + title[1:]}; mã văn bản {doc_id}).",
             f"Có mặt {c.present}/{c.due} đồng chí ({c.percent_text}); biểu quyết {view(answers, unit)['vote']}."]
    lines += [f"Lưu ý: {w}" for w in warnings]
    if tasks:
        lines.append(f"Đã đưa {len(tasks)} việc chi bộ giao vào danh sách hạn chót; các việc này sẽ được đưa vào "
                     "chương trình kiểm điểm ở buổi sinh hoạt thường kỳ tới:")
        lines += [f"- {dates.format_date_short(date.fromisoformat(t['due']))}: {t['who']} — {t['title']}"
                  for t in tasks[:10]]
    if not has_pdf:
        lines.append("(Máy chủ chưa cài LibreOffice nên chưa có bản PDF; tệp .docx mở được bằng Word hoặc WPS.)")
    lines.append("Đồng chí có thể soạn luôn nghị quyết hoặc kết luận của buổi sinh hoạt từ các nội dung trên:")
    out.append(Outgoing(text="\n".join(lines), choices=[
        Choice("Soạn nghị quyết", f"/sinhhoat nghiquyet {meeting_id}"),
        Choice("Soạn kết luận", f"/sinhhoat ketluan {meeting_id}"),
    ]))
    return out


def new_meeting(answers: dict[str, Any]) -> NewMeeting:
    """The meetings row and everyone's attendance, recorded with the minutes."""
    held = date.fromisoformat(answers["held_on"])
    if answers["kind"] == "thuong_ky":
        month, year = (int(x) for x in answers["month"].split("/"))
    else:
        month, year = held.month, held.year
    c = attendance_of(answers)
    excused = dict(c.excused)
    rows = []
    for member in answers.get("roster") or []:
        name = member["name"]
        status = ("exempt" if member["exempt"] else "excused" if name in excused
                  else "absent" if name in c.unexcused else "present")
        rows.append((name, status, excused.get(name)))
    return NewMeeting(kind=answers["kind"], period_year=year, period_month=month, topic=answers.get("topic"),
                      held_on=answers["held_on"], started_at=answers["started_at"], ended_at=answers.get("ended_at"),
                      answers=answers, attendance=tuple(rows))


@action("resolution.preview")
async def resolution_preview(ctx: Context, answers: dict[str, Any], meta: dict[str, Any]) -> list[Outgoing]:
    return [Outgoing(title="Xem trước", text=render_text(resolution_document(ctx.unit, answers)))]


@provider("resolution.next_number")
async def resolution_next_number(ctx: Context, answers: dict[str, Any]) -> list[str]:
    issued = date.fromisoformat(answers["issued_on"])
    return [str(await ctx.store.next_number(ctx.unit.id, series(ctx.unit, answers["res_kind"], issued)))]


@validator("resolution.number")
async def check_resolution_number(value: int, ctx: Context) -> int:
    if value < 1:
        raise Invalid("Số văn bản phải từ 1 trở lên.")
    kind = ctx.answers["res_kind"]
    doc_series = series(ctx.unit, kind, date.fromisoformat(ctx.answers["issued_on"]))
    if await ctx.store.number_taken(ctx.unit.id, doc_series, value):
        free = await ctx.store.next_number(ctx.unit.id, doc_series)
        raise Invalid(f"Số {value:02d}-{kind}/{ctx.unit.code} đã dùng cho một văn bản khác. Số tiếp theo còn trống "
                      f"là {free}.")
    return value


@action("resolution.save")
async def resolution_save(ctx: Context, answers: dict[str, Any], meta: dict[str, Any]) -> list[Outgoing]:
    unit = ctx.unit
    kind = answers["res_kind"]
    issued = date.fromisoformat(answers["issued_on"])
    doc_series = series(unit, kind, issued)
    number = answers.get("number")
    if number is not None and await ctx.store.number_taken(unit.id, doc_series, number):
        number = answers["number"] = await ctx.store.next_number(unit.id, doc_series)
        ctx.warn(f"Số vừa chọn đã được dùng trong lúc soạn; văn bản nhận số {number:02d}.")
    doc = resolution_document(unit, answers)
    data = render_docx(doc)
    title = resolution_title(answers)
    name = _file_name(RESOLUTIONS[kind][1], number, kind, unit, upper_first(meeting_name(answers["m"])))
    doc_id, _ = await ctx.store.save_document({
        "unit_id": unit.id, "kind": "resolution", "doc_type": kind, "series": doc_series, "number": number,
        "issued_on": answers["issued_on"], "title": title, "answers": answers, "filename": name, "content": data,
        "created_by": f"{ctx.incoming.channel}:{ctx.incoming.user_id}"}, [])
    out, has_pdf = await _with_pdf(data, name, f"{doc.number} — {title}")
    shown = doc.number.removeprefix("Số ").strip()
    lines = [f"Đã lưu {RESOLUTIONS[kind][1].lower()} {shown} (mã văn bản {doc_id}). Gõ /vanban để xem các văn bản."]
    if not has_pdf:
        lines.append("(Máy chủ chưa cài LibreOffice nên chưa có bản PDF; tệp .docx mở được bằng Word hoặc WPS.)")
    out.append(Outgoing(text="\n".join(lines)))
    return out


# -- the rhythm -------------------------------------------------------------------------------

async def logged(store, unit_id: int, year: int) -> tuple[dict[int, sqlite3.Row], dict[int, sqlite3.Row]]:
    """This year's meetings: regular ones by month, thematic ones by quarter (the first of each)."""
    rows = await store.fetch_all(
        "SELECT id, kind, period_year, period_month, held_on, topic FROM meetings "
        "WHERE unit_id = ? AND period_year = ? ORDER BY held_on, id", (unit_id, year))
    regular: dict[int, sqlite3.Row] = {}
    thematic: dict[int, sqlite3.Row] = {}
    for row in rows:
        if row["kind"] == "thuong_ky":
            regular.setdefault(row["period_month"], row)
        else:
            thematic.setdefault((row["period_month"] - 1) // 3 + 1, row)
    return regular, thematic


def _short(value: str) -> str:
    return dates.format_date_short(date.fromisoformat(value))


async def rhythm_text(store, unit, today: date, year: int | None = None) -> str:
    year = year or today.year
    regular, thematic = await logged(store, unit.id, year)
    lines = [f"Sinh hoạt thường kỳ năm {year}:"]
    held = due = 0
    for month in range(1, 13):
        if (year, month) > (today.year, today.month) and month not in regular:
            lines.append(f"- Tháng {month}: chưa đến")
            continue
        due += 1
        if month in regular:
            held += 1
            lines.append(f"- Tháng {month}: đã sinh hoạt ngày {_short(regular[month]['held_on'])}")
        elif (year, month) == (today.year, today.month):
            late = " — đã qua ngày 20" if today.day > REGULAR_BY_DAY else ""
            lines.append(f"- Tháng {month}: chưa có biên bản{late}")
        else:
            lines.append(f"- Tháng {month}: KHÔNG có biên bản")
    lines += ["", f"Sinh hoạt chuyên đề năm {year}:"]
    q_held = q_due = 0
    for q in range(1, 5):
        if (year, q) > (today.year, quarter_of(today)) and q not in thematic:
            lines.append(f"- Quý {ROMAN[q - 1]}: chưa đến")
            continue
        q_due += 1
        if q in thematic:
            q_held += 1
            row = thematic[q]
            topic = f" — “{row['topic']}”" if row["topic"] else ""
            lines.append(f"- Quý {ROMAN[q - 1]}: đã sinh hoạt ngày {_short(row['held_on'])}{topic}")
        elif (year, q) == (today.year, quarter_of(today)):
            lines.append(f"- Quý {ROMAN[q - 1]}: chưa có")
        else:
            lines.append(f"- Quý {ROMAN[q - 1]}: KHÔNG có")
    lines += ["", f"Tổng: {held}/{due} tháng đã sinh hoạt thường kỳ; {q_held}/{q_due} quý đã sinh hoạt chuyên đề."]
    return "\n".join(lines)


async def rhythm_notices(store, unit, today: date) -> list[str]:
    """The Vietnamese notices about the meeting rhythm due today (for the daily reminder sweep).

    - after the 20th of a month, while no regular meeting of that month is logged;
    - in the last month of a quarter, while no thematic meeting of that quarter is logged.
    A notice stays due every day until the meeting is logged or its period ends, and its text is the same
    every day of that period, so the sweep can use (unit, text) as the key that keeps it from being sent twice.
    `unit` is a bot.store.Unit (or its id).
    """
    if isinstance(unit, int):
        unit = await store.get_unit(unit)
    if unit is None:
        return []
    regular, thematic = await logged(store, unit.id, today.year)
    notices = []
    if today.day > REGULAR_BY_DAY and today.month not in regular:
        notices.append(f"Nhắc việc: đã qua ngày {REGULAR_BY_DAY}/{mm(today.month)}/{today.year} mà {unit.name} chưa có "
                       f"biên bản sinh hoạt thường kỳ tháng {today.month}/{today.year}. Nếu chi bộ đã họp, gõ "
                       "/sinhhoat để ghi biên bản; nếu chưa, xin sắp xếp sinh hoạt trước khi hết tháng.")
    q = quarter_of(today)
    if today.month % 3 == 0 and q not in thematic:
        topic = await planned_topic(store, unit.id, today)
        planned = f" Theo kế hoạch, chuyên đề quý này là “{topic}”." if topic else ""
        notices.append(f"Nhắc việc: đã sang tháng cuối của quý {ROMAN[q - 1]}/{today.year} mà {unit.name} chưa sinh hoạt "
                       f"chuyên đề trong quý (mỗi quý ít nhất một lần, không thay cho sinh hoạt thường kỳ).{planned} "
                       "Sau buổi sinh hoạt, gõ /sinhhoat để ghi biên bản.")
    return notices


async def this_month(ctx: Context) -> list[Outgoing]:
    today = ctx.clock.today()
    regular, thematic = await logged(ctx.store, ctx.unit.id, today.year)
    lines = []
    if today.month in regular:
        lines.append(f"Tháng {today.month}/{today.year}: chi bộ đã sinh hoạt thường kỳ ngày "
                     f"{_short(regular[today.month]['held_on'])}.")
    else:
        late = f" Đã qua ngày {REGULAR_BY_DAY}, xin sắp xếp sinh hoạt sớm." if today.day > REGULAR_BY_DAY else ""
        lines.append(f"Tháng {today.month}/{today.year}: chưa có biên bản sinh hoạt thường kỳ.{late}")
    q = quarter_of(today)
    if q in thematic:
        topic = f" (“{thematic[q]['topic']}”)" if thematic[q]["topic"] else ""
        lines.append(f"Quý {ROMAN[q - 1]}/{today.year}: đã sinh hoạt chuyên đề ngày {_short(thematic[q]['held_on'])}"
                     f"{topic}.")
    else:
        topic = await planned_topic(ctx.store, ctx.unit.id, today)
        planned = f" Theo kế hoạch: “{topic}”." if topic else ""
        lines.append(f"Quý {ROMAN[q - 1]}/{today.year}: chưa sinh hoạt chuyên đề.{planned}")
    return [Outgoing(text="\n".join(lines), choices=[Choice("Ghi biên bản", "/sinhhoat"),
                                                     Choice("Xem cả năm", "/nhipsinhhoat")])]


# -- statistics -------------------------------------------------------------------------------

async def statistics(store, unit, start: date, end: date, today: date) -> str:
    span = (start.isoformat(), end.isoformat())
    meetings = await store.fetch_all(
        "SELECT id, kind FROM meetings WHERE unit_id = ? AND held_on BETWEEN ? AND ? ORDER BY held_on",
        (unit.id, *span))
    head = f"Thống kê sinh hoạt từ {dates.format_date_short(start)} đến {dates.format_date_short(end)}"
    if not meetings:
        return head + ":\nChưa có buổi sinh hoạt nào được ghi biên bản trong khoảng này."
    regular = sum(1 for m in meetings if m["kind"] == "thuong_ky")
    lines = [head + ":", f"Số buổi sinh hoạt: {len(meetings)} (thường kỳ {regular}, chuyên đề "
                         f"{len(meetings) - regular})."]
    rows = await store.fetch_all(
        "SELECT a.person_name AS name, a.status AS status, COUNT(*) AS n FROM attendance a "
        "JOIN meetings m ON m.id = a.meeting_id WHERE m.unit_id = ? AND m.held_on BETWEEN ? AND ? "
        "GROUP BY a.person_name, a.status", (unit.id, *span))
    per: dict[str, dict[str, int]] = {}
    for row in rows:
        per.setdefault(row["name"], {})[row["status"]] = row["n"]
    order = [p.name for p in await store.people(unit.id)]
    names = [n for n in order if n in per] + sorted(n for n in per if n not in order)
    lines += ["", "Chuyên cần của từng đảng viên:"]
    attended = required = 0
    for n, name in enumerate(names, 1):
        s = per[name]
        must = s.get("present", 0) + s.get("excused", 0) + s.get("absent", 0)
        attended, required = attended + s.get("present", 0), required + must
        parts = [f"dự {s.get('present', 0)}/{must} buổi ({percent(s.get('present', 0), must)})"] if must else []
        if s.get("excused"):
            parts.append(f"vắng có lý do {s['excused']}")
        if s.get("absent"):
            parts.append(f"vắng không lý do {s['absent']}")
        if s.get("exempt"):
            parts.append(f"miễn sinh hoạt {s['exempt']} buổi")
        lines.append(f"{n}. {name}: " + ", ".join(parts))
    lines.append(f"Tỷ lệ dự sinh hoạt chung: {percent(attended, required)}.")

    tasks = await store.fetch_all(
        "SELECT d.due, d.status, d.done_at FROM deadlines d "
        "JOIN meetings m ON m.id = d.meeting_id WHERE m.unit_id = ? AND m.held_on BETWEEN ? AND ?",
        (unit.id, *span))
    lines.append("")
    if not tasks:
        lines.append("Việc chi bộ giao tại các buổi sinh hoạt: chưa có.")
        return "\n".join(lines)
    on_time = late = done_unknown = overdue = running = 0
    for t in tasks:
        if t["status"] == "done":
            finished = (t["done_at"] or "")[:10]
            if not finished:
                done_unknown += 1
            elif finished <= t["due"]:
                on_time += 1
            else:
                late += 1
        elif t["due"] < today.isoformat():
            overdue += 1
        else:
            running += 1
    parts = [f"hoàn thành đúng hạn {on_time}", f"hoàn thành trễ hạn {late}"]
    if done_unknown:  # marked done before the tracker recorded when
        parts.append(f"hoàn thành (không rõ ngày) {done_unknown}")
    parts += [f"quá hạn chưa hoàn thành {overdue}", f"đang thực hiện, chưa đến hạn {running}"]
    lines.append(f"Việc chi bộ giao tại các buổi sinh hoạt: {len(tasks)} — " + ", ".join(parts) + ".")
    return "\n".join(lines)


# -- commands ---------------------------------------------------------------------------------

async def previous_tasks(store, unit_id: int, today: date) -> dict[str, Any] | None:
    """The tasks given at the last regular meeting and at the meetings held since, with their status today."""
    last = await store.fetch_one(
        "SELECT held_on FROM meetings WHERE unit_id = ? AND kind = 'thuong_ky' ORDER BY held_on DESC, id DESC LIMIT 1",
        (unit_id,))
    meetings = await store.fetch_all(
        "SELECT id, kind, period_year, period_month, held_on FROM meetings WHERE unit_id = ? AND held_on >= ? "
        "ORDER BY held_on, id", (unit_id, last["held_on"] if last else "0000-00-00"))
    tasks, names = [], []
    for meeting in meetings:
        rows = await store.fetch_all(
            "SELECT title, due, assignee, status FROM deadlines WHERE meeting_id = ? ORDER BY due, id", (meeting["id"],))
        if not rows:
            continue
        if meeting["kind"] == "thuong_ky":
            names.append(f"buổi sinh hoạt thường kỳ tháng {meeting['period_month']}/{meeting['period_year']}")
        else:
            names.append(f"buổi sinh hoạt chuyên đề ngày {_short(meeting['held_on'])}")
        for r in rows:
            done = r["status"] == "done"
            status = ("đã hoàn thành" if done else "chưa hoàn thành, đã quá hạn" if r["due"] < today.isoformat()
                      else "đang thực hiện")
            tasks.append({"what": r["title"], "owner": r["assignee"] or "", "due": r["due"], "done": done,
                          "status": status})
    if not tasks:
        return None
    label = ", ".join(names[:-1]) + (" và " if len(names) > 1 else "") + names[-1]
    shown = [f"Các việc chi bộ giao tại {label} (theo danh sách hạn chót):"]
    shown += [f"{n}. {t['owner'] + ': ' if t['owner'] else ''}{t['what']} — hạn {_short(t['due'])}: {t['status']}"
              for n, t in enumerate(tasks, 1)]
    return {"label": label, "tasks": tasks, "shown": "\n".join(shown)}


async def cmd_meeting(ctx: Context, arg: str) -> list[Outgoing]:
    if not ctx.unit:
        return [Outgoing(text=NEEDS_UNIT)]
    word, _, rest = arg.partition(" ")
    kind = {"nghiquyet": "NQ", "nq": "NQ", "ketluan": "KL", "kl": "KL"}.get(fold(word).replace(" ", ""))
    if kind:
        return await start_resolution(ctx, kind, rest.strip())
    if fold(arg) in ("nhip", "nhip sinh hoat"):
        return await cmd_rhythm(ctx, "")
    roster = roster_snapshot(await ctx.people())
    if not any(not m["exempt"] for m in roster):
        return [Outgoing(text=NEEDS_ROSTER)]
    prev = await previous_tasks(ctx.store, ctx.unit.id, ctx.clock.today())
    return await ctx.engine.start(ctx, "meeting", answers={"roster": roster, "prev": prev})


async def start_resolution(ctx: Context, kind: str, ident: str) -> list[Outgoing]:
    row = None
    if ident.isdigit():
        row = await ctx.store.fetch_one("SELECT id, answers FROM meetings WHERE unit_id = ? AND id = ?",
                                        (ctx.unit.id, int(ident)))
    else:
        row = await ctx.store.fetch_one("SELECT id, answers FROM meetings WHERE unit_id = ? "
                                        "ORDER BY held_on DESC, id DESC LIMIT 1", (ctx.unit.id,))
    if row is None:
        return [Outgoing(text="Không tìm thấy buổi sinh hoạt này. Gõ /sinhhoat để ghi biên bản trước, rồi soạn nghị "
                              "quyết hoặc kết luận từ biên bản đó.")]
    m = json.loads(row["answers"])
    return await ctx.engine.start(ctx, "resolution", answers={"res_kind": kind, "m": m, "meeting_id": row["id"]})


async def cmd_rhythm(ctx: Context, arg: str) -> list[Outgoing]:
    if not ctx.unit:
        return [Outgoing(text=NEEDS_UNIT)]
    today = ctx.clock.today()
    year = int(arg) if arg.strip().isdigit() and 2000 <= int(arg) <= 2100 else today.year
    text = await rhythm_text(ctx.store, ctx.unit, today, year)
    return [Outgoing(title=f"Nhịp sinh hoạt chi bộ năm {year} — {ctx.unit.name}", text=text,
                     choices=[Choice("Ghi biên bản", "/sinhhoat"), Choice("Thống kê", "/thongke")])]


async def cmd_statistics(ctx: Context, arg: str) -> list[Outgoing]:
    if not ctx.unit:
        return [Outgoing(text=NEEDS_UNIT)]
    today = ctx.clock.today()
    if arg.strip():
        try:
            when = dates.parse_when(arg, today=today, default_kind="period")
        except dates.DateError as exc:
            return [Outgoing(text=f"{exc}\nVí dụ: /thongke năm {today.year}, /thongke quý "
                                  f"{ROMAN[quarter_of(today) - 1]}/{today.year}, /thongke tháng {today.month}/{today.year}.")]
        start, end = when.start or when.due, when.due
    else:
        start, end = date(today.year, 1, 1), today
    text = await statistics(ctx.store, ctx.unit, start, end, today)
    q = ROMAN[quarter_of(today) - 1]
    return [Outgoing(title=f"Thống kê — {ctx.unit.name}", text=text, choices=[
        Choice("Tháng này", f"/thongke tháng {today.month}/{today.year}"),
        Choice("Quý này", f"/thongke quý {q}/{today.year}"),
        Choice("Cả năm", f"/thongke năm {today.year}"),
        Choice("Năm trước", f"/thongke năm {today.year - 1}"),
    ])]


COMMANDS: dict = {"sinhhoat": cmd_meeting, "nhipsinhhoat": cmd_rhythm, "thongke": cmd_statistics}

_ASKS_RHYTHM = re.compile(r"\bsinh hoat\b.*\bchua\b|\b(?:chi bo|da) hop\b.*\bchua\b|\bhop chi bo\b.*\bchua\b"
                          r"|\bnhip sinh hoat\b")
_WANTS_MINUTES = re.compile(r"^(?:ghi|lap|lam|soan) bien ban(?: sinh hoat| hop)?(?: chi bo)?$")


async def free_text(ctx: Context, text: str) -> list[Outgoing] | None:
    """Questions about meetings in plain words; None when the text is not one."""
    if not ctx.unit:
        return None
    folded = fold(text).strip(" ?.!")
    if _ASKS_RHYTHM.search(folded):
        return await this_month(ctx)
    if _WANTS_MINUTES.match(folded):
        return await cmd_meeting(ctx, "")
    return None
