"""Answer-level evaluation against the coders: natural questions with their gold codes.

A researcher's question ("how did teams deal with noisy labels?") is answered well when the
quotes it cites are what the coders filed under the matching codes, and when they come from the
participants who talked about it, not from one of them. So, for each question of a set
(``[{"question", "codes"}]``):

* **citation precision**: the share of the answer's cited quotes that lie in a paragraph the
  coders gave one of the question's gold codes;
* **interview coverage**: the distinct interviews cited that hold gold-coded paragraphs, over
  min(those interviews, 8) (an answer of eight quotes cannot cover more);
* **unit recall@k** (for a set with judged turns, ``[{"question", "relevant": [keys]}]``): the
  share of the judged turns among the turns of the first k units search returns.

A refused question scores 0 on both answer figures. Sets are split once, by a fixed seed, into a
tune half (what the system may be tuned on) and a test half (what is reported).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answer.verify import locate_in_paragraph, quote_fragments
from assistant.errors import AssistantError
from assistant.model import Corpus

#: Interview coverage counts at most this many interviews (a typical answer's quote count).
COVERAGE_CAP = 8
SPLIT_SEED = 20261202


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    question: str
    codes: tuple[str, ...] = ()
    relevant: tuple[str, ...] = ()


def load_gold(path: Path) -> list[GoldQuestion]:
    """Questions with gold codes or judged turns, from a JSON list."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AssistantError(f"{path}: cannot read the questions file ({exc.strerror})") from None
    except ValueError as exc:
        raise AssistantError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, list):
        raise AssistantError(f"{path}: expected a list of {{question, codes}} objects")
    out = []
    for n, item in enumerate(data, start=1):
        if not isinstance(item, dict) or not str(item.get("question", "")).strip():
            raise AssistantError(f"{path}: item {n} has no question")
        codes = item.get("codes", [])
        relevant = item.get("relevant", [])
        if not codes and not relevant:
            raise AssistantError(f"{path}: item {n} has neither codes nor relevant turns")
        out.append(
            GoldQuestion(
                id=str(item.get("id") or f"q{n:02d}"),
                question=str(item["question"]).strip(),
                codes=tuple(str(c) for c in codes),
                relevant=tuple(str(k) for k in relevant),
            )
        )
    return out


def split(questions: Sequence[GoldQuestion]) -> tuple[list[GoldQuestion], list[GoldQuestion]]:
    """The fixed (tune, test) halves: ids shuffled by ``SPLIT_SEED``, first half to tune."""
    order = sorted(questions, key=lambda q: q.id)
    random.Random(SPLIT_SEED).shuffle(order)
    half = (len(order) + 1) // 2
    return order[:half], order[half:]


def _paragraphs_cited(corpus: Corpus, key: str, quote: str) -> list[tuple[str, ...]]:
    """The codes of each paragraph of turn ``key`` that holds a fragment of ``quote``."""
    found = corpus.turn(key)
    if found is None:
        return []
    _interview, turn = found
    fragments = quote_fragments(quote) or [quote]
    return [
        p.codes
        for p in turn.paragraphs
        if any(locate_in_paragraph(f, p.text) is not None for f in fragments if f.strip())
    ]


def gold_interviews(corpus: Corpus, codes: Iterable[str]) -> set[str]:
    wanted = set(codes)
    return {
        i.id
        for i in corpus.interviews
        for t in i.turns
        for p in t.paragraphs
        if wanted & set(p.codes)
    }


def answer_scores(
    corpus: Corpus, gold: GoldQuestion, citations: Sequence[dict[str, Any]]
) -> dict[str, float]:
    """Precision and coverage of one answer's citations (``{"key", "quote"}`` dicts)."""
    wanted = set(gold.codes)
    hits = 0
    cited: set[str] = set()
    for c in citations:
        paragraphs = _paragraphs_cited(corpus, c["key"], c["quote"])
        if any(wanted & set(codes) for codes in paragraphs):
            hits += 1
        cited.add(c["key"].rpartition(":")[0])
    holding = gold_interviews(corpus, wanted)
    precision = hits / len(citations) if citations else 0.0
    coverage = len(cited & holding) / min(len(holding), COVERAGE_CAP) if holding else 0.0
    return {"precision": precision, "coverage": coverage}


def recall(relevant: Iterable[str], found: Iterable[str]) -> float:
    wanted = set(relevant)
    return len(wanted & set(found)) / len(wanted) if wanted else 0.0


def bootstrap(values: Sequence[float], rounds: int = 2000, seed: int = 7) -> tuple[float, float]:
    """95 % percentile interval of the mean, resampling questions."""
    if not values:
        return (0.0, 0.0)
    rng = random.Random(seed)
    n = len(values)
    means = sorted(sum(rng.choice(values) for _ in range(n)) / n for _ in range(rounds))
    return (means[int(0.025 * rounds)], means[int(0.975 * rounds) - 1])
