"""Make a synthetic corpus of N plain transcripts by recombining real turns.

    python tests/bench/make_synthetic_corpus.py OUT_DIR -n 1000 [--seed 0] [SOURCE ...]

SOURCE defaults to the shipped interview (corpus/) plus, when present, the study's 36 plain
transcripts (``ASSISTANT_SHARED_CORPUS``, default ``../shared/corpus`` beside the checkout).

Each synthetic interview is a run of windows of consecutive real turns (4 to 20 turns, so
question-answer exchanges stay together), taken from random source interviews until it is as
long as a randomly chosen real interview: the size distribution of the output follows the real
one. Every paragraph is written verbatim as one ``Speaker: text`` block, blocks separated by
a blank line, so every turn of the output is a real passage of a real file. The same sources,
N and seed give byte-identical files.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "corpus"
SHARED = Path(os.environ.get("ASSISTANT_SHARED_CORPUS", REPO.parent / "shared" / "corpus"))

MIN_WINDOW, MAX_WINDOW = 4, 20


@dataclass(frozen=True)
class Block:
    speaker: str
    text: str


def default_sources() -> list[Path]:
    sources = [SHIPPED]
    if (SHARED / "transcripts").is_dir():
        sources.append(SHARED / "transcripts")
    return sources


def read_sources(sources: list[Path]) -> list[list[list[Block]]]:
    """Per source interview, its turns, each a list of verbatim paragraph blocks."""
    from assistant.ingest import load_corpus

    corpus = load_corpus(sources)
    if corpus.errors:
        raise SystemExit("cannot read sources: " + "; ".join(str(e) for e in corpus.errors))
    interviews = []
    for interview in sorted(corpus.interviews, key=lambda i: i.source):
        turns = [
            [Block(t.speaker, p.text) for p in t.paragraphs if p.text.strip()]
            for t in interview.turns
        ]
        turns = [t for t in turns if t]
        if turns:
            interviews.append(turns)
    if not interviews:
        raise SystemExit("no turns in the sources")
    return interviews


def synthetic_interview(rng: random.Random, interviews: list[list[list[Block]]]) -> list[Block]:
    target = len(rng.choice(interviews))
    turns: list[list[Block]] = []
    while len(turns) < target:
        source = rng.choice(interviews)
        size = min(rng.randint(MIN_WINDOW, MAX_WINDOW), len(source), target - len(turns))
        start = rng.randrange(len(source) - size + 1)
        turns.extend(source[start : start + size])
    return [block for turn in turns for block in turn]


def render(blocks: list[Block]) -> str:
    return "\n\n".join(f"{b.speaker}: {b.text}" for b in blocks) + "\n"


def make_corpus(
    out_dir: Path, n: int, *, seed: int = 0, sources: list[Path] | None = None
) -> list[Path]:
    """Write ``Synthetic NNNN.txt`` files 1..n into ``out_dir``; returns their paths."""
    interviews = read_sources(sources or default_sources())
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    width = max(4, len(str(n)))
    paths = []
    for i in range(1, n + 1):
        path = out_dir / f"Synthetic {i:0{width}d}.txt"
        path.write_text(render(synthetic_interview(rng, interviews)), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("-n", type=int, required=True, help="number of interviews")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("sources", nargs="*", type=Path, help="files or folders of real turns")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = make_corpus(args.out_dir, args.n, seed=args.seed, sources=args.sources or None)
    size = sum(p.stat().st_size for p in paths)
    print(
        f"{len(paths)} synthetic interviews ({size / 1e6:.1f} MB) in {args.out_dir} "
        f"in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
