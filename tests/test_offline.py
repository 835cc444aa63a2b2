"""Offline means offline: real commands write nothing outside the configured folders.

The conftest guard sees Python sockets only; onnxruntime's telemetry lives in native code and
announced itself by writing a device id and an event queue under ~/.cache/Microsoft. So these
tests run the real CLI in a child process with an empty home and look at what it left behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from assistant.offline import SWITCHES


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )


def _files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if not p.is_dir())


def test_index_search_and_ask_write_nothing_outside_the_configured_folders(
    tmp_path: Path, shipped_file: Path
) -> None:
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir(exist_ok=True)
    work.mkdir()
    env = dict(os.environ)
    # A user who once turned telemetry on in a shell profile must not get it back.
    env["ORT_DISABLE_TELEMETRY"] = "0"
    env["DO_NOT_TRACK"] = "0"
    env.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        ASSISTANT_CORPUS_DIR=str(shipped_file.parent),
        ASSISTANT_INDEX_DIR=str(tmp_path / "index"),
        ASSISTANT_DATA_DIR=str(tmp_path / "data"),
        ASSISTANT_NOTES_FILE=str(tmp_path / "notes.md"),
    )
    for args in (
        ["index"],
        ["search", "why did projects run late?", "-k", "3"],
        ["ask", "why did projects run late?", "--save"],
    ):
        result = _run(args, env, work)
        assert result.returncode == 0, result.stderr
    assert _files_under(home) == []
    assert not (home / ".cache" / "Microsoft").exists()
    assert _files_under(work) == []
    assert (tmp_path / "notes.md").is_file()


def test_the_switches_are_set_when_the_package_is_imported() -> None:
    names = sorted(SWITCHES)
    probe = (
        f"import json, os, assistant;print(json.dumps({{n: os.environ.get(n) for n in {names!r}}}))"
    )
    env = {k: v for k, v in os.environ.items() if k not in SWITCHES}
    env["ORT_DISABLE_TELEMETRY"] = "0"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen == {name: value for name, (value, _) in SWITCHES.items()}


def test_onnxruntime_writes_no_telemetry_once_switched_off(tmp_path: Path) -> None:
    """The switch itself works for the onnxruntime that is installed (a new release could
    rename it): load the bundled model in a child with an empty home."""
    probe = (
        "from assistant.embeddings import LocalMiniLMEmbedding;"
        "print(LocalMiniLMEmbedding().embed(['the environment was not ready']).shape)"
    )
    env = dict(os.environ, HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / ".cache"))
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "(1, 384)" in result.stdout
    assert _files_under(tmp_path) == []
