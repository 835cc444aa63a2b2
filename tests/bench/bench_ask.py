"""Latency of `assistant ask` with the extractive (offline) answer.

    python tests/bench/bench_ask.py [CORPUS_DIR] [--rounds N]

CORPUS_DIR defaults to the shipped corpus (corpus/). The corpus is indexed into a temporary
folder; then:

* warm: one Assistant answers a set of questions ``--rounds`` times (default 5) after one
  warm-up question; p50/p95 of the whole ask (retrieval + answer) and of the answer step
  alone;
* cold: ``assistant ask QUESTION`` as a fresh process (interpreter start, imports, model
  load, index open, answer), three times.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from assistant.service import make_assistant  # noqa: E402
from tests.answer_samples import SHIPPED_QUESTIONS  # noqa: E402

QUESTIONS = SHIPPED_QUESTIONS[:10]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", type=Path, default=REPO / "corpus")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"command: python tests/bench/bench_ask.py {args.corpus} --rounds {args.rounds}")

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "ASSISTANT_CORPUS_DIR": str(args.corpus),
            "ASSISTANT_INDEX_DIR": str(Path(tmp) / "index"),
            "ASSISTANT_DATA_DIR": str(Path(tmp) / "data"),
            "ANONYMIZED_TELEMETRY": "False",
        }
        os.environ.update(env)
        for name in ("ASSISTANT_LLM_MODEL", "ASSISTANT_LLM_BASE_URL", "OPENAI_API_KEY"):
            os.environ.pop(name, None)
        assistant = make_assistant()
        started = time.perf_counter()
        report = assistant.build_index()
        print(
            f"indexed {args.corpus}: {report.turns_embedded} turns embedded in "
            f"{time.perf_counter() - started:.1f} s"
        )

        assistant.ask("warm up: what went wrong?")
        totals: list[float] = []
        answers: list[float] = []
        for _ in range(args.rounds):
            for question in QUESTIONS:
                answer = assistant.ask(question)
                assert answer.mode == "extractive"
                totals.append(answer.timings["total"] * 1000)
                answers.append(answer.timings["answer"] * 1000)
        print(
            f"warm ask, {len(totals)} asks: p50 {percentile(totals, 0.5):.1f} ms, "
            f"p95 {percentile(totals, 0.95):.1f} ms "
            f"(answer step alone: p50 {percentile(answers, 0.5):.1f} ms, "
            f"p95 {percentile(answers, 0.95):.1f} ms)"
        )

        cold: list[float] = []
        command = [sys.executable, "-m", "assistant", "ask", QUESTIONS[0]]
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, env={**os.environ, **env})
            cold.append(time.perf_counter() - started)
        print(
            f'cold CLI (`assistant ask "{QUESTIONS[0]}"` in a new process), 3 runs: '
            + ", ".join(f"{s:.2f} s" for s in cold)
            + f"; median {statistics.median(cold):.2f} s"
        )


if __name__ == "__main__":
    main()
