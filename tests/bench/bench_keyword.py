"""The keyword side alone: BM25 over the side store against bm25s in memory, at scale.

    python tests/bench/bench_keyword.py [-n 288] [--queries 100]

Makes a synthetic corpus of N interviews (``make_synthetic_corpus.py``, seeded), writes its
units into a side store (no embedding, no Chroma), indexes the same units with bm25s, and runs
the same queries (the first ten words of evenly spaced passages) through both. Prints the side
store's size and fill time, keyword search p50/p95, and how many queries get the same score at
every rank and the same units above the last score (tied units, which a synthetic corpus has
many of, may come in another order).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import bm25s  # noqa: E402
import numpy as np  # noqa: E402

from assistant.index import keyword  # noqa: E402
from assistant.index.scope import Scope  # noqa: E402
from assistant.index.side import SideStore, sort_key  # noqa: E402
from assistant.ingest import load_corpus  # noqa: E402
from assistant.model import Evidence  # noqa: E402
from assistant.terms import tokenize  # noqa: E402
from assistant.units import build_units, unit_text  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=288)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    print(f"command: python tests/bench/bench_keyword.py -n {args.n} --queries {args.queries}")
    with tempfile.TemporaryDirectory(prefix="bench-keyword-") as tmp:
        corpus_dir = Path(tmp) / "corpus"
        subprocess.run(
            [
                sys.executable,
                str(HERE / "make_synthetic_corpus.py"),
                str(corpus_dir),
                "-n",
                str(args.n),
            ],
            check=True,
            capture_output=True,
        )
        corpus = load_corpus([corpus_dir])
        side = SideStore(Path(tmp) / "index")
        docs = []
        started = time.perf_counter()
        for i in sorted(corpus.interviews, key=lambda i: sort_key(i.id)):
            units = sorted(build_units(i.turns), key=lambda u: (u.ordinals[0], u.kind))
            by = {t.ordinal: t for t in i.turns}
            docs += [tokenize(unit_text([by[o] for o in u.ordinals])) for u in units]
            side.replace(
                i.id,
                1,
                [(t.key, Evidence(t, i.title, i.source, 0.0)) for t in i.turns],
                [(u.id, u) for u in units],
            )
        fill = time.perf_counter() - started
        units_n, _length = side.stats()
        size = (Path(tmp) / "index" / "side.sqlite3").stat().st_size / 1e6
        print(f"{args.n} interviews, {units_n} units: side store {size:.0f} MB in {fill:.1f} s")
        positions = [p for (p,) in side.rows("SELECT pos FROM units ORDER BY pos")]
        model = bm25s.BM25()
        model.index(docs, show_progress=False)
        blocks = []
        for path in sorted(corpus_dir.glob("*.txt"))[:20]:
            for block in path.read_text(encoding="utf-8").split("\n\n"):
                words = block.partition(":")[2].split()
                if len(words) >= 6:
                    blocks.append(" ".join(words[:10]))
        queries = blocks[:: max(1, len(blocks) // args.queries)][: args.queries]
        times, same = [], 0
        for q in queries:
            t = time.perf_counter()
            got = keyword.search(side, tokenize(q), 50, Scope())
            times.append((time.perf_counter() - t) * 1000)
            d, s = model.retrieve([tokenize(q)], k=50, show_progress=False, n_threads=1)
            ref = [(positions[int(x)], float(y)) for x, y in zip(d[0], s[0], strict=True) if y > 0]
            scores_match = len(got) == len(ref) and np.allclose(
                [x for _, x in got], [y for _, y in ref], rtol=1e-5
            )
            above = {p for p, x in got if got and x > got[-1][1] + 1e-4}
            same += bool(scores_match and above <= {p for p, _ in ref})
        times.sort()
        print(
            f"keyword search: {len(queries)} queries, p50 {times[len(times) // 2]:.1f} ms, "
            f"p95 {times[int(0.95 * (len(times) - 1))]:.1f} ms"
        )
        print(f"same scores as bm25s at every rank: {same} of {len(queries)} queries")
        side.close()


if __name__ == "__main__":
    main()
