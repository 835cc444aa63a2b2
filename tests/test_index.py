"""The turn index: incremental builds, atomic switch, lock, model mismatch, reader API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from index_helpers import (
    ONE,
    THREE,
    TWO,
    corpus,
    embedded_count,
    embedded_texts,
    embedder,
    interview,
    small_corpus,
)

from assistant.embeddings import LocalMiniLMEmbedding
from assistant.errors import (
    IndexBusyError,
    IndexInterruptedError,
    IndexMissingError,
    RebuildNeededError,
)
from assistant.index import Indexer, open_index
from assistant.index.scope import Scope
from assistant.index.store import BuildLock
from assistant.model import CodeDefinition, Corpus, LoadProblem, Paragraph
from assistant.settings import load_settings
from assistant.units import build_units


@pytest.fixture
def settings(tmp_path: Path):
    return load_settings(index_dir=tmp_path / "index")


def build(settings, c: Corpus, progress=None):
    return Indexer(settings, embedder()).build(c, progress=progress)


def test_first_build_then_noop(settings) -> None:
    first = build(settings, small_corpus())
    assert first.added == ["1", "2", "3"] and first.changed == first.removed == []
    assert first.turns_embedded == embedded_count(small_corpus())
    again = build(settings, small_corpus())
    assert again.unchanged == ["1", "2", "3"] and again.added == again.changed == []
    assert again.turns_embedded == 0
    assert again.generation == first.generation
    assert set(again.to_dict()) >= {
        "added",
        "changed",
        "removed",
        "unchanged",
        "turns_embedded",
        "seconds",
    }


def test_a_settled_index_and_an_unchanged_corpus_need_no_chroma(settings, monkeypatch) -> None:
    """Importing and opening Chroma was most of a no-op build (1.45 s at 1,000 interviews); the
    settled record answers it. Anything the record does not describe takes the full path."""
    from assistant.index import build as build_mod
    from assistant.index import store

    first = build(settings, small_corpus())
    opened: list[int] = []
    real = store.make_client
    monkeypatch.setattr(store, "make_client", lambda s: opened.append(1) or real(s))
    again = build(settings, small_corpus())
    assert opened == []
    assert again.unchanged == ["1", "2", "3"] and again.added == again.changed == []
    assert again.turns == first.turns and again.embedded == {"1": 0, "2": 0, "3": 0}
    assert again.generation == first.generation and again.turns_embedded == 0

    fewer = corpus(interview("1", ONE), interview("2", TWO))
    assert build(settings, fewer).removed == ["3"] and opened == [1]
    assert build(settings, fewer).unchanged == ["1", "2"] and opened == [1]
    coded = Corpus(fewer.interviews, codes=(CodeDefinition("MM-drift", None, "drift"),))
    assert build(settings, coded).unchanged == ["1", "2"] and opened == [1, 1]
    failed = Corpus(coded.interviews, errors=(LoadProblem("corpus/x.txt", "unreadable"),))
    build(settings, failed)
    assert opened == [1, 1, 1]

    # A build stopped half-way erased the record before writing anything: the next build
    # takes the full path even though the corpus is back as the record described it.
    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(build_mod.Indexer, "_write_all", stop)
    with pytest.raises(IndexInterruptedError):
        build(settings, small_corpus())
    monkeypatch.undo()
    monkeypatch.setattr(store, "make_client", lambda s: opened.append(1) or real(s))
    assert build(settings, coded).unchanged == ["1", "2"] and opened == [1, 1, 1, 1, 1]
    reader = open_index(settings, embedder())
    assert {e.turn.interview_id for e in reader.all_turns()} == {"1", "2"}


def test_turns_round_trip_exactly(settings) -> None:
    source = small_corpus()
    multi = interview("4", [("Amin", "first paragraph", ("A-x",))])
    turn = replace(
        multi.turns[0],
        paragraphs=(
            Paragraph("first paragraph\nstill first", ("A-x",), lines=(3, 4)),
            Paragraph("second one", (), lines=(6, 6)),
        ),
        timestamps=("[00:19:00]",),
    )
    multi = replace(multi, turns=(turn,))
    build(settings, Corpus((*source.interviews, multi)))
    reader = open_index(settings, embedder())
    expected = [t for i in (*source.interviews, multi) for t in i.turns]
    assert [e.turn for e in reader.all_turns()] == expected
    assert all(e.score == 0 for e in reader.all_turns())
    four = reader.evidence("4:1")
    assert four is not None and four.turn.paragraphs[1].lines == (6, 6)
    assert four.title == "Interview 4" and four.source == "corpus/Interview 4.txt"
    assert reader.evidence("4:2") is None and reader.evidence("nonsense") is None
    assert [e.key for e in reader.context("1:3", around=1)] == ["1:2", "1:3", "1:4"]
    assert [e.key for e in reader.context("2:1", around=2)] == ["2:1", "2:2", "2:3"]
    assert [s["id"] for s in reader.interviews()] == ["1", "2", "3", "4"]
    assert reader.interviews()[0]["turns"] == 6


def test_change_add_delete_reembeds_only_that_interview(settings) -> None:
    build(settings, small_corpus())
    edited = list(TWO)
    edited[1] = ("Sara", "We paid annotators to label the images.", ())
    two_v2 = interview("2", edited, rev="v2")
    five = interview("5", [("Interviewer 1", "Anything else?", ()), ("Zoe", "No, thanks.", ())])
    report = build(settings, corpus(interview("1", ONE), two_v2, five))
    assert report.changed == ["2"] and report.added == ["5"] and report.removed == ["3"]
    assert report.unchanged == ["1"]
    # Only the edited turn of interview 2 (and the units holding it) and the new interview's
    # turns and units are embedded.
    old_two = embedded_texts(interview("2", TWO))
    expected = {"1": 0, "2": len(embedded_texts(two_v2) - old_two), "5": len(embedded_texts(five))}
    assert expected["2"] >= 1
    assert report.embedded == expected
    assert report.turns_embedded == sum(expected.values())
    reader = open_index(settings, embedder())
    keys = [e.key for e in reader.all_turns()]
    assert not [k for k in keys if k.startswith("3:")]
    assert "5:2" in keys
    assert reader.evidence("2:2").turn.text == "We paid annotators to label the images."


def test_opening_reads_the_interview_records_only_when_the_store_may_differ(
    settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The side store remembers which manifest (collection and change counter) it was found
    to follow; while that is unchanged, opening reads the index record alone, and the
    interviews are listed from their records when asked."""
    from assistant.index import manifest as mf
    from assistant.index import side as side_mod
    from assistant.index import sync

    build(settings, small_corpus())
    first = open_index(settings, embedder())
    listed = first.interviews()
    reads: list[str] = []
    real_read = mf.read
    monkeypatch.setattr(mf, "read", lambda col: reads.append("all") or real_read(col))
    again = open_index(settings, embedder())
    assert reads == []
    assert again.interviews() == listed and reads == ["all"]

    # A build switches an interview (the counter moves): the next opening compares.
    edited = list(TWO)
    edited[1] = ("Sara", "We paid annotators to label the images.", ())
    build(
        settings,
        corpus(interview("1", ONE), interview("2", edited, rev="v2"), interview("3", THREE)),
    )
    reads.clear()
    reader = open_index(settings, embedder())
    assert reads == ["all"]
    assert reader.evidence("2:2").turn.text == "We paid annotators to label the images."

    # A store that lost its rows after it was marked (as after a build died between switching
    # and writing them, which also moves the counter) is refilled once the mark is gone.
    store_ = side_mod.SideStore(settings.index_dir)
    store_.remove("2")
    store_.set_info(sync.FOLLOWS, "")
    store_.close()
    assert open_index(settings, embedder()).evidence("2:2") is not None


