"""Downloads: the Content-Disposition of a Vietnamese file name (RFC 6266 / RFC 5987) and the file types."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
PNG = "image/png"


def ascii_name(name: str) -> str:
    """The file name without diacritics, for clients that ignore filename*: "Kế hoạch 05.docx" → "Ke hoach 05.docx".
    Quotes, backslashes, controls and anything else outside printable ASCII become "_"."""
    name = name.replace("đ", "d").replace("Đ", "D")
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    cleaned = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in plain)
    return cleaned.strip() or "van-ban"


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback and the exact UTF-8 name, percent-encoded."""
    name = unicodedata.normalize("NFC", name)
    return f"attachment; filename=\"{ascii_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
