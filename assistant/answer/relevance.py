"""Whether anything in the index is about the question at all, on an absolute scale.

Hybrid retrieval min-max scales each side's scores, so its best turn scores about 1 whatever
the question: "😀" and "kubernetes" get a confident top hit. Two absolute signals decide
instead, over the same turns the search could return (its filters):

* the best dense cosine similarity between the question and a turn, and
* whether any turn shares a word with the question (a BM25 hit).

Measured on the shipped interview (corpus/, all-MiniLM-L6-v2 int8) with
``python tests/bench/bench_relevance.py`` (best cosine, BM25 hit):

* 13 real questions (the 11 of tests/test_quotes_verbatim.py, "data quality", "how long did
  it take?"): cosine 0.42-0.76, all with a BM25 hit; the lowest, "how long did it take?"
  (0.42) and "why did projects run late?" (0.46), are well above the off-topic ones.
* 12 off-topic queries ("😀" 0.34, "kubernetes" 0.26, "kubernetes helm charts" 0.20, "what is
  the capital of France?" 0.13, "football" 0.27, "recipe for banana bread" 0.14, ...): cosine
  0.11-0.34, no BM25 hit except "tell me a joke" (0.32; "joke" occurs in the transcript).

So a question is answered when a turn shares a word with it, or when the best cosine reaches
``MIN_COSINE`` = 0.40: above every off-topic query measured (0.34), below every real question
(0.42). A question of stop words only ("what went wrong?", 0.33, no BM25 hit) or about a word
the interviews never use ("budget", 0.25) is refused: nothing in the corpus is close enough to
quote as its answer.
"""

from __future__ import annotations

from typing import Any

from assistant.model import Filters

#: Best dense cosine from which a question counts as on-topic without a shared word.
MIN_COSINE = 0.40


def signals(retriever: Any, question: str, filters: Filters | None) -> tuple[float, bool]:
    """(best dense cosine, whether BM25 found any turn) for ``question`` within ``filters``.

    ``retriever`` is an :class:`assistant.retrieve.Retriever`; its dense side reports cosine
    similarity, its BM25 side only turns with a positive score."""
    scope = retriever.resolve(filters or Filters())
    rankings = retriever.rankings(question, 1, scope, "hybrid")
    dense = rankings.get("dense") or []
    best = max((score for _pos, score in dense), default=0.0)
    return best, bool(rankings.get("bm25"))


def is_on_topic(best_cosine: float, bm25_hit: bool) -> bool:
    """Whether retrieved turns may answer the question; see the module docstring."""
    return bm25_hit or best_cosine >= MIN_COSINE
