"""REFI-QDA projects (.qdpx) and code books (.qdc): every text source an interview, every
coding on the paragraphs its code-point positions cover, the code book's own hierarchy, each
coder's work kept apart, vendor deviations read with a notice, bad files refused whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from qdpx_samples import Code, Selection, Source, pack, project, select

from assistant.cli import main
from assistant.codebook import Codebook
from assistant.errors import CorpusError
from assistant.ingest import load_corpus, read_file
from assistant.model import Corpus, Interview

# Hard-wrapped lines, padded labels, a label alone on its line, and characters outside the
# Basic Multilingual Plane, which count one code point each (UTF-16 tools count two).
TEXT = (
    "Interviewer 1:   How did the project go? 🙂\n"
    "\n"
    "Ana Lima: Badly at first 🚀🚀. The data was late\n"
    "and the labels were noisy.\n"
    "\n"
    "Interviewer 1: Why late?\n"
    "Unknown Speaker\n"
    "The vendor's API kept changing.\n"
    "Ana Lima: We pinned the version in the end.\n"
)

CODES = [
    Code("Data issues", description="Problems with the data itself."),
    Code("Data-late", "Data issues", "Data arrived after it was needed."),
    Code("Data-noisy-labels", "Data issues"),
    # Named like a child of an [MLP] family, but the project nests it under Vendors.
    Code("Vendors"),
    Code("MLP-unstable-external-dependency", "Vendors", "An API or library changed."),
    Code("ML-pipeline-issues [MLP]"),
]


def _selections() -> list[Selection]:
    label_only = select(TEXT, "Ana Lima: We", "ML-pipeline-issues [MLP]")
    label_only.end -= len(" We")
    return [
        select(TEXT, "The data was late", "Data-late", user="Ana Coder"),
        # Over a line break: both paragraphs of the turn.
        select(TEXT, "late\nand the labels", "Data-noisy-labels", user="Bo Coder"),
        select(TEXT, "The data was late", "Data-late", user="Bo Coder"),
        # Across two turns.
        select(TEXT, "Why late?\nUnknown Speaker\nThe vendor", "MLP-unstable-external-dependency"),
        # Only the speaker's name: the words on that line.
        label_only,
    ]


def _load(tmp_path: Path, data: bytes, name: str = "study.qdpx") -> Corpus:
    path = tmp_path / name
    path.write_bytes(data)
    return load_corpus([path])


def _coded(interview: Interview) -> list[tuple[int, str, tuple[str, ...]]]:
    return [(t.ordinal, p.text, p.codes) for t in interview.turns for p in t.paragraphs if p.codes]


def test_codings_land_on_the_paragraphs_their_positions_cover(tmp_path: Path) -> None:
    data = project(
        [Source("Interview 5 - Ana.docx", TEXT, _selections(), where="nvivo")],
        CODES,
        users=("Ana Coder", "Bo Coder"),
        origin="NVivo for Windows 12.6",
    )
    corpus = _load(tmp_path, data)
    assert corpus.errors == ()
    (interview,) = corpus.interviews
    assert (interview.id, interview.title, interview.format) == ("5", "Interview 5 - Ana", "qdpx")
    assert interview.source == str(tmp_path / "study.qdpx")
    assert [t.speaker for t in interview.turns] == [
        "Interviewer 1",
        "Ana Lima",
        "Interviewer 1",
        "Unknown Speaker",
        "Ana Lima",
    ]
    assert _coded(interview) == [
        (2, "Badly at first 🚀🚀. The data was late", ("Data-late", "Data-noisy-labels")),
        (2, "and the labels were noisy.", ("Data-noisy-labels",)),
        (3, "Why late?", ("MLP-unstable-external-dependency",)),
        (4, "The vendor's API kept changing.", ("MLP-unstable-external-dependency",)),
        (5, "We pinned the version in the end.", ("ML-pipeline-issues [MLP]",)),
    ]
    # Each coder's work stays apart.
    first = interview.turns[1].paragraphs[0]
    assert first.coders == (
        ("Data-late", "Ana Coder"),
        ("Data-noisy-labels", "Bo Coder"),
        ("Data-late", "Bo Coder"),
    )
    assert interview.turns[1].paragraphs[0].lines == (3, 3)


def test_the_code_book_hierarchy_and_descriptions_come_from_the_project(tmp_path: Path) -> None:
    corpus = _load(tmp_path, project([Source("Interview 5", TEXT, _selections())], CODES))
    book = Codebook.from_turns((t for i in corpus.interviews for t in i.turns), corpus.codes)
    dependency = book.get("MLP-unstable-external-dependency")
    assert dependency is not None and dependency.parent == "Vendors"
    assert dependency.description == "An API or library changed."
    assert book.get("ML-pipeline-issues [MLP]").children == []  # type: ignore[union-attr]
    assert book.get("Data issues").children == ["Data-late", "Data-noisy-labels"]  # type: ignore[union-attr]
    assert book.resolve(["vendors"]) == {"Vendors", "MLP-unstable-external-dependency"}


def test_atlas_ti_project_file_name_and_inline_text(tmp_path: Path) -> None:
    data = project(
        [Source("Interview 6", TEXT, _selections()[:1], where="inline")],
        CODES,
        users=("Ana Coder",),
        origin="ATLAS.ti for Windows 23.2.3",
        qde_name="My study.qde",
    )
    corpus = _load(tmp_path, data)
    assert [i.id for i in corpus.interviews] == ["6"]
    assert _coded(corpus.interviews[0]) == [
        (2, "Badly at first 🚀🚀. The data was late", ("Data-late",))
    ]
    assert any("read My study.qde as the project file" in str(n) for n in corpus.notices)


def test_relative_and_word_only_sources(tmp_path: Path) -> None:
    beside: dict[str, str] = {}
    data = project(
        [
            Source("Interview 7", TEXT, _selections()[:1], where="relative"),
            Source("Interview 8", TEXT.replace("\n\n", "\n"), where="docx-only"),
        ],
        CODES,
        beside=beside,
    )
    for name, text in beside.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    corpus = _load(tmp_path, data)
    assert [i.id for i in corpus.interviews] == ["7", "8"]
    assert _coded(corpus.interviews[0])[0][2] == ("Data-late",)
    assert [t.speaker for t in corpus.interviews[1].turns][:2] == ["Interviewer 1", "Ana Lima"]
    assert any("only its Word copy" in str(n) for n in corpus.notices)


def test_a_source_without_speakers_is_one_turn_per_paragraph(tmp_path: Path) -> None:
    text = "The first abstract line.\nA second paragraph.\n"
    corpus = _load(tmp_path, project([Source("Paper 1", text)], CODES))
    assert [(t.speaker, t.text) for t in corpus.interviews[0].turns] == [
        ("Unknown Speaker", "The first abstract line."),
        ("Unknown Speaker", "A second paragraph."),
    ]
    assert any("no speakers found" in str(n) for n in corpus.notices)


def _bad_projects() -> list[tuple[str, bytes, str]]:
    good = Source("Interview 9", TEXT, _selections())
    return [
        ("not-a-zip.qdpx", b"PK\x03\x04 but not really", "not a zip archive"),
        ("no-qde.qdpx", pack({"sources/a.txt": b"Ana: hi"}), "no .qde project file inside"),
        ("past-the-end.qdpx", _past_the_end(), "runs past its text"),
        (
            "missing-source.qdpx",
            project([good, Source("Interview 10", TEXT, _selections(), where="missing")], CODES),
            "the text of source 'Interview 10' is missing",
        ),
        (
            "unknown-code.qdpx",
            project([Source("Interview 9", TEXT, [select(TEXT, "Why", "Nope")])], CODES),
            "not in the code book",
        ),
        ("broken.qdpx", pack({"project.qde": b"<Project><Sources></Project>"}), "line 1"),
        (
            "entities.qdpx",
            pack(
                {
                    "project.qde": b'<?xml version="1.0"?><!DOCTYPE P [<!ENTITY x "y">]>'
                    b'<Project name="&x;"/>'
                }
            ),
            "declares a DOCTYPE",
        ),
        ("text.qdpx", b"Interviewer: hello\n", "not a zip archive"),
    ]


def _past_the_end() -> bytes:
    selection = select(TEXT, "pinned the version in the end.\n", "Data-late")
    selection.end += 5
    return project([Source("Interview 9", TEXT, [selection])], CODES)


# Named by file: the archives' bytes hold timestamps, and parallel workers must collect the
# same test ids.
@pytest.mark.parametrize(
    ("name", "data", "message"), [pytest.param(*case, id=case[0]) for case in _bad_projects()]
)
def test_a_bad_project_is_one_line_and_nothing_of_it_loads(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "Interview 1.txt").write_text("Interviewer: Hi?\nInterviewee: Hello.\n")
    (folder / name).write_bytes(data)
    corpus = load_corpus([folder])
    assert [i.id for i in corpus.interviews] == ["1"]
    (error,) = corpus.errors
    assert error.source == str(folder / name)
    assert message in str(error)
    assert "\n" not in str(error)
    assert corpus.codes == ()


def test_past_the_end_names_the_positions(tmp_path: Path) -> None:
    path = tmp_path / "p.qdpx"
    path.write_bytes(_past_the_end())
    with pytest.raises(CorpusError) as info:
        read_file(path)
    assert f"the text has {len(TEXT)} characters" in str(info.value)


# -- .qdc code books ----------------------------------------------------------------------------

QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="MAXQDA 24">
  <Codes>
    <Code guid="6F0C4B0E-8B4C-4C52-9C52-0A3C9E0C7E11" name="Stakeholders" isCodable="true">
      <Description>Who else was involved.</Description>
      <Code guid="1A2B3C4D-0000-4000-8000-000000000001" name="Misc" isCodable="true">
        <Description>Anything &amp; everything else.</Description>
      </Code>
    </Code>
    <Code guid="1A2B3C4D-0000-4000-8000-000000000002" name="Data-low-quantity" isCodable="true">
      <Description>Too little data.</Description>
    </Code>
  </Codes>
</CodeBook>
"""


