"""One message, many facts: what a secretary types in one go at the meeting's questions, read into answers.

Pure parsing over the roster snapshot of the draft (no store, no conversation):

* absentees with their reasons at the roll call: "vắng đ/c Thắng đi làm ca, đ/c Nam ốm", "thắng (đi làm ca),
  nam ốm", "vắng: Thắng - công tác; Nam - không lý do", "Thắng vắng có lý do: đi học; Hải vắng không lý do",
  "vang thang, nam" (names matched like every roster answer: given or full name, with or without diacritics);
* the vote: "nhất trí 100%", "5/5 tán thành", "tất cả tán thành", "9 tán thành, 1 không", "8 tán thành 1 không
  tán thành 1 không biểu quyết", or a plain number;
* the tasks: "Tuấn: chủ trì tổng vệ sinh trước 15/12", "chi ủy - xây dựng kế hoạch kiểm điểm, hạn 10/12",
  one a line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.dates import FUTURE, format_date_short
from bot.dates_text import split_when
from bot.text import fold
from handlers.forms import Invalid
from handlers.meetings.attendance import candidates, clean

EXCUSED, UNEXCUSED = "excused", "absent"


def _fold_kept(text: str) -> str:
    """fold() character by character, so that a position in the result is the same position in `text`."""
    out = []
    for ch in text:
        f = fold(ch)
        out.append(f if len(f) == 1 else ch.lower())
    return "".join(out)


def names_at_start(text: str, roster: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The members the first words of `text` name (the longest run of words that names somebody) and where that
    run ends; ([], 0) when it names nobody."""
    words = list(re.finditer(r"[^\s,;:()\-–—]+", text))
    for k in range(min(5, len(words)), 0, -1):
        end = words[k - 1].end()
        found = [m for m in candidates(text[:end], roster) if _same_marks(text[:end], m["name"])]
        if found:
            return found, end
    return [], 0


def _same_marks(typed: str, name: str) -> bool:
    """Whether the typed words, where they carry tone marks, are the name's words with the same marks: "nằm" is
    not "Nam" ("thang" may be "Thắng": typed without marks, any marks do)."""
    typed_words = re.sub(r"(?i)^\s*(?:đ/c|đ\.c\.?|đc|đồng chí)\s+", "", typed).split()
    name_words = re.sub(r" \(\d+\)$", "", name).split()[-len(typed_words):]
    for t, n in zip(typed_words, name_words, strict=False):
        t = unicodedata.normalize("NFC", t).lower()
        if t != fold(t) and t.replace("đ", "d") != fold(t) and t != n.lower():
            return False
    return True


# -- absentees -----------------------------------------------------------------------------------

@dataclass
class Absentee:
    name: str  # the roster name
    status: str | None  # EXCUSED, UNEXCUSED, or None: not said
    reason: str = ""  # as typed (the hook tidies it)


_ABSENT_LEAD = re.compile(r"^\s*(?:co\s+)?(?:(?:cac|mot so)\s+)?(?:(?:dong chi|d/c|dc)\s+)?(?:vang mat|vang)"
                          r"(?:\s+(?:gom|la|co))?(?!\w)\s*[:\-–—]?\s*")
_PREFIX = re.compile(r"^\s*(?:dong chi|d/c|d\.c\.?|dc)\s+")
_SEPARATORS = re.compile(r"\s*[,;\n]\s*|\s*\.\s+|\s+(?:va|voi)\s+")
_NO_REASON = re.compile(r"^(?:(?:vang\s+)?(?:khong|ko|k|kg|kh|chua)\s*(?:co\s+)?(?:ly do|phep|xin phep|bao(?: truoc)?)"
                        r"|tu y(?:\s+(?:vang|nghi))?|vo ly do|khong|ko)(?!\w)")
_WITH_REASON = re.compile(r"^(?:co\s+)?(?:ly do|phep|xin phep|bao(?: truoc)?|bao cao)(?!\w)")
_REASON_LEAD = re.compile(r"^(?:vi|do|ly do|la|boi)(?!\w)\s*[:\-–—]?\s*")
_STRIP = " \t:;,.-–—()"


