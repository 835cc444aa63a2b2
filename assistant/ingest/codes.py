"""Recognising code labels on their own line in a Delve text export.

Delve writes each code of a paragraph on its own line after it, exactly like a one-line
paragraph, so a label has to be told apart from a short utterance (``Yeah.``, ``Um,``,
``Filters.``, ``So.``, ``Real-time``, ``Follow-up``). Mistaking speech for a code silently
deletes the speaker's words, so only the shapes codebooks use count on their own, whatever
the study: an all-capitals family head (``MLP-``, ``QM-``, another study's ``XY-``), more than
one hyphen (``stack-not-standardized``), an abbreviation (`` [MLP]`` or `` (QM)``), an
interview-guide question tag (``Q4.3``), or a label the codebook already knows (``Misc``, seen
in another file of the corpus). A bare word or a word with a single hyphen is a label only
where it stacks with one of those. What each shape means (parent, family, tag) is the
codebook's rule (``assistant.codebook``); this module only decides what is a label at all.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from assistant.codebook import has_family_shape, is_question_tag, split_abbreviation

HYPHENATED = re.compile(r"^[^\W_][^\W_]*(?:-[^\W_]+)+$")
#: The name before an abbreviation, as short and plain as code names are: a sentence with a
#: bracketed aside (``Okay, so [laughs]``) must stay speech.
ABBREVIATED_NAME = re.compile(r"^[^\W_][\w&/+-]*(?: [\w&/+-]+){0,5}$")
#: An abbreviation on its own line is written in capitals and short (``[MLP]``, ``(QM)``).
MAX_ABBREVIATION = 6
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
    if is_question_tag(line):
        return True
    split = split_abbreviation(line)
    if split is not None and _plain_abbreviation(*split):
        name = split[0]
        # "ML-pipeline-issues [MLP]", "Quality Measures (QM)"; not "Okay [PAUSE]".
        titled = all(word[:1].isupper() for word in name.split())
        return "-" in name or (titled and not is_filler(name.replace(" ", "-")))
    if not is_hyphenated(line):
        return False
    return has_family_shape(line) or line.count("-") > 1


def _plain_abbreviation(name: str, abbreviation: str) -> bool:
    return (
        abbreviation.isupper()
        and len(abbreviation) <= MAX_ABBREVIATION
        and bool(ABBREVIATED_NAME.match(name))
    )


def is_hyphenated(line: str) -> bool:
    """One token joined by hyphens (``Real-time``, ``Data-issues``), not a hesitation."""
    return bool(HYPHENATED.match(line)) and not is_filler(line)


def could_stack(line: str) -> bool:
    """A bare word or a once-hyphenated word (``Misc``, ``feedback-loop``): a label when it
    sits among recognised labels, speech otherwise."""
    return (bool(BARE_WORD.match(line)) and not is_filler(line)) or is_hyphenated(line)