def node_ids(reader) -> set[str]:
    return {str(n) for (n,) in reader._side.rows("SELECT node FROM turns")}


def test_a_full_vector_cache_keeps_what_the_chunk_reuses(settings, monkeypatch) -> None:
    # Texts repeated across interviews ("Yeah.") are embedded once and reused from a bounded
    # cache; emptying it when full must not drop a vector the chunk being written reuses.
    from assistant.index import build as build_mod

    monkeypatch.setattr(build_mod, "EMBED_CHUNK", 1)
    monkeypatch.setattr(build_mod, "VECTOR_CACHE", 4)
    shared = [("Interviewer", "Did the data drift?", ()), ("Interviewee", "Yeah.", ())]
    interviews = [
        interview(str(n), [*shared, ("Interviewee", f"The vendor changed format {n} times.", ())])
        for n in range(1, 5)
    ]
    report = build(settings, corpus(*interviews))
    assert report.added == ["1", "2", "3", "4"]
    monkeypatch.setattr(build_mod, "VECTOR_CACHE", 20_000)
    roomy = load_settings(index_dir=settings.index_dir.parent / "roomy")
    build(roomy, corpus(*interviews))

    def vectors(where) -> dict[str, np.ndarray]:
        reader = open_index(where, embedder())
        got = reader._collection.get(include=["embeddings"])
        return dict(zip(got["ids"], (np.asarray(v) for v in got["embeddings"]), strict=True))

    squeezed, expected = vectors(settings), vectors(roomy)
    assert squeezed.keys() == expected.keys()
    assert all(np.allclose(squeezed[k], expected[k], atol=1e-6) for k in expected)


