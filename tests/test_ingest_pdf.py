"""Delve PDF print-outs: made-up ones everywhere, and the study's 36 moderated ones when the
shared corpus is present (each corpus is parsed once per session)."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
from ingest_helpers import moderated_pdfs, plain_transcripts
from pdf_samples import delve_printout

from assistant.ingest import read_file

BLOCKS = [
    ("Interviewer 1", [(["So what quality issues did you meet with the data?"], [])]),
    (
        "Interviewee",
        [
            (
                [
                    "The data was messy and a lot of fields were empty, because the",
                    "records come from old engines.",
                ],
                ["Data-low-quality", "Data-missing-value", "ML-pipeline-issues [MLP]"],
            ),
            (["And the pipeline kept breaking."], ["MLP-unstable-external-dependency"]),
        ],
    ),
    ("Interviewer 2", [(["Thank you."], [])]),
]


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "2023-06-04-Interview 7 - Amin.txt.pdf"
    path.write_bytes(delve_printout("Interview 7 - Amin", BLOCKS * 3, lines_per_page=14))
    return path


def test_made_up_printout(sample: Path) -> None:
    interview = read_file(sample)
    assert (interview.id, interview.title, interview.format) == (
        "7",
        "Interview 7 - Amin",
        "delve-pdf",
    )
    assert [t.speaker for t in interview.turns] == [
        "Interviewer 1",
        "Interviewee",
        "Interviewer 2",
    ] * 3
    answer = interview.turns[1]
    assert [p.text for p in answer.paragraphs] == [
        "The data was messy and a lot of fields were empty, because the records come from old "
        "engines.",
        "And the pipeline kept breaking.",
    ]
    # Chips split into labels; a label keeps its abbreviation.
    assert answer.paragraphs[0].codes == (
        "Data-low-quality",
        "Data-missing-value",
        "ML-pipeline-issues [MLP]",
    )
    assert answer.paragraphs[1].codes == ("MLP-unstable-external-dependency",)
    assert interview.code_applications == 12
    text = " ".join(t.text for t in interview.turns)
    for printed in ("6/4/23", "delvetool", "2023-06-04-Interview", "/N"):
        assert printed not in text


def test_paragraph_across_a_page_break_is_joined_with_its_page_span(sample: Path) -> None:
    interview = read_file(sample)
    spans = [(t.ordinal, p.pages) for t in interview.turns for p in t.paragraphs]
    assert all(p is not None and 1 <= p[0] <= p[1] <= 3 for _, p in spans)
    crossing = [(o, p) for o, p in spans if p and p[0] != p[1]]
    assert crossing, "the sample is laid out so that one paragraph runs onto the next page"
    ordinal, _ = crossing[0]
    turn = interview.turns[ordinal - 1]
    assert turn.paragraphs[0].text.startswith("The data was messy")
    assert turn.paragraphs[0].text.endswith("old engines.")


# -- the study's print-outs ----------------------------------------------------------------

HEADER_FOOTER = re.compile(
    r"delvetool|\d{1,2}/\d{1,2}/\d{2}, \d{1,2}:\d{2} [AP]M|2023-06-04-Interview"
)


@pytest.mark.shared_corpus
def test_moderated_printouts_yield_938_labels(shared_corpus: Path) -> None:
    corpus = moderated_pdfs(shared_corpus)
    assert corpus.errors == ()
    assert len(corpus.interviews) == 36
    assert {i.format for i in corpus.interviews} == {"delve-pdf"}
    assert sum(i.code_applications for i in corpus.interviews) == 938
    assert sum(1 for i in corpus.interviews if i.code_applications) == 14


@pytest.mark.shared_corpus
def test_interview_12_has_34_labels_12_distinct(shared_corpus: Path) -> None:
    interview = moderated_pdfs(shared_corpus).get("12")
    assert interview is not None
    labels = [c for t in interview.turns for p in t.paragraphs for c in p.codes]
    assert len(labels) == 34
    assert len(set(labels)) == 12
    # Both were lost in the text export, which has 10 distinct codes.
    assert {"Data-collection-manual", "Data-missing-value", "ML-pipeline-issues [MLP]"} <= set(
        labels
    )
    assert {t.speaker for t in interview.turns} == {"Interviewer 1", "Interviewer 2", "Interviewee"}


@pytest.mark.shared_corpus
def test_no_header_or_footer_text_in_any_turn(shared_corpus: Path) -> None:
    for interview in moderated_pdfs(shared_corpus).interviews:
        for turn in interview.turns:
            assert not HEADER_FOOTER.search(turn.text), (turn.key, turn.text[:80])
            assert "Created with the Delve" not in turn.text
            assert turn.pages is not None


@pytest.mark.shared_corpus
def test_pdf_turn_text_matches_the_plain_transcript(shared_corpus: Path) -> None:
    pdfs = moderated_pdfs(shared_corpus)
    plain = plain_transcripts(shared_corpus)
    assert {i.id for i in pdfs.interviews} == {i.id for i in plain.interviews}
    for interview in pdfs.interviews:
        other = plain.get(interview.id)
        assert other is not None
        a = " ".join(t.text for t in interview.turns).split()
        b = " ".join(t.text for t in other.turns).split()
        ratio = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
        assert ratio >= 0.995, (interview.id, ratio)


@pytest.mark.shared_corpus
def test_turns_run_across_page_breaks(shared_corpus: Path) -> None:
    pdfs = moderated_pdfs(shared_corpus)
    plain = plain_transcripts(shared_corpus)
    crossing = 0
    for interview in pdfs.interviews:
        pages = [t.pages for t in interview.turns]
        assert pages[0] is not None and pages[0][0] == 1
        assert pages == sorted(pages), interview.id  # type: ignore[type-var]
        other = plain.get(interview.id)
        assert other is not None
        if len(other.turns) != len(interview.turns):
            continue  # interviews 3 and 7: Delve kept two speaker lines as text
        for turn, twin in zip(interview.turns, other.turns, strict=True):
            if any(p.pages and p.pages[0] < p.pages[1] for p in turn.paragraphs):
                crossing += 1
                # Joined back together, the turn reads as the transcript's turn does.
                ratio = difflib.SequenceMatcher(
                    None, turn.text.split(), twin.text.split(), autojunk=False
                ).ratio()
                assert ratio > 0.95, (turn.key, ratio)
                assert turn.speaker == twin.speaker
    assert crossing >= 40  # 47 in the study's print-outs
