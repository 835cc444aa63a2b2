"""Word and caption files written from plain transcripts, for the readers' tests.

Each writer produces what a transcription tool would: python-docx for Word (speaker labels in
bold runs), webvtt-py for WebVTT (voice tags), srt for SubRip (``Name:`` prefixes). Text is
escaped by those libraries, never by hand.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from pathlib import Path

import srt
import webvtt
from docx import Document

from assistant.ingest.source import split_lines
from assistant.ingest.transcript import SPEAKER_LINE
from assistant.model import Interview


def docx_from_transcript(text: str, speakers: set[str]) -> bytes:
    """One Word paragraph per line; a ``Label:`` naming one of ``speakers`` in a bold run."""
    document = Document()
    for line in split_lines(text):
        match = SPEAKER_LINE.match(line)
        paragraph = document.add_paragraph()
        if match and match.group("label").strip() in speakers:
            colon = line.index(":", match.start("label")) + 1
            paragraph.add_run(line[:colon]).bold = True
            paragraph.add_run(line[colon:])
        else:
            paragraph.add_run(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _cues(interview: Interview) -> list[tuple[str | None, str]]:
    """(speaker or None, text) per paragraph; the speaker is named on a turn's first cue."""
    cues: list[tuple[str | None, str]] = []
    for turn in interview.turns:
        for index, paragraph in enumerate(turn.paragraphs):
            cues.append((turn.speaker if index == 0 else None, paragraph.text))
    return cues


def vtt_from_interview(interview: Interview) -> str:
    captions = webvtt.WebVTT()
    for i, (speaker, text) in enumerate(_cues(interview)):
        start, end = dt.timedelta(seconds=3 * i), dt.timedelta(seconds=3 * i + 2)
        body = html.escape(text, quote=False)
        if speaker:
            body = f"<v {speaker}>{body}</v>"
        captions.captions.append(webvtt.Caption(_clock(start), _clock(end), body))
    return captions.content


def srt_from_interview(interview: Interview) -> str:
    subtitles = [
        srt.Subtitle(
            i + 1,
            dt.timedelta(seconds=3 * i),
            dt.timedelta(seconds=3 * i + 2),
            f"{speaker}: {text}" if speaker else text,
        )
        for i, (speaker, text) in enumerate(_cues(interview))
    ]
    return srt.compose(subtitles, reindex=False)


def _clock(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}.000"


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path
