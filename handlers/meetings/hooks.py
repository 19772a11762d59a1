"""The hooks the meeting flow (data/flows/meeting.yaml) names: validators of its answers, providers of its
options and suggestions, and its list item types (guests, speeches)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot import dates
from bot.formats import clock_text, thousands
from bot.messages import Choice
from bot.rhythm import planned_topic
from bot.templating import environment
from bot.text import fold
from bot.tidy import tidy
from bot.tidy.people import capitalised_name
from handlers.context import Context
from handlers.draft import Draft
from handlers.forms import Invalid, item_type, provider, validator
from handlers.meetings.attendance import (
    ATTENDANCE_TARGET,
    attendance_of,
    clean,
    count,
    duration,
    min_minutes,
    minutes_text,
    months_of,
    resolve,
    roster_member,
)
from handlers.tidying import unit_known

# Flows are static data; the questions that show counts call these from their Jinja templates.
environment().globals.update(meeting_attendance=count, meeting_months=months_of)


# -- validators -------------------------------------------------------------------------------

@validator("meeting.held_on")
async def check_held_on(ctx: Context, draft: Draft, value: str) -> str:
    day = date.fromisoformat(value)
    if day > ctx.clock.today():
        ctx.warn(f"Lưu ý: ngày {dates.format_date_short(day)} chưa tới; biên bản thường được ghi trong hoặc ngay sau "
                 "buổi sinh hoạt. Tôi vẫn ghi nhận.")
    return value


_MONTH = re.compile(r"^(?:thang\s*)?(\d{1,2})(?:\s*(?:[/.\-]|nam)\s*(\d{4}))?$")


@validator("meeting.month")
async def check_month(ctx: Context, draft: Draft, value: str) -> str:
    """'11/2026', 'tháng 11 năm 2026', '11' (the year of the meeting) -> '11/2026'."""
    match = _MONTH.match(fold(value).strip(" ."))
    held = date.fromisoformat(draft.answers["held_on"])
    if not match or not 1 <= int(match.group(1)) <= 12:
        raise Invalid(f"Xin ghi tháng và năm, ví dụ {held.month}/{held.year}.")
    month, year = int(match.group(1)), int(match.group(2) or held.year)
    if abs((year * 12 + month) - (held.year * 12 + held.month)) > 1:
        raise Invalid(f"Tháng {month}/{year} cách xa ngày sinh hoạt ({dates.format_date_short(held)}). Biên bản "
                      "sinh hoạt thường kỳ ghi cho tháng diễn ra buổi sinh hoạt (hoặc tháng liền kề).")
    assert ctx.unit is not None
    logged = await ctx.store.regular_meeting_of_month(ctx.unit.id, year, month)
    if logged is not None and logged.id != draft.meta.get("meeting_id"):  # a revised Biên bản is its own
        ctx.warn(f"Lưu ý: chi bộ đã có biên bản sinh hoạt thường kỳ tháng {month}/{year} (ngày "
                 f"{dates.format_date_short(logged.held_on)}); biên bản này sẽ được lưu thêm.")
    return f"{month}/{year}"


@validator("meeting.topic")
async def check_topic(ctx: Context, draft: Draft, value: str) -> str:
    value = clean(value).strip("“”\"' ")
    if len(value) < 5:
        raise Invalid("Tên quá ngắn. Xin ghi rõ, ví dụ “Nâng cao chất lượng sinh hoạt chi bộ”.")
    return value[0].upper() + value[1:]


@validator("meeting.phrase")
async def check_phrase(ctx: Context, draft: Draft, value: str) -> str:
    value = clean(value)
    if not re.search(r"[^\W\d_]", value):
        raise Invalid("Câu trả lời phải có chữ. Xin gõ lại.")
    return value


def _attending_member(draft: Draft, value: str, role: str) -> str:
    member = roster_member(value, draft.answers.get("roster") or [])
    if member["exempt"]:
        raise Invalid(f"Đồng chí {member['name']} được miễn sinh hoạt theo hồ sơ đơn vị nên không tính vào số có mặt. "
                      f"Xin chọn đồng chí {role} khác (hoặc sửa hồ sơ bằng /donvi sau khi ghi xong biên bản).")
    return member["name"]


@validator("meeting.chair")
async def check_chair(ctx: Context, draft: Draft, value: str) -> str:
    return _attending_member(draft, value, "chủ trì")


@validator("meeting.secretary")
async def check_secretary(ctx: Context, draft: Draft, value: str) -> str:
    name = _attending_member(draft, value, "thư ký")
    if name == draft.answers.get("chair"):
        raise Invalid(f"Đồng chí {name} đang chủ trì; thư ký phải là một đồng chí khác.")
    return name


def _absent_so_far(draft: Draft) -> list[dict[str, Any]]:
    """Members already entered in the absent list, which is being answered."""
    entry = draft.pending_group("absent")
    return [dict(i) for i in entry.items] if entry is not None else []


@validator("meeting.absentee")
async def check_absentee(ctx: Context, draft: Draft, value: str) -> str:
    roster = draft.answers.get("roster") or []
    member = roster_member(value, roster)
    name = member["name"]
    if member["exempt"]:
        raise Invalid(f"Đồng chí {name} được miễn sinh hoạt nên không tính là vắng mặt. Xin chọn đồng chí khác.")
    for role, key in (("chủ trì", "chair"), ("làm thư ký", "secretary")):
        if draft.answers.get(key) == name:
            raise Invalid(f"Đồng chí {name} {role} buổi sinh hoạt nên có mặt. Xin chọn đồng chí khác.")
    so_far = _absent_so_far(draft)
    if any(i.get("who") == name for i in so_far):
        c = count(roster, so_far + [{"who": name, "status": "absent"}])
        raise Invalid(f"Đồng chí {name} đã được ghi vắng. Ghi thêm lần nữa thì số liệu không khớp: có mặt "
                      f"{c.present} + vắng {c.listed_absent} = {c.present + c.listed_absent}, vượt số đảng viên phải "
                      f"dự sinh hoạt ({c.due}). Xin chọn đồng chí khác.")
    return name


@validator("meeting.money")
async def check_money(ctx: Context, draft: Draft, value: str) -> str:
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
    return thousands(amount)


@validator("meeting.reason")
async def check_reason(ctx: Context, draft: Draft, value: str) -> str:
    value = clean(value)
    if len(value) < 2:
        raise Invalid("Xin ghi lý do vắng, ví dụ “đi công tác”.")
    return value


@validator("meeting.attendance")
async def check_attendance(ctx: Context, draft: Draft, value: str) -> str:
    c = attendance_of(draft.answers)
    if not c.adds_up:
        raise Invalid(c.mismatch + "\nGõ “quay lại” để sửa danh sách vắng (“xóa N” để bỏ mục N).")
    if c.due and c.rate < ATTENDANCE_TARGET:
        ctx.warn(f"Lưu ý: tỷ lệ đảng viên dự sinh hoạt là {c.percent_text}, dưới {ATTENDANCE_TARGET:.0f}%.")
    return value


@validator("meeting.person")
async def check_person(ctx: Context, draft: Draft, value: str) -> str:
    """A member of the roster (completed to the full name), or somebody else as typed (a guest)."""
    member = resolve(value, draft.answers.get("roster") or [])
    if member is not None:
        return member["name"]
    value = clean(re.sub(r"^\s*(?:đ/c|đồng chí)\s+", "", value, flags=re.IGNORECASE))
    if not re.search(r"[^\W\d_]", value):
        raise Invalid("Xin ghi họ tên.")
    return value


@validator("meeting.due")
async def check_due(ctx: Context, draft: Draft, value: str) -> str:
    held = draft.answers.get("held_on")
    if held and value < held:
        raise Invalid(f"Hạn {dates.format_date_short(date.fromisoformat(value))} ở trước ngày sinh hoạt "
                      f"({dates.format_date_short(date.fromisoformat(held))}). Xin nhập hạn từ ngày sinh hoạt trở đi.")
    return value


@validator("meeting.vote_against")
async def check_vote_against(ctx: Context, draft: Draft, value: int) -> int:
    present = attendance_of(draft.answers).present
    for_ = draft.answers.get("vote_for") or 0
    if for_ + value > present:
        raise Invalid(f"Tán thành {for_} + không tán thành {value} = {for_ + value}, vượt số đảng viên có mặt "
                      f"({present}).")
    if present - for_ - value:
        ctx.warn(f"Ghi nhận: {present - for_ - value} đồng chí có mặt không biểu quyết.")
    return value


@validator("meeting.ended_at")
async def check_ended_at(ctx: Context, draft: Draft, value: str) -> str:
    started = draft.answers.get("started_at")
    if started:
        length = duration(started, value)
        if length <= 0:
            raise Invalid(f"Giờ kết thúc ({clock_text(value)}) phải sau giờ bắt đầu ({clock_text(started)}); "
                          "buổi sinh hoạt kết thúc trong cùng ngày.")
        minimum = min_minutes(ctx.unit, draft.answers.get("roster") or [])
        if length < minimum:
            ctx.warn(f"Lưu ý: buổi sinh hoạt kéo dài {minutes_text(length)}, ngắn hơn thời lượng tối thiểu "
                     f"{minutes_text(minimum)} của chi bộ. Tôi vẫn ghi nhận.")
    return value


# -- options and suggestions ------------------------------------------------------------------

def _attending(answers: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in answers.get("roster") or [] if not m["exempt"]]


@provider("meeting.chairs")
async def chairs(ctx: Context, draft: Draft) -> list[Choice]:
    members = _attending(draft.answers)
    signer = ctx.unit.signer_name if ctx.unit else ""
    members.sort(key=lambda m: m["name"] != signer)
    return [Choice(m["name"], m["name"]) for m in members]


@provider("meeting.secretaries")
async def secretaries(ctx: Context, draft: Draft) -> list[Choice]:
    answers = draft.answers
    return [Choice(m["name"], m["name"]) for m in _attending(answers) if m["name"] != answers.get("chair")]


@provider("meeting.absentees")
async def absentees(ctx: Context, draft: Draft) -> list[Choice]:
    answers = draft.answers
    busy = {answers.get("chair"), answers.get("secretary")} | {i.get("who") for i in _absent_so_far(draft)}
    return [Choice(m["name"], m["name"]) for m in _attending(answers) if m["name"] not in busy]


@provider("meeting.owners")
async def owners(ctx: Context, draft: Draft) -> list[Choice]:
    return [Choice("Chi ủy", "Chi ủy")] + [Choice(m["name"], m["name"]) for m in _attending(draft.answers)]


@provider("meeting.present")
async def present_count(ctx: Context, draft: Draft) -> list[str]:
    return [str(attendance_of(draft.answers).present)]


@provider("meeting.place")
async def last_places(ctx: Context, draft: Draft) -> list[str]:
    assert ctx.unit is not None
    out: list[str] = []
    for place in await ctx.store.last_places(ctx.unit.id):
        if place not in out:
            out.append(place)
    return out[:2]


@provider("meeting.topic")
async def suggest_topic(ctx: Context, draft: Draft) -> list[str]:
    held = draft.answers.get("held_on")
    if not held:
        return []
    assert ctx.unit is not None
    topic = await planned_topic(ctx.store, ctx.unit.id, date.fromisoformat(held))
    return [topic] if topic else []


@provider("meeting.review")
async def suggest_review(ctx: Context, draft: Draft) -> list[str]:
    """A draft of the review of last month's tasks, from their status on the tracker."""
    prev = draft.answers.get("prev")
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
def parse_guest(ctx: Context, line: str) -> dict[str, str]:
    """'Hoàng Văn Hùng, Đảng ủy viên, phụ trách chi bộ' -> name and role."""
    line = re.sub(r"^\s*(?:\d+\s*[.)]|[-+•])\s*", "", line)
    line = re.sub(r"^(?:đ/c|đồng chí)\s+", "", line.strip(), flags=re.IGNORECASE)
    parts = re.split(r"\s*,\s*|\s+[-–]\s+", line, maxsplit=1)
    name, role = parts[0], parts[1] if len(parts) > 1 else ""
    name, role = clean(name), clean(role)
    name = capitalised_name(name) if name == name.lower() else name
    role = tidied(ctx, role, "phrase")
    if not re.search(r"[^\W\d_]", name):
        raise Invalid("Xin ghi họ tên đại biểu, rồi chức vụ sau dấu phẩy, ví dụ “Hoàng Văn Hùng, Đảng ủy viên”.")
    if len(name) > 60 or len(role) > 200:
        raise Invalid("Họ tên tối đa 60 ký tự, chức vụ tối đa 200 ký tự.")
    return {"name": name, "role": role}


