"""``assistant eval`` through the command line, on the shipped interview."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import main

QUESTIONS = Path(__file__).parent / "data" / "question_tags.json"


def test_eval_json(shipped_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["eval", str(shipped_file), "--questions", str(QUESTIONS), "--min-count", "2"]
    assert main([*argv, "-k", "5", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["k"] == 5 and report["min_count"] == 2
    assert report["metrics"] == {"recall": "recall@5", "mrr": "MRR@5", "ndcg": "nDCG@5"}
    assert report["modes"] == {"bm25": "bm25", "dense": "dense", "hybrid": "hybrid"}
    assert report["queries"] == len(report["per_code"]) > 0
    assert all(len(r["top"]["hybrid"]) <= 5 for r in report["per_code"])
    assert all(r["relevant"] >= 2 for r in report["per_code"])
    assert report["corpus"]["interviews"] == 1


def test_eval_table(shipped_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", str(shipped_file), "--min-count", "2"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("1 interview, ")
    assert "recall@10" in out and "MRR" in out and "nDCG@10" in out
    overall = next(ln for ln in lines if ln.startswith("overall ("))
    assert len(overall.split()) == 2 + 9  # label, count, then 3 metrics x 3 modes
    assert "MLP-unstable-external-dependency (3)" in out
    # Codes on too few turns are listed, not silently dropped.
    assert "not scored, fewer than 2 turns: Misc (1), Stakeholders-lack-of-knowledge (1)" in out


def test_eval_errors_are_one_line(
    tmp_path: Path, shipped_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "Interview 99.txt"
    plain.write_text("Interviewer: Hello?\n\nInterviewee: Hi.\n", encoding="utf-8")
    assert main(["eval", str(plain)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("assistant: nothing to evaluate: no turn carries a code")
    assert len(err.strip().splitlines()) == 1

    bad = tmp_path / "questions.json"
    bad.write_text("{oops", encoding="utf-8")
    assert main(["eval", str(shipped_file), "--questions", str(bad)]) == 1
    assert "questions.json: not a valid questions file" in capsys.readouterr().err

    assert main(["eval", str(shipped_file), "-k", "0"]) == 1
    assert "-k must be between 1 and 100" in capsys.readouterr().err
    assert main(["eval", str(shipped_file), "-k", "99999999999999999999"]) == 1
    assert "-k must be between 1 and 100" in capsys.readouterr().err


def test_eval_with_natural_questions_and_gold_codes(
    shipped_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "questions.json"
    questions.write_text(
        json.dumps(
            [
                {
                    "id": "a",
                    "question": "what problems did the data have?",
                    "codes": ["Data-low-quality"],
                },
                {
                    "id": "b",
                    "question": "why did projects run late?",
                    "relevant": ["12:112", "12:113"],
                },
            ]
        ),
        encoding="utf-8",
    )
    argv = ["eval", str(shipped_file), "--questions", str(questions), "-k", "5", "--json"]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["questions"] == 2 and report["k"] == 5 and report["codes_hidden"] is False
    assert set(report["modes"]) == {"bm25", "dense", "hybrid"}
    hybrid = report["modes"]["hybrid"]
    assert 0 <= hybrid["recall"] <= 1 and len(hybrid["recall_ci"]) == 2
    # Only the question with gold codes has answer-level figures.
    a, b = report["per_question"]
    assert set(a["hybrid"]) == {"recall", "precision", "coverage"}
    assert set(b["hybrid"]) == {"recall"}
    assert a["hybrid"]["coverage"] in (0.0, 1.0)  # one interview: cited or not
    assert main([*argv[:-1], "--split", "test"]) == 0
    assert "1 question (test)" in capsys.readouterr().out
