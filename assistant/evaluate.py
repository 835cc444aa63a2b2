"""How well does search find what the coders marked? ``assistant eval``, and our benchmark.

The corpus is indexed with every code stripped (codes appear neither in the embedded or BM25
text nor in the metadata), into a temporary folder so the user's index is untouched. Then, for
each code carried by at least ``min_count`` turns, one query is asked:

* a question tag (``Q4.3``) asks that question's text from the interview guide;
* any other code asks its name in words, with its parent's name in words
  (``MLP-unstable-external-dependency`` -> ``unstable external dependency, ML pipeline issues``).

The relevant turns are the turns carrying that exact code. A question tag is searched only
within the interviews whose coders used question tags at all (2 of the 14 coded interviews of
the study): the same question asked in an interview nobody tagged is not a wrong answer.

Each query is run with BM25 only, dense only and the hybrid fusion, and scored with recall@k,
MRR and nDCG@k (binary gains); the overall figures are macro averages over queries, so a rare
code weighs as much as a frequent one.
"""

from __future__ import annotations

import json
import tempfile
import time
import tomllib
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from math import log2
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from assistant.codebook import Codebook, is_question_tag
from assistant.errors import AssistantError
from assistant.model import Corpus, Filters, Interview, Progress, Turn

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from assistant.settings import Settings

#: Report name -> the Retriever's mode.
MODES: dict[str, str] = {"bm25": "bm25", "dense": "dense", "hybrid": "hybrid"}
METRICS = ("recall", "mrr", "ndcg")

# -- metrics -------------------------------------------------------------------------------


def recall_at_k(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Share of the relevant turns found in the top ``k`` (at most k/|relevant| when there
    are more relevant turns than k)."""
    if not relevant:
        raise ValueError("recall is undefined without relevant items")
    return len(set(ranked[:k]) & set(relevant)) / len(set(relevant))


def reciprocal_rank(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """1/rank of the first relevant turn in the top ``k``; 0 when none is there."""
    wanted = set(relevant)
    for rank, key in enumerate(ranked[:k], start=1):
        if key in wanted:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Binary-gain nDCG: sum of 1/log2(rank+1) over relevant hits in the top ``k``, divided by
    the same sum for an ideal ranking (all relevant turns first, at most ``k`` of them)."""
    wanted = set(relevant)
    if not wanted:
        raise ValueError("nDCG is undefined without relevant items")
    seen: set[str] = set()
    dcg = 0.0
    for rank, key in enumerate(ranked[:k], start=1):
        if key in wanted and key not in seen:  # a duplicate hit earns nothing twice
            dcg += 1.0 / log2(rank + 1)
        seen.add(key)
    ideal = sum(1.0 / log2(rank + 1) for rank in range(1, min(len(wanted), k) + 1))
    return dcg / ideal


def score(ranked: Sequence[str], relevant: Collection[str], k: int) -> dict[str, float]:
    return {
        "recall": recall_at_k(ranked, relevant, k),
        "mrr": reciprocal_rank(ranked, relevant, k),
        "ndcg": ndcg_at_k(ranked, relevant, k),
    }


def mean(values: Iterable[float]) -> float:
    items = list(values)
    return sum(items) / len(items) if items else 0.0


# -- queries -------------------------------------------------------------------------------


def load_questions(path: Path) -> dict[str, str]:
    """Question texts keyed by tag, from JSON or TOML: either ``{"Q1": "...", ...}`` or the
    same mapping under a ``questions`` key/table."""
    try:
        raw = path.read_text(encoding="utf-8")
        data: Any = tomllib.loads(raw) if path.suffix == ".toml" else json.loads(raw)
    except OSError as exc:
        raise AssistantError(f"{path}: cannot read the questions file ({exc.strerror})") from None
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise AssistantError(f"{path}: not a valid questions file ({exc})") from None
    if isinstance(data, dict) and isinstance(data.get("questions"), dict):
        data = data["questions"]
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in data.items()
    ):
        raise AssistantError(f"{path}: expected a mapping of question tags to question texts")
    return {k.strip(): " ".join(v.split()) for k, v in data.items()}


