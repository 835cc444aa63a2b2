"""The relevance floor: off-topic questions get the refusal phrase, not confident quotes.

Search scores are min-max scaled, so the best hit scores ~1 for any query; the floor uses the
absolute best cosine similarity (threshold measured in assistant/answer/relevance.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer.prompts import refusal_phrase
from assistant.answer.relevance import MIN_COSINE, PROBES, best_cosine, floor, is_on_topic
from assistant.model import Filters
from assistant.retrieve import Retriever
from assistant.service import Assistant, make_assistant


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    from index_helpers import embedder

    root = tmp_path_factory.mktemp("relevance")
    repo = Path(__file__).resolve().parents[1]
    service = make_assistant(
        corpus_dir=repo / "corpus", index_dir=root / "index", data_dir=root / "data"
    )
    service._embedder = embedder()
    service.build_index()
    return service


def test_the_floor_is_the_best_cosine() -> None:
    assert is_on_topic(MIN_COSINE) and is_on_topic(0.9)
    assert not is_on_topic(MIN_COSINE - 0.01)
    assert is_on_topic(0.4, 0.38) and not is_on_topic(0.37, 0.38)


def test_the_floor_is_calibrated_on_questions_no_study_answers(assistant: Assistant) -> None:
    retriever = Retriever(assistant.reader(), assistant.embedder, assistant.codebook())
    chance = max(best_cosine(retriever, p, None) for p in PROBES)
    assert floor(retriever) == pytest.approx(max(MIN_COSINE, chance + 0.02))
    # The vague but real question is answered; a probe never is.
    assert assistant.on_topic("what went wrong?")
    assert not any(assistant.on_topic(p) for p in PROBES)


@pytest.mark.parametrize("question", ["\U0001f600", "kubernetes", "recipe for banana bread"])
def test_off_topic_questions_are_refused(assistant: Assistant, question: str) -> None:
    assert assistant.search(question)  # search alone always finds something to rank first
    answer = assistant.ask(question)
    assert answer.refused
    assert answer.text == refusal_phrase()
    assert answer.citations == [] and answer.evidence == []


def test_filters_do_not_count_against_a_real_question(assistant: Assistant) -> None:
    """Within one code the best cosine of a real question can fall below the floor (0.399 for
    this one under MLP); the researcher chose those turns, so they are answered from."""
    question = "why did projects run late?"
    mlp = Filters(codes=("ML-pipeline-issues [MLP]",))
    retriever = Retriever(assistant.reader(), assistant.embedder, assistant.codebook())
    assert not assistant.on_topic(question, filters=mlp)
    answer = assistant.ask(question, filters=mlp)
    assert not answer.refused and answer.citations
    assert all("ML-pipeline-issues [MLP]" in c.evidence.turn.codes for c in answer.citations)
    assert best_cosine(retriever, question, mlp) < best_cosine(retriever, question, None)
    off = assistant.ask("kubernetes", filters=mlp)
    assert off.refused and off.citations == []


def test_real_questions_are_answered(assistant: Assistant) -> None:
    answer = assistant.ask("why did projects run late?")
    assert not answer.refused and answer.citations
    assert any("environment not being ready" in c.quote for c in answer.citations)


def test_the_signal_is_absolute_not_relative(assistant: Assistant) -> None:
    retriever = Retriever(assistant.reader(), assistant.embedder, assistant.codebook())
    on = best_cosine(retriever, "what were the challenges during deployment?", None)
    off = best_cosine(retriever, "kubernetes", None)
    assert on >= floor(retriever) > off
    # A single word the interviews use is on topic.
    assert best_cosine(retriever, "consultants", None) >= floor(retriever)
    # Filters narrow the turns the floor looks at, as they narrow the search.
    assert best_cosine(retriever, "kubernetes", Filters(interviews=("12",))) == off
    assert best_cosine(retriever, "kubernetes", Filters(speakers=("interviewer",))) <= off


def test_the_floor_is_kept_in_the_index_until_a_build_changes_it(tmp_path: Path) -> None:
    from index_helpers import ONE, corpus, embedder, interview, small_corpus

    from assistant.index import Indexer, open_index
    from assistant.settings import load_settings

    settings = load_settings(index_dir=tmp_path / "index")
    Indexer(settings, embedder()).build(small_corpus())
    asked: list[str] = []

    class Counting(type(embedder())):  # type: ignore[misc]
        def get_query_embedding(self, query: str) -> list[float]:
            asked.append(query)
            return super().get_query_embedding(query)

    def fresh_floor() -> float:
        return floor(Retriever(open_index(settings, embedder()), Counting()))

    first = fresh_floor()
    assert set(PROBES) <= set(asked)
    asked.clear()
    assert fresh_floor() == first and asked == []
    # Another corpus, another floor: the kept one is not used.
    Indexer(settings, embedder()).build(corpus(interview("1", ONE)))
    fresh_floor()
    assert set(PROBES) <= set(asked)
