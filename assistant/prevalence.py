"""How many coded paragraphs carry each code, per interview, speaker or role, and which codes
share paragraphs.

The unit is the coded paragraph, as in ``assistant quotes``: Delve repeats a label on every
paragraph of a coded span, so a paragraph is one application. A parent's row counts the
paragraphs carrying the parent or any of its children (``Codebook.resolve``, the same rule
``quotes --code`` follows), so a cell always equals the number of quotes that report lists.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from assistant.codebook import Codebook
from assistant.errors import AssistantError
from assistant.ingest.speakers import ROLES, speaker_key
from assistant.model import Corpus, Interview, Turn

By = Literal["interview", "speaker", "role"]
BY: tuple[By, ...] = ("interview", "speaker", "role")


@dataclass(frozen=True)
class PrevalenceRow:
    """One code's coded paragraphs per column; ``interviews`` is how many interviews hold any."""

    code: str
    parent: str | None
    depth: int
    cells: dict[str, int]
    total: int
    interviews: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "parent": self.parent,
            "cells": dict(self.cells),
            "total": self.total,
            "in": self.interviews,
        }


@dataclass(frozen=True)
class Prevalence:
    """The code × column matrix of a corpus. ``of`` is the number of interviews, the M of
    "in N of M interviews"."""

    by: By
    columns: tuple[str, ...]
    rows: tuple[PrevalenceRow, ...]
    of: int

    def row(self, code: str) -> PrevalenceRow | None:
        return next((r for r in self.rows if r.code == code), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "columns": list(self.columns),
            "rows": [r.to_dict() for r in self.rows],
        }

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(["code", "parent", *self.columns, "total", "in"])
        for r in self.rows:
            writer.writerow(
                [r.code, r.parent or "", *(r.cells[c] for c in self.columns), r.total, r.interviews]
            )
        return buffer.getvalue()

    def render(self) -> str:
        """A fixed-width table: codes indented under their parent, a dot for an empty cell."""
        if not self.rows:
            return "No codes in this corpus."
        names = ["  " * r.depth + r.code for r in self.rows]
        width = max(len(n) for n in names)
        widths = [max(len(c), *(len(str(r.cells[c])) for r in self.rows)) for c in self.columns]
        head = f"{'code':<{width}}  " + " ".join(
            f"{c:>{w}}" for c, w in zip(self.columns, widths, strict=True)
        )
        head += f"  {'total':>5}  in"
        lines = [head, "-" * len(head)]
        for name, r in zip(names, self.rows, strict=True):
            cells = " ".join(
                f"{(str(r.cells[c]) if r.cells[c] else '.'):>{w}}"
                for c, w in zip(self.columns, widths, strict=True)
            )
            lines.append(f"{name:<{width}}  {cells}  {r.total:>5}  {r.interviews} of {self.of}")
        lines.append(
            f"{len(self.rows)} codes; cells are coded paragraphs by {self.by} "
            "(a parent counts its children's paragraphs too)"
        )
        return "\n".join(lines)


