"""Relative dates inside free text, written as real dates for a document (issue 10, point 3).

``absolute_dates(text, today=...)`` rewrites the relative or incomplete date phrases a secretary types
into an answer that goes into a document, and leaves everything else as typed:

* ``- thời gian: 14h thứ 6 tuần sau`` -> ``- thời gian: 14 giờ 00, thứ Sáu, ngày 11/12/2026``
  (today 1/12/2026); ``8h sáng mai`` -> ``08 giờ 00, ngày 02/12/2026``; ``chiều mai`` -> ``chiều
  ngày 02/12/2026``; ``3 ngày nữa`` -> ``ngày 04/12/2026``; ``trong 3 ngày`` -> ``đến ngày 04/12/2026``.
* A day: ``[HH giờ MM, ][thứ Sáu, ]ngày dd/mm/yyyy`` (the weekday only when one was typed; a time only
  when one is written right before the day). Months 1-2 take a leading zero (``15/01/2027``), as in the
  seeds (``bot.formats.mm``). A day typed in words (``ngày 15 tháng 1``) keeps the long form (``ngày 15
  tháng 01 năm 2027``).
* A relative period keeps its period form with the year: ``tháng sau`` -> ``tháng 01/2027``, ``năm nay``
  -> ``năm 2026``; a period named without its year (``tháng 12``, ``cuối tháng 12``, ``quý I``) is left
  as typed, as documents write it, unless a deadline cue makes it a day (below); a week or a
  range without a name: ``tuần sau`` -> ``tuần từ ngày 07/12/2026 đến ngày 13/12/2026``. After a
  deadline cue (``trước``, ``hạn``, ``hoàn thành`` …) a period that has a last day becomes that day:
  ``trước cuối tháng`` -> ``trước ngày 31/12/2026``.
* A day or period written without its year takes the ``tense`` given (default ``"nearest"``: free text
  in a document is as often about what happened as about what comes; ``15/12`` typed on 1/12/2026 is
  15/12/2026, ``15/1`` is 15/01/2027, ``tháng 11`` is November 2026).

Left as typed: dates with a year (``15/6/2023``, ``tháng 7/2023``, ``Quý II/2023``), dates after the
number of a cited document (``Kế hoạch số 65-KH/ĐUK ngày 02/11`` — history; ``bot.citations`` writes
those), fractions and counts (``5/5 tán thành``, ``8/10 điểm``), ``mai`` that is not plainly tomorrow
(``đ/c mai``: a name; ``mai`` is read as tomorrow only after a time, a part of the day or a word such as
``vào``, ``trước``, ``đến``), times that are not beside a rewritten day, numbers, money, codes.

It reuses the scanner of ``bot.dates`` (its hits and spans over the normalised text) and maps the spans
back to the text as typed. Pure, no I/O; it never raises: text it cannot read is returned unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time

from bot.dates import (
    _DASHES,
    _DAYS_RANGE,
    _LETTERS,
    _SLASH_RANGE,
    _TIME,
    _VOCAB,
    DEADLINE,
    FUTURE,
    NEAREST,
    TENSES,
    DateError,
    When,
    _as_date,
    _choose,
    _clean,
    _cues,
    _Hit,
    _period_label,
    _right_before,
    _Scan,
    _scan,
    _time_from_match,
    format_date_long,
    format_date_short,
    parse_when,
)

__all__ = ["absolute_dates", "date_changes", "split_when"]

_WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


# -- the normalised text, with where each of its characters comes from ---------------------------


# Words that make a period relative to today ("tháng sau", "năm nay", "tuần tới"), in bot.dates' normal form.
_RELATIVE = re.compile(r"(?<!\w)(?:nay|sau|toi|truoc|tuan|mai|kia|qua|nua|hom)(?!\w)")


def _canon_map(text: str) -> tuple[str, list[int]]:
    """``bot.dates._canon(text)`` (``text`` in NFC) and, per character, its index in ``text``."""
    s = text.translate(_DASHES)
    pos = list(range(len(s)))

    def word(m: re.Match[str]) -> str:
        w = m.group(0)
        if w == "Mai" and m.start() > 0:
            return w
        low = w.lower()
        return _VOCAB.get(low, low)

    out, opos, last = [], [], 0
    for m in _LETTERS.finditer(s):
        out.append(s[last:m.start()])
        opos += pos[last:m.start()]
        new = word(m)
        out.append(new)
        if len(new) == m.end() - m.start():
            opos += pos[m.start():m.end()]
        else:
            opos += [pos[m.start() + min(k, m.end() - m.start() - 1)] for k in range(len(new))]
        last = m.end()
    out.append(s[last:])
    opos += pos[last:]
    s, pos = "".join(out), opos

    s, pos = _resub(_SLASH_RANGE, s, pos, lambda m, p: (
        m.group(1) + " - " + m.group(2),
        p[m.start(1):m.end(1)] + [p[m.end(1)]] * 3 + p[m.start(2):m.end(2)]))
    s, pos = _resub(_DAYS_RANGE, s, pos, lambda m, p: (
        "tu " + m.group(1) + " den " + m.group(2),
        [p[m.start(1)]] * 3 + p[m.start(1):m.end(1)] + [p[m.end(1)]] * 5 + p[m.start(2):m.end(2)]))
    s, pos = _resub(re.compile(r"\s+"), s, pos, lambda m, p: (" ", [p[m.start()]]))
    lead = len(s) - len(s.lstrip())
    s = s.strip()
    return s, pos[lead:lead + len(s)]


def _resub(pattern: re.Pattern[str], s: str, pos: list[int],
           repl: Callable[[re.Match[str], list[int]], tuple[str, list[int]]]) -> tuple[str, list[int]]:
    out: list[str] = []
    opos: list[int] = []
    last = 0
    for m in pattern.finditer(s):
        new, new_pos = repl(m, pos)
        out.append(s[last:m.start()])
        opos += pos[last:m.start()]
        out.append(new)
        opos += new_pos
        last = m.end()
    out.append(s[last:])
    opos += pos[last:]
    return "".join(out), opos


# -- what to leave alone -------------------------------------------------------------------------

_EXPLICIT_YEAR = re.compile(r"(?<![0-9])[0-9]{4}(?![0-9])|(?<![0-9])[0-9]{1,2}([/.\-])[0-9]{1,2}\1[0-9]{2}(?![0-9])"
                            r"|nam\s+[0-9]{2}(?![0-9])")
_DOC_NUMBER = re.compile(r"[0-9]+\s*-\s*[^\W\d_]{1,6}\s*/|(?<!\w)(?:số|so)\s*[0-9]+"
                         r"|(?<!\w)(?:qđ|qd|nq|kh|cv|ct|ctr|hd|hđ|tb|kl|bc|tt)\s*[0-9]+", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[;\n]|\.(?![0-9])")
_COUNT_AFTER = re.compile(r"\s*(?:%|đồng\s+chí|đ/c|đảng\s+viên|đv|người|phiếu|tán\s+thành|không\s+tán|nhất\s+trí"
                          r"|ý\s+kiến|điểm|số|chi\s+bộ|hộ|lần|tổ|có\s+mặt|vắng|đạt|được|trên|so\s+với)(?!\w)",
                          re.IGNORECASE)
_COUNT_BEFORE = re.compile(r"(?:đạt|tỷ\s+lệ|tỉ\s+lệ|có|được|tán\s+thành|biểu\s+quyết|kết\s+quả|điểm|số)\s*:?\s*$",
                           re.IGNORECASE)
_BARE_DM = re.compile(r"[0-9]{1,2}[/.\-][0-9]{1,2}")
_MAI_BEFORE = re.compile(r"(?:vao|truoc|den|toi|tu|han|trong|sang|chieu|toipm|trua|dem|hop|luc|ngay)\s*$")


def _citation(text: str, start: int) -> bool:
    """A date right after a cited document's number, in the same clause, with no deadline cue between."""
    window = text[max(0, start - 160):start]
    ends = list(_CLAUSE_END.finditer(window))
    if ends:
        window = window[ends[-1].end():]
    numbers = list(_DOC_NUMBER.finditer(window))
    if not numbers:
        return False
    between = window[numbers[-1].end():]
    return not re.search(r"(?<!\w)(?:trước|hạn|hoàn thành|chậm nhất|lúc|vào lúc|dự kiến|tổ chức vào|đến|từ)(?!\w)",
                         between, re.IGNORECASE)


