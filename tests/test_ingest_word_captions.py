"""Word (.docx) and caption (.vtt, .srt) transcripts: the same speakers, turns and text as the
plain transcript they were written from, time marks kept and cited, bad files named."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document
from exchange_samples import docx_from_transcript, srt_from_interview, vtt_from_interview, write

from assistant.errors import CorpusError
from assistant.ingest import load_corpus, read_file
from assistant.ingest.source import split_lines
from assistant.ingest.transcript import speaker_labels
from assistant.model import Interview, span_label

PLAIN = """\
Interviewer 1:   Thanks for joining. How did the project start?
Interviewee: It started with a pilot in 2019.
We had almost no data, and
the labels were noisy.
Interviewee: [00:19:00] Then the client changed the scope.
Note: the recording paused here
Interviewer 1: What happened next?
Unknown Speaker
Can you hear me?
Interviewee: Yes. We rebuilt the pipeline & <retrained> the model.
"""


def _turns(interview: Interview) -> list[tuple[str, str]]:
    return [(t.speaker, t.text) for t in interview.turns]


def _merged_words(interview: Interview) -> list[tuple[str, str]]:
    """Turns with consecutive turns of one speaker joined and white space collapsed: what a
    caption file of the transcript holds, since its cues of one speaker form one turn."""
    out: list[tuple[str, list[str]]] = []
    for turn in interview.turns:
        if out and out[-1][0] == turn.speaker:
            out[-1][1].append(turn.text)
        else:
            out.append((turn.speaker, [turn.text]))
    return [(speaker, " ".join(" ".join(texts).split())) for speaker, texts in out]


def _caption_words(interview: Interview) -> list[tuple[str, str]]:
    return [(t.speaker, " ".join(t.text.split())) for t in interview.turns]


def _plain(tmp_path: Path, text: str = PLAIN, name: str = "Interview 7.txt") -> Interview:
    return read_file(write(tmp_path / name, text))


def _docx(text: str) -> bytes:
    return docx_from_transcript(text, speaker_labels(split_lines(text))[0])


def test_word_transcript_reads_like_the_plain_one(tmp_path: Path) -> None:
    plain = _plain(tmp_path)
    word = read_file(write(tmp_path / "Interview 7.docx", _docx(PLAIN)))
    assert word.format == "docx" and word.id == "7"
    assert _turns(word) == _turns(plain)
    assert [t.speaker for t in word.turns] == [
        "Interviewer 1",
        "Interviewee",
        "Interviewee",
        "Interviewer 1",
        "Unknown Speaker",
        "Interviewee",
    ]
    assert word.turns[1].paragraphs[1].text == "We had almost no data, and"
    assert word.turns[2].timestamps == ("00:19:00",)
    assert "Note: the recording paused here" in word.turns[2].text
    # Word has no line numbers to cite.
    assert all(p.lines is None and p.pages is None for t in word.turns for p in t.paragraphs)


def _paragraphs(*items: list[tuple[str, bool]], style: str | None = None) -> bytes:
    document = Document()
    for runs in items:
        paragraph = document.add_paragraph()
        for text, bold in runs:
            paragraph.add_run(text).bold = bold
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_word_speakers_in_bold_and_otter_headings_with_times(tmp_path: Path) -> None:
    data = _paragraphs(
        [("Interviewer", True)],
        [("Where did the data come from?", False)],
        [("Ana Lima", True), (": ", False), ("From three hospitals.", False)],
        [("Really", True), (" messy ones, to be honest.", False)],
        [("Speaker 2  0:03", False)],
        [("We never saw the raw files.", False)],
        [("00:01:23 Ana Lima: Only summaries.", False)],
    )
    interview = read_file(write(tmp_path / "call.docx", data))
    assert [(t.speaker, t.text, t.timestamps) for t in interview.turns] == [
        ("Interviewer", "Where did the data come from?", ()),
        ("Ana Lima", "From three hospitals.\n\nReally messy ones, to be honest.", ()),
        ("Speaker 2", "We never saw the raw files.", ("0:03",)),
        ("Ana Lima", "Only summaries.", ("00:01:23",)),
    ]
    assert interview.turns[0].role == "interviewer"
    # Where there are no lines or pages, a citation shows the turn's time.
    turn = interview.turns[3]
    assert span_label(turn.lines, turn.pages, time=turn.time) == "00:01:23"


ZOOM_VTT = """\
WEBVTT

