"""Speaker names as the transcripts spell them, made comparable, and the role each plays.

Transcription tools and coders spell one speaker many ways (``Interviewer1``, ``Interviewer 1 :``,
``interviewer``, ``Interviewer2 2``); the same person must get one name so that filters and
citations agree across files and formats.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from assistant.errors import AssistantError
from assistant.model import Role

UNKNOWN_SPEAKER = "Unknown Speaker"
ROLES: tuple[Role, ...] = ("interviewer", "participant", "unknown")

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


def display_speaker(raw: str) -> str:
    """The name a speaker is shown and cited by (compare with :func:`speaker_key`):
    ``Interviewer1`` → ``Interviewer 1``; ``interviewer`` → ``Interviewer``; ``Interviewer2 2``
    → ``Interviewer 2``; markdown bold and stray spaces removed. Real names keep their case."""
    name = raw.strip().strip("*_").strip()
    name = re.sub(r"\s+", " ", name)
    if name.islower() or name.isupper():
        name = " ".join(_recase(w) for w in name.split(" "))
    # A word glued to a number: "Interviewer1". IDs such as "P1" or "R2" keep their shape.
    name = re.sub(r"(?<=[^\W\d_]{4})(?=\d)", " ", name)
    # A number typed twice: "Interviewer 2 2" (a slip of the transcriber, not a second person).
    name = re.sub(r"\b(\d+)(?: \1)+$", r"\1", name)
    return name


def _recase(word: str) -> str:
    """``interviewer`` → ``Interviewer``; initials and IDs (``JD``, ``p1``) → upper case."""
    if _ID_WORD.match(word):
        return word.upper()
    return word[:1].upper() + word[1:].lower()


#: Initials or a participant ID: one or two letters, or up to three before digits (``JD``,
#: ``P12``, ``INT3``).
_ID_WORD = re.compile(r"^(?:[^\W\d_]{1,2}|[^\W\d_]{1,3}\d+)$")


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


def speaker_key(name: str) -> str:
    """The one form speakers are compared in, everywhere (index metadata, search, quotes):
    ``Interviewer 1``, ``**interviewer1**``, ``Interviewer1`` and ``Interviewer1 1`` all become
    ``interviewer1``; accents and punctuation are ignored."""
    folded = unicodedata.normalize("NFKD", display_speaker(name)).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def resolve_speakers(names: Iterable[str], speakers: Iterable[str], where: str) -> frozenset[str]:
    """The keys of the loaded ``speakers`` that the typed ``names`` mean.

    ``interviewer 1`` means Interviewer 1 however it is spelt; ``interviewer`` means
    Interviewer and every numbered Interviewer N; failing both, any speaker whose name begins
    with the typed one (``ana`` for Ana Lima). A name matching nobody is an AssistantError
    listing the speakers ``where`` (``the index``, ``the corpus``) holds, never an empty result.
    """
    typed = [n for n in names if n.strip()]
    if not typed:
        return frozenset()
    display = sorted(set(speakers))
    known = sorted({speaker_key(s) for s in display})
    out: set[str] = set()
    for name in typed:
        wish = speaker_key(name)
        found = [k for k in known if k == wish or (k.startswith(wish) and k[len(wish) :].isdigit())]
        found = found or [k for k in known if wish and k.startswith(wish)]
        if not found:
            raise AssistantError(
                f"no speaker {name!r} in {where} (speakers: {', '.join(display[:30])})"
            )
        out.update(found)
    return frozenset(out)


def check_roles(roles: Iterable[str]) -> None:
    """An AssistantError naming any role that is not one of :data:`ROLES`."""
    bad = [r for r in roles if r not in ROLES]
    if bad:
        raise AssistantError(f"unknown role {', '.join(bad)} (use {', '.join(ROLES)})")
