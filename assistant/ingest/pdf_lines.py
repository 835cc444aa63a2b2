"""The lines of a Delve print-out, each classified by what its font says it is.

Delve prints a transcript from the browser: a page header (date, file name) and footer (print
URL, ``page/N``) in a small font at the page edges, the title at 18pt, speaker names in bold at
the body size (10.5pt), paragraphs in the body font, and the codes of a paragraph as small
(~7.9pt) chips on a line under it. Characters are taken from pdfminer's page layout directly
(through pdfplumber): building pdfplumber's per-character dicts costs more than parsing itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from pdfminer.layout import LTChar, LTContainer, LTPage

LineKind = Literal["margin", "title", "speaker", "text", "chips"]

#: Header and footer sit within this distance (pt) of the page's top and bottom edges.
MARGIN = 40.0
#: Chips are separate boxes: a gap wider than this many font sizes starts a new label
#: (a space inside a label such as ``ML-pipeline-issues [MLP]`` is about a third of it).
CHIP_GAP = 1.2


@dataclass(slots=True)
class Glyph:
    text: str
    x0: float
    x1: float
    top: float
    size: float
    bold: bool


@dataclass
class PdfLine:
    """One printed line: its page (1-based), vertical position and text; chips keep labels."""

    page: int
    top: float
    kind: LineKind
    text: str
    size: float = 0.0
    x1: float = 0.0
    labels: list[str] = field(default_factory=list)


def page_glyphs(layout: LTPage, page_height: float) -> list[Glyph]:
    out: list[Glyph] = []

    def walk(items: LTContainer) -> Iterator[LTChar]:
        for item in items:
            if isinstance(item, LTChar):
                yield item
            elif isinstance(item, LTContainer):
                yield from walk(item)

    for ch in walk(layout):
        out.append(
            Glyph(
                ch.get_text(),
                ch.x0,
                ch.x1,
                round(page_height - ch.y1, 1),
                round(ch.size, 1),
                "bold" in ch.fontname.lower(),
            )
        )
    return out


def in_margin(glyph: Glyph, height: float) -> bool:
    return glyph.top < MARGIN or glyph.top > height - MARGIN


def margin_text(glyphs: list[Glyph], height: float) -> str:
    return "".join(g.text for g in glyphs if in_margin(g, height))


def body_size(glyphs: list[Glyph]) -> float:
    """The size most characters are printed in: the paragraphs."""
    counts = Counter(g.size for g in glyphs if g.text.strip())
    return counts.most_common(1)[0][0] if counts else 0.0


def _join(glyphs: list[Glyph]) -> str:
    """Characters of one line in reading order; a visible gap without a space char is a space."""
    parts: list[str] = []
    prev: Glyph | None = None
    for g in glyphs:
        if prev is not None and g.x0 - prev.x1 > 0.25 * g.size and not prev.text.isspace():
            if not g.text.isspace():
                parts.append(" ")
        parts.append(g.text)
        prev = g
    return " ".join("".join(parts).split())


def _labels(glyphs: list[Glyph]) -> list[str]:
    groups: list[list[Glyph]] = [[]]
    prev: Glyph | None = None
    for g in glyphs:
        if g.text.isspace():
            continue
        if prev is not None and g.x0 - prev.x1 > CHIP_GAP * g.size:
            groups.append([])
        groups[-1].append(g)
        prev = g
    return [text for text in (_join(group) for group in groups) if text]


def _kind(row: list[Glyph], height: float, body: float) -> LineKind:
    if all(in_margin(g, height) for g in row):
        return "margin"
    visible = [g for g in row if not g.text.isspace()] or row
    if any(g.size > body * 1.3 for g in visible):
        return "title"
    if all(g.size < body * 0.85 for g in visible):
        return "chips"
    # A word set in bold inside a paragraph shares its line with regular text: still text.
    if all(g.bold for g in visible):
        return "speaker"
    return "text"


def classify(glyphs: list[Glyph], page: int, height: float, body: float) -> list[PdfLine]:
    """Group one page's characters into lines (same top), top to bottom, and classify them."""
    rows: list[list[Glyph]] = []
    for g in sorted(glyphs, key=lambda g: g.top):
        # Characters of one line share their top to within a fraction of a point.
        if rows and g.top - rows[-1][0].top <= 2.0:
            rows[-1].append(g)
        else:
            rows.append([g])
    lines: list[PdfLine] = []
    for row in rows:
        top = row[0].top
        row.sort(key=lambda g: g.x0)
        text = _join(row)
        if not text:
            continue
        kind = _kind(row, height, body)
        sizes = sorted(g.size for g in row)
        line = PdfLine(
            page, top, kind, text, size=sizes[len(sizes) // 2], x1=max(g.x1 for g in row)
        )
        if kind == "chips":
            line.labels = _labels(row)
        lines.append(line)
    return lines
