"""``assistant index --watch`` and Ctrl+C: a real process interrupted by SIGINT, and the JSON
Lines of an update in-process."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

import pytest
from index_helpers import embedder

from assistant import service
from assistant.cli import main
from assistant.cli.index_watch import INTERRUPTED
from assistant.cli.progress import ProgressDisplay
from assistant.model import Progress
from assistant.watch import Watcher
from tests.conftest import REPO, SHIPPED_FILE

LUC = """\
Interviewer: How reliable were the sensors?
Luc: The humidity sensors dropped readings every night after midnight.
"""
#: Upper bound on waiting for a line from the process: a guard against a hang, not a timing
#: check (the first build loads the model and embeds the shipped interview).
PATIENCE = 300


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / SHIPPED_FILE.name).write_bytes(SHIPPED_FILE.read_bytes())
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(folder))
    monkeypatch.setenv("ASSISTANT_WATCH_INTERVAL", "0.2")
    return folder


class Lines:
    """The lines a process writes, read in a thread so that waiting for one can be bounded."""

    def __init__(self, stream: IO[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))

    def until(self, needle: str) -> str:
        while True:
            try:
                line = self._queue.get(timeout=PATIENCE)
            except queue.Empty:
                raise AssertionError(f"never printed {needle!r}; got {self.seen}") from None
            self.seen.append(line)
            if needle in line:
                return line


def _ctrl_c_as_in_a_terminal() -> None:
    # A test run started in the background by a shell without job control inherits SIGINT
    # ignored, and so would the child: Python then installs no KeyboardInterrupt at all.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_watch_indexes_a_dropped_file_and_ctrl_c_ends_it_cleanly(corpus: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "index", "--watch"],
        cwd=REPO,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    try:
        out = Lines(process.stdout)  # type: ignore[arg-type]
        out.until("+ added       12  Interview 12 - Amin")
        out.until(f"Watching {corpus} for added, edited or removed interviews")
        (corpus / "Interview 38 - Luc.txt").write_text(LUC, encoding="utf-8")
        line = out.until("indexed 1 new interview")
        assert line.endswith("  indexed 1 new interview: 38 — Interview 38 - Luc")
        (corpus / "Interview 38 - Luc.txt").unlink()
        assert out.until("removed interview").endswith("  removed interview 38")
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=PATIENCE)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert "Traceback" not in err
    assert err.strip().splitlines() == [f"assistant: stopped watching {corpus}"]


def test_watch_json_lines_and_problems(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(service.Assistant, "embedder", property(lambda self: embedder()))
    real_run = Watcher.run

    def drop_then_stop(self: Watcher, on_update: Any, **kwargs: Any) -> None:
        (corpus / "Interview 38 - Luc.txt").write_text(LUC, encoding="utf-8")
        (corpus / "Interview 39.txt").write_bytes(b"")

        def then_ctrl_c(update: Any) -> None:
            on_update(update)
            raise KeyboardInterrupt

        real_run(self, then_ctrl_c, **kwargs)

    monkeypatch.setattr(Watcher, "run", drop_then_stop)
    assert main(["index", "--watch", "--json"]) == 0
    captured = capsys.readouterr()
    first, update = (json.loads(line) for line in captured.out.splitlines())
    assert first["added"] == ["12"]
    assert update["files"] == {
        "added": [str(corpus / "Interview 38 - Luc.txt"), str(corpus / "Interview 39.txt")],
        "changed": [],
        "removed": [],
    }
    assert update["report"]["added"] == ["38"] and update["report"]["unchanged"] == ["12"]
    assert update["problems"] == [f"{corpus / 'Interview 39.txt'}: the file is empty"]
    assert update["error"] is None
    err = captured.err.splitlines()
    assert err[0].startswith(f"Watching {corpus} for added")
    assert f"assistant: {corpus / 'Interview 39.txt'}: the file is empty" in err
    assert err[-1] == f"assistant: stopped watching {corpus}"


def test_ctrl_c_during_a_build_is_one_line(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(self: Any, *args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(service.Assistant, "build_index", interrupted)
    assert main(["index"]) == 130
    captured = capsys.readouterr()
    assert captured.err == f"assistant: {INTERRUPTED}\n" and captured.out == ""
    assert main(["index", "--watch"]) == 0
    assert capsys.readouterr().err == f"assistant: stopped watching {corpus}; {INTERRUPTED}\n"


def test_zero_interval_refuses_to_watch(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASSISTANT_WATCH_INTERVAL", "0")
    assert main(["index", "--watch"]) == 2
    assert "ASSISTANT_WATCH_INTERVAL above 0" in capsys.readouterr().err


def test_the_terminal_line_shows_the_interview_and_the_time_left() -> None:
    from io import StringIO

    from rich.console import Console

    now = [0.0]
    screen = StringIO()
    display = ProgressDisplay(
        Console(file=screen, force_terminal=True, width=120), clock=lambda: now[0]
    )
    display(Progress("embedding", 0, 4096, interviews_total=36))
    now[0] = 60.0
    display(
        Progress(
            "embedding", 1024, 4096, "Interview 12 - Amin", interviews_done=2, interviews_total=36
        )
    )
    display.close()
    drawn = screen.getvalue()
    assert "embedding 1,024/4,096 · interview 3/36 · Interview 12 - Amin · about 3 min left" in (
        drawn
    )


def test_watching_an_empty_folder_waits_for_transcripts(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(service.Assistant, "embedder", property(lambda self: embedder()))
    (corpus / SHIPPED_FILE.name).unlink()
    real_run = Watcher.run

    def drop_then_stop(self: Watcher, on_update: Any, **kwargs: Any) -> None:
        (corpus / "Interview 38 - Luc.txt").write_text(LUC, encoding="utf-8")

        def then_ctrl_c(update: Any) -> None:
            on_update(update)
            raise KeyboardInterrupt

        real_run(self, then_ctrl_c, **kwargs)

    monkeypatch.setattr(Watcher, "run", drop_then_stop)
    assert main(["index", "--watch"]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"assistant: no transcript could be read in {corpus} yet; the index is unchanged",
        f"assistant: stopped watching {corpus}",
    ]
    out = captured.out.splitlines()
    assert out[0].startswith(f"Watching {corpus} for added, edited or removed interviews")
    assert out[1].endswith("  indexed 1 new interview: 38 — Interview 38 - Luc")