def _same_sentence(text: str, pos: list[int], a: _Hit, b: _Hit) -> bool:
    lo, hi = min(a.start, b.start), max(a.end, b.end)
    return not _CLAUSE_END.search(text, pos[lo], pos[hi - 1] + 1)


def _count(text: str, start: int, end: int) -> bool:
    """A fraction or a count ("5/5 tán thành", "đạt 8/10"), not a date."""
    return bool(_COUNT_AFTER.match(text, end) or _COUNT_BEFORE.search(text[max(0, start - 30):start]))


# -- writing -------------------------------------------------------------------------------------


def _clock(t: time) -> str:
    return f"{t.hour:02d} giờ {t.minute:02d}"


def _day_text(d: date, weekday: bool, long: bool = False) -> str:
    day = format_date_long(d) if long else f"ngày {format_date_short(d)}"
    return f"{_WEEKDAYS[d.weekday()]}, {day}" if weekday else day


def _written(hit: _Hit, piece: str, scan: _Scan) -> str:
    """The absolute form of one hit (``piece``: its normalised text)."""
    tod = re.match(r"(sang|chieu|toipm|toi|trua|dem)\s+", piece)
    prefix = {"sang": "sáng ", "chieu": "chiều ", "toipm": "tối ", "toi": "tối ", "trua": "trưa ",
              "dem": "đêm "}[tod.group(1)] if tod else ""
    weekday = bool(re.search(r"(?<!\w)(?:thu\s*(?:[2-7]|hai|ba|tu4|tu|nam|sau6|sau|bay)|t[2-7]|cn|chu\s*nhat"
                             r"|chua\s*nhat)(?!\w)", piece))
    if not hit.period:
        assert hit.single is not None
        count = re.match(r"(?:sau|trong|con|cach\s+day)\s+", piece)
        if count and count.group(0).split()[0] in ("trong", "con"):
            return f"đến ngày {format_date_short(hit.single)}"
        long = bool(re.search(r"[0-9]\s+thang", piece))
        return prefix + _day_text(hit.single, weekday, long)
    cues = [c for c in _cues(scan) if c[2] == DEADLINE]
    if hit.single is not None and any(_right_before(scan, c, hit) for c in cues):
        return f"ngày {format_date_short(hit.single)}"
    label = _period_label(hit.first, hit.last)
    keep = re.match(r"(trong|ca)\s+", piece)
    lead = {"trong": "trong ", "ca": "cả "}[keep.group(1)] if keep else ""
    if label is None:
        week = "tuần " if re.search(r"(?<!\w)tuan(?!\w)", piece) else ""
        return (f"{lead}{week}từ ngày {format_date_short(hit.first)} "
                f"đến ngày {format_date_short(hit.last)}")
    if label.startswith("Tháng") and hit.first.month <= 2:
        label = label.replace(f"Tháng {hit.first.month}/", f"Tháng {hit.first.month:02d}/", 1)
    return lead + label[:1].lower() + label[1:]


