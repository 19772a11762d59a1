"""Party bodies, state bodies and place names capitalised.

# provisional: the cite branch replaces this
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# A few obvious rules only; the cite branch owns the real version.
_BODIES = re.compile(r"\b(đảng ủy|đảng uỷ|đảng bộ|chi bộ|ban thường vụ|ban chấp hành|ủy ban nhân dân|hội đồng nhân dân)"
                     r"(\s+(?:phường|xã|thị trấn|huyện|quận|tỉnh|thành phố|xóm|thôn))\s+([^\W\d_]+(?:\s+[^\W\d_]+)?)",
                     re.IGNORECASE)


def capitalise_bodies(text: str, *, known: Sequence[str] = ()) -> str:
    """'đảng ủy phường tân mai' -> 'Đảng ủy phường Tân Mai' (provisional: the obvious cases only)."""
    for name in known:
        text = re.sub(re.escape(name), name, text, flags=re.IGNORECASE)

    def fix(m: re.Match[str]) -> str:
        body = m.group(1)
        place = " ".join(w[:1].upper() + w[1:] for w in m.group(3).split())
        return body[:1].upper() + body[1:] + m.group(2) + " " + place

    return _BODIES.sub(fix, text)