def status_of(rest: str) -> tuple[str | None, str]:
    """What follows a name: ('absent', ''), ('excused', reason), ('excused', '') when 'có lý do' without it,
    (None, '') when nothing is said."""
    rest = rest.strip(_STRIP)
    f = _fold_kept(rest)
    lead = re.match(r"^(?:vang mat|vang)(?!\w)\s*", f)
    if lead:
        rest, f = rest[lead.end():].strip(_STRIP), f[lead.end():].strip(_STRIP)
    if not rest:
        return None, ""
    if _NO_REASON.match(f):
        return UNEXCUSED, ""
    with_reason = _WITH_REASON.match(f)
    if with_reason:
        rest = rest[with_reason.end():].strip(_STRIP)
        f = _fold_kept(rest)
    reason_lead = _REASON_LEAD.match(f)
    if reason_lead:
        rest = rest[reason_lead.end():].strip(_STRIP)
    return EXCUSED, clean(rest)


def _looks_like_a_name(segment: str) -> bool:
    words = re.findall(r"[^\W\d_]+", segment)
    return bool(words) and len(words) <= 4 and all(w[:1].isupper() for w in words)


def parse_absentees(text: str, roster: list[dict[str, Any]]) -> list[Absentee]:
    """The absentees one message names, in its order; [] when it names no member at all.

    Raises Invalid for a name that is not on the roster, means several members, or comes twice.
    """
    text = unicodedata.normalize("NFC", text).strip()
    folded = _fold_kept(text)
    lead = _ABSENT_LEAD.match(folded)
    if lead:
        text, folded = text[lead.end():], folded[lead.end():]
    pieces: list[tuple[str, str]] = []  # (separator before, segment)
    last, sep = 0, ""
    for m in _SEPARATORS.finditer(folded):
        pieces.append((sep, text[last:m.start()]))
        sep, last = text[m.start():m.end()], m.end()
    pieces.append((sep, text[last:]))
    out: list[Absentee] = []
    for sep, segment in pieces:
        segment = segment.strip()
        if not segment:
            continue
        prefix = _PREFIX.match(_fold_kept(segment))
        body = segment[prefix.end():] if prefix else segment
        found, end = names_at_start(body, roster)
        if len(found) > 1:
            raise Invalid(f"Có {len(found)} đồng chí tên “{clean(body[:end])}”: " + ", ".join(m["name"] for m in found)
                          + ". Xin gõ đủ họ tên đồng chí vắng.")
        if found:
            name = found[0]["name"]
            if any(a.name == name for a in out):
                raise Invalid(f"Đồng chí {name} được ghi vắng hai lần. Xin gõ lại danh sách vắng.")
            status, reason = status_of(body[end:])
            out.append(Absentee(name, status, reason))
            continue
        if out and out[-1].reason and not prefix and not _looks_like_a_name(segment):
            out[-1].reason += sep.rstrip() + " " + clean(segment) if sep.strip() else " " + clean(segment)
            continue
        if not out and not _looks_like_a_name(segment) and len(segment.split()) > 4:
            return []  # not a list of names at all
        word = clean(re.split(r"\s+[-–—(]|[:(]", body)[0])
        raise Invalid(f"Không có đồng chí “{' '.join(word.split()[:4])}” trong danh sách đảng viên của chi bộ. "
                      "Xin gõ lại danh sách vắng với tên đúng (tên gọi hoặc họ tên đầy đủ).")
    return out


# -- the vote ------------------------------------------------------------------------------------

@dataclass
class Vote:
    for_: int
    against: int | None  # None: not said and not implied (the question is asked)
    abstain: int | None = None


_ALL = re.compile(r"(?<!\w)(?:tat ca|toan the|toan bo|het|ca chi bo|moi nguoi|nhat tri hoan toan|hoan toan nhat tri"
                  r"|nhat tri cao|thong nhat 100|100 ?%|100 phan tram)(?!\w)")
_AGREE_ONLY = re.compile(r"^(?:chi bo\s+)?(?:nhat tri|thong nhat|dong y|tan thanh)(?:\s+(?:thong qua|het|ca))?$")
_LABELS = re.compile(r"(?<!\w)(?P<abstain>khong bieu quyet|khong y kien|khong tham gia(?: bieu quyet)?|phieu trang"
                     r"|trang|kieng|vang)"
                     r"|(?P<against>khong tan thanh|khong dong y|khong nhat tri|khong tan thanh|phan doi|chong|khong)"
                     r"|(?P<for>tan thanh|dong y|nhat tri|ung ho|thuan|thong qua)(?!\w)")
