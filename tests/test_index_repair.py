"""The index repairs itself: damaged vector files are rebuilt by the next build, and the space
of interrupted builds is given back.

Chroma keeps the vectors of a collection past about a thousand turns in segment files
(``data_level0.bin``, ``index_metadata.pickle``...); truncating them made every search an
internal error while `assistant index` reported everything "unchanged".
"""

from __future__ import annotations

import gc
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from index_helpers import FakeCodebook, corpus, embedded_count, embedder, interview

from assistant import service
from assistant.cli import main
from assistant.index import health, store
from assistant.model import Corpus

WORDS = "data model client deploy pipeline label privacy budget vendor cloud latency schema".split()


def big_corpus() -> Corpus:
    """1,200 short, distinct turns, each its own utterance (the speakers alternate): enough for
    Chroma to write the vector files of the turns and of the utterances that search reads."""
    turns = [
        (
            "Interviewer" if n % 2 else "Interviewee",
            f"turn {n}: the {WORDS[n % 12]} and the {WORDS[n * 7 % 12]} {n}",
            (),
        )
        for n in range(1, 1201)
    ]
    return corpus(interview("5", turns))


@pytest.fixture(autouse=True)
def fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    built = big_corpus()
    monkeypatch.setattr(service.Assistant, "load_corpus", lambda self, *a, **k: built)
    monkeypatch.setattr(service.Assistant, "embedder", property(lambda self: embedder()))
    monkeypatch.setattr(
        service.Assistant,
        "codebook",
        lambda self, c=None: FakeCodebook(e.turn for e in self.reader().all_turns()),
    )


def _fresh_process() -> None:
    """Each CLI run is a new process; Chroma caches one open database per folder per process.
    As at a process's exit, the cached systems are stopped and collected now: left to the
    garbage collector, one could write its vector files after a test has damaged them."""
    from chromadb.api.shared_system_client import SharedSystemClient

    for system in list(SharedSystemClient._identifier_to_system.values()):
        system.stop()
    SharedSystemClient.clear_system_cache()
    gc.collect()


def _segment_folders(chroma: Path) -> set[str]:
    return {p.name for p in chroma.iterdir() if p.is_dir()}


def _live_segments(chroma: Path) -> set[str]:
    with sqlite3.connect(chroma / "chroma.sqlite3") as db:
        return {str(row[0]) for row in db.execute("SELECT id FROM segments")}


def test_truncated_vector_files_are_one_line_then_repaired_by_the_next_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["index"]) == 0
    _fresh_process()
    chroma = tmp_path / "index" / "chroma"
    files = [f for f in chroma.glob("*/*") if f.suffix in (".bin", ".pickle")]
    assert any(f.name == "index_metadata.pickle" for f in files)
    for f in files:
        with f.open("r+b") as handle:
            handle.truncate(f.stat().st_size // 2)
    capsys.readouterr()

    assert main(["search", "vendor latency"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"assistant: the search vectors of the index at {tmp_path / 'index'} ")
    assert err.endswith("; run `assistant index` to repair them\n")
    assert len(err.splitlines()) == 1 and "internal error" not in err

    _fresh_process()
    assert main(["index", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rebuilt"].startswith("the search vectors of the index were damaged (")
    assert report["changed"] == ["5"] and report["turns_embedded"] == embedded_count(big_corpus())
    _fresh_process()
    assert main(["search", "vendor latency", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"]
    # And a build after that finds nothing to do.
    _fresh_process()
    assert main(["index", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unchanged"] == ["5"]


def test_a_build_loads_the_vectors_to_check_them_only_when_their_files_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checking makes Chroma load every vector index, which grows with the corpus; a no-op
    build of unchanged files must not pay for it, and a changed file must still be checked."""
    assert main(["index"]) == 0
    _fresh_process()
    assert main(["index"]) == 0
    checked: list[object] = []
    real = health.vectors_problem
    monkeypatch.setattr(health, "vectors_problem", lambda nodes: checked.append(1) or real(nodes))
    for _ in range(2):
        _fresh_process()
        assert main(["index"]) == 0
    assert checked == []

    # The largest vector file: the utterances' (what search reads). Not any one: Chroma was
    # seen rewriting a small collection's file (100 one-dimension vectors) from its own log
    # when it opened it, undoing the damage before the build looked.
    chroma = tmp_path / "index" / "chroma"
    vector_file = max(chroma.glob("*/data_level0.bin"), key=lambda f: f.stat().st_size)
    with vector_file.open("ab") as handle:
        handle.write(b"\0")
    _fresh_process()
    assert main(["index"]) == 0
    assert checked == [1]


def test_an_index_with_nothing_to_do_loads_neither_the_model_nor_chroma(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["index"]) == 0
    _fresh_process()
    capsys.readouterr()

    def refuse(what: str) -> Any:
        def fail(*args: object) -> None:
            pytest.fail(f"a build with nothing to do {what}")

        return fail

    monkeypatch.setattr(service.Assistant, "embedder", property(refuse("loaded the model")))
    monkeypatch.setattr(store, "make_client", refuse("opened Chroma"))
    assert main(["index", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["unchanged"] == ["5"] and report["turns_embedded"] == 0
    assert report["turns"] == {"5": 1200}


def test_the_space_of_an_interrupted_build_is_given_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["index"]) == 0
    chroma = tmp_path / "index" / "chroma"
    # What a format-2 build killed half-way left: a generation that was never switched in,
    # with its vectors written to disk.
    from assistant.settings import load_settings

    settings = load_settings()
    client = store.make_client(settings)
    current = store.open_nodes(client)
    assert current is not None
    orphan = client.create_collection(
        "turns-000099", embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
    )
    rows = current.get(include=["embeddings", "documents", "metadatas"], kinds=("utterance",))
    orphan.add(
        ids=rows["ids"],
        embeddings=rows["embeddings"],
        documents=rows["documents"],
        metadatas=rows["metadatas"],
    )
    orphan.query(query_embeddings=[rows["embeddings"][0]], n_results=1)  # flushes its files
    _fresh_process()
    orphan_folders = _segment_folders(chroma) - {
        f for f in _segment_folders(chroma) if f in _live_segments(chroma)
    }
    before = _segment_folders(chroma)
    assert len(before) >= 2
    monkeypatch.setattr(health, "VACUUM_MIN_FREE", 0)

    assert main(["index"]) == 0
    after = _segment_folders(chroma)
    assert after <= _live_segments(chroma), "a folder of no collection was left behind"
    assert not orphan_folders & after
    with sqlite3.connect(chroma / "chroma.sqlite3") as db:
        names = {str(r[0]) for r in db.execute("SELECT name FROM collections")}
        free = int(db.execute("PRAGMA freelist_count").fetchone()[0])
    assert "turns-000099" not in names
    assert free == 0  # vacuumed
