"""``assistant agree study.qdpx``: two users' codings of one REFI-QDA project compared as two
coders' print-outs are (κ checked against scikit-learn), ``--users`` for more than two, and one
clear line when the project has fewer than two coders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from qdpx_samples import Code, Selection, Source, project, select
from sklearn.metrics import cohen_kappa_score

from assistant.cli import main

TEXT = (
    "Interviewer: How did it start?\n"
    "Ana: The data came late.\n"
    "Interviewer: And then?\n"
    "Ana: The labels were noisy.\n"
    "Interviewer: Anything else?\n"
    "Ana: The vendor changed the API.\n"
    "Interviewer: How did you fix it?\n"
    "Ana: We pinned the version.\n"
)
LATE, NOISY, VENDOR, PINNED = (
    "The data came late.",
    "The labels were noisy.",
    "The vendor changed the API.",
    "We pinned the version.",
)
DATA, DEPS = "Data issues", "Dependencies"
#: Who applied what: Ana and Bo agree on two decisions of DATA, differ on others.
CODED = {
    "Ana Coder": [(LATE, DATA), (NOISY, DATA), (VENDOR, DEPS)],
    "Bo Coder": [(LATE, DATA), (VENDOR, DATA), (VENDOR, DEPS), (PINNED, DEPS)],
    "Cy Coder": [(PINNED, DEPS)],
}
PARAGRAPHS = [line.split(": ", 1)[1] for line in TEXT.splitlines()]


def _write(tmp_path: Path, coders: tuple[str, ...], anonymous: bool = False) -> Path:
    selections: list[Selection] = [
        select(TEXT, passage, code, user=user) for user in coders for passage, code in CODED[user]
    ]
    if anonymous:
        selections.append(select(TEXT, NOISY, DEPS))
    path = tmp_path / "study.qdpx"
    path.write_bytes(
        project(
            [Source("Interview 7", TEXT, selections)],
            [Code(DATA), Code(DEPS)],
            users=coders,
        )
    )
    return path


def _decisions(user: str, code: str) -> list[bool]:
    chosen = {p for p, c in CODED[user] if c == code}
    return [p in chosen for p in PARAGRAPHS]


def _agree_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["agree", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_two_users_of_one_project_are_compared_like_two_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, ("Ana Coder", "Bo Coder"))
    data = _agree_json(capsys, str(path))
    assert set(data) == {
        "unit",
        "pairs",
        "units",
        "codes",
        "pooled_kappa",
        "interviews",
        "disagreements",
    }
    assert data["unit"] == "paragraph" and data["units"] == len(PARAGRAPHS)
    assert data["pairs"] == [{"interview": "7", "a": str(path), "b": str(path)}]
    assert (data["interviews"][0]["a"], data["interviews"][0]["b"]) == ("Ana Coder", "Bo Coder")
    by_code = {c["code"]: c for c in data["codes"]}
    pooled_a: list[bool] = []
    pooled_b: list[bool] = []
    for code in (DATA, DEPS):
        a, b = _decisions("Ana Coder", code), _decisions("Bo Coder", code)
        pooled_a += a
        pooled_b += b
        assert by_code[code]["a"] == sum(a) and by_code[code]["b"] == sum(b)
        assert by_code[code]["both"] == sum(x and y for x, y in zip(a, b, strict=True))
        assert by_code[code]["kappa"] == pytest.approx(cohen_kappa_score(a, b), abs=1e-4)
    assert data["pooled_kappa"] == pytest.approx(cohen_kappa_score(pooled_a, pooled_b), abs=1e-4)
    disagreements = {(d["code"], d["coded_by"], d["quote"]) for d in data["disagreements"]}
    assert disagreements == {
        (DATA, "Ana Coder", NOISY),
        (DATA, "Bo Coder", VENDOR),
        (DEPS, "Bo Coder", PINNED),
    }


def test_more_than_two_users_are_picked_with_users(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, ("Ana Coder", "Bo Coder", "Cy Coder"), anonymous=True)
    assert main(["agree", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        f"assistant: {path}: coded by 3 users (Ana Coder, Bo Coder, Cy Coder); pick two with "
        "--users A,B"
    )
    data = _agree_json(capsys, str(path), "--users", "bo coder,Cy Coder")
    assert (data["interviews"][0]["a"], data["interviews"][0]["b"]) == ("Bo Coder", "Cy Coder")
    deps = next(c for c in data["codes"] if c["code"] == DEPS)
    # The coding without a user is nobody's: Bo's two and Cy's one, not NOISY.
    assert (deps["a"], deps["b"], deps["both"]) == (2, 1, 1)
    assert main(["agree", str(path), "--users", "Ana Coder,Dee"]) == 1
    assert "no user 'Dee' coded it (users: Ana Coder, Bo Coder, Cy Coder)" in (
        capsys.readouterr().err
    )
    assert main(["agree", str(path), "--users", "Ana Coder"]) == 1
    assert "--users takes two users" in capsys.readouterr().err
    assert main(["agree", str(path)]) == 1
    capsys.readouterr()
    # The text report says what was left out.
    assert main(["agree", str(path), "--users", "Ana Coder,Bo Coder"]) == 0
    out = capsys.readouterr().out
    assert "interview 7: 1 code application(s) carry no user and are not compared" in out


@pytest.mark.parametrize(
    ("coders", "expected"),
    [
        (("Ana Coder",), "its codings carry one user only (Ana Coder)"),
        ((), "its codings carry no user"),
    ],
)
def test_fewer_than_two_users_is_one_line_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], coders: tuple[str, ...], expected: str
) -> None:
    path = _write(tmp_path, coders, anonymous=True)
    assert main(["agree", str(path)]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert captured.out == "" and len(lines) == 1
    assert lines[0].startswith(f"assistant: {path}: {expected}")


def test_a_broken_project_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.qdpx"
    path.write_bytes(b"not a zip")
    assert main(["agree", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "broken.qdpx" in err and "not a zip" in err


def test_users_only_go_with_a_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a").mkdir()
    assert main(["agree", str(tmp_path / "a"), "--users", "A,B"]) == 1
    assert "--users picks two coders of one REFI-QDA project" in capsys.readouterr().err


def test_users_who_coded_different_interviews_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "split.qdpx"
    sources = [
        Source("Interview 1", TEXT, [select(TEXT, LATE, DATA, user="Ana Coder")]),
        Source("Interview 2", TEXT, [select(TEXT, LATE, DATA, user="Bo Coder")]),
    ]
    path.write_bytes(project(sources, [Code(DATA)], users=("Ana Coder", "Bo Coder")))
    assert main(["agree", str(path)]) == 1
    assert capsys.readouterr().err.strip() == (
        "assistant: in none of the 2 pairs did both coders apply codes (e.g. interview 1 "
        "(Ana Coder vs Bo Coder): Bo Coder applied no code): agree compares coded transcripts"
    )
