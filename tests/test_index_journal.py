"""kill -9 at every step of an update: each interview is entirely old or entirely new after it,
search and ask still answer with quotes that resolve, and the next build finishes the work
without embedding again what was already stored. The same on a real Chroma server.

The build kills itself (SIGKILL) at a named step through ``ASSISTANT_TEST_KILL_AT``
(``assistant.index.build._hook``); each interview is its own chunk, so the steps of one
interview happen between those of others.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from index_helpers import embedder, small_corpus, updated_corpus

from assistant.index import Indexer, Scope, open_index, store
from assistant.index import manifest as mf
from assistant.service import make_assistant
from assistant.settings import Settings, load_settings
from assistant.units import build_units

KILLED_UPDATE = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests!r})
    from index_helpers import embedder, updated_corpus
    from assistant.index import Indexer, build
    from assistant.settings import load_settings

    build.EMBED_CHUNK = 1
    Indexer(load_settings(index_dir={index!r}), embedder()).build(updated_corpus())
    print("FINISHED", flush=True)
    """
)

#: Kill points (step:n-th time), and the interviews whose new nodes were written before it.
POINTS = {
    "journal:1": set(),
    "nodes:1": {"1"},
    "switch:1": {"1"},
    "side:1": {"1"},
    "cleaned:1": {"1"},
    "journal:2": {"1"},
    "side:2": {"1", "5"},
    "switch:3": {"1", "5", "6"},
    "removing:1": {"1", "5", "6"},
}


def _run_killed(settings: Settings, point: str) -> None:
    script = KILLED_UPDATE.format(tests=str(Path(__file__).parent), index=str(settings.index_dir))
    env = {**os.environ, "ASSISTANT_TEST_KILL_AT": point}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == -9, done.stdout + done.stderr
    assert "FINISHED" not in done.stdout


def assert_every_interview_whole(settings: Settings) -> None:
    old = {i.id: i for i in small_corpus().interviews}
    new = {i.id: i for i in updated_corpus().interviews}
    reader = open_index(settings, embedder())
    seen: dict[str, list] = {}
    for e in reader.all_turns():
        seen.setdefault(e.turn.interview_id, []).append(e.turn)
    summaries = {s["id"]: s for s in reader.interviews()}
    assert set(seen) == set(summaries)
    assert {"1", "2"} <= set(seen)
    for iid, turns in seen.items():
        versions = [v for v in (old.get(iid), new.get(iid)) if v and list(v.turns) == turns]
        assert versions, f"interview {iid} is neither its old nor its new version"
        assert summaries[iid]["sha256"] in {v.sha256 for v in versions}
        assert summaries[iid]["turns"] == len(turns)
    # Vector hits map to the side store's units only, and never twice to one unit.
    vector = embedder().get_query_embedding("customer names and privacy")
    units = reader.units()
    hits = [units[pos].id for pos, _ in reader.dense_units(vector, 200, Scope())]
    assert hits and len(hits) == len(set(hits)) == len(units)
    reader.close()


def assert_search_and_ask_answer(settings: Settings) -> None:
    service = make_assistant(settings, embedder=embedder())
    found = service.search("pipeline broke when the upstream API changed", k=3)
    assert found and found[0].key == "1:2"
    answer = service.ask("Did privacy rules limit what data you could use?")
    cited = answer.verified_citations
    assert cited, answer.to_dict()
    for citation in cited:
        resolved = service.evidence(citation.evidence.key)
        assert resolved is not None and citation.quote in resolved.turn.text


def assert_finished_like_a_clean_update(settings: Settings) -> None:
    expected = [t for i in updated_corpus().interviews for t in i.turns]
    reader = open_index(settings, embedder())
    assert [e.turn for e in reader.all_turns()] == expected
    # Chroma holds exactly the nodes the side store knows, and the journal is empty.
    nodes = store.open_nodes(reader._client)
    assert nodes is not None
    known = reader._side.rows("SELECT node FROM turns UNION ALL SELECT node FROM units")
    assert nodes.count() == len(known) == len({n for (n,) in known})
    manifest = mf.read(mf.collection(reader._client))
    assert manifest is not None
    assert sorted(manifest.entries) == ["1", "2", "5", "6"]
    assert all(not e.pending and not e.removing for e in manifest.entries.values())
    reader.close()


