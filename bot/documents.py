"""Party documents: the document model, its body markup, and two renderers.

``render_text`` gives the plain-text preview shown in the chat; ``render_docx`` gives the .docx laid out
per FORMAT.md section 1 (A4, Times New Roman, borderless header and footer tables, page numbers from
page 2). Both consume the body through ``parse_markup``.

Body markup, one block per line (blank lines are ignored, surrounding spaces are dropped):

* ``# I. MỤC ĐÍCH, YÊU CẦU``  roman heading (bold);  ``## 1. Văn phòng`` numbered heading (bold);
  ``### a) Nội dung`` sub heading (bold italic). The hashes need a space after them.
* ``- text`` / ``+ text``  bullet: the dash or plus stays in the text, as the real documents write it.
* ``= text``  a centred line (banner text); ``=`` alone is an empty centred line.
* anything else is a body paragraph. A backslash before a leading ``# - + =`` keeps the line a paragraph.

Inline, in any block: ``**bold**``, ``*italic*``, ``__underline__``, ``***bold italic***``. A delimiter
opens only before a non-space and closes only after one; one left open at the end of the line is
literal text. ``\\*``, ``\\_`` and ``\\\\`` are a literal ``*``, ``_`` and ``\\``; every other character
(``<``, ``&``, emoji, quotes, a lone backslash) is literal. ``escape_markup`` makes user text safe to
put into a template.
"""

from __future__ import annotations

import io
import re
from copy import deepcopy
from dataclasses import dataclass, field

from docx import Document as _new_docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.parfmt import CT_PPr
from docx.shared import Emu, Mm, Pt

from bot.header_layout import header_layout
from bot.subject_lines import subject_lines
from bot.text_width import width_mm

FONT = "Times New Roman"
PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"


@dataclass
class Signature:
    authority: str  # "T/M ĐẢNG ỦY", "T/M CHI BỘ"; "" for minutes ("THƯ KÝ" / "CHỦ TRÌ" go in title)
    title: str  # "BÍ THƯ", "PHÓ BÍ THƯ"; may be ""
    name: str


@dataclass
class Document:
    superior: str  # header left line 1 ("" = omitted)
    issuer: str  # header left line 2
    number: str  # "Số 46-KH/ĐU"
    place_date: str  # "Tuyên Quang, ngày 22 tháng 11 năm 2022"
    doc_type: str  # "KẾ HOẠCH", "BIÊN BẢN", ...
    subject: str  # trích yếu; "\n" separates lines
    body: str  # the markup above
    recipients: list[str] = field(default_factory=list)  # without the leading "- "
    signature: Signature | None = None  # footer, right column
    signature_left: Signature | None = None  # footer, left column instead of "Nơi nhận"


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False


@dataclass
class Block:
    kind: str  # "roman" | "numbered" | "sub" | "bullet" | "center" | "para"
    runs: list[Run]

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


# ---------------------------------------------------------------------------------------------- markup

_HEADINGS = {1: "roman", 2: "numbered", 3: "sub"}
_HEADING = re.compile(r"(#{1,3})\s+(.*)", re.S)
_BULLET = re.compile(r"([-+])\s+(.*)", re.S)
_CENTER = re.compile(r"=(?:\s+(.*))?", re.S)
_INLINE = re.compile(r"\\([\\*_])|(\*+)|(__+)")
_STYLES = ("bold", "italic", "underline")


class _Delim:
    """A run of ``*`` or ``__``: which styles it may toggle, then which it closes and opens."""

    def __init__(self, chars: str, styles: tuple[str, ...], prev: str, nxt: str):
        self.chars = chars
        self.styles = styles
        self.prev = prev
        self.next = nxt
        self.closes: list[str] = []
        self.opens: list[str] = []

    def literal(self) -> str:
        if self.chars.startswith("_"):
            return "" if (self.closes or self.opens) else self.chars
        used = sum(2 if s == "bold" else 1 for s in self.closes + self.opens)
        return "*" * (len(self.chars) - used)


