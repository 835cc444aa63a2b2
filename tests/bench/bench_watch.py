"""What watching the corpus costs: one look at the folder, and one dropped-in interview indexed.

    python tests/bench/bench_watch.py [SHARED_CORPUS_DIR]

SHARED_CORPUS_DIR defaults to ASSISTANT_SHARED_CORPUS or ../shared/corpus beside the checkout;
only its 36 plain transcripts are used, copied into a temporary folder (never written to).

1. A look (``assistant.watch.snapshot``: list the folder as the loader does, ``stat`` each
   file) at 36 and at 1,000 files (the transcripts copied, renumbered), median of 21 looks:
   what the chat and ``index --watch`` pay every ``ASSISTANT_WATCH_INTERVAL`` seconds.
2. The 36 transcripts indexed, then a 37th dropped in: the seconds of the look that indexes it
   (load the corpus + update the index), and of a look when nothing changed.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.service import make_assistant  # noqa: E402
from assistant.watch import Watcher, snapshot  # noqa: E402


def _copies(source: Path, folder: Path, count: int) -> None:
    texts = sorted(source.glob("Interview *.txt"))
    for n in range(1, count + 1):
        original = texts[(n - 1) % len(texts)].read_text(encoding="utf-8")
        (folder / f"Interview {n}.txt").write_text(original, encoding="utf-8")


def _look_ms(folder: Path) -> float:
    times = []
    for _ in range(21):
        started = time.perf_counter()
        snapshot([folder])
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    default = os.environ.get("ASSISTANT_SHARED_CORPUS", str(REPO.parent / "shared" / "corpus"))
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else default)
    transcripts = shared / "transcripts"
    if not transcripts.is_dir():
        sys.exit(f"no transcripts at {transcripts} (give the shared corpus folder)")
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("command: python tests/bench/bench_watch.py")
    with tempfile.TemporaryDirectory() as tmp:
        for count in (36, 1000):
            folder = Path(tmp) / f"looks-{count}"
            folder.mkdir()
            _copies(transcripts, folder, count)
            print(f"one look at {count:>5} files: {_look_ms(folder):7.2f} ms (median of 21)")

        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        _copies(transcripts, corpus, 36)
        service = make_assistant(
            corpus_dir=corpus, index_dir=Path(tmp) / "index", watch_interval=1.0
        )
        started = time.perf_counter()
        service.build_index()
        print(f"first build of 36 transcripts: {time.perf_counter() - started:.1f} s")
        watcher = Watcher(service)
        watcher.baseline()
        started = time.perf_counter()
        assert watcher.poll() is None
        print(f"a look, nothing changed: {(time.perf_counter() - started) * 1000:.2f} ms")
        text = (transcripts / "Interview 12.txt").read_text(encoding="utf-8")
        (corpus / "Interview 37.txt").write_text(text, encoding="utf-8")
        assert watcher.poll() is None  # seen; indexed at the next look once it has settled
        started = time.perf_counter()
        update = watcher.poll()
        elapsed = time.perf_counter() - started
        assert update is not None and update.report is not None
        print(
            f"the look that indexes a 37th interview: {elapsed:.1f} s "
            f"({update.report.turns_embedded} texts embedded; {update.line()})"
        )


if __name__ == "__main__":
    main()
