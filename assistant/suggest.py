"""Suggested codes: a third coder that reads a passage like the passages already coded.

Each paragraph is embedded (the same local model as search). For a paragraph, its ``k`` most
similar paragraphs elsewhere vote: a code's confidence is the similarity-weighted share of
those neighbours carrying it. Uncoded neighbours vote for no code, so small talk and
interviewer questions, whose neighbours are mostly uncoded, get no suggestion. A code whose
confidence reaches the threshold is suggested, with the two or three coded neighbours that
carried it as the reason, so the researcher can judge it. Nothing is written anywhere: a
suggestion is for the researcher to accept or reject.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.model import Corpus

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from assistant.notes import NoteQuote

#: Neighbours that vote, and the threshold chosen on half of the leave-one-out interviews
#: (tests/bench/bench_suggest.py; the best pooled κ there, 0.04–0.06, is low: see BENCHMARKS).
K = 10
THRESHOLD = 0.15
#: Coded neighbours shown as the reason for a suggestion, and how many a suggestion needs: one
#: similar passage alone is too thin a reason to put a code forward.
REASONS = 3
MIN_SUPPORT = 2


@dataclass(frozen=True)
class Passage:
    """One paragraph with its place and its codes."""

    key: str
    interview: str
    paragraph: int
    text: str
    codes: tuple[str, ...]


def passages(corpus: Corpus) -> list[Passage]:
    return [
        Passage(turn.key, interview.id, n, p.text, p.codes)
        for interview in corpus.interviews
        for turn in interview.turns
        for n, p in enumerate(turn.paragraphs, start=1)
        if p.text.strip()
    ]


@dataclass(frozen=True)
class Reason:
    key: str
    quote: str
    similarity: float

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "quote": self.quote, "similarity": round(self.similarity, 4)}


@dataclass(frozen=True)
class Suggestion:
    passage: Passage
    code: str
    confidence: float
    because: tuple[Reason, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.passage.key,
            "interview": self.passage.interview,
            "paragraph": self.passage.paragraph,
            "quote": self.passage.text,
            "code": self.code,
            "confidence": round(self.confidence, 4),
            "because": [r.to_dict() for r in self.because],
        }


Embed = Callable[[Sequence[str]], "NDArray[np.float32]"]


class Suggester:
    """Votes of the nearest paragraphs in a pool, over unit vectors embedded once."""

    def __init__(self, pool: Sequence[Passage], vectors: NDArray[np.float32]) -> None:
        self.pool = list(pool)
        self.vectors = vectors

    def scores(
        self, vector: NDArray[np.float32], exclude: Callable[[Passage], bool], k: int = K
    ) -> tuple[dict[str, tuple[float, int]], list[tuple[int, float]]]:
        """Each code's confidence and number of neighbours carrying it, for one paragraph, and
        its neighbours (pool index, cosine)."""
        sims = self.vectors @ vector
        order = (-sims).argsort()
        neighbours: list[tuple[int, float]] = []
        for i in order:
            if not exclude(self.pool[int(i)]):
                neighbours.append((int(i), float(sims[i])))
                if len(neighbours) == k:
                    break
        weight = sum(max(s, 0.0) for _, s in neighbours)
        votes: dict[str, float] = {}
        support: dict[str, int] = {}
        for i, s in neighbours:
            for code in set(self.pool[i].codes):
                votes[code] = votes.get(code, 0.0) + max(s, 0.0)
                support[code] = support.get(code, 0) + 1
        if weight <= 0:
            return {}, neighbours
        return {code: (v / weight, support[code]) for code, v in votes.items()}, neighbours

    def suggest(
        self,
        passage: Passage,
        vector: NDArray[np.float32],
        exclude: Callable[[Passage], bool],
        *,
        threshold: float = THRESHOLD,
        k: int = K,
        codes: frozenset[str] | None = None,
    ) -> list[Suggestion]:
        scores, neighbours = self.scores(vector, exclude, k)
        out = []
        for code in chosen(scores, threshold):
            confidence = scores[code][0]
            if code in passage.codes:
                continue
            if codes is not None and code not in codes:
                continue
            reasons = tuple(
                Reason(self.pool[i].key, self.pool[i].text, s)
                for i, s in neighbours
                if code in self.pool[i].codes
            )[:REASONS]
            out.append(Suggestion(passage, code, confidence, reasons))
        return out


def chosen(scores: dict[str, tuple[float, int]], threshold: float = THRESHOLD) -> list[str]:
    """The codes put forward, most confident first: at or above the threshold and carried by
    at least MIN_SUPPORT neighbours. The benchmark decides with this same rule."""
    kept = [c for c, (conf, n) in scores.items() if conf >= threshold and n >= MIN_SUPPORT]
    return sorted(kept, key=lambda c: (-scores[c][0], c))


def suggest_codes(
    corpus: Corpus,
    embed: Embed,
    *,
    interviews: Sequence[str] = (),
    codes: frozenset[str] | None = None,
    threshold: float = THRESHOLD,
    k: int = K,
) -> list[Suggestion]:
    """Codes for the paragraphs that carry none (in ``interviews``, default all), voted by
    the most similar paragraphs of the whole corpus except the paragraph itself."""
    pool = passages(corpus)
    vectors = embed([p.text for p in pool])
    suggester = Suggester(pool, vectors)
    out: list[Suggestion] = []
    for i, passage in enumerate(pool):
        if passage.codes or (interviews and passage.interview not in interviews):
            continue

        def itself(other: Passage, me: Passage = passage) -> bool:
            return other is me

        out += suggester.suggest(passage, vectors[i], itself, threshold=threshold, k=k, codes=codes)
    return out


def as_notes(suggestions: Sequence[Suggestion], corpus: Corpus) -> list[NoteQuote]:
    """Each suggested passage as a note quote under "Suggested code CODE"."""
    from assistant.errors import NotesError
    from assistant.model import Evidence
    from assistant.notes import NoteQuote

    quotes = []
    for item in suggestions:
        found = corpus.turn(item.passage.key)
        if found is None:
            raise NotesError(f"no turn {item.passage.key} in the corpus")
        interview, turn = found
        evidence = Evidence(turn, interview.title, interview.source, item.confidence)
        quotes.append(
            NoteQuote.from_evidence(
                f"Suggested code {item.code}",
                evidence,
                item.passage.text,
                mode="suggest",
                model=None,
            )
        )
    return quotes
