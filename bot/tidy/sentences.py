"""Spaces, capitals and end punctuation of one answer, by the kind of text it is in the document.

The end punctuation follows the seeds and templates: a heading has no final full stop; a sentence (the
paragraphs of “Mục đích, yêu cầu”, a note) ends with one; a recipient line ends with “,” and the last
one (“Lưu …”) with “.”; list items and lines keep what she typed (the seeds' programmes mix “;”, “.” and none,
and the templates add their own punctuation after some answers), only doubled marks are undone.
"""

from __future__ import annotations

import re

END_MARKS = ".;,:!?…"
_LEAD = re.compile(r"^(\s*(?:[-+•*]\s*|\d{1,2}[.)]\s+|[a-zđ][.)]\s+)?)([“\"'(]?)(\S)")


def spaces(text: str) -> str:
    """Single spaces inside each line; no space before , . ; : ! ?; a space after , ; before a letter."""
    lines = []
    for line in text.splitlines():
        line = re.sub(r"[ \t\u00a0]+", " ", line).strip()
        line = re.sub(r" +([,;:!?])", r"\1", line)
        line = re.sub(r" +\.(?!\.|/)", ".", line)
        line = re.sub(r"([,;])(?=[^\W\d_])", r"\1 ", line)
        line = re.sub(r"([,;:])\1+", r"\1", line)
        line = re.sub(r"(?<![./])\.\.(?![./])", ".", line)
        line = re.sub(r"[,;]\.$", ".", line)
        lines.append(line)
    return "\n".join(line for line in lines if line)


def capital_first(text: str) -> str:
    """The first letter (after a bullet, a list number or an opening quote) in capitals.

    A first word that is a code or has capitals inside (“iPhone”, “b/c”) is left alone.
    """
    match = _LEAD.match(text)
    if not match or not match.group(3).isalpha() or match.group(3).isupper():
        return text
    word = re.match(r"\S+", text[match.start(3):])
    if word and (any(ch.isupper() for ch in word.group(0)[1:]) or "/" in word.group(0)):
        return text
    at = match.start(3)
    return text[:at] + text[at].upper() + text[at + 1:]


def heading(text: str) -> str:
    """A heading: a capital first letter, no final full stop (or “;”, “,”, “:”)."""
    return capital_first(spaces(text)).rstrip(" .;,:")


def sentence(text: str) -> str:
    """A sentence: a capital first letter and a final full stop when it has no end mark."""
    text = capital_first(spaces(text))
    if text and text[-1] not in END_MARKS and not text.endswith(("./.", ")", "”", "\"")):
        text += "."
    elif text.endswith(("”", ")", "\"")) and text[-2:-1] not in END_MARKS:
        text += "."
    return text


def item(text: str) -> str:
    """A list item or a line: a capital first letter; the end as typed."""
    return capital_first(spaces(text))


def paragraphs(text: str) -> str:
    """Several lines: each one an item."""
    return "\n".join(item(line) for line in spaces(text).splitlines())


ADMIN_WORDS = frozenset("""thành phố tỉnh huyện quận thị xã trấn phường thôn xóm ấp bản""".split())


def place(text: str) -> str:
    """A place name (“tuyên quang” → “Tuyên Quang”, “thành phố hồ chí minh” → “Thành phố Hồ Chí Minh”).

    Only an answer typed all in lower case is given its capitals; one with capitals is kept as typed.
    """
    text = spaces(text).strip(" .,;")
    if text != text.lower():
        return text
    words = text.split()
    out = [w[:1].upper() + w[1:] if i == 0 or (w not in ADMIN_WORDS and not w[:1].isdigit()) else w
           for i, w in enumerate(words)]
    return " ".join(out)


def recipient(text: str, *, last: bool = False) -> str:
    """A line of “Nơi nhận”: capital first, ending “,” (“.” for the last one, “Lưu …”)."""
    text = capital_first(spaces(text)).rstrip()
    if text and text[-1] not in ".,;":
        text += "." if last or text.casefold().startswith("lưu") else ","
    return text



def recipients(lines: list[str]) -> list[str]:
    """The lines of “Nơi nhận” with the “Lưu …” lines last, as documents write them; lines are moved (and their
    end marks swapped) only when one was added after “Lưu …”."""
    def filed(line: str) -> bool:
        return line.strip(" -").casefold().startswith("lưu")

    ordered = [line for line in lines if not filed(line)] + [line for line in lines if filed(line)]
    if ordered == lines:
        return lines
    ends = [line.rstrip()[-1] for line in ordered[:-1] if line.rstrip()[-1:] in (",", ";")]
    sep = max(set(ends), key=ends.count) if ends else ","
    out = [line.rstrip()[:-1] + sep if line.rstrip().endswith(".") else line for line in ordered[:-1]]
    last = ordered[-1].rstrip()
    return out + [last[:-1] + "." if last.endswith((",", ";")) else last]
