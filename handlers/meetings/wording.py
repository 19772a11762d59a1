"""How the Nghị quyết / Kết luận words what the meeting decided: the meeting named once by its date, and the
chair's conclusion put under the heading it speaks to."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot import dates
from bot.formats import mm
from handlers.meetings.attendance import periods

# A conclusion line that looks ahead (plan words win), or one that judges what was done.
_AHEAD = re.compile(r"\b(tập trung|tiếp tục|sắp tới|thời gian tới|tháng tới|phấn đấu|triển khai|chuẩn bị|cần|phải|"
                    r"quyết tâm)\b", re.IGNORECASE)
_DONE = re.compile(r"\b(đánh giá|đã|đạt|kết quả|hoàn thành|ưu điểm|hạn chế|khuyết điểm|tồn tại|vừa qua|tháng qua|"
                   r"tháng này)\b", re.IGNORECASE)


def held_phrase(answers: dict[str, Any]) -> str:
    """The meeting as "Căn cứ kết quả buổi …" names it, its time said once: "sinh hoạt chi bộ thường kỳ ngày
    20/11/2026"; a regular meeting held outside its month: "… thường kỳ tháng 11/2026 (họp ngày 02/12/2026)"."""
    held = date.fromisoformat(answers["held_on"])
    day = dates.format_date_short(held)
    if answers["kind"] != "thuong_ky":
        return f"sinh hoạt chi bộ chuyên đề ngày {day}"
    p = periods(answers)
    if (p["month"], p["year"]) != (held.month, held.year):
        return f"sinh hoạt chi bộ thường kỳ tháng {mm(p['month'])}/{p['year']} (họp ngày {day})"
    return f"sinh hoạt chi bộ thường kỳ ngày {day}"


def _names_month(line: str, month_text: str) -> bool:
    """`line` names the month "11/2026" ("tháng 11", "tháng 11/2026", "tháng mười một" is not read)."""
    month = int(month_text.split("/")[0])
    return re.search(rf"\btháng\s+0?{month}\b", line, re.IGNORECASE) is not None


def split_conclusion(answers: dict[str, Any]) -> dict[str, str]:
    """The chair's conclusion of a regular meeting in two: the lines judging the month reviewed ("review", printed
    under I. KẾT QUẢ …) and the others ("plan", under II. PHƯƠNG HƯỚNG …). A line naming the month planned for or
    looking ahead goes to "plan"; one naming the month reviewed or judging what was done, to "review"; the rest
    stays with "plan". Lines keep their bullets (several plain lines are bullets: bot.templating.markup_lines)."""
    lines = [line.strip() for line in (answers.get("conclusion") or "").splitlines() if line.strip()]
    if answers.get("kind") != "thuong_ky":
        return {"review": "", "plan": "\n".join(lines)}
    if len(lines) > 1:
        lines = [line if line[0] in "-+•" else f"- {line}" for line in lines]
    p = periods(answers)
    review: list[str] = []
    plan: list[str] = []
    for line in lines:
        ahead = _names_month(line, p["plan"]) or _AHEAD.search(line)
        done = _names_month(line, p["review"]) or _DONE.search(line)
        (review if done and not ahead else plan).append(line)
    return {"review": "\n".join(review), "plan": "\n".join(plan)}
