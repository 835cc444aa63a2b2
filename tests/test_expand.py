"""A retrieved interviewer question brings the participant turns that answer it."""

from __future__ import annotations

from answer_samples import evidence, para, turn

from assistant.answer.expand import applies, with_answers
from assistant.model import Evidence, Filters

# Lines 516-550 of the shipped transcript, as consecutive turns 109-115.
INTERVIEW = evidence(
    [
        turn(109, "Interviewer 1", para(516)),  # did you have AI project that took longer...
        turn(110, "Interviewee", para(520)),  # yeah. That instance? Yes. Yeah. What,
        turn(111, "Interviewer 1", para(524)),  # what were the reasons.
        turn(112, "Interviewee", para(528)),  # The, the environment not being ready...
        turn(113, "Interviewee", para(532), para(534), para(536)),
        turn(114, "Interviewer 1", para(540), para(542, "Misc")),
        turn(115, "Interviewee", para(550)),
    ]
)
BY_KEY = {e.key: e for e in INTERVIEW}


def context(key: str, around: int) -> list[Evidence]:
    i = [e.key for e in INTERVIEW].index(key)
    return INTERVIEW[max(0, i - around) : i + around + 1]


def test_answers_follow_their_question_with_its_score() -> None:
    question = BY_KEY["12:109"]
    other = evidence([turn(30, "Interviewee", para(115))])[0]
    out = with_answers([question, other], context, limit=9)
    # 12:111 ("what were the reasons.") is the interviewer's; 12:114 is headed "Interviewer 1"
    # but coded: the participant's words.
    assert [e.key for e in out] == [
        "12:109",
        "12:110",
        "12:112",
        "12:113",
        "12:114",
        "12:115",
        "12:30",
    ]
    assert {e.score for e in out[1:6]} == {question.score}
    assert [e.why for e in out[1:6]] == ["answer to 12:109"] * 5
    # By default, no more turns are added than were retrieved.
    assert [e.key for e in with_answers([question, other], context)] == [
        "12:109",
        "12:110",
        "12:112",
        "12:30",
    ]


def test_turns_already_retrieved_are_not_repeated_and_the_budget_holds() -> None:
    question, answer = BY_KEY["12:109"], BY_KEY["12:112"]
    out = with_answers([question, answer], context)
    assert [e.key for e in out] == ["12:109", "12:110", "12:113", "12:112"]
    assert out[3] is answer  # kept at its own rank, with its own score
    assert [e.key for e in with_answers([question], context, limit=1)] == ["12:109", "12:110"]


def test_the_answer_ends_at_the_next_question() -> None:
    turns = evidence(
        [
            turn(1, "Interviewer 1", para(432)),  # what are the challenges during deployment
            turn(2, "Interviewee", para(438)),
            turn(3, "Interviewer 1", para(450)),  # ... did you ever have a model that ...?
            turn(4, "Interviewee", para(460)),
        ]
    )

    def local(key: str, around: int) -> list[Evidence]:
        return turns

    assert [e.key for e in with_answers(turns[:1], local, limit=5)] == ["12:1", "12:2"]


def test_only_the_better_half_of_the_ranking_is_followed() -> None:
    ranked = [BY_KEY["12:113"], BY_KEY["12:115"], BY_KEY["12:110"], BY_KEY["12:111"]]
    # 12:111 is ranked last: its answers are not brought in.
    assert with_answers(ranked, context) == ranked


def test_filters_on_codes_speakers_or_roles_switch_it_off() -> None:
    assert applies(None) and applies(Filters()) and applies(Filters(interviews=("12",)))
    assert not applies(Filters(codes=("Misc",)))
    assert not applies(Filters(speakers=("Interviewee",)))
    assert not applies(Filters(roles=("participant",)))
