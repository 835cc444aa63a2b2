"""Where a REFI-QDA selection lands: code-point positions into a source's plain text, mapped
onto the paragraphs read from that text.

A selection codes every paragraph whose characters it overlaps, so a passage selected over a
line break codes both paragraphs, and one selected across a change of speaker codes both
turns. A selection of just a speaker's name (``Ana:``) codes the words on that line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.ingest.assemble import Block
from assistant.model import Paragraph

_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Selection:
    """A coded passage: code-point positions and the (code, user) pairs applied to it."""

    start: int
    end: int
    codings: tuple[tuple[str, str], ...]  # (code label, user name or "")


def text_lines(text: str) -> tuple[list[str], list[int]]:
    """The text's lines (as an editor numbers them) and the code-point offset of each."""
    lines, starts = [], []
    position = 0
    for match in _LINE_END.finditer(text):
        lines.append(text[position : match.start()])
        starts.append(position)
        position = match.end()
    lines.append(text[position:])
    starts.append(position)
    return lines, starts


def apply_selections(
    blocks: list[Block],
    lines: list[str],
    starts: list[int],
    selections: list[Selection],
    notice: Callable[[str], None],
) -> None:
    """Code each paragraph with the selections that overlap its characters."""
    spans: list[tuple[Block, int, int, int, int]] = []  # block, index, begin, end, line
    for block in blocks:
        for index, paragraph in enumerate(block.paragraphs):
            assert paragraph.lines is not None  # every paragraph here was read from a line
            number = paragraph.lines[0]
            # The paragraph is the line's last occurrence of its text (after any label).
            begin = starts[number - 1] + lines[number - 1].rfind(paragraph.text)
            spans.append((block, index, begin, begin + len(paragraph.text), number))
    for selection in selections:
        hit = [
            span
            for span in spans
            if selection.start < span[3]
            and selection.end > span[2]
            or (selection.start == selection.end and span[2] <= selection.start < span[3])
        ]
        if not hit:
            # A selection of just a speaker's name codes the words on that line.
            hit = [
                span
                for span in spans
                if starts[span[4] - 1] <= selection.start < span[2]
                and selection.start < starts[span[4] - 1] + len(lines[span[4] - 1])
            ]
        if not hit:
            notice(
                f"a selection at {selection.start}-{selection.end} covers no text of a turn "
                "(blank lines only); its codes are not applied"
            )
        for block, index, *_ in hit:
            paragraph = block.paragraphs[index]
            labels = [label for label, _ in selection.codings]
            pairs = [pair for pair in selection.codings if pair[1]]
            block.paragraphs[index] = Paragraph(
                paragraph.text,
                tuple(dict.fromkeys([*paragraph.codes, *labels])),
                paragraph.lines,
                paragraph.pages,
                tuple(dict.fromkeys([*paragraph.coders, *pairs])),
            )
