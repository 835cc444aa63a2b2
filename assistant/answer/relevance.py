"""Whether anything in the index is about the question at all, on an absolute scale.

Hybrid retrieval min-max scales each side's scores, so its best turn scores about 1 whatever
the question: "😀" and "kubernetes" get a confident top hit. The floor uses an absolute signal
instead: the best dense cosine similarity between the question and a turn the search could
return (within its filters).

Measured with ``python tests/bench/bench_relevance.py [CORPUS_DIR]`` (all-MiniLM-L6-v2 int8,
best cosine; BM25 top score or none):

* shipped interview (corpus/): 13 real questions (the 11 of tests/test_quotes_verbatim.py,
  "data quality", "how long did it take?") 0.42-0.76; single corpus words ("lab",
  "monitoring", "Company 2", "CRM", "consultants") 0.40-0.45; 12 off-topic queries ("😀"
  0.34, "kubernetes" 0.26, "what is the capital of France?" 0.13, "football" 0.27, "tell me a
  joke" 0.32, ...) 0.11-0.34.
* the full coded corpus (many interviews): the same real questions 0.44-0.82; off-topic
  "😀" 0.39, "how do I install python on windows" 0.38, "tell me a joke" 0.37, "the weather
  tomorrow in Paris" 0.36, "recipe for banana bread" 0.31, "who won the world cup in 2018?"
  0.23; "kubernetes" 0.62 (the interviews do discuss it).

A BM25 hit is no sign of relevance: on the larger corpus every one of those off-topic
questions but "😀" and "France" shares a word with some turn ("tell", "install", "recipe").
So the floor is the cosine alone, ``MIN_COSINE`` = 0.40: above every off-topic query measured
(0.39), at or below every real question and corpus word (0.40). A question of stop words only
("what went wrong?" 0.33 on the shipped interview) or about what the interviews never mention
("budget" 0.25 there) is refused: nothing in the corpus is close enough to quote as its answer.
"""

from __future__ import annotations

from typing import Any

from assistant.model import Filters

#: Best dense cosine from which a question counts as on-topic (see the module docstring).
MIN_COSINE = 0.40


def best_cosine(retriever: Any, question: str, filters: Filters | None) -> float:
    """The best dense cosine similarity of ``question`` to a turn within ``filters`` (0 when
    no turn is in scope). ``retriever`` is an :class:`assistant.retrieve.Retriever`, whose
    dense side reports cosine similarity."""
    scope = retriever.resolve(filters or Filters())
    dense = retriever.rankings(question, 1, scope, "dense").get("dense") or []
    return max((score for _pos, score in dense), default=0.0)


def is_on_topic(best_cosine: float) -> bool:
    """Whether retrieved turns may answer the question; see the module docstring."""
    return best_cosine >= MIN_COSINE