def test_node_ids_stable_across_rebuilds(settings) -> None:
    build(settings, small_corpus())
    first = open_index(settings, embedder())
    ids_before = node_ids(first)
    build(settings, corpus(interview("1", ONE), interview("2", TWO)))  # 3 removed
    second = open_index(settings, embedder())
    assert first.is_outdated() and not second.is_outdated()
    assert {k for k in ids_before if not k.startswith("3:")} == node_ids(second)
    # The reader opened before keeps its snapshot: interview 3 is still there for it.
    assert first.evidence("3:2") is not None and second.evidence("3:2") is None


def test_failed_file_keeps_its_previous_version(settings) -> None:
    build(settings, small_corpus())
    broken = LoadProblem(source="corpus/Interview 3.txt", message="cannot read", line=4)
    report = build(settings, Corpus((interview("1", ONE), interview("2", TWO)), errors=(broken,)))
    assert report.kept == ["3"] and report.removed == []
    assert open_index(settings, embedder()).evidence("3:2") is not None


@pytest.mark.parametrize("stop", [RuntimeError("power cut"), KeyboardInterrupt()])
def test_exception_mid_build_keeps_finished_interviews_whole(settings, monkeypatch, stop) -> None:
    from assistant.index import build as build_mod

    build(settings, small_corpus())
    before = open_index(settings, embedder())
    # One interview per chunk, so the build stops between two interviews.
    monkeypatch.setattr(build_mod, "EMBED_CHUNK", 1)
    changed = corpus(interview("1", ONE, rev="x"), interview("2", TWO[:2]), interview("9", ONE[:2]))
    seen = []

    def explode(p):
        seen.append(p)
        if p.stage == "embedding" and p.interviews_done == 1:
            raise stop

    # Ctrl+C is one line saying what was kept; other errors pass through as they were.
    expected = IndexInterruptedError if isinstance(stop, KeyboardInterrupt) else RuntimeError
    with pytest.raises(expected) as raised:
        build(settings, changed, progress=explode)
    if expected is IndexInterruptedError:
        assert str(raised.value) == (
            "index build interrupted: 1 interview written and kept; run `assistant index` to "
            "index the rest"
        )
    assert before.is_outdated()
    reader = open_index(settings, embedder())
    # Interview 1 was written (and switched) before the error; 2 and 9 were not started.
    assert reader.interviews()[0]["sha256"] == changed.interviews[0].sha256
    assert reader.evidence("2:4") is not None and reader.evidence("9:1") is None
    assert reader.evidence("3:2") is not None
    # The lock was released: the next build does the rest, re-embedding nothing of 1.
    report = build(settings, changed)
    assert report.unchanged == ["1"] and report.changed == ["2"] and report.added == ["9"]
    assert report.removed == ["3"] and report.embedded["1"] == 0


