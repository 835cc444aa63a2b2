"""A damaged index is a one-line error naming the folder and saying what to do, not a crash."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from index_helpers import FakeCodebook, embedder, small_corpus

from assistant import service
from assistant.cli import main
from assistant.errors import IndexDamagedError


@pytest.fixture(autouse=True)
def fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service.Assistant, "load_corpus", lambda self, *a, **k: small_corpus())
    monkeypatch.setattr(service.Assistant, "embedder", property(lambda self: embedder()))
    monkeypatch.setattr(
        service.Assistant,
        "codebook",
        lambda self, c=None: FakeCodebook(e.turn for e in self.reader().all_turns()),
    )


def _fresh_process() -> None:
    """Each CLI run is a new process; Chroma caches one open database per folder per process."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def _random_database(chroma: Path) -> None:
    (chroma / "chroma.sqlite3").write_bytes(os.urandom(64 * 1024))


def _file_instead_of_folder(chroma: Path) -> None:
    shutil.rmtree(chroma)
    chroma.write_text("not a folder\n", encoding="utf-8")


@pytest.mark.parametrize("damage", [_random_database, _file_instead_of_folder])
@pytest.mark.parametrize("command", [["search", "price"], ["index"]])
def test_damaged_index_is_one_line_naming_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: object, command: list[str]
) -> None:
    assert main(["index"]) == 0
    capsys.readouterr()
    _fresh_process()
    damage(tmp_path / "index" / "chroma")  # type: ignore[operator]

    assert main(command) == IndexDamagedError.exit_code == 1
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    folder = tmp_path / "index"
    assert lines[0].startswith(f"assistant: the index at {folder} is damaged or unreadable (")
    assert lines[0].endswith(f"delete the folder {folder} and run `assistant index`")
    assert "internal error" not in captured.err and "Traceback" not in captured.err


def test_after_deleting_the_folder_the_index_builds_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["index"]) == 0
    _fresh_process()
    _random_database(tmp_path / "index" / "chroma")
    assert main(["search", "price"]) == 1
    # The advice in the message works: Chroma's cache must not keep the broken database alive.
    shutil.rmtree(tmp_path / "index")
    capsys.readouterr()
    assert main(["index"]) == 0
    assert "3 added" in capsys.readouterr().out
    assert main(["search", "price", "--json"]) == 0