def test_a_code_book_in_the_corpus_folder_describes_and_places_its_codes(
    tmp_path: Path, shipped_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / shipped_file.name).write_bytes(shipped_file.read_bytes())
    (folder / "codebook.qdc").write_text(QDC, encoding="utf-8")
    assert main(["codes", str(folder), "--json"]) == 0
    codes = {c["label"]: c for c in json.loads(capsys.readouterr().out)["codes"]}
    assert codes["Misc"]["parent"] == "Stakeholders"
    assert codes["Misc"]["description"] == "Anything & everything else."
    assert codes["Misc"]["applications"] > 0
    assert codes["Stakeholders"]["children"] == ["Misc"]
    assert codes["Data-low-quantity"]["description"] == "Too little data."
    # The corpus still holds exactly the one interview.
    assert main(["corpus", str(folder), "--json"]) == 0
    assert [i["id"] for i in json.loads(capsys.readouterr().out)["interviews"]] == ["12"]


def test_an_unzipped_project_file_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "project.qde"
    path.write_text('<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0"/>')
    (error,) = load_corpus([path]).errors
    assert "zip it, named project.qde, with its sources/ folder into a .qdpx" in str(error)


def test_a_bad_code_book_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "book.qdc"
    path.write_text("<CodeBook><Codes><Code name='x'></Codes></CodeBook>", encoding="utf-8")
    corpus = load_corpus([path])
    assert len(corpus.errors) == 1 and "not well-formed XML" in str(corpus.errors[0])


