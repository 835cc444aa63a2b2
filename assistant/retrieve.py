"""Hybrid search over the turn index: dense (Chroma) and BM25 (bm25s), fused by rank.

Both retrievers search the same scope: filters are resolved once (codes to exact labels with
their children, speakers to normalised names) into an :class:`~assistant.index.Scope` that
renders a Chroma filter for the dense side and a mask for the BM25 side. Reciprocal rank fusion
won over score blending on the shipped interview and the coded corpus (see the index helper's
report); ``mode`` picks one side alone for comparison.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

from assistant.errors import AssistantError
from assistant.index.nodes import normalise_speaker
from assistant.index.reader import IndexReader
from assistant.index.scope import Scope
from assistant.ingest.speakers import check_roles, resolve_speakers
from assistant.model import Evidence, Filters

if TYPE_CHECKING:
    from assistant.codebook import Codebook

Mode = Literal["hybrid", "rrf", "dense", "bm25"]
#: ``hybrid`` fuses scores (the default), ``rrf`` fuses ranks; the others use one side.
MODES: tuple[str, ...] = ("hybrid", "rrf", "dense", "bm25")
#: The usual constant of reciprocal rank fusion (Cormack et al. 2009); flat enough that a turn
#: ranked well by both retrievers beats one ranked first by only one.
RRF_K = 60
#: Weight of each retriever's 1/(k + rank). BM25 is the weaker side on conversational text
#: (on the shipped interview nDCG@10 0.17 vs 0.38 dense); at equal weight it dragged fusion
#: to 0.26, at 0.3 fusion kept 0.33 and still rescues exact-term queries (names, jargon).
WEIGHTS = {"dense": 1.0, "bm25": 0.3}
#: Share of the dense side in score fusion. Measured with `assistant eval` on the 14 coded
#: moderated print-outs (80 queries, codes hidden): nDCG@10 dense 0.080, BM25 0.063, weighted
#: RRF 0.074, score fusion at 0.7 / 0.75 / 0.8: 0.085 / 0.087 / 0.084 (recall and MRR agree).
DENSE_SHARE = 0.75
#: Candidates taken from each retriever before fusing.
MIN_DEPTH = 50

# Words that carry no topic in conversational English (and French: one interview is French).
_FILLERS = """
uh um uhm hmm mm mhm er ah oh okay ok yeah yes yep no nope right like just really actually
basically know mean think guess sort kind thing things stuff lot lots gonna wanna gotta well
also maybe something anything everything say said says saying would could should might get got
one two go going went come bit much many way want ça oui non bon euh alors donc voilà vraiment
""".split()


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS, STOPWORDS_FRENCH

    words = [*STOPWORDS_EN_PLUS, *STOPWORDS_FRENCH, *_FILLERS]
    return frozenset(_fold(w) for w in words)


STOPWORDS = _stopwords()
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _stem(word: str) -> str:
    """Fold plurals only (models/model, dependencies/dependency, données/donnee): safe in both
    languages, unlike an English stemmer applied to French."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word[-1] in "sx" and word[-2] not in "sui":
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """BM25 terms: accent-folded, lower-case words, no stopwords or fillers, plurals folded."""
    out = []
    for word in _WORD.findall(_fold(text).replace("’", "'")):
        word = word.split("'")[0] if "'" in word else word
        if len(word) > 1 and word not in STOPWORDS:
            out.append(_stem(word))
    return out


class _Bm25Side:
    """The BM25 index of one reader's turns, with per-field arrays for fast scope masks."""

    def __init__(self, turns: list[Evidence]) -> None:
        import bm25s

        self.size = len(turns)
        self.model = bm25s.BM25()
        corpus = [tokenize(e.turn.text) for e in turns]
        self.model.index(corpus, show_progress=False)
        self.interview = np.array([e.turn.interview_id for e in turns], dtype=object)
        self.role = np.array([e.turn.role for e in turns], dtype=object)
        self.speaker = np.array([normalise_speaker(e.turn.speaker) for e in turns], dtype=object)
        self.by_code: dict[str, list[int]] = {}
        for i, e in enumerate(turns):
            for code in e.turn.codes:
                self.by_code.setdefault(code, []).append(i)

    def mask(self, scope: Scope) -> np.ndarray | None:
        if scope.is_empty():
            return None
        keep = np.ones(self.size, dtype=bool)
        for values, column in (
            (scope.interviews, self.interview),
            (scope.roles, self.role),
            (scope.speakers, self.speaker),
        ):
            if values:
                keep &= np.isin(column, list(values))
        if scope.codes:
            coded = np.zeros(self.size, dtype=bool)
            for code in scope.codes:
                coded[self.by_code.get(code, [])] = True
            keep &= coded
        return keep

    def search(self, query: str, depth: int, scope: Scope) -> list[tuple[int, float]]:
        terms = tokenize(query)
        if not terms or self.size == 0:
            return []
        mask = self.mask(scope)
        if mask is not None and not mask.any():
            return []
        docs, scores = self.model.retrieve(
            [terms],
            k=min(depth, self.size),
            show_progress=False,
            weight_mask=None if mask is None else mask.astype(np.float32),
            n_threads=1,
        )
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]


