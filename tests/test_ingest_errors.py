"""Bad input: one clear CorpusError naming the file (and line or page), never another
exception; in a corpus, other files still load and each problem is reported once."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdf_samples import Page, delve_printout, write_pdf

from assistant.errors import CorpusError
from assistant.ingest import load_corpus, read_file
from assistant.ingest.delve_text import read_delve_text
from assistant.ingest.source import read_source
from assistant.ingest.transcript import read_transcript

GOOD = "Interviewer: How was the data?\n\nInterviewee: Messy.\n"


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty.txt: the file is empty"),
        ("blank.txt", b"  \n\n\t\n", "blank.txt: the file is empty"),
        (
            "image.txt",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
            "image.txt: is a binary file",
        ),
        (
            "latin1.txt",
            "Interviewer: ok\nInterviewee: café\n".encode("latin-1"),
            "latin1.txt, line 2: is not UTF-8",
        ),
        (
            "prose.txt",
            "Just some notes about the project.\nNo speakers at all.\n",
            "prose.txt: no recognisable speakers",
        ),
        (
            "broken.pdf",
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage",
            "broken.pdf: is not a readable PDF",
        ),
        ("locked.pdf", write_pdf([Page()], encrypted=True), "locked.pdf: the PDF is encrypted"),
        (
            "other.pdf",
            delve_printout("Interview 3", [("Ana", [(["Hi."], [])])], footer=False),
            "other.pdf, page 1: is not a Delve print-out",
        ),
        ("blank.pdf", write_pdf([Page()]), "blank.pdf: is not a Delve print-out"),
    ],
)
def test_bad_file_gives_one_clear_error(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = _write(tmp_path, name, data)
    with pytest.raises(CorpusError) as info:
        read_file(path)
    assert str(info.value).startswith(str(tmp_path / message.split(":")[0].split(",")[0]))
    assert message.split(": ", 1)[1] in str(info.value)
    assert message.split(":")[0] in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="cannot be read"):
        read_file(tmp_path / "nope.txt")
    with pytest.raises(CorpusError, match="is a folder"):
        read_file(tmp_path)


def test_bad_files_are_reported_and_others_still_load(tmp_path: Path, shipped_file: Path) -> None:
    folder = tmp_path / "corpus"
    (folder / "nested").mkdir(parents=True)
    _write(folder, "Interview 1.txt", GOOD)
    _write(folder / "nested", "Interview 2.txt", GOOD.replace("Messy", "Clean"))
    _write(folder, "empty.txt", b"")
    _write(folder, "broken.pdf", b"%PDF-1.4 garbage")
    _write(folder, ".hidden.txt", b"\x00\x01")
    _write(folder, "README.md", "# About\n\n## Folders\n\ntext\n")
    corpus = load_corpus([folder, shipped_file, tmp_path / "missing"])
    assert [i.id for i in corpus.interviews] == ["1", "2", "12"]
    assert sorted(e.source for e in corpus.errors) == sorted(
        [str(folder / "empty.txt"), str(folder / "broken.pdf"), str(tmp_path / "missing")]
    )
    assert [n.source for n in corpus.notices] == [str(folder / "README.md")]
    assert corpus.to_dict()["errors"][0] == {
        "source": corpus.errors[0].source,
        "message": str(corpus.errors[0]),
    }


def test_same_interview_in_several_formats(tmp_path: Path, shipped_file: Path) -> None:
    plain = _write(tmp_path, "Interview 12.txt", GOOD)
    pdf = _write(
        tmp_path,
        "2023-06-04-Interview 12 - Amin.pdf",
        delve_printout(
            "Interview 12 - Amin",
            [
                (
                    "Interviewee",
                    [(["Yes, the PDF is the coded version of this interview."], ["Misc"])],
                )
            ],
        ),
    )
    # The coded formats win over the plain transcript, the PDF over the text export.
    corpus = load_corpus([plain, shipped_file])
    assert [(i.id, i.format) for i in corpus.interviews] == [("12", "delve-text")]
    assert corpus.errors == ()
    assert [n.source for n in corpus.notices] == [str(plain)]
    assert "preferred" in corpus.notices[0].message
    corpus = load_corpus([plain, shipped_file, pdf])
    assert [(i.id, i.format) for i in corpus.interviews] == [("12", "delve-pdf")]
    assert sorted(n.source for n in corpus.notices) == sorted([str(plain), str(shipped_file)])


def test_same_interview_twice_in_one_format_is_an_error(tmp_path: Path) -> None:
    first = (
        _write(tmp_path, "a/Interview 4 - PO.txt", GOOD)
        if (tmp_path / "a").mkdir() is None
        else None
    )
    second = (
        _write(tmp_path, "b/Interview 4.txt", GOOD) if (tmp_path / "b").mkdir() is None else None
    )
    corpus = load_corpus([tmp_path])
    assert [i.source for i in corpus.interviews] == [str(first)]
    assert len(corpus.errors) == 1
    assert corpus.errors[0].source == str(second)
    assert f"already loaded from {first}" in corpus.errors[0].message


def test_progress_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, "Interview 1.txt", GOOD)
    _write(tmp_path, "Interview 2.txt", GOOD)
    steps = []
    load_corpus([tmp_path], progress=steps.append)
    assert [(s.done, s.total) for s in steps] == [(0, 2), (1, 2), (2, 2)]
    assert steps[0].detail == "Interview 1.txt"


# -- property-based: arbitrary input never raises anything but CorpusError --------------------

SPEAKERISH = st.sampled_from(
    [
        "Interviewer: ",
        "Interviewee1 : ",
        "## Interviewer 1",
        "# Title",
        "Data-low-quality",
        "ML-pipeline-issues [MLP]",
        "Q4.3",
        "Misc",
        "[00:19:00]",
        "\n",
        "\r\n",
        " ",
        ":",
        "#",
        "**",
    ]
)
TEXTS = st.lists(st.one_of(SPEAKERISH, st.text(max_size=30)), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_text_readers_raise_only_corpus_error(text: str) -> None:
    path = Path("generated.txt")
    for reader in (read_transcript, read_delve_text):
        try:
            interview = reader(path, text, "0" * 64)
        except CorpusError as exc:
            assert str(exc).startswith("generated.txt")
            continue
        for turn in interview.turns:
            for paragraph in turn.paragraphs:
                assert paragraph.text and paragraph.text in text.replace("\r\n", "\n").replace(
                    "\r", "\n"
                )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=300),
        st.binary(max_size=100).map(lambda b: b"%PDF-1.4\n" + b),
        TEXTS.map(str.encode),
    )
)
def test_any_file_gives_an_interview_or_a_corpus_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file"
        path.write_bytes(data)
        try:
            read_source(path)
            interview = read_file(path)
        except CorpusError as exc:
            assert str(path) in str(exc)
        else:
            assert interview.turns
