"""Suggested codes: the vote of the nearest paragraphs, its reasons, and the command, which
never changes the corpus files."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.cli import main
from assistant.ingest import read_file
from assistant.model import Corpus, Interview, Paragraph, Turn
from assistant.suggest import Passage, Suggester, suggest_codes

WORDS = ["data", "late", "model", "hello", "privacy", "cluster"]


def embed(texts: Sequence[str]) -> np.ndarray:
    """Bag of known words, as unit vectors: similarity is shared vocabulary."""
    out = np.zeros((len(texts), len(WORDS)), dtype=np.float32)
    for i, text in enumerate(texts):
        for word in text.lower().replace(".", "").split():
            if word in WORDS:
                out[i, WORDS.index(word)] += 1
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.clip(norms, 1e-9, None)


def _corpus(rows: list[tuple[str, tuple[str, ...]]]) -> Corpus:
    turns = tuple(
        Turn("1", n, "Interviewee", "participant", (Paragraph(text, codes),))
        for n, (text, codes) in enumerate(rows, start=1)
    )
    return Corpus((Interview("1", "Interview 1", "i1.txt", "delve-text", "", turns),))


def test_confidence_is_the_similarity_weighted_share_of_neighbours() -> None:
    pool = [
        Passage("1:1", "1", 1, "data late", ("Late",)),
        Passage("1:2", "1", 1, "data late late", ("Late",)),
        Passage("1:3", "1", 1, "data", ()),
        Passage("1:4", "1", 1, "hello", ()),
    ]
    vectors = embed([p.text for p in pool])
    target = Passage("2:1", "2", 1, "data late", ())
    [vector] = embed([target.text])
    scores, neighbours = Suggester(pool, vectors).scores(vector, lambda p: False, k=3)
    sims = {pool[i].key: s for i, s in neighbours}
    assert set(sims) == {"1:1", "1:2", "1:3"}  # "hello" shares nothing: not a neighbour
    assert set(scores) == {"Late"}
    confidence, support = scores["Late"]
    assert confidence == pytest.approx((sims["1:1"] + sims["1:2"]) / sum(sims.values()))
    assert support == 2
    [suggestion] = Suggester(pool, vectors).suggest(target, vector, lambda p: False, k=3)
    assert (suggestion.code, [r.key for r in suggestion.because]) == ("Late", ["1:1", "1:2"])
    assert (
        Suggester(pool, vectors).suggest(target, vector, lambda p: False, k=3, threshold=0.99) == []
    )


def test_one_similar_passage_alone_is_not_enough() -> None:
    pool = [Passage("1:1", "1", 1, "cluster", ("Infra",)), Passage("1:2", "1", 1, "hello", ())]
    target = Passage("2:1", "2", 1, "cluster", ())
    [vector] = embed([target.text])
    suggester = Suggester(pool, embed([p.text for p in pool]))
    scores, _ = suggester.scores(vector, lambda p: False, k=2)
    assert scores == {"Infra": (1.0, 1)}
    assert suggester.suggest(target, vector, lambda p: False, k=2) == []


def test_only_uncoded_paragraphs_get_suggestions_and_small_talk_gets_none() -> None:
    corpus = _corpus(
        [
            ("The data was late.", ("Data-late",)),
            ("Late data again.", ("Data-late",)),
            ("Privacy of the data.", ("QM-privacy",)),
            ("Hello.", ()),
            ("Hello hello.", ()),
            ("The data came late.", ()),
            ("Hello there.", ()),
        ]
    )
    found = suggest_codes(corpus, embed, k=3)
    assert [(s.passage.key, s.code) for s in found] == [("1:6", "Data-late")]
    assert found[0].passage.text == "The data came late."
    only_privacy = suggest_codes(corpus, embed, k=3, codes=frozenset({"QM-privacy"}))
    assert all(s.code == "QM-privacy" for s in only_privacy)


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_cli_suggests_verbatim_passages_with_resolving_reasons_and_writes_nothing(
    shipped_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _digest(shipped_file.parent)
    assert main(["suggest", "--json", "--threshold", "0.2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"threshold", "k", "suggestions"}
    assert data["suggestions"], "no suggestion on the shipped interview at 0.2"
    interview = read_file(shipped_file)
    for item in data["suggestions"]:
        assert set(item) == {
            "key",
            "interview",
            "paragraph",
            "quote",
            "code",
            "confidence",
            "because",
        }
        turn = interview.turn(int(item["key"].split(":")[1]))
        assert turn is not None
        paragraph = turn.paragraphs[item["paragraph"] - 1]
        assert (paragraph.text, paragraph.codes) == (item["quote"], ())
        assert item["confidence"] >= 0.2
        assert 1 <= len(item["because"]) <= 3
        for reason in item["because"]:
            cited = interview.turn(int(reason["key"].split(":")[1]))
            assert cited is not None
            assert any(
                p.text == reason["quote"] and item["code"] in p.codes for p in cited.paragraphs
            )
    assert _digest(shipped_file.parent) == before
    assert not Path(os.environ["ASSISTANT_NOTES_FILE"]).exists()


def test_cli_on_an_uncoded_corpus_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Interview 5.txt").write_text(
        "Interviewer: What went wrong?\n\nParticipant: The data was late.\n", encoding="utf-8"
    )
    assert main(["suggest", str(tmp_path / "Interview 5.txt")]) == 1
    err = capsys.readouterr().err.strip().split("\n")
    assert err == [
        "assistant: no coded passages to learn from: suggest needs transcripts with codes "
        "(Delve exports or print-outs)"
    ]


def test_save_adds_the_suggested_passages_to_the_notes_only(
    shipped_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.notes import NotesFile

    before = _digest(shipped_file.parent)
    assert main(["suggest", "--json", "--save"]) == 0
    captured = capsys.readouterr()
    found = json.loads(captured.out)["suggestions"]
    assert found
    notes_file = Path(os.environ["ASSISTANT_NOTES_FILE"])
    assert captured.err.strip() == f"assistant: {len(found)} quote(s) added to {notes_file}"
    saved = NotesFile(notes_file).read()
    # Grouped under one heading per code, so compared regardless of order.
    assert sorted((q.key, q.question) for q in saved) == sorted(
        (s["key"], f"Suggested code {s['code']}") for s in found
    )
    text = notes_file.read_text(encoding="utf-8")
    assert "suggested code, not yet checked" in text
    for s in found:
        assert f"> {s['quote'].splitlines()[0]}" in text
    assert _digest(shipped_file.parent) == before
    # Saving again adds nothing: the same passages are already noted under the same headings.
    assert main(["suggest", "--save"]) == 0
    assert "0 quote(s) added" in capsys.readouterr().out
