"""Hybrid search: filters on both retrievers, abbreviations with children, fusion, why."""

from __future__ import annotations

from pathlib import Path

import pytest
from index_helpers import (
    MLP,
    MLP_DEP,
    PRIVACY,
    FakeCodebook,
    corpus,
    embedder,
    interview,
    small_corpus,
)

import assistant.retrieve as retrieve_mod
from assistant.codebook import Codebook
from assistant.codematch import MIN_SCORE
from assistant.errors import AssistantError
from assistant.index import Indexer, open_index
from assistant.model import Filters
from assistant.retrieve import (
    CODE_SURE,
    Retriever,
    _certainty,
    rrf,
    score_fusion,
    tokenize,
)
from assistant.settings import load_settings


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    settings = load_settings(index_dir=tmp_path_factory.mktemp("retrieve") / "index")
    c = small_corpus()
    Indexer(settings, embedder()).build(c)
    reader = open_index(settings, embedder())
    return Retriever(reader, embedder(), FakeCodebook(t for i in c.interviews for t in i.turns))


@pytest.fixture(autouse=True)
def _index_dir_kept(isolated_paths: Path) -> None:
    """The module-scoped index lives outside the per-test temp dir; nothing to do per test."""


def keys(results) -> list[str]:
    return [e.key for e in results]


def test_dense_finds_paraphrase(retriever: Retriever) -> None:
    found = retriever.search(
        "the provider changed its interface and it stopped working", k=2, mode="dense"
    )
    assert found[0].key == "1:2"
    assert found[0].why.endswith(": dense #1") and 0 < found[0].score <= 1


def test_bm25_finds_exact_words_and_french(retriever: Retriever) -> None:
    assert retriever.search("salespeople leads", k=1, mode="bm25")[0].key == "1:6"
    assert retriever.search("données manquantes", k=1, mode="bm25")[0].key == "3:2"
    # accents folded, plurals folded: "donnee" matches "données"
    assert retriever.search("donnee", k=1, mode="bm25")[0].key in {"3:1", "3:2"}
    assert retriever.search("the and of", k=5, mode="bm25") == []


def test_hybrid_names_both_retrievers(retriever: Retriever) -> None:
    found = retriever.search("pipeline broke because the upstream API changed", k=3)
    assert found[0].key == "1:2"
    assert "dense #" in found[0].why and "bm25 #" in found[0].why
    assert found[0].score > found[1].score


def test_code_abbreviation_includes_children(retriever: Retriever) -> None:
    found = retriever.search("problems", k=10, filters=Filters(codes=("MLP",)))
    assert set(keys(found)) == {"1:2", "2:4"}  # 2:4 carries only the child code
    for mode in ("dense", "bm25", "rrf", "hybrid"):
        got = retriever.search("library update", k=10, filters=Filters(codes=("MLP",)), mode=mode)
        assert set(keys(got)) <= {"1:2", "2:4"} and got
    only_child = retriever.search("anything", k=10, filters=Filters(codes=(MLP_DEP,)))
    assert set(keys(only_child)) == {"1:2", "2:4"}
    privacy = retriever.search("customer", k=10, filters=Filters(codes=(PRIVACY,)))
    assert keys(privacy) == ["1:4"]
    assert MLP in privacy[0].turn.codes or PRIVACY in privacy[0].turn.codes


def test_speaker_role_interview_filters(retriever: Retriever) -> None:
    asked = retriever.search("data", k=20, filters=Filters(roles=("interviewer",)))
    assert asked and all(e.turn.role == "interviewer" for e in asked)
    # "interviewer 1" matches "Interviewer1" and "Interviewer 1"; "interviewer" every interviewer
    one = retriever.search("data", k=20, filters=Filters(speakers=("interviewer 1",)))
    assert {e.turn.speaker for e in one} == {"Interviewer 1", "Interviewer1"}
    every = retriever.search("data", k=20, filters=Filters(speakers=("INTERVIEWER",)))
    assert {e.turn.speaker for e in every} == {
        "Interviewer 1",
        "Interviewer 2",
        "Interviewer1",
        "Interviewer",
    }
    # Typed the way a transcriber slips ("Interviewer1 1"): still Interviewer 1, as in quotes.
    slip = retriever.search("data", k=20, filters=Filters(speakers=("Interviewer1 1",)))
    assert {e.turn.speaker for e in slip} == {"Interviewer 1", "Interviewer1"}
    two = retriever.search("data", k=20, filters=Filters(interviews=("2",), speakers=("sara",)))
    assert keys(two) and all(k in {"2:2", "2:4"} for k in keys(two))
    for mode in ("dense", "bm25"):
        got = retriever.search("images", k=20, filters=Filters(interviews=("2",)), mode=mode)
        assert got and all(e.turn.interview_id == "2" for e in got)


