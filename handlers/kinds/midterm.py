"""Hooks used only by the midterm plan flow (data/flows/plan_midterm.yaml)."""

from __future__ import annotations

import re
from datetime import date

from bot import dates
from bot.store.records import Unit
from bot.text import fold, is_count
from handlers.context import Context
from handlers.draft import Draft
from handlers.forms import Invalid, item_type, validator

_ROMAN_DIGITS = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}


def roman(number: int) -> str:
    out = ""
    for value, letters in _ROMAN_DIGITS:
        while number >= value:
            out += letters
            number -= value
    return out


def from_roman(text: str) -> int | None:
    text = text.upper()
    if not text or not re.fullmatch(r"X{0,3}(?:IX|IV|V?I{0,3})", text):
        return None
    total = 0
    for i, ch in enumerate(text):
        value = _ROMAN_VALUES[ch]
        total += -value if i + 1 < len(text) and _ROMAN_VALUES[text[i + 1]] > value else value
    return total or None


def _ordinal(text: str) -> int | None:
    """3, "III", "thứ 3", "lần thứ III" -> 3."""
    text = re.sub(r"^(?:đại hội\s+)?(?:lần\s+)?(?:thứ\s+)?", "", text.strip(), flags=re.IGNORECASE).strip(" .")
    if is_count(text):
        return int(text) if 0 < int(text) < 40 else None
    return from_roman(text)


def party_body(unit: Unit | None) -> str:
    """The đảng bộ (chi bộ) a congress belongs to: "Đảng ủy Khối ..." holds the congress of "Đảng bộ Khối ..."."""
    return re.sub(r"^Đảng [uủ][ỷy] ", "Đảng bộ ", unit.name) if unit else ""


def _congress_example(unit: Unit | None) -> str:
    if unit and unit.kind == "chi_bo":
        return f"Đại hội lần thứ V {unit.name}"
    return "Đại hội lần thứ III Đảng bộ Khối các trường Đại học, Cao đẳng Hà Nội"


