"""Embedding throughput, build time and search latency of the turn index.

    python tests/bench/bench_index.py [TRANSCRIPTS_DIR]

TRANSCRIPTS_DIR defaults to ../shared/corpus/transcripts (the 36 plain transcripts). Turns are
read with assistant.ingest when it is available; otherwise each blank-line separated
"Speaker: text" block is one turn, which is how those files are laid out. Prints:
raw embedding throughput (turns/s) on the shipped interview and on the transcripts, a full build
of the transcripts and its ratio to the raw throughput, a no-op and a one-file-changed re-index,
and search p50/p95 over 200 queries per mode.
"""

from __future__ import annotations

import hashlib
import re
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from assistant.embeddings import LocalMiniLMEmbedding  # noqa: E402
from assistant.index import Indexer, open_index  # noqa: E402
from assistant.model import Corpus, Filters, Interview, Paragraph, Turn  # noqa: E402
from assistant.retrieve import Retriever  # noqa: E402
from assistant.settings import load_settings  # noqa: E402


def read_plain(path: Path) -> Interview:
    raw = path.read_text(encoding="utf-8", errors="replace")
    iid = (re.search(r"Interview\s*(\d+)", path.name) or re.search(r"(.+)", path.stem)).group(1)
    turns = []
    if raw.startswith("# "):  # a Delve export: the text between speaker headings
        blocks = [b for b in re.split(r"\n#+ [^\n]*\n", raw) if b.strip()][1:]
        raw_blocks = [f"Speaker: {b.strip()}" for b in blocks]
    else:
        raw_blocks = re.split(r"\n\s*\n", raw)
    for block in raw_blocks:
        speaker, sep, text = block.strip().partition(":")
        if not sep or not text.strip() or len(speaker) > 40:
            continue
        role = "interviewer" if "interviewer" in speaker.lower() else "participant"
        n = len(turns) + 1
        turns.append(Turn(iid, n, speaker.strip(), role, (Paragraph(text.strip(), (), (n, n)),)))
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return Interview(iid, path.stem, str(path), "transcript", digest, tuple(turns))


def load(paths: list[Path]) -> Corpus:
    try:
        from assistant.ingest import load_corpus

        return load_corpus(paths)
    except ImportError:
        files = [f for p in paths for f in (sorted(p.glob("*.txt")) if p.is_dir() else [p])]
        return Corpus(tuple(read_plain(f) for f in files))


def throughput(embedder: LocalMiniLMEmbedding, corpus: Corpus) -> tuple[int, float]:
    texts = [t.text for i in corpus.interviews for t in i.turns]
    started = time.perf_counter()
    embedder.embed(texts)
    return len(texts), len(texts) / (time.perf_counter() - started)


def main() -> None:
    transcripts = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared/corpus/transcripts"
    )
    embedder = LocalMiniLMEmbedding()
    embedder.embed(["warm up"])
    print(f"command: python tests/bench/bench_index.py {transcripts}")
    shipped = load([REPO / "corpus"])
    n, rate = throughput(embedder, shipped)
    print(f"raw embedding, shipped interview: {n} turns, {rate:.1f} turns/s")
    corpus = load([transcripts])
    n, raw_rate = throughput(embedder, corpus)
    print(f"raw embedding, {len(corpus.interviews)} transcripts: {n} turns, {raw_rate:.1f} turns/s")
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(index_dir=Path(tmp) / "index")
        report = Indexer(settings, embedder).build(corpus)
        rate = report.turns_embedded / report.seconds
        print(
            f"full build: {report.turns_embedded} turns embedded in {report.seconds:.1f} s "
            f"({rate:.1f} turns/s, ratio to raw {rate / raw_rate:.2f})"
        )
        noop = Indexer(settings, embedder).build(corpus)
        print(f"no-op re-index: {noop.turns_embedded} embedded in {noop.seconds:.2f} s")
        first = corpus.interviews[0]
        edited = replace(first, sha256="edited", turns=first.turns[:-1])
        one = Corpus((edited, *corpus.interviews[1:]))
        changed = Indexer(settings, embedder).build(one)
        print(
            f"re-index, one file changed: {changed.turns_embedded} embedded in "
            f"{changed.seconds:.2f} s (full build {report.seconds:.1f} s)"
        )
        started = time.perf_counter()
        reader = open_index(settings, embedder)
        retriever = Retriever(reader, embedder, None)
        retriever.search("warm up", k=8)
        print(f"open index + BM25 build: {time.perf_counter() - started:.2f} s")
        turns = reader.all_turns()
        queries = [" ".join(t.turn.text.split()[:12]) for t in turns[:: max(1, len(turns) // 200)]]
        queries = [q for q in queries if q.strip()][:200]
        for mode in ("dense", "bm25", "hybrid"):
            times = []
            for q in queries:
                t0 = time.perf_counter()
                retriever.search(q, k=8, filters=Filters(), mode=mode)
                times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            p95 = times[int(0.95 * (len(times) - 1))]
            print(
                f"search {mode:5s}: {len(times)} queries, p50 {statistics.median(times):.1f} ms, "
                f"p95 {p95:.1f} ms"
            )


if __name__ == "__main__":
    main()
