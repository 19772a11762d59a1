"""Hooks used only by the admission ceremony plan (data/flows/plan_admission.yaml, FORMAT.md §6).

The chi bộ holds the ceremony within one month of receiving the admission decision (Hướng dẫn 01-HD/TW,
point 3.8): the ceremony's date is checked against the decisions' dates (a warning, since the decision may
have reached the chi bộ some days after it was signed).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot import dates
from bot.messages import Choice
from bot.store.records import Person, Unit
from bot.templating import add_months
from bot.text import fold
from handlers.context import Context
from handlers.draft import Draft
from handlers.forms import Invalid, item_type, provider, validator


def _trim(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().strip(" .;,:")


def _short(value: str | date) -> str:
    return dates.format_date_short(value if isinstance(value, date) else date.fromisoformat(value))


def _decision_code(unit: Unit | None) -> str:
    """The body code of a decision typed as a bare number: the đảng ủy above a chi bộ, or the unit itself."""
    if unit is None or unit.kind == "chi_bo":
        return "ĐU"
    return unit.code or "ĐU"


_NUMBER = re.compile(r"(?:(?:quyết định|quyet dinh|qđ|qd)\s*)?(?:số|so)?\s*(\d{1,5})(?:\s*[-–]\s*(qđ|qd)\s*/\s*([\wđĐ.]+))?", re.IGNORECASE)


@validator("admission.decision_number")
async def check_decision_number(ctx: Context, draft: Draft, value: str) -> str:
    """"125", "qđ 125", "số 125-qđ/đu", "125-QĐ/ĐU" -> "125-QĐ/ĐU"."""
    match = _NUMBER.fullmatch(_trim(value))
    if not match:
        raise Invalid("Xin ghi số quyết định dạng “125-QĐ/ĐU” (hoặc chỉ gõ số, ví dụ 125).")
    if match.group(3):
        return f"{match.group(1)}-QĐ/{match.group(3).upper()}"
    number = f"{match.group(1)}-QĐ/{_decision_code(ctx.unit)}"
    ctx.warn(f"Tôi ghi số quyết định là {number}; nếu ký hiệu khác, xin gõ đủ (ví dụ 125-QĐ/ĐU) hoặc sửa ở "
             "màn hình xem lại.")
    return number


@validator("admission.decision_date")
async def check_decision_date(ctx: Context, draft: Draft, value: str) -> str:
    """A decision already signed, not after the plan it is the basis of; one older than a month gets a note."""
    day = date.fromisoformat(value)
    issued = date.fromisoformat(draft.answers.get("issued_on") or ctx.clock.today().isoformat())
    if day > ctx.clock.today():
        raise Invalid(f"Ngày {_short(day)} chưa tới: quyết định kết nạp đã ký rồi mới lập kế hoạch. Xin kiểm tra lại "
                      "ngày ký.")
    if day > issued:
        raise Invalid(f"Quyết định ký ngày {_short(day)}, sau ngày ban hành kế hoạch ({_short(issued)}). "
                      "Kế hoạch căn cứ vào quyết định nên phải ban hành sau; xin kiểm tra lại.")
    deadline = date.fromisoformat(add_months(day, 1))
    if deadline < issued:
        ctx.warn(f"Lưu ý: quyết định ký ngày {_short(day)}; lễ kết nạp phải tổ chức trong một tháng kể từ ngày "
                 f"chi bộ nhận quyết định (khoảng ngày {_short(deadline)}), đã qua ngày ban hành kế hoạch.")
    return value


@validator("admission.issuer")
async def check_issuer(ctx: Context, draft: Draft, value: str) -> str:
    """The committee that signed: "của" dropped; typed like the unit's own or superior's name -> written as it."""
    value = re.sub(r"^của\s+", "", _trim(value), flags=re.IGNORECASE)
    if len(value) < 5:
        raise Invalid("Xin ghi tên cấp ủy ban hành quyết định, ví dụ “Đảng ủy phường Tân Mai”.")
    unit = ctx.unit
    known = [unit.name, unit.superior, re.sub(r"^Đảng bộ ", "Đảng ủy ", unit.superior)] if unit else []
    for name in known:
        if name and fold(name) == fold(value):
            return name
    return value[0].upper() + value[1:]


_SPLIT = re.compile(r"\s*(?:[,;\n]|\s(?:và|va)\s)\s*", re.IGNORECASE)
_PREFIX = re.compile(r"^(?:quần chúng|quan chung|đồng chí|dong chi|đ/c|ông|bà|anh|chị)\s+", re.IGNORECASE)


def _name(text: str) -> str:
    """A person's name, each word capitalised ("nguyễn văn hải" -> "Nguyễn Văn Hải")."""
    words = _PREFIX.sub("", _trim(text)).split()
    return " ".join(w[:1].upper() + w[1:].lower() for w in words)