KILLED_BUILD = textwrap.dedent(
    """
    import os, sys, time
    sys.path.insert(0, {tests!r})
    from index_helpers import embedder, interview, ONE, TWO
    from assistant.index import Indexer
    from assistant.model import Corpus
    from assistant.settings import load_settings

    big = Corpus((interview("1", ONE), interview("2", TWO)) + tuple(
        interview(str(n), ONE * 40, rev="big" + str(n)) for n in range(100, 160)))
    def slow(p):
        if p.stage == "embedding" and p.done > 0:
            print("EMBEDDING", flush=True)
            time.sleep(0.5)
    Indexer(load_settings(index_dir={index!r}), embedder()).build(big, progress=slow)
    print("FINISHED", flush=True)
    """
)


def test_killed_build_keeps_every_interview_whole(settings, tmp_path: Path) -> None:
    build(settings, small_corpus())
    script = KILLED_BUILD.format(tests=str(Path(__file__).parent), index=str(settings.index_dir))
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "EMBEDDING"
        # While it builds, a second build is refused with a clear message.
        with pytest.raises(IndexBusyError, match="another build of the index .* is running"):
            build(settings, small_corpus())
    finally:
        proc.kill()
        proc.wait()
    reader = open_index(settings, embedder())
    # Removals come last: nothing was removed yet, and every interview present is whole.
    assert [e.key for e in reader.all_turns()][:2] == ["1:1", "1:2"]
    assert reader.evidence("3:2") is not None
    for summary in reader.interviews():
        keys = [e.key for e in reader.all_turns() if e.turn.interview_id == summary["id"]]
        assert len(keys) == summary["turns"], summary["id"]
    assert reader.dense_units(embedder().get_query_embedding("privacy"), 3, _empty())
    # The lock died with the process; the next build finishes without re-embedding.
    report = build(settings, small_corpus())
    assert report.unchanged == ["1", "2", "3"] and report.turns_embedded == 0


def _empty():
    from assistant.index import Scope

    return Scope()


def test_concurrent_build_refused_in_process(settings) -> None:
    with BuildLock(settings):
        with pytest.raises(IndexBusyError, match=str(os.getpid())):
            build(settings, small_corpus())
    assert build(settings, small_corpus()).added == ["1", "2", "3"]


class OtherModel(LocalMiniLMEmbedding):
    def __init__(self) -> None:
        super().__init__(model_name="some-other-model")


def test_model_mismatch_needs_rebuild(settings) -> None:
    build(settings, small_corpus())
    other = OtherModel()
    with pytest.raises(RebuildNeededError, match="rebuild needed.*some-other-model"):
        open_index(settings, other)
    report = Indexer(settings, other).build(small_corpus())
    assert report.rebuilt and "some-other-model" in report.rebuilt
    assert report.changed == ["1", "2", "3"]
    assert report.turns_embedded == embedded_count(small_corpus())
    assert open_index(settings, other).embed_model == "some-other-model"


