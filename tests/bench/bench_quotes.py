"""How long `assistant quotes` takes: loading the corpus (the slow part) and selecting passages.

Run: python tests/bench/bench_quotes.py [CORPUS_DIR] [CODE ...]
(defaults: the shipped corpus/, codes Data-low-quantity and MLP). Prints one line per step.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from assistant.service import make_assistant

REPO = Path(__file__).resolve().parents[2]


def main(argv: list[str]) -> None:
    folder = Path(argv[0]) if argv else REPO / "corpus"
    codes = argv[1:] or ["Data-low-quantity", "MLP"]
    service = make_assistant(corpus_dir=folder)
    print(f"command: python tests/bench/bench_quotes.py {folder} {' '.join(codes)}")
    started = time.perf_counter()
    corpus = service.load_corpus()
    loaded = time.perf_counter() - started
    turns = sum(len(i.turns) for i in corpus.interviews)
    print(f"load corpus: {len(corpus.interviews)} interviews, {turns} turns in {loaded:.2f} s")
    for code in codes:
        started = time.perf_counter()
        report = service.quotes(code, corpus=corpus)
        csv_text = report.render("csv")
        took = time.perf_counter() - started
        print(
            f"quotes --code {code}: {len(report.items)} passages, {len(report.labels)} labels, "
            f"{len(csv_text)} CSV chars in {took * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