def _clean(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip(" .,;:")


@validator("midterm.congress")
async def check_congress(ctx: Context, draft: Draft, value: str) -> str:
    """The congress as the plan names it; a bare ordinal ("3", "III") becomes "Đại hội lần thứ III <Đảng bộ ...>"."""
    value = _clean(value)
    number = _ordinal(value)
    if number is not None:
        return f"Đại hội lần thứ {roman(number)} {party_body(ctx.unit)}".strip()
    value = re.sub(r"^nghị quyết\s+", "", value, flags=re.IGNORECASE)
    # "lần thứ 3" -> "lần thứ III", as congresses are numbered
    value = re.sub(r"(?<!\w)(lần thứ)\s+(\d{1,2})(?!\w)", lambda m: f"{m.group(1)} {roman(int(m.group(2)))}",
                   value, flags=re.IGNORECASE)
    if not fold(value).startswith("dai hoi"):
        if "dai hoi" in fold(value):
            raise Invalid(f"Xin ghi bắt đầu bằng “Đại hội”, ví dụ “{_congress_example(ctx.unit)}”.")
        value = f"Đại hội {value}"
    if len(value) < 15 or not re.search(r"\b(?:lần thứ|[IVX]+\b)", value):
        body = "chi bộ" if ctx.unit and ctx.unit.kind == "chi_bo" else "đảng bộ"
        raise Invalid(f"Xin ghi rõ Đại hội lần thứ mấy và của {body} nào, ví dụ “{_congress_example(ctx.unit)}”, "
                      "hoặc chỉ gõ số thứ tự của Đại hội (ví dụ 3).")
    value = "Đại hội" + value[len("Đại hội"):]
    if not re.search(r"\b(?:dang bo|chi bo)\b", fold(value)) and party_body(ctx.unit):
        value = f"{value} {party_body(ctx.unit)}"
    return value


@validator("midterm.term")
async def check_term(ctx: Context, draft: Draft, value: str) -> str:
    """"2020-2025", "2020 – 2025" -> "2020 - 2025"."""
    match = re.fullmatch(r"\s*(?:nhiệm kỳ\s*)?(\d{4})\s*[-–—/]\s*(\d{4})\s*\.?\s*", value, flags=re.IGNORECASE)
    if not match:
        raise Invalid("Xin ghi nhiệm kỳ theo dạng “2020 - 2025”.")
    first, last = int(match.group(1)), int(match.group(2))
    if not 1930 <= first < last <= first + 10:
        raise Invalid("Năm kết thúc nhiệm kỳ phải sau năm bắt đầu, ví dụ “2020 - 2025”.")
    if last - first != 5:
        ctx.warn(f"Lưu ý: nhiệm kỳ {first} - {last} không phải 5 năm; tôi vẫn ghi nhận.")
    return f"{first} - {last}"


@validator("midterm.phrase")
async def check_phrase(ctx: Context, draft: Draft, value: str) -> str:
    """A phrase the template continues ("… hoàn thành trước ngày …", "Đối với …"): no final punctuation."""
    value = _clean(value)
    if len(value) < 3:
        raise Invalid("Câu trả lời quá ngắn.")
    return value


_DAY_MONTH = re.compile(r"(?<![\d/.])(\d{1,2}\s*/\s*\d{1,2})(?!\d|\s*/\s*\d)")
_WORD_MONTH = re.compile(r"(?<!\w)((?:(\d{1,2})\s+)?tháng\s+\d{1,2})(?!\d|\s*[/.\-]\s*\d|\s*,?\s*năm)",
                         re.IGNORECASE)
_QUARTER = re.compile(r"(?<!\w)(quý\s+(?:IV|I{1,3}|[1-4]))(?!\w|\s*[/.\-]\s*\d)", re.IGNORECASE)


def _with_year(value: str, year: int) -> str:
    """"trước ngày 15/3" -> "trước ngày 15/3/2023", "đầu tháng 7" -> "đầu tháng 7/2023"."""
    value = _DAY_MONTH.sub(lambda m: f"{m.group(1)}/{year}", value)
    value = _WORD_MONTH.sub(lambda m: f"{m.group(1)} năm {year}" if m.group(2) else f"{m.group(1)}/{year}", value)
    return _QUARTER.sub(lambda m: f"{m.group(1)}/{year}", value)


@validator("midterm.when")
async def check_when(ctx: Context, draft: Draft, value: str) -> str:
    """When the conference is held: a day, a period ("dự kiến đầu tháng 7/2023") or a deadline
    ("trước ngày 10/4/2023"). The year is written out ("15/6" -> "15/6/2023"); a bare day is written
    "ngày 20/7/2023" and a bare period "dự kiến tháng 7/2023", so the tracker reads it as the event."""
    value = _clean(value)
    value = re.sub(r"^thời gian(?:\s+(?:tiến hành|tổ chức|thực hiện))?\s*:\s*", "", value, flags=re.IGNORECASE)
    today = ctx.clock.today()
    try:
        when = dates.parse_when(value, today=today, default_kind="event")
    except dates.DateError as exc:
        raise Invalid(str(exc)) from None
    if not re.search(r"\d{4}", value):
        written = _with_year(value, when.due.year)
        try:
            same = re.search(r"\d{4}", written) and dates.parse_when(written, today=today, default_kind="event") == when
        except dates.DateError:
            same = False
        if same:
            value = written
        elif when.start is None or when.start == when.due:  # "ngày mai", "thứ sáu tuần sau"
            day = f"ngày {dates.format_date_short(when.due)}"
            value = f"trước {day}" if when.kind == dates.DEADLINE else day
        else:
            raise Invalid(f"Xin ghi rõ cả năm, ví dụ “dự kiến đầu tháng 7/{when.due.year}” hoặc "
                          f"“trước ngày {dates.format_date_short(when.due)}”.")
    if re.fullmatch(r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{4}", value):
        value = f"ngày {dates.format_date_short(when.due)}"
    elif when.kind == dates.PERIOD:  # "tháng 7/2023" with no cue: the conference is held then
        value = f"dự kiến {value}"
    if when.due < today:
        ctx.warn(f"Lưu ý: thời gian {dates.format_date_short(when.due)} đã qua; tôi vẫn ghi nhận.")
    lower = draft.answers.get("lower_deadline")
    if lower and when.due < date.fromisoformat(lower):
        ctx.warn("Lưu ý: Hội nghị sơ kết của cấp mình thường họp sau hạn sơ kết của cấp dưới "
                 f"({dates.format_date_short(date.fromisoformat(lower))}); xin kiểm tra lại.")
    return value


@validator("midterm.director")
async def check_director(ctx: Context, draft: Draft, value: str) -> str:
    """"đồng chí Trần Quốc Toàn, Phó Bí thư ..." -> "Trần Quốc Toàn, Phó Bí thư ..." (the template writes "đồng chí")."""
    value = re.sub(r"^(?:phân công\s+)?(?:đồng chí|đ/c)\s+", "", _clean(value), flags=re.IGNORECASE)
    value = re.sub(r"\s+trực tiếp chỉ đạo$", "", value, flags=re.IGNORECASE).strip(" ,.")
    if not re.search(r"[^\W\d_]", value) or len(value) < 5:
        example = (f"{ctx.unit.signer_name}, Bí thư Chi bộ" if ctx.unit and ctx.unit.kind == "chi_bo"
                   else "Trần Quốc Toàn, Phó Bí thư Thường trực Đảng ủy Khối")
        raise Invalid(f"Xin ghi họ tên và chức vụ, ví dụ “{example}”.")
    return value


def show_step(step: str) -> str:
    return step


@item_type("midterm.step", show=show_step, separator="\n")
def parse_step(ctx: Context, text: str) -> str:
    """One step of a level: a line; one starting with "+" is a detail of the step above and keeps its "+"."""
    text = text.strip()
    detail = text.startswith("+")
    text = re.sub(r"^[-+•]\s*", "", text).strip()
    if not text:
        raise Invalid("Dòng này đang trống.")
    if len(text) > 1500:
        raise Invalid("Mỗi mục tối đa 1.500 ký tự; xin tách thành nhiều mục.")
    return f"+ {text}" if detail else text
