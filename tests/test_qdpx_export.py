"""``assistant export --qdpx``: a project valid against the REFI-QDA schema that reads back into
the same interviews, turns, paragraphs and code applications; saved quotes as codings."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from exchange_samples import vtt_from_interview
from ingest_helpers import moderated_pdfs
from lxml import etree

from assistant.cli import main
from assistant.codebook import Codebook
from assistant.ingest import load_corpus, read_file
from assistant.model import Corpus, Evidence, Interview, Paragraph
from assistant.notes import NoteQuote, NotesFile
from assistant.qdpx_export import ASSISTANT_USER, export_qdpx

SCHEMA = Path(__file__).parent / "data" / "refi" / "Project-mrt2019.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}
NOT_READY = "The, the environment not being ready, uh, at the clients."


def _valid(path: Path) -> etree._Element:
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    assert schema.validate(root), schema.error_log
    return root


def _shape(interview: Interview) -> list[tuple[str, str, tuple[tuple[str, tuple[str, ...]], ...]]]:
    return [
        (t.speaker, t.role, tuple((p.text, p.codes) for p in t.paragraphs)) for t in interview.turns
    ]


def _same(before: Corpus, after: Corpus) -> None:
    assert [(i.id, i.title) for i in after.interviews] == [
        (i.id, i.title) for i in before.interviews
    ]
    for old, new in zip(before.interviews, after.interviews, strict=True):
        assert _shape(new) == _shape(old), old.id
        assert [t.timestamps for t in new.turns] == [t.timestamps for t in old.turns]
        assert new.code_applications == old.code_applications


def _book(corpus: Corpus) -> Codebook:
    return Codebook.from_turns((t for i in corpus.interviews for t in i.turns), corpus.codes)


def test_export_is_schema_valid_and_reads_back_the_same(tmp_path: Path, shipped_file: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / shipped_file.name).write_bytes(shipped_file.read_bytes())
    amin = read_file(shipped_file)
    # A caption file: its words and speakers come back; its cue times do not (a REFI-QDA
    # text source has no place for them).
    (folder / "Interview 40.vtt").write_text(vtt_from_interview(amin), encoding="utf-8")
    before = load_corpus([folder])
    out = tmp_path / "out" / "study.qdpx"
    assert main(["export", str(folder), "--qdpx", str(out), "--json"]) == 0
    root = _valid(out)
    assert root.get("origin", "").startswith("interview assistant")
    after = load_corpus([out])
    assert after.errors == ()
    for old, new in zip(before.interviews, after.interviews, strict=True):
        assert [(t.speaker, t.text, t.codes) for t in new.turns] == [
            (t.speaker, t.text, t.codes) for t in old.turns
        ]
    assert after.interviews[0].format == "qdpx"
    assert before.interviews[1].turns[0].timestamps == ("00:00:00",)
    assert after.interviews[1].turns[0].timestamps == ()
    tree_before = [(d, c.label, c.parent) for d, c in _book(before).tree()]
    assert [(d, c.label, c.parent) for d, c in _book(after).tree()] == tree_before
    assert sum(1 for _ in root.iterfind(".//q:Coding", NS)) == 28


def test_coders_and_descriptions_survive_the_round_trip(tmp_path: Path) -> None:
    from qdpx_samples import Code, Source, project, select

    text = "Interviewer: Why?\nAna: The data was late.\n"
    data = project(
        [
            Source(
                "Interview 3",
                text,
                [
                    select(text, "data was late", "Data-late", user="Ana Coder"),
                    select(text, "The data", "Data-late", user="Bo Coder"),
                ],
            )
        ],
        [Code("Data"), Code("Data-late", "Data", "Data came after it was needed.")],
        users=("Ana Coder", "Bo Coder"),
    )
    first = tmp_path / "first.qdpx"
    first.write_bytes(data)
    before = load_corpus([first])
    out = tmp_path / "again.qdpx"
    export_qdpx(before, _book(before), out)
    root = _valid(out)
    assert {u.get("name") for u in root.iterfind(".//q:User", NS)} == {"Ana Coder", "Bo Coder"}
    after = load_corpus([out])
    paragraph = after.interviews[0].turns[1].paragraphs[0]
    assert paragraph.coders == (("Data-late", "Ana Coder"), ("Data-late", "Bo Coder"))
    code = _book(after).get("Data-late")
    assert code is not None and (code.parent, code.description) == (
        "Data",
        "Data came after it was needed.",
    )


def test_saved_quotes_become_codings_by_the_assistant(
    tmp_path: Path, shipped_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    interview = read_file(shipped_file)
    turn = next(t for t in interview.turns if NOT_READY in t.text)
    evidence = Evidence(turn, interview.title, interview.source, 1.0)
    notes = NotesFile(tmp_path / "notes.md")
    notes.append(
        [
            NoteQuote.from_evidence(
                "why did projects run late?",
                evidence,
                NOT_READY,
                mode="extractive",
                model=None,
                date="2026-11-28",
            )
        ]
    )
    out = tmp_path / "with-notes.qdpx"
    assert main(["export", str(shipped_file), "--qdpx", str(out), "--notes", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["notes"], report["skipped_notes"]) == (1, [])
    root = _valid(out)
    question = root.find(".//q:Code[@name='why did projects run late?']", NS)
    assert question is not None
    assert question.getparent().get("name") == "Interview assistant"
    assistant = root.find(f".//q:User[@name='{ASSISTANT_USER}']", NS)
    assert assistant is not None
    coding = root.find(f".//q:Coding[@creatingUser='{assistant.get('guid')}']", NS)
    assert coding is not None
    selection = coding.getparent()
    assert "model none, saved 2026-11-28" in selection.findtext("q:Description", namespaces=NS)
    # The selection covers exactly the quote in the exported text.
    with zipfile.ZipFile(out) as archive:
        (text_name,) = [n for n in archive.namelist() if n.startswith("sources/")]
        text = archive.read(text_name).decode()
    start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
    assert text[start:end] == NOT_READY
    # Read back, the quote's paragraph carries the question as a code.
    back = load_corpus([out]).interviews[0].turn(turn.ordinal)
    assert back is not None and "why did projects run late?" in back.codes


def test_a_quote_whose_turn_changed_is_left_out_and_listed(tmp_path: Path) -> None:
    interview = read_file(Path(__file__).parents[1] / "corpus" / "Interview 12 - Amin.txt")
    turn = next(t for t in interview.turns if NOT_READY in t.text)
    saved = NotesFile(tmp_path / "notes.md")
    saved.append(
        [
            NoteQuote.from_evidence(
                "q", Evidence(turn, "t", "s", 1.0), NOT_READY, mode="extractive", model=None
            )
        ]
    )
    edited = replace(turn, paragraphs=(Paragraph("Something else entirely."),))
    changed = tuple(edited if t is turn else t for t in interview.turns)
    corpus = Corpus((replace(interview, turns=changed),))
    report = export_qdpx(corpus, _book(corpus), tmp_path / "x.qdpx", saved.read())
    assert (report.notes, report.skipped_notes) == (0, [turn.key])
    assert "left out" in report.summary()


@pytest.mark.shared_corpus
def test_round_trip_of_the_coded_moderated_pdfs(shared_corpus: Path, tmp_path: Path) -> None:
    coded = Corpus(
        tuple(i for i in moderated_pdfs(shared_corpus).interviews if i.code_applications)
    )
    assert len(coded.interviews) == 14
    out = tmp_path / "study.qdpx"
    report = export_qdpx(coded, _book(coded), out)
    assert (report.interviews, report.codings) == (14, 938)
    _valid(out)
    after = load_corpus([out])
    assert after.errors == ()
    _same(coded, after)
    assert [(c.label, c.parent) for c in _book(after).codes.values()] == [
        (c.label, c.parent) for c in _book(coded).codes.values()
    ]


def test_an_export_that_cannot_be_written_is_one_line(
    tmp_path: Path, shipped_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    assert main(["export", str(shipped_file), "--qdpx", str(target)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"assistant: cannot write {target}") and "\n" not in err
    assert not (tmp_path / "taken.partial").exists()
    assert main(["export", str(tmp_path / "nothing"), "--qdpx", str(tmp_path / "x.qdpx")]) == 1
    assert "nothing to export" in capsys.readouterr().err
