"""The width of a line of text in Times New Roman, without any font at run time.

data/font_widths.json holds the advance widths of Liberation Serif (metric-compatible with Times New Roman)
for printable ASCII, Latin-1, every Vietnamese letter and typographic punctuation, in four faces; it is made
by scripts/font_widths.py. Kerning is ignored (Word and LibreOffice do not kern body text by default).
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from pathlib import Path

TABLE = Path(__file__).resolve().parent.parent / "data" / "font_widths.json"
PT_PER_MM = 72 / 25.4


@cache
def _faces() -> tuple[int, dict[str, dict[str, int]]]:
    table = json.loads(TABLE.read_text(encoding="utf-8"))
    chars: str = table["chars"]
    faces = {face: dict(zip(chars, widths, strict=True)) for face, widths in table["widths"].items()}
    return table["units_per_em"], faces


def _face(bold: bool, italic: bool) -> str:
    return {(False, False): "regular", (True, False): "bold", (False, True): "italic"}.get(
        (bold, italic), "bold_italic")


def _char_units(widths: dict[str, int], char: str) -> int:
    if char in widths:
        return widths[char]
    base = unicodedata.normalize("NFD", char)[:1]  # a letter the table lacks: its base letter's width
    if base in widths:
        return widths[base]
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):  # combining marks, zero-width joiners
        return 0
    return widths["n"]  # anything else: an average letter


def text_width(text: str, size: float, *, bold: bool = False, italic: bool = False) -> float:
    """The advance width of `text` set in `size` pt, in points."""
    units_per_em, faces = _faces()
    widths = faces[_face(bold, italic)]
    units = sum(_char_units(widths, c) for c in unicodedata.normalize("NFC", text))
    return units * size / units_per_em


def width_mm(text: str, size: float, *, bold: bool = False, italic: bool = False) -> float:
    """The advance width of `text` set in `size` pt, in millimetres."""
    return text_width(text, size, bold=bold, italic=italic) / PT_PER_MM
