"""Extract the tagged questions of the study's interview guide into tests/data/question_tags.json.

Run once by hand (the result is committed and was checked by eye against the PDF)::

    python tests/bench/extract_question_tags.py [GUIDE_PDF] [--out tests/data/question_tags.json]

GUIDE_PDF defaults to ``interview_guides/new.pdf`` of the shared corpus beside the checkout
(``ASSISTANT_SHARED_CORPUS`` overrides). The PDF itself is never copied into the project.

A tag such as ``[Q4.3]`` opens a question or a section heading. The text kept for a tag is its
question sentence (up to the first ``?``), or the heading line when the tag opens a section
("[Q2] Data collection questions"); the lead-in before a colon is dropped
("A general and open-ended question to start the interview: What are ...").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

import pdfplumber

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("ASSISTANT_SHARED_CORPUS", REPO.parent / "shared" / "corpus"))
DEFAULT_OUT = REPO / "tests" / "data" / "question_tags.json"

TAG = re.compile(r"\[(Q\d+(?:\.\d+)*(?:\.[a-z])?)\]")
#: The running footer of every page of the guide ("New interview guide 3").
FOOTER = re.compile(r"^New interview guide \d+$")
#: An enumerator left at the end of a segment, just before the next tag ("... 1." / "a.").
TRAILING_ENUMERATOR = re.compile(r"\s+(?:\d+|[a-z])\.$")


def guide_text(pdf_path: Path) -> str:
    with pdfplumber.open(pdf_path) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    lines = [ln for page in pages for ln in page.splitlines() if not FOOTER.match(ln.strip())]
    return "\n".join(lines)


def question_of(segment: str) -> str:
    segment = TRAILING_ENUMERATOR.sub("", segment.strip())
    first_line = segment.split("\n", 1)[0].strip()
    if first_line.lower().endswith("questions") or "?" not in segment:
        return first_line
    sentence = " ".join(segment[: segment.index("?") + 1].split())
    lead_in, colon, rest = sentence.partition(": ")
    # "A general ... question to start the interview: What are ...?" -> keep the question.
    return rest if colon and "?" not in lead_in else sentence


def extract(pdf_path: Path) -> dict[str, str]:
    text = guide_text(pdf_path)
    matches = list(TAG.finditer(text))
    questions: dict[str, str] = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        questions[match.group(1)] = question_of(text[match.end() : end])
    return questions


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
