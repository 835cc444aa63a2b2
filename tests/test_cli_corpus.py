"""`assistant corpus` and `assistant codes`, through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import main

GOOD = "Interviewer: How was the data?\n\nInterviewee: Messy, honestly.\n"


def test_corpus_table_on_the_default_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["corpus"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if "Interview 12 - Amin" in line)
    assert row.split() == ["12", "Interview", "12", "-", "Amin", "delve-text", "140", "28", "10"]
    assert "1 interview, 140 turns, 28 code applications (10 distinct codes); 0 problems" in out


def test_corpus_json_shape(capsys: pytest.CaptureFixture[str], shipped_file: Path) -> None:
    assert main(["corpus", str(shipped_file), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["errors"] == []
    (interview,) = data["interviews"]
    assert {"id", "title", "source", "format", "turns"} <= set(interview)
    assert (interview["id"], interview["format"]) == ("12", "delve-text")
    turn = interview["turns"][51]
    assert {
        "key",
        "ordinal",
        "speaker",
        "role",
        "text",
        "codes",
        "lines",
        "pages",
        "paragraphs",
    } <= set(turn)
    assert turn["key"] == "12:52" and turn["ordinal"] == 52
    assert (turn["speaker"], turn["role"], turn["text"]) == ("Interviewee", "participant", "So.")
    assert turn["codes"] == ["ML-pipeline-issues [MLP]", "MLP-unstable-external-dependency"]
    assert turn["lines"] == [238, 238] and turn["pages"] is None
    assert turn["paragraphs"] == [
        {"text": "So.", "codes": turn["codes"], "lines": [238, 238], "pages": None}
    ]


def test_problems_are_listed_and_only_strict_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Interview 3.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes("Interviewer: caf\xe9\n".encode("latin-1"))
    assert main(["corpus", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"problem: {tmp_path / 'bad.txt'}, line 1: is not UTF-8 text" in out
    assert "1 interview, 2 turns, 0 code applications (0 distinct codes); 1 problem" in out
    assert main(["corpus", str(tmp_path), "--strict"]) == 1
    capsys.readouterr()
    assert main(["corpus", str(tmp_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["errors"] == [
        {
            "source": str(tmp_path / "bad.txt"),
            "message": f"{tmp_path / 'bad.txt'}, line 1: is not UTF-8 text; save it as UTF-8 and "
            "load it again",
        }
    ]
    assert [i["id"] for i in data["interviews"]] == ["3"]


def test_nothing_loaded_exits_non_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty.txt").write_text("")
    assert main(["corpus", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "No interview could be loaded." in out
    assert f"problem: {tmp_path / 'empty.txt'}: the file is empty" in out
    assert main(["corpus", str(tmp_path / "missing")]) == 1
    assert "no such file or folder" in capsys.readouterr().out


def test_codes_tree_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codes"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["code", "applied", "turns", "interviews"]
    parent = lines.index(
        next(line for line in lines if line.startswith("ML-pipeline-issues [MLP]"))
    )
    assert lines[parent + 1].startswith("  MLP-unstable-external-dependency")
    assert lines[parent + 1].split()[1:] == ["3", "3", "1"]
    assert lines[-1] == "10 codes, 28 applications"
    assert main(["codes", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["distinct"], data["applications"], data["errors"]) == (10, 28, [])
    misc = next(c for c in data["codes"] if c["label"] == "Misc")
    assert (misc["kind"], misc["applications"], misc["turns"], misc["interviews"]) == (
        "code",
        1,
        1,
        1,
    )


def test_help_reads_like_documentation(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["corpus", "--help"])
    out = capsys.readouterr().out
    assert "--strict" in out and "Delve PDF print-outs" in out