def bm25_side(reader: IndexReader) -> _Bm25Side:
    """The reader's BM25 index, built on first use and cached on the reader."""
    side = reader.cache.get("bm25")
    if side is None:
        side = reader.cache["bm25"] = _Bm25Side(reader.all_turns())
    return side


def rrf(
    rankings: dict[str, list[tuple[int, float]]],
    k: int = RRF_K,
    weights: dict[str, float] | None = None,
) -> list[tuple[int, float]]:
    """Weighted reciprocal rank fusion: each retriever adds weight/(k + rank) for each turn it
    ranked (weights default to :data:`WEIGHTS`; a retriever not listed weighs 1)."""
    weights = WEIGHTS if weights is None else weights
    fused: dict[int, float] = {}
    for name, ranked in rankings.items():
        w = weights.get(name, 1.0)
        for rank, (pos, _score) in enumerate(ranked, start=1):
            fused[pos] = fused.get(pos, 0.0) + w / (k + rank)
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


def score_fusion(
    rankings: dict[str, list[tuple[int, float]]], dense_share: float = DENSE_SHARE
) -> list[tuple[int, float]]:
    """Relative score fusion: each side's scores are min-max scaled over its candidates, then
    mixed ``dense_share : 1 - dense_share``. Unlike RRF it keeps how far ahead a turn is, which
    matters when BM25's top hits are only marginally better than its tail."""
    shares = {"dense": dense_share, "bm25": 1.0 - dense_share}
    fused: dict[int, float] = {}
    for name, ranked in rankings.items():
        if not ranked:
            continue
        scores = [score for _pos, score in ranked]
        low, high = min(scores), max(scores)
        spread = high - low
        for pos, score in ranked:
            scaled = (score - low) / spread if spread > 0 else 1.0
            fused[pos] = fused.get(pos, 0.0) + shares.get(name, 1.0) * scaled
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


class Retriever:
    """Search one index reader; ``codebook`` resolves ``--code`` names and abbreviations."""

    def __init__(
        self, reader: IndexReader, embedder: BaseEmbedding, codebook: Codebook | None = None
    ) -> None:
        self.reader = reader
        self.embedder = embedder
        self.codebook = codebook

    def resolve(self, filters: Filters) -> Scope:
        """Turn user filters into exact values; unknown values are errors naming the options."""
        codes: frozenset[str] = frozenset()
        if filters.codes:
            if self.codebook is None:
                raise AssistantError("code filters need the codebook of the indexed corpus")
            codes = self.codebook.resolve(filters.codes)
        known_ids = {e["id"] for e in self.reader.interviews()}
        unknown = [i for i in filters.interviews if i not in known_ids]
        if unknown:
            raise AssistantError(
                f"no interview {', '.join(unknown)} in the index "
                f"(indexed: {', '.join(e['id'] for e in self.reader.interviews())})"
            )
        check_roles(filters.roles)
        return Scope(
            codes=codes,
            interviews=frozenset(filters.interviews),
            speakers=self._speakers(filters.speakers),
            roles=frozenset(filters.roles),
        )

    def _speakers(self, names: Iterable[str]) -> frozenset[str]:
        """Keys of the speakers meant (see :func:`resolve_speakers`, shared with quotes)."""
        names = [n for n in names if n.strip()]
        if not names:
            return frozenset()
        speakers = {e.turn.speaker for e in self.reader.all_turns()}
        return resolve_speakers(names, speakers, "the index")

    def rankings(self, query: str, depth: int, scope: Scope, mode: str) -> dict[str, Any]:
        """Each retriever's ranked (position, score) list for ``query`` within ``scope``."""
        out: dict[str, list[tuple[int, float]]] = {}
        if mode in ("hybrid", "rrf", "dense"):
            vector = self.embedder.get_query_embedding(query)
            out["dense"] = self.reader.dense(vector, depth, scope)
        if mode in ("hybrid", "rrf", "bm25"):
            out["bm25"] = bm25_side(self.reader).search(query, depth, scope)
        return out

    def search(
        self, query: str, k: int = 8, filters: Filters | None = None, mode: str = "hybrid"
    ) -> list[Evidence]:
        """The ``k`` best turns for ``query`` within ``filters``; Evidence.why names the
        retrievers that found each turn and at which rank."""
        if mode not in MODES:
            raise AssistantError(f"unknown search mode {mode!r} (use {', '.join(MODES)})")
        if not query.strip():
            raise AssistantError("the search query is empty")
        scope = self.resolve(filters or Filters())
        rankings = self.rankings(query, max(MIN_DEPTH, 3 * k), scope, mode)
        ranks = {
            name: {pos: rank for rank, (pos, _s) in enumerate(ranked, start=1)}
            for name, ranked in rankings.items()
        }
        if mode == "hybrid":
            fused = score_fusion(rankings)
        elif mode == "rrf":
            fused = rrf(rankings)
        else:
            fused = rankings[mode]
        turns = self.reader.all_turns()
        results = []
        for pos, score in fused[:k]:
            why = ", ".join(f"{name} #{r[pos]}" for name, r in ranks.items() if pos in r)
            results.append(replace(turns[pos], score=score, why=why))
        return results
