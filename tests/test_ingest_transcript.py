"""Plain transcripts (`Speaker: text`): speaker names, roles, timestamps, verbatim lines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ingest_helpers import plain_transcripts

from assistant.errors import CorpusError
from assistant.ingest import read_file
from assistant.ingest.speakers import display_speaker, infer_role
from assistant.model import LoadProblem

MESSY = """\
Interviewer1: Welcome, thanks for joining.

Interviewer 1 : Let us start. Note: this is recorded.
A line without a speaker continues the turn.

Interviewer2 2: [00:19:00] Hello from me too.

interviewer: What is your role?

Interviewee1 : I build models. (00:20:15) Mostly for images.

Unknown Speaker
Are you interested in scaling?
"""


@pytest.mark.parametrize(
    ("raw", "name", "role"),
    [
        ("Interviewer1", "Interviewer 1", "interviewer"),
        ("Interviewer 1 ", "Interviewer 1", "interviewer"),
        ("Interviewer2 2", "Interviewer 2", "interviewer"),
        ("interviewer", "Interviewer", "interviewer"),
        ("INTERVIEWEE", "Interviewee", "participant"),
        ("Interviewee1", "Interviewee 1", "participant"),
        ("**Interviewer 2**", "Interviewer 2", "interviewer"),
        ("Unknown Speaker", "Unknown Speaker", "unknown"),
        ("Ana Lima", "Ana Lima", "unknown"),
        ("p1", "P1", "unknown"),
        ("JD", "JD", "unknown"),
        ("ANA LIMA", "Ana Lima", "unknown"),
    ],
)
def test_speaker_names_and_roles(raw: str, name: str, role: str) -> None:
    assert display_speaker(raw) == name
    assert infer_role(display_speaker(raw)) == role


def test_messy_transcript(tmp_path: Path) -> None:
    path = tmp_path / "Interview 8.txt"
    path.write_text(MESSY, encoding="utf-8")
    interview = read_file(path)
    assert (interview.id, interview.title, interview.format) == ("8", "Interview 8", "transcript")
    assert [(t.speaker, t.role) for t in interview.turns] == [
        ("Interviewer 1", "interviewer"),
        ("Interviewer 1", "interviewer"),
        ("Interviewer 2", "interviewer"),
        ("Interviewer", "interviewer"),
        ("Interviewee 1", "participant"),
        ("Unknown Speaker", "unknown"),
    ]
    second = interview.turns[1]
    assert [p.text for p in second.paragraphs] == [
        "Let us start. Note: this is recorded.",
        "A line without a speaker continues the turn.",
    ]
    assert [p.lines for p in second.paragraphs] == [(3, 3), (4, 4)]
    # Time marks stay in the text, as in the file, and are recorded on the turn.
    assert interview.turns[2].text == "[00:19:00] Hello from me too."
    assert interview.turns[2].timestamps == ("00:19:00",)
    assert interview.turns[4].timestamps == ("00:20:15",)
    assert interview.turns[5].text == "Are you interested in scaling?"
    assert interview.turns[5].lines == (13, 13)
    for turn in interview.turns:
        for p in turn.paragraphs:
            assert p.text in MESSY


def test_a_colon_in_a_sentence_is_not_a_speaker(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("Interviewer: Why?\n\nInterviewee: Simple, really: the data was bad.\n")
    turns = read_file(path).turns
    assert [t.text for t in turns] == ["Why?", "Simple, really: the data was bad."]


def test_named_speakers_need_to_recur(tmp_path: Path) -> None:
    path = tmp_path / "names.txt"
    path.write_text("Ana: Hi.\n\nBo: Hello.\n\nAna: Shall we?\n\nBo: Sure.\n")
    assert [t.speaker for t in read_file(path).turns] == ["Ana", "Bo", "Ana", "Bo"]
    lone = tmp_path / "lone.txt"
    lone.write_text("Summary: nothing to report here.\nJust prose.\n")
    with pytest.raises(CorpusError, match="lone.txt: no recognisable speakers"):
        read_file(lone)


SPEAKER_LINE = re.compile(r"^\s*(interviewer|interviewee)\s*\d*(?:\s+\d+)?\s*:(.*)$", re.I)


@pytest.mark.shared_corpus
def test_all_36_transcripts_load_with_every_speaker_line_a_turn(shared_corpus: Path) -> None:
    corpus = plain_transcripts(shared_corpus)
    assert corpus.errors == ()
    assert len(corpus.interviews) == 36
    assert {i.format for i in corpus.interviews} == {"transcript"}
    assert corpus.get("32") is not None and corpus.get("32").title == "Interview 32 - PO"  # type: ignore[union-attr]
    for interview in corpus.interviews:
        lines = Path(interview.source).read_text(encoding="utf-8").split("\n")
        speaker_lines = {
            n for n, line in enumerate(lines, 1) if (m := SPEAKER_LINE.match(line)) and m[2].strip()
        }
        starts = {t.paragraphs[0].lines[0] for t in interview.turns}  # type: ignore[index]
        assert speaker_lines <= starts, (interview.id, sorted(speaker_lines - starts)[:5])
        for turn in interview.turns:
            first = turn.paragraphs[0].lines[0]  # type: ignore[index]
            # A turn starts on a speaker line, under a speaker label on its own line, or
            # (text before anyone is named) as the interview's first turn.
            assert (
                first in speaker_lines
                or lines[first - 2].strip() in ("Unknown Speaker", "Interviewee")
                or turn.ordinal == 1
            ), (interview.id, first)
            for p in turn.paragraphs:
                assert lines[p.lines[0] - 1].strip().endswith(p.text)  # type: ignore[index]


@pytest.mark.shared_corpus
def test_speakers_french_and_timestamps_in_the_study(shared_corpus: Path) -> None:
    corpus = plain_transcripts(shared_corpus)
    speakers = {t.speaker for i in corpus.interviews for t in i.turns}
    assert speakers == {
        "Interviewee",
        "Interviewee 1",
        "Interviewer",
        "Interviewer 1",
        "Interviewer 2",
        "Interviewer 3",
        "Unknown Speaker",
    }
    french = corpus.get("2")
    assert french is not None
    assert {t.speaker for t in french.turns} == {"Interviewer 1", "Interviewer 2", "Interviewee 1"}
    assert "Oui, vous avez mon consentement." in french.turns[1].text
    six = corpus.get("6")
    assert six is not None
    source = Path(six.source).read_text(encoding="utf-8")
    stamps = [s for t in six.turns for s in t.timestamps]
    assert len(stamps) == len(re.findall(r"\[\d\d:\d\d:\d\d\]", source)) > 20
    assert "00:19:00" in stamps


def test_a_speaker_id_used_once_starts_a_turn(tmp_path: Path) -> None:
    path = tmp_path / "Interview 50.txt"
    path.write_text(
        "Interviewer: What went wrong?\n\nInterviewer: Anything about the data?\n\n"
        "P1: Answer here, the labels were noisy.\n"
    )
    notices: list[LoadProblem] = []
    turns = read_file(path, notices=notices).turns
    assert [(t.speaker, t.text) for t in turns] == [
        ("Interviewer", "What went wrong?"),
        ("Interviewer", "Anything about the data?"),
        ("P1", "Answer here, the labels were noisy."),
    ]
    assert notices == []


@pytest.mark.parametrize("label", ["R2", "JD", "Ana", "Ana Lima", "Ana Maria Lima"])
def test_ids_and_names_count_on_first_sight(tmp_path: Path, label: str) -> None:
    path = tmp_path / "t.txt"
    path.write_text(f"Interviewer: Hi.\n\nInterviewer: Ready?\n\n{label}: Yes, go.\n")
    assert [t.speaker for t in read_file(path).turns][-1] == label


def test_note_lines_are_not_speakers_and_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    text = (
        "Interviewer: Hi.\n\nInterviewee: We shipped late.\nNote: audio dropped here\n"
        "Yes: we did fix it later\nthe main problem was: data\n\nInterviewer: Thanks.\n"
    )
    path.write_text(text)
    notices: list[LoadProblem] = []
    turns = read_file(path, notices=notices).turns
    assert [t.speaker for t in turns] == ["Interviewer", "Interviewee", "Interviewer"]
    assert [p.text for p in turns[1].paragraphs] == [
        "We shipped late.",
        "Note: audio dropped here",
        "Yes: we did fix it later",
        "the main problem was: data",
    ]
    assert [(n.line, n.severity) for n in notices] == [(4, "notice"), (5, "notice"), (6, "notice")]
    assert str(notices[0]).startswith(f"{path}, line 4: 'Note:' not read as a speaker")


@pytest.mark.shared_corpus
def test_study_transcripts_give_no_speaker_notices(shared_corpus: Path) -> None:
    for path in sorted((shared_corpus / "transcripts").glob("*.txt")):
        notices: list[LoadProblem] = []
        read_file(path, notices=notices)
        assert notices == [], path.name
