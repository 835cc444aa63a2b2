"""Inter-coder agreement: how often two coders put the same code on the same paragraph.

The unit is the paragraph (as ``assistant corpus --json`` lists them), matched between the two
codings by its text: in order, exactly after folding case and white space, and otherwise a
near-identical paragraph in the same place (transcripts edited by one coder, ``company Z`` and
``Company Z``). Paragraphs only one coding has are counted as unmatched, not as units.

For every code, each unit is a yes/no decision by each coder; Cohen's κ corrects their percent
agreement for the agreement expected by chance from each coder's own rate. The pooled κ sums
the 2×2 tables of every code, i.e. one κ over all (paragraph, code) decisions. The codes
compared are those either coder applied anywhere in the compared interviews (per interview:
in that interview).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.model import Paragraph, Turn
from assistant.pairs import Coding, Pairing, Unpaired

#: How alike two paragraphs in the same place must be to count as one unit when they differ.
NEAR_MATCH = 0.9


@dataclass(frozen=True)
class Side:
    """One coder's copy of a unit: where it is in that coder's file, and its codes."""

    turn: Turn
    paragraph: Paragraph


@dataclass(frozen=True)
class Unit:
    interview: str
    a: Side
    b: Side


@dataclass(frozen=True)
class Table:
    """A 2×2 table of decisions: coded by A, by B, by both, out of n."""

    n: int
    a: int
    b: int
    both: int

    def __add__(self, other: Table) -> Table:
        return Table(self.n + other.n, self.a + other.a, self.b + other.b, self.both + other.both)

    @property
    def observed(self) -> float:
        neither = self.n - self.a - self.b + self.both
        return (self.both + neither) / self.n if self.n else 0.0

    @property
    def kappa(self) -> float | None:
        """Cohen's κ; None when chance agreement is total (both coders constant), where κ is
        undefined."""
        if not self.n:
            return None
        pa, pb = self.a / self.n, self.b / self.n
        expected = pa * pb + (1 - pa) * (1 - pb)
        if expected >= 1:
            return None
        return (self.observed - expected) / (1 - expected)

    def to_dict(self) -> dict[str, Any]:
        kappa = self.kappa
        return {
            "a": self.a,
            "b": self.b,
            "both": self.both,
            "agreement": round(100 * self.observed, 2),
            "kappa": None if kappa is None else round(kappa, 4),
        }


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _paragraphs(coding: Coding) -> list[Side]:
    return [Side(t, p) for t in coding.interview.turns for p in t.paragraphs]


def match_units(a: Coding, b: Coding) -> tuple[list[Unit], int, int]:
    """The paragraphs both codings hold, in order, and how many of each side matched nothing."""
    left, right = _paragraphs(a), _paragraphs(b)
    matcher = difflib.SequenceMatcher(
        None,
        [_norm(s.paragraph.text) for s in left],
        [_norm(s.paragraph.text) for s in right],
        autojunk=False,
    )
    ident = a.interview.id
    units: list[Unit] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            units += [Unit(ident, left[i1 + d], right[j1 + d]) for d in range(i2 - i1)]
        elif op == "replace":
            j = j1
            for i in range(i1, i2):
                for k in range(j, j2):
                    text_a, text_b = _norm(left[i].paragraph.text), _norm(right[k].paragraph.text)
                    if difflib.SequenceMatcher(None, text_a, text_b).ratio() >= NEAR_MATCH:
                        units.append(Unit(ident, left[i], right[k]))
                        j = k + 1
                        break
    return units, len(left) - len(units), len(right) - len(units)


def _table(units: Sequence[Unit], code: str) -> Table:
    a = sum(1 for u in units if code in u.a.paragraph.codes)
    b = sum(1 for u in units if code in u.b.paragraph.codes)
    both = sum(1 for u in units if code in u.a.paragraph.codes and code in u.b.paragraph.codes)
    return Table(len(units), a, b, both)


def _codes(units: Iterable[Unit]) -> list[str]:
    found = {c for u in units for side in (u.a, u.b) for c in side.paragraph.codes}
    return sorted(found, key=str.casefold)


def _pooled(tables: Iterable[Table]) -> Table:
    total = Table(0, 0, 0, 0)
    for table in tables:
        total = total + table
    return total


@dataclass(frozen=True)
class Disagreement:
    """A code one coder put on a paragraph and the other did not, with that coder's quote."""

    key: str
    code: str
    coded_by: str
    quote: str
    interview: str
    turn: int

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "code": self.code, "coded_by": self.coded_by, "quote": self.quote}


