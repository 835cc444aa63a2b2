"""Extract the tagged questions of the study's interview guide into tests/data/question_tags.json.

Run once by hand (the result is committed and was checked by eye against the PDF)::

    python tests/bench/extract_question_tags.py [GUIDE_PDF] [--out tests/data/question_tags.json]

GUIDE_PDF defaults to ``interview_guides/new.pdf`` of the shared corpus beside the checkout
(``ASSISTANT_SHARED_CORPUS`` overrides). The PDF itself is never copied into the project.

The guide is read by :mod:`assistant.guide` (as ``--guide`` reads it): a tag such as
``[Q4.3]`` opens a question or a section heading; the text kept for a tag is its question
sentence (up to the first ``?``), or the heading line when the tag opens a section.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from assistant.guide import load_guide  # noqa: E402

SHARED = Path(os.environ.get("ASSISTANT_SHARED_CORPUS", REPO.parent / "shared" / "corpus"))
DEFAULT_OUT = REPO / "tests" / "data" / "question_tags.json"


def extract(pdf_path: Path) -> dict[str, str]:
    """The guide's tagged questions, read as ``assistant --guide`` reads them."""
    return {q.tag: q.text for q in load_guide(pdf_path)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdf", nargs="?", type=Path, default=SHARED / "interview_guides/new.pdf")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not args.pdf.is_file():
        print(f"extract_question_tags: {args.pdf}: not found", file=sys.stderr)
        return 1
    data = {
        "source": "interview_guides/new.pdf of the study's replication package",
        "extracted_with": "tests/bench/extract_question_tags.py",
        "questions": extract(args.pdf),
    }
    args.out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"python tests/bench/extract_question_tags.py -> {args.out} ({len(data['questions'])} tags)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