1
00:12:31.120 --> 00:12:33.000
Ana Lima: The model drifted

2
00:12:33.100 --> 00:12:35.500
after the second release.

3
00:12:36.000 --> 00:12:38.000
Interviewer: Why?

4
00:12:38.500 --> 00:12:40.000
Ana Lima: Nobody retrained it.
"""


def test_a_speaker_style_set_bold_in_word_marks_speakers(tmp_path: Path) -> None:
    from docx.enum.style import WD_STYLE_TYPE

    document = Document()
    document.styles.add_style("Speaker", WD_STYLE_TYPE.PARAGRAPH).font.bold = True
    for text, style in [
        ("Interview with Bo", "Title"),
        ("Moderator", "Speaker"),
        ("Shall we start?", None),
        ("Bo", "Speaker"),
        ("Yes.", None),
    ]:
        document.add_paragraph(text, style=style)
    out = io.BytesIO()
    document.save(out)
    interview = read_file(write(tmp_path / "bo.docx", out.getvalue()))
    assert [(t.speaker, t.role, t.text) for t in interview.turns] == [
        ("Unknown Speaker", "unknown", "Interview with Bo"),
        ("Moderator", "interviewer", "Shall we start?"),
        ("Bo", "unknown", "Yes."),
    ]


def test_zoom_captions_join_cues_of_one_speaker_and_keep_their_start(tmp_path: Path) -> None:
    interview = read_file(write(tmp_path / "Interview 4.vtt", ZOOM_VTT))
    assert interview.format == "captions"
    assert [(t.speaker, t.text, t.timestamps) for t in interview.turns] == [
        ("Ana Lima", "The model drifted after the second release.", ("00:12:31",)),
        ("Interviewer", "Why?", ("00:12:36",)),
        ("Ana Lima", "Nobody retrained it.", ("00:12:38",)),
    ]
    first = interview.turns[0]
    assert span_label(first.lines, first.pages, time=first.time) == "00:12:31"


def test_teams_voice_tags_and_srt_markup(tmp_path: Path) -> None:
    teams = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Bo Chen>Hello &amp; welcome.</v>\n\n"
        "00:00:02.500 --> 00:00:04.000\n<v Bo Chen>Shall we start?</v>\n\n"
        "01:02:03.000 --> 01:02:04.000\n<v Ana>Yes.</v>\n"
    )
    interview = read_file(write(tmp_path / "teams.vtt", teams))
    assert [(t.speaker, t.text, t.timestamps) for t in interview.turns] == [
        ("Bo Chen", "Hello & welcome. Shall we start?", ("00:00:01",)),
        ("Ana", "Yes.", ("01:02:03",)),
    ]
    subrip = (
        "1\n00:00:01,000 --> 00:00:02,000\nBo: <i>Hello</i>\nthere.\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nAna: Hi.\n"
    )
    interview = read_file(write(tmp_path / "otter.srt", subrip))
    turns = [(t.speaker, t.text) for t in interview.turns]
    assert turns == [("Bo", "Hello there."), ("Ana", "Hi.")]
    roles = (
        "1\n00:00:01,000 --> 00:00:02,000\nSpeaker 1\nWelcome back.\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nSpeaker 2\nThanks.\n\n"
        "3\n00:00:05,000 --> 00:00:06,000\nGlad to be here.\n"
    )
    interview = read_file(write(tmp_path / "roles.srt", roles))
    turns = [(t.speaker, t.text) for t in interview.turns]
    assert turns == [("Speaker 1", "Welcome back."), ("Speaker 2", "Thanks. Glad to be here.")]


@pytest.mark.parametrize("kind", ["vtt", "srt"])
def test_captions_written_from_a_transcript_read_back_the_same(tmp_path: Path, kind: str) -> None:
    plain = _plain(tmp_path)
    writer = vtt_from_interview if kind == "vtt" else srt_from_interview
    captions = read_file(write(tmp_path / f"Interview 7.{kind}", writer(plain)))
    assert captions.id == "7"
    assert _caption_words(captions) == _merged_words(plain)
    # The first cue's start, then the time marks in the words.
    assert captions.turns[1].timestamps == ("00:00:03", "00:19:00")


def _zip(entries: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.docx", b"Interviewer: hello\n", "notes.docx: is not a Word document"),
        ("other.docx", _zip({"content.xml": "<a/>"}), "no word/document.xml inside"),
        (
            "bad.vtt",
            "WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nAna: hi\n",
            "bad.vtt, line 3: broken cue time '00:00:01.000 --> 00:00:0x.000'",
        ),
        (
            "bad.srt",
            "1\n00:00:01,000 --> 00:00:02,000\nAna: hi\n\n2\n00:00:03 --> 00:00:04,000\nBo: yo\n",
            "bad.srt, line 6: broken cue time",
        ),
        ("headless.vtt", "00:00:01.000 --> 00:00:02.000\nhi\n", "not a valid WebVTT"),
    ],
    # Named, not derived from the data: a zip's bytes hold the time it was written, and xdist
    # stops the run when its workers collect different test ids.
    ids=[
        "plain-text-docx",
        "docx-without-document",
        "bad-vtt-time",
        "bad-srt-time",
        "headless-vtt",
    ],
)
def test_bad_word_and_caption_files(
    tmp_path: Path, name: str, data: str | bytes, message: str
) -> None:
    path = write(tmp_path / name, data)
    with pytest.raises(CorpusError) as info:
        read_file(path)
    text = str(info.value)
    assert text.startswith(str(tmp_path / name))
    assert message.split(": ", 1)[-1] in text
    assert "\n" not in text


def test_bad_files_do_not_stop_the_others(tmp_path: Path) -> None:
    write(tmp_path / "Interview 1.docx", _docx(PLAIN))
    write(tmp_path / "Interview 2.vtt", ZOOM_VTT)
    write(tmp_path / "Interview 3.docx", b"not a zip")
    write(tmp_path / "Interview 4.srt", "1\n00:00:01,000 --> nonsense\nhi\n")
    corpus = load_corpus([tmp_path])
    assert [i.id for i in corpus.interviews] == ["1", "2"]
    assert [Path(e.source).name for e in corpus.errors] == ["Interview 3.docx", "Interview 4.srt"]
    assert "line 2" in str(corpus.errors[1])


@pytest.mark.shared_corpus
def test_study_transcripts_as_word_and_captions(shared_corpus: Path, tmp_path: Path) -> None:
    files = sorted((shared_corpus / "transcripts").glob("*.txt"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8-sig")
        plain = read_file(path)
        stem = path.stem
        word = read_file(write(tmp_path / f"{stem}.docx", _docx(text)))
        assert _turns(word) == _turns(plain), path.name
        for kind, writer in (("vtt", vtt_from_interview), ("srt", srt_from_interview)):
            captions = read_file(write(tmp_path / f"{stem}.{kind}", writer(plain)))
            assert _caption_words(captions) == _merged_words(plain), (path.name, kind)
            assert captions.id == plain.id


def test_citations_of_caption_turns_show_their_time(tmp_path: Path) -> None:
    from assistant.cli.ask import _source
    from assistant.model import Citation, Evidence
    from assistant.notes import NoteQuote
    from assistant.tui.widgets.evidence import QuoteItem

    interview = read_file(write(tmp_path / "Interview 4.vtt", ZOOM_VTT))
    evidence = Evidence(interview.turns[0], interview.title, interview.source, 1.0)
    assert evidence.to_dict()["time"] == "00:12:31"
    note = NoteQuote.from_evidence(
        "why?", evidence, "The model drifted", mode="extractive", model=None
    )
    assert "· turn 1 · 00:12:31 · codes" in note.citation_line()
    assert "turn 1 (4:1) · 00:12:31 · codes" in _source(evidence)
    citation = Citation(1, evidence, "The model drifted", verified=True)
    item = QuoteItem(citation, "why?", "extractive", None)
    assert item.reference() == "Ana Lima, Interview 4, turn 1, 00:12:31 [4:1]"
