"""``assistant index`` and ``assistant search`` through the CLI entry point."""

from __future__ import annotations

import json
import re

import pytest
from index_helpers import (
    ONE,
    TWO,
    FakeCodebook,
    corpus,
    embedded_count,
    embedded_texts,
    embedder,
    interview,
    small_corpus,
)

from assistant import service
from assistant.cli import main
from assistant.model import Corpus, LoadProblem


@pytest.fixture(autouse=True)
def fakes(monkeypatch: pytest.MonkeyPatch) -> dict[str, Corpus]:
    """The corpus each command loads, and the shared embedder (no model reload per test)."""
    state = {"corpus": small_corpus()}
    monkeypatch.setattr(service.Assistant, "load_corpus", lambda self, *a, **k: state["corpus"])
    monkeypatch.setattr(service.Assistant, "embedder", property(lambda self: embedder()))
    monkeypatch.setattr(
        service.Assistant,
        "codebook",
        lambda self, c=None: FakeCodebook(e.turn for e in self.reader().all_turns()),
    )
    return state


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_index_json_then_incremental(capsys, fakes) -> None:
    first = run_json(capsys, "index", "--json")
    assert {k: first[k] for k in ("added", "changed", "removed", "unchanged")} == {
        "added": ["1", "2", "3"],
        "changed": [],
        "removed": [],
        "unchanged": [],
    }
    assert first["turns_embedded"] == embedded_count(small_corpus()) and first["seconds"] >= 0
    fakes["corpus"] = corpus(interview("1", ONE), interview("2", TWO[:3], rev="cut"))
    second = run_json(capsys, "index", "--json")
    assert second["changed"] == ["2"] and second["removed"] == ["3"]
    assert second["unchanged"] == ["1"] and second["turns_embedded"] == 0


def test_index_human_output(capsys, fakes) -> None:
    assert main(["index"]) == 0
    out = capsys.readouterr().out
    one = len(embedded_texts(interview("1", ONE)))
    assert f"+ added        1  Interview 1  (6 turns, {one} embedded)" in out
    total = embedded_count(small_corpus())
    assert f"0 removed, 0 unchanged; {total} texts embedded (turns and the utterances" in out
    fakes["corpus"] = Corpus(
        (interview("1", ONE), interview("2", TWO)),
        errors=(LoadProblem("corpus/Interview 3.txt", "not UTF-8 text", line=2),),
    )
    assert main(["index"]) == 0
    captured = capsys.readouterr()
    assert "corpus/Interview 3.txt, line 2: not UTF-8 text" in captured.err
    assert "! kept         3  " in captured.out
    assert "= unchanged    1  Interview 1" in captured.out


def test_index_refuses_empty_corpus(capsys, fakes) -> None:
    fakes["corpus"] = Corpus(())
    assert main(["index"]) == 1
    assert "no transcript could be read" in capsys.readouterr().err


def test_search_json_shape(capsys) -> None:
    run_json(capsys, "index", "--json")
    data = run_json(
        capsys, "search", "upstream API changed and the pipeline broke", "-k", "2", "--json"
    )
    first = data["results"][0]
    assert list(first) == [
        "key",
        "interview",
        "title",
        "source",
        "turn",
        "speaker",
        "role",
        "codes",
        "lines",
        "pages",
        "time",
        "score",
        "why",
        "text",
        "unit",
        "asked",
    ]
    assert first["unit"].startswith(("utterance:1:", "exchange:1:"))
    assert first["key"] == "1:2" and first["lines"] == [4, 4] and first["pages"] is None
    assert first["codes"] == ["ML-pipeline-issues [MLP]", "MLP-unstable-external-dependency"]
    assert len(data["results"]) == 2


def test_search_human_output_and_filters(capsys) -> None:
    run_json(capsys, "index", "--json")
    assert main(["search", "library update", "--code", "MLP", "--interview", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(" 1. 2:4      Interview 2 · Sara (participant) · line 8 · score ")
    assert "codes: MLP-unstable-external-dependency" in out
    # The unit that holds the turn, and the retrievers that ranked it (which of the question's
    # exchange or the answer's utterance leads is the ranking's business, not this test's).
    assert re.search(r"found by: (exchange 2:3-4|utterance 2:4): dense #[12]\b", out)
    assert "A third-party library update silently changed the preprocessing." in out
    assert main(["search", "anything", "--speaker", "nobody"]) == 1
    assert "no speaker 'nobody'" in capsys.readouterr().err
    assert main(["search", "images", "--mode", "bm25", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["why"].endswith(": bm25 #1")


def test_search_before_index(capsys) -> None:
    assert main(["search", "anything"]) == 1
    assert "no index at" in capsys.readouterr().err


def test_search_k_is_bounded_like_the_setting(capsys) -> None:
    # Checked before the index is opened: no work is done for a -k that will be refused.
    for k in ("0", "101", "99999999999999999999"):
        assert main(["search", "anything", "-k", k]) == 1
        assert capsys.readouterr().err == (
            "assistant: -k must be between 1 and 100 (turns retrieved; ASSISTANT_TOP_K has the "
            "same bound)\n"
        )
