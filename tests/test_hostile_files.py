"""Corpus folders as they come: file names that are not UTF-8, folders that cannot be read,
symlink loops. Each is indexed or reported in one line; the other interviews always load."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistant import cli

PLAIN = b"Alice: Why did the project stall?\nBob: The vendor never shipped the parts.\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def corpus(tmp_path: Path, shipped_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / shipped_file.name).write_bytes(shipped_file.read_bytes())
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(folder))
    return folder


def test_a_file_name_that_is_not_utf8_is_indexed_and_cited(
    corpus: Path, capsys: pytest.CaptureFixture[str], isolated_paths: Path
) -> None:
    # Latin-1 "Interview 9 ÿ.txt", as an old Windows share or a zip archive leaves it.
    with open(os.fsencode(corpus) + b"/Interview 9 \xff.txt", "wb") as handle:
        handle.write(PLAIN)
    code, out, err = run(capsys, "index", "--json")
    assert code == 0, err
    assert sorted(json.loads(out)["added"]) == ["12", "9"]
    code, out, err = run(capsys, "search", "the vendor never shipped", "-k", "1", "--json")
    assert code == 0, err
    hit = json.loads(out)["results"][0]
    assert (hit["key"], hit["title"]) == ("9:2", "Interview 9 \\xff")
    assert hit["source"] == str(corpus / "Interview 9 \\xff.txt")
    assert run(capsys, "notes", "add", "9:2")[0] == 0
    notes = (isolated_paths / "notes.md").read_text(encoding="utf-8")
    assert "— *Interview 9 \\xff* · Bob · turn 2 · line 2" in notes
    code, out, _ = run(capsys, "notes", "list", "--json")
    assert json.loads(out)["stale"] == 0
    # Unchanged on the next build: the name is recognised as the same file.
    code, out, _ = run(capsys, "index", "--json")
    assert sorted(json.loads(out)["unchanged"]) == ["12", "9"]


def test_an_unreadable_file_with_such_a_name_is_named_in_one_line(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open(os.fsencode(corpus) + b"/Interview 8 \xe9t\xe9.txt", "wb") as handle:
        handle.write(b"\x00\x01\x02 binary")
    code, out, err = run(capsys, "index")
    assert code == 0
    assert f"{corpus}/Interview 8 \\xe9t\\xe9.txt: is a binary file" in err
    assert "added       12" in out


class _Unenterable:
    """A directory entry in a folder that can be listed but not entered (mode 666): its name
    is known, anything about it is "permission denied"."""

    def __init__(self, entry: os.DirEntry[str]) -> None:
        self.name, self.path = entry.name, entry.path

    def _denied(self, *args: object, **kwargs: object) -> bool:
        raise PermissionError(13, "Permission denied", self.path)

    is_dir = is_file = _denied

    def is_symlink(self) -> bool:
        return False


def _deny(monkeypatch: pytest.MonkeyPatch, *, unreadable: Path, unenterable: Path) -> None:
    # Root (as in CI) reads every folder whatever its mode, so the refusal is injected.
    real = os.scandir

    class Listing:
        def __init__(self, path: str) -> None:
            self.scan = real(path)
            self.blocked = Path(path) == unenterable

        def __enter__(self) -> Listing:
            return self

        def __exit__(self, *exc: object) -> None:
            self.scan.close()

        def __iter__(self):  # type: ignore[no-untyped-def]
            for entry in self.scan:
                yield _Unenterable(entry) if self.blocked else entry

    def scandir(path: str | os.PathLike[str] = ".") -> Listing:
        if Path(path) == unreadable:
            raise PermissionError(13, "Permission denied", str(path))
        return Listing(os.fspath(path))

    monkeypatch.setattr(os, "scandir", scandir)


def test_folders_that_cannot_be_read_or_entered_and_symlink_loops_are_notices(
    corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("locked", "listed-only", "fine"):
        (corpus / name).mkdir()
        (corpus / name / f"Interview {len(name)}.txt").write_bytes(PLAIN)
    (corpus / "fine" / "loop").symlink_to(corpus)
    (corpus / "again").symlink_to(corpus / "fine")
    _deny(monkeypatch, unreadable=corpus / "locked", unenterable=corpus / "listed-only")
    code, out, err = run(capsys, "corpus", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert sorted(i["id"] for i in report["interviews"]) == ["12", "4"]  # fine/Interview 4
    assert sorted(n["message"] for n in report["notices"]) == [
        f"{corpus}/again/: skipped: the same folder as {corpus}/fine/; its files are not read",
        f"{corpus}/fine/loop/: skipped: a symbolic link loop back to a folder above it; its "
        "files are not read",
    ]
    # Files that exist but cannot be read are problems, as an unreadable file is.
    assert sorted(n["message"] for n in report["errors"]) == [
        f"{corpus}/listed-only/: skipped: can be listed but not entered (permission denied): 1 "
        "skipped; its files are not read",
        f"{corpus}/locked/: skipped: cannot be read (permission denied); its files are not read",
    ]
    code, out, err = run(capsys, "index")
    assert code == 0, err
    assert "added       12" in out and "added        4" in out
    assert "listed-only/: skipped: can be listed but not entered" in err