@dataclass(frozen=True)
class _Change:
    start: int
    end: int
    typed: str
    written: str


def _changes(text: str, today: date, tense: str) -> list[_Change]:
    if tense not in TENSES:
        raise ValueError(f"tense must be one of {TENSES}, not {tense!r}")
    try:
        scan = _scan(text, today, strict_time=False, tense=tense)
    except DateError:
        return []  # a date that cannot be (31/2): left for the read-back to show as typed
    if all(_EXPLICIT_YEAR.search(scan.canon[h.start:h.end]) for h in scan.hits):
        return []  # the common case in a document: every date already has its year
    canon, pos = _canon_map(text)
    if canon != scan.canon:  # pragma: no cover - the map follows bot.dates._canon step by step
        return []
    times = {}
    for m in _TIME.finditer(canon):
        try:
            times[(m.start(), m.end())] = _time_from_match(m)
        except DateError:
            continue
    dated = [h for h in scan.hits if _EXPLICIT_YEAR.search(canon[h.start:h.end])]
    changes: list[_Change] = []
    for hit in scan.hits:
        piece = canon[hit.start:hit.end]
        if hit in dated or any(_same_sentence(text, pos, hit, other) for other in dated):
            continue  # "9 tháng đầu năm, … 3 tháng cuối năm 2023": the year is written beside it
        start, end = pos[hit.start], pos[hit.end - 1] + 1
        if _citation(text, start):
            continue
        if _BARE_DM.fullmatch(piece) and _count(text, start, end):
            continue
        before = canon[:hit.start]
        clock = next(((s, e, t) for (s, e), t in times.items()
                      if e <= hit.start and re.fullmatch(r"[\s,]*(?:ngay\s*)?", canon[e:hit.start])), None)
        if piece == "mai" and clock is None and not (_MAI_BEFORE.search(before) or not before.strip()):
            continue  # "đ/c mai": a name
        written = _written(hit, piece, scan)
        if hit.period and not written.startswith("ngày") and not _RELATIVE.search(piece):
            continue  # "Tháng 12, tập trung …", "quý I": a named period reads well in a document as typed
        if clock is not None:
            start = pos[clock[0]]
            written = f"{_clock(clock[2])}, {written}"
        elif written.startswith(("ngày", "thứ", "Chủ")) and re.search(r"(?i)ngày\s*$", text[:start]):
            start = re.search(r"(?i)ngày\s*$", text[:start]).start()  # type: ignore[union-attr]
        typed = text[start:end]
        if typed[:1].isupper():
            written = written[:1].upper() + written[1:]
        if written != typed:
            changes.append(_Change(start, end, typed, written))
    return changes


