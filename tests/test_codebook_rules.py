"""The codebook's rules hold for a study other than the one they were first written for: no
ML prefixes, a family head of its own, a ``.qdc`` hierarchy that names no abbreviation. Every
consumer (ingest, the tree, the query words, the evaluation, the TUI filters) agrees on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.codebook import (
    Codebook,
    family_head,
    has_family_shape,
    is_question_tag,
    is_weak,
    mitigated_issue,
    split_abbreviation,
)
from assistant.evaluate import build_queries
from assistant.ingest import load_corpus
from assistant.ingest.delve_text import read_delve_text
from assistant.model import Evidence
from assistant.tui.codes import code_nodes

# A health-care study, as a Delve text export: its own families (``CARE-``, ``XY-``), a
# question tag with a letter, mitigations, and a catch-all; a bare word or a once-hyphenated
# one is a code where it stacks with a sure one.
EXPORT = """\
# Interview 3 - Noor

## Interviewer

What made the night shifts hard?

Q2.b

Other

## Participant

We never had enough staff on the ward.

Staffing-and-workload [SW]

SW-understaffing

We rotated people from day shifts to cover it.

SW-understaffing-fix

The readings drifted after the monitors were replaced.

XY-drift

Families asked for updates every hour, which kept us short.

Family-contact

SW-understaffing
"""

# The study's code book: ``Family-contact`` and the drift code sit under ``Relations`` and
# ``Equipment``, which their names do not say; ``SW-understaffing`` stays where it is named.
QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo 14">
  <Codes>
    <Code guid="00000000-0000-4000-8000-000000000001" name="Relations" isCodable="true">
      <Code guid="00000000-0000-4000-8000-000000000002" name="Family-contact" isCodable="true">
        <Description>Contact with patients' families.</Description>
      </Code>
    </Code>
    <Code guid="00000000-0000-4000-8000-000000000003" name="Equipment" isCodable="true">
      <Code guid="00000000-0000-4000-8000-000000000004" name="XY-drift" isCodable="true"/>
    </Code>
  </Codes>
</CodeBook>
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "Interview 3 - Noor.txt").write_text(EXPORT, encoding="utf-8")
    (corpus / "codebook.qdc").write_text(QDC, encoding="utf-8")
    return corpus


def test_the_label_rules_read_any_study() -> None:
    assert is_question_tag("Q2.b") and is_question_tag("q7") and is_question_tag("Q5.3a")
    assert not is_question_tag("QM-robustness") and not is_question_tag("Quality")
    assert split_abbreviation("Staffing-and-workload [SW]") == ("Staffing-and-workload", "SW")
    assert split_abbreviation("Relations (REL)") == ("Relations", "REL")
    assert split_abbreviation("Q2 (a)") == ("Q2", "a") and split_abbreviation("Q2.b") is None
    assert mitigated_issue("SW-understaffing-fix") == "SW-understaffing"
    assert mitigated_issue("-fix") is None and mitigated_issue("prefix") is None
    assert family_head("SW-understaffing") == "SW" and family_head("Relations") == ""
    assert has_family_shape("XY-drift") and not has_family_shape("Real-time")
    assert is_weak("Other") and is_weak("Q2.b") and not is_weak("Family-contact")


def test_a_new_family_head_is_a_code_line_on_its_own(tmp_path: Path) -> None:
    text = "# Interview 9\n\n## Participant\n\nThe readings drifted.\n\nXY-drift\n"
    interview = read_delve_text(tmp_path / "Interview 9.txt", text, "x")
    assert [(p.text, p.codes) for p in interview.turns[0].paragraphs] == [
        ("The readings drifted.", ("XY-drift",))
    ]


def test_parents_tags_and_mitigations_of_another_study(folder: Path) -> None:
    corpus = load_corpus([folder])
    assert not corpus.errors
    applied = {c for i in corpus.interviews for t in i.turns for c in t.codes}
    assert applied == {
        "Q2.b",
        "Staffing-and-workload [SW]",
        "SW-understaffing",
        "SW-understaffing-fix",
        "XY-drift",
        "Family-contact",
        "Other",
    }
    book = Codebook.from_turns((t for i in corpus.interviews for t in i.turns), corpus.codes)
    kinds = {label: (code.kind, code.parent, code.mitigates) for label, code in book.codes.items()}
    # The code book places the codes it defines, over what the names would suggest...
    assert kinds["Family-contact"] == ("child", "Relations", None)
    assert kinds["XY-drift"] == ("child", "Equipment", None)
    # ...and codes it does not define keep the place their shape gives them.
    assert kinds["SW-understaffing"] == ("child", "Staffing-and-workload [SW]", None)
    assert kinds["SW-understaffing-fix"] == (
        "mitigation",
        "Staffing-and-workload [SW]",
        "SW-understaffing",
    )
    assert kinds["Q2.b"][0] == "question" and kinds["Other"] == ("code", None, None)
    assert book.resolve(["sw"]) == {
        "Staffing-and-workload [SW]",
        "SW-understaffing",
        "SW-understaffing-fix",
    }
    assert book.in_words("SW-understaffing") == "understaffing, staffing and workload"
    assert book.in_words("SW-understaffing-fix") == ("fix for understaffing, staffing and workload")
    assert book.in_words("XY-drift") == "XY drift, equipment"


def test_the_evaluation_and_the_filters_use_the_codebooks_parents(folder: Path) -> None:
    corpus = load_corpus([folder])
    queries, _ = build_queries(corpus, {"Q2.b": "What made the night shifts hard?"}, 1)
    by_code = {q.code: (q.kind, q.query) for q in queries}
    assert by_code["XY-drift"] == ("code", "XY drift, equipment")
    assert by_code["Family-contact"] == ("code", "family contact, relations")
    assert by_code["Q2.b"] == ("question", "What made the night shifts hard?")

    book = Codebook.from_turns((t for i in corpus.interviews for t in i.turns), corpus.codes)
    turns = [Evidence(t, i.title, i.source, 0.0) for i in corpus.interviews for t in i.turns]
    tree = {
        node.label: [c.label for c in node.children]
        for node in code_nodes(book, [e.turn.codes for e in turns])
    }
    assert tree["Relations"] == ["Family-contact"]
    assert tree["Equipment"] == ["XY-drift"]
    assert tree["Staffing-and-workload [SW]"] == ["SW-understaffing", "SW-understaffing-fix"]