@validator("admission.persons")
async def check_persons(ctx: Context, draft: Draft, value: str) -> str:
    """One or several names ("nguyễn văn hải, lê thị mai") -> "Nguyễn Văn Hải, Lê Thị Mai"."""
    names = [_name(part) for part in _SPLIT.split(value) if _trim(part)]
    if not names:
        raise Invalid("Xin ghi họ và tên người được kết nạp, ví dụ “Nguyễn Văn Hải”.")
    for name in names:
        if len(name.split()) < 2 or not re.fullmatch(r"[^\W\d_]+(?: [^\W\d_]+)*", name):
            raise Invalid(f"“{name}”: xin ghi đủ họ và tên (chỉ gồm chữ), ví dụ “Nguyễn Văn Hải”.")
    return ", ".join(names)


def _members(typed: str, people: list[Person]) -> list[Person]:
    """Members a typed name can mean: the full name, or its end ("Hoa", "Thị Hoa")."""
    wanted = fold(_PREFIX.sub("", _trim(typed)))
    exact = [p for p in people if fold(p.name) == wanted]
    return exact or [p for p in people if fold(p.name).endswith(" " + wanted)]


@provider("admission.full_members")
async def full_members(ctx: Context, draft: Draft) -> list[Choice]:
    """The roster's full members (chính thức), who may be assigned to help a probationary member."""
    return [Choice(p.name, p.name) for p in await ctx.people() if p.status != "du_bi"]


@validator("admission.mentor")
async def check_mentor(ctx: Context, draft: Draft, value: str) -> str:
    """A full member of the roster (a given name is completed); a probationary member cannot help another one."""
    found = _members(value, await ctx.people())
    if len(found) > 1:
        raise Invalid(f"Có {len(found)} đồng chí tên “{_trim(value)}”: " + ", ".join(p.name for p in found)
                      + ". Xin chọn hoặc gõ đủ họ tên.")
    if not found:
        return _name(value)
    if found[0].status == "du_bi":
        raise Invalid(f"Đồng chí {found[0].name} là đảng viên dự bị. Người giúp đỡ đảng viên dự bị phải là đảng "
                      "viên chính thức; xin chọn đồng chí khác.")
    return found[0].name


@validator("admission.event_date")
async def check_event_date(ctx: Context, draft: Draft, value: str) -> str:
    """Not before a decision; within one month of the decisions (a warning); a past day gets a note."""
    day = date.fromisoformat(value)
    signed = [date.fromisoformat(d["signed_on"]) for d in draft.answers.get("decisions") or [] if d.get("signed_on")]
    if signed and day < max(signed):
        raise Invalid(f"Ngày {_short(day)} ở trước ngày ký quyết định kết nạp ({_short(max(signed))}). "
                      "Xin nhập một ngày sau đó.")
    if signed:
        deadline = date.fromisoformat(add_months(min(signed), 1))
        if day > deadline:
            ctx.warn(f"Lưu ý: lễ kết nạp phải tổ chức trong một tháng kể từ ngày chi bộ nhận quyết định; quyết định "
                     f"ký ngày {_short(min(signed))}, nên chậm nhất khoảng ngày {_short(deadline)}. Ngày "
                     f"{_short(day)} muộn hơn hạn đó; xin kiểm tra lại (tôi vẫn ghi nhận).")
    if day < ctx.clock.today():
        ctx.warn(f"Lưu ý: ngày {_short(day)} đã qua; tôi vẫn ghi nhận.")
    issued = draft.answers.get("issued_on")
    if issued and day < date.fromisoformat(issued):
        ctx.warn(f"Lưu ý: ngày {_short(day)} ở trước ngày ban hành kế hoạch ({_short(issued)}).")
    return value


def show_task(task: dict[str, Any]) -> str:
    return f"{task['who']}: " + "; ".join(line.lstrip("- ").rstrip(";.") for line in task["duties"].splitlines())


@item_type("admission.task", show=show_task, separator="\n")
def parse_task(ctx: Context, text: str) -> dict[str, str]:
    """"Chi ủy: chuẩn bị hội trường; trang trí khánh tiết" -> who and one duty a line ("-" bullets in the plan)."""
    text = re.sub(r"^\s*[-+•]\s*", "", text).strip()
    who, colon, rest = text.partition(":")
    who, duties = _trim(who), [_trim(d) for d in rest.split(";") if _trim(d)]
    if not colon or not who or not duties:
        raise Invalid("Xin ghi theo dạng “Người thực hiện: việc 1; việc 2”, ví dụ “Chi ủy: chuẩn bị hội trường, "
                      "trang trí khánh tiết”.")
    if len(text) > 1500:
        raise Invalid("Mỗi mục tối đa 1.500 ký tự; xin tách thành nhiều mục.")
    lines = [d[:1].upper() + d[1:] + (";" if n < len(duties) else ".") for n, d in enumerate(duties, 1)]
    return {"who": who[:1].upper() + who[1:], "duties": "\n".join(f"- {line}" for line in lines)}
