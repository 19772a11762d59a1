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


_STOP = frozenset("lần thứ trước sau ngày về của và với trong theo đã sẽ".split())


def capitalise_bodies(text: str, *, known: Sequence[str] = ()) -> str:
    """'đảng ủy phường tân mai' -> 'Đảng ủy phường Tân Mai' (provisional: the obvious cases only)."""
    for name in known:
        text = re.sub(re.escape(name), name, text, flags=re.IGNORECASE)

    def fix(m: re.Match[str]) -> str:
        body = m.group(1)
        words = m.group(3).split()
        if body != body.lower() or words[0] in _STOP:
            return m.group(0)
        if len(words) > 1 and words[1] in _STOP:
            return m.group(0)[: -len(m.group(3))] + words[0][:1].upper() + words[0][1:] + m.group(3)[len(words[0]):]
        place = " ".join(w[:1].upper() + w[1:] for w in words)
        return body[:1].upper() + body[1:] + m.group(2) + " " + place

    return _BODIES.sub(fix, text)