_NUMBER = re.compile(r"(?<![\d/])(\d{1,4})(?![\d/%])")
_FRACTION = re.compile(r"(?<!\d)(\d{1,4})\s*/\s*(\d{1,4})(?!\d)")
_PERCENT = re.compile(r"(?<!\d)(\d{1,3}(?:[.,]\d+)?)\s*(?:%|phan tram)")
_BETWEEN = re.compile(r"^[\s,:;.\-–—]*(?:(?:dong chi|d/c|dc|nguoi|dang vien|phieu)(?!\w)[\s,:;.\-–—]*)?$")


def parse_vote(text: str, present: int) -> Vote:
    """How many were for, against (when said or implied) and abstained, checked against those present."""
    f = fold(text).strip(" .")
    if re.fullmatch(r"\d{1,4}", f):  # a plain number: the votes against are asked, as always
        if int(f) > present:
            raise Invalid(f"Số tán thành ({int(f)}) vượt số đảng viên có mặt ({present}). Chỉ đảng viên có mặt mới "
                          "biểu quyết.")
        return Vote(int(f), None)
    fraction = _FRACTION.search(f)
    if fraction:
        n, of = int(fraction.group(1)), int(fraction.group(2))
        if of != present:
            raise Invalid(f"“{clean(text)}”: tôi tính có mặt {present} đồng chí, không phải {of}. Xin gõ lại số tán "
                          f"thành trên {present} đồng chí có mặt (ví dụ “{present}/{present}”), hoặc gõ “quay lại” để "
                          "sửa điểm danh.")
        rest = f[:fraction.start()] + " " + f[fraction.end():]
        against = (_pairs(rest) or {}).get("against")
        return _checked(Vote(n, against if against is not None else (0 if n == present else None)), present)
    percent = _PERCENT.search(f)
    if percent:
        share = float(percent.group(1).replace(",", "."))
        people = present * share / 100
        if share > 100 or abs(people - round(people)) > 1e-9:
            raise Invalid(f"{percent.group(1)}% của {present} đồng chí có mặt không phải một số người. Xin gõ số đồng "
                          f"chí tán thành, ví dụ “{present}/{present}” hoặc “{max(present - 1, 0)} tán thành, 1 không”.")
        return _checked(Vote(round(people), 0 if round(people) == present else None), present)
    counted = _counted(f)
    if counted:
        return _checked(counted, present)
    if _ALL.search(f) or _AGREE_ONLY.fullmatch(f):
        return Vote(present, 0)
    raise Invalid(f"Chưa rõ kết quả biểu quyết “{clean(text)[:60]}”. Xin gõ số đồng chí tán thành (ví dụ “{present}”), "
                  f"hoặc “{present}/{present} tán thành”, “nhất trí 100%”, “{max(present - 1, 0)} tán thành, 1 không”.")


def _counted(f: str) -> Vote | None:
    """'9 tán thành, 1 không', 'tán thành 9, không tán thành 1', '8 đồng ý 1 không đồng ý 1 không biểu quyết'."""
    found = _pairs(f)
    if not found or "for" not in found:
        return None
    return Vote(found["for"], found.get("against"), found.get("abstain"))


def _pairs(f: str) -> dict[str, int] | None:
    """Each number with the word beside it: after it ('9 tán thành'), or before it when the text starts with a word
    ('tán thành 9, không 1'); None when a number has no word beside it, or a word comes twice."""
    labels = [(m.start(), m.end(), m.lastgroup or "") for m in _LABELS.finditer(f)]
    numbers = list(_NUMBER.finditer(f))
    if not labels or not numbers:
        return None
    words_first = labels[0][0] < numbers[0].start()
    found: dict[str, int] = {}
    for number in numbers:
        if words_first:
            label = next((lab for lab in reversed(labels) if lab[1] <= number.start()
                          and _BETWEEN.match(f[lab[1]:number.start()])), None)
        else:
            label = next((lab for lab in labels if lab[0] >= number.end()
                          and _BETWEEN.match(f[number.end():lab[0]])), None)
        if label is None or label[2] in found:
            return None
        found[label[2]] = int(number.group(1))
    return found


