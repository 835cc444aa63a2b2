"""The corpus watcher on real files: added, edited and removed interviews reach the index.

``Watcher.poll`` looks once and never sleeps, so these tests step it by hand; the real service
indexes (the shared embedder of tests/index_helpers.py keeps the model loaded once).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from index_helpers import embedder

from assistant.errors import AssistantError
from assistant.model import Filters, Progress
from assistant.service import Assistant, make_assistant
from assistant.watch import FileChanges, Update, Watcher, snapshot

SARA = """\
Interviewer: What slowed your data labelling down?
Sara: We labelled the satellite images by hand and it took four months.
Interviewer: Did the tooling help?
Sara: The annotation tool crashed whenever a file was larger than a gigabyte.
"""
LUC = """\
Interviewer: How reliable were the sensors?
Luc: The humidity sensors dropped readings every night after midnight.
"""


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def service_for(corpus: Path, tmp_path: Path, interval: float = 0.01) -> Assistant:
    return make_assistant(
        embedder=embedder(),
        corpus_dir=corpus,
        index_dir=tmp_path / "index",
        watch_interval=interval,
    )


def settled(watcher: Watcher, **kwargs: object) -> Update:
    """The update of a change that has stopped moving: the first look sees it, the second
    (one interval later, nothing new) indexes it."""
    assert watcher.poll(**kwargs) is None  # type: ignore[arg-type]
    update = watcher.poll(**kwargs)  # type: ignore[arg-type]
    assert update is not None
    return update


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    write(folder / "Interview 37 - Sara.txt", SARA)
    return folder


def test_added_edited_and_removed_interviews_are_indexed(corpus: Path, tmp_path: Path) -> None:
    service = service_for(corpus, tmp_path)
    service.build_index()
    watcher = Watcher(service)
    watcher.baseline()
    assert watcher.poll() is None  # nothing changed

    write(corpus / "Interview 38 - Luc.txt", LUC)
    added = settled(watcher)
    assert added.files == FileChanges(added=(str(corpus / "Interview 38 - Luc.txt"),))
    assert added.report is not None and added.report.added == ["38"]
    assert added.line() == "indexed 1 new interview: 38 — Interview 38 - Luc"
    found = service.search("humidity sensors at night", filters=Filters(interviews=("38",)))
    assert found and found[0].turn.interview_id == "38"
    assert "humidity sensors" in found[0].turn.text

    edited = SARA.replace("four months", "nine long months")
    write(corpus / "Interview 37 - Sara.txt", edited)
    changed = settled(watcher)
    assert changed.report is not None and changed.report.changed == ["37"]
    assert changed.line() == "indexed 1 changed interview: 37 — Interview 37 - Sara"
    texts = [e.turn.text for e in service.reader().all_turns() if e.turn.interview_id == "37"]
    assert any("nine long months" in t for t in texts)
    assert not any("four months" in t for t in texts)

    (corpus / "Interview 38 - Luc.txt").unlink()
    removed = settled(watcher)
    assert removed.files.removed == (str(corpus / "Interview 38 - Luc.txt"),)
    assert removed.report is not None and removed.report.removed == ["38"]
    assert removed.line() == "removed interview 38"
    assert {e.turn.interview_id for e in service.reader().all_turns()} == {"37"}
    assert watcher.poll() is None


def test_a_file_still_being_written_is_indexed_once_it_stops_changing(
    corpus: Path, tmp_path: Path
) -> None:
    service = service_for(corpus, tmp_path)
    service.build_index()
    watcher = Watcher(service)
    watcher.baseline()
    growing = corpus / "Interview 38 - Luc.txt"
    lines = LUC.splitlines(keepends=True)
    write(growing, lines[0])
    assert watcher.poll() is None  # seen once
    with growing.open("a", encoding="utf-8") as handle:
        handle.write(lines[1])
    # Its size moved since the last look, so it is not taken yet.
    assert watcher.poll() is None
    update = watcher.poll()
    assert update is not None and update.report is not None
    assert update.report.added == ["38"] and update.report.turns["38"] == 2


def test_same_contents_touched_says_no_interview_changed(corpus: Path, tmp_path: Path) -> None:
    service = service_for(corpus, tmp_path)
    service.build_index()
    watcher = Watcher(service)
    watcher.baseline()
    path = corpus / "Interview 37 - Sara.txt"
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))
    update = settled(watcher)
    assert update.report is not None and update.report.unchanged == ["37"]
    assert update.line() == "edited Interview 37 - Sara.txt: no interview changed"


def test_unreadable_files_are_reported_once_and_the_rest_is_indexed(
    corpus: Path, tmp_path: Path
) -> None:
    service = service_for(corpus, tmp_path)
    service.build_index()
    watcher = Watcher(service)
    watcher.baseline()
    (corpus / "Interview 39.txt").write_bytes(b"Interviewer: caf\xe9 \xff\xfe\x00\x00 broken\n")
    write(corpus / "Interview 38 - Luc.txt", LUC)
    update = settled(watcher)
    assert [p.source for p in update.problems] == [str(corpus / "Interview 39.txt")]
    assert update.report is not None and update.report.added == ["38"]
    write(corpus / "Interview 40 - Ana.txt", LUC.replace("Luc", "Ana"))
    later = settled(watcher)
    assert later.problems == []  # said in the update that found it, not again
    assert later.report is not None and later.report.added == ["40"]


def test_the_loaders_filters_apply(corpus: Path, tmp_path: Path) -> None:
    write(corpus / ".Interview 41.txt.part", LUC)  # a hidden partial copy
    write(corpus / "README.md", "What is in this folder.")
    assert list(snapshot([corpus])) == [str(corpus / "Interview 37 - Sara.txt")]
    service = service_for(corpus, tmp_path)
    watcher = Watcher(service)
    watcher.baseline()
    write(corpus / "README.md", "What is in this folder, now longer.")
    assert watcher.poll() is None and watcher.poll() is None


def test_emptying_the_folder_leaves_the_index_as_it_was(corpus: Path, tmp_path: Path) -> None:
    service = service_for(corpus, tmp_path)
    service.build_index()
    watcher = Watcher(service)
    watcher.baseline()
    (corpus / "Interview 37 - Sara.txt").unlink()
    update = settled(watcher)
    assert update.report is None
    assert update.error is not None and "no transcript could be read" in update.error
    assert {e.turn.interview_id for e in service.reader().all_turns()} == {"37"}
    assert watcher.poll() is None  # not retried every interval


def test_progress_and_the_start_of_an_update_are_reported(corpus: Path, tmp_path: Path) -> None:
    service = service_for(corpus, tmp_path)
    service.build_index()
    watcher = Watcher(service)
    watcher.baseline()
    write(corpus / "Interview 38 - Luc.txt", LUC)
    started: list[FileChanges] = []
    events: list[Progress] = []
    settled(watcher, progress=events.append, starting=started.append)
    assert started == [FileChanges(added=(str(corpus / "Interview 38 - Luc.txt"),))]
    embedding = [p for p in events if p.stage == "embedding"]
    assert embedding[-1].done == embedding[-1].total > 0
    assert embedding[-1].interviews_done == embedding[-1].interviews_total == 1


def test_run_stops_when_asked_and_refuses_a_zero_interval(corpus: Path, tmp_path: Path) -> None:
    service = service_for(corpus, tmp_path)
    service.build_index()
    watcher = Watcher(service)
    watcher.baseline()
    write(corpus / "Interview 38 - Luc.txt", LUC)
    updates: list[Update] = []
    watcher.run(updates.append, should_stop=lambda: bool(updates))
    assert [u.line() for u in updates] == ["indexed 1 new interview: 38 — Interview 38 - Luc"]
    with pytest.raises(AssistantError, match="ASSISTANT_WATCH_INTERVAL above 0"):
        Watcher(service_for(corpus, tmp_path, interval=0)).run(updates.append)


def test_a_busy_index_is_said_once_and_tried_again(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.errors import IndexBusyError

    service = service_for(corpus, tmp_path)
    service.build_index()
    watcher = Watcher(service)
    watcher.baseline()
    real_build = Assistant.build_index
    busy = [True, True]

    def build(self: Assistant, *args: object, **kwargs: object) -> object:
        if busy:
            busy.pop()
            raise IndexBusyError("another build of the index is running")
        return real_build(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Assistant, "build_index", build)
    write(corpus / "Interview 38 - Luc.txt", LUC)
    first = settled(watcher)
    assert first.error == "another build of the index is running; trying again after it"
    assert not first.quiet and first.line().endswith("trying again after it")
    again = watcher.poll()  # the folder has not changed: tried again all the same
    assert again is not None and again.quiet
    done = watcher.poll()
    assert done is not None and not done.quiet and done.report is not None
    assert done.report.added == ["38"]
