"""Time to read the study as Word, captions and a REFI-QDA project, and to export it.

    python tests/bench/bench_exchange.py [SHARED_CORPUS_DIR]

SHARED_CORPUS_DIR defaults to ASSISTANT_SHARED_CORPUS or ../shared/corpus beside the checkout.
The 36 plain transcripts are written as Word (python-docx), WebVTT and SubRip files in a
temporary folder (as tests/exchange_samples.py writes them) and each set is loaded; the 14 coded
moderated PDFs are loaded, exported as one .qdpx, and the project loaded back, checking that
turns, paragraphs and codes are identical.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from exchange_samples import (  # noqa: E402
    docx_from_transcript,
    srt_from_interview,
    vtt_from_interview,
    write,
)

from assistant.codebook import Codebook  # noqa: E402
from assistant.ingest import load_corpus  # noqa: E402
from assistant.ingest.source import split_lines  # noqa: E402
from assistant.ingest.transcript import speaker_labels  # noqa: E402
from assistant.model import Corpus  # noqa: E402
from assistant.qdpx_export import export_qdpx  # noqa: E402


def _timed(label: str, paths: list[Path]) -> Corpus:
    started = time.perf_counter()
    corpus = load_corpus(paths)
    elapsed = time.perf_counter() - started
    turns = sum(len(i.turns) for i in corpus.interviews)
    codes = sum(i.code_applications for i in corpus.interviews)
    print(
        f"{label:<36} {elapsed:7.2f} s | {len(corpus.interviews)} interviews, {turns} turns, "
        f"{codes} code applications, {len(corpus.errors)} errors"
    )
    return corpus


def main() -> int:
    default = Path(os.environ.get("ASSISTANT_SHARED_CORPUS", REPO.parent / "shared" / "corpus"))
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    if not (root / "transcripts").is_dir():
        print(f"skipped: the shared study corpus is not at {root} (pass its folder)")
        return 0
    print(f"command: python tests/bench/bench_exchange.py {root}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.python_version()}")
    plain = _timed("36 plain transcripts", [root / "transcripts"])
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        for kind in ("docx", "vtt", "srt"):
            (out / kind).mkdir()
        for interview in plain.interviews:
            source = Path(interview.source)
            text = source.read_text(encoding="utf-8-sig")
            labels = speaker_labels(split_lines(text))[0]
            write(out / "docx" / f"{source.stem}.docx", docx_from_transcript(text, labels))
            write(out / "vtt" / f"{source.stem}.vtt", vtt_from_interview(interview))
            write(out / "srt" / f"{source.stem}.srt", srt_from_interview(interview))
        _timed("the same as Word files", [out / "docx"])
        _timed("the same as WebVTT captions", [out / "vtt"])
        _timed("the same as SubRip captions", [out / "srt"])
        pdfs = _timed("36 moderated PDFs", [root / "delve-pdf" / "moderation"])
        coded = Corpus(tuple(i for i in pdfs.interviews if i.code_applications))
        book = Codebook.from_turns(t for i in coded.interviews for t in i.turns)
        started = time.perf_counter()
        report = export_qdpx(coded, book, out / "study.qdpx")
        print(
            f"{'export the 14 coded as .qdpx':<36} {time.perf_counter() - started:7.2f} s | "
            f"{report.codings} codings, {(out / 'study.qdpx').stat().st_size / 2**10:.0f} KiB"
        )
        back = _timed("the .qdpx read back", [out / "study.qdpx"])

        def shape(corpus: Corpus) -> list[object]:
            return [
                [(t.speaker, [(p.text, p.codes) for p in t.paragraphs]) for t in i.turns]
                for i in corpus.interviews
            ]

        print(f"round trip identical: {shape(back) == shape(coded)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
