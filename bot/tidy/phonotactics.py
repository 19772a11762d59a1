"""Whether a word, written without tone marks, can be a Vietnamese syllable (onset + rhyme)."""

from __future__ import annotations

import re

ONSETS = ("ngh", "ng", "gh", "gi", "kh", "nh", "ph", "qu", "th", "tr", "ch",
          "b", "c", "d", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "")
# Rhymes folded (no tone, no breve/circumflex/horn, đ as d): a vowel nucleus and an optional final.
_RHYME = re.compile(
    r"^(?:uye(?:n|t)?|uya|uy(?:u|nh|ch|n|t)?|oa(?:i|y|o|n|ng|nh|c|ch|m|p|t)?|oe(?:o|n|t)?|oo(?:ng|c)|"
    r"ue(?:n|nh|ch|t)?|ua(?:n|ng|t|c|y|i)?|uo(?:i|ng|c|n|t|m|p|u)?|ie(?:u|n|ng|c|m|p|t)?|ia|ye(?:u|n|m|t|ng)?|"
    r"ui|uu|ai|ao|au|ay|eo|eu|iu|oi|"
    r"a(?:nh|ng|ch|c|m|n|p|t)?|e(?:nh|ng|ch|c|m|n|p|t)?|i(?:nh|ch|c|m|n|p|t)?|o(?:ng|c|m|n|p|t)?|"
    r"u(?:ng|c|m|n|p|t)?|y)$")


def is_syllable(word: str) -> bool:
    """`word` (lower case, ASCII letters) can be a Vietnamese syllable typed without marks."""
    if not word.isascii() or not word.isalpha() or len(word) > 7:
        return False
    for onset in ONSETS:
        if word.startswith(onset):
            rest = word[len(onset):]
            if not rest:
                continue
            if onset in ("gi",) and _RHYME.match("i" + rest):
                return True
            if onset == "qu" and (_RHYME.match("u" + rest) or _RHYME.match(rest)):
                return True
            if _RHYME.match(rest):
                return True
    return word == "gi"
