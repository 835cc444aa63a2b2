"""Peak memory and time of `assistant corpus` on hostile files, each in a fresh process.

    python tests/bench/bench_hostile_input.py

Files are generated in a temp folder (tests/pdf_samples.py): a 1 MB PDF of 200,000 one-glyph
text operations (refused by the per-page cap, then read whole with the cap lifted), a 150 KB
zip bomb of 20 million operations, a 20,000-page PDF, a PDF at the character limit (2,000,000
glyphs over ~1,000 pages), 398,000 alternating one-word speaker lines, and a 50 MB transcript.
Peak memory is the command's maximum resident set size (getrusage of a small wrapper's
children; interpreter and libraries included).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from pdf_samples import hostile_pdf  # noqa: E402

#: Runs the command and prints its peak RSS: the wrapper is a fresh small process, so the
#: command's peak does not include this script's memory (a forked child starts with its RSS).
WRAPPER = """
import json, resource, subprocess, sys
done = subprocess.run(json.loads(sys.argv[1]), capture_output=True, text=True)
print(json.dumps([done.stdout + done.stderr,
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))
"""


def measure(path: Path) -> tuple[float, float, str]:
    """Seconds, peak MiB and the verdict of `assistant corpus PATH`."""
    if "raised" in path.name:
        # What reading the whole page costs: the per-page cap lifted (a module constant).
        code = (
            "import sys, assistant.ingest.delve_pdf as d; d.PAGE_CHARS = 10**9; "
            "from assistant.cli import main; sys.exit(main(['corpus', sys.argv[1]]))"
        )
        command = [sys.executable, "-c", code, str(path)]
    else:
        command = [sys.executable, "-m", "assistant", "corpus", str(path)]
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, json.dumps(command)],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    output, peak_kib = json.loads(done.stdout)
    lines = [line for line in output.splitlines() if line.strip()]
    verdict = next((line for line in lines if line.startswith("problem:")), lines[-1])
    return seconds, peak_kib / 1024, verdict


def main() -> None:
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = {
            "1 MB PDF, 200,000 text operations": ("hostile.pdf", hostile_pdf()),
            "150 KB zip-bomb PDF, 20 million operations (100 MB inflated)": (
                "bomb.pdf",
                hostile_pdf(20_000_000, compressed=True),
            ),
            "1 MB PDF, 200,000 operations, page cap raised (read whole)": (
                "hostile-raised.pdf",
                hostile_pdf(),
            ),
            "20,000-page PDF": ("pages.pdf", hostile_pdf(20, pages=20_000)),
            "PDF at the character limit (1,000 pages x 1,990)": (
                "limit.pdf",
                hostile_pdf(1_990, pages=1_000),
            ),
            "398,000 alternating speaker lines (2 MB)": (
                "alternating.txt",
                b"A: x\nB: y\n" * 199_000,
            ),
            "50 MB transcript": ("big.txt", ("Alice: " + "word " * 200 + "\n").encode() * 50_000),
        }
        for label, (name, data) in files.items():
            path = folder / name
            path.write_bytes(data)
            seconds, peak, verdict = measure(path)
            size = len(data) / 1_000_000
            print(f"{label} ({size:.1f} MB): {seconds:.1f} s, peak {peak:.0f} MiB")
            print(f"    {verdict}")
            path.unlink()


if __name__ == "__main__":
    main()