@dataclass(frozen=True)
class PairResult:
    a: Coding
    b: Coding
    units: tuple[Unit, ...]
    unmatched_a: int
    unmatched_b: int
    codes: dict[str, Table]

    @property
    def pooled(self) -> Table:
        return _pooled(self.codes.values())

    def to_dict(self) -> dict[str, Any]:
        pooled = self.pooled
        kappa = pooled.kappa
        return {
            "interview": self.a.interview.id,
            "a": self.a.coder,
            "b": self.b.coder,
            "units": len(self.units),
            "unmatched": {"a": self.unmatched_a, "b": self.unmatched_b},
            "agreement": round(100 * pooled.observed, 2),
            "pooled_kappa": None if kappa is None else round(kappa, 4),
            "codes": [{"code": c, **t.to_dict()} for c, t in self.codes.items()],
        }


@dataclass(frozen=True)
class AgreementReport:
    pairs: tuple[PairResult, ...]
    codes: dict[str, Table]
    disagreements: tuple[Disagreement, ...]
    unpaired: tuple[Unpaired, ...]

    @property
    def units(self) -> int:
        return sum(len(p.units) for p in self.pairs)

    @property
    def pooled(self) -> Table:
        return _pooled(self.codes.values())

    def to_dict(self) -> dict[str, Any]:
        kappa = self.pooled.kappa
        return {
            "unit": "paragraph",
            "pairs": [
                {"interview": p.a.interview.id, "a": p.a.source, "b": p.b.source}
                for p in self.pairs
            ],
            "units": self.units,
            "codes": [{"code": c, **t.to_dict()} for c, t in self.codes.items()],
            "pooled_kappa": None if kappa is None else round(kappa, 4),
            "interviews": [p.to_dict() for p in self.pairs],
            "disagreements": [d.to_dict() for d in self.disagreements],
        }


def compare(pairing: Pairing) -> AgreementReport:
    """Per-code, pooled and per-interview agreement over the pairs, and every disagreement."""
    results: list[PairResult] = []
    disagreements: list[Disagreement] = []
    for a, b in pairing.pairs:
        units, lost_a, lost_b = match_units(a, b)
        codes = {code: _table(units, code) for code in _codes(units)}
        results.append(PairResult(a, b, tuple(units), lost_a, lost_b, codes))
        found: list[Disagreement] = []
        for unit in units:
            only_a = set(unit.a.paragraph.codes) - set(unit.b.paragraph.codes)
            only_b = set(unit.b.paragraph.codes) - set(unit.a.paragraph.codes)
            for code, coder, side in [(c, a.coder, unit.a) for c in only_a] + [
                (c, b.coder, unit.b) for c in only_b
            ]:
                found.append(
                    Disagreement(
                        side.turn.key,
                        code,
                        coder,
                        side.paragraph.text,
                        unit.interview,
                        side.turn.ordinal,
                    )
                )
        # In reading order, so the coders can reconcile going through the transcript.
        disagreements += sorted(found, key=lambda d: (d.turn, d.code.casefold(), d.coded_by))
    every = [u for r in results for u in r.units]
    codes = {code: _table(every, code) for code in _codes(every)}
    return AgreementReport(tuple(results), codes, tuple(disagreements), pairing.unpaired)