def test_same_scope_on_both_sides(retriever: Retriever) -> None:
    scope = retriever.resolve(Filters(codes=("MLP",), roles=("participant",)))
    in_scope = {e.key for e in retriever.reader.all_turns() if scope.matches(e.turn)}
    turn_nodes = retriever.reader._collection.by_kind["turn"]
    got = turn_nodes.get(where=scope.to_where(), include=["metadatas"])
    assert {m["key"] for m in got["metadatas"]} == in_scope == {"1:2", "2:4"}
    # BM25 ranks units: the units in scope are the utterances of exactly those turns.
    from assistant.index.keyword import _scope_sql

    condition, args = _scope_sql(scope)
    side = retriever.reader._side
    positions = [p for (p,) in side.rows(f"SELECT u.pos FROM units u WHERE {condition}", args)]
    units = retriever.reader.units()
    assert {k for p in positions for k in units[p].keys} == in_scope


def test_unknown_filters_are_clear_errors(retriever: Retriever) -> None:
    with pytest.raises(AssistantError, match="no interview 99 in the index"):
        retriever.search("x", filters=Filters(interviews=("99",)))
    with pytest.raises(AssistantError, match="no speaker 'bob'.*Amin"):
        retriever.search("x", filters=Filters(speakers=("bob",)))
    with pytest.raises(AssistantError, match="unknown code"):
        retriever.search("x", filters=Filters(codes=("NOPE",)))
    with pytest.raises(AssistantError, match="unknown search mode"):
        retriever.search("x", mode="magic")
    with pytest.raises(AssistantError, match="empty"):
        retriever.search("   ")


def test_rrf_rewards_agreement() -> None:
    fused = rrf({"dense": [(1, 0.9), (2, 0.8)], "bm25": [(2, 5.0), (3, 4.0)]}, weights={})
    assert [p for p, _ in fused] == [2, 1, 3]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)
    weighted = rrf({"dense": [(1, 0.9)], "bm25": [(3, 4.0)]}, weights={"bm25": 0.3})
    assert [p for p, _ in weighted] == [1, 3]


def test_score_fusion_scales_each_side_then_mixes(monkeypatch: pytest.MonkeyPatch) -> None:
    # BM25 scores are on another scale than cosines: only their spread within a query counts.
    fused = score_fusion(
        {"dense": [(1, 0.9), (2, 0.5), (3, 0.1)], "bm25": [(3, 12.0), (2, 11.0), (4, 2.0)]},
        dense_share=0.75,
    )
    scores = dict(fused)
    assert scores[1] == pytest.approx(0.75)
    assert scores[2] == pytest.approx(0.75 * 0.5 + 0.25 * 0.9)
    assert scores[3] == pytest.approx(0.25)
    assert scores[4] == pytest.approx(0.0)
    assert [p for p, _ in fused] == [1, 2, 3, 4]
    # One candidate on a side (no spread) counts fully; an empty side adds nothing.
    assert score_fusion({"dense": [(7, 0.3)], "bm25": []}) == [(7, 0.75)]
    # The share is read at each call: the benchmarks tune it by setting the module's constant.
    monkeypatch.setattr("assistant.retrieve.DENSE_SHARE", 0.6)
    assert score_fusion({"dense": [(7, 0.3)], "bm25": []}) == [(7, 0.6)]


def test_tokenize_conversational_text() -> None:
    assert tokenize("Uh, yeah, so the models were, um, like, really unstable!") == [
        "model",
        "unstable",
    ]
    assert tokenize("Les dépendances externes") == ["dependance", "externe"]
    assert tokenize("We didn't know") == []


OFF_TOPIC_ANSWER = [
    ("Interviewer 1", "Why did your machine learning projects run late?", ()),
    ("Noor", "I had pasta for lunch today and then we walked in the park.", ()),
    ("Interviewer 1", "Is there anything else you would like to tell me about your work?", ()),
    (
        "Noor",
        "Delivery slipped by months: the client's servers were never ready for deployment.",
        (),
    ),
    ("Interviewer 1", "What do you think of the weather here?", ()),
    ("Noor", "The weather is cold and rainy in the winter, sunny in the summer.", ()),
]


