"""The answer-level evaluation: precision against gold codes, coverage, the fixed split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.answer_eval import (
    GoldQuestion,
    answer_scores,
    bootstrap,
    load_gold,
    recall,
    split,
)
from assistant.errors import AssistantError
from assistant.model import Corpus, Interview, Paragraph, Turn

DATA = Path(__file__).parent / "data"


def _interview(iid: str, paragraphs: list[tuple[str, tuple[str, ...]]]) -> Interview:
    turn = Turn(
        iid, 1, "P", "participant", tuple(Paragraph(t, c, lines=(1, 1)) for t, c in paragraphs)
    )
    return Interview(iid, f"Interview {iid}", f"{iid}.txt", "delve-text", iid * 8, (turn,))


CORPUS = Corpus(
    (
        _interview("1", [("The model drifted after the merger.", ("MM-drift",)), ("Lunch.", ())]),
        _interview("2", [("Drift again, every quarter.", ("MM-drift",))]),
        _interview("3", [("Nothing about it here.", ())]),
    )
)


def test_precision_counts_quotes_in_gold_coded_paragraphs() -> None:
    gold = GoldQuestion("q1", "what about drift?", codes=("MM-drift",))
    cited = [
        {"key": "1:1", "quote": "The model drifted after the merger."},
        {"key": "1:1", "quote": "Lunch."},
        {"key": "3:1", "quote": "Nothing about it here."},
    ]
    scores = answer_scores(CORPUS, gold, cited)
    assert scores["precision"] == pytest.approx(1 / 3)
    # Interviews 1 and 2 hold drift; only 1 is cited.
    assert scores["coverage"] == pytest.approx(1 / 2)
    assert answer_scores(CORPUS, gold, []) == {"precision": 0.0, "coverage": 0.0}


def test_a_quote_with_an_omission_is_found_by_its_fragments() -> None:
    gold = GoldQuestion("q1", "drift?", codes=("MM-drift",))
    cited = [{"key": "2:1", "quote": "Drift again, \u2026 quarter."}]
    assert answer_scores(CORPUS, gold, cited)["precision"] == 1.0


def test_split_is_fixed_and_disjoint() -> None:
    questions = load_gold(DATA / "eval_questions.json")
    tune, test = split(questions)
    assert len(questions) >= 40
    assert {q.id for q in tune}.isdisjoint({q.id for q in test})
    assert len(tune) + len(test) == len(questions)
    again = split(list(reversed(questions)))
    assert [q.id for q in again[1]] == [q.id for q in test]


def test_shipped_questions_name_real_turns(shipped_file: Path) -> None:
    from assistant.ingest import load_corpus

    corpus = load_corpus([shipped_file])
    judged = load_gold(DATA / "shipped_questions.json")
    assert len(judged) >= 20
    for q in judged:
        assert q.relevant and all(corpus.turn(k) is not None for k in q.relevant), q.id


def test_recall_and_bootstrap() -> None:
    assert recall(["1:1", "1:2"], ["1:2", "9:9"]) == 0.5
    low, high = bootstrap([0.0, 1.0] * 20)
    assert 0.3 < low < 0.5 < high < 0.7


def test_bad_question_files_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "q.json"
    bad.write_text(json.dumps([{"question": "why?"}]), encoding="utf-8")
    with pytest.raises(AssistantError, match="neither codes nor relevant"):
        load_gold(bad)
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(AssistantError, match="not valid JSON"):
        load_gold(bad)
