"""How a plan numbers its sections and items: each office keeps its own habit.

The seeds show four: "I." headings, "1." sections, "2.1." sub-sections and "-" bullets under MỤC ĐÍCH, YÊU CẦU
(seeds 000, 001); the same with the purposes numbered "1.", "2." (seed 003); "I-", "1-", "2.1-" with bullets
(seed 004); and "I-", "1-" with the purposes numbered "1-", "2-" (seed 002). Templates write the body markup
with "." numbers; `restyle` turns every number the markup writes at the start of a line (a heading, a numbered
paragraph, a bold lead such as "**1. Nội dung:**") into the layout's form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    sep: str  # after a number: "." ("I.", "1.", "2.1.") or "-" ("I-", "1-", "2.1-")
    numbered_purposes: bool  # the items of MỤC ĐÍCH, YÊU CẦU numbered ("1.", "1-") instead of "-" bullets


DEFAULT = "dot"
LAYOUTS = {
    "dot": Layout(".", False),
    "dot_numbered": Layout(".", True),
    "dash": Layout("-", False),
    "dash_numbered": Layout("-", True),
}


def layout(value: object) -> Layout:
    """The layout a plan's answer names (an absent or unknown one: the usual "I.", "1.", bullets)."""
    return LAYOUTS.get(str(value or DEFAULT), LAYOUTS[DEFAULT])


# A number at the start of a markup line: a heading's Roman numeral ("# II. "), a section's number ("## 2. ",
# "### 2.1. "), a numbered paragraph ("3. "), also behind a bold or italic lead ("**1. Nội dung:**"). A
# backslash-escaped line (user text) is never touched.
_ROMAN = re.compile(r"(?m)^(#\s+(?:\*{1,3})?)([IVXLC]+)\.(?=\s)")
_NUMBER = re.compile(r"(?m)^((?:#{1,3}\s+)?(?:\*{1,3})?)(\d{1,2}(?:\.\d{1,2})*)\.(?=\s)")


def restyle(markup: str, sep: str) -> str:
    """`markup` with the numbers of its headings and numbered paragraphs ending in `sep` ("." or "-")."""
    if sep == ".":
        return markup
    markup = _ROMAN.sub(lambda m: f"{m.group(1)}{m.group(2)}{sep}", markup)
    return _NUMBER.sub(lambda m: f"{m.group(1)}{m.group(2)}{sep}", markup)
