"""Plain transcripts: ``Speaker: text`` per turn, no codes.

Each ``Speaker:`` line starts a turn; a line without a speaker continues the turn above as a
new paragraph. A speaker label alone on its line (``Unknown Speaker``, as some transcription
tools write it) also starts a turn. Nothing is assumed about the language.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from pathlib import Path

from assistant.errors import CorpusError
from assistant.ingest.assemble import Block, build_interview
from assistant.ingest.codes import is_filler
from assistant.ingest.ids import clean_stem
from assistant.ingest.limits import DEFAULT_LIMITS, Limits
from assistant.ingest.source import split_lines
from assistant.ingest.speakers import UNKNOWN_SPEAKER, infer_role, is_role_label
from assistant.model import Interview, LoadProblem, Paragraph

#: ``Interviewer 1:``, ``Interviewer1 :``, `` Interviewee:`` — a short label, then a colon.
SPEAKER_LINE = re.compile(r"^[ \t]*(?P<label>[^\W\d_][^:\n]{0,38}?)[ \t]*:(?P<rest>.*)$")
#: Labels are names, not clauses: no sentence punctuation, at most four words.
_NOT_A_LABEL = re.compile(r"[.,;!?\"“”()\[\]]|https?$")
#: Labels that name a speaker the first time they appear: IDs (``P1``, ``R2``, ``JD``) and
#: names of one to three capitalised words (``Ana``, ``Ana Lima``).
_ID_LABEL = re.compile(r"^[A-Z]{1,3}[ ]?\d{0,3}$")
_NAME_LABEL = re.compile(r"^[A-Z][\w'’-]*(?: [A-Z][\w'’-]*){0,2}$")
#: Capitalised words that head a note or open a sentence, not a person (``Note: this is
#: recorded.``, ``Yes: we did.``).
_NOTE_WORDS = frozenset(
    "note notes nb ps summary date time duration location place title subject topic agenda "
    "question questions answer answers context comment comments remark remarks update example "
    "warning attendees transcript transcription recording source tags keywords goal goals "
    "objective result results conclusion background edit translation link url file "
    "then and but because also first second third finally basically actually honestly anyway "
    "however therefore answer".split()
)


def read_transcript(
    path: Path,
    text: str,
    sha256: str,
    notices: list[LoadProblem] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Interview:
    blocks = transcript_blocks(path, split_lines(text), notices)
    return build_interview(path, sha256, "transcript", clean_stem(path), blocks, limits)


def transcript_blocks(
    path: Path,
    lines: list[str],
    notices: list[LoadProblem] | None = None,
    speakers_given: Collection[str] = (),
) -> list[Block]:
    """Speaker blocks of ``Speaker: text`` lines (line numbers 1-based, as in ``lines``).

    ``speakers_given`` are labels the source marks as speakers (bold in a Word file); they
    start a turn even where the wording alone would not. Raises CorpusError when no line
    names a speaker."""
    speakers, passed_over = speaker_labels(lines)
    speakers |= set(speakers_given)
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
    if notices is not None:
        notices.extend(
            LoadProblem(
                str(path),
                f"'{label}:' not read as a speaker (used once, and neither a role, an ID nor a "
                "name); the line stays in the turn above",
                line=number,
                severity="notice",
            )
            for number, label in passed_over
            if label not in speakers
        )
    return blocks


def _paragraph(text: str, number: int) -> Paragraph:
    return Paragraph(text.strip(), lines=(number, number))


def speaker_labels(lines: list[str]) -> tuple[set[str], list[tuple[int, str]]]:
    """Labels that name speakers, and the ``(line, label)`` of label-like lines that do not.

    Role words (Interviewer, Interviewee…), IDs (``P1``) and capitalised names (``Ana Lima``)
    count on sight, so a participant who speaks once is not glued to the previous turn. Any
    other label counts once it introduces two lines, so a stray clause such as
    ``The answer was: no`` or a ``Note:`` line is not a speaker."""
    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        match = SPEAKER_LINE.match(raw)
        if not match:
            continue
        label = match.group("label").strip()
        if _NOT_A_LABEL.search(label) or len(label.split()) > 4:
            continue
        counts[label] += 1
        first_seen.setdefault(label, number)
    speakers = {
        label
        for label, n in counts.items()
        if n >= 2 or infer_role(label) != "unknown" or is_role_label(label) or _on_sight(label)
    }
    passed_over = sorted((first_seen[label], label) for label in counts if label not in speakers)
    return speakers, passed_over


def _on_sight(label: str) -> bool:
    if _ID_LABEL.match(label):
        return True
    words = label.split()
    return bool(_NAME_LABEL.match(label)) and not any(
        w.lower() in _NOTE_WORDS or is_filler(w) for w in words
    )
