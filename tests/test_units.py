"""Retrieval units: utterances and exchanges map back to the turns they group, exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ingest_helpers import moderated_pdfs, plain_transcripts

from assistant.model import Paragraph, Turn
from assistant.units import build_units, exchanges, is_said, opens_question, utterances


def _turn(n: int, speaker: str, text: str, *codes: str) -> Turn:
    role = "interviewer" if speaker.startswith("Interviewer") else "participant"
    return Turn("7", n, speaker, role, (Paragraph(text, codes, lines=(n, n)),))


def test_consecutive_headings_of_one_speaker_are_one_utterance() -> None:
    turns = [
        _turn(1, "Interviewer 1", "Did you have a project that took longer than expected?"),
        _turn(2, "Interviewee", "yeah. That instance? Yes."),
        _turn(3, "Interviewee", "The environment not being ready at the clients."),
        _turn(4, "Interviewer1", "what were the reasons."),
        _turn(5, "Interviewee", "A very complex environment to operate."),
        _turn(6, "Interviewer 1", "And what about privacy, was it ever an issue for you?"),
        _turn(7, "Interviewee", "Never."),
    ]
    assert [u.ordinals for u in utterances(turns)] == [(1,), (2, 3), (4,), (5,), (6,), (7,)]
    # "what were the reasons." prompts for more; it does not open a new exchange.
    assert not opens_question(turns[3])
    assert [u.ordinals for u in exchanges(turns)] == [(1, 2, 3, 4, 5), (6, 7)]
    assert exchanges(turns)[0].id == "exchange:7:1-5"
    assert exchanges(turns)[0].keys[0] == "7:1"


def test_a_question_nobody_answered_is_no_exchange() -> None:
    turns = [
        _turn(1, "Interviewer 1", "Shall we start with your background?"),
        _turn(2, "Interviewer 1", "Actually, what does your team build?"),
        _turn(3, "P1", "Recommendation engines."),
    ]
    assert [u.ordinals for u in exchanges(turns)] == [(1, 2, 3)]
    assert exchanges(turns[:2]) == []


def test_a_coded_interviewer_heading_counts_as_an_answer() -> None:
    turns = [
        _turn(1, "Interviewer 1", "Why is the client's environment complex?"),
        _turn(2, "Interviewer 1", "Complexity? Very complex environment.", "Misc"),
        _turn(3, "Interviewer 1", "What else went wrong during the project?"),
        _turn(4, "P1", "The data."),
    ]
    assert not opens_question(turns[1])
    assert [u.ordinals for u in exchanges(turns)] == [(1, 2), (3, 4)]


def test_a_question_tagged_with_its_guide_question_still_opens_an_exchange() -> None:
    # Delve coders tag the interviewer's questions with the guide's question numbers too; a
    # tag says which question a passage belongs to, not that the interviewer said content.
    turns = [
        _turn(1, "Interviewer 1", "Do you have any AI projects that took longer than expected?"),
        _turn(2, "P1", "Yes. If you don't have a strict deadline, it is often late.", "Q8.1"),
        _turn(3, "Interviewer 1", "And did you have any project that was aborted?", "Q8.1"),
        _turn(4, "P1", "Almost, once.", "Q8.2"),
    ]
    assert [is_said(t) for t in turns] == [False, True, False, True]
    assert opens_question(turns[2])
    assert [u.ordinals for u in exchanges(turns)] == [(1, 2), (3, 4)]
    # A content code beside the tag makes the heading a participant's words again.
    coded = _turn(3, "Interviewer 1", "Aborted? Yes, once.", "Q8.1", "Misc")
    assert is_said(coded) and not opens_question(coded)


speakers = st.sampled_from(["Interviewer 1", "Interviewer1", "Interviewee", "P2"])
texts = st.sampled_from(["Why?", "yes", "What did you do about the missing values then?", "ok."])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(speakers, texts, st.booleans()), max_size=30))
def test_units_cover_turns_in_order_and_utterances_partition_them(rows) -> None:
    turns = [
        _turn(n, speaker, text, *(("Data-x",) if coded else ()))
        for n, (speaker, text, coded) in enumerate(rows, start=1)
    ]
    units = build_units(turns)
    ordinals = [t.ordinal for t in turns]
    said = [o for u in units if u.kind == "utterance" for o in u.ordinals]
    assert said == ordinals
    last = 0
    for unit in (u for u in units if u.kind == "exchange"):
        assert list(unit.ordinals) == list(range(unit.ordinals[0], unit.ordinals[-1] + 1))
        assert unit.ordinals[0] > last
        last = unit.ordinals[-1]


@pytest.mark.shared_corpus
@pytest.mark.slow
def test_units_map_back_to_turns_on_every_transcript_and_pdf(shared_corpus: Path) -> None:
    # The session's parsed copies: the 36 PDFs take half a minute to parse again.
    for corpus in (plain_transcripts(shared_corpus), moderated_pdfs(shared_corpus)):
        assert len(corpus.interviews) == 36
        for interview in corpus.interviews:
            units = build_units(interview.turns)
            said = [o for u in units if u.kind == "utterance" for o in u.ordinals]
            assert said == [t.ordinal for t in interview.turns], interview.source
            for unit in units:
                for key in unit.keys:
                    found = corpus.turn(key)
                    assert found is not None and found[1].interview_id == interview.id