def _kill_then_recover(settings: Settings, point: str) -> None:
    Indexer(settings, embedder()).build(small_corpus())
    _run_killed(settings, point)
    assert_every_interview_whole(settings)
    assert_search_and_ask_answer(settings)
    report = Indexer(settings, embedder()).build(updated_corpus())
    for iid in POINTS[point]:
        assert report.embedded.get(iid, 0) == 0, (iid, report.to_dict())
    assert "3" not in {s["id"] for s in open_index(settings, embedder()).interviews()}
    assert_finished_like_a_clean_update(settings)
    again = Indexer(settings, embedder()).build(updated_corpus())
    assert again.turns_embedded == 0 and not again.changed_anything


@pytest.mark.parametrize("point", list(POINTS))
def test_kill_9_during_an_update(point: str, tmp_path: Path) -> None:
    _kill_then_recover(load_settings(index_dir=tmp_path / "index"), point)


@pytest.mark.parametrize("point", ["nodes:1", "switch:1", "side:2", "removing:1"])
def test_kill_9_during_an_update_on_a_server(
    point: str, chroma_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", chroma_server)
    settings = load_settings(index_dir=tmp_path / "index")
    assert settings.chroma_url == chroma_server
    _kill_then_recover(settings, point)


def test_an_uninterrupted_update_writes_only_what_changed(tmp_path: Path) -> None:
    settings = load_settings(index_dir=tmp_path / "index")
    Indexer(settings, embedder()).build(small_corpus())
    reader = open_index(settings, embedder())
    untouched = reader._side.rows("SELECT pos, node FROM turns WHERE interview = '2'")
    reader.close()
    report = Indexer(settings, embedder()).build(updated_corpus())
    assert report.changed == ["1"] and report.added == ["5", "6"] and report.removed == ["3"]
    assert report.unchanged == ["2"] and report.embedded["2"] == 0
    reader = open_index(settings, embedder())
    # Interview 2's rows were not rewritten: same positions, same nodes.
    assert reader._side.rows("SELECT pos, node FROM turns WHERE interview = '2'") == untouched
    reader.close()
    assert_finished_like_a_clean_update(settings)


UPDATE_ELSEWHERE = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests!r})
    from index_helpers import embedder, updated_corpus
    from assistant.index import Indexer
    from assistant.settings import load_settings

    Indexer(load_settings(index_dir={index!r}), embedder()).build(updated_corpus())
    """
)


def test_an_index_updated_by_another_process_is_searched_whole(tmp_path: Path) -> None:
    """The chat open in one terminal, `assistant index` run in another: when the chat opens the
    index again, every new vector is found (Chroma's per-process vector index would otherwise
    fail with "Error finding id" or miss vectors after a crash)."""
    settings = load_settings(index_dir=tmp_path / "index")
    Indexer(settings, embedder()).build(small_corpus())
    vector = embedder().get_query_embedding("customer names and privacy")
    reader = open_index(settings, embedder())
    assert reader.dense_units(vector, 200, Scope())
    script = UPDATE_ELSEWHERE.format(
        tests=str(Path(__file__).parent), index=str(settings.index_dir)
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=600)
    assert reader.is_outdated()
    reader.close()
    reader = open_index(settings, embedder())
    found = {pos for pos, _ in reader.dense_units(vector, 200, Scope())}
    assert (
        len(found)
        == len(reader.units())
        == sum(len(build_units(i.turns)) for i in updated_corpus().interviews)
    )
    reader.close()
    # A build in this process afterwards writes on the same fresh view, and finds nothing to do.
    again = Indexer(settings, embedder()).build(updated_corpus())
    assert again.turns_embedded == 0 and not again.changed_anything


def test_an_update_on_a_server_reaches_a_second_researcher(
    chroma_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two researchers, one Chroma server, each with a local index folder: the second reads
    what the first indexed, and sees the first's update at its next open, without embedding."""
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", chroma_server)
    first = load_settings(index_dir=tmp_path / "first")
    second = load_settings(index_dir=tmp_path / "second")
    Indexer(first, embedder()).build(small_corpus())
    before = open_index(second, embedder())
    assert [e.turn for e in before.all_turns()] == [
        t for i in small_corpus().interviews for t in i.turns
    ]
    report = Indexer(first, embedder()).build(updated_corpus())
    assert report.changed == ["1"] and report.removed == ["3"]
    assert before.is_outdated()
    after = open_index(second, embedder())
    assert [e.turn for e in after.all_turns()] == [
        t for i in updated_corpus().interviews for t in i.turns
    ]
    # A build from the second machine finds nothing to do.
    again = Indexer(second, embedder()).build(updated_corpus())
    assert again.turns_embedded == 0 and not again.changed_anything