def _delim_styles(chars: str) -> tuple[str, ...]:
    if chars == "__":
        return ("underline",)
    return {"*": ("italic",), "**": ("bold",), "***": ("bold", "italic")}.get(chars, ())


def parse_inline(text: str) -> list[Run]:
    """Inline markup of one block into styled runs (adjacent runs of the same style merged)."""
    items: list[str | _Delim] = []
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            items.append(text[pos : m.start()])
        if m.group(1) is not None:
            items.append(m.group(1))
        else:
            chars = m.group(0)
            prev = text[m.start() - 1] if m.start() > 0 else " "
            nxt = text[m.end()] if m.end() < len(text) else " "
            items.append(_Delim(chars, _delim_styles(chars), prev, nxt))
        pos = m.end()
    if pos < len(text):
        items.append(text[pos:])

    state = dict.fromkeys(_STYLES, False)
    last_open: dict[str, _Delim] = {}
    for item in items:
        if isinstance(item, str):
            continue
        for style in item.styles:
            if state[style] and not item.prev.isspace():
                item.closes.append(style)
                state[style] = False
            elif not state[style] and not item.next.isspace():
                item.opens.append(style)
                state[style] = True
                last_open[style] = item
    for style, on in state.items():
        if on:  # never closed: its last opener is literal text
            last_open[style].opens.remove(style)

    runs: list[Run] = []
    state = dict.fromkeys(_STYLES, False)

    def emit(chunk: str) -> None:
        if not chunk:
            return
        if runs and (runs[-1].bold, runs[-1].italic, runs[-1].underline) == tuple(state.values()):
            runs[-1] = Run(runs[-1].text + chunk, **state)
        else:
            runs.append(Run(chunk, **state))

    for item in items:
        if isinstance(item, str):
            emit(item)
            continue
        for style in item.closes:
            state[style] = False
        emit(item.literal())
        for style in item.opens:
            state[style] = True
    return runs


def parse_markup(body: str) -> list[Block]:
    """The body markup into blocks; never raises, whatever the text."""
    blocks: list[Block] = []
    for raw in body.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if line[0] == "\\" and line[1:2] in ("#", "-", "+", "="):
            blocks.append(Block("para", parse_inline(line[1:])))
        elif m := _HEADING.fullmatch(line):
            blocks.append(Block(_HEADINGS[len(m.group(1))], parse_inline(m.group(2))))
        elif m := _BULLET.fullmatch(line):
            runs = parse_inline(m.group(2))
            if runs and runs[0] == Run(runs[0].text):  # plain: the marker joins it
                runs[0] = Run(f"{m.group(1)} {runs[0].text}")
            else:
                runs.insert(0, Run(m.group(1) + " "))
            blocks.append(Block("bullet", runs))
        elif m := _CENTER.fullmatch(line):
            blocks.append(Block("center", parse_inline(m.group(1) or "")))
        else:
            blocks.append(Block("para", parse_inline(line)))
    return blocks


# Emphasis she gave an answer (typed ``**…**`` on the console, bold/italic/underline entities on Telegram): a pair
# of the same delimiter around text that starts and ends with a non-space, not inside a word.
_USER_PAIR = re.compile(r"(?<![\w*])(\*\*\*|\*\*|\*)(?=[^\s*])(.+?)(?<=[^\s*])\1(?![\w*])"
                        r"|(?<![\w_])__(?=[^\s_])(.+?)(?<=[^\s_])__(?![\w_])")


def _literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")


def _inline_user(text: str) -> str:
    """One line of user text as inline markup: its emphasis pairs kept, every other ``*``, ``_``, ``\\`` literal."""
    out, pos = [], 0
    for m in _USER_PAIR.finditer(text):
        out.append(_literal(text[pos:m.start()]))
        delim, inner = (m.group(1), m.group(2)) if m.group(1) else ("__", m.group(3))
        out.append(delim + _inline_user(inner) + delim)
        pos = m.end()
    out.append(_literal(text[pos:]))
    return "".join(out)


