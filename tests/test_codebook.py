"""The code tree: parents by abbreviation, -fix mitigations, question tags, counts, resolve."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.codebook import Codebook
from assistant.errors import AssistantError
from assistant.ingest import read_file
from assistant.model import CodeDefinition, Paragraph, Turn


def _turn(interview: str, ordinal: int, *paragraph_codes: tuple[str, ...]) -> Turn:
    paragraphs = tuple(
        Paragraph(f"text {i}", codes, lines=(i, i)) for i, codes in enumerate(paragraph_codes, 1)
    )
    return Turn(interview, ordinal, "Interviewee", "participant", paragraphs)


@pytest.fixture
def book() -> Codebook:
    return Codebook.from_turns(
        [
            _turn(
                "1",
                1,
                ("ML-pipeline-issues [MLP]", "MLP-unstable-external-dependency"),
                ("MLP-unstable-external-dependency",),
            ),
            _turn("1", 2, ("Data-low-quality",), ("Data-low-quality-fix", "Q4.3")),
            _turn("2", 1, ("Quality-Measures (QM)",), ("QM-robustness", "QM-robustness-fix")),
            _turn("2", 2, ("Data-low-quality", "Misc")),
            _turn("3", 1, ("MLP-costly-platforms",), ()),
        ]
    )


def test_hierarchy(book: Codebook) -> None:
    mlp = book.get("ML-pipeline-issues [MLP]")
    assert mlp is not None and (mlp.kind, mlp.abbreviation) == ("parent", "MLP")
    assert mlp.children == ["MLP-costly-platforms", "MLP-unstable-external-dependency"]
    child = book.get("MLP-unstable-external-dependency")
    assert child is not None and (child.kind, child.parent) == ("child", "ML-pipeline-issues [MLP]")
    fix = book.get("Data-low-quality-fix")
    assert fix is not None and (fix.kind, fix.mitigates, fix.parent) == (
        "mitigation",
        "Data-low-quality",
        None,
    )
    assert book.mitigations_of("Data-low-quality") == ["Data-low-quality-fix"]
    assert book.get("QM-robustness-fix").parent == "Quality-Measures (QM)"  # type: ignore[union-attr]
    assert book.get("Q4.3").kind == "question"  # type: ignore[union-attr]
    assert book.get("Misc").kind == "code"  # type: ignore[union-attr]


def test_counts(book: Codebook) -> None:
    child = book.get("MLP-unstable-external-dependency")
    assert child is not None and (child.applications, child.turns, child.interviews) == (2, 1, 1)
    dlq = book.get("Data-low-quality")
    assert dlq is not None and (dlq.applications, dlq.turns, dlq.interviews) == (2, 2, 2)
    data = book.to_dict()
    assert data["distinct"] == 10 and data["applications"] == 12
    entry = next(c for c in data["codes"] if c["label"] == "Data-low-quality-fix")
    assert entry == {
        "label": "Data-low-quality-fix",
        "kind": "mitigation",
        "abbreviation": None,
        "parent": None,
        "mitigates": "Data-low-quality",
        "children": [],
        "applications": 1,
        "turns": 1,
        "interviews": 1,
        "description": "",
    }


def test_resolve(book: Codebook) -> None:
    mlp = {"ML-pipeline-issues [MLP]", "MLP-costly-platforms", "MLP-unstable-external-dependency"}
    assert book.resolve(["MLP"]) == mlp
    assert book.resolve(["mlp"]) == mlp
    assert book.resolve(["ml-pipeline-issues"]) == mlp
    assert book.resolve(["ML-pipeline-issues [MLP]"]) == mlp
    assert book.resolve(["(QM)".strip("()")]) == {
        "Quality-Measures (QM)",
        "QM-robustness",
        "QM-robustness-fix",
    }
    assert book.resolve(["data-low-quality", "Q4.3"]) == {"Data-low-quality", "Q4.3"}
    assert book.resolve(["MLP-costly-platforms"]) == {"MLP-costly-platforms"}


def test_unknown_code_suggests_close_matches(book: Codebook) -> None:
    with pytest.raises(
        AssistantError, match=r"unknown code 'Data-low-qualty'; did you mean Data-low-quality"
    ):
        book.resolve(["Data-low-qualty"])
    with pytest.raises(AssistantError, match="unknown code 'zzz'"):
        book.resolve(["zzz"])


def test_family_without_parent_label_resolves_by_prefix() -> None:
    book = Codebook.from_turns([_turn("1", 1, ("MM-drift", "MM-drift-fix", "Misc"))])
    assert book.resolve(["MM"]) == {"MM-drift", "MM-drift-fix"}
    assert book.get("MM-drift-fix").mitigates == "MM-drift"  # type: ignore[union-attr]


def test_render_tree(book: Codebook) -> None:
    text = book.render()
    lines = text.splitlines()
    assert lines[0].split() == ["code", "applied", "turns", "interviews"]
    labels = [line.split()[0] for line in lines[2:-1]]
    assert labels.index("ML-pipeline-issues") < labels.index("MLP-costly-platforms")
    assert "  MLP-unstable-external-dependency" in text
    assert "  Data-low-quality-fix" in text and "(mitigation)" in text
    assert "Q4.3" in lines[-2] and "(question tag)" in lines[-2]
    assert lines[-1] == "10 codes, 12 applications"


def test_shipped_interview_codebook(shipped_file: Path) -> None:
    book = Codebook.from_turns(read_file(shipped_file).turns)
    assert len(book) == 10
    assert book.get("MLP-unstable-external-dependency").parent == "ML-pipeline-issues [MLP]"  # type: ignore[union-attr]
    assert book.resolve(["ME"]) == {
        "Model-Evaluation-issues [ME]",
        "ME-metrics-a-are-poor-proxy-of-quality",
    }
    privacy = book.get("QM-data-privacy-issues")
    assert privacy is not None and (privacy.applications, privacy.turns) == (4, 3)


@pytest.mark.shared_corpus
def test_shared_corpus_codebook(shared_corpus: Path) -> None:
    from ingest_helpers import moderated_pdfs

    book = Codebook.from_turns(t for i in moderated_pdfs(shared_corpus).interviews for t in i.turns)
    assert book.get("Data-low-quality-fix").mitigates == "Data-low-quality"  # type: ignore[union-attr]
    assert book.get("MLP-unstable-external-dependency").parent == "ML-pipeline-issues [MLP]"  # type: ignore[union-attr]
    assert book.get("Q4.3").kind == "question"  # type: ignore[union-attr]
    assert sum(c.applications for c in book.codes.values()) == 938


# -- a code book that comes with the corpus (REFI-QDA project, .qdc) ---------------------------


def _applied() -> list[Turn]:
    return [
        _turn("1", 1, ("ML-pipeline-issues [MLP]", "MLP-unstable-external-dependency")),
        _turn("1", 2, ("MLP-costly-platforms",), ("Vendors",)),
    ]


def test_a_nested_code_book_overrides_the_parents_the_names_suggest() -> None:
    given = [
        CodeDefinition("Infrastructure", None, "Anything about where models run."),
        CodeDefinition("Vendors", "Infrastructure"),
        CodeDefinition("MLP-unstable-external-dependency", "Vendors", "A library changed."),
        CodeDefinition("ML-pipeline-issues [MLP]", None),
        CodeDefinition("MLP-costly-platforms", "ML-pipeline-issues [MLP]"),
    ]
    book = Codebook.from_turns(_applied(), given)
    dep = book.get("MLP-unstable-external-dependency")
    assert dep is not None and dep.parent == "Vendors"
    assert dep.description == "A library changed."
    assert book.get("ML-pipeline-issues [MLP]").children == ["MLP-costly-platforms"]  # type: ignore[union-attr]
    infra = book.get("Infrastructure")
    # Defined but never applied: listed, with no applications, as the parent it is.
    assert infra is not None and (infra.applications, infra.kind) == (0, "parent")
    assert infra.description == "Anything about where models run."
    # A parent brings its descendants at every depth.
    assert book.resolve(["infrastructure"]) == {
        "Infrastructure",
        "Vendors",
        "MLP-unstable-external-dependency",
    }
    assert book.resolve(["MLP"]) == {"ML-pipeline-issues [MLP]", "MLP-costly-platforms"}
    rows = [(depth, code.label) for depth, code in book.tree()]
    assert rows.index((0, "Infrastructure")) + 1 == rows.index((1, "Vendors"))
    assert (2, "MLP-unstable-external-dependency") in rows
    assert "    MLP-unstable-external-dependency" in book.render()


def test_a_flat_code_book_only_describes() -> None:
    given = [CodeDefinition("MLP-costly-platforms", None, "Cloud bills.")]
    book = Codebook.from_turns(_applied(), given)
    costly = book.get("MLP-costly-platforms")
    assert costly is not None and costly.parent == "ML-pipeline-issues [MLP]"
    assert costly.description == "Cloud bills."
    assert book.to_dict()["codes"][0]["description"] in ("", "Cloud bills.")


def test_code_books_that_disagree_into_a_loop_keep_the_first_placement() -> None:
    given = [CodeDefinition("A", "B"), CodeDefinition("B", "A")]
    book = Codebook.from_turns([_turn("1", 1, ("A", "B"))], given)
    assert (book.get("A").parent, book.get("B").parent) == ("B", None)  # type: ignore[union-attr]
    assert book.resolve(["B"]) == {"A", "B"}
