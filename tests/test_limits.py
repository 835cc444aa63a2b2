"""Limits on what one file may make the readers do: size, pages, characters, turns.

Each refusal is one line naming the file and the limit (with the setting that raises it); the
other files still load. The hostile PDF of the issue (1 MB, 200,000 text operations) is read
in a child process whose peak memory is measured.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from pdf_samples import hostile_pdf

from assistant import cli


def corpus_json(capsys: pytest.CaptureFixture[str], folder: Path) -> dict[str, list[dict]]:
    assert cli.main(["corpus", str(folder), "--json"]) == 0
    report: dict[str, list[dict]] = json.loads(capsys.readouterr().out)
    return report


@pytest.fixture
def folder(tmp_path: Path, shipped_file: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / shipped_file.name).write_bytes(shipped_file.read_bytes())
    (corpus / "Interview 3.txt").write_text(
        "Alice: Why did it stall?\nBob: The vendor.\nAlice: And then?\nBob: We waited.\n"
    )
    return corpus


@pytest.mark.parametrize(
    ("setting", "value", "file", "message"),
    [
        (
            "ASSISTANT_MAX_FILE_MB",
            "0.01",
            "Interview 12 - Amin.txt",
            "is 0.0265 MB, over the limit of 0.01 MB per file (raise ASSISTANT_MAX_FILE_MB to "
            "read it)",
        ),
        (
            "ASSISTANT_MAX_CHARS",
            "1000",
            "Interview 12 - Amin.txt",
            "holds more than 1000 characters, the limit per file (raise ASSISTANT_MAX_CHARS to "
            "read it)",
        ),
        (
            "ASSISTANT_MAX_TURNS",
            "100",
            "Interview 12 - Amin.txt",
            "has 140 turns, over the limit of 100 per interview (raise ASSISTANT_MAX_TURNS to "
            "read it)",
        ),
    ],
)
def test_a_file_over_a_limit_is_refused_by_name_and_the_others_load(
    folder: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    setting: str,
    value: str,
    file: str,
    message: str,
) -> None:
    monkeypatch.setenv(setting, value)
    report = corpus_json(capsys, folder)
    assert [i["id"] for i in report["interviews"]] == ["3"]
    assert [e["message"] for e in report["errors"]] == [f"{folder / file}: {message}"]


def test_pdf_pages_and_drawn_characters_are_limited(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / "pages.pdf").write_bytes(hostile_pdf(10, pages=6))
    (folder / "glyphs.pdf").write_bytes(hostile_pdf(3_000, pages=2))
    monkeypatch.setenv("ASSISTANT_MAX_PAGES", "5")
    monkeypatch.setenv("ASSISTANT_MAX_CHARS", "5000")
    report = corpus_json(capsys, folder)
    assert sorted(i["id"] for i in report["interviews"]) == ["3"]
    assert sorted(e["message"] for e in report["errors"]) == [
        f"{folder / 'Interview 12 - Amin.txt'}: holds more than 5000 characters, the limit per "
        "file (raise ASSISTANT_MAX_CHARS to read it)",
        # Counted as the page is drawn: refused on the page that passes the limit.
        f"{folder / 'glyphs.pdf'}, page 2: holds more than 5000 characters, the limit per file "
        "(raise ASSISTANT_MAX_CHARS to read it)",
        f"{folder / 'pages.pdf'}: has 6 pages, over the limit of 5 per file (raise "
        "ASSISTANT_MAX_PAGES to read it)",
    ]


def _peak_of_corpus(path: Path, tmp_path: Path) -> tuple[dict[str, list[dict]], int]:
    """`assistant corpus PATH --json` in a child process: its report and its peak RSS (KiB)."""
    # A wrapper whose only child is the command, so its children's peak RSS is the command's.
    wrapper = (
        "import resource, subprocess, sys\n"
        "with open(sys.argv[2], 'w') as out:\n"
        "    code = subprocess.run([sys.executable, '-m', 'assistant', 'corpus', sys.argv[1],\n"
        "                           '--json'], stdout=out).returncode\n"
        "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", wrapper, str(path), str(tmp_path / "out.json")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    code, peak_kib = (int(v) for v in result.stdout.split())
    assert code == 1, result.stderr  # nothing loaded
    report: dict[str, list[dict]] = json.loads((tmp_path / "out.json").read_text())
    return report, peak_kib


@pytest.mark.parametrize(
    ("pdf", "problem"),
    [
        # The PDF: 1 MB, 200,000 one-glyph text operations on one page.
        (
            lambda: hostile_pdf(),
            "page 1: the page draws more than 100000 characters, far more than any printed "
            "page: a damaged or hostile PDF",
        ),
        # A zip bomb: 20 million operations, 100 MB of drawing, in 150 KB.
        (
            lambda: hostile_pdf(20_000_000, compressed=True),
            "page 1: the page's content is over 16 MB uncompressed, far more than any printed "
            "page: a damaged or hostile PDF",
        ),
    ],
)
def test_a_hostile_pdf_is_refused_in_well_under_a_gigabyte(
    tmp_path: Path, pdf: Callable[[], bytes], problem: str
) -> None:
    path = tmp_path / "hostile.pdf"
    path.write_bytes(pdf())
    assert path.stat().st_size < 1_100_000
    report, peak_kib = _peak_of_corpus(path, tmp_path)
    assert report["interviews"] == []
    assert [e["message"] for e in report["errors"]] == [f"{path}, {problem}"]
    assert peak_kib < 1024 * 1024, f"peak {peak_kib / 1024:.0f} MiB"
