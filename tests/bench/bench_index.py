"""Index updates at scale, this checkout beside another (today's system), in one run.

    python tests/bench/bench_index.py [--baseline DIR] [--sizes 1,288] [--queries 100]
        [--keep DIR | --reuse DIR]

For each corpus size a synthetic corpus is made (``make_synthetic_corpus.py``, seeded: real
turns recombined), then for each system (this checkout, and with ``--baseline DIR`` the
checkout at DIR, e.g. ``git -C ../main worktree add ../wt-base10 5d94f53``) each step runs in
a fresh process with that system's ``assistant`` package:

1. full build (seconds, peak memory of the process, index size on disk);
2. no-op re-index;
3. one interview changed (one turn's text edited) and re-indexed; then one interview added;
4. a fresh process: imports, open, first search (wall time from the process's start), then
   search p50/p95 over ``--queries`` queries through the service.

``--keep DIR`` keeps the corpora and indexes; ``--reuse DIR`` then times only the no-op
re-index and step 4 on them, for each system, without building anything (a 1,000-interview
build takes most of an hour here); with ``--rounds N`` it then times N more first searches of
each system and size, alternating them, and prints their medians (one first search varies by
a second between runs here).

Corpus loading is not timed (it is the same code in both). The two systems run one after the
other at each size, so a busy machine slows both alike; ``load`` is the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PY = sys.executable


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


# -- steps (each in its own process, with one system's package first on sys.path) -----------


def _assistant(index_dir: str) -> Any:
    from assistant.service import make_assistant

    return make_assistant(
        index_dir=Path(index_dir), chroma_url=None, embed_model="local", llm_model=None
    )


def step_build(corpus_dir: str, index_dir: str) -> dict[str, Any]:
    from assistant.ingest import load_corpus

    service = _assistant(index_dir)
    corpus = load_corpus([Path(corpus_dir)])
    service.embedder.get_text_embedding("warm up the model")
    started = time.perf_counter()
    report = service.build_index(corpus)
    return {
        "seconds": time.perf_counter() - started,
        "embedded": report.turns_embedded,
        "interviews": len(corpus.interviews),
        "turns": sum(len(i.turns) for i in corpus.interviews),
        "peak_mb": peak_mb(),
        "index_mb": folder_mb(Path(index_dir)),
        "load": os.getloadavg()[0],
        "package": str(Path(sys.modules["assistant"].__file__ or "").parent),
    }


def step_search(index_dir: str, queries: str) -> dict[str, Any]:
    service = _assistant(index_dir)
    asked = json.loads(queries)
    service.search(asked[0], k=8)
    first = time.perf_counter() - STARTED
    times = []
    for q in asked[1:]:
        t = time.perf_counter()
        service.search(q, k=8)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {
        "first_search_s": first,
        "p50_ms": times[len(times) // 2],
        "p95_ms": times[int(0.95 * (len(times) - 1))],
        "peak_mb": peak_mb(),
        "load": os.getloadavg()[0],
    }


def run_step(repo: Path, name: str, *args: str) -> dict[str, Any]:
    cmd = [PY, str(Path(__file__).resolve()), "--step", name, "--repo", str(repo), *args]
    done = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"step {name} of {repo} failed (exit {done.returncode})")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# -- the driver ------------------------------------------------------------------------------


def synthetic(out: Path, n: int) -> Path:
    subprocess.run(
        [PY, str(HERE / "make_synthetic_corpus.py"), str(out), "-n", str(n)],
        check=True,
        capture_output=True,
    )
    return out


def queries(corpus_dir: Path, n: int) -> list[str]:
    """The first words of every k-th block of the corpus: the same set for both systems."""
    blocks = []
    for path in sorted(corpus_dir.glob("*.txt"))[:20]:
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            text = block.partition(":")[2].split()
            if len(text) >= 6:
                blocks.append(" ".join(text[:10]))
    step = max(1, len(blocks) // (n + 1))
    return ["warm up the index", *blocks[::step][:n]]


def measure(repo: Path, corpus: Path, work: Path, asked: list[str]) -> dict[str, Any]:
    """Every figure of one system on one corpus (the corpus folder is edited and restored)."""
    index = str(work / f"index-{repo.name}")
    out: dict[str, Any] = {"build": run_step(repo, "build", str(corpus), index)}
    out["noop"] = run_step(repo, "build", str(corpus), index)
    files = sorted(corpus.glob("*.txt"))
    victim = files[len(files) // 2]
    original = victim.read_text(encoding="utf-8")
    blocks = original.split("\n\n")
    blocks[len(blocks) // 2] += " (edited by the benchmark)"
    victim.write_text("\n\n".join(blocks), encoding="utf-8")
    try:
        out["changed"] = run_step(repo, "build", str(corpus), index)
    finally:
        victim.write_text(original, encoding="utf-8")
    extra = corpus / "Interview 99999.txt"
    shutil.copy(files[0], extra)
    try:
        out["added"] = run_step(repo, "build", str(corpus), index)
    finally:
        extra.unlink()
    out["back"] = run_step(repo, "build", str(corpus), index)
    out["search"] = run_step(repo, "search", index, json.dumps(asked))
    out["index_mb"] = folder_mb(Path(index))
    return out


def kept_index(kept: Path, n: int) -> str:
    """The index that ``--keep`` left for this checkout at size ``n``."""
    return str(next((kept / f"this-{n}").glob("index-*")))


def reuse(repo: Path, kept: Path, n: int, queries_wanted: int) -> dict[str, Any]:
    """No-op re-index (twice: the first after a change of code may find the index's settled
    record written by other code) and searches, on the index that ``--keep`` left for this
    checkout at size ``n``; every system reads that same index."""
    corpus = kept / f"corpus-{n}"
    index = kept_index(kept, n)
    out: dict[str, Any] = {
        "noop": run_step(repo, "build", str(corpus), index)["seconds"],
        "again": run_step(repo, "build", str(corpus), index)["seconds"],
    }
    out.update(run_step(repo, "search", index, json.dumps(queries(corpus, queries_wanted))))
    return out


def first_searches(
    systems: list[tuple[str, Path]], kept: Path, sizes: list[int], rounds: int, out: dict[str, Any]
) -> None:
    """The first search of a fresh process, ``rounds`` times for each system and size, taken in
    turn (system, size, system, size...) so that a busy moment of the machine slows all alike;
    its medians and the ratio of the largest size's to the smallest's."""
    asked = json.dumps(["the environment was not ready at the client", "why did projects run late"])
    times: dict[tuple[str, int], list[float]] = {}
    for _ in range(rounds):
        for label, repo in systems:
            for n in sizes:
                first = run_step(repo, "search", kept_index(kept, n), asked)["first_search_s"]
                times.setdefault((label, n), []).append(first)
    for label, _ in systems:
        medians = {n: statistics.median(times[(label, n)]) for n in sizes}
        big, small = max(sizes), min(sizes)
        out[f"{label}-first-searches"] = {str(n): times[(label, n)] for n in sizes}
        print(
            f"{label:9s} first search, median of {rounds}: "
            + ", ".join(f"n={n} {medians[n]:.2f} s" for n in sizes)
            + f" | ratio {medians[big] / medians[small]:.2f}"
        )


def show(label: str, n: int, r: dict[str, Any]) -> None:
    b = r["build"]
    full = b["seconds"]
    s = r["search"]
    print(
        f"{label:9s} n={n:<5d} build {full:7.1f} s (embedded {b['embedded']}, peak "
        f"{b['peak_mb']:.0f} MB) | no-op {r['noop']['seconds']:.2f} s | changed "
        f"{r['changed']['seconds']:.2f} s ({100 * r['changed']['seconds'] / full:.1f} %, "
        f"{r['changed']['embedded']} embedded) | added {r['added']['seconds']:.2f} s "
        f"({100 * r['added']['seconds'] / full:.1f} %, {r['added']['embedded']} embedded) | "
        f"removed {r['back']['seconds']:.2f} s | first search {s['first_search_s']:.2f} s | "
        f"search p50/p95 {s['p50_ms']:.1f}/"
        f"{s['p95_ms']:.1f} ms | index {r['index_mb']:.0f} MB | load {b['load']:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    parser.add_argument("--sizes", default="1,288", help="synthetic corpus sizes")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument(
        "--keep", type=Path, help="work in this (new) folder and keep its corpora and indexes"
    )
    parser.add_argument(
        "--reuse",
        type=Path,
        help="a --keep folder: time the no-op and searches of its built indexes, no build",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="with --reuse: time this many more first searches of each system and size, "
        "alternating them, and print the medians",
    )
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--repo", type=Path, help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.step:
        sys.path.insert(0, str(args.repo))
        result = step_build(*rest) if args.step == "build" else step_search(*rest)
        print(json.dumps(result))
        return
    systems = [("this", REPO)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    command = " ".join(["python tests/bench/bench_index.py", *sys.argv[1:]])
    print(f"command: {command}")
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    results: dict[str, Any] = {}
    if args.reuse:
        sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
        for n in sizes:
            for label, repo in systems:
                r = results[f"{label}-{n}"] = reuse(repo, args.reuse, n, args.queries)
                print(
                    f"{label:9s} n={n:<5d} no-op {r['noop']:.2f} s, again {r['again']:.2f} s | "
                    f"first search {r['first_search_s']:.2f} s | search p50/p95 "
                    f"{r['p50_ms']:.1f}/{r['p95_ms']:.1f} ms | load {r['load']:.1f}"
                )
        if args.rounds > 1:
            first_searches(systems, args.reuse, sizes, args.rounds, results)
        print(json.dumps(results))
        return
    with tempfile.TemporaryDirectory(prefix="bench-index-") as scratch:
        tmp = str(args.keep) if args.keep else scratch
        if args.keep:
            args.keep.mkdir(parents=True)
        for n in [int(x) for x in args.sizes.split(",") if x.strip()]:
            corpus = synthetic(Path(tmp) / f"corpus-{n}", n)
            asked = queries(corpus, args.queries)
            for label, repo in systems:
                work = Path(tmp) / f"{label}-{n}"
                work.mkdir()
                r = results[f"{label}-{n}"] = measure(repo, corpus, work, asked)
                show(label, n, r)
                if not args.keep:
                    shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
