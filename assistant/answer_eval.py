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
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answer.verify import locate_in_paragraph, quote_fragments
from assistant.errors import AssistantError
from assistant.model import Corpus, Progress

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from assistant.settings import Settings

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


def _paragraphs_holding(corpus: Corpus, interview_id: str, quote: str) -> list[tuple[str, ...]]:
    """The codes of each paragraph of interview ``interview_id`` that holds a fragment of
    ``quote``, wherever it is: for answers from another rendering of the same interview (a
    plain transcript judged against the coders' print-out, whose turns are numbered apart)."""
    interview = next((i for i in corpus.interviews if i.id == interview_id), None)
    if interview is None:
        return []
    fragments = [f for f in quote_fragments(quote) or [quote] if f.strip()]
    return [
        p.codes
        for t in interview.turns
        for p in t.paragraphs
        if any(locate_in_paragraph(f, p.text) is not None for f in fragments)
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
    corpus: Corpus,
    gold: GoldQuestion,
    citations: Sequence[dict[str, Any]],
    by_text: bool = False,
) -> dict[str, float]:
    """Precision and coverage of one answer's citations (``{"key", "quote"}`` dicts).

    ``by_text``: the answer cites another rendering of ``corpus``'s interviews (same ids,
    other turn numbers), so each quote is looked for in its whole interview."""
    wanted = set(gold.codes)
    hits = 0
    cited: set[str] = set()
    for c in citations:
        paragraphs = (
            _paragraphs_holding(corpus, c["key"].rpartition(":")[0], c["quote"])
            if by_text
            else _paragraphs_cited(corpus, c["key"], c["quote"])
        )
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


def relevant_turns(corpus: Corpus, gold: GoldQuestion) -> set[str]:
    """The judged turns, or else every turn holding a paragraph coded with a gold code."""
    if gold.relevant:
        return set(gold.relevant)
    wanted = set(gold.codes)
    return {
        t.key
        for i in corpus.interviews
        for t in i.turns
        if any(wanted & set(p.codes) for p in t.paragraphs)
    }


def is_gold_set(path: Path) -> bool:
    """Whether ``path`` holds natural questions (a JSON list) rather than question tags."""
    try:
        return path.suffix == ".json" and isinstance(
            json.loads(path.read_text(encoding="utf-8")), list
        )
    except (OSError, ValueError):
        return False


def choose(questions: Sequence[GoldQuestion], half: str) -> list[GoldQuestion]:
    """``all``, or the ``tune`` or ``test`` half of the fixed split."""
    tune, test = split(questions)
    return {"tune": tune, "test": test}.get(half, list(questions))


def evaluate_answers(
    corpus: Corpus,
    settings: Settings,
    embedder: BaseEmbedding,
    questions: Sequence[GoldQuestion],
    *,
    k: int = 8,
    hide_codes: bool = False,
    progress: Callable[[Progress], None] | None = None,
) -> dict[str, Any]:
    """Index ``corpus`` in a temporary folder and score each search mode on ``questions``:
    unit recall@k of the relevant turns, and (for questions with gold codes) the answers'
    citation precision and interview coverage, each with its bootstrap interval."""
    from assistant.evaluate import MODES
    from assistant.evaluate import hide_codes as strip_codes
    from assistant.service import Assistant

    if not questions:
        raise AssistantError("no questions to evaluate")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="assistant-eval-") as tmp:
        local = settings.model_copy(
            update={"index_dir": Path(tmp) / "index", "chroma_url": None, "llm_model": None}
        )
        Assistant(local, embedder=embedder).build_index(
            strip_codes(corpus) if hide_codes else corpus, progress=progress
        )
        indexed = time.perf_counter()
        rows: list[dict[str, Any]] = [
            {"id": q.id, "question": q.question, "codes": list(q.codes)} for q in questions
        ]
        for mode in MODES:
            service = Assistant(local.model_copy(update={"fusion": mode}), embedder=embedder)
            for done, (q, row) in enumerate(zip(questions, rows, strict=True), start=1):
                found = [e.key for e in service.retrieve(q.question, k=k).evidence]
                scores: dict[str, float] = {"recall": recall(relevant_turns(corpus, q), found)}
                if q.codes:
                    answer = service.ask(q.question, k=k)
                    cited = [{"key": c.evidence.key, "quote": c.quote} for c in answer.citations]
                    scores.update(answer_scores(corpus, q, cited))
                row[mode] = {m: round(v, 4) for m, v in scores.items()}
                if progress is not None:
                    progress(Progress(f"asking ({mode})", done, len(questions), q.id))
    summary: dict[str, Any] = {}
    for mode in MODES:
        summary[mode] = {}
        for metric in ("recall", "precision", "coverage"):
            values = [row[mode][metric] for row in rows if metric in row[mode]]
            if values:
                low, high = bootstrap(values)
                summary[mode][metric] = round(sum(values) / len(values), 4)
                summary[mode][f"{metric}_ci"] = [round(low, 4), round(high, 4)]
    return {
        "k": k,
        "questions": len(questions),
        "codes_hidden": hide_codes,
        "interviews": len(corpus.interviews),
        "modes": summary,
        "per_question": rows,
        "seconds": {
            "index": round(indexed - started, 3),
            "questions": round(time.perf_counter() - indexed, 3),
        },
    }
