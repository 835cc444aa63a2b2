"""Recognising code labels on their own line in a Delve text export.

Delve writes each code of a paragraph on its own line after it, exactly like a one-line
paragraph, so a label has to be told apart from a short utterance (``Yeah.``, ``Um,``,
``Filters.``, ``So.``). Code labels in Delve are single tokens joined by hyphens, may end in an
abbreviation (`` [MLP]`` or `` (QM)``), may be interview-guide question tags (``Q4.3``), or
are labels the codebook already knows (``Misc``, seen in another file of the corpus).
"""

from __future__ import annotations

import re
from collections.abc import Collection

QUESTION_TAG = re.compile(r"^Q\d+(?:\.\d+)*$")
HYPHENATED = re.compile(r"^[^\W_][^\W_]*(?:-[^\W_]+)+$")
WITH_ABBREVIATION = re.compile(
    r"^(?P<name>[^\W_][\w&/+-]*(?: [\w&/+-]+){0,5}) [\[(](?P<abbr>[A-Z][A-Z0-9&-]{0,5})[\])]$"
)
#: A bare word is a label only where it stacks with other labels (``Misc`` above
#: ``Stakeholders-lack-of-knowledge``); it must not be sentence-like.
BARE_WORD = re.compile(r"^[^\W\d_][^\W_]{1,40}$")

#: Hesitations and backchannels that transcription tools spell with hyphens (``Mm-hmm``) or
#: leave as a bare word; never labels.
FILLERS = frozenset(
    "mm mmm hmm hm uh uhm huh um umm oh ah ha eh er mhm yeah yes yep no nope ok okay so well "
    "right sure thanks thank bye hi hello alright".split()
)


def is_filler(token: str) -> bool:
    return all(part.lower() in FILLERS for part in token.split("-"))


def looks_like_label(line: str, known: Collection[str] = ()) -> bool:
    """True when ``line`` (stripped) can only be a code label, not speech."""
    if line in known:
        return True
    if QUESTION_TAG.match(line):
        return True
    match = WITH_ABBREVIATION.match(line)
    if match:
        name = match.group("name")
        # "ML-pipeline-issues [MLP]", "Quality Measures (QM)"; not "Okay [PAUSE]".
        titled = all(word[:1].isupper() for word in name.split())
        return "-" in name or (titled and not is_filler(name.replace(" ", "-")))
    return bool(HYPHENATED.match(line)) and not is_filler(line)


def could_stack(line: str) -> bool:
    """A bare word that is a label when it sits among recognised labels."""
    return bool(BARE_WORD.match(line)) and not is_filler(line)
