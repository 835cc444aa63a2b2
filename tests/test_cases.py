"""Cases and variables of REFI-QDA projects: read on import (from sources and from cases), kept
on export, shown by ``assistant corpus`` and usable as ``--case`` / ``--variable`` filters in
quotes and in search (dense and BM25 alike)."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from index_helpers import FakeCodebook, embedder, small_corpus
from lxml import etree
from qdpx_samples import Case, Code, Source, project, select

from assistant.cases import CaseScope, parse_variable, resolve_cases
from assistant.cli import main
from assistant.codebook import Codebook
from assistant.errors import AssistantError, CorpusError
from assistant.index import Indexer, open_index
from assistant.ingest import load_corpus, read_file
from assistant.model import Corpus, Filters
from assistant.qdpx_export import export_qdpx
from assistant.retrieve import Retriever, tokenize
from assistant.settings import load_settings

SCHEMA = Path(__file__).parent / "data" / "refi" / "Project-mrt2019.xsd"

LYON = "Interviewer: What broke first?\nAna: The data feed from the vendor broke first.\n"
PARIS = "Interviewer: What broke first?\nBo: Our labels were noisy from the start.\n"
NANTES = "Interviewer: What broke first?\nCy: Nothing broke, the vendor was fine.\n"
CODES = [Code("Data issues")]


def _sources() -> list[Source]:
    return [
        Source(
            "Interview 1",
            LYON,
            [select(LYON, "The data feed from the vendor broke first.", "Data issues")],
            values={"site": "Lyon"},
        ),
        Source(
            "Interview 2",
            PARIS,
            [select(PARIS, "Our labels were noisy from the start.", "Data issues")],
            values={"site": "Paris"},
        ),
        Source(
            "Interview 3",
            NANTES,
            [select(NANTES, "Nothing broke, the vendor was fine.", "Data issues")],
            values={"site": "Nantes"},
        ),
    ]


def _project(tmp_path: Path, **changes: object) -> Path:
    options: dict[str, object] = {
        "variables": {"site": "Text", "years": "Integer"},
        "cases": [
            Case("Engineers", ["Interview 1", "Interview 2"], {"years": "5"}),
            Case("Managers", ["Interview 3"], {"years": "12"}),
        ],
    }
    options.update(changes)
    path = tmp_path / "study.qdpx"
    path.write_bytes(project(_sources(), CODES, **options))  # type: ignore[arg-type]
    return path


def _held(corpus: Corpus) -> dict[str, tuple[tuple[str, ...], tuple[tuple[str, str], ...]]]:
    return {i.id: (i.cases, i.variables) for i in corpus.interviews}


def test_cases_and_variables_come_from_sources_and_cases(tmp_path: Path) -> None:
    corpus = load_corpus([_project(tmp_path)])
    assert not corpus.errors
    assert _held(corpus) == {
        "1": (("Engineers",), (("site", "Lyon"), ("years", "5"))),
        "2": (("Engineers",), (("site", "Paris"), ("years", "5"))),
        "3": (("Managers",), (("site", "Nantes"), ("years", "12"))),
    }


def test_corpus_lists_them_in_the_table_and_the_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _project(tmp_path)
    assert main(["corpus", str(path), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["interviews"]
    assert [(i["id"], i["cases"], i["variables"]) for i in listed] == [
        ("1", ["Engineers"], [["site", "Lyon"], ["years", "5"]]),
        ("2", ["Engineers"], [["site", "Paris"], ["years", "5"]]),
        ("3", ["Managers"], [["site", "Nantes"], ["years", "12"]]),
    ]
    assert main(["corpus", str(path)]) == 0
    table = capsys.readouterr().out
    assert "cases" in table and "variables" in table
    row = next(line for line in table.splitlines() if "Interview 3" in line)
    assert "Managers" in row and "site=Nantes, years=12" in row


def test_a_plain_corpus_has_no_case_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Interview 5.txt").write_text(LYON)
    assert main(["corpus", str(tmp_path)]) == 0
    assert "variables" not in capsys.readouterr().out


def test_a_case_of_selections_is_reported_not_applied(tmp_path: Path) -> None:
    cases = [Case("Ana's turns", ["Interview 1"], selection_only=True)]
    corpus = load_corpus([_project(tmp_path, cases=cases)])
    assert all(not i.cases for i in corpus.interviews)
    assert any("Ana's turns" in n.message and "SelectionRef" in n.message for n in corpus.notices)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"cases": [Case("Ghosts", ["Interview 9"])]},
            "case 'Ghosts' refers to a source that is not in the project",
        ),
        ({"variables": {"years": "Integer"}}, "refers to a variable that is not in the project"),
    ],
)
def test_a_dangling_reference_is_one_line_naming_the_file(
    tmp_path: Path, changes: dict[str, object], expected: str
) -> None:
    path = _project(tmp_path, **changes)
    with pytest.raises(CorpusError, match=expected) as caught:
        read_file(path)
    assert "study.qdpx" in str(caught.value) and "\n" not in str(caught.value)
    (tmp_path / "Interview 5.txt").write_text(LYON)
    corpus = load_corpus([tmp_path])
    assert [i.id for i in corpus.interviews] == ["5"]
    assert len(corpus.errors) == 1 and expected.split(" ")[0] in corpus.errors[0].message


def test_export_keeps_them_and_is_schema_valid(tmp_path: Path) -> None:
    before = load_corpus([_project(tmp_path)])
    out = tmp_path / "out" / "again.qdpx"
    book = Codebook.from_turns((t for i in before.interviews for t in i.turns), before.codes)
    export_qdpx(before, book, out)
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    with zipfile.ZipFile(out) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    assert schema.validate(root), schema.error_log
    ns = {"q": "urn:QDA-XML:project:1.0"}
    kinds = {v.get("name"): v.get("typeOfVariable") for v in root.iterfind(".//q:Variable", ns)}
    assert kinds == {"site": "Text", "years": "Integer"}
    after = load_corpus([out])
    assert _held(after) == _held(before)


def test_variable_filters_are_any_value_of_a_name_and_every_name() -> None:
    both = CaseScope(variables=frozenset({("site", "Lyon"), ("site", "Paris"), ("years", "5")}))
    assert both.admits((), [("site", "Paris"), ("years", "5")])
    assert not both.admits((), [("site", "Paris"), ("years", "12")])
    assert not both.admits((), [("site", "Nantes"), ("years", "5")])
    cased = CaseScope(cases=frozenset({"Engineers", "Managers"}))
    assert cased.admits(["Managers"], []) and not cased.admits(["Students"], [])
    assert parse_variable(" age group = 25-34 ") == ("age group", "25-34")
    with pytest.raises(AssistantError, match="NAME=VALUE"):
        parse_variable("Lyon")
    # Typed loosely, resolved to the corpus's own spelling; unknown names list the known ones.
    known = [("site", "Lyon"), ("years", "5")]
    assert resolve_cases(["engineers"], [("SITE", "lyon")], ["Engineers"], known) == CaseScope(
        frozenset({"Engineers"}), frozenset({("site", "Lyon")})
    )
    with pytest.raises(AssistantError, match=r"no case 'Students'.*Engineers"):
        resolve_cases(["Students"], [], ["Engineers"], known)
    with pytest.raises(AssistantError, match=r"no variable 'city'.*site, years"):
        resolve_cases([], [("city", "Lyon")], [], known)
    with pytest.raises(AssistantError, match=r"site='Rome'.*Lyon"):
        resolve_cases([], [("site", "Rome")], [], known)


def test_quotes_by_case_and_variable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(_project(tmp_path).parent))

    def quoted(*options: str) -> list[str]:
        assert main(["quotes", "--code", "Data issues", "--format", "json", *options]) == 0
        return [q["interview"] for q in json.loads(capsys.readouterr().out)["quotes"]]

    assert quoted() == ["1", "2", "3"]
    assert quoted("--case", "Engineers") == ["1", "2"]
    assert quoted("--variable", "years=12") == ["3"]
    assert quoted("--variable", "site=Lyon", "--variable", "site=Nantes") == ["1", "3"]
    assert quoted("--case", "Engineers", "--variable", "site=Nantes") == []
    assert main(["quotes", "--code", "Data issues", "--case", "Students"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("assistant: no case 'Students'") and "Engineers, Managers" in err


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    """The shared small corpus with interviews 1 and 2 in case "North" (sites Lyon and Paris)
    and interview 3 in "South" (site Nantes)."""
    settings = load_settings(index_dir=tmp_path_factory.mktemp("cases") / "index")
    held = {
        "1": (("North",), (("site", "Lyon"),)),
        "2": (("North",), (("site", "Paris"),)),
        "3": (("South",), (("site", "Nantes"),)),
    }
    corpus = small_corpus()
    interviews = tuple(
        replace(i, cases=held[i.id][0], variables=held[i.id][1]) for i in corpus.interviews
    )
    corpus = Corpus(interviews)
    Indexer(settings, embedder()).build(corpus)
    reader = open_index(settings, embedder())
    return Retriever(reader, embedder(), FakeCodebook(t for i in interviews for t in i.turns))


def test_search_by_case_and_variable_on_both_sides(retriever: Retriever) -> None:
    for mode in ("dense", "bm25", "hybrid"):
        north = retriever.search("data", k=20, filters=Filters(cases=("north",)), mode=mode)
        assert north and {e.turn.interview_id for e in north} <= {"1", "2"}
        nantes = retriever.search(
            "données", k=20, filters=Filters(variables=(("site", "Nantes"),)), mode=mode
        )
        assert nantes and {e.turn.interview_id for e in nantes} == {"3"}
    # The same scope in the Chroma filter and on the keyword side: units of interviews 1, 2.
    scope = retriever.resolve(Filters(cases=("North",)))
    where = scope.to_where()
    assert where == {"case:North": 1}
    stored = retriever.reader._collection.get(where=where, include=["metadatas"])
    stored["metadatas"] = [m for m in stored["metadatas"] if m["kind"] != "turn"]
    units = retriever.reader.units()
    in_scope = {m["unit"] for m in stored["metadatas"]}
    assert in_scope and {u.split(":")[1] for u in in_scope} == {"1", "2"}
    found = {units[p].id for p, _ in retriever.reader.keyword(tokenize("data"), 1000, scope)}
    assert found and found <= in_scope
    with pytest.raises(AssistantError, match=r"no case 'West' in the index.*North, South"):
        retriever.search("data", filters=Filters(cases=("West",)))


def test_evidence_carries_the_interview_s_cases(retriever: Retriever) -> None:
    found = retriever.search("données", k=1, filters=Filters(cases=("South",)))
    assert found[0].cases == ("South",) and found[0].variables == (("site", "Nantes"),)
