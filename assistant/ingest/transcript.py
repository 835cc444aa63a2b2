"""Plain transcripts: ``Speaker: text`` per turn, no codes.

Each ``Speaker:`` line starts a turn; a line without a speaker continues the turn above as a
new paragraph. A speaker label alone on its line (``Unknown Speaker``, as some transcription
tools write it) also starts a turn. Nothing is assumed about the language.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from assistant.errors import CorpusError
from assistant.ingest.assemble import Block, build_interview
from assistant.ingest.ids import clean_stem
from assistant.ingest.source import split_lines
from assistant.ingest.speakers import UNKNOWN_SPEAKER, infer_role, is_role_label
from assistant.model import Interview, LoadProblem, Paragraph

#: ``Interviewer 1:``, ``Interviewer1 :``, `` Interviewee:`` — a short label, then a colon.
SPEAKER_LINE = re.compile(r"^[ \t]*(?P<label>[^\W\d_][^:\n]{0,38}?)[ \t]*:(?P<rest>.*)$")
#: Labels are names, not clauses: no sentence punctuation, at most four words.
_NOT_A_LABEL = re.compile(r"[.,;!?\"“”()\[\]]|https?$")


def read_transcript(
    path: Path, text: str, sha256: str, notices: list[LoadProblem] | None = None
) -> Interview:
    lines = split_lines(text)
    speakers = _speaker_labels(lines)
    if not speakers:
        raise CorpusError(
            path,
            "no recognisable speakers: expected turns such as 'Interviewer: …' "
            "or a Delve export with '## Speaker' headings",
        )
    blocks: list[Block] = []
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if not stripped:
            continue
        match = SPEAKER_LINE.match(raw)
        if match and match.group("label").strip() in speakers:
            blocks.append(Block(match.group("label"), where=number))
            rest = match.group("rest")
            if rest.strip():
                blocks[-1].paragraphs.append(_paragraph(rest, number))
            continue
        if is_role_label(stripped):
            blocks.append(Block(stripped, where=number))
            continue
        if not blocks:
            blocks.append(Block(UNKNOWN_SPEAKER, where=number))
        blocks[-1].paragraphs.append(_paragraph(raw, number))
    return build_interview(path, sha256, "transcript", clean_stem(path), blocks)


def _paragraph(text: str, number: int) -> Paragraph:
    return Paragraph(text.strip(), lines=(number, number))


def _speaker_labels(lines: list[str]) -> set[str]:
    """Labels that name speakers: role words (Interviewer, Interviewee…) on sight, any other
    label once it introduces two lines, so a stray ``Note:`` in a sentence is not a speaker."""
    counts: Counter[str] = Counter()
    for raw in lines:
        match = SPEAKER_LINE.match(raw)
        if not match:
            continue
        label = match.group("label").strip()
        if _NOT_A_LABEL.search(label) or len(label.split()) > 4:
            continue
        counts[label] += 1
    return {
        label
        for label, n in counts.items()
        if n >= 2 or infer_role(label) != "unknown" or is_role_label(label)
    }
