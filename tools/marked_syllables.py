"""Build bot/tidy/marked.txt: the syllables that Vietnamese writes with tone marks far more often than without.

Usage: python tools/marked_syllables.py FILE... > bot/tidy/marked.txt
(it was built from the five seed plans in shared/seeds, docs/FORMAT.md, data/flows/*.yaml, templates/ and the
messages of handlers/). A folded syllable (no marks, đ as d) is "marked" when at least 80% of its
occurrences in those texts carry a mark (“to” → tổ, tờ; “chuc” → chức), and it is a possible syllable.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.text import fold  # noqa: E402
from bot.tidy.phonotactics import is_syllable  # noqa: E402


def main(paths: list[str]) -> None:
    marked: Counter[str] = Counter()
    plain: Counter[str] = Counter()
    for path in paths:
        for word in re.findall(r"[^\W\d_]+", Path(path).read_text(encoding="utf-8")):
            if word.isupper() and len(word) > 1:
                continue  # acronyms and headings in capitals
            low = word.lower()
            folded = fold(low)
            if not is_syllable(folded):
                continue
            (plain if low == folded else marked)[folded] += 1
    out = sorted(w for w in marked if marked[w] >= 0.8 * (marked[w] + plain[w]))
    print("# Syllables Vietnamese writes with marks (folded); built by tools/marked_syllables.py")
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1:])
