"""Dated items in a plan (Kế hoạch): deadlines, events and periods, with the body each is assigned to.

``extract(text, today=...)`` reads the text of a plan (``read_text`` gets it from a .docx, .txt or .md file) and
returns its dated items in document order; ``chibo extract PATH [--json]`` prints them (bot/cli.py). A file or
text from a chat is read in a worker process (``bot.extract.worker``) within the limits of ``bot.extract.limits``.
Pure regular expressions: no ``dateparser`` on this path (``search_dates`` is slow and reads citation
dates and document numbers as dates). The values of the dates come from ``bot.dates.parse_when`` and
``bot.dates.parse_time`` (the written forms of Vietnamese dates), called on the date expression alone.

How a plan is read:

* The text is cleaned: NFC, markdown-ish noise dropped (``**``, ``*``, ``\\*``, leading
  ``#``, ``[bookmark: _GoBack]``), spaces collapsed. ``Item.quote`` and ``Item.line`` are cleaned text.
* Date expressions are found with this module's own patterns: full dates in every written form
  (``ngày 08 tháng 10 năm 2023``, ``08/10/2023``, ``8-10-2023``, ``08.10.2023``, ``ngày15/01/2024``),
  day and month without a year, ranges (``từ 01/7 đến 15/7/2023``, ``15-20/6``, ``từ tháng 7 đến tháng
  12-2019``), months (``tháng 7/2023``, ``đầu/giữa/cuối tháng 7/2023``, ``trong 2/2021``), quarters
  (``Quý II/2023``, ``quý IV.2019``), ``6 tháng đầu năm 2023`` and ``trong năm 2023``. A time next to a
  date (``Lúc 08 giờ 00 thứ năm, ngày 28 ...``, ``..., lúc 8h00``) is the item's time.
* Kind, from the cue words right before the expression (only punctuation and ``là``/``vào``/``trong``
  between; a chain of cues such as ``Thời gian hoàn thành: trước ngày`` counts as one, the nearest cue
  decides): deadline after ``trước``, ``hoàn thành (trước)``, ``thời gian hoàn thành``, ``chậm nhất``,
  ``muộn nhất``, ``xong``, ``(thời) hạn``, ``hạn chót``, ``(đến) hết``; event after ``dự kiến``, ``vào
  lúc``, ``lúc``, ``tổ chức vào``, ``diễn ra``, ``khai mạc``, ``họp``, ``Thời gian:``; after the labels
  ``Thời gian tiến hành/thực hiện/tổ chức:`` a period expression is a period and a day an event.
  ``trước`` + a period (``trước tháng 7/2023``) is due the day before the period starts; any other
  cued period keeps its first day in ``start`` and is due on its last day.
* Without a cue: a day with a year (or after ``ngày``) is an event (a deadline when ``là hạn chót``,
  ``hoàn thành``... follows it), unless it is history (below); a
  period is an item only when it is attached to a listed topic: in parentheses at the end of a list
  item (``- Chuyên đề 1: ... (Quý I/2023).``) or as the label that starts one (``- Quý I/2023: ...``);
  its quote is then the whole item. Other uncued periods (``sơ kết 9 tháng đầu năm 2023``) are what
  the plan is about, not items. A day-month without ``ngày`` or year (``15/6``) needs a cue.
* Not items: citations (a document number such as ``65-KH/ĐUK`` or ``21-KL/TW``, or a document type
  such as ``Chỉ thị``/``Kết luận`` plus a few words, shortly before the date with no cue between);
  the dates on a "Place, ngày .. tháng .. năm .." line (the issue date); blank template dates
  (``ngày   tháng 10 năm 2023``); evaluation cut-offs (uncued dates in a sentence about ``thời
  điểm``/``mốc thời gian``/``số liệu``/``tính đến``); uncued days before the issue date or in a year
  before the plan's year.
* Year of a date written without one: the plan's year, i.e. the most common explicit year of the
  non-citation dates (the issue date counts once, years before it not at all; ties: the later). The
  date is then read by ``parse_when`` with ``today`` = 1 January of that year (so ``15/6`` is 15 June
  of the plan's year, ``Quý I`` its first quarter). With no year anywhere the ``today`` rules of
  ``bot.dates`` apply as they are (the first such date on or after ``today``).

``who``, the body the item is assigned to, in this order of precedence:

1. the clause the date is in (text since the last ``;``/``.``): ``Giao X chủ trì/theo/xây dựng/...``
   (``X`` cut at the first such verb), or a clause that starts with a body and its verb (``2. Ban
   Tuyên giáo Đảng ủy Khối chủ trì, ...``, ``...; Văn phòng Đảng ủy chuẩn bị ... trước ngày``); else a
   ``Giao X`` earlier in the same line;
2. a line that starts ``X chủ trì ...``, or the run-in label of the line (``- Cấp cơ sở: ...``);
3. a label-only line above it (``- Cấp cơ sở:``), until the next ``-`` item or heading;
4. a line ``- X thực hiện;`` above it in the same numbered section (the chi bộ that holds a meeting);
5. the nearest numbered heading above (``1. Văn phòng Đảng ủy``, ``2- Các chi bộ trực thuộc``,
   ``## **2. Đối với Đảng ủy Khối**`` -> ``Đảng ủy Khối``, ``4. Ban Tổ chức, ..., Văn phòng Đảng ủy
   Khối:`` -> without the colon; ``a)`` sub-items keep their parent's). A heading counts only when its
   text names a body (Đảng bộ, Đảng ủy, Chi bộ, Cấp ủy, Cấp cơ sở, Ban, Văn phòng, Ủy ban, Thường
   trực, Các đồng chí, cơ quan, ...); a heading that names none (``3. Thời gian, địa điểm``) ends the
   assignee of its level. Headings under ``MỤC ĐÍCH, YÊU CẦU`` are goals, not assignees; a roman
   heading (``III. TỔ CHỨC THỰC HIỆN``) and ``Nơi nhận:`` reset all.

``who`` keeps the plan's own words (spelling ``uỷ``/``ủy`` included) with the first letter in upper
case. Compare it with ``who_matches``: equal after ``who_key`` (case, accents, markup and a trailing
colon ignored), or one a word-wise prefix of the other (``Chi bộ 01 thuộc Đảng bộ Trường ... Tp Hồ Chí
Minh`` matches ``Chi bộ 01 thuộc Đảng bộ Trường ...``).

``title``, what the item dates (``bot.extract.titles``, one call at the end of ``extract``): the action of the
clause the date is in, without the date, its cue, a run-in label (``Cấp cơ sở:``, ``Thời gian:``) and the
assignee's preamble (``Giao X chủ trì, phối hợp với ... tham mưu Y``); when the line is only a label and a date,
the list item it sits under (``- Tổ chức Hội nghị sơ kết:``), else the nearest heading that names neither a
body nor a generic part of a plan (``1. Hội nghị ... mẫu`` + ``tại`` the unit of a ``- X thực hiện;`` line),
else the plan's own title. Never a cue (``Thời gian dự kiến``); a capital first letter; at most 90 characters,
cut at a phrase boundary with "…". Two items of one plan never share a title: the assignee, else the date (and
time), else ``(lần N)`` is added. ``by_date`` orders items for a list (date, time, document order).

The same (kind, due, who, quote) is returned once; items keep document order.
"""

from __future__ import annotations

from bot.extract.assignees import who_key, who_matches
from bot.extract.files import read_text
from bot.extract.items import Item, extract
from bot.extract.titles import by_date

__all__ = ["Item", "by_date", "extract", "read_text", "who_key", "who_matches"]
