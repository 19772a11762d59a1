"""``extract``: the dated items of a plan's text, in document order (rules: bot/extract/__init__.py)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.dates import DEADLINE, EVENT, PERIOD, DateError, When, parse_time, parse_when
from bot.extract.assignees import WhoState, body_named, clause_who
from bot.extract.context import (
    HEADER_LINES,
    DocDates,
    blank_issue,
    header_year,
    is_alone,
    is_issue_date,
    is_minutes,
    reference,
)
from bot.extract.patterns import (
    AFTER,
    BEFORE,
    BULLET,
    CHAIN,
    CHU_TRI,
    CUE_RE,
    CUE_WINDOW,
    CUTOFF,
    DAYRANGE_SPACES,
    DEADLINE_AFTER,
    DEADLINE_LABEL,
    DOCNUM,
    DOCNUM_GAP,
    DOCTYPE_BEFORE,
    EXPR,
    FOOTER,
    GROUPS,
    HISTORY_BEFORE,
    ISSUE_LINE,
    LABEL,
    LABEL_AFTER,
    LABEL_BEFORE,
    NO_WHO_SECTION,
    NUMBERED,
    PAREN_AFTER,
    PAREN_BEFORE,
    PERIOD_GROUPS,
    ROMAN,
    SENTENCE_END,
    THUC_HIEN_LINE,
    TIME_LABEL,
    TIME_ONLY,
    TRUOC_END,
    YEAR4,
)
from bot.extract.periods import PREP_BEFORE, dated_action, schedule_quote, tentative
from bot.extract.titles import titled


@dataclass(frozen=True)
class Item(When):
    """A dated item of a plan: its date (kind, due, start, time) and what the plan says about it."""

    who: str | None  # the body/office it is assigned to, when the plan says
    quote: str  # the date expression with its cue, e.g. "hoàn thành trước ngày 08 tháng 10 năm 2023"
    line: str = ""  # the sentence it came from, for context
    tentative: bool = False  # "dự kiến": the plan gives the date as provisional
    title: str = ""  # what it dates: the action or event, e.g. "Tổ chức Hội nghị sơ kết giữa nhiệm kỳ" (titles.py)

    @property
    def label(self) -> str:
        """The title as lists show it: “(dự kiến)” after a tentative item's title."""
        return f"{self.title} (dự kiến)" if self.tentative and self.title else self.title

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "due": self.due.isoformat(),
            "start": self.start.isoformat() if self.start else None,
            "time": f"{self.time.hour:02d}:{self.time.minute:02d}" if self.time else None,
            "who": self.who,
            "quote": self.quote,
            "tentative": self.tentative,
            "title": self.title,
        }


_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]", re.I)
_ESCAPE = re.compile(r"\\([^\w\s])")
_HASHES = re.compile(r"^ ?#+ ?", re.M)
_SPACE_CHARS = "\t\u00a0\u2000-\u200a\u202f\u3000"
_SPACES = re.compile(f"[ {_SPACE_CHARS}]{{2,}}|[{_SPACE_CHARS}]")  # one plain space instead


