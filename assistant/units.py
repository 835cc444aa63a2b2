"""Retrieval units: what a person would call "what they said", built from an interview's turns.

Transcription tools and Delve split one answer over many headings, so a turn is often a
fragment ("yeah. That instance? Yes. Yeah. What,") and an answer rarely names what it answers
("The, the environment not being ready, uh, at the clients." answers "did you have AI project
that took longer than expected?"). Search therefore runs over two kinds of unit:

* an **utterance**: one speaker's consecutive turns, merged;
* an **exchange**: an interviewer's question with everything said until the next question.

A unit only groups turns: it maps back to their citation keys, and quotes are still cut from,
and verified against, the turn (and file) they cite. Citation keys, turns and spans are
untouched, so notes keep working.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.codebook import is_question_tag
from assistant.ingest.speakers import speaker_key
from assistant.model import PARAGRAPH_SEPARATOR, Turn

UnitKind = Literal["utterance", "exchange"]
UNIT_KINDS: tuple[UnitKind, ...] = ("utterance", "exchange")

#: An utterance is cut before it grows past this many characters: about what the embedding
#: model reads (256 word pieces), so no part of it goes unseen.
UTTERANCE_CHARS = 1200
#: Content words from which an uncoded interviewer turn without a question mark still opens a
#: new question (transcripts often lose the question mark). Shorter prompts ("what were the
#: reasons.") continue the current exchange.
NEW_QUESTION_TERMS = 8


@dataclass(frozen=True)
class Unit:
    """Consecutive turns of one interview searched as one piece of text."""

    kind: UnitKind
    interview_id: str
    ordinals: tuple[int, ...]

    @property
    def id(self) -> str:
        """Stable while the turns keep their places: ``utterance:12:110-113``."""
        return f"{self.kind}:{self.interview_id}:{self.ordinals[0]}-{self.ordinals[-1]}"

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f"{self.interview_id}:{o}" for o in self.ordinals)

    @property
    def question(self) -> int | None:
        """For an exchange, the ordinal of the turn that asks its question."""
        return self.ordinals[0] if self.kind == "exchange" else None


def unit_text(turns: Sequence[Turn]) -> str:
    """The text searched for a unit: its turns' texts in order."""
    return PARAGRAPH_SEPARATOR.join(t.text for t in turns)


def is_said(turn: Turn) -> bool:
    """Whether a turn is what a participant said: any participant's turn, and an interviewer's
    turn that coders gave a content code (they file a participant's words under the
    interviewer's heading when the transcript split the turn there). Question tags (``Q8.1``)
    only say which guide question a passage belongs to, so a question tagged with one is still
    the interviewer's question."""
    return turn.role != "interviewer" or any(not is_question_tag(c) for c in turn.codes)


def opens_question(turn: Turn) -> bool:
    """Whether an interviewer's turn asks a new question rather than prompting for more (a turn
    that :func:`is_said` counts as said never does)."""
    from assistant.answer.text import terms

    if is_said(turn):
        return False
    return "?" in turn.text or len(set(terms(turn.text))) >= NEW_QUESTION_TERMS


def utterance_spans(turns: Sequence[Turn]) -> list[tuple[int, int]]:
    """``(first, last)`` positions of each utterance: runs of one speaker's consecutive turns,
    cut before ``UTTERANCE_CHARS`` characters, so that a monologue (a file with one speaker,
    a project source without speakers) still gives many units and each is embedded whole."""
    spans: list[tuple[int, int]] = []
    start, size = 0, 0
    for i, turn in enumerate(turns):
        length = len(turn.text)
        if i > start and (
            speaker_key(turn.speaker) != speaker_key(turns[i - 1].speaker)
            or size + length > UTTERANCE_CHARS
        ):
            spans.append((start, i - 1))
            start, size = i, 0
        size += length
    if turns:
        spans.append((start, len(turns) - 1))
    return spans


def utterances(turns: Sequence[Turn]) -> list[Unit]:
    """One speaker's consecutive turns (see :func:`utterance_spans`)."""
    return [
        Unit("utterance", turns[a].interview_id, tuple(t.ordinal for t in turns[a : b + 1]))
        for a, b in utterance_spans(turns)
    ]


def exchanges(turns: Sequence[Turn]) -> list[Unit]:
    """Each question with what follows it, up to the next question.

    The question is the interviewer's whole run of turns that ends in (or contains) a new
    question; the exchange ends before the next interviewer turn that opens one after somebody
    else has spoken. An exchange in which nobody but the interviewer spoke is not a unit."""
    out: list[Unit] = []
    start: int | None = None
    answered = False
    for i, turn in enumerate(turns):
        if opens_question(turn):
            if start is not None and answered:
                out.append(_exchange(turns, start, i))
                start = None
            if start is None:
                # The question starts where the interviewer's run of turns starts.
                start = i
                while (
                    start > 0
                    and not is_said(turns[start - 1])
                    and (not out or turns[start - 1].ordinal > out[-1].ordinals[-1])
                ):
                    start -= 1
                answered = False
            continue
        if start is not None and is_said(turn):
            answered = True
    if start is not None and answered:
        out.append(_exchange(turns, start, len(turns)))
    return out


def _exchange(turns: Sequence[Turn], start: int, end: int) -> Unit:
    return Unit("exchange", turns[start].interview_id, tuple(t.ordinal for t in turns[start:end]))


def build_units(turns: Sequence[Turn]) -> list[Unit]:
    """Every unit of one interview's turns: its utterances, then its exchanges."""
    return utterances(turns) + exchanges(turns)
