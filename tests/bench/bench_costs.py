"""What the retrieval units cost, this checkout beside another (today's system), in one run.

    python tests/bench/bench_costs.py --baseline DIR [--queries 40]

For each system, one after the other in a fresh child process with the ``assistant`` package of
its checkout: the 36 moderated Delve PDFs are read once (not timed), indexed into a temporary
folder (timed), then every question of ``tests/data/eval_questions.json`` is asked warm (after
one warm-up ask) and searched (``-k 8``), recording each one's time. Printed: build seconds and
the build ratio, ask and search p50/p95 in milliseconds.

Needs the study corpus (``ASSISTANT_SHARED_CORPUS``, default ``../shared/corpus``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = Path(os.environ.get("ASSISTANT_SHARED_CORPUS", REPO.parent / "shared" / "corpus"))
MODERATION = SHARED / "delve-pdf" / "moderation"
QUESTIONS = REPO / "tests" / "data" / "eval_questions.json"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def worker(repo: Path, questions: list[str]) -> None:
    sys.path.insert(0, str(repo))
    from assistant.ingest import load_corpus
    from assistant.service import make_assistant

    corpus = load_corpus([MODERATION])
    with tempfile.TemporaryDirectory(prefix="bench-costs-") as tmp:
        assistant = make_assistant(
            index_dir=Path(tmp) / "index", chroma_url=None, embed_model="local", llm_model=None
        )
        started = time.perf_counter()
        assistant.build_index(corpus)
        built = time.perf_counter() - started
        assistant.ask("warm up: what problems did the data have?")
        asks, searches = [], []
        for q in questions:
            t0 = time.perf_counter()
            assistant.ask(q)
            asks.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            assistant.search(q, k=8)
            searches.append(time.perf_counter() - t0)
    print(json.dumps({"built": built, "asks": asks, "searches": searches}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, required=False)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    questions = [q["question"] for q in json.loads(QUESTIONS.read_text())][: args.queries]
    if args.worker:
        worker(args.worker, questions)
        return
    if not MODERATION.is_dir():
        raise SystemExit(f"the study corpus is not at {SHARED} (set ASSISTANT_SHARED_CORPUS)")
    systems = {"this checkout": REPO}
    if args.baseline:
        systems = {"baseline": args.baseline.resolve(), **systems}
    print(
        "$ python tests/bench/bench_costs.py"
        + (f" --baseline {args.baseline}" if args.baseline else "")
        + f" --queries {args.queries}"
    )
    rows = {}
    for name, repo in systems.items():
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(repo)]
        cmd += ["--queries", str(args.queries)]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stderr[-4000:])
            raise SystemExit(f"the system at {repo} failed")
        rows[name] = json.loads(done.stdout.strip().splitlines()[-1])
    base = rows.get("baseline", {}).get("built")
    print(
        f"{'system':<16}{'build s':>9}{'ratio':>7}{'ask p50/p95 ms':>18}{'search p50/p95 ms':>20}"
    )
    for name, r in rows.items():
        ratio = f"{r['built'] / base:.2f}" if base else "-"
        ask = f"{1000 * percentile(r['asks'], 0.5):.0f}/{1000 * percentile(r['asks'], 0.95):.0f}"
        search = (
            f"{1000 * percentile(r['searches'], 0.5):.0f}/"
            f"{1000 * percentile(r['searches'], 0.95):.0f}"
        )
        print(f"{name:<16}{r['built']:>9.1f}{ratio:>7}{ask:>18}{search:>20}")


if __name__ == "__main__":
    main()
