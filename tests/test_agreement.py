"""Inter-coder agreement: κ against scikit-learn's and a hand-worked table, the study's
interview-12 pair, the whole folder of per-coder print-outs, and bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score

from assistant.agreement import Table, compare
from assistant.cli import main
from assistant.codings import coder_name, find_pairs
from assistant.ingest import read_file
from assistant.model import Interview, Paragraph, Turn
from assistant.pairs import Coding, Pairing

QM = "QM-data-privacy-issues"


def test_hand_worked_table() -> None:
    # 10 paragraphs; A codes 4, B codes 3, both 2, so they agree on 2 + 5 = 7.
    # Chance: .4 × .3 + .6 × .7 = .54; κ = (.7 − .54) / (1 − .54) = .16 / .46.
    table = Table(n=10, a=4, b=3, both=2)
    assert table.observed == pytest.approx(0.7)
    assert table.kappa == pytest.approx(0.16 / 0.46)
    assert Table(n=5, a=0, b=0, both=0).kappa is None  # nobody coded: κ undefined
    assert Table(n=5, a=5, b=5, both=5).kappa is None
    assert Table(n=4, a=2, b=2, both=2).kappa == pytest.approx(1.0)


def _interview(ident: str, coder: str, codes: list[tuple[str, ...]]) -> Interview:
    turns = tuple(
        Turn(ident, n, "Interviewee", "participant", (Paragraph(f"Paragraph {n}.", c),))
        for n, c in enumerate(codes, start=1)
    )
    return Interview(ident, f"Interview {ident} - {coder}", f"{coder}.txt", "delve-text", "", turns)


def _vectors(a: list[tuple[str, ...]], b: list[tuple[str, ...]], code: str) -> tuple[list, list]:
    return [code in c for c in a], [code in c for c in b]


def test_kappa_equals_scikit_learn_per_code_pooled_and_per_interview() -> None:
    a1 = [("x",), ("x", "y"), (), ("y",), ("x",), (), ("z",), ()]
    b1 = [("x",), ("x",), ("y",), ("y",), (), (), ("z",), ("x",)]
    a2 = [("x",), (), ("y",), ()]
    b2 = [("x",), ("x",), ("y",), ("y",)]
    pairing = Pairing(
        (
            (Coding(_interview("1", "A", a1), "A"), Coding(_interview("1", "B", b1), "B")),
            (Coding(_interview("2", "A", a2), "A"), Coding(_interview("2", "B", b2), "B")),
        ),
        (),
    )
    report = compare(pairing)
    assert report.units == 12
    assert list(report.codes) == ["x", "y", "z"]
    pooled_a: list[bool] = []
    pooled_b: list[bool] = []
    for code, table in report.codes.items():
        va, vb = _vectors(a1 + a2, b1 + b2, code)
        assert table.kappa == pytest.approx(cohen_kappa_score(va, vb)), code
        pooled_a += va
        pooled_b += vb
    assert report.pooled.kappa == pytest.approx(cohen_kappa_score(pooled_a, pooled_b))
    first = report.pairs[0]
    va, vb = _vectors(a1, b1, "x")
    assert first.codes["x"].kappa == pytest.approx(cohen_kappa_score(va, vb))
    # Interview 2 never uses z, so it is not one of its codes.
    assert list(report.pairs[1].codes) == ["x", "y"]
    assert [(d.key, d.code, d.coded_by) for d in report.disagreements][:4] == [
        ("1:2", "y", "A"),
        ("1:3", "y", "B"),
        ("1:5", "x", "A"),
        ("1:8", "x", "B"),
    ]


def test_paragraphs_are_matched_by_text_not_position() -> None:
    a = _interview("1", "A", [("x",), (), ("x",)])
    extra = Turn("1", 4, "Interviewer 1", "interviewer", (Paragraph("Inserted by B only."),))
    turns = list(_interview("1", "B", [("x",), (), ("x",)]).turns)
    b = Interview("1", "Interview 1 - B", "B.txt", "delve-text", "", (extra, *turns))
    report = compare(Pairing(((Coding(a, "A"), Coding(b, "B")),), ()))
    pair = report.pairs[0]
    assert (len(pair.units), pair.unmatched_a, pair.unmatched_b) == (3, 0, 1)
    assert report.codes["x"].kappa == pytest.approx(1.0)
    assert report.disagreements == ()


def test_coder_names_from_delve_print_out_names() -> None:
    assert coder_name(Path("2023-06-04-Interview 12 - PO.pdf")) == "PO"
    assert coder_name(Path("2023-06-04-Interview 17- Rached.pdf")) == "Rached"
    assert coder_name(Path("Interview 12.txt")) is None


def _copy(shipped: Path, target: Path, title: str, drop_line: int | None = None) -> Path:
    lines = shipped.read_text(encoding="utf-8").split("\n")
    lines[0] = f"# {title}"
    if drop_line is not None:
        del lines[drop_line - 1]
    target.write_text("\n".join(lines), encoding="utf-8")
    return target


def test_cli_json_on_two_files(
    tmp_path: Path, shipped_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = _copy(shipped_file, tmp_path / "Interview 12 - A.txt", "Interview 12 - A")
    # B did not put QM-data-privacy-issues on the first paragraph A coded with it (line 364).
    b = _copy(shipped_file, tmp_path / "Interview 12 - B.txt", "Interview 12 - B", drop_line=364)
    assert main(["agree", str(a), str(b), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {
        "unit",
        "pairs",
        "units",
        "codes",
        "pooled_kappa",
        "interviews",
        "disagreements",
    }
    assert data["unit"] == "paragraph"
    assert data["pairs"] == [{"interview": "12", "a": str(a), "b": str(b)}]
    qm = next(c for c in data["codes"] if c["code"] == QM)
    assert set(qm) == {"code", "a", "b", "both", "agreement", "kappa"}
    assert (qm["a"], qm["b"], qm["both"]) == (4, 3, 3)
    assert qm["kappa"] == pytest.approx(Table(data["units"], 4, 3, 3).kappa, abs=1e-4)
    assert [c["kappa"] for c in data["codes"] if c["code"] != QM] == [1.0] * 9
    [disagreement] = data["disagreements"]
    assert set(disagreement) == {"key", "code", "coded_by", "quote"}
    assert (disagreement["code"], disagreement["coded_by"]) == (QM, "A")
    turn = read_file(a).turn(int(disagreement["key"].split(":")[1]))
    assert turn is not None and disagreement["quote"] in [p.text for p in turn.paragraphs]
    assert main(["agree", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert f"  {disagreement['key']:<8} {QM}: coded by A only" in out


def _error_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().split("\n")
    assert len(lines) == 1 and "Traceback" not in captured.err
    return lines[0]


def test_two_different_interviews(
    tmp_path: Path, shipped_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = _copy(shipped_file, tmp_path / "Interview 12 - A.txt", "Interview 12 - A")
    b = _copy(shipped_file, tmp_path / "Interview 13 - B.txt", "Interview 13 - B")
    line = _error_line(capsys, ["agree", str(a), str(b)])
    assert line == (
        f"assistant: {a} is interview 12 and {b} is interview 13: agree compares two codings "
        "of the same interview"
    )


def test_one_coder_only(
    tmp_path: Path, shipped_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "codings"
    folder.mkdir()
    _copy(shipped_file, folder / "Interview 12 - PO.txt", "Interview 12 - PO")
    _copy(shipped_file, folder / "Interview 13 - PO.txt", "Interview 13 - PO")
    line = _error_line(capsys, ["agree", str(folder)])
    assert line == (
        f"assistant: {folder}: every interview has one coding only (coder PO); agree needs "
        "two coders' codings of the same interview"
    )
    line = _error_line(capsys, ["agree", str(folder / "Interview 12 - PO.txt")])
    assert "agree needs two codings" in line


def test_uncoded_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "transcripts"
    folder.mkdir()
    for coder in ("A", "B"):
        (folder / f"Interview 5 - {coder}.txt").write_text(
            "Interviewer: What went wrong?\n\nParticipant: The data was late.\n", encoding="utf-8"
        )
    line = _error_line(capsys, ["agree", str(folder)])
    assert line == (
        "assistant: interview 5 (A vs B): neither A nor B applied any code: agree compares "
        "coded transcripts"
    )


CODINGS = Path("delve-pdf") / "codings"


@pytest.mark.shared_corpus
def test_interview_12_pair_against_scikit_learn(shared_corpus: Path) -> None:
    folder = shared_corpus / CODINGS
    pairing = find_pairs(
        folder / "2023-06-04-Interview 12 - PO.pdf", folder / "2023-06-04-Interview 12 - Rached.pdf"
    )
    [(first, second)] = pairing.pairs
    assert (first.coder, second.coder) == ("PO", "Rached")
    report = compare(pairing)
    po, rached = first.interview, second.interview
    # Independently: the two print-outs hold the same 160 paragraphs in the same order (three
    # differ in case only), so position i in one is position i in the other.
    left = [p for t in po.turns for p in t.paragraphs]
    right = [p for t in rached.turns for p in t.paragraphs]
    assert len(left) == len(right) == report.units == 160
    assert all(x.text.casefold() == y.text.casefold() for x, y in zip(left, right, strict=True))
    codes = sorted({c for p in left + right for c in p.codes}, key=str.casefold)
    assert list(report.codes) == codes
    every_a: list[bool] = []
    every_b: list[bool] = []
    for code in codes:
        va = [code in p.codes for p in left]
        vb = [code in p.codes for p in right]
        assert report.codes[code].kappa == pytest.approx(cohen_kappa_score(va, vb)), code
        every_a += va
        every_b += vb
    assert report.pooled.kappa == pytest.approx(cohen_kappa_score(every_a, every_b))
    expected = sum(a != b for a, b in zip(every_a, every_b, strict=True))
    assert len(report.disagreements) == expected


@pytest.mark.shared_corpus
def test_every_unpairable_print_out_is_named(shared_corpus: Path) -> None:
    folder = shared_corpus / CODINGS
    pairing = find_pairs(folder)
    paired = {i for a, b in pairing.pairs for i in (a.interview.id, b.interview.id)}
    assert paired == {"2", "7", "12", "19", "30", "31", "32", "35", "40"}
    named = {u.what.split(" (")[0] for u in pairing.unpaired}
    for path in sorted(folder.iterdir()):
        match = re.search(r"Interview (\d+)", path.name)
        assert match is not None
        ident = match[1]
        assert ident in paired or f"interview {ident}" in named, path.name
    reasons = {u.what: u.reason for u in pairing.unpaired}
    assert reasons["interview 3 (PO vs Rached)"] == "PO applied no code"
    assert reasons["interview 6 (Amin vs Rached)"] == "neither Amin nor Rached applied any code"
    report = compare(pairing)
    # Interview 2's print-outs differ in four paragraphs; near-identical ones still pair up.
    two = next(p for p in report.pairs if p.a.interview.id == "2")
    assert len(two.units) >= 91
    assert report.pooled.kappa is not None and 0 < report.pooled.kappa < 1
