"""Bring the answers of retrieved interview questions into the evidence.

In an interview the question and its answer are separate turns, and they share few words:
"did you have an AI project that took longer than expected?" is answered by "the environment
not being ready, uh, at the clients". Search finds the question; the answer is what the
researcher needs. So for each retrieved interviewer turn, the participant turns that follow it
(within a short window, since transcription often splits a question over several turns, and
up to the interviewer's next question) are added right after it, scored like the question and
labelled as its answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from assistant.answer.text import terms
from assistant.model import Evidence, Filters

#: Turns after a question that may still be its answer; the answer ends earlier at the
#: interviewer's next question.
WINDOW = 6
#: Content words from which an interviewer's turn counts as a new question.
NEW_QUESTION_TERMS = 8

Context = Callable[[str, int], list[Evidence]]
#: How an added turn's ``Evidence.why`` starts.
ANSWER_WHY = "answer to "


def applies(filters: Filters | None) -> bool:
    """Answers are added only when the user did not narrow the turns by code, speaker or
    role: an added turn would not have passed those filters."""
    return filters is None or not (filters.codes or filters.speakers or filters.roles)


def with_answers(
    evidence: list[Evidence], context: Context, *, window: int = WINDOW, limit: int | None = None
) -> list[Evidence]:
    """``evidence`` with, after each interviewer turn, the turns answering it.

    Only questions in the better half of the ranking are followed, at most ``limit`` turns
    are added (default: as many as were retrieved), best-ranked questions first, and a turn
    already in the evidence is never repeated.
    """
    budget = len(evidence) if limit is None else limit
    present = {e.key for e in evidence}
    added: dict[str, list[Evidence]] = {}
    # Only the better half of the ranking: a question retrieved last is a weak lead, and its
    # answers would crowd out better evidence.
    for question in evidence[: max(1, (len(evidence) + 1) // 2)]:
        if budget <= 0:
            break
        if question.turn.role != "interviewer":
            continue
        around = context(question.key, window)
        keys = [e.key for e in around]
        if question.key not in keys:
            continue
        following = around[keys.index(question.key) + 1 :]
        answered = False
        for turn in following:
            if budget <= 0:
                break
            if _is_new_question(turn) and answered:
                break
            answered = answered or turn.turn.role != "interviewer"
            if not _is_answer(turn) or turn.key in present:
                continue
            answer = replace(turn, score=question.score, why=f"{ANSWER_WHY}{question.key}")
            added.setdefault(question.key, []).append(answer)
            present.add(turn.key)
            budget -= 1
    out: list[Evidence] = []
    for e in evidence:
        out.append(e)
        out.extend(added.get(e.key, []))
    return out


def _is_answer(e: Evidence) -> bool:
    # Coders sometimes file a participant's words under the interviewer's heading (the
    # transcript split the turn); a coded turn is content whoever is named as its speaker.
    return e.turn.role != "interviewer" or bool(e.turn.codes)


def _is_new_question(e: Evidence) -> bool:
    # A short prompt ("what were the reasons.") continues the topic; a question mark or a
    # long turn by the interviewer moves on (transcripts often lose the question mark).
    if e.turn.role != "interviewer" or e.turn.codes:
        return False
    return "?" in e.turn.text or len(set(terms(e.turn.text))) >= NEW_QUESTION_TERMS
