"""The emphasis of an answer (``**bold**``, ``*italic*``, ``__underline__``) kept through tidying.

The tidying steps read plain words: an answer with emphasis is split into its plain text and the style of each
character, the plain text is tidied, and the styles are carried over to the tidied text by aligning the two
(difflib): a character kept keeps its style, a replaced stretch ("thứ 6 tuần sau" → "thứ Sáu, ngày 11/12/2026")
takes the style of what it replaces, an inserted one the style its neighbours share. The markers then go
back around each styled stretch, as bot.documents reads them.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from bot.documents import user_runs

END_MARKS = ".,;:"
Style = tuple[bool, bool, bool]  # bold, italic, underline
PLAIN: Style = (False, False, False)


def has_emphasis(text: str) -> bool:
    """`text` carries emphasis markers that the documents would print as bold, italic or underlined."""
    if "*" not in text and "__" not in text:
        return False
    return any(style != PLAIN for style in split(text)[1])


def split(text: str) -> tuple[str, list[Style]]:
    """The plain text and the style of each of its characters (a line break is plain)."""
    chars: list[str] = []
    styles: list[Style] = []
    for n, line in enumerate(text.split("\n")):
        if n:
            chars.append("\n")
            styles.append(PLAIN)
        for run in user_runs(line):
            chars.append(run.text)
            styles += [(run.bold, run.italic, run.underline)] * len(run.text)
    return "".join(chars), styles


def carry(old: str, old_styles: list[Style], new: str) -> list[Style]:
    """The styles of `new`, a tidied `old`: aligned character by character."""
    out: list[Style] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out += old_styles[i1:i2]
        elif op == "replace":
            replaced = old_styles[i1:i2]
            style = max(set(replaced), key=replaced.count)
            out += [style] * (j2 - j1)
        elif op == "insert":
            before = old_styles[i1 - 1] if i1 > 0 else PLAIN
            after = old_styles[i1] if i1 < len(old_styles) else PLAIN
            shared: Style = tuple(a and b for a, b in zip(before, after, strict=True))  # type: ignore[assignment]
            out += [shared] * (j2 - j1)
    return out


def _marks(style: Style) -> tuple[str, str]:
    bold, italic, underline = style
    inner = "***" if bold and italic else "**" if bold else "*" if italic else ""
    outer = "__" if underline else ""
    return outer + inner, inner + outer


def join(text: str, styles: list[Style]) -> str:
    """`text` with the markers of `styles` around each styled stretch (the spaces and end marks at its ends left
    outside)."""
    lines: list[str] = []
    start = 0
    for line in text.split("\n"):
        lines.append(_join_line(line, styles[start:start + len(line)]))
        start += len(line) + 1
    return "\n".join(lines)


def _join_line(line: str, styles: list[Style]) -> str:
    groups: list[tuple[Style, str]] = []
    for ch, style in zip(line, styles, strict=True):
        if groups and groups[-1][0] == style:
            groups[-1] = (style, groups[-1][1] + ch)
        else:
            groups.append((style, ch))
    merged: list[tuple[Style, str]] = []
    for style, chunk in groups:  # two styles side by side without a space: one stretch, the first one's style
        if merged and style != PLAIN and merged[-1][0] != PLAIN:
            merged[-1] = (merged[-1][0], merged[-1][1] + chunk)
        else:
            merged.append((style, chunk))
    out = []
    for style, chunk in merged:
        core = chunk.strip()
        if style == PLAIN or not core:
            out.append(chunk)
            continue
        lead, trail = chunk[: len(chunk) - len(chunk.lstrip())], chunk[len(chunk.rstrip()):]
        marks = core[len(core.rstrip(END_MARKS)):]  # a stretch's end mark is the sentence's, not emphasis
        if marks and marks != core:
            core, trail = core[: -len(marks)], marks + trail
        opening, closing = _marks(style)
        out.append(f"{lead}{opening}{core}{closing}{trail}")
    return "".join(out)
