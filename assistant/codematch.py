"""Match a question against the researchers' own codes: the best index a coded corpus has.

Each code is described in words (``MM-drift`` → "drift, ML model maintenance issues";
``Data-noisy-label-fix`` → "fix for noisy label, data"; a description from the source's code
book when there is one), and embedded once per index with the same model as the passages. A
question matches a code when the two are close by cosine similarity, helped by the content
words they share; a question about fixing, dealing with or mitigating something leans to the
``-fix`` codes, and any other question away from them. Question tags (``Q4.3``) and catch-alls
(``Misc``) name where something was said, not what, and are never matched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from assistant.answer.text import terms
from assistant.codebook import Codebook, is_weak
from assistant.model import CodeMatch

#: Weight of the share of a code's content words that the question uses, beside the cosine.
WORD_WEIGHT = 0.15
#: A code is matched from this combined score on (see tests/bench/bench_answers.py).
MIN_SCORE = 0.45
#: ... and only if it is this close to the best-matching code.
WITHIN_BEST = 0.08
#: Weight of the votes of the closest passages' codes (see CodeMatcher.scores).
VOTE_WEIGHT = 1.0
#: Passages that vote.
VOTERS = 20
#: Codes matched at most, per question.
MAX_CODES = 3
#: Shift towards (or away from) mitigation codes when the question asks how something was
#: handled (or not).
MITIGATION_SHIFT = 0.04

_MITIGATION_WORDS = re.compile(
    r"\b(fix|fixe[sd]|fixing|deal|dealt|dealing|handle[sd]?|handling|mitigat\w*|solve[sd]?|"
    r"solving|solution\w*|address\w*|overc[oa]me|prevent\w*|avoid\w*|cope|coped|coping|"
    r"workaround\w*|remed\w*|tackl\w*|counter\w*|manag\w*|improv\w*|reduc\w*)\b",
    re.IGNORECASE,
)


def describe(codebook: Codebook, label: str) -> str:
    """The words a code is matched on: its name in words, and its description if any."""
    text = codebook.in_words(label)
    description = getattr(codebook.codes[label], "description", None)
    return f"{text}. {description}" if description else text


def asks_for_mitigation(question: str) -> bool:
    return bool(_MITIGATION_WORDS.search(question))


class CodeMatcher:
    """The codes of one codebook, embedded, ready to match questions."""

    def __init__(self, codebook: Codebook, vectors: np.ndarray, labels: Sequence[str]) -> None:
        self.codebook = codebook
        self.labels = list(labels)
        self.vectors = vectors
        self.words = [set(terms(describe(codebook, label))) for label in self.labels]

    @classmethod
    def build(cls, codebook: Codebook, embed: object) -> CodeMatcher:
        """Embed every matchable code with ``embed`` (texts → array of unit vectors)."""
        labels = [c.label for c in codebook.codes.values() if not is_weak(c.label)]
        if not labels:
            return cls(codebook, np.zeros((0, 1), dtype=np.float32), [])
        vectors = np.asarray(embed([describe(codebook, label) for label in labels]))  # type: ignore[operator]
        return cls(codebook, vectors.astype(np.float32), labels)

    def scores(
        self,
        question: str,
        question_vector: Sequence[float],
        votes: Mapping[str, float] | None = None,
    ) -> list[tuple[str, float]]:
        """Every code with its combined score for ``question``, best first.

        ``votes`` are the codes of the passages closest to the question, each with its share
        of those passages (weighted by closeness): the coders' own judgement of what such
        passages are about, which catches questions worded unlike the code's name."""
        if not self.labels:
            return []
        q = np.asarray(question_vector, dtype=np.float32)
        cosines = self.vectors @ q
        asked = set(terms(question))
        mitigation = asks_for_mitigation(question)
        out = []
        for label, cosine, words in zip(self.labels, cosines, self.words, strict=True):
            shared = len(asked & words) / len(words) if words else 0.0
            score = float(cosine) + WORD_WEIGHT * shared
            is_fix = self.codebook.codes[label].mitigates is not None
            score += MITIGATION_SHIFT if is_fix == mitigation else -MITIGATION_SHIFT
            if votes:
                score += VOTE_WEIGHT * votes.get(label, 0.0)
            out.append((label, score))
        out.sort(key=lambda item: (-item[1], item[0]))
        return out

    def match(
        self,
        question: str,
        question_vector: Sequence[float],
        votes: Mapping[str, float] | None = None,
    ) -> list[CodeMatch]:
        """The codes ``question`` is about, best first; empty when none is close enough."""
        ranked = self.scores(question, question_vector, votes)
        if not ranked or ranked[0][1] < MIN_SCORE:
            return []
        best = ranked[0][1]
        chosen = [
            (label, score)
            for label, score in ranked[:MAX_CODES]
            if score >= MIN_SCORE and score >= best - WITHIN_BEST
        ]
        out = []
        for label, score in chosen:
            code = self.codebook.codes[label]
            out.append(CodeMatch(label, score, code.applications, code.interviews))
        return out
