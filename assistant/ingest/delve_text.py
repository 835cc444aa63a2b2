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
from assistant.ingest.codes import could_stack, looks_like_label
from assistant.ingest.ids import clean_stem
from assistant.ingest.source import DELVE_FOOTER, split_lines
from assistant.ingest.speakers import UNKNOWN_SPEAKER
from assistant.model import Interview, Paragraph

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
    path: Path, text: str, sha256: str, known_codes: Collection[str] = ()
) -> Interview:
    chunks = _chunks(split_lines(text))
    title = ""
    if chunks and chunks[0].level == 1:
        title = chunks.pop(0).heading or ""
    if not any(c.heading for c in chunks):
        raise CorpusError(path, "no speaker headings found (expected lines such as '## Speaker')")
    labels = _label_chunks(chunks, known_codes)
    blocks: list[Block] = []
    for index, chunk in enumerate(chunks):
        if chunk.heading is not None:
            blocks.append(Block(chunk.heading, where=chunk.first))
        elif index in labels:
            # A label codes the nearest paragraph above it.
            paragraphs = blocks[-1].paragraphs
            paragraphs[-1] = add_codes(paragraphs[-1], [chunk.text])
        else:
            if not blocks:
                blocks.append(Block(UNKNOWN_SPEAKER, where=chunk.first))
            blocks[-1].paragraphs.append(Paragraph(chunk.text, lines=(chunk.first, chunk.last)))
    return build_interview(path, sha256, "delve-text", title or clean_stem(path), blocks)


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


def _label_chunks(chunks: list[_Chunk], known: Collection[str]) -> set[int]:
    """Indexes of the chunks that are code lines.

    A label only follows a paragraph (or another label), never a heading directly. A bare word
    such as ``Misc`` is a label when it stacks with a recognised label between the same two
    paragraphs; otherwise it is a one-word paragraph."""
    kinds: dict[int, str] = {}
    run: list[int] = []

    def settle() -> None:
        stacked = any(kinds[i] == "label" for i in run)
        for i in run:
            if kinds[i] == "bare":
                kinds[i] = "label" if stacked else "paragraph"
        run.clear()

    after_paragraph = False
    for index, chunk in enumerate(chunks):
        one_line = chunk.first == chunk.last
        if chunk.heading is not None:
            settle()
            after_paragraph = False
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
    return {i for i, kind in kinds.items() if kind == "label"}
