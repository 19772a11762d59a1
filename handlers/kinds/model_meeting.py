"""Hooks used only by the model_meeting plan flow (data/flows/plan_model_meeting.yaml)."""

from __future__ import annotations

import re
from datetime import date

from bot import dates
from handlers.context import Context
from handlers.draft import Draft
from handlers.forms import Invalid, validator

# Fixed-date public holidays (day, month); Tết and Giỗ Tổ follow the lunar calendar and are not checked.
HOLIDAYS = {(1, 1): "Tết Dương lịch", (30, 4): "ngày Giải phóng miền Nam", (1, 5): "ngày Quốc tế Lao động",
            (2, 9): "ngày Quốc khánh"}


def _trim(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(" .;,:")


@validator("model_meeting.phrase")
async def check_phrase(ctx: Context, draft: Draft, value: str) -> str:
    """A place or an address, written into "- Địa điểm: …." without its own final punctuation."""
    value = _trim(value)
    if not value:
        raise Invalid("Câu trả lời đang trống. Xin gõ lại.")
    return value


@validator("model_meeting.cell")
async def check_cell(ctx: Context, draft: Draft, value: str) -> str:
    """The cell that holds the meeting; the template adds "thực hiện", so a typed one is dropped."""
    value = re.sub(r"\s+thực hiện$", "", _trim(value), flags=re.IGNORECASE).rstrip(" .;,:")
    if len(value) < 5:
        raise Invalid("Xin ghi rõ tên chi bộ, ví dụ “Chi bộ 01 thuộc Đảng bộ Trường Cao đẳng Lý Tự Trọng”.")
    return value[0].upper() + value[1:]


@validator("model_meeting.date")
async def check_date(ctx: Context, draft: Draft, value: str) -> str:
    """A meeting cannot come before the plan that announces it; past dates and holidays get a note."""
    day = date.fromisoformat(value)
    issued = draft.answers.get("issued_on")
    if issued and day < date.fromisoformat(issued):
        raise Invalid(f"Ngày {dates.format_date_short(day)} ở trước ngày ban hành kế hoạch "
                      f"({dates.format_date_short(date.fromisoformat(issued))}). Xin nhập một ngày từ ngày ban hành trở đi.")
    shown = f"{dates.weekday_vi(day)}, {dates.format_date_short(day)}"
    if day < ctx.clock.today():
        ctx.warn(f"Lưu ý: ngày {dates.format_date_short(day)} đã qua; tôi vẫn ghi nhận.")
    holiday = HOLIDAYS.get((day.day, day.month))
    if holiday:
        ctx.warn(f"Lưu ý: {shown} là {holiday} (ngày nghỉ lễ); xin kiểm tra lại nếu không cố ý.")
    elif day.weekday() == 6:
        ctx.warn(f"Lưu ý: ngày {dates.format_date_short(day)} là chủ nhật; tôi vẫn ghi nhận.")
    return value