def escape_markup(text: str, plain: bool = False) -> str:
    """User text made safe for the markup (the templates' ``m`` filter): each line stays a paragraph's text (no
    heading, bullet or centred line can be injected); the emphasis she gave it (``**bold**``, ``*italic*``,
    ``***both***``, ``__underline__``, in pairs) is kept, any other ``*``, ``_`` or backslash is literal.
    ``plain=True``: the emphasis dropped too (text the template sets in bold or italic itself)."""
    if plain:
        text = plain_text(text)
    lines = [_literal(line) if plain else _inline_user(line) for line in text.split("\n")]
    return re.sub(r"(?m)^(\s*)([#+=-])", r"\1\\\2", "\n".join(lines))


def user_runs(line: str) -> list[Run]:
    """One line of user text as styled runs: its emphasis pairs applied, everything else literal."""
    return parse_inline(_inline_user(line))


def plain_text(text: str) -> str:
    """User text without the markers of its emphasis, as a chat message shows it (a lone ``*`` stays)."""
    return "\n".join("".join(r.text for r in user_runs(line)) for line in text.split("\n"))


# ------------------------------------------------------------------------------------------------ text


def _signature_lines(sig: Signature) -> list[str]:
    return [line for line in (sig.authority.upper(), sig.title.upper(), sig.name) if line.strip()]


def render_text(doc: Document) -> str:
    """The chat preview: plain text, one paragraph a line, no markup left."""
    out = [doc.superior.upper(), doc.issuer.upper(), doc.number, doc.place_date, ""]
    out += [doc.doc_type.upper(), *doc.subject.split("\n"), ""]
    for block in parse_markup(doc.body):
        if block.kind == "roman":
            out.append("")
        out.append(block.text)
    out.append("")
    if doc.signature_left is not None:
        out += [*_signature_lines(doc.signature_left), ""]
    elif doc.recipients:
        out += ["Nơi nhận:", *(f"- {r}" for r in doc.recipients), ""]
    if doc.signature is not None:
        out += _signature_lines(doc.signature)

    lines: list[str] = []
    for line in "\n".join(out).split("\n"):  # fields may hold "\n" themselves
        line = line.rstrip()
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip("\n")


# ------------------------------------------------------------------------------------------------ docx

_TEXT_MM = 210 - 30 - 15
_TEXT_WIDTH = Mm(_TEXT_MM)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CENTRE = WD_ALIGN_PARAGRAPH.CENTER
_LEFT = WD_ALIGN_PARAGRAPH.LEFT
_AFTER_TBL_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription",
                      "w:tblPrChange")  # schema order inside w:tblPr


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


def _el(tag: str, **attrs: str):
    el = OxmlElement(tag)
    for name, value in attrs.items():
        el.set(qn(name.replace("_", ":", 1)), value)
    return el


def _set_fonts(rpr) -> None:
    """Times New Roman for every script (Word needs eastAsia and cs for Vietnamese too), no theme fonts."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = _el("w:rFonts")
        rpr.insert(0, fonts)
    for attr in [a for a in fonts.attrib if a.lower().endswith("theme")]:
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _setup_styles(docx) -> None:
    _set_fonts(docx.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")))
    normal = docx.styles["Normal"]
    normal.font.size = Pt(14)
    rpr = normal.element.get_or_add_rPr()
    _set_fonts(rpr)
    rpr.append(_el("w:lang", w_val="vi-VN"))
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    fmt.widow_control = True  # a paragraph kept with the footer moves only its last lines (never one alone)


def _format(par, align=_CENTRE, *, indent: bool = False, before: float = 0, after: float = 0,
            exact: float | None = None):
    fmt = par.paragraph_format
    fmt.alignment = align
    if indent:
        fmt.first_line_indent = Mm(10)
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if exact is not None:
        fmt.line_spacing = Pt(exact)  # a Length means "exactly"
    return par


def _run(par, text: str, size: float | None = 14, *, bold: bool = False, italic: bool = False,
         underline: bool = False):
    """A run; size None inherits Normal's 14 pt (the body: fewer elements, faster)."""
    run = par.add_run(_xml_safe(text))
    if size is not None:
        run.font.size = Pt(size)
    if bold:
        run.bold = True
    if italic:
        run.italic = True
    if underline:
        run.underline = True
    return run


