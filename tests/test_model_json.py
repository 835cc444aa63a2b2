"""Answers, citations and evidence come back from their JSON as the same objects, so history
and the chat hold typed answers, never dicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import AssistantError
from assistant.history import History
from assistant.model import (
    Answer,
    Citation,
    CodeMatch,
    Evidence,
    GuideQuestion,
    Paragraph,
    Turn,
    Unverified,
)


def _evidence() -> Evidence:
    asked = Turn("12", 110, "Interviewer 1", "interviewer", (Paragraph("Why so late?"),))
    turn = Turn(
        "12",
        112,
        "Interviewee",
        "participant",
        (
            Paragraph("The, the environment not being ready,", ("MD-infrastructure",), (528, 528)),
            Paragraph("uh, at the clients.", ("Deployment-issues [MD]",), (530, 531)),
        ),
        timestamps=("00:12:31",),
    )
    return Evidence(
        turn,
        "Interview 12 - Amin",
        "corpus/Interview 12 - Amin.txt",
        0.8123456,
        why="utterance 12:112: dense #1",
        asked=Evidence(asked, "Interview 12 - Amin", "corpus/Interview 12 - Amin.txt", 0.0),
        unit="utterance:12:112",
    )


def _answer() -> Answer:
    evidence = _evidence()
    return Answer(
        question="why did projects run late?",
        mode="llm",
        text="The environment was not ready [1].",
        citations=[Citation(1, evidence, "the environment not being ready", True)],
        unverified=[Unverified("no such quote", 2, "we shipped on time"), Unverified("no [3]")],
        evidence=[evidence],
        model="llama3",
        notice="the endpoint was slow",
        timings={"retrieve": 0.1234, "answer": 1.5},
        codes=[CodeMatch("Deployment-issues [MD]", 0.61234, 4, 2)],
        guide=GuideQuestion("Q4.3", "What slowed the deployment down?"),
    )


def test_an_answer_round_trips_through_its_json() -> None:
    answer = _answer()
    data = json.loads(json.dumps(answer.to_dict()))
    loaded = Answer.from_dict(data)
    assert loaded.to_dict() == answer.to_dict()
    assert loaded.codes == [CodeMatch("Deployment-issues [MD]", 0.6123, 4, 2)]
    assert loaded.guide == GuideQuestion("Q4.3", "What slowed the deployment down?")
    assert loaded.unverified == answer.unverified
    [citation] = loaded.citations
    turn = citation.evidence.turn
    assert (turn.key, turn.speaker, turn.lines, turn.time) == (
        "12:112",
        "Interviewee",
        (528, 531),
        "00:12:31",
    )
    assert turn.codes == ("MD-infrastructure", "Deployment-issues [MD]")


def test_a_stored_citation_cannot_pass_for_verified_against_its_own_turn() -> None:
    # The JSON keeps the quote, not the turn's text: nothing can be checked against it.
    citation = Citation.from_dict(_answer().citations[0].to_dict())
    assert citation.verified is True and citation.quote == "the environment not being ready"
    assert citation.evidence.turn.text == ""


def test_evidence_round_trips_with_the_question_it_answers() -> None:
    evidence = _evidence()
    loaded = Evidence.from_dict(json.loads(json.dumps(evidence.to_dict())))
    assert loaded.to_dict() == evidence.to_dict()
    assert loaded.asked is not None and loaded.asked.key == "12:110"
    assert loaded.turn.text == evidence.turn.text


def test_history_gives_back_answers(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite3") as history:
        cid = history.record(None, _answer())
        [exchange] = history.exchanges(cid)
    assert isinstance(exchange.answer, Answer)
    assert exchange.answer.to_dict() == _answer().to_dict()


def test_an_unreadable_stored_answer_is_one_line_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with History(path) as history:
        cid = history.record(None, _answer())
        with history._write() as db:
            db.execute("UPDATE exchange SET answer_json = ?", (json.dumps({"mode": "llm"}),))
        with pytest.raises(AssistantError) as info:
            history.exchanges(cid)
    assert str(info.value).startswith(f"{path}: an answer of conversation {cid} cannot be read")