def show_speech(speech: dict[str, str]) -> str:
    said = speech["said"].replace("\n", " ")
    return f"Đ/c {speech['who']}: " + (said[:100].rstrip() + "…" if len(said) > 100 else said)


_PREFIX = r"(?:đ/c|đ\.c\.?|đc|dc|d/c|đồng chí|dong chi)"
# Verbs of speaking between the name and what was said, dropped: "đ/c Tuấn phát biểu …", "Tuấn nói …".
_SAID = (r"(?:có ý kiến|co y kien|tham gia ý kiến|tham gia y kien|phát biểu|phat bieu|ý kiến|y kien|góp ý|gop y|"
         r"nêu ý kiến|neu y kien|trình bày|trinh bay|nói|noi|cho biết|cho biet)")
# Words that start what was said and are kept: "Tuấn đề nghị …".
_SAYS = (r"(?:đề nghị|de nghi|đề xuất|de xuat|kiến nghị|kien nghi|nhất trí|nhat tri|đồng ý|dong y|thống nhất|"
         r"thong nhat|tán thành|tan thanh|cho rằng|cho rang|báo cáo|bao cao|hỏi|hoi|lưu ý|luu y)")
_NAME = r"[^\W\d_]+(?:\s+[^\W\d_]+){0,3}"
# Line heads that are not a speaker: "Hạn chế: …", "Kết quả - …" go on with what the speaker above said.
_NOT_SPEAKERS = ("hạn chế", "han che", "kết quả", "ket qua", "ưu điểm", "uu diem", "nhược điểm", "nhuoc diem",
                 "khuyết điểm", "khuyet diem", "nguyên nhân", "nguyen nhan", "tồn tại", "ton tai", "đề nghị", "de nghi",
                 "kiến nghị", "kien nghi", "đề xuất", "de xuat", "giải pháp", "giai phap", "nội dung", "noi dung",
                 "ý kiến", "y kien", "lưu ý", "luu y", "ghi chú", "ghi chu", "ví dụ", "vi du", "kết luận", "ket luan",
                 "cụ thể", "cu the", "thứ nhất", "thu nhat", "thứ hai", "thu hai", "thứ ba", "thu ba", "mục tiêu",
                 "muc tieu", "nhiệm vụ", "nhiem vu", "phương hướng", "phuong huong", "biện pháp", "bien phap",
                 "chi bộ", "chi bo", "chi ủy", "chi uy", "tóm lại", "tom lai", "một là", "hai là", "ba là")
