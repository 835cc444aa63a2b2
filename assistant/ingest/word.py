"""Word transcripts (``.docx``), read with python-docx.

Speakers are found as in plain transcripts (``Name: text``), and also where Word marks them:
a bold label at the start of a paragraph (``**Ana:** text``, ``**Ana** text``), a bold
paragraph of its own (``**Interviewer**`` above the answer), or a heading line with a time
(``Speaker 1  0:03``, ``00:01:23 Ana Lima``, as Otter and Teams write them). Such a time is
kept on the turn. A soft line break inside a Word paragraph is a new paragraph of the turn.
Word has no line numbers to cite, so paragraphs carry no span; citations show the turn and
its time where there is one.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from assistant.errors import CorpusError
from assistant.ingest.assemble import build_interview
from assistant.ingest.ids import clean_stem
from assistant.ingest.source import one_line
from assistant.ingest.transcript import transcript_blocks
from assistant.model import Interview, LoadProblem, Paragraph

_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?"
#: ``00:01:23 Ana: text`` or ``[00:01:23] Ana`` (a time before the speaker).
_LEADING_TIME = re.compile(rf"^\s*[\[(]?(?P<time>{_TIME})[\])]?\s+(?P<rest>\S.*)$", re.DOTALL)
#: ``Speaker 1  0:03`` or ``Ana Lima (00:01:23)``: a speaker heading with its time.
_HEADING_TIME = re.compile(
    rf"^\s*(?P<label>[^\W\d_][^:\n]{{0,38}}?)\s+[\[(]?(?P<time>{_TIME})[\])]?\s*$"
)
#: A label is a name, not a clause.
_NOT_A_LABEL = re.compile(r"[.,;!?\"“”]")


def read_docx(
    path: Path, data: bytes, sha256: str, notices: list[LoadProblem] | None = None
) -> Interview:
    """Read one Word transcript; CorpusError when the file is not a Word document."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorpusError(path, f"is not a Word document (.docx) ({one_line(exc)})") from None
    except Exception as exc:  # python-docx/lxml raise many types for damaged parts
        raise CorpusError(
            path, f"the Word document is damaged ({type(exc).__name__}: {one_line(exc)})"
        ) from None
    lines: list[str] = []
    given: set[str] = set()
    times: dict[int, str] = {}
    styles = _Styles()
    for paragraph in document.paragraphs:
        line, label, time = _speaker_line(paragraph, *styles.of(paragraph))
        if label:
            given.add(label)
        if time:
            times[len(lines) + 1] = time
        lines.extend(line.split("\n"))
    if not any(line.strip() for line in lines):
        raise CorpusError(path, "the Word document holds no text")
    blocks = transcript_blocks(path, lines, notices, speakers_given=given)
    for block in blocks:
        if block.where in times:
            block.timestamps.append(times[block.where])
        # Positions in the text made above are not places a reader can find in Word.
        block.paragraphs = [Paragraph(p.text) for p in block.paragraphs]
    if notices is not None:
        # The notices name lines of that made-up text, which mean nothing in Word.
        for i, notice in enumerate(notices):
            if notice.source == str(path) and notice.line is not None:
                notices[i] = LoadProblem(notice.source, notice.message, severity="notice")
    return build_interview(path, sha256, "docx", clean_stem(path), blocks)


class _Styles:
    """Each paragraph style's name and boldness, looked up once: python-docx resolves
    ``paragraph.style`` afresh on every call by scanning every style of the document (1.4 s
    for an interview of 240 turns)."""

    def __init__(self) -> None:
        self.seen: dict[object, tuple[str, bool]] = {}

    def of(self, paragraph: Any) -> tuple[str, bool]:
        # The style id written in the paragraph; python-docx has no public name for it.
        key = getattr(paragraph._p, "style", None)
        if key not in self.seen:
            style = paragraph.style
            font = style.font if style is not None else None
            name = (style.name or "") if style is not None else ""
            self.seen[key] = (name, bool(font is not None and font.bold))
        return self.seen[key]


def _speaker_line(
    paragraph: Any, style: str, style_bold: bool
) -> tuple[str, str | None, str | None]:
    """The paragraph as a ``Speaker: text`` line, the speaker Word marks (if any) and the
    time given beside the speaker (if any)."""
    text: str = paragraph.text
    if style.startswith(("Heading", "Title", "Subtitle")):
        return text, None, None
    time = None
    body = text
    lead = _LEADING_TIME.match(text)
    if lead:
        time, body = lead.group("time"), lead.group("rest")
    bold = _bold_prefix(paragraph, len(text) - len(body), style_bold)
    if bold and body.startswith(bold):
        label = bold.strip().rstrip(":").strip()
        rest = body[len(bold) :]
        if rest.strip():
            after = rest.lstrip()
            # Bold words opening a sentence are emphasis; a label has its colon.
            if not bold.rstrip().endswith(":") and not after.startswith(":"):
                return text, None, None
            rest = after[1:] if after.startswith(":") else rest
            return f"{label}:{rest}", label, time
        heading = _HEADING_TIME.match(label)
        if heading and time is None:
            label, time = heading.group("label"), heading.group("time")
        return f"{label}:", label, time
    heading = _HEADING_TIME.match(body)
    if heading and _is_label(heading.group("label")):
        label = heading.group("label").strip()
        return f"{label}:", label, heading.group("time")
    if lead and ":" in body and _is_label(body.split(":", 1)[0]):
        return body, None, time
    return text, None, None


def _bold_prefix(paragraph: Any, skip: int, style_bold: bool) -> str:
    """The bold text that opens the paragraph (after ``skip`` characters of time), when it is
    short enough to be a speaker label."""
    out = ""
    seen = 0
    for run in paragraph.runs:
        piece: str = run.text
        if seen + len(piece) <= skip:
            seen += len(piece)
            continue
        piece = piece[max(0, skip - seen) :]
        seen = skip
        if not piece.strip() and out:
            out += piece
            continue
        if not (bool(run.bold) if run.bold is not None else style_bold):
            break
        out += piece
    label = out.strip().rstrip(":").strip()
    return out if label and _is_label(label) else ""


def _is_label(label: str) -> bool:
    label = label.strip()
    return (
        0 < len(label) <= 39
        and len(label.split()) <= 4
        and not _NOT_A_LABEL.search(label)
        and label[:1].isalpha()
    )