def _as_format_4(settings) -> int:
    """Rewrite a built index as format 4 left it: every node in one collection."""
    from assistant.index import manifest as mf
    from assistant.index import store

    client = store.make_client(settings)
    nodes = store.open_nodes(client)
    assert nodes is not None
    rows = nodes.get(include=["embeddings", "documents", "metadatas"])
    # Format 4 kept a real vector with every turn (its utterance's); any unit's will do here.
    some_vector = next(
        v for v, m in zip(rows["embeddings"], rows["metadatas"], strict=True) if m["kind"] != "turn"
    )
    rows["embeddings"] = [
        some_vector if m["kind"] == "turn" else v
        for v, m in zip(rows["embeddings"], rows["metadatas"], strict=True)
    ]
    single = client.create_collection(
        store.SINGLE_NODES, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
    )
    single.add(
        ids=rows["ids"],
        embeddings=rows["embeddings"],
        documents=rows["documents"],
        metadatas=rows["metadatas"],
    )
    for name in store.KIND_COLLECTIONS.values():
        client.delete_collection(name)
    mcol = mf.collection(client)
    state = mf.read(mcol)
    assert state is not None
    state.format_version = 4
    mf.write_info(mcol, state)
    return len(rows["ids"])


def test_a_format_4_index_is_moved_to_per_kind_collections_without_embedding(settings) -> None:
    from assistant.index import store

    build(settings, small_corpus())
    before = open_index(settings, embedder())
    turns_before = [e.turn for e in before.all_turns()]
    vector = embedder().get_query_embedding("vendor latency")
    hits_before = before.dense_units(vector, 10, Scope())
    before.close()
    total = _as_format_4(settings)
    with pytest.raises(RebuildNeededError, match="has format 4"):
        open_index(settings, embedder())

    report = build(settings, small_corpus())
    assert report.moved == total and report.to_dict()["moved_nodes"] == total
    assert report.turns_embedded == 0 and not report.rebuilt
    assert report.unchanged == ["1", "2", "3"]
    reader = open_index(settings, embedder())
    assert [e.turn for e in reader.all_turns()] == turns_before
    assert reader.dense_units(vector, 10, Scope()) == hits_before
    client = reader._client
    assert store.SINGLE_NODES not in store.collection_names(client)
    assert {kind: c.count() for kind, c in reader._collection.by_kind.items()} == {
        kind: sum(1 for m in reader._collection.get()["metadatas"] if m["kind"] == kind)
        for kind in store.KIND_COLLECTIONS
    }
    assert reader._collection.count() == total
    # Moved once: the next build has nothing to do.
    assert build(settings, small_corpus()).moved == 0


def test_a_format_5_index_keeps_its_turns_without_their_vectors_and_embeds_nothing(
    settings,
) -> None:
    """Format 5 stored a copy of its utterance's vector with every turn (0.4 GB of memory
    while building 1,000 interviews); a build moves the turn records, text and metadata
    only."""
    from assistant.index import manifest as mf
    from assistant.index import store

    build(settings, small_corpus())
    before = open_index(settings, embedder())
    turns_before = [e.turn for e in before.all_turns()]
    vector = embedder().get_query_embedding("vendor latency")
    hits_before = before.dense_units(vector, 10, Scope())
    before.close()
    client = store.make_client(settings)
    nodes = store.open_nodes(client)
    assert nodes is not None
    turns = nodes.by_kind["turn"].get(include=["documents", "metadatas"])
    old = client.create_collection(
        store.VECTOR_TURNS, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
    )
    old.add(
        ids=turns["ids"],
        embeddings=[vector] * len(turns["ids"]),
        documents=turns["documents"],
        metadatas=turns["metadatas"],
    )
    client.delete_collection(store.KIND_COLLECTIONS["turn"])
    mcol = mf.collection(client)
    state = mf.read(mcol)
    assert state is not None
    state.format_version = 5
    mf.write_info(mcol, state)
    with pytest.raises(RebuildNeededError, match="has format 5"):
        open_index(settings, embedder())

    report = build(settings, small_corpus())
    assert report.moved == len(turns["ids"]) and report.turns_embedded == 0
    assert report.unchanged == ["1", "2", "3"] and not report.rebuilt
    reader = open_index(settings, embedder())
    assert [e.turn for e in reader.all_turns()] == turns_before
    assert reader.dense_units(vector, 10, Scope()) == hits_before
    assert store.VECTOR_TURNS not in store.collection_names(reader._client)
    stored = reader._collection.by_kind["turn"].get(include=["embeddings"])
    assert len(stored["ids"]) == len(turns["ids"])
    assert all(list(v) == store.TURN_VECTOR for v in stored["embeddings"])
    assert build(settings, small_corpus()).moved == 0


