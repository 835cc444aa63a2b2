"""Peak memory and time of `assistant corpus` on hostile files, each in a fresh process.

    python tests/bench/bench_hostile_input.py

Files are generated in a temp folder (tests/pdf_samples.py): a 1 MB PDF of 200,000 one-glyph
text operations, a 20,000-page PDF, a PDF at the character limit (2,000,000 glyphs over ~1,000
pages), 398,000 alternating one-word speaker lines, and a 50 MB transcript. Peak memory is the
child's maximum resident set size from wait4 (interpreter and libraries included).
"""

from __future__ import annotations

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


def measure(path: Path) -> tuple[float, float, str]:
    """Seconds, peak MiB and the last line of `assistant corpus PATH`."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "assistant", "corpus", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _, _, usage = os.wait4(child.pid, 0)
    child.returncode = 0  # reaped by wait4
    seconds = time.perf_counter() - started
    lines = [line for line in output.splitlines() if line.strip()]
    verdict = next((line for line in lines if line.startswith("problem:")), lines[-1])
    return seconds, usage.ru_maxrss / 1024, verdict


def main() -> None:
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = {
            "1 MB PDF, 200,000 text operations": ("hostile.pdf", hostile_pdf()),
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
