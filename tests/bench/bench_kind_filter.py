"""What a metadata filter on the node kind costs a Chroma query, beside per-kind collections.

    python tests/bench/bench_kind_filter.py [-n 60000] [--queries 30]

Why the index keeps one collection per node kind (:class:`assistant.index.store.NodeCollections`):
``n`` random 384-dimensional vectors, a third each of turns, utterances and exchanges, are
written both to one collection (with ``kind`` in their metadata) and to three per-kind
collections, in one temporary Chroma database. Then, in one run, the same queries (40
results, as a search asks for):

- one collection, no filter (the floor);
- one collection, ``kind in [utterance, exchange]`` (what format 4 did for every search);
- the utterance and exchange collections, one query each (what format 5 does);
- the utterance collection with a filter on three interviews (a search the user scoped).

Random vectors are the hard case for HNSW; the ratios, not the absolute times, are the point.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np

KINDS = ("turn", "utterance", "exchange")
PER_INTERVIEW = 300
BATCH = 5000
RESULTS = 40


def timed(queries: np.ndarray, run: Callable[[list[float]], Any]) -> tuple[float, float]:
    run(queries[0].tolist())  # loads the collections' vector index
    times = []
    for vector in queries[1:]:
        started = time.perf_counter()
        run(vector.tolist())
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=60_000, help="nodes (a multiple of 5,000)")
    parser.add_argument("--queries", type=int, default=30)
    args = parser.parse_args()

    import chromadb
    from chromadb.config import Settings

    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="bench-kind-") as folder:
        client = chromadb.PersistentClient(
            path=folder, settings=Settings(anonymized_telemetry=False)
        )
        config: Any = {"hnsw": {"space": "cosine"}}
        single: Any = client.create_collection("all", embedding_function=None, configuration=config)
        per_kind: dict[str, Any] = {
            kind: client.create_collection(kind, embedding_function=None, configuration=config)
            for kind in KINDS
        }
        started = time.perf_counter()
        for start in range(0, args.n, BATCH):
            vectors = rng.standard_normal((BATCH, 384)).astype(np.float32)
            numbers = range(start, start + BATCH)
            metas = [{"kind": KINDS[i % 3], "interview": str(i // PER_INTERVIEW)} for i in numbers]
            ids = [str(i) for i in numbers]
            single.add(ids=ids, embeddings=vectors, metadatas=metas)
            for kind, collection in per_kind.items():
                picked = [j for j, meta in enumerate(metas) if meta["kind"] == kind]
                collection.add(
                    ids=[ids[j] for j in picked],
                    embeddings=vectors[picked],
                    metadatas=[metas[j] for j in picked],
                )
        print(f"command: python tests/bench/bench_kind_filter.py -n {args.n}")
        print(f"{args.n} nodes written twice in {time.perf_counter() - started:.0f} s")
        queries = rng.standard_normal((args.queries + 1, 384)).astype(np.float32)

        def one(where: Any) -> Callable[[list[float]], Any]:
            return lambda v: single.query(
                query_embeddings=[v], n_results=RESULTS, where=where, include=["distances"]
            )

        def kinds(where: Any, names: tuple[str, ...]) -> Callable[[list[float]], Any]:
            return lambda v: [
                per_kind[k].query(
                    query_embeddings=[v], n_results=RESULTS, where=where, include=["distances"]
                )
                for k in names
            ]

        three = {"interview": {"$in": ["1", "2", "3"]}}
        rows = [
            ("one collection, no filter", one(None)),
            (
                "one collection, kind in [utterance, exchange]",
                one({"kind": {"$in": list(KINDS[1:])}}),
            ),
            ("utterance + exchange collections", kinds(None, KINDS[1:])),
            ("utterance collection, 3 interviews", kinds(three, ("utterance",))),
        ]
        for label, run in rows:
            p50, p95 = timed(queries, run)
            print(f"{label:48s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