def _checked(vote: Vote, present: int) -> Vote:
    if vote.against is None and vote.abstain is not None:
        vote.against = present - vote.for_ - vote.abstain
    parts = [f"tán thành {vote.for_}"] + ([f"không tán thành {vote.against}"] if vote.against is not None else []) \
        + ([f"không biểu quyết {vote.abstain}"] if vote.abstain is not None else [])
    total = vote.for_ + (vote.against or 0) + (vote.abstain or 0)
    if vote.for_ > present or (vote.against is not None and vote.against < 0) or total > present:
        raise Invalid(f"Số biểu quyết ({', '.join(parts)}) vượt số đảng viên có mặt ({present}). Chỉ đảng viên có mặt "
                      "mới biểu quyết; xin gõ lại, hoặc gõ “quay lại” để sửa điểm danh.")
    if vote.abstain is not None and total != present:
        raise Invalid(f"Số biểu quyết không khớp: {' + '.join(parts)} = {total}, trong khi có mặt {present} đồng chí. "
                      "Xin gõ lại.")
    if vote.against is None and vote.for_ == present:
        vote.against = 0
    return vote


# -- tasks ---------------------------------------------------------------------------------------

_BODIES = {"chi uy": "Chi ủy", "chi bo": "Chi bộ", "bi thu": "Bí thư", "pho bi thu": "Phó Bí thư",
           "ban chi uy": "Chi ủy", "to dang": "Tổ đảng", "toan chi bo": "Chi bộ", "dang vien": "Đảng viên",
           "cac dang vien": "Các đảng viên", "tat ca dang vien": "Toàn thể đảng viên",
           "toan the dang vien": "Toàn thể đảng viên"}
_OWNER_SPLIT = re.compile(r"\s*:\s*|\s+[-–—]\s+|\s*[–—]\s*")


@dataclass
class Task:
    owner: str
    what: str  # as typed, without its date phrase (the hook tidies it)
    due: str  # ISO


def owner_of(text: str, roster: list[dict[str, Any]]) -> str:
    """A task's owner: a member by the full name, "Chi ủy" and other bodies written properly, else as typed."""
    text = clean(re.sub(r"(?i)^\s*(?:đ/c|đc|đồng chí)\s+", "", text))
    f = fold(text)
    if f in _BODIES:
        return _BODIES[f]
    if f.startswith("to dang"):
        return "Tổ đảng" + text[len("to dang"):]
    found = candidates(text, roster)
    if len(found) > 1:
        raise Invalid(f"Có {len(found)} đồng chí tên “{text}”: " + ", ".join(m["name"] for m in found)
                      + ". Xin gõ đủ họ tên người thực hiện.")
    if found:
        return str(found[0]["name"])
    return text[:1].upper() + text[1:]


def parse_tasks(text: str, roster: list[dict[str, Any]], today: date) -> list[Task] | None:
    """Tasks typed one a line as “owner: what, due” (or “owner - what …”); None when the message is not in
    that form (a plain owner, answered field by field)."""
    lines = [line.strip(" \t•*+") for line in text.splitlines() if line.strip(" \t•*+")]
    if not lines or not all(_OWNER_SPLIT.search(line) for line in lines):
        return None
    tasks: list[Task] = []
    for n, line in enumerate(lines, 1):
        line = re.sub(r"^\s*\d{1,2}\s*[.)]\s*", "", line)
        owner, what = _OWNER_SPLIT.split(line, maxsplit=1)
        if not re.search(r"[^\W\d_]", owner) or len(owner.split()) > 6:
            return None
        where = f"Dòng {n}: " if len(lines) > 1 else ""
        found = split_when(what, today=today, tense=FUTURE)
        if found is None:
            raise Invalid(f"{where}{'v' if where else 'V'}iệc “{clean(what)[:60]}” chưa có hạn hoàn thành. Xin ghi thêm hạn, ví dụ "
                          f"“{clean(owner)}: {clean(what)[:40]} trước {format_date_short(today + timedelta(days=14))}”"
                          ", hoặc chỉ gõ tên người thực hiện rồi trả lời từng câu.")
        when, rest = found
        if not re.search(r"[^\W\d_]", rest):
            raise Invalid(f"{where}chưa ghi việc cần làm. Xin ghi theo dạng “Tuấn: việc cần làm, hạn 15/12”.")
        tasks.append(Task(owner_of(owner, roster), clean(rest), when.due.isoformat()))
    return tasks
