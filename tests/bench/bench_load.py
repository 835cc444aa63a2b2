"""Time and peak memory to load the study's corpus (36 plain transcripts, 108 Delve PDFs).

    python tests/bench/bench_load.py [SHARED_CORPUS_DIR]

SHARED_CORPUS_DIR defaults to ASSISTANT_SHARED_CORPUS or ../shared/corpus beside the checkout.
Three loads are timed: the transcripts, the 36 moderated print-outs, and transcripts plus
all 108 print-outs (of the three print-outs of each interview, the first in path order loads
and the other two are reported as duplicates). Peak memory is reported twice:
tracemalloc's peak of Python allocations during the load, and the process's maximum resident
set size (ru_maxrss, which also counts the interpreter and imported libraries).
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from assistant.ingest import load_corpus  # noqa: E402


def _measure(label: str, paths: list[Path], traced: bool = False) -> None:
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    corpus = load_corpus(paths)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    turns = sum(len(i.turns) for i in corpus.interviews)
    codes = sum(i.code_applications for i in corpus.interviews)
    print(
        f"{label:<34} {elapsed:7.2f} s  tracemalloc peak "
        f"{f'{peak / 2**20:7.1f} MiB' if traced else '      -    '}  "
        f"max RSS {rss:7.1f} MiB  | {len(corpus.interviews)} interviews, {turns} turns, "
        f"{codes} code applications, {len(corpus.errors)} errors, {len(corpus.notices)} notices"
    )


def main() -> int:
    default = Path(os.environ.get("ASSISTANT_SHARED_CORPUS", REPO.parent / "shared" / "corpus"))
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    if not (root / "transcripts").is_dir():
        print(f"skipped: the shared study corpus is not at {root} (pass its folder)")
        return 0
    pdfs = sorted((root / "delve-pdf").rglob("*.pdf"))
    print(f"command: python tests/bench/bench_load.py {root}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; {len(list((root / 'transcripts').glob('*.txt')))} "
        f"transcripts, {len(pdfs)} Delve PDFs"
    )
    # Timed without tracemalloc (it slows pdfminer's pure-Python parsing several times over),
    # then the moderated print-outs once more with it, for the peak of Python allocations.
    _measure("36 plain transcripts", [root / "transcripts"])
    _measure("36 moderated PDFs", [root / "delve-pdf" / "moderation"])
    _measure("transcripts + 108 PDFs", [root / "transcripts", root / "delve-pdf"])
    _measure("transcripts (traced)", [root / "transcripts"], traced=True)
    _measure("36 moderated PDFs (traced, slower)", [root / "delve-pdf" / "moderation"], traced=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
