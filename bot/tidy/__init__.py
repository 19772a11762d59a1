"""Tidying an answer before it enters a document: the text as she would sign it, from how she types it.

`tidy(text, how=...)` runs, in order: spaces; loosely typed citations in the standard form (bot.citations);
abbreviations written out (abbreviations.py); roster names in full (people.py); Party bodies and place names capitalised (bodies.py); relative dates made absolute
(bot.dates.absolute_dates); then the capitals and end punctuation of the kind of text (sentences.py). The
emphasis she gave the answer (``**bold**`` …) is set aside and carried over to the tidied text (styles.py). It also
says whether the text reads as typed without tone marks (accents.py) and which typed names mean several roster
members. Pure functions: no I/O.

Kinds (`how`): "none" (as typed), "phrase" (inside a sentence: no capital or end mark added), "sentence",
"heading", "item" (a list item or a line), "paragraphs" (several lines), "name" (one person), "place" (a place
name), "recipient" (a line of “Nơi nhận”).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from bot import citations, dates
from bot.tidy import abbreviations, accents, people, sentences, styles
from bot.tidy.bodies import capitalise_bodies
from bot.tidy.people import Ambiguity

HOWS = ("none", "phrase", "sentence", "heading", "item", "paragraphs", "name", "place", "recipient")
_SHAPES = {
    "sentence": sentences.sentence, "heading": sentences.heading, "item": sentences.item,
    "paragraphs": sentences.paragraphs, "recipient": sentences.recipient, "place": sentences.place,
}

__all__ = ["HOWS", "Ambiguity", "Tidied", "tidy"]


@dataclass(frozen=True)
class Tidied:
    typed: str  # what she typed
    text: str  # what the document prints
    unaccented: bool = False  # reads as Vietnamese typed without tone marks
    ambiguous: tuple[Ambiguity, ...] = ()  # typed names that mean several roster members

    @property
    def changed(self) -> bool:
        return self.text != self.typed


def tidy(
    text: str,
    *,
    how: str = "phrase",
    roster: Sequence[str] = (),
    known_names: Sequence[str] = (),
    today: date | None = None,
    resolved: Mapping[str, str] | None = None,
) -> Tidied:
    """`text` as the document should print it.

    `roster`: the unit's members' full names; `known_names`: names spelt as they must be (the unit, its
    superior, places); `today`: for relative dates (None: left as typed); `resolved`: the answer to an earlier
    Ambiguity, the folded typed name → the member chosen.
    """
    if how not in HOWS:
        raise ValueError(f"unknown kind of text {how!r}")
    if how == "none":
        return Tidied(text, text)
    if styles.has_emphasis(text):  # the steps below read plain words; the emphasis is carried over
        plain, marked = styles.split(text)
        done = tidy(plain, how=how, roster=roster, known_names=known_names, today=today, resolved=resolved)
        return replace(done, typed=text, text=styles.join(done.text, styles.carry(plain, marked, done.text)))
    chosen = dict(resolved or {})
    out = sentences.spaces(text)
    if how == "name":
        named = people.whole_name(abbreviations.expand(out), roster, chosen)
        matched = named.text in roster
        return Tidied(text, named.text, unaccented=not matched and accents.looks_unaccented(text),
                      ambiguous=named.ambiguous)
    if today is not None and how != "recipient":
        out = citations.rewrite_citations(out, today=today, known=known_names)
    named = people.Named(out)
    if how != "recipient":  # “Nơi nhận” keeps its customary short forms (“đ/c”, “b/c”, “UBKT”)
        named = people.names_in_text(abbreviations.expand(out), roster, chosen)
    out = capitalise_bodies(named.text, known=known_names)
    if today is not None:
        out = dates.absolute_dates(out, today=today)
    if how in _SHAPES:
        out = _SHAPES[how](out)
    return Tidied(text, out, unaccented=accents.looks_unaccented(text), ambiguous=named.ambiguous)
