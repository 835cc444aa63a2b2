"""A full disk and a read-only index, for real: a small tmpfs and a read-only bind mount, each
in a private mount namespace (root and `unshare` needed; the tests skip and say why elsewhere).

Before: a full disk during `index` was "internal error … please report it", and a read-only but
intact index was called damaged, with the advice to delete it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def _namespace_or_skip() -> None:
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        pytest.skip("needs unshare and mount to give the index its own small or read-only disk")
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs or a read-only bind mount in a namespace")
    trial = subprocess.run(
        ["unshare", "--mount", "mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", "/mnt"],
        capture_output=True,
        text=True,
    )
    if trial.returncode != 0:
        pytest.skip(f"this machine does not allow mount namespaces: {trial.stderr.strip()}")


def _run_in_namespace(
    tmp_path: Path, steps: list[str], env: dict[str, str]
) -> list[tuple[int, str, str]]:
    """Run shell ``steps`` in one private mount namespace; each step's (status, out, err)."""
    lines = ["set -u"]
    for n, step in enumerate(steps):
        out, err, rc = (tmp_path / f"{name}{n}" for name in ("out", "err", "rc"))
        lines.append(f"( {step} ) >{out} 2>{err}; echo $? >{rc}")
    subprocess.run(
        ["unshare", "--mount", "sh", "-c", "\n".join(lines)], check=True, timeout=900, env=env
    )
    return [
        (
            int((tmp_path / f"rc{n}").read_text()),
            (tmp_path / f"out{n}").read_text(),
            (tmp_path / f"err{n}").read_text(),
        )
        for n in range(len(steps))
    ]


def _env(tmp_path: Path, corpus: Path, index: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ASSISTANT_CORPUS_DIR=str(corpus),
        ASSISTANT_INDEX_DIR=str(index),
        ASSISTANT_DATA_DIR=str(tmp_path / "data"),
        ASSISTANT_NOTES_FILE=str(tmp_path / "notes.md"),
    )
    return env


def test_a_full_disk_during_index_is_one_line_and_the_previous_index_answers(
    tmp_path: Path, shipped_file: Path
) -> None:
    _namespace_or_skip()
    corpus, disk = tmp_path / "corpus", tmp_path / "disk"
    corpus.mkdir()
    disk.mkdir()
    text = shipped_file.read_text(encoding="utf-8")
    (corpus / shipped_file.name).write_text(text, encoding="utf-8")
    more = tmp_path / "more"
    more.mkdir()
    for n in (13, 14, 15):  # the same words under other interview numbers: as much to store
        (more / f"Interview {n}.txt").write_text(
            text.replace("Interview 12 - Amin", f"Interview {n}"), encoding="utf-8"
        )
    assistant = f"{sys.executable} -m assistant"
    index = disk / "index"
    results = _run_in_namespace(
        tmp_path,
        [
            f"mount -t tmpfs -o size=6m tmpfs {disk}",
            f"{assistant} index",
            f"cp {more}/* {corpus}/ && {assistant} index",
            f"{assistant} search 'environment not ready' -k 1 --json",
            f"mount -o remount,size=40m {disk} && {assistant} index --json",
        ],
        _env(tmp_path, corpus, index),
    )
    mounted, first, full, search, after = results
    assert mounted[0] == 0, mounted
    assert first[0] == 0, first
    assert full[0] == 1, full
    assert full[2].startswith(f"assistant: no space left on the disk holding the index at {index}")
    assert full[2].endswith(
        "the previous index is unchanged and still answers; free some space and run "
        "`assistant index` again\n"
    )
    assert len(full[2].splitlines()) == 1 and "internal error" not in full[2]
    assert search[0] == 0, search
    assert '"key": "12:' in search[1]
    assert after[0] == 0, after
    assert '"added": [\n    "13",\n    "14",\n    "15"\n  ]' in after[1]


def test_a_read_only_index_is_called_read_only_not_damaged(
    tmp_path: Path, shipped_file: Path
) -> None:
    _namespace_or_skip()
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / shipped_file.name).write_bytes(shipped_file.read_bytes())
    assistant = f"{sys.executable} -m assistant"
    results = _run_in_namespace(
        tmp_path,
        [
            f"{assistant} index",
            f"mount --bind -o ro {index} {index}",
            f"{assistant} search 'environment not ready' -k 1",
            f"{assistant} index",
        ],
        _env(tmp_path, corpus, index),
    )
    built, mounted, search, rebuild = results
    assert built[0] == 0 and mounted[0] == 0, (built, mounted)
    for status, _out, err in (search, rebuild):
        assert status == 1, err
        assert err.startswith(f"assistant: the index at {index} is read-only (")
        assert err.endswith(
            f"it is not damaged, but it must be writable, even to search: make {index} "
            "writable, or copy it to a writable folder and point ASSISTANT_INDEX_DIR there\n"
        )
        assert "delete" not in err and len(err.splitlines()) == 1
    # Nothing was lost: writable again, the same index answers.
    assert (
        "12:"
        in _run_in_namespace(
            tmp_path,
            [f"{assistant} search 'environment not ready' -k 1"],
            _env(tmp_path, corpus, index),
        )[0][1]
    )
