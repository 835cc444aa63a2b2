"""Turning what a reader found (speaker blocks with paragraphs) into an Interview.

Every reader collects ``Block``s in source order; this module numbers them into turns,
normalises speaker names, infers roles and derives the interview id, so all formats agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import CorpusError
from assistant.ingest.ids import interview_id
from assistant.ingest.limits import DEFAULT_LIMITS, Limits
from assistant.ingest.speakers import display_speaker, infer_role
from assistant.model import Interview, Paragraph, SourceFormat, Turn
from assistant.safe_text import display_path, printable

#: Time marks such as ``[00:19:00]`` or ``(12:05)`` that transcription tools insert.
TIMESTAMP = re.compile(r"[\[(](\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?)[\])]")


@dataclass
class Block:
    """What one speaker heading (or ``Speaker:`` line) introduces, as read so far."""

    speaker: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    #: 1-based line or page where the block starts, for messages.
    where: int = 0
    #: Time marks given with the speaker rather than in the text (a caption cue's start, the
    #: ``00:01:23`` beside a speaker's name in a Word transcript).
    timestamps: list[str] = field(default_factory=list)


def add_codes(paragraph: Paragraph, labels: list[str]) -> Paragraph:
    """The paragraph with ``labels`` added once each, in the order they were printed."""
    codes = tuple(dict.fromkeys([*paragraph.codes, *labels]))
    return Paragraph(paragraph.text, codes, paragraph.lines, paragraph.pages)


def build_interview(
    path: Path,
    sha256: str,
    fmt: SourceFormat,
    title: str,
    blocks: list[Block],
    limits: Limits = DEFAULT_LIMITS,
) -> Interview:
    """Number the non-empty blocks into turns; raise CorpusError when none has a speaker or
    there are more than the limit (checked before any turn is built)."""
    kept = [b for b in blocks if b.paragraphs]
    if not kept:
        raise CorpusError(path, "no turns found: the file holds no speaker text")
    limits.turns(path, len(kept))
    ident = interview_id(title, path)
    turns = []
    for ordinal, block in enumerate(kept, start=1):
        # Names and titles are labels, never quoted: one clean line each, wherever shown.
        speaker = printable(display_speaker(block.speaker), one_line=True)
        stamps = [m.group(1) for p in block.paragraphs for m in TIMESTAMP.finditer(p.text)]
        stamps = [*block.timestamps, *stamps]
        turns.append(
            Turn(
                interview_id=ident,
                ordinal=ordinal,
                speaker=speaker,
                role=infer_role(speaker),
                paragraphs=tuple(block.paragraphs),
                timestamps=tuple(stamps),
            )
        )
    return Interview(
        id=ident,
        title=printable(title, one_line=True),
        source=display_path(path),
        format=fmt,
        sha256=sha256,
        turns=tuple(turns),
    )
