"""The terms of keyword search: accent-folded, lower-case words without stop words or fillers,
plurals folded. Shared by the query side (:mod:`assistant.retrieve`) and the postings the index
stores (:mod:`assistant.index.side`), which must agree word for word: a change here needs
``index.side.SCHEMA`` bumped so stored postings are rebuilt.
"""

from __future__ import annotations

import re
import unicodedata

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
