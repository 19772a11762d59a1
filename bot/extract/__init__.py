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
  ``Thời gian tiến hành/thực hiện/tổ chức:`` a period expression is a period and a day an event; after
  a longer time label (``Thời gian tổ chức Đại hội: Quý III/2025``) a period is a period, and after a
  deadline label (``Hạn chót nộp hồ sơ: 30/9/2024``) a day is a deadline. ``năm 2024`` is a period only
  as ``trong/cả năm 2024``, ``hết năm 2024`` or right after a colon (``Thời gian thực hiện: Năm 2024``).
  ``trước`` + a period (``trước tháng 7/2023``) is due the day before the period starts; any other
  period keeps its first day in ``start`` and is due on its last day.
* Without a cue, a day with a year (or after ``ngày``) is an event (a deadline when ``là hạn chót``,
  ``hoàn thành``... follows it), unless it is history or the document's own date (below). A
  day-month without ``ngày`` or year (``15/6``) needs a cue.
* Without a cue, a period is an item when it dates an action or an event (``bot.extract.periods``):
  1. a listed topic: in parentheses at the end of a list item (``- Chuyên đề 1: ... (Quý I/2023).``);
  2. a schedule entry: it opens the line or a clause (after ``;``, ``,``, ``.``, ``:`` or a bullet) and
     a colon/dash or an action follows (``- Quý I/2022: ...; Quý II/2022 kiểm tra Chi bộ ...``,
     ``Lịch kiểm tra: quý I/2022 kiểm tra ..., Quý II/2022 ...``); its quote is that entry;
  3. a time adverbial of an action: it follows ``vào``/``trong``/``từ``/``đến``/``khoảng``/``dịp``... or
     opens with ``trong``/``từ``/``cả``/``đầu``/``giữa``/``cuối``, an action word (``tổ chức``,
     ``hoàn thành``, ``triển khai``, ``báo cáo``, ``sơ kết``, ``tổng kết``, ``học tập``, ``quán triệt``,
     ``kiểm tra``, ``hội nghị``, ``đại hội``, ``gửi``, ``nộp``...) or ``dự kiến`` is in its clause, and the
     clause is not about the past (``đã``, ``đạt``). Kind: ``dự kiến`` before it -> event; a range of
     months -> period; ``hoàn thành``/``xong`` before it -> deadline; a gathering (``hội nghị``, ``đại
     hội``, ``họp``, ``sơ kết``, ``tổng kết``, ``lễ``...) -> event; ``báo cáo``/``gửi``/``nộp``/``trình`` ->
     deadline; else period.
  A period that is only what the plan is about is not an item: without a time preposition
  (``sơ kết công tác quý I/2024``, ``kết quả thực hiện 6 tháng đầu năm 2023``, a title ``... năm
  2023``), or a year, quarter or half after a review word (``sơ kết``, ``tổng kết``, ``kết quả``,
  ``đánh giá``, ``tình hình``, ``nhiệm vụ``...) with no ``vào`` between (``tổng kết công tác trong năm
  2022``), or right after a document number (``Chỉ thị 05-CT/TW tháng 5``).
* Tentative (``Item.tentative``, ``"tentative"`` in ``--json``): ``dự kiến`` earlier in the item's clause
  (``Dự kiến tổ chức Đại hội chi bộ ... trong tháng 10/2021``, ``Thời gian dự kiến: ...``) or right
  after it (``Quý II/2024 (dự kiến): ...``); not ``dự kiến nhân sự/danh sách/chương trình...`` (a draft).
* Not items (precision):
  - citations: a document number such as ``65-KH/ĐUK``, ``21-KL/TW`` or ``08-QĐi/TW`` right before the
    date (only spaces, commas, ``ban hành``/``ký``/``vào`` between), or a document type such as
    ``Chỉ thị``/``Kết luận``/``Luật`` plus a few words shortly before it, with no cue between;
  - the document's own dates: the issue date, i.e. a date after ``<Place>, `` where the place is a run of
    capitalised words (``Tuyên Quang``, ``Quận 3``, ``Bà Rịa - Vũng Tàu``) that starts the line or follows a
    word without lower-case letters or a document number, so also inside a header flattened onto one line
    (``... VIỆT NAM Số 27-KH/ĐU Trung Môn, ngày 05 tháng 4 năm 2023 KẾ HOẠCH ...``) and in an excerpt cut
    mid-header (``, ngày 22 tháng 11 năm 2022``); a formal date alone on its line (``Ngày 15 tháng 3 năm
    2024``: a signature, or the issue date when in the first lines); in minutes (``BIÊN BẢN`` in the
    header) the first date that is not a citation (the meeting date) and the issue date, wherever they
    are repeated; the date of ``Hôm nay, ngày ...``;
  - dates that date no action of the plan: after ``thông qua``, ``ban hành``, ``ký``, ``thành lập``,
    ``phê duyệt``, ``công bố``, ``(có) hiệu lực (kể) từ`` (a law passed, a body founded, a rule in force);
  - blank template dates (``ngày   tháng 10 năm 2023``); evaluation cut-offs (uncued dates in a sentence
    about ``thời điểm``/``mốc thời gian``/``số liệu``/``tính đến``); uncued days before the issue date or in
    a year before the plan's year.
* The document's own year (``bot.extract.context``) is the context of a date written without one. Such a
  date is read forward from a reference day: the issue date (the first issue-shaped date above; else the
  meeting date of minutes; else a formal date alone on one of the first lines; a template issue date
  ``ngày   tháng 3 năm 2024`` gives 1 March 2024), moved to 1 January of the year the header names
  when that year is later (a plan issued in December for next year); without an issue date, 1 January of
  the latest year written in the header (number and title, before ``Căn cứ``/``Thực hiện``/the first
  section: ``KẾ HOẠCH ... năm 2021``, ``Năm 2024, ...``); else of the most common explicit year of the
  non-citation dates (years before the issue date not counted). The date is then read by ``parse_when``
  with ``today`` = that day: ``15/6`` is the first 15 June on or after it, ``quý I``/``đến hết quý I`` the
  first quarter that has not ended by then (a plan issued on 15/01/2021 and read in 2026: 31/3/2021;
  issued on 20/12/2021: 31/3/2022). Only when the document names no year at all do the ``today`` rules
  of ``bot.dates`` apply (the first such date on or after the caller's ``today``) - as in a conversation.

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
