"""Embedding throughput of the offline model for several ONNX batch sizes.

    python tests/bench/bench_embeddings.py [CORPUS_DIR]

CORPUS_DIR defaults to the shipped corpus/. Every distinct turn text of the corpus is embedded
once per batch size (after one warm-up run); the fastest batch size is the one to use for
``assistant.embeddings.ONNX_BATCH``.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from assistant.embeddings import ONNX_BATCH, LocalMiniLMEmbedding  # noqa: E402
from assistant.ingest import load_corpus  # noqa: E402

BATCHES = (8, 16, 32, 64, 128)


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "corpus"
    corpus = load_corpus([folder])
    texts = sorted({turn.text for interview in corpus.interviews for turn in interview.turns})
    print(f"command: python tests/bench/bench_embeddings.py {' '.join(sys.argv[1:])}")
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"{len(texts)} distinct turn texts; ONNX_BATCH is {ONNX_BATCH}")
    LocalMiniLMEmbedding().embed(texts[:64])  # load the model and warm up onnxruntime
    for batch in BATCHES:
        embedder = LocalMiniLMEmbedding(onnx_batch=batch)
        embedder.load()
        started = time.perf_counter()
        embedder.embed(texts)
        seconds = time.perf_counter() - started
        print(f"batch {batch:4d}: {seconds:6.2f} s  {len(texts) / seconds:7.1f} texts/s")


if __name__ == "__main__":
    main()