def _line(cell, text: str, size: float = 14, align=_CENTRE, before: float = 0, **style):
    """One single-spaced line in a table cell (the cell's initial empty paragraph was removed)."""
    par = _format(cell.add_paragraph(), align, before=before)
    if text:
        _run(par, text, size, **style)
    return par


def _clear(cell):
    for par in cell.paragraphs:
        cell._tc.remove(par._p)
    return cell


def _borderless_table(docx, rows: int, left_mm: float):
    table = docx.add_table(rows=rows, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    left = Emu(int(Mm(left_mm)))
    for column, width in zip(table.columns, (left, Emu(_TEXT_WIDTH - left)), strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width
    tbl_pr = table._tbl.tblPr
    borders = _el("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_el(f"w:{edge}", w_val="none"))
    tbl_pr.insert_element_before(borders, *_AFTER_TBL_BORDERS)
    # no side padding: the header's lines are measured against the columns' full widths
    margins = _el("w:tblCellMar")
    for side in ("left", "right"):
        margins.append(_el(f"w:{side}", w_w="0", w_type="dxa"))
    tbl_pr.insert_element_before(margins, *_AFTER_TBL_BORDERS[3:])
    return table


def _header(docx, doc: Document) -> None:
    """Row 1: bodies and star | party name; row 2: number | place and date, so those two stay level. Column
    widths and line breaks come from bot/header_layout.py; each line is a paragraph of its own, so Word and
    LibreOffice break exactly there."""
    layout = header_layout(_xml_safe(doc.superior.upper()), _xml_safe(doc.issuer.upper()),
                           _xml_safe(doc.place_date), _TEXT_MM)
    table = _borderless_table(docx, rows=2, left_mm=layout.left)
    (bodies, party), (number, date) = ([_clear(c) for c in row.cells] for row in table.rows)
    for line in layout.superior:
        _line(bodies, line)
    for line in layout.issuer or ("",):
        _line(bodies, line, bold=True)
    _line(bodies, "*")
    _line(party, PARTY, 15, bold=True, underline=True)
    _line(number, doc.number)
    for line in layout.place_date or ("",):
        _line(date, line, italic=True)


def _title(docx, doc: Document) -> None:
    if doc.doc_type.strip():
        _run(_format(docx.add_paragraph(), before=12), doc.doc_type.upper(), 16, bold=True)
    lines = subject_lines(_xml_safe(doc.subject))
    for line in lines:
        _run(_format(docx.add_paragraph()), line, bold=True)
    if lines:
        _run(_format(docx.add_paragraph(), after=6), "-----")


_BLOCK_STYLE = {"roman": (True, False), "numbered": (True, False), "sub": (True, True)}


def _body(docx, blocks: list[Block], *, keep_end: bool = False) -> None:
    """14 pt, justified, first line 10 mm, 6 pt before and after, exactly 18 pt; headings alike. `keep_end`:
    the last paragraph (and the one before when the last is a single line) is kept with what follows, the
    footer, so the signature never stands alone on a page; widow control moves only its last lines."""
    formats: dict[tuple[bool, bool], CT_PPr | None] = {}  # paragraph properties by (centred, heading), copied: much faster than setting each
    pars = []
    for block in blocks:
        par = docx.add_paragraph()
        pars.append(par)
        key = (block.kind == "center", block.kind in _BLOCK_STYLE)
        if key in formats:
            par._p.insert(0, deepcopy(formats[key]))
        else:
            _format(par, _CENTRE if key[0] else WD_ALIGN_PARAGRAPH.JUSTIFY, indent=not key[0],
                    before=6, after=6, exact=18)
            par.paragraph_format.keep_with_next = key[1] or None
            formats[key] = par._p.pPr
        bold, italic = _BLOCK_STYLE.get(block.kind, (False, False))
        for r in block.runs:
            _run(par, r.text, None, bold=r.bold or bold, italic=r.italic or italic, underline=r.underline)
    if keep_end and pars:
        kept = pars[-2:] if len(pars) > 1 and _one_line(blocks[-1]) else pars[-1:]
        for par in kept:
            par.paragraph_format.keep_with_next = True


def _one_line(block: Block) -> bool:
    """The block fits one line of the body (first-line indent included)."""
    return 10 + sum(width_mm(r.text, 14, bold=r.bold, italic=r.italic) for r in block.runs) <= _TEXT_MM


def _signature(cell, sig: Signature) -> None:
    """Authority (bold), title (regular; bold when there is no authority), room to sign, name (bold)."""
    _clear(cell)
    lines = [(sig.authority.upper(), True), (sig.title.upper(), not sig.authority.strip())]
    for i, (text, bold) in enumerate((t, b) for t, b in lines if t.strip()):
        _line(cell, text, bold=bold, before=0 if i else 6)
    for _ in range(4):
        _line(cell, "")
    _line(cell, sig.name, bold=True)


def _has_footer(doc: Document) -> bool:
    return bool(doc.recipients or doc.signature or doc.signature_left)


def _footer(docx, doc: Document) -> None:
    if not _has_footer(doc):
        return
    table = _borderless_table(docx, rows=1, left_mm=0.45 * _TEXT_MM)
    table.rows[0]._tr.get_or_add_trPr().append(_el("w:cantSplit"))  # keep the signature in one piece
    left, right = table.rows[0].cells
    if doc.signature_left is not None:
        _signature(left, doc.signature_left)
    elif doc.recipients:
        _line(_clear(left), "Nơi nhận:", align=_LEFT, before=6, underline=True)
        hang = Pt(round(width_mm("- ", 12) * 72 / 25.4, 2))  # a wrapped line starts under the text, after "- "
        for recipient in doc.recipients:
            fmt = _line(left, f"- {recipient}", 12, align=_LEFT).paragraph_format
            fmt.left_indent, fmt.first_line_indent = hang, -hang
    if doc.signature is not None:
        _signature(right, doc.signature)


def _page_numbers(section) -> None:
    """A centred PAGE field in the header; an empty first-page header (titlePg) keeps page 1 bare."""
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    section.header.is_linked_to_previous = False
    par = _format(section.header.paragraphs[0])
    _run(par, "")._r.append(_el("w:fldChar", w_fldCharType="begin"))
    instr = _el("w:instrText", xml_space="preserve")
    instr.text = " PAGE "
    _run(par, "")._r.append(instr)
    _run(par, "")._r.append(_el("w:fldChar", w_fldCharType="separate"))
    _run(par, "2")
    _run(par, "")._r.append(_el("w:fldChar", w_fldCharType="end"))


def render_docx(doc: Document) -> bytes:
    """The .docx file content, laid out per FORMAT.md section 1."""
    docx = _new_docx()
    _setup_styles(docx)
    section = docx.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = section.footer_distance = Mm(10)
    _page_numbers(section)

    props = docx.core_properties
    props.title = _xml_safe(" ".join(f"{doc.doc_type} {doc.subject}".split()))[:255]
    props.author = _xml_safe(doc.issuer)[:255]
    props.comments = ""
    package_rels = docx.part.package.rels  # the template's thumbnail would show a blank page as preview
    for rid in [rid for rid, rel in package_rels.items() if rel.reltype == RT.THUMBNAIL]:
        package_rels.pop(rid)

    _header(docx, doc)
    _title(docx, doc)
    _body(docx, parse_markup(doc.body), keep_end=_has_footer(doc))
    _footer(docx, doc)
    out = io.BytesIO()
    docx.save(out)
    return out.getvalue()