def date_changes(text: str, *, today: date, tense: str = NEAREST) -> list[tuple[str, str]]:
    """What ``absolute_dates`` rewrites, as (typed, written) pairs in order, for a read-back."""
    text = unicodedata.normalize("NFC", text)
    return [(c.typed, c.written) for c in _changes(text, _as_date(today), tense)]


def absolute_dates(text: str, *, today: date, tense: str = NEAREST) -> str:
    """``text`` with its relative and incomplete dates written as real dates (see the module docstring)."""
    if not text or not re.search(r"[0-9]|[^\W\d_]", text):
        return text
    norm = unicodedata.normalize("NFC", text)
    changes = _changes(norm, _as_date(today), tense)
    if not changes:
        return text
    out, last = [], 0
    text = norm
    for c in changes:
        out.append(text[last:c.start])
        out.append(c.written)
        last = c.end
    out.append(text[last:])
    return "".join(out)


# -- a dated phrase taken out of a one-line item ---------------------------------------------------

# Words that lead into the dated phrase ("trước", "hạn", "chậm nhất", "vào ngày" …), removed with it; in fold()'s form.
_LEAD_WORDS = {"truoc", "han", "chot", "thoi", "cham", "muon", "nhat", "den", "vao", "ngay", "la", "tu", "luc",
               "trong", "xong", "hoan", "thanh", "mung", "mong"}
_LEAD_PUNCT = re.compile(r"[\s,;:(\[\-–—]+$")
_WORD_BEFORE = re.compile(r"([^\W\d_]+)\s*$")
_TAIL = re.compile(r"^[\s)\].,;:!\-–—]*$")


def _fold_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.casefold().replace("đ", "d"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def split_when(text: str, *, today: date, tense: str = FUTURE, default_kind: str = DEADLINE) -> tuple[When, str] | None:
    """The time phrase of a one-line item and the item without it: "Nộp báo cáo sơ kết trước 15/12" ->
    (the deadline 15/12, "Nộp báo cáo sơ kết"). The words that lead into the phrase ("trước", "hạn", "vào ngày"),
    a time of day beside it and the punctuation around it go too. None when the text names no date (or one that
    cannot be, e.g. 31/2). The When is ``parse_when``'s reading of the whole text."""
    raw = _clean(text)
    if not raw:
        return None
    today = _as_date(today)
    try:
        when = parse_when(raw, today=today, default_kind=default_kind, tense=tense)
        scan = _scan(raw, today, strict_time=False, tense=tense)
    except DateError:
        return None
    if not scan.hits:
        return None
    canon, pos = _canon_map(raw)
    if canon != scan.canon:  # pragma: no cover - the map follows bot.dates._canon step by step
        return None
    hit = _choose(scan, _cues(scan))
    lo, hi = hit.start, hit.end
    for s, e in scan.time_spans:  # "14h thứ sáu tuần sau", "15/12 lúc 8h": the time goes with the day
        if e <= lo and re.fullmatch(r"[\s,]*(?:(?:ngay|vao|luc)\s*)*", canon[e:lo]):
            lo = s
        elif s >= hi and re.fullmatch(r"[\s,]*(?:(?:vao|luc)\s*)*", canon[hi:s]):
            hi = e
    start, end = pos[lo], pos[hi - 1] + 1
    while True:  # the lead words and punctuation right before the phrase
        punct = _LEAD_PUNCT.search(raw[:start])
        if punct and punct.start() < start:
            start = punct.start()
        word = _WORD_BEFORE.search(raw[:start])
        if word and _fold_word(word.group(1)) in _LEAD_WORDS:
            start = word.start()
            continue
        break
    tail = raw[end:]
    if _TAIL.match(tail):
        tail = ""
    rest = re.sub(r"\s+", " ", raw[:start].rstrip() + (" " + tail.strip(" ,;") if tail.strip() else ""))
    rest = re.sub(r"\s+([,.;:])", r"\1", rest).strip(" ,;:-–—(")
    lead = re.match(r"(?i)(?:hạn|han)(?:\s+(?:chót|chot))?\s+(?!(?:chế|che)(?!\w))(?=\S)", rest)  # "Hạn nộp báo cáo là 15/12"
    if lead and start > 0:
        rest = rest[lead.end():]
        rest = rest[:1].upper() + rest[1:] if raw[:1].isupper() else rest
    return when, rest
