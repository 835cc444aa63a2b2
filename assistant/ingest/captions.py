"""Caption files as transcripts: WebVTT (webvtt-py) and SubRip (srt), from Zoom, Teams, Otter.

A cue names its speaker with a WebVTT voice tag (``<v Ana Lima>``, Teams), a ``Name:``
prefix (Zoom) or a role alone on its first line (``Speaker 1``, ``Interviewer``); a cue
without one continues the speaker before it. Consecutive cues of one
speaker are one turn, their text joined with spaces into one paragraph (a cue's line breaks
only wrap the picture's caption). Each turn carries the start time of its first cue
(``00:12:31``), which citations show since a caption file has no lines or pages worth citing.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from pathlib import Path

import srt
import webvtt

from assistant.errors import CorpusError
from assistant.ingest.assemble import Block, build_interview
from assistant.ingest.ids import clean_stem
from assistant.ingest.source import SRT_TIMING, one_line, split_lines
from assistant.ingest.speakers import UNKNOWN_SPEAKER, display_speaker, is_role_label
from assistant.ingest.transcript import SPEAKER_LINE, speaker_labels
from assistant.model import Interview, Paragraph

#: A cue timing line: ``00:01:02.500 --> 00:01:04.000`` (WebVTT, hours optional) or
#: ``00:01:02,500 --> 00:01:04,000`` (SubRip), followed by optional cue settings.
_VTT_TIMING = re.compile(r"^\s*(?:\d+:)?\d{2}:\d{2}\.\d{3}\s+-->\s+(?:\d+:)?\d{2}:\d{2}\.\d{3}")
#: The markup SubRip players know (``<i>``, ``<font color=…>``); not speech. Anything else in
#: angle brackets is the transcriber's (``<inaudible>``) and stays.
_TAGS = re.compile(r"</?(?:i|b|u|s|font)\b[^<>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class Cue:
    start: float  # seconds
    text: str  # without markup; line breaks kept
    voice: str | None = None


def read_captions(path: Path, text: str, sha256: str, kind: str) -> Interview:
    """Read a ``vtt`` or ``srt`` caption file; CorpusError naming the line of a bad cue time."""
    cues = _vtt_cues(path, text) if kind == "vtt" else _srt_cues(path, text)
    if not cues:
        raise CorpusError(path, "the caption file has no cues")
    return build_interview(path, sha256, "captions", clean_stem(path), cue_blocks(cues))


def cue_blocks(cues: list[Cue]) -> list[Block]:
    """One block per run of cues by one speaker, their text joined into one paragraph."""
    prefixed = speaker_labels([c.text.split("\n", 1)[0] for c in cues if c.voice is None])[0]
    blocks: list[Block] = []
    for cue in cues:
        speaker, words = cue.voice, cue.text
        if speaker is None:
            first, _, more = cue.text.partition("\n")
            match = SPEAKER_LINE.match(first)
            if match and match.group("label").strip() in prefixed:
                speaker, words = match.group("label").strip(), match.group("rest") + " " + more
            elif more and is_role_label(first):
                # A role on a line of its own above the words, as plain transcripts allow.
                speaker, words = first.strip(), more
        words = " ".join(words.split())
        same = blocks and (
            speaker is None or display_speaker(speaker) == display_speaker(blocks[-1].speaker)
        )
        if not same:
            blocks.append(Block(speaker or UNKNOWN_SPEAKER, timestamps=[_clock(cue.start)]))
        if not words:
            continue
        block = blocks[-1]
        if block.paragraphs:
            block.paragraphs[-1] = Paragraph(block.paragraphs[-1].text + " " + words)
        else:
            block.paragraphs.append(Paragraph(words))
    return blocks


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _check_timings(path: Path, text: str, timing: re.Pattern[str]) -> None:
    """Name the first cue whose time line is broken: the libraries only say the file is."""
    for number, line in enumerate(split_lines(text), start=1):
        if "-->" in line and not timing.match(line):
            raise CorpusError(path, f"broken cue time {line.strip()!r}", line=number)


def _vtt_cues(path: Path, text: str) -> list[Cue]:
    _check_timings(path, text, _VTT_TIMING)
    try:
        captions = webvtt.from_buffer(io.StringIO(text.lstrip("\ufeff")))
    except Exception as exc:  # webvtt-py raises MalformedFileError/MalformedCaptionError
        raise CorpusError(path, f"is not a valid WebVTT caption file ({one_line(exc)})") from None
    # webvtt-py strips the cue tags but leaves the character references (``&amp;``).
    return [
        Cue(c.start_in_seconds, html.unescape(c.text), c.voice or None) for c in captions.captions
    ]


def _srt_cues(path: Path, text: str) -> list[Cue]:
    _check_timings(path, text, SRT_TIMING)
    try:
        subtitles = list(srt.parse(text))
    except (srt.SRTParseError, ValueError) as exc:
        raise CorpusError(path, f"is not a valid SubRip caption file ({one_line(exc)})") from None
    return [Cue(s.start.total_seconds(), _TAGS.sub("", s.content)) for s in subtitles]
