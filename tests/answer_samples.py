"""Evidence built by hand from lines of the shipped transcript, for the answer tests.

Each paragraph is the exact text of one line of ``corpus/Interview 12 - Amin.txt``, with the
codes that follow it in the file, as the loader produces them; the turn ordinals are this
module's own (the tests never compare them with the loader's).
"""

from __future__ import annotations

from pathlib import Path

from assistant.model import Evidence, Paragraph, Role, Turn

SHIPPED = Path(__file__).resolve().parents[1] / "corpus" / "Interview 12 - Amin.txt"
TITLE = "Interview 12 - Amin"
SOURCE = "corpus/Interview 12 - Amin.txt"
LINES = SHIPPED.read_text(encoding="utf-8").splitlines()

QUESTION = "why did projects run late?"

#: Questions a researcher would ask of the shipped interview (tests and benchmarks share them).
SHIPPED_QUESTIONS = [
    "why did projects run late?",
    "what problems did the data have?",
    "where did the data come from?",
    "was explainability an issue?",
    "what were the challenges during deployment?",
    "did privacy cause problems?",
    "what does an AI delivery manager do?",
    "what happens in the strategic workshops?",
    "why is the client's environment complex?",
    "which tools and infrastructure did the clients have?",
    "did the model work well in the lab?",
]


def para(line: int, *codes: str) -> Paragraph:
    """The paragraph on 1-based ``line`` of the shipped file."""
    return Paragraph(LINES[line - 1], tuple(codes), lines=(line, line))


def turn(ordinal: int, speaker: str, *paragraphs: Paragraph, interview: str = "12") -> Turn:
    role: Role = "interviewer" if speaker.lower().startswith("interviewer") else "participant"
    return Turn(interview, ordinal, speaker, role, paragraphs)


def evidence(turns: list[Turn], title: str = TITLE, source: str = SOURCE) -> list[Evidence]:
    """Evidence in the given order, scored like a ranked list (best first)."""
    return [
        Evidence(t, title, source, score=1.0 / rank, why=f"test #{rank}")
        for rank, t in enumerate(turns, start=1)
    ]


def late_projects() -> list[Evidence]:
    """What a retriever might return for QUESTION: both reasons, their neighbours, two
    coded turns on the same project, and some weaker matches."""
    return evidence(
        [
            turn(60, "Interviewee", para(528)),
            turn(61, "Interviewee", para(532), para(534), para(536)),
            turn(59, "Interviewer 1", para(516)),
            turn(
                62, "Interviewer 1", para(540), para(542, "Misc", "Stakeholders-lack-of-knowledge")
            ),
            turn(30, "Interviewee", para(115)),
            turn(50, "Interviewee", para(438, "Data-low-quantity")),
            turn(51, "Interviewee", para(444, "Data-low-quantity")),
            turn(70, "Interviewee", para(574)),
            turn(71, "Interviewee", para(588)),
        ]
    )


def five() -> list[Evidence]:
    """Five turns, for the LLM tests (a citation [9] is then out of range)."""
    return late_projects()[:5]
