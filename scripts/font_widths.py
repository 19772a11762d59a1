"""Regenerate data/font_widths.json: advance widths of Times New Roman's metric twin, Liberation Serif.

The header and footer are laid out by measuring text (bot/text_width.py), without any font at run time:
this script reads the four Liberation Serif faces once and writes the advance width of every character the
documents use — printable ASCII, Latin-1 letters, all Vietnamese letters, typographic punctuation — in font
units. Liberation Serif is metric-compatible with Times New Roman, so the widths are Word's widths too.

Needs fontTools (`.venv/bin/pip install fonttools`) and Liberation 2 (Debian: fonts-liberation2; the older
fonts-liberation 1.07 has no Vietnamese letters, and LibreOffice then draws them from a wider font).
Run from the repository root: python scripts/font_widths.py [FONT_FOLDER]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "data" / "font_widths.json"
FOLDER = Path("/usr/share/fonts/truetype/liberation2")  # 2.x: the 1.07 faces lack the Vietnamese letters
FACES = {"regular": "Regular", "bold": "Bold", "italic": "Italic", "bold_italic": "BoldItalic"}


def characters() -> str:
    """Printable ASCII, Latin-1 letters, Vietnamese (Ă Đ Ĩ Ũ Ơ Ư and the U+1EA0 block), punctuation."""
    codes = list(range(0x20, 0x7F)) + list(range(0xA0, 0x100))
    codes += [0x102, 0x103, 0x110, 0x111, 0x128, 0x129, 0x168, 0x169, 0x1A0, 0x1A1, 0x1AF, 0x1B0]
    codes += list(range(0x1EA0, 0x1EFA))
    codes += [0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026]
    return "".join(chr(c) for c in codes)


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER
    chars = characters()
    table: dict[str, object] = {"font": "Liberation Serif (metrics of Times New Roman)", "chars": chars}
    widths: dict[str, list[int]] = {}
    for style, face in FACES.items():
        font = TTFont(folder / f"LiberationSerif-{face}.ttf")
        table["units_per_em"] = font["head"].unitsPerEm
        cmap, metrics = font.getBestCmap(), font["hmtx"].metrics
        missing = [c for c in chars if ord(c) not in cmap]
        if missing:
            raise SystemExit(f"{face} lacks {''.join(missing)!r}")
        widths[style] = [metrics[cmap[ord(c)]][0] for c in chars]
    table["widths"] = widths
    TARGET.write_text(json.dumps(table, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}: {len(chars)} characters, {len(FACES)} faces")


if __name__ == "__main__":
    main()