_NOT_SPEAKER = r"(?!(?:" + "|".join(re.escape(w) for w in _NOT_SPEAKERS) + r")(?!\w))"

_SPEECHES = [
    # "Đ/c Lan: …", "đồng chí Nguyễn Văn An : …", "tuấn: …", "tuấn - …", "tuấn – …"
    re.compile(rf"^\s*(?:{_PREFIX}\s+)?{_NOT_SPEAKER}(?P<who>[^:\n]{{1,80}}?)\s*:\s*(?P<said>.+)$", re.I | re.S),
    re.compile(rf"^\s*(?:{_PREFIX}\s+)?{_NOT_SPEAKER}(?P<who>{_NAME}?)\s+[-–—]\s*(?P<said>.+)$", re.I | re.S),
    re.compile(rf"^\s*(?:{_PREFIX}\s+)?{_NOT_SPEAKER}(?P<who>{_NAME}?)\s*[–—]\s*(?P<said>.+)$", re.I | re.S),
    # "đ/c Tuấn phát biểu …", "đồng chí Tuấn ý kiến: …", "Tuấn nói …"
    re.compile(rf"^\s*(?:{_PREFIX}\s+)?{_NOT_SPEAKER}(?P<who>{_NAME}?)\s+{_SAID}(?!\w)\s*[:\-–—,]?\s*(?P<said>.+)$",
               re.I | re.S),
    # "đ/c Tuấn đề nghị …" (with the title only: without it, "Tuấn đề nghị" could be any sentence)
    re.compile(rf"^\s*{_PREFIX}\s+(?P<who>{_NAME}?)\s+(?P<said>{_SAYS}(?!\w).+)$", re.I | re.S),
]

