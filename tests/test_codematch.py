"""Questions matched to the researchers' codes, on the study's own code book."""

from __future__ import annotations

from pathlib import Path

import pytest
from index_helpers import embedder

from assistant.codebook import Code, Codebook
from assistant.codematch import CodeMatcher, asks_for_mitigation, describe
from assistant.embedder import embed_texts
from assistant.model import CodeMatch


def _codebook(labels: list[str]) -> Codebook:
    return Codebook({label: Code(label, applications=3, interviews=2) for label in labels})


def _matcher(book: Codebook) -> CodeMatcher:
    return CodeMatcher.build(book, lambda texts: embed_texts(embedder(), texts))


def _top(matcher: CodeMatcher, question: str) -> str:
    vector = embed_texts(embedder(), [question])[0]
    return matcher.scores(question, vector)[0][0]


STUDY = [
    "MM-drift",
    "MM-drift-fix",
    "Data-noisy-labels",
    "Data-noisy-label-fix",
    "Data-missing-value",
    "QM-data-privacy-issues",
    "QM-explainability-issues",
    "ML-pipeline-issues [MLP]",
    "MLP-unstable-external-dependency",
    "Misc",
    "Q4.3",
]


def test_codes_are_described_in_words() -> None:
    book = _codebook(STUDY)
    assert describe(book, "MLP-unstable-external-dependency") == (
        "unstable external dependency, ML pipeline issues"
    )
    assert describe(book, "Data-noisy-label-fix") == "fix for data noisy label"


def test_question_words_choose_the_code_and_mitigations_follow_the_question() -> None:
    matcher = _matcher(_codebook(STUDY))
    assert "Misc" not in matcher.labels and "Q4.3" not in matcher.labels
    assert _top(matcher, "what did participants say about data drift?") == "MM-drift"
    assert _top(matcher, "how did they deal with noisy labels?") == "Data-noisy-label-fix"
    assert _top(matcher, "were labels noisy?") == "Data-noisy-labels"
    assert asks_for_mitigation("how did teams handle it") and not asks_for_mitigation("why")


def test_votes_of_the_closest_passages_decide_a_question_worded_unlike_any_code() -> None:
    matcher = _matcher(_codebook(STUDY))
    question = "why did the quality go down after the merger?"
    vector = embed_texts(embedder(), [question])[0]
    without = dict(matcher.scores(question, vector))
    with_votes = dict(matcher.scores(question, vector, {"MM-drift": 0.6}))
    assert with_votes["MM-drift"] == pytest.approx(without["MM-drift"] + 0.6)
    matched = matcher.match(question, vector, {"MM-drift": 0.6})
    assert [m.code for m in matched][:1] == ["MM-drift"]
    assert str(matched[0]) == "MM-drift 3 passages in 2 interviews"


def test_off_topic_questions_match_no_code() -> None:
    matcher = _matcher(_codebook(STUDY))
    question = "what is the capital of France?"
    assert matcher.match(question, embed_texts(embedder(), [question])[0]) == []


@pytest.mark.shared_corpus
def test_study_codebook_matches(shared_corpus: Path) -> None:
    from assistant.ingest import load_corpus

    moderation = shared_corpus / "delve-pdf" / "moderation"
    files = sorted(moderation.glob("*Interview 1[25]*.pdf"))
    corpus = load_corpus(files)
    book = Codebook.from_turns(t for i in corpus.interviews for t in i.turns)
    matcher = _matcher(book)
    assert _top(matcher, "what did participants say about data drift?") == "MM-drift"


def test_a_single_passage_or_interview_reads_in_the_singular() -> None:
    assert str(CodeMatch("MM-drift", 0.9, 1, 1)) == "MM-drift 1 passage in 1 interview"
    assert str(CodeMatch("MM-drift", 0.9, 2, 1)) == "MM-drift 2 passages in 1 interview"