@pytest.fixture(scope="module")
def off_topic(tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    settings = load_settings(index_dir=tmp_path_factory.mktemp("answered") / "index")
    Indexer(settings, embedder()).build(corpus(interview("8", OFF_TOPIC_ANSWER)))
    return Retriever(open_index(settings, embedder()), embedder())


def test_a_question_that_matches_counts_only_as_much_as_its_answer(
    off_topic: Retriever, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "why did projects run late?"
    first = off_topic.retrieve(question, k=3).hits[0]
    assert "8:4" in first.unit.keys and "8:2" not in first.unit.keys
    # Scored by the question alone, the exchange with the off-topic answer led.
    monkeypatch.setattr(retrieve_mod, "ANSWER_POWER", 0.0)
    assert off_topic.retrieve(question, k=3).hits[0].unit.keys[:2] == ("8:1", "8:2")


def test_weak_code_matches_lift_their_passages_less() -> None:
    assert _certainty(MIN_SCORE) == 0.0
    assert _certainty(CODE_SURE) == _certainty(0.95) == 1.0
    assert 0.0 < _certainty((MIN_SCORE + CODE_SURE) / 2) < 1.0


def test_answers_leave_out_more_weak_units_when_no_code_matched(
    retriever: Retriever, off_topic: Retriever, monkeypatch: pytest.MonkeyPatch
) -> None:
    floors: list[tuple[float, float | None]] = []
    spread = retrieve_mod._spread

    def recording(units, fused, k, relative_floor=0.0, repeat_floor=None):  # type: ignore[no-untyped-def]
        floors.append((relative_floor, repeat_floor))
        return spread(units, fused, k, relative_floor, repeat_floor)

    monkeypatch.setattr(retrieve_mod, "_spread", recording)
    uncoded = off_topic.retrieve("why did projects run late?", k=8, relative_floor=0.3)
    turns = [t for i in small_corpus().interviews for t in i.turns]
    coded = Retriever(retriever.reader, embedder(), Codebook.from_turns(turns)).retrieve(
        "machine learning pipeline issues", k=8, codes=[MLP], relative_floor=0.3
    )
    searched = off_topic.retrieve("why did projects run late?", k=8)
    assert coded.codes and not uncoded.codes
    assert floors == [(0.3, retrieve_mod.UNCODED_FLOOR), (0.3, 0.3), (0.0, 0.0)]
    top = uncoded.hits[0].score
    seen: set[str] = set()
    for hit in uncoded.hits:
        floor = retrieve_mod.UNCODED_FLOOR if hit.unit.interview_id in seen else 0.3
        assert hit.score >= floor * top
        seen.add(hit.unit.interview_id)
    assert len(searched.hits) >= len(uncoded.hits)


def test_a_weak_unit_gets_into_an_answer_only_from_an_interview_not_yet_in_it() -> None:
    from assistant.units import Unit

    units = [
        Unit("utterance", "1", (1,)),
        Unit("utterance", "1", (5,)),
        Unit("utterance", "2", (3,)),
        Unit("utterance", "3", (7,)),
    ]
    # A second unit of interview 1 and the first of interview 2, both under the repeat floor;
    # interview 3's under the floor for every unit.
    fused = [(0, 1.0), (1, 0.38), (2, 0.35), (3, 0.2)]
    assert retrieve_mod._spread(units, fused, 8, 0.3, 0.6) == [(0, 1.0), (2, 0.35)]
    assert retrieve_mod._spread(units, fused, 8, 0.3) == [(0, 1.0), (2, 0.35), (1, 0.38)]
    # A search (no floor) lists every unit.
    assert len(retrieve_mod._spread(units, fused, 8)) == 4


def test_units_read_together_match_their_turns(tmp_path: Path) -> None:
    """A search reads hundreds of units' kinds, codes and "only asks" flags in a few queries;
    each must be what the unit's own turns say (``is_said``, the turns' codes)."""
    from assistant.units import is_said

    turns = [
        ("Interviewer", "What slowed the project down?", ("Q8.1",)),
        ("Interviewer", "And the data?", ()),
        ("Ana", "Waiting for the client to share the data.", ("MLP-unstable-external-dependency",)),
        ("Interviewer", "The vendor kept changing the interface.", ("ML-pipeline-issues [MLP]",)),
        ("Ana", "Yes, every month.", ()),
        ("Interviewer", "How did you monitor drift?", ("Q4.1", "Q4.2")),
        ("Ana", "Dashboards.", ("MM-drift", "Q4.1")),
    ]
    settings = load_settings(index_dir=tmp_path / "index")
    Indexer(settings, embedder()).build(corpus(interview("7", turns)))
    reader = open_index(settings, embedder())
    units = list(reader.units())
    positions = list(range(1, len(units) + 1))
    at = reader.units_at(positions)
    assert sorted((u.kind, u.ordinals) for u in at.values()) == sorted(
        (u.kind, u.ordinals) for u in units
    )
    expected_asks = {
        pos
        for pos, unit in at.items()
        if not any(is_said(e.turn) for k in unit.keys if (e := reader.evidence(k)) is not None)
    }
    assert reader.asking_only(positions) == expected_asks
    assert reader.asking_only(positions[::-1]) == expected_asks  # from its cache this time
    assert {at[p].ordinals for p in expected_asks} >= {(1, 2), (6,)}
    codes = reader.unit_codes(positions)
    for pos, unit in at.items():
        turn_codes = {c for k in unit.keys if (e := reader.evidence(k)) for c in e.turn.codes}
        assert codes[pos] == turn_codes
    reader.close()

    # Turns read together (a search quotes several units at once) are the turns read one by
    # one; keys the index does not have are skipped, not invented.
    together = open_index(settings, embedder())
    keys = [f"7:{n}" for n in range(1, 8)]
    together.read_turns([*keys, "7:99", "8:1", "not a key"])
    with together._side._lock:  # no query may be needed now: a closed store would fail one
        together._side._db.close()
        read = [together.evidence(k) for k in keys]
    alone = open_index(settings, embedder())
    assert read == [alone.evidence(k) for k in keys] and None not in read
    assert alone.evidence("7:99") is None and alone.evidence("8:1") is None
    alone.close()
