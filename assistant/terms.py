"""The terms of keyword search: accent-folded, lower-case words without stop words or fillers,
plurals folded. Shared by the query side (:mod:`assistant.retrieve`) and the postings the index
stores (:mod:`assistant.index.side`), which must agree word for word: a change here needs
``index.side.SCHEMA`` bumped so stored postings are rebuilt.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import unicodedata
from pathlib import Path
from types import ModuleType

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


def _bm25s_stopwords() -> ModuleType:
    """bm25s's word lists, read from their module alone: the package's ``__init__`` imports
    scipy for its in-memory index, which the assistant does not use (0.3-0.6 s before the
    chat's first answer, most of it scipy pulling in numpy's f2py)."""
    loaded = sys.modules.get("bm25s.stopwords")
    if loaded is not None:
        return loaded
    package = importlib.util.find_spec("bm25s")
    if package is None or not package.submodule_search_locations:
        raise ImportError("bm25s is not installed")
    path = Path(next(iter(package.submodule_search_locations))) / "stopwords.py"
    spec = importlib.util.spec_from_file_location("_assistant_bm25s_stopwords", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"bm25s's stop words are missing ({path})")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _stopwords() -> frozenset[str]:
    lists = _bm25s_stopwords()
    words = [*lists.STOPWORDS_EN_PLUS, *lists.STOPWORDS_FRENCH, *_FILLERS]
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