def test_missing_index(settings) -> None:
    with pytest.raises(IndexMissingError, match="run `assistant index`"):
        open_index(settings, embedder())


def test_metadata_is_flat_and_never_none(settings) -> None:
    build(settings, small_corpus())
    reader = open_index(settings, embedder())
    got = reader._collection.get(ids=[next(k for k in node_ids(reader) if k.startswith("1:2:"))])
    meta = got["metadatas"][0]
    assert all(v is not None and isinstance(v, str | int | float | bool) for v in meta.values())
    assert meta["version"] == 1
    assert meta["code:ML-pipeline-issues [MLP]"] == 1 and meta["interview"] == "1"
    assert meta["codes"] == "ML-pipeline-issues [MLP]|MLP-unstable-external-dependency"
    assert meta["line_first"] == 4 and meta["page_first"] == 0
    assert json.loads(meta["paragraphs"])[0][0] == len(ONE[1][1])
    assert got["documents"][0] == ONE[1][1]


def test_progress_reports_embedding(settings) -> None:
    seen = []
    build(settings, small_corpus(), progress=seen.append)
    embedding = [p for p in seen if p.stage == "embedding"]
    nodes = sum(len(i.turns) + len(build_units(i.turns)) for i in small_corpus().interviews)
    assert embedding[0].done == 0 and embedding[-1].done == embedding[-1].total == nodes


def test_a_search_starts_loading_the_unit_vectors_in_the_background(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chroma reads a vector index from disk at its first query (a second at a thousand
    interviews); the service has it read while the question is embedded. Opening the index
    alone does not (a command that only resolves keys would wait for it at exit). A failure
    there is left to the search's own query, which reports it with its remedy."""
    import threading

    from assistant.index import store
    from assistant.service import make_assistant
    from assistant.units import UNIT_KINDS

    settings = load_settings(index_dir=tmp_path / "index")
    Indexer(settings, embedder()).build(small_corpus())
    loaded: list[tuple[str, tuple[str, ...]]] = []
    done = threading.Event()
    real = store.NodeCollections.load_vectors

    def record(nodes: store.NodeCollections, kinds: tuple[str, ...]) -> None:
        loaded.append((threading.current_thread().name, kinds))
        try:
            real(nodes, kinds)
        finally:
            done.set()

    monkeypatch.setattr(store.NodeCollections, "load_vectors", record)
    service = make_assistant(settings, embedder=embedder())
    service.reader()
    assert loaded == []
    found = service.search("pipeline broke when the upstream API changed", k=3)
    assert done.wait(30)
    assert loaded == [("load-vectors", UNIT_KINDS)]
    assert found and found[0].key == "1:2"
    service.search("data drift", k=3)
    assert len(loaded) == 1

    def fail(nodes: store.NodeCollections, kinds: tuple[str, ...]) -> None:
        done.set()
        raise RuntimeError("vector files unreadable")

    done.clear()
    escaped: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: escaped.append(args.exc_value))
    monkeypatch.setattr(store.NodeCollections, "load_vectors", fail)
    service = make_assistant(settings, embedder=embedder())
    assert service.search("pipeline broke when the upstream API changed", k=3)
    assert done.wait(30)
    for thread in threading.enumerate():
        if thread.name == "load-vectors":
            thread.join()
    assert escaped == []
