"""Time to first paint and to ready of the chat, against a bare Textual app, in one run.

    python tests/bench/bench_tui.py [--runs 5] [--corpus DIR]

Each launch is a fresh Python process (headless Textual driver), so every import counts.
"First paint" is Textual's ``Ready`` event: the first frame has been rendered. "Ready" is when
the chat has opened the index, filled the status line and filters, loaded the embedding model
and run one search (BM25 built, Chroma's vectors in memory), so the first question is answered
without waiting for any of that; the search right after ready is timed to show it.
The bare app is a Textual ``App`` with a ``Header``, an ``Input`` and a ``Footer``.

The index of the corpus (default: the shipped ``corpus/``) is built first in a temporary folder.
"Cold" is the first launch of each app after that, with the operating system's file cache
dropped when the benchmark runs as root (it says whether it could); "warm" is the median of the
next ``--runs`` launches. Targets: first paint ≤ 2 × the bare app; ready ≤ 2.0 s cold (issue
10; issue 5 asked for 2.5 s).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: Seconds of the first search after "ready", per assistant launch.
FIRST_SEARCH: list[float] = []

# Runs in the child process: argv[1] is the app kind, argv[2] the parent's launch time.
CHILD = r"""
import sys, time
kind, launched = sys.argv[1], float(sys.argv[2])
from textual.app import App

if kind == "bare":
    from textual.widgets import Footer, Header, Input

    class Base(App):
        def compose(self):
            yield Header()
            yield Input()
            yield Footer()
else:
    # The path `assistant` takes: the CLI entry point with every command registered.
    from assistant.cli import build_parser
    from assistant.cli.common import assistant_from
    from assistant.tui.app import AssistantApp

    cli_args = build_parser().parse_args(["chat"])

    class Base(AssistantApp):
        def __init__(self):
            super().__init__(lambda: assistant_from(cli_args))

class Timed(Base):
    painted = None

    def on_ready(self) -> None:
        self.painted = time.time() - launched
        if kind == "bare":
            self.exit((self.painted, None))
        else:
            self.set_interval(0.005, self._check)

    def _check(self) -> None:
        if self.ready:
            ready = time.time() - launched
            started = time.perf_counter()
            self.service.search("why did projects run late?")
            print("FIRST_SEARCH", time.perf_counter() - started)
            self.exit((self.painted, ready))

result = Timed().run(headless=True)
print("RESULT", result[0], result[1] if result[1] is not None else "")
"""


def drop_caches() -> bool:
    try:
        subprocess.run(["sync"], check=True)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def launch(kind: str, env: dict[str, str]) -> tuple[float, float | None]:
    started = time.time()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind, repr(started)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT")), None)
    if line is None:
        raise SystemExit(f"{kind} app did not report:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    parts = line.split()
    for x in out.stdout.splitlines():
        if x.startswith("FIRST_SEARCH"):
            FIRST_SEARCH.append(float(x.split()[1]))
    return float(parts[1]), float(parts[2]) if len(parts) > 2 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="warm launches per app (default 5)")
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus", help="transcripts folder")
    args = parser.parse_args()

    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env.update(
            ASSISTANT_CORPUS_DIR=str(args.corpus.resolve()),
            ASSISTANT_INDEX_DIR=str(Path(tmp) / "index"),
            ASSISTANT_DATA_DIR=str(Path(tmp) / "data"),
            ASSISTANT_NOTES_FILE=str(Path(tmp) / "notes.md"),
            ANONYMIZED_TELEMETRY="False",
        )
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "assistant", "index"],
            env=env,
            check=True,
            cwd=REPO,
            capture_output=True,
        )
        print(f"index built for {args.corpus} in {time.perf_counter() - started:.1f} s")

        results: dict[str, dict[str, object]] = {}
        for kind in ("bare", "assistant"):
            dropped = drop_caches()
            cold = launch(kind, env)
            warm = [launch(kind, env) for _ in range(args.runs)]
            results[kind] = {
                "cold_paint": cold[0],
                "cold_ready": cold[1],
                "warm_paint": statistics.median(w[0] for w in warm),
                "warm_ready": (
                    statistics.median(w[1] for w in warm if w[1] is not None)
                    if kind == "assistant"
                    else None
                ),
                "file_cache_dropped": dropped,
            }

    bare, ours = results["bare"], results["assistant"]

    def ms(value: object) -> str:
        return f"{float(value) * 1000:7.0f} ms" if isinstance(value, float) else "      —   "

    print(f"\n{'':22}{'cold paint':>12}{'warm paint':>12}{'cold ready':>12}{'warm ready':>12}")
    for name, r in (("bare Textual app", bare), ("assistant chat", ours)):
        cells = (r["cold_paint"], r["warm_paint"], r["cold_ready"], r["warm_ready"])
        print(f"{name:22}" + "".join(f"{ms(v):>12}" for v in cells))
    cold_ratio = float(ours["cold_paint"]) / float(bare["cold_paint"])  # type: ignore[arg-type]
    warm_ratio = float(ours["warm_paint"]) / float(bare["warm_paint"])  # type: ignore[arg-type]
    print(
        f"\nfirst paint vs bare app: cold {cold_ratio:.2f}x, warm {warm_ratio:.2f}x (target ≤ 2x)"
    )
    print(f"ready, cold: {float(ours['cold_ready']):.2f} s (target ≤ 2.0 s)")  # type: ignore[arg-type]
    print(
        f"first search after ready: median {statistics.median(FIRST_SEARCH) * 1000:.0f} ms, "
        f"max {max(FIRST_SEARCH) * 1000:.0f} ms over {len(FIRST_SEARCH)} launches"
    )
    print(f"file cache dropped before cold runs: {bare['file_cache_dropped']}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