def _natural(text: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", text))


def _column_of(by: By, corpus: Corpus) -> tuple[Callable[[Interview, Turn], str], list[str]]:
    """How a turn maps to its column, and the columns in display order."""
    if by == "interview":
        return (lambda i, t: i.id), [i.id for i in corpus.interviews]
    if by == "role":
        roles = {t.role for i in corpus.interviews for t in i.turns}
        return (lambda i, t: t.role), [r for r in ROLES if r in roles]
    # One column per speaker as ``--speaker`` understands names, shown as first spelled.
    shown: dict[str, str] = {}
    for interview in corpus.interviews:
        for turn in interview.turns:
            shown.setdefault(speaker_key(turn.speaker), turn.speaker)
    return (lambda i, t: shown[speaker_key(t.speaker)]), sorted(shown.values(), key=_natural)


def prevalence(
    corpus: Corpus, by: By = "interview", codebook: Codebook | None = None
) -> Prevalence:
    """Coded paragraphs per code (parents rolled up) and per interview, speaker or role."""
    if by not in BY:
        raise AssistantError(f"cannot count codes by {by!r}; choose one of {', '.join(BY)}")
    book = codebook or Codebook.from_turns(t for i in corpus.interviews for t in i.turns)
    column_of, columns = _column_of(by, corpus)
    column = {
        (interview.id, turn.ordinal): column_of(interview, turn)
        for interview in corpus.interviews
        for turn in interview.turns
    }
    found = coded_paragraphs((t for i in corpus.interviews for t in i.turns), book)
    rows: list[PrevalenceRow] = []
    for depth, code in book.tree():
        cells = dict.fromkeys(columns, 0)
        for ident, ordinal, _ in found[code.label]:
            cells[column[(ident, ordinal)]] += 1
        interviews, total = _totals(found[code.label])
        rows.append(
            PrevalenceRow(
                code=code.label,
                parent=code.parent,
                depth=depth,
                cells=cells,
                total=total,
                interviews=interviews,
            )
        )
    return Prevalence(by=by, columns=tuple(columns), rows=tuple(rows), of=len(corpus.interviews))


#: A paragraph: (interview id, turn ordinal, index in the turn).
ParagraphRef = tuple[str, int, int]


def coded_paragraphs(turns: Iterable[Turn], book: Codebook) -> dict[str, set[ParagraphRef]]:
    """For every code of ``book``, the paragraphs carrying it or any of its children."""
    where: dict[str, set[ParagraphRef]] = {}
    for turn in turns:
        for n, paragraph in enumerate(turn.paragraphs):
            for label in paragraph.codes:
                where.setdefault(label, set()).add((turn.interview_id, turn.ordinal, n))
    out: dict[str, set[ParagraphRef]] = {}
    for _, code in book.tree():
        found: set[ParagraphRef] = set()
        for label in book.resolve([code.label]):
            found |= where.get(label, set())
        out[code.label] = found
    return out


def code_totals(turns: Iterable[Turn], book: Codebook) -> dict[str, tuple[int, int]]:
    """Each code's (interviews holding it, coded paragraphs), parents rolled up: the "in" and
    "total" of ``codes --matrix``, and what an answer's overview says of a code."""
    return {code: _totals(found) for code, found in coded_paragraphs(turns, book).items()}


def _totals(found: set[ParagraphRef]) -> tuple[int, int]:
    return len({ident for ident, _, _ in found}), len(found)


@dataclass(frozen=True)
class Cooccurrence:
    """Paragraphs carrying both of two labels, for every pair that ever meets."""

    codes: tuple[str, ...]
    counts: dict[tuple[str, str], int]

    def count(self, a: str, b: str) -> int:
        return self.counts.get((a, b), 0)

    def pairs(self) -> list[tuple[str, str, int]]:
        """Each unordered pair of different labels once, the most frequent first."""
        out = [(a, b, n) for (a, b), n in self.counts.items() if a < b]
        return sorted(out, key=lambda p: (-p[2], p[0].casefold(), p[1].casefold()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "codes": list(self.codes),
            "pairs": [{"a": a, "b": b, "paragraphs": n} for a, b, n in self.pairs()],
        }

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(["code", *self.codes])
        for a in self.codes:
            writer.writerow([a, *(self.count(a, b) for b in self.codes)])
        return buffer.getvalue()

    def render(self) -> str:
        pairs = self.pairs()
        if not pairs:
            return "No two codes share a paragraph."
        width = max(len(a) for a, _, _ in pairs)
        lines = [f"{'code':<{width}}  {'with':<{width}}  paragraphs"]
        lines.append("-" * len(lines[0]))
        lines += [f"{a:<{width}}  {b:<{width}}  {n:>10}" for a, b, n in pairs]
        lines.append(f"{len(pairs)} pairs of codes share at least one paragraph")
        return "\n".join(lines)


def cooccurrence(corpus: Corpus, codebook: Codebook | None = None) -> Cooccurrence:
    """Labels as applied (a parent is not rolled up here: it would meet its own children)."""
    book = codebook or Codebook.from_turns(t for i in corpus.interviews for t in i.turns)
    counts: dict[tuple[str, str], int] = {}
    for paragraph in _paragraphs(corpus.interviews):
        labels = set(paragraph)
        for a in labels:
            for b in labels:
                counts[(a, b)] = counts.get((a, b), 0) + 1
    return Cooccurrence(codes=tuple(c.label for _, c in book.tree()), counts=counts)


def _paragraphs(interviews: Iterable[Interview]) -> Iterable[tuple[str, ...]]:
    for interview in interviews:
        for turn in interview.turns:
            for paragraph in turn.paragraphs:
                if paragraph.codes:
                    yield paragraph.codes
