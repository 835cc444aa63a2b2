"""Words and sentences of transcript text, for choosing and naming evidence offline.

Spoken language is full of fillers ("uh", "yeah", "you know") that would otherwise dominate
any word count, so they are treated as stop words. Stemming is a few suffix rules: enough to
match "projects" with "project" and "operationalized" with "operationalize", deterministic,
and free of any model or download.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are aren as at be because been
    before being below between both but by can cannot could couldn did didn do does doesn doing
    don down during each else even ever every few for from further get gets getting got had
    hadn has hasn have haven having he her here hers herself him himself his how however i if
    in into is isn it its itself just let me more most much must my myself no nor not now of
    off on once one only or other ought our ours ourselves out over own same shall she should
    shouldn so some such than that the their theirs them themselves then there these they
    this those through to too under until up upon us very was wasn we were weren what when
    where which while who whom whose why will with within without won would wouldn you your
    yours yourself yourselves s t d ll m re ve
    uh um uhm hmm hm mm mhm oh ah eh er erm oof wow huh aha okay ok yeah yep yes yup nope right
    well sure like know mean think guess really actually basically kind sort thing things stuff
    lot lots maybe
    gonna wanna gotta say said says go going goes went see saw tell told way something anything
    everything someone anyone bit pretty quite still yet already again always often sometimes
    many need needs want wants make makes made take takes took use used using also etc cuz
    """.split()
)

_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9'\u2019-]*|\d+(?:\.\d+)?")
# A sentence ends at . ! or ? (possibly doubled, possibly followed by a closing quote or
# bracket) before white space; what follows starts the next sentence.
_SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s)")


def stem(word: str) -> str:
    w = word.lower().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.strip("'-")
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not w.endswith("ss"):
            w = w[: -len(suffix)] + keep
            break
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


def words(text: str) -> list[str]:
    return _WORD_RE.findall(text)


def terms(text: str) -> list[str]:
    """Content-word stems of ``text``, in order, with repeats."""
    out = []
    for word in words(text):
        lowered = word.lower().replace("\u2019", "'").strip("'-")
        base = lowered[:-2] if lowered.endswith("'s") else lowered
        head = lowered.split("'", 1)[0]
        if head in STOP_WORDS or lowered.endswith("n't") or len(base) < 2 or base.isdigit():
            continue  # also drops contractions of stop words: don't, it's, they're
        out.append(stem(word))
    return out


def surface_forms(texts: Iterable[str]) -> dict[str, str]:
    """For each stem, the word most often written for it (ties: shortest, then alphabetical)."""
    seen: dict[str, Counter[str]] = {}
    for text in texts:
        for word in words(text):
            lowered = word.lower().strip("'-")
            if lowered in STOP_WORDS:
                continue
            seen.setdefault(stem(word), Counter())[lowered] += 1
    return {
        s: min(forms.items(), key=lambda item: (-item[1], len(item[0]), item[0]))[0]
        for s, forms in seen.items()
    }


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``paragraph``: exact slices, white space trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(paragraph)))
    out = []
    for s, e in spans:
        while s < e and paragraph[s].isspace():
            s += 1
        while e > s and paragraph[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out


@dataclass(frozen=True)
class BM25:
    """Okapi BM25 over a small set of passages (the sentences of the retrieved turns)."""

    df: dict[str, int]
    count: int
    avg_len: float
    k1: float = 1.2
    b: float = 0.75

    @classmethod
    def over(cls, passages: list[list[str]]) -> BM25:
        df: Counter[str] = Counter()
        for p in passages:
            df.update(set(p))
        avg = sum(len(p) for p in passages) / len(passages) if passages else 1.0
        return cls(dict(df), len(passages), avg or 1.0)

    def idf(self, term: str) -> float:
        n = self.df.get(term, 0)
        return math.log(1 + (self.count - n + 0.5) / (n + 0.5))

    def score(self, query: list[str], passage: list[str]) -> float:
        tf = Counter(passage)
        norm = self.k1 * (1 - self.b + self.b * len(passage) / self.avg_len)
        return sum(
            self.idf(t) * tf[t] * (self.k1 + 1) / (tf[t] + norm)
            for t in dict.fromkeys(query)
            if tf[t]
        )
