"""Retrieval evaluation: metrics on hand-computed cases, code names in words, queries, and an
end-to-end run on the shipped interview with its codes hidden from the index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.codebook import code_in_words, is_question_tag
from assistant.errors import AssistantError
from assistant.evaluate import (
    build_queries,
    hide_codes,
    load_questions,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank,
    score,
)
from assistant.model import Corpus, Interview, Paragraph, Turn

QUESTIONS_FILE = Path(__file__).parent / "data" / "question_tags.json"

# ranked a b c d; relevant b d x. Worked by hand:
#   top 3 holds b at rank 2: recall 1/3, RR 1/2, DCG 1/log2(3) = 0.63093,
#   ideal DCG (3 relevant) = 1 + 0.63093 + 1/log2(4) = 2.13093, nDCG 0.29608.
#   top 4 adds d at rank 4: recall 2/3, DCG 0.63093 + 1/log2(5) = 1.06161, nDCG 0.49819.
RANKED = ["a", "b", "c", "d"]
RELEVANT = {"b", "d", "x"}


def test_recall_counts_relevant_found_in_the_top_k() -> None:
    assert recall_at_k(RANKED, RELEVANT, 3) == pytest.approx(1 / 3)
    assert recall_at_k(RANKED, RELEVANT, 4) == pytest.approx(2 / 3)
    assert recall_at_k(RANKED, RELEVANT, 1) == 0.0


def test_recall_is_capped_when_a_code_has_more_turns_than_k() -> None:
    assert recall_at_k(["a", "b"], {"a", "b", "c", "d", "e"}, 2) == pytest.approx(0.4)


def test_reciprocal_rank_is_that_of_the_first_hit_within_k() -> None:
    assert reciprocal_rank(RANKED, RELEVANT, 10) == 0.5
    assert reciprocal_rank(["x", "b"], RELEVANT, 10) == 1.0
    assert reciprocal_rank(RANKED, RELEVANT, 1) == 0.0
    assert reciprocal_rank([], RELEVANT, 10) == 0.0


def test_ndcg_on_hand_computed_cases() -> None:
    assert ndcg_at_k(RANKED, RELEVANT, 3) == pytest.approx(0.29608, abs=1e-5)
    assert ndcg_at_k(RANKED, RELEVANT, 4) == pytest.approx(0.49819, abs=1e-5)
    assert ndcg_at_k(["a", "b", "c"], {"a", "b"}, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["c", "a", "b"], {"a", "b"}, 10) < 1.0
    assert ndcg_at_k(["c", "d"], {"a"}, 10) == 0.0


def test_ndcg_ideal_is_limited_to_k_hits() -> None:
    # 5 relevant, k=2, both slots hit: as good as possible at that depth.
    assert ndcg_at_k(["a", "b"], {"a", "b", "c", "d", "e"}, 2) == pytest.approx(1.0)


def test_a_duplicate_hit_is_not_counted_twice() -> None:
    # DCG = 1 (rank 1 only); ideal for 2 relevant = 1 + 1/log2(3) -> 0.61315
    assert ndcg_at_k(["a", "a"], {"a", "b"}, 2) == pytest.approx(0.61315, abs=1e-5)
    assert recall_at_k(["a", "a"], {"a", "b"}, 2) == 0.5


def test_metrics_refuse_an_empty_relevant_set() -> None:
    with pytest.raises(ValueError):
        recall_at_k(RANKED, set(), 10)
    with pytest.raises(ValueError):
        ndcg_at_k(RANKED, set(), 10)


def test_score_gives_the_three_metrics() -> None:
    assert score(RANKED, RELEVANT, 3) == pytest.approx(
        {"recall": 1 / 3, "mrr": 0.5, "ndcg": 0.29608}, abs=1e-5
    )


LABELS = {
    "MLP-unstable-external-dependency",
    "MLP-costly-platforms",
    "ML-pipeline-issues [MLP]",
    "Data-low-quality",
    "Data-low-quality-fix",
    "MM-drift",
    "MM-drift-fix",
    "QM-robustness",
    "QM-scalability-issues",
    "Quality-Measures (QM)",
    "Model-Evaluation-issues [ME]",
    "ME-testing-model-challenging",
    "feedback-loop",
    "Q4.3",
}


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("MLP-unstable-external-dependency", "unstable external dependency, ML pipeline issues"),
        ("ML-pipeline-issues [MLP]", "ML pipeline issues"),
        ("ME-testing-model-challenging", "testing model challenging, model evaluation issues"),
        ("QM-robustness", "robustness, quality measures"),
        ("Data-low-quality", "data low quality"),
        ("Data-low-quality-fix", "fix for data low quality"),
        ("MM-drift", "drift"),
        ("MM-drift-fix", "fix for drift"),
        ("feedback-loop", "feedback loop"),
    ],
)
def test_code_names_in_words(code: str, words: str) -> None:
    assert code_in_words(code, LABELS) == words


def test_question_tags_are_recognised() -> None:
    assert is_question_tag("Q4.3") and is_question_tag("Q1") and is_question_tag("Q5.3.a")
    assert not is_question_tag("QM-robustness") and not is_question_tag("Q")


def _turn(ordinal: int, text: str, *codes: str) -> Turn:
    return Turn(
        "7", ordinal, "Interviewee", "participant", (Paragraph(text, codes, (ordinal, ordinal)),)
    )


def _corpus() -> Corpus:
    turns = (
        _turn(1, "We scrape weather data.", "MLP-unstable-external-dependency", "Q2.1"),
        _turn(2, "The API changed twice.", "MLP-unstable-external-dependency"),
        _turn(3, "Then it broke again.", "MLP-unstable-external-dependency", "Q2.1"),
        _turn(4, "Users rated predictions.", "Q4.3", "Q2.1"),
        _turn(5, "Nothing coded here."),
        _turn(6, "Stakeholders again.", "Q4.3", "Q8.1"),
        _turn(7, "More.", "Q4.3", "Q8.1"),
        _turn(8, "And more.", "Q8.1", "ML-pipeline-issues [MLP]"),
    )
    return Corpus((Interview("7", "Interview 7", "i7.txt", "delve-text", "0" * 64, turns),))


def test_build_queries_one_per_qualifying_code() -> None:
    queries, skipped = build_queries(_corpus(), {"Q2.1": "Do you use X?", "Q4.3": "Users?"}, 3)
    by_code = {q.code: q for q in queries}
    assert sorted(by_code) == ["MLP-unstable-external-dependency", "Q2.1", "Q4.3"]
    assert by_code["MLP-unstable-external-dependency"].query == (
        "unstable external dependency, ML pipeline issues"
    )
    assert by_code["MLP-unstable-external-dependency"].relevant == {"7:1", "7:2", "7:3"}
    assert by_code["Q2.1"].kind == "question" and by_code["Q2.1"].query == "Do you use X?"
    # question tags are searched in the interviews whose coders used them; codes everywhere
    assert by_code["Q2.1"].interviews == ("7",)
    assert by_code["MLP-unstable-external-dependency"].interviews == ()
    assert by_code["Q4.3"].relevant == {"7:4", "7:6", "7:7"}
    assert {s.code: s.reason for s in skipped} == {
        "ML-pipeline-issues [MLP]": "fewer than 3 turns",
        "Q8.1": "no question text for this tag",
    }


def test_hide_codes_keeps_text_and_spans_and_drops_every_code() -> None:
    original = _corpus()
    hidden = hide_codes(original)
    before = original.interviews[0].turns
    after = hidden.interviews[0].turns
    assert [t.text for t in after] == [t.text for t in before]
    assert [t.key for t in after] == [t.key for t in before]
    assert [t.lines for t in after] == [t.lines for t in before]
    assert all(t.codes == () for t in after)
    assert before[0].codes  # the original is untouched


def test_load_questions_json_and_toml(tmp_path: Path) -> None:
    shipped = load_questions(QUESTIONS_FILE)
    assert shipped["Q4.3"] == (
        "Have you ever assessed the quality of an ML model’s predictions with the users of "
        "your system?"
    )
    assert shipped["Q2"] == "Data collection questions"
    assert len(shipped) == 38
    toml = tmp_path / "q.toml"
    toml.write_text('[questions]\n"Q1" = "What  are the\\nissues?"\n', encoding="utf-8")
    assert load_questions(toml) == {"Q1": "What are the issues?"}
    flat = tmp_path / "q.json"
    flat.write_text(json.dumps({"Q9": "Pressing?"}), encoding="utf-8")
    assert load_questions(flat) == {"Q9": "Pressing?"}


@pytest.mark.parametrize("content", ["{not json", '{"Q1": 3}', "[1, 2]", '{"Q1": "  "}'])
def test_load_questions_rejects_bad_files_naming_them(tmp_path: Path, content: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(AssistantError, match="bad.json"):
        load_questions(bad)
    with pytest.raises(AssistantError, match="missing.json"):
        load_questions(tmp_path / "missing.json")


# -- end to end on the shipped interview ---------------------------------------------------


@pytest.fixture(scope="module")
def embedder():  # type: ignore[no-untyped-def]
    from assistant.embeddings import make_embedder
    from assistant.settings import Settings

    return make_embedder(Settings())


def test_eval_end_to_end_on_the_shipped_interview(
    tmp_path: Path, shipped_file: Path, embedder: object, isolated_paths: Path
) -> None:
    from assistant.evaluate import evaluate, turns_by_code
    from assistant.ingest import load_corpus
    from assistant.settings import load_settings

    corpus = load_corpus([shipped_file])
    settings = load_settings()
    by_code = turns_by_code(corpus)
    assert by_code, "the shipped interview is coded"
    work = tmp_path / "work"
    report = evaluate(
        corpus,
        settings,
        embedder,  # type: ignore[arg-type]
        questions=load_questions(QUESTIONS_FILE),
        min_count=2,
        k=10,
        work_dir=work,
    ).to_dict()

    expected = sorted(c for c, keys in by_code.items() if len(keys) >= 2)
    scored = [r["code"] for r in report["per_code"]]
    skipped = {s["code"]: s["reason"] for s in report["skipped"]}
    assert sorted(scored + [c for c in skipped if c in expected]) == expected
    assert all(skipped[c] == "no question text for this tag" for c in expected if c in skipped)
    assert report["corpus"]["interviews"] == 1
    assert report["corpus"]["turns"] == len(corpus.interviews[0].turns)
    assert set(report["overall"]) == {"bm25", "dense", "hybrid"}
    all_keys = {t.key for t in corpus.interviews[0].turns}
    for row in report["per_code"]:
        relevant = by_code[row["code"]]
        assert row["relevant"] == len(relevant)
        if row["kind"] == "question":
            assert row["query"] == load_questions(QUESTIONS_FILE)[row["code"]]
        for mode in ("bm25", "dense", "hybrid"):
            top = row["top"][mode]
            assert len(top) <= 10 and set(top) <= all_keys
            # the reported figures are the metrics of the reported ranking
            assert row["metrics"][mode] == pytest.approx(score(top, relevant, 10), abs=1e-4)
        assert row["top"]["dense"], "dense search always returns turns"
    for mode in ("bm25", "dense", "hybrid"):
        for metric in ("recall", "mrr", "ndcg"):
            values = [r["metrics"][mode][metric] for r in report["per_code"]]
            assert report["overall"][mode][metric] == pytest.approx(
                sum(values) / len(values), abs=1e-3
            )

    # The temporary index holds the turns' text but no code, in text or metadata. Read through
    # Chroma, not as raw file bytes: a database page can hold bytes its process wrote for an
    # unrelated index earlier in the test session, which no query returns.
    stored = _stored_records(work)
    assert corpus.interviews[0].turns[5].text.split("\n")[0][:60] in stored
    for code in by_code:
        assert code not in stored, f"code {code} leaked into the evaluation index"
    # ... and the user's own index was never created.
    assert not (isolated_paths / "index").exists()


def test_eval_refuses_an_uncoded_corpus(tmp_path: Path, embedder: object) -> None:
    from assistant.evaluate import evaluate
    from assistant.settings import load_settings

    plain = hide_codes(_corpus())
    with pytest.raises(AssistantError, match="no turn carries a code"):
        evaluate(plain, load_settings(), embedder, min_count=1)  # type: ignore[arg-type]
    with pytest.raises(AssistantError, match="no code qualifies"):
        evaluate(_corpus(), load_settings(), embedder, min_count=50)  # type: ignore[arg-type]


def _stored_records(folder: Path) -> str:
    """Every document, metadata and collection metadata of every index under ``folder``."""
    import json

    import chromadb
    from chromadb.config import Settings as ChromaSettings

    out = []
    for database in folder.rglob("chroma.sqlite3"):
        client = chromadb.PersistentClient(
            path=str(database.parent), settings=ChromaSettings(anonymized_telemetry=False)
        )
        for name in client.list_collections():
            collection = client.get_collection(getattr(name, "name", name))
            out.append(json.dumps(collection.metadata, ensure_ascii=False))
            got = collection.get(include=["documents", "metadatas"])
            out.append(json.dumps([got["documents"], got["metadatas"]], ensure_ascii=False))
    assert out, f"no index under {folder}"
    return "\n".join(out)
