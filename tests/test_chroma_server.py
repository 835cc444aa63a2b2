"""ASSISTANT_CHROMA_URL: build and search against a real Chroma server on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from index_helpers import FakeCodebook, embedded_count, embedder, small_corpus

from assistant.index import Indexer, open_index
from assistant.model import Filters
from assistant.retrieve import Retriever
from assistant.settings import load_settings


def test_build_and_search_on_a_server(
    chroma_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", chroma_server)
    settings = load_settings()
    assert settings.chroma_url == chroma_server
    c = small_corpus()
    report = Indexer(settings, embedder()).build(c)
    assert report.added == ["1", "2", "3"] and report.turns_embedded == embedded_count(c)
    # Nothing was written to the local index folder but the build lock.
    assert not (Path(settings.index_dir) / "chroma").exists()
    reader = open_index(settings, embedder())
    assert len(reader.all_turns()) == 12
    retriever = Retriever(
        reader, embedder(), FakeCodebook(t for i in c.interviews for t in i.turns)
    )
    found = retriever.search("pipeline broke when the upstream API changed", k=3)
    assert found[0].key == "1:2" and "dense #" in found[0].why
    coded = retriever.search("anything", k=10, filters=Filters(codes=("MLP",)))
    assert {e.key for e in coded} == {"1:2", "2:4"}
    again = Indexer(settings, embedder()).build(c)
    assert again.turns_embedded == 0 and not reader.is_outdated()
