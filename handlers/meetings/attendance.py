"""The roster and the attendance of a meeting, the periods it reviews and plans for, and the rules the
finished minutes must keep. Pure logic: no store, no conversation.

Attendance is taken by tapping the roster: everybody who is not exempt counts as present except the
members picked as absent (each "with a reason", which is then asked, or "without"). The counts per
chính thức / dự bị and the percentage are always computed, never typed, and checked: present + absent =
total - exempt; votes never exceed those present; the end comes after the start.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from bot import dates
from bot.formats import clock_text, mm, percent, shift_month
from bot.store.records import Person, Unit
from bot.text import fold
from handlers.forms import Invalid

MIN_MINUTES, MIN_MINUTES_LARGE, LARGE_CELL = 90, 120, 30  # per unit: settings["meeting_min_minutes"]
ATTENDANCE_TARGET = 90.0
EARLY_BY_DAY = 15  # a regular meeting held by this day reviews the month before (see months_of)


def clean(text: str) -> str:
    """Single spaces, no surrounding spaces or trailing punctuation."""
    return re.sub(r"\s+", " ", text).strip().strip(" .;,")


# -- the roster and attendance -----------------------------------------------------------------

def roster_snapshot(people: Iterable[Person]) -> list[dict[str, Any]]:
    """The roster as stored in the answers; a repeated name gets a number so every member stays apart."""
    seen: dict[str, int] = {}
    out: list[dict[str, Any]] = []
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
    """The one member a typed name means; None when it means none or several."""
    found = candidates(text, roster)
    return found[0] if len(found) == 1 else None


def roster_member(text: str, roster: list[dict[str, Any]]) -> dict[str, Any]:
    """The roster member a typed or tapped name means; Invalid with the reason otherwise."""
    found = candidates(text, roster)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise Invalid(f"Có {len(found)} đồng chí tên “{clean(text)}”: "
                      + ", ".join(m["name"] for m in found) + ". Xin chọn hoặc gõ đủ họ tên.")
    raise Invalid(f"Không có đồng chí “{clean(text)}” trong danh sách đảng viên của chi bộ. Xin chọn một tên "
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


def min_minutes(unit: Unit | None, roster: list[dict[str, Any]]) -> int:
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


def check(answers: dict[str, Any], unit: Unit | None) -> tuple[list[str], list[str]]:
    """Every rule the finished minutes must keep (errors) and those that only deserve a warning."""
    errors: list[str] = []
    warnings: list[str] = []
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

