"""Speaker names as the transcripts spell them, made comparable, and the role each plays.

Transcription tools and coders spell one speaker many ways (``Interviewer1``, ``Interviewer 1 :``,
``interviewer``, ``Interviewer2 2``); the same person must get one name so that filters and
citations agree across files and formats.
"""

from __future__ import annotations

import re

from assistant.model import Role

UNKNOWN_SPEAKER = "Unknown Speaker"

_INTERVIEWER = re.compile(
    r"\b(interviewer|intervieweur|intervieweuse|moderator|facilitator|researcher|host|"
    r"enqu[eê]teur|enqu[eê]trice)s?(?![^\W\d_])",
    re.IGNORECASE,
)
_PARTICIPANT = re.compile(
    r"\b(interviewee|interview[eé]e?|participant|respondent|subject|candidate|guest)s?(?![^\W\d_])",
    re.IGNORECASE,
)
#: Words that name a speaker by role; a line holding only one of these (with a number) is a
#: speaker label even without a colon, as some transcription tools write them.
ROLE_WORDS = re.compile(
    r"^(interviewer|interviewee|participant|respondent|moderator|speaker|unknown speaker)"
    r"\s*\d*$",
    re.IGNORECASE,
)


def normalise_speaker(raw: str) -> str:
    """``Interviewer1`` → ``Interviewer 1``; ``interviewer`` → ``Interviewer``; ``Interviewer2 2``
    → ``Interviewer 2``; markdown bold and stray spaces removed. Real names keep their case."""
    name = raw.strip().strip("*_").strip()
    name = re.sub(r"\s+", " ", name)
    # A letter glued to a number: "Interviewer1".
    name = re.sub(r"(?<=[^\W\d_])(?=\d)", " ", name)
    # A number typed twice: "Interviewer 2 2" (a slip of the transcriber, not a second person).
    name = re.sub(r"\b(\d+)(?: \1)+$", r"\1", name)
    if name.islower() or name.isupper():
        name = " ".join(w[:1].upper() + w[1:].lower() for w in name.split(" "))
    return name


def infer_role(speaker: str) -> Role:
    """Interviewer or participant from the label; ``unknown`` when it is a plain name."""
    if _INTERVIEWER.search(speaker):
        return "interviewer"
    if _PARTICIPANT.search(speaker):
        return "participant"
    return "unknown"


def is_role_label(text: str) -> bool:
    """True for a line that is only a role-word speaker label such as ``Interviewee``."""
    return bool(ROLE_WORDS.match(text.strip()))
