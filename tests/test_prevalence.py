"""Prevalence: every cell is the number of paragraphs ``quotes --code`` lists for that code and
interview, and the totals agree with ``assistant codes``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from notes_samples import CORPUS, LOW_QTY, LOW_QTY_FIX, MLP, MLP_CHILD, MLP_DATA

from assistant.cli import main
from assistant.codebook import Codebook
from assistant.errors import AssistantError
from assistant.model import Corpus
from assistant.prevalence import cooccurrence, prevalence
from assistant.service import make_assistant


def _book(corpus: Corpus) -> Codebook:
    return Codebook.from_turns(t for i in corpus.interviews for t in i.turns)


def check_against_quotes_and_codes(corpus: Corpus) -> int:
    """Every cell against the quotes-by-code path, every total against the code tree."""
    service = make_assistant()
    book = _book(corpus)
    table = prevalence(corpus, "interview", book)
    assert table.columns == tuple(i.id for i in corpus.interviews)
    assert [r.code for r in table.rows] == [c.label for _, c in book.tree()]
    checked = 0
    for row in table.rows:
        for interview in corpus.interviews:
            report = service.quotes(row.code, interview.id, corpus=corpus)
            assert row.cells[interview.id] == len(report.items), (row.code, interview.id)
            checked += 1
        assert row.total == len(service.quotes(row.code, corpus=corpus).items)
        code = book.get(row.code)
        assert code is not None
        if not code.children:
            # A label on its own: its paragraphs are its applications, its interviews the same.
            assert (row.total, row.interviews) == (code.applications, code.interviews)
        else:
            assert row.total >= code.applications
            assert row.interviews >= code.interviews
    return checked


def test_synthetic_corpus_counts_parents_with_children() -> None:
    table = prevalence(CORPUS, "interview")
    mlp = table.row(MLP)
    assert mlp is not None and mlp.cells == {"12": 1, "3": 1}
    assert (mlp.total, mlp.interviews, mlp.parent) == (2, 2, None)
    child = table.row(MLP_DATA)
    assert child is not None and (child.cells, child.parent) == ({"12": 0, "3": 1}, MLP)
    assert table.row(LOW_QTY).cells == {"12": 1, "3": 0}  # type: ignore[union-attr]
    assert table.row(LOW_QTY_FIX).cells == {"12": 0, "3": 1}  # type: ignore[union-attr]
    check_against_quotes_and_codes(CORPUS)


def test_by_speaker_and_role_split_each_total_once() -> None:
    for by in ("speaker", "role"):
        table = prevalence(CORPUS, by)  # type: ignore[arg-type]
        for row in table.rows:
            assert sum(row.cells.values()) == row.total
    assert prevalence(CORPUS, "role").columns == ("interviewer", "participant")
    speakers = prevalence(CORPUS, "speaker")
    assert speakers.columns == ("Interviewee", "Interviewer 1")
    assert speakers.row(MLP).cells == {"Interviewee": 2, "Interviewer 1": 0}  # type: ignore[union-attr]
    with pytest.raises(AssistantError, match="cannot count codes by 'turn'"):
        prevalence(CORPUS, "turn")  # type: ignore[arg-type]


def test_cooccurrence_counts_paragraphs_with_both_labels() -> None:
    table = cooccurrence(CORPUS)
    assert table.count(MLP, MLP_CHILD) == table.count(MLP_CHILD, MLP) == 1
    assert table.count(MLP_DATA, LOW_QTY_FIX) == 1
    assert table.count(MLP, LOW_QTY) == 0
    assert table.count(LOW_QTY, LOW_QTY) == 1
    pairs = {(a, b): n for a, b, n in table.pairs()}
    assert pairs == {(MLP, MLP_CHILD): 1, (LOW_QTY_FIX, MLP_DATA): 1}


def test_shipped_corpus_cells_equal_quotes(shipped_file: Path) -> None:
    corpus = make_assistant().load_corpus([shipped_file])
    assert check_against_quotes_and_codes(corpus) == 10


def test_cli_matrix_json_has_the_documented_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codes", "--matrix", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"by", "columns", "rows"}
    assert (data["by"], data["columns"]) == ("interview", ["12"])
    rows = {r["code"]: r for r in data["rows"]}
    assert all(set(r) == {"code", "parent", "cells", "total", "in"} for r in data["rows"])
    assert rows["ML-pipeline-issues [MLP]"] == {
        "code": "ML-pipeline-issues [MLP]",
        "parent": None,
        "cells": {"12": 3},
        "total": 3,
        "in": 1,
    }
    assert rows["QM-data-privacy-issues"]["cells"] == {"12": 4}


def test_cli_matrix_table_and_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codes", "--matrix"]) == 0
    out = capsys.readouterr().out
    assert "  MLP-unstable-external-dependency         3      3  1 of 1" in out
    assert main(["codes", "--matrix", "--by", "role", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["code", "parent", "interviewer", "participant", "total", "in"]
    assert ["Misc", "", "1", "0", "1", "1"] in rows


def test_cli_cooccur(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codes", "--cooccur", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"a": "Misc", "b": "Stakeholders-lack-of-knowledge", "paragraphs": 1} in data["pairs"]
    assert main(["codes", "--cooccur"]) == 0
    assert "3 pairs of codes share at least one paragraph" in capsys.readouterr().out


@pytest.mark.shared_corpus
def test_coded_moderated_pdfs_cells_equal_quotes(shared_corpus: Path) -> None:
    from ingest_helpers import moderated_pdfs

    coded = tuple(i for i in moderated_pdfs(shared_corpus).interviews if i.code_applications)
    assert len(coded) == 14
    corpus = Corpus(coded)
    checked = check_against_quotes_and_codes(corpus)
    assert checked == len(_book(corpus)) * 14


@pytest.mark.shared_corpus
def test_cli_matrix_json_on_the_14_coded_pdfs(
    shared_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ingest_helpers import moderated_pdfs

    from assistant.quotes import select_quotes

    coded = [i for i in moderated_pdfs(shared_corpus).interviews if i.code_applications]
    corpus = Corpus(tuple(coded))
    assert main(["codes", "--matrix", "--json", *(i.source for i in coded)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["columns"] == [i.id for i in coded]
    book = _book(corpus)
    # What `assistant codes --json` prints for the same files.
    tree = {c["label"]: c for c in book.to_dict()["codes"]}
    assert [r["code"] for r in data["rows"]] == [c.label for _, c in book.tree()]
    for row in data["rows"]:
        labels = book.resolve([row["code"]])
        for ident, n in row["cells"].items():
            assert n == len(select_quotes(corpus, labels, interviews=[ident])), (row, ident)
        assert row["total"] == sum(row["cells"].values())
        assert row["in"] == sum(1 for n in row["cells"].values() if n)
        if not tree[row["code"]]["children"]:
            assert (row["total"], row["in"]) == (
                tree[row["code"]]["applications"],
                tree[row["code"]]["interviews"],
            )


def test_by_without_matrix_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codes", "--by", "role"]) == 1
    assert capsys.readouterr().err == "assistant: --by and --format go with --matrix or --cooccur\n"
