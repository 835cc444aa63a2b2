"""Delve text exports: ``# Title``, speaker headings, paragraphs, code lines, Delve's footer.

Speaker headings come at any level and may be bold (``## **Interviewer 2**``). A paragraph
without a heading of its own continues the speaker above. Each code of a paragraph is written
on its own line after it; several codes stack, and a code repeated over consecutive paragraphs
codes each of them. Code lines and the footer never become turn text.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import CorpusError
from assistant.ingest.assemble import Block, add_codes, build_interview
from assistant.ingest.codes import could_stack, is_hyphenated, looks_like_label
from assistant.ingest.ids import clean_stem
from assistant.ingest.limits import DEFAULT_LIMITS, Limits
from assistant.ingest.source import DELVE_FOOTER, split_lines
from assistant.ingest.speakers import UNKNOWN_SPEAKER
from assistant.model import Interview, LoadProblem, Paragraph

HEADING = re.compile(r"^[ \t]*(?P<level>#{1,6})[ \t]+(?P<text>.*?)[ \t#]*$")


@dataclass
class _Chunk:
    """A run of non-blank lines: a heading, a paragraph or a code line."""

    first: int  # 1-based line number
    last: int
    text: str  # exact source characters, stripped at both ends
    heading: str | None = None
    level: int = 0


def read_delve_text(
    path: Path,
    text: str,
    sha256: str,
    known_codes: Collection[str] = (),
    notices: list[LoadProblem] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Interview:
    """``notices`` receives the lines whose reading is a guess the user should check."""
    chunks = _chunks(split_lines(text))
    title = ""
    if chunks and chunks[0].level == 1:
        title = chunks.pop(0).heading or ""
    if not any(c.heading for c in chunks):
        raise CorpusError(path, "no speaker headings found (expected lines such as '## Speaker')")
    kinds = _label_chunks(chunks, known_codes)
    found: list[LoadProblem] = []
    blocks: list[Block] = []
    for index, chunk in enumerate(chunks):
        kind = kinds.get(index)
        if chunk.heading is not None:
            blocks.append(Block(chunk.heading, where=chunk.first))
        elif kind == "label":
            # A label codes the nearest paragraph above it.
            paragraphs = blocks[-1].paragraphs
            paragraphs[-1] = add_codes(paragraphs[-1], [chunk.text])
        elif kind == "orphan":
            # Delve never prints a code without its paragraph; reading it as speech would put
            # a code label in someone's mouth, so it is dropped and reported.
            found.append(
                LoadProblem(
                    str(path),
                    f"code line '{chunk.text}' has no paragraph above it to code; ignored",
                    line=chunk.first,
                    severity="notice",
                )
            )
        else:
            if kind == "speech":
                found.append(
                    LoadProblem(
                        str(path),
                        f"'{chunk.text}' read as speech, not as a code (not a known code "
                        "shape and not stacked with other codes)",
                        line=chunk.first,
                        severity="notice",
                    )
                )
            if not blocks:
                blocks.append(Block(UNKNOWN_SPEAKER, where=chunk.first))
            blocks[-1].paragraphs.append(Paragraph(chunk.text, lines=(chunk.first, chunk.last)))
    interview = build_interview(
        path, sha256, "delve-text", title or clean_stem(path), blocks, limits
    )
    if notices is not None:
        notices.extend(found)
    return interview


def _chunks(lines: list[str]) -> list[_Chunk]:
    chunks: list[_Chunk] = []
    run: list[int] = []

    def flush() -> None:
        if run:
            first, last = run[0], run[-1]
            body = "\n".join(lines[first - 1 : last]).strip()
            chunks.append(_Chunk(first, last, body))
            run.clear()

    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            flush()
            continue
        if DELVE_FOOTER.match(raw):
            flush()
            continue
        heading = HEADING.match(raw)
        if heading:
            flush()
            name = heading.group("text").strip().strip("*_").strip()
            chunks.append(
                _Chunk(number, number, raw.strip(), name or UNKNOWN_SPEAKER, len(heading["level"]))
            )
            continue
        run.append(number)
    flush()
    return chunks


def _label_chunks(chunks: list[_Chunk], known: Collection[str]) -> dict[int, str]:
    """What each one-line chunk that could be a code is: ``label``; ``orphan`` (a sure label
    with no paragraph above it); ``speech`` (a hyphenated word kept as text, worth a notice);
    or ``paragraph``. Other chunks are absent.

    A label only follows a paragraph (or another label), never a heading directly. A bare word
    (``Misc``) or a once-hyphenated word (``feedback-loop``) is a label when it stacks with a
    sure label between the same two paragraphs; otherwise it is speech."""
    kinds: dict[int, str] = {}
    run: list[int] = []

    def settle() -> None:
        stacked = any(kinds[i] == "label" for i in run)
        for i in run:
            if kinds[i] == "bare":
                kinds[i] = "label" if stacked else _unstacked(chunks[i].text)
        run.clear()

    after_paragraph = False
    for index, chunk in enumerate(chunks):
        one_line = chunk.first == chunk.last
        if chunk.heading is not None:
            settle()
            after_paragraph = False
        elif one_line and not after_paragraph and looks_like_label(chunk.text, known):
            kinds[index] = "orphan"
        elif after_paragraph and one_line and looks_like_label(chunk.text, known):
            kinds[index] = "label"
            run.append(index)
        elif after_paragraph and one_line and could_stack(chunk.text):
            kinds[index] = "bare"
            run.append(index)
        else:
            settle()
            after_paragraph = True
    settle()
    return kinds


def _unstacked(text: str) -> str:
    return "speech" if is_hyphenated(text) else "paragraph"