# A new speaker starts a new item; other lines are more of what the speaker above said.
SPEECH_SEPARATOR = (rf"(?i)\n(?=\s*{_PREFIX}\s|\s*{_NOT_SPEAKER}{_NAME}\s*(?::|\s[-–—]\s|[–—])"
                    rf"|\s*{_NOT_SPEAKER}{_NAME}\s+{_SAID}(?!\w))")


@item_type("meeting.speech", show=show_speech, separator=SPEECH_SEPARATOR)
def parse_speech(ctx: Context, text: str) -> dict[str, str]:
    """'Đ/c Lan: …', 'tuấn - …', 'đ/c Tuấn phát biểu …', 'Tuấn nói …' (one speaker; further lines are more of what
    was said)."""
    text = text.strip()
    match = next((m for m in (p.match(text) for p in _SPEECHES) if m and re.search(r"[^\W\d_]", m.group("who"))), None)
    if not match or len(match.group("who").split()) > 6:
        raise Invalid("Mỗi ý kiến ghi theo dạng “Lan: nội dung phát biểu” (tên, dấu hai chấm, nội dung), “Lan - nội "
                      "dung” hoặc “đ/c Lan phát biểu …”.")
    said = "\n".join(line.strip() for line in match.group("said").splitlines() if line.strip())
    if not re.search(r"[^\W\d_]", said):
        raise Invalid("Chưa có nội dung phát biểu. Xin ghi theo dạng “Lan: nội dung phát biểu”.")
    if len(said) > 3000:
        raise Invalid("Mỗi ý kiến tối đa 3.000 ký tự; xin tóm tắt ngắn hơn.")
    who = clean(re.sub(rf"(?i)\s+{_SAID}$", "", match.group("who").strip()))  # "đồng chí Tuấn ý kiến: …"
    who = capitalised_name(who) if who == who.lower() else who
    return {"who": who, "said": tidied(ctx, said, "paragraphs")}


def tidied(ctx: Context, text: str, how: str) -> str:
    """A part of a list item as the document prints it (bot/tidy: abbreviations, bodies, dates, capitals); the
    roster is not needed here: the speaker and the guest are matched apart."""
    if not text:
        return text
    try:
        return tidy(text, how=how, known_names=unit_known(ctx), today=ctx.clock.today()).text
    except dates.DateError:  # a cited date that cannot be: kept as typed, as before tidying existed
        return text