@dataclass(frozen=True)
class EvalQuery:
    code: str
    kind: Literal["code", "question"]
    query: str
    relevant: frozenset[str]
    #: Interview ids the search is limited to; empty for the whole corpus.
    interviews: tuple[str, ...] = ()


@dataclass(frozen=True)
class Skipped:
    code: str
    turns: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "turns": self.turns, "reason": self.reason}


def turns_by_code(corpus: Corpus) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {}
    for interview in corpus.interviews:
        for turn in interview.turns:
            for code in turn.codes:
                keys.setdefault(code, set()).add(turn.key)
    return keys


def build_queries(
    corpus: Corpus, questions: dict[str, str], min_count: int
) -> tuple[list[EvalQuery], list[Skipped]]:
    """One query per code carried by at least ``min_count`` turns, in code order."""
    by_code = turns_by_code(corpus)
    book = Codebook.from_turns((t for i in corpus.interviews for t in i.turns), corpus.codes)
    tagged = tuple(
        i.id for i in corpus.interviews if any(is_question_tag(c) for t in i.turns for c in t.codes)
    )
    queries: list[EvalQuery] = []
    skipped: list[Skipped] = []
    for code in sorted(by_code, key=str.casefold):
        relevant = frozenset(by_code[code])
        if len(relevant) < min_count:
            skipped.append(Skipped(code, len(relevant), f"fewer than {min_count} turns"))
        elif is_question_tag(code):
            if code in questions:
                queries.append(EvalQuery(code, "question", questions[code], relevant, tagged))
            else:
                skipped.append(Skipped(code, len(relevant), "no question text for this tag"))
        else:
            queries.append(EvalQuery(code, "code", book.in_words(code), relevant))
    return queries, skipped


def hide_codes(corpus: Corpus) -> Corpus:
    """The same interviews, turns, texts and spans, with no code anywhere."""

    def strip(turn: Turn) -> Turn:
        return replace(turn, paragraphs=tuple(replace(p, codes=()) for p in turn.paragraphs))

    def strip_interview(interview: Interview) -> Interview:
        return replace(interview, turns=tuple(strip(t) for t in interview.turns))

    return replace(corpus, interviews=tuple(strip_interview(i) for i in corpus.interviews))


# -- the run -------------------------------------------------------------------------------


@dataclass
class QueryResult:
    query: EvalQuery
    metrics: dict[str, dict[str, float]]  # mode -> metric -> value
    top: dict[str, list[str]]  # mode -> ranked keys

    def to_dict(self) -> dict[str, Any]:
        q = self.query
        return {
            "code": q.code,
            "kind": q.kind,
            "query": q.query,
            "relevant": len(q.relevant),
            "interviews": list(q.interviews) or "all",
            "metrics": _rounded(self.metrics),
            "top": self.top,
        }


