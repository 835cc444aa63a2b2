"""An answer's overview says how widespread a code is with the same counts as
``codes --matrix``: coded paragraphs, a parent with its children, "in N of M interviews"."""

from __future__ import annotations

import re
from pathlib import Path

from ingest_helpers import moderated_pdfs

from assistant.codebook import Codebook
from assistant.model import Evidence
from assistant.prevalence import code_totals, prevalence
from assistant.retrieve import Retriever
from assistant.service import make_assistant

OVERVIEW = re.compile(r"([^:;]+): (\d+) of (\d+) interviews \u00b7 (\d+) passages \(\d+ quoted\)")


def test_answers_count_codes_as_the_matrix_does(shipped_file: Path) -> None:
    service = make_assistant()
    service.build_index()
    corpus = service.load_corpus()
    matrix = service.prevalence(corpus)
    rows = {r.code: (r.interviews, r.total) for r in matrix.rows}
    book = service.codebook(corpus)
    assert code_totals((t for i in corpus.interviews for t in i.turns), book) == rows

    found = service.retrieve("What went wrong with the machine learning pipeline?")
    assert found.prevalence is not None
    assert found.prevalence.interviews == matrix.of == 1
    assert dict(found.prevalence.codes) == rows

    answer = service.ask("What went wrong with the machine learning pipeline?")
    overview = next(line for line in answer.text.splitlines() if line.startswith("Overview: "))
    said = OVERVIEW.findall(overview.removeprefix("Overview: "))
    assert said, overview
    for code, holding, of, passages in said:
        code = code.strip()
        assert (int(holding), int(passages)) == rows[code], code
        assert int(of) == matrix.of


class _Indexed:
    """What the retriever reads its counts from (the indexed turns), without embedding 36 PDFs:
    the build is what takes minutes, and the counts do not depend on the vectors."""

    def __init__(self, interviews: list) -> None:
        self.cache: dict = {}
        self.turns = [Evidence(t, i.title, i.source, 0.0) for i in interviews for t in i.turns]
        self.ids = [{"id": i.id} for i in interviews]

    def all_turns(self) -> list[Evidence]:
        return list(self.turns)

    def interviews(self) -> list[dict]:
        return self.ids


def test_the_coded_moderated_pdfs_roll_parents_up_in_answers_too(shared_corpus: Path) -> None:
    corpus = moderated_pdfs(shared_corpus)
    book = Codebook.from_turns((t for i in corpus.interviews for t in i.turns), corpus.codes)
    matrix = prevalence(corpus, "interview", book)
    rows = {r.code: (r.interviews, r.total) for r in matrix.rows}
    retriever = Retriever(_Indexed(list(corpus.interviews)), None, book)  # type: ignore[arg-type]
    counts = retriever._prevalence()
    assert counts is not None and counts.interviews == matrix.of
    assert dict(counts.codes) == rows
    # Where a parent's own label is rarely applied, the code tree's "applied" column and the
    # matrix differ; answers now say the matrix's figure (e.g. MLP: 67 paragraphs, not 9).
    differ = {c for c, (n, total) in rows.items() if book.codes[c].applications != total}
    assert "ML-pipeline-issues [MLP]" in differ
    assert counts.codes["ML-pipeline-issues [MLP]"] == rows["ML-pipeline-issues [MLP]"]
