"""The absolute relevance signals behind the ask refusal floor (assistant/answer/relevance.py).

    python tests/bench/bench_relevance.py [CORPUS_DIR]

CORPUS_DIR defaults to the shipped corpus (corpus/). The corpus is indexed into a temporary
folder with the offline embedder; for real questions and off-topic queries it prints the best
dense cosine similarity, the best BM25 score (None: no turn shares a word) and whether the
question would be answered.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from assistant.answer.relevance import PROBES, best_cosine, floor, is_on_topic  # noqa: E402
from assistant.model import Filters  # noqa: E402
from assistant.retrieve import Retriever  # noqa: E402
from assistant.service import make_assistant  # noqa: E402
from tests.answer_samples import SHIPPED_QUESTIONS  # noqa: E402

REAL = [
    *SHIPPED_QUESTIONS,
    "data quality",
    "how long did it take?",
    "what went wrong?",
    "budget",
    "lab",
    "monitoring",
    "Company 2",
    "CRM",
    "consultants",
]
OFF_TOPIC = [
    "\U0001f600",
    "kubernetes",
    "kubernetes helm charts",
    "what is the capital of France?",
    "recipe for banana bread",
    "who won the world cup in 2018?",
    "quantum chromodynamics lattice",
    "asdfgh qwerty",
    "tell me a joke",
    "how do I install python on windows",
    "the weather tomorrow in Paris",
    "football",
]


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "corpus"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        assistant = make_assistant(
            corpus_dir=corpus, index_dir=root / "index", data_dir=root / "data"
        )
        assistant.build_index()
        retriever = Retriever(assistant.reader(), assistant.embedder, assistant.codebook())
        threshold = floor(retriever)
        print(f"corpus: {corpus}  floor = {threshold:.3f} (probes: {len(PROBES)})")
        print("kind\tcosine\tbm25\tanswered\tquery")
        held_out = [q for q in OFF_TOPIC if q not in PROBES]
        for kind, queries in (("real", REAL), ("off", held_out), ("probe", list(PROBES))):
            for q in queries:
                scope = retriever.resolve(Filters())
                bm25 = retriever.rankings(q, 1, scope, "bm25").get("bm25") or []
                best = best_cosine(retriever, q, None)
                top = f"{bm25[0][1]:.2f}" if bm25 else "None"
                print(f"{kind}\t{best:.3f}\t{top}\t{is_on_topic(best, threshold)}\t{q}")
    print(f"command: python tests/bench/bench_relevance.py {' '.join(sys.argv[1:])}".rstrip())


if __name__ == "__main__":
    main()
