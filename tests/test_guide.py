"""The interview guide: read from PDF, JSON or text, and used to find every interview's answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from index_helpers import corpus, embedder, interview

from assistant.errors import AssistantError
from assistant.guide import load_guide
from assistant.index import Indexer, open_index
from assistant.model import Filters
from assistant.retrieve import Retriever
from assistant.settings import load_settings


def test_json_markdown_and_plain_guides(tmp_path: Path) -> None:
    mapping = tmp_path / "guide.json"
    mapping.write_text(json.dumps({"questions": {"Q1": "What  went wrong?", "Q2": "Why?"}}))
    assert [(q.tag, q.text) for q in load_guide(mapping)] == [
        ("Q1", "What went wrong?"),
        ("Q2", "Why?"),
    ]
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps(["How do you label data?", {"tag": "X", "question": "Costs?"}]))
    assert [(q.tag, q.text) for q in load_guide(listed)] == [
        ("G1", "How do you label data?"),
        ("X", "Costs?"),
    ]
    text = tmp_path / "guide.md"
    text.write_text("# Guide\n\n- [Q1] What are the main issues?\nQ4.3. How do you test?\n")
    assert [(q.tag, q.text) for q in load_guide(text)] == [
        ("Q1", "What are the main issues?"),
        ("Q4.3", "How do you test?"),
    ]


def test_bad_guides_are_one_line_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(AssistantError, match="no interview guide there"):
        load_guide(tmp_path / "missing.pdf")
    broken = tmp_path / "guide.json"
    broken.write_text("{")
    with pytest.raises(AssistantError, match=r"guide\.json: cannot read the interview guide"):
        load_guide(broken)
    fake_pdf = tmp_path / "guide.pdf"
    fake_pdf.write_bytes(b"not a pdf")
    with pytest.raises(AssistantError, match=r"guide\.pdf: cannot read the interview guide"):
        load_guide(fake_pdf)
    empty = tmp_path / "empty.md"
    empty.write_text("# only a heading\n")
    with pytest.raises(AssistantError, match="no question found"):
        load_guide(empty)


@pytest.mark.shared_corpus
def test_the_study_guide_pdf(shared_corpus: Path) -> None:
    guide = {q.tag: q.text for q in load_guide(shared_corpus / "interview_guides" / "new.pdf")}
    assert guide["Q3.1"] == "Which data types have you worked with?"
    assert guide["Q4.1"] == "How do you evaluate the quality of models?"
    assert {"Q1", "Q9", "Q4.3"} <= set(guide)
    assert not any("interview guide" in text.lower() for text in guide.values())


def _asked(iid: str, question: str, answer: str) -> list[tuple[str, str, tuple[str, ...]]]:
    return [
        ("Interviewer 1", "Thanks for joining us today, shall we start?", ()),
        ("P", "Sure, happy to.", ()),
        ("Interviewer 1", question, ()),
        ("P", answer, ()),
        ("Interviewer 1", "And who pays for the cloud platform in your company?", ()),
        ("P", "Finance does, every quarter.", ()),
    ]


def test_a_question_close_to_a_guide_question_finds_every_interviews_answer(
    tmp_path: Path,
) -> None:
    answers = [
        "Mostly tabular sales records and some images.",
        "Time series from sensors, nothing else.",
        "Free text: support tickets and emails.",
    ]
    asked = [
        "Which kinds of data types have you worked with so far?",
        "What data types did you work with?",
        "Could you tell me which types of data you have worked with?",
    ]
    c = corpus(
        *(
            interview(str(n), _asked(str(n), q, a))
            for n, (q, a) in enumerate(zip(asked, answers, strict=True), 1)
        )
    )
    guide_file = tmp_path / "guide.md"
    guide_file.write_text("[Q3.1] Which data types have you worked with?\n[Q9] Who pays?\n")
    settings = load_settings(index_dir=tmp_path / "index")
    Indexer(settings, embedder()).build(c)
    reader = open_index(settings, embedder())
    retriever = Retriever(reader, embedder(), None, load_guide(guide_file))
    found = retriever.retrieve("which data types have you worked with?", k=3)
    assert found.guide is not None and found.guide.tag == "Q3.1"
    quoted = {e.turn.text for e in found.evidence}
    assert set(answers) <= quoted
    assert "guide #" in found.evidence[0].why
    # Without the guide the same search still works, and names no guide question.
    plain = Retriever(reader, embedder()).retrieve("which data types have you worked with?", k=3)
    assert plain.guide is None
    # An unrelated question is aligned to no guide question.
    assert retriever.retrieve("what did the weather do?", k=3, filters=Filters()).guide is None