def _clean_lines(text: str) -> list[str]:
    """The text's non-empty lines without markup noise, single-spaced (one pass per rule over the
    whole text: much faster than line by line)."""
    text = unicodedata.normalize("NFC", text).lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "[" in text:
        text = _BOOKMARK.sub("", text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    text = _SPACES.sub(" ", text.replace("*", "").replace("\u200b", ""))
    if "#" in text:
        text = _HASHES.sub("", text)
    return [ln for ln in (raw.strip() for raw in text.splitlines()) if ln]


# ---------------------------------------------------------------------------------------------
# Date expressions (over cleaned, accented text; case-insensitive)
# ---------------------------------------------------------------------------------------------


@dataclass
class _Expr:
    group: str
    start: int
    end: int
    text: str
    years: list[int]
    own: bool = False  # the document's own date (issue, signature, meeting date of minutes): never an item


@dataclass
class _Line:
    text: str
    exprs: list[_Expr]
    issue: bool


def _cites_number(line: str, start: int) -> bool:
    """A document number (``65-KH/ĐUK``) shortly before ``start`` with no cue between."""
    before = line[max(0, start - 90):start]
    for m in DOCNUM.finditer(before):
        if len(before) - m.end() <= 40 and DOCNUM_GAP.match(before[m.end():]) is not None:
            return True
    return False


def _is_citation(line: str, start: int) -> bool:
    """A document number, or a document type and a few words, shortly before ``start``."""
    return _cites_number(line, start) or DOCTYPE_BEFORE.search(line[max(0, start - 90):start]) is not None


def _scan(line: str) -> list[_Expr]:
    out = []
    for m in EXPR.finditer(line):
        group = next(g for g in GROUPS if m.group(g) is not None)
        text = m.group(0)
        years = [int(y) for y in YEAR4.findall(text) if 1900 <= int(y) <= 2199]
        out.append(_Expr(group, m.start(), m.end(), text, years))
    return out


def _doc_dates(lines: list[_Line]) -> DocDates:
    """The document's own dates (marking their expressions ``own``) and the day yearless dates are read from."""
    issue: date | None = None
    blank: date | None = None
    alone: date | None = None
    minutes = is_minutes([ln.text for ln in lines])
    meeting: date | None = None
    own: set[date] = set()
    counts: Counter[int] = Counter()
    for n, ln in enumerate(lines):
        for ex in ln.exprs:
            if not ex.years:
                continue
            placed = ln.issue or is_issue_date(ln.text, ex.start, ex.text)
            if ex.group == "blank":
                if placed and blank is None:
                    blank = blank_issue(ex.text)
                continue
            if ex.group != "day":
                if not _is_citation(ln.text, ex.start):
                    counts.update(ex.years)
                continue
            first_day = meeting is None and minutes and not placed and not _is_citation(ln.text, ex.start)
            if placed or is_alone(ln.text) or first_day or HISTORY_BEFORE.search(ln.text, max(0, ex.start - 60), ex.start):
                when = _parse(ex.text, date(ex.years[-1], 1, 1), date(ex.years[-1], 1, 1))
                if when is None:
                    continue
                ex.own = True
                if placed and issue is None:
                    issue = when.due
                elif first_day:
                    meeting = when.due
                    own.add(when.due)
                elif is_alone(ln.text) and alone is None and n < HEADER_LINES:
                    alone = when.due
                continue
            if not _is_citation(ln.text, ex.start):
                counts.update(ex.years)
    issue = issue or meeting or alone
    floor = issue or blank
    if floor:
        # the plan's own dates are not before its issue date: older years are history
        counts = Counter({y: k for y, k in counts.items() if y >= floor.year})
        counts[floor.year] += 1
    if minutes and issue:
        own.add(issue)
    ref = reference(issue, blank, header_year([ln.text for ln in lines]), counts)
    return DocDates(ref, issue, own)


def _sentence(line: str, pos: int) -> str:
    start, end = 0, len(line)
    for m in SENTENCE_END.finditer(line):
        if m.end() < len(line) and line[m.end()].isupper():
            if m.end() <= pos:
                start = m.end()
            elif m.start() >= pos:
                end = m.start() + 1
                break
    return BULLET.sub("", line[start:end].strip(), count=1).strip()


def _item_text(line: str) -> str:
    return BULLET.sub("", line, count=1).strip().rstrip(".;,").strip()


def _parse(text: str, ref: date | None, today: date) -> When | None:
    try:
        return parse_when(text, today=ref or today)
    except (DateError, ValueError, OverflowError):
        return None


def extract(text: str, *, today: date) -> list[Item]:
    """The dated items of a plan's text, in document order (see the module docstring for the rules).

    `today` (the caller's clock) resolves dates written without a year when the plan names none.
    """
    if not isinstance(text, str) or not text.strip():
        return []
    if isinstance(today, datetime):
        today = today.date()
    lines = [_Line(ln, _scan(ln), bool(ISSUE_LINE.match(ln))) for ln in _clean_lines(text)]
    doc = _doc_dates(lines)
    ref, issue = doc.ref, doc.issue
    year = ref.year if ref else None

    items: list[Item] = []
    seen: set[tuple] = set()
    state = WhoState()
    for ln in lines:
        line = ln.text
        # --- who: headings and labels
        roman = ROMAN.match(line)
        numbered = NUMBERED.match(line) if not roman else None
        line_who: str | None = None
        if roman and (len(roman.group("rest")) <= 60 or not any(ch.islower() for ch in roman.group("rest"))):
            state.reset()
            state.enabled = not NO_WHO_SECTION.search(roman.group("rest"))
        elif FOOTER.match(line):
            state.reset()
            state.enabled = False
        elif numbered:
            n = numbered.group("n")
            level = 9 if n.isalpha() else n.count(".") + 1
            state.heading(level, numbered.group("rest"))
        else:
            body = BULLET.sub("", line, count=1)
            if line[:1] in "-•–":
                state.carry = None
            label = LABEL.match(body)
            if label and len(label.group("x").split()) <= 12:
                who = body_named(label.group("x"))
                if who:
                    line_who = who
                    if not label.group("rest").strip():
                        state.carry = who
            if line_who is None:
                m = CHU_TRI.match(body)
                if m:
                    line_who = body_named(m.group("x"))
            if line_who is None:
                m = THUC_HIEN_LINE.match(body)
                if m and body_named(m.group("x")):
                    state.unit = body_named(m.group("x"))
        if not ln.exprs or ln.issue:
            continue
        fallback_who = line_who or state.carry or state.unit or state.current()

        # --- items
        for ex in ln.exprs:
            if ex.group == "blank" or ex.own:
                continue
            is_period = ex.group in PERIOD_GROUPS
            # the expression with its time and weekday around it
            s, e = ex.start, ex.end
            window_start = max(0, s - 60)
            before = BEFORE.search(line, window_start, s)
            t_text = None
            if before:
                s = before.start()
                t = TIME_ONLY.search(line, s, ex.start)
                t_text = t.group(0) if t else None
            after = AFTER.match(line, e)
            if after and after.end() > e:
                e = after.end()
                if after.group("t") and t_text is None:
                    t_text = after.group("t")
            # cues right before it
            chain = CHAIN.search(line, max(0, s - CUE_WINDOW), s)
            kind = None
            labelled = False
            last_cue = ""
            if chain:
                for c in CUE_RE.finditer(line, chain.start(), chain.end()):
                    if c.group("dl"):
                        kind, last_cue = DEADLINE, c.group(0)
                    elif c.group("ev"):
                        kind, last_cue = EVENT, c.group(0)
                    else:
                        labelled = True
                if kind is None and labelled:
                    kind = PERIOD if is_period else EVENT
            quote_start = chain.start() if chain else s
            quote = line[quote_start:e].strip(" ,;:(–-")
            if (kind is None and is_period and "gian" in line[max(0, s - 70):s]
                    and (label := TIME_LABEL.search(line, max(0, s - 70), s))):
                kind, quote = PERIOD, line[label.start():e].strip(" ,;:(–-")  # "Thời gian tổ chức Đại hội: Quý III"
            if kind is None:
                # no cue
                if is_period:
                    if PAREN_BEFORE.search(line, 0, ex.start) and PAREN_AFTER.match(line, ex.end) and BULLET.match(line):
                        kind, quote = PERIOD, _item_text(line)  # a listed topic: "- Chuyên đề 1: ... (Quý I/2023)."
                    else:
                        if (entry := schedule_quote(line, ex.start, ex.end)) is not None:
                            kind, quote = PERIOD, entry  # a schedule line: "- Quý I/2022: ...; Quý II/2022 ..."
                        elif LABEL_BEFORE.match(line[: ex.start]) and LABEL_AFTER.match(line, ex.end):
                            kind, quote = PERIOD, _item_text(line)
                        elif (kind := dated_action(line, ex.start, ex.end, ex.group, ex.text)) is not None:
                            prep = PREP_BEFORE.search(line, max(0, s - 12), s)
                            quote = line[prep.start() if prep else s:e].strip(" ,;:(–-")
                        if (kind is None or _cites_number(line, ex.start)
                                or CUTOFF.search(_sentence(line, ex.start))):
                            continue
                else:
                    if ex.group == "dm" and not (ex.text[:1].isalpha()):
                        continue  # "15/6" alone needs a cue
                    if (_is_citation(line, ex.start) or CUTOFF.search(_sentence(line, ex.start))
                            or HISTORY_BEFORE.search(line, max(0, ex.start - 60), ex.start)):
                        continue
                    after_cue = DEADLINE_AFTER.match(line, e)
                    kind = DEADLINE if DEADLINE_LABEL.search(line, max(0, s - 60), s) else EVENT
                    if after_cue:
                        kind, quote = DEADLINE, line[s:after_cue.end()].strip(" ,;:(–-")
            value_text = ex.text
            if ex.group == "dayrange":
                value_text = DAYRANGE_SPACES.sub("-", value_text)
            when = _parse(value_text, ref, today)
            if when is None:
                continue
            due, start = when.due, when.start
            if start == due and not is_period:
                start = None
            if kind == DEADLINE and is_period and start and TRUOC_END.search(last_cue):
                due, start = start - timedelta(days=1), None  # "trước tháng 7/2023": by 30/6/2023
            if not chain and not is_period:
                # an uncued day: history when before the plan
                if (issue and due < issue) or (issue is None and year and due.year < year):
                    continue
            at = None
            if t_text:
                try:
                    at = parse_time(t_text)
                except DateError:
                    at = None
            who = clause_who(line, ex.start) or fallback_who
            key = (kind, due, who, quote)
            if key in seen or due in doc.own:
                continue
            seen.add(key)
            items.append(Item(kind, due, start, at, who, quote, _sentence(line, ex.start),
                              tentative(line, ex.start, ex.end)))
    return titled(items, [ln.text for ln in lines])