def test_the_index_keeps_the_code_book(tmp_path: Path, shipped_file: Path) -> None:
    from index_helpers import embedder

    from assistant.model import Filters
    from assistant.service import make_assistant

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / shipped_file.name).write_bytes(shipped_file.read_bytes())
    book = folder / "codebook.qdc"
    book.write_text(QDC, encoding="utf-8")
    service = make_assistant(embedder=embedder(), corpus_dir=folder)
    service.build_index()
    misc = service.codebook().get("Misc")
    assert misc is not None and misc.parent == "Stakeholders"
    found = service.search("data", k=50, filters=Filters(codes=("Stakeholders",)))
    assert found and all("Misc" in e.turn.codes for e in found)
    # A code book removed: the next build drops its placement though no interview changed.
    book.unlink()
    report = service.build_index()
    assert (report.added, report.changed, report.removed) == ([], [], [])
    assert service.codebook().get("Misc").parent is None  # type: ignore[union-attr]
    assert service.codebook().get("Stakeholders") is None


def test_a_coded_project_is_preferred_to_the_plain_transcript(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "Interview 5.txt").write_text(TEXT, encoding="utf-8")
    (folder / "study.qdpx").write_bytes(
        project([Source("Interview 5", TEXT, _selections())], CODES)
    )
    corpus = load_corpus([folder])
    assert [(i.id, i.format) for i in corpus.interviews] == [("5", "qdpx")]
    assert any(
        n.source == str(folder / "Interview 5.txt") and "REFI-QDA project is preferred" in str(n)
        for n in corpus.notices
    )