@dataclass
class EvalReport:
    k: int
    min_count: int
    interviews: int
    turns: int
    coded_turns: int
    results: list[QueryResult]
    skipped: list[Skipped]
    seconds: dict[str, float] = field(default_factory=dict)
    embed_model: str = ""

    def average(self, kind: str | None = None) -> dict[str, dict[str, float]]:
        chosen = [r for r in self.results if kind is None or r.query.kind == kind]
        return {
            mode: {m: mean(r.metrics[mode][m] for r in chosen) for m in METRICS} for mode in MODES
        }

    def to_dict(self) -> dict[str, Any]:
        kinds = {"code": "codes", "question": "questions"}
        return {
            "k": self.k,
            "min_count": self.min_count,
            "embed_model": self.embed_model,
            "corpus": {
                "interviews": self.interviews,
                "turns": self.turns,
                "coded_turns": self.coded_turns,
            },
            "modes": {name: mode for name, mode in MODES.items()},
            "metrics": {
                "recall": f"recall@{self.k}",
                "mrr": f"MRR@{self.k}",
                "ndcg": f"nDCG@{self.k}",
            },
            "queries": len(self.results),
            "overall": _rounded(self.average()),
            "by_kind": {
                plural: {"queries": n, **_rounded(self.average(kind))}
                for kind, plural in kinds.items()
                if (n := sum(r.query.kind == kind for r in self.results))
            },
            "per_code": [r.to_dict() for r in self.results],
            "skipped": [s.to_dict() for s in self.skipped],
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


def _rounded(table: dict[str, dict[str, float]]) -> dict[str, Any]:
    return {mode: {m: round(v, 4) for m, v in row.items()} for mode, row in table.items()}


def evaluate(
    corpus: Corpus,
    settings: Settings,
    embedder: BaseEmbedding,
    *,
    questions: dict[str, str] | None = None,
    min_count: int = 3,
    k: int = 10,
    progress: Callable[[Progress], None] | None = None,
    work_dir: Path | None = None,
) -> EvalReport:
    """Index ``corpus`` with its codes hidden in a temporary folder and score the three modes.

    ``work_dir`` keeps the temporary index somewhere chosen (tests inspect it); by default it
    lives in the system temp folder and is deleted afterwards.
    """
    if k < 1 or min_count < 1:
        raise AssistantError("k and --min-count must be at least 1")
    queries, skipped = build_queries(corpus, questions or {}, min_count)
    if not queries:
        coded = "no turn carries a code" if not turns_by_code(corpus) else "no code qualifies"
        raise AssistantError(
            f"nothing to evaluate: {coded} (eval needs a coded corpus, e.g. Delve exports, "
            f"and codes on at least {min_count} turns)"
        )
    if work_dir is not None:
        return _run(corpus, settings, embedder, queries, skipped, min_count, k, progress, work_dir)
    with tempfile.TemporaryDirectory(prefix="assistant-eval-") as tmp:
        return _run(corpus, settings, embedder, queries, skipped, min_count, k, progress, Path(tmp))


def _run(
    corpus: Corpus,
    settings: Settings,
    embedder: BaseEmbedding,
    queries: list[EvalQuery],
    skipped: list[Skipped],
    min_count: int,
    k: int,
    progress: Callable[[Progress], None] | None,
    work_dir: Path,
) -> EvalReport:
    from assistant.index import Indexer, open_index
    from assistant.retrieve import Retriever

    # A Chroma server would be shared with the user's index: evaluation stays local.
    local = settings.model_copy(update={"index_dir": work_dir / "index", "chroma_url": None})
    hidden = hide_codes(corpus)
    started = time.perf_counter()
    Indexer(local, embedder).build(hidden, progress=progress)
    indexed = time.perf_counter()
    reader = open_index(local, embedder)
    # No filters are used, so no codebook is needed (and the index holds no codes anyway).
    retriever = Retriever(reader, embedder)
    results: list[QueryResult] = []
    for done, q in enumerate(queries, start=1):
        metrics: dict[str, dict[str, float]] = {}
        top: dict[str, list[str]] = {}
        for name, mode in MODES.items():
            scope = Filters(interviews=q.interviews)
            found = retriever.search(q.query, k=k, filters=scope, mode=mode)
            # Turns in the order search gives them (units first to last), the first k.
            top[name] = [e.key for e in found][:k]
            metrics[name] = score(top[name], q.relevant, k)
        results.append(QueryResult(q, metrics, top))
        if progress is not None:
            progress(Progress("evaluating", done, len(queries), q.code))
    searched = time.perf_counter()
    turns = [t for i in corpus.interviews for t in i.turns]
    return EvalReport(
        k=k,
        min_count=min_count,
        interviews=len(corpus.interviews),
        turns=len(turns),
        coded_turns=sum(1 for t in turns if t.codes),
        results=results,
        skipped=skipped,
        seconds={"index": indexed - started, "search": searched - indexed},
        embed_model=str(getattr(embedder, "model_name", "")),
    )
