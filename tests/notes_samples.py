"""Hand-built interviews, evidence and answers for the notes and quotes tests.

They mimic what the loader produces for a Delve text export (line spans) and a Delve PDF (page
spans), with the awkward bits a real export has: commas, double quotes, line breaks inside a
paragraph, typographic punctuation and non-ASCII letters.
"""

from __future__ import annotations

import os
from pathlib import Path

from assistant.model import Answer, Citation, Corpus, Evidence, Interview, Paragraph, Turn

MLP = "ML-pipeline-issues [MLP]"
MLP_CHILD = "MLP-unstable-external-dependency"
MLP_DATA = "MLP-data-pipeline"
LOW_QTY = "Data-low-quantity"
LOW_QTY_FIX = "Data-low-quantity-fix"

TEXT_TURNS = (
    Turn(
        interview_id="12",
        ordinal=1,
        speaker="Interviewer 1",
        role="interviewer",
        paragraphs=(Paragraph("What went wrong when you deployed?", lines=(3, 3)),),
    ),
    Turn(
        interview_id="12",
        ordinal=2,
        speaker="Interviewee",
        role="participant",
        paragraphs=(
            Paragraph(
                'We have three data sources, and they need to be "automatically refreshed".',
                codes=(MLP, MLP_CHILD),
                lines=(7, 7),
            ),
            Paragraph("So.", lines=(11, 11)),
            Paragraph(
                "The data lake is huge,\nbut the data we need is not there.",
                codes=(LOW_QTY,),
                lines=(13, 14),
            ),
        ),
    ),
)

PDF_TURNS = (
    Turn(
        interview_id="3",
        ordinal=1,
        speaker="Interviewee",
        role="participant",
        paragraphs=(
            Paragraph(
                "Our naïve pipeline — the ‘nightly’ one — broke every week.",
                codes=(MLP_DATA, LOW_QTY_FIX),
                pages=(2, 3),
            ),
        ),
    ),
)

TEXT_INTERVIEW = Interview(
    id="12",
    title="Interview 12 - Amin",
    source="corpus/Interview 12 - Amin.txt",
    format="delve-text",
    sha256="0" * 64,
    turns=TEXT_TURNS,
)
PDF_INTERVIEW = Interview(
    id="3",
    title="Interview 3 - PO",
    source="delve-pdf/moderation/2023-06-04-Interview 3 - PO.pdf",
    format="delve-pdf",
    sha256="1" * 64,
    turns=PDF_TURNS,
)
CORPUS = Corpus(interviews=(TEXT_INTERVIEW, PDF_INTERVIEW))


def evidence(turn: Turn) -> Evidence:
    interview = TEXT_INTERVIEW if turn.interview_id == "12" else PDF_INTERVIEW
    return Evidence(turn=turn, title=interview.title, source=interview.source, score=0.0)


def answer(question: str = "What went wrong with the data pipeline?") -> Answer:
    """An extractive-style answer: two verified quotes and one the verifier rejected."""
    refreshed = evidence(TEXT_TURNS[1])
    nightly = evidence(PDF_TURNS[0])
    return Answer(
        question=question,
        mode="llm",
        model="qwen2.5:7b",
        text="Data sources must be refreshed [1], and the nightly pipeline broke [2].",
        citations=[
            Citation(1, refreshed, 'they need to be "automatically refreshed"', True),
            Citation(2, nightly, "the 'nightly' one - broke every week", True),
            Citation(3, refreshed, "the pipeline was rewritten in Rust", False),
        ],
        evidence=[refreshed, nightly],
    )


class FakeReader:
    """Stands in for the index reader: resolves keys against a fixed set of turns."""

    def __init__(self, turns: tuple[Turn, ...] = TEXT_TURNS + PDF_TURNS) -> None:
        self.by_key = {t.key: evidence(t) for t in turns}

    def evidence(self, key: str) -> Evidence | None:
        return self.by_key.get(key)


GOLDEN = Path(__file__).parent / "golden"
# Read at import: the autouse fixture clears ASSISTANT_* variables before each test runs.
REGEN = bool(os.environ.get("ASSISTANT_REGEN_GOLDEN"))


def check_golden(name: str, actual: str) -> None:
    """Compare ``actual`` with tests/golden/NAME byte for byte; ASSISTANT_REGEN_GOLDEN=1
    rewrites the file instead (review the diff before committing)."""
    path = GOLDEN / name
    if REGEN:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
    expected = path.read_bytes().decode("utf-8")
    assert actual == expected, f"{name} differs from its golden file"
