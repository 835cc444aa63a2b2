"""The Delve text export reader, on the shipped interview and on small made-up exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest import load_corpus, read_file
from assistant.ingest.delve_text import read_delve_text
from assistant.model import Interview, LoadProblem

SHIPPED_CODES = {
    "Data-low-quality": 2,
    "ML-pipeline-issues [MLP]": 3,
    "MLP-unstable-external-dependency": 3,
    "ME-metrics-a-are-poor-proxy-of-quality": 4,
    "Model-Evaluation-issues [ME]": 4,
    "QM-data-privacy-issues": 4,
    "Data-low-quantity": 3,
    "Misc": 1,
    "Stakeholders-lack-of-knowledge": 1,
    "stack-not-standardized": 3,
}


@pytest.fixture
def shipped(shipped_file: Path) -> Interview:
    return read_file(shipped_file)


def _paragraphs(interview: Interview):  # type: ignore[no-untyped-def]
    return [p for t in interview.turns for p in t.paragraphs]


def test_shipped_file_has_28_code_applications_on_20_paragraphs(shipped: Interview) -> None:
    coded = [p for p in _paragraphs(shipped) if p.codes]
    assert shipped.code_applications == 28
    assert len(coded) == 20
    applications: dict[str, int] = {}
    for p in coded:
        for code in p.codes:
            applications[code] = applications.get(code, 0) + 1
    assert applications == SHIPPED_CODES
    assert len(applications) == 10


def test_shipped_file_identity_and_speakers(shipped: Interview, shipped_file: Path) -> None:
    assert (shipped.id, shipped.title, shipped.format) == (
        "12",
        "Interview 12 - Amin",
        "delve-text",
    )
    assert len(shipped.turns) == 140
    assert [t.ordinal for t in shipped.turns] == list(range(1, 141))
    assert {t.speaker for t in shipped.turns} == {"Interviewer 1", "Interviewer 2", "Interviewee"}
    roles = {t.speaker: t.role for t in shipped.turns}
    assert roles == {
        "Interviewer 1": "interviewer",
        "Interviewer 2": "interviewer",
        "Interviewee": "participant",
    }
    # The bold heading `## **Interviewer 2**` on line 626 starts a turn by Interviewer 2.
    turn = next(t for t in shipped.turns if t.lines and t.lines[0] == 628)
    assert (turn.speaker, turn.text) == ("Interviewer 2", "This is")


def test_no_code_label_or_footer_inside_any_turn(shipped: Interview) -> None:
    for turn in shipped.turns:
        for paragraph in turn.paragraphs:
            assert "Delve" not in paragraph.text
            for line in paragraph.text.split("\n"):
                assert line.strip() not in SHIPPED_CODES, (turn.key, line)


def test_paragraphs_are_verbatim_with_their_line_spans(
    shipped: Interview, shipped_file: Path
) -> None:
    source = shipped_file.read_text(encoding="utf-8")
    lines = source.split("\n")
    for paragraph in _paragraphs(shipped):
        assert paragraph.lines is not None and paragraph.pages is None
        first, last = paragraph.lines
        assert "\n".join(lines[first - 1 : last]).strip() == paragraph.text
        assert paragraph.text in source


def test_one_word_utterances_stay_text_and_codes_attach_above(shipped: Interview) -> None:
    by_line = {p.lines[0]: p for p in _paragraphs(shipped) if p.lines}
    for line, text in [
        (29, "Yeah."),
        (154, "Um,"),
        (376, "Filters."),
        (504, "Mm."),
        (654, "Thank"),
    ]:
        assert by_line[line].text == text
        assert by_line[line].codes == ()
    # `So.` is a one-word paragraph that is itself coded by the two labels under it.
    assert by_line[238].text == "So."
    assert by_line[238].codes == ("ML-pipeline-issues [MLP]", "MLP-unstable-external-dependency")
    # `Misc` stacks above another label, so it is a code of the paragraph above both.
    assert by_line[542].codes == ("Misc", "Stakeholders-lack-of-knowledge")
    # A label repeated over consecutive paragraphs codes each of them.
    privacy = [p.lines[0] for p in _paragraphs(shipped) if "QM-data-privacy-issues" in p.codes]
    assert privacy == [362, 388, 394, 398]


def test_paragraph_without_heading_continues_the_speaker(shipped: Interview) -> None:
    turn = shipped.turns[6]
    assert turn.speaker == "Interviewee"
    assert [p.text for p in turn.paragraphs] == ["Yeah.", "We are not necessarily"]
    assert turn.lines == (29, 31)


EXPORT = """\
# Interview 5 - Test

## Interviewer 1

How do you collect data?

### **Interviewee**

We scrape it from partner sites, and it is never clean.

Data-collection-web-scrape

Quality-Measures (QM)

Q4.3

Mm-hmm

Monitoring

#### Interviewee

Data-low-quality

Yeah

Created with the Delve Qualitative Analysis Tool (http://www.delvetool.com)
"""


def test_made_up_export(tmp_path: Path) -> None:
    path = tmp_path / "export.md"
    path.write_text(EXPORT, encoding="utf-8")
    interview = read_file(path)
    assert (interview.id, interview.title, interview.format) == (
        "5",
        "Interview 5 - Test",
        "delve-text",
    )
    assert [t.speaker for t in interview.turns] == ["Interviewer 1", "Interviewee", "Interviewee"]
    second = interview.turns[1]
    assert second.paragraphs[0].codes == (
        "Data-collection-web-scrape",
        "Quality-Measures (QM)",
        "Q4.3",
    )
    # A filler stays speech, and the bare word after it is a paragraph, not a label.
    assert [p.text for p in second.paragraphs[1:]] == ["Mm-hmm", "Monitoring"]
    # A code line right under a heading codes nothing: it is dropped (and reported), never
    # put in the speaker's mouth.
    third = interview.turns[2]
    assert [p.text for p in third.paragraphs] == ["Yeah"]
    assert "Delve" not in " ".join(t.text for t in interview.turns)


def test_known_codes_recognise_a_lone_bare_label(tmp_path: Path) -> None:
    text = "# Interview 9\n\n## Interviewee\n\nWe had no budget.\n\nmonitoring\n"
    path = tmp_path / "Interview 9.txt"
    plain = read_delve_text(path, text, "x")
    assert [p.text for p in plain.turns[0].paragraphs] == ["We had no budget.", "monitoring"]
    known = read_delve_text(path, text, "x", known_codes={"monitoring"})
    assert [(p.text, p.codes) for p in known.turns[0].paragraphs] == [
        ("We had no budget.", ("monitoring",))
    ]


def test_multi_line_paragraph_keeps_exact_characters(tmp_path: Path) -> None:
    text = (
        "# Talk with Ana\n\n## Ana\n\nFirst line  \nsecond line\n\nMisc-other-code\n\n"
        "## Bo\n\nOk.\n"
    )
    path = tmp_path / "ana"
    path.write_text(text, encoding="utf-8")
    interview = read_file(path)
    assert interview.id == "talk-with-ana"
    paragraph = interview.turns[0].paragraphs[0]
    assert paragraph.text == "First line  \nsecond line"
    assert paragraph.text in text
    assert (paragraph.lines, paragraph.codes) == ((5, 6), ("Misc-other-code",))
    assert [t.role for t in interview.turns] == ["unknown", "unknown"]


SPOKEN_HYPHENS = """\
# Interview 6 - Test

## Interviewer 1

How fast must the predictions be?

## Interviewee

Fast.

Real-time

## Interviewer 1

And after the pilot?

## Interviewee

Follow-up

Data-low-quality

## Interviewer 1

Anything else?

## Interviewee

Maybe one thing.

feedback-loop
"""


def test_lone_hyphenated_words_stay_speech_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "Interview 6.txt"
    notices: list[LoadProblem] = []
    interview = read_delve_text(path, SPOKEN_HYPHENS, "x", notices=notices)
    answers = [t for t in interview.turns if t.speaker == "Interviewee"]
    assert [[(p.text, p.codes) for p in t.paragraphs] for t in answers] == [
        [("Fast.", ()), ("Real-time", ())],
        # A sure label under a spoken word codes it: the word was said, then coded.
        [("Follow-up", ("Data-low-quality",))],
        [("Maybe one thing.", ()), ("feedback-loop", ())],
    ]
    assert interview.code_applications == 1
    lines = SPOKEN_HYPHENS.split("\n")
    real, loop = lines.index("Real-time") + 1, lines.index("feedback-loop") + 1
    assert [(n.line, n.severity) for n in notices] == [(real, "notice"), (loop, "notice")]
    assert all(n.source == str(path) for n in notices)
    assert "'Real-time' read as speech" in str(notices[0])
    assert str(notices[0]).startswith(f"{path}, line {real}: ")


def test_once_hyphenated_word_stacked_with_a_sure_label_is_a_code(tmp_path: Path) -> None:
    text = "# Interview 7\n\n## Interviewee\n\nWe retrain weekly.\n\nfeedback-loop\n\nMM-drift\n"
    notices: list[LoadProblem] = []
    interview = read_delve_text(tmp_path / "Interview 7.txt", text, "x", notices=notices)
    assert [(p.text, p.codes) for p in interview.turns[0].paragraphs] == [
        ("We retrain weekly.", ("feedback-loop", "MM-drift"))
    ]
    assert notices == []
    known = read_delve_text(
        tmp_path / "Interview 7.txt",
        "# Interview 7\n\n## Interviewee\n\nWe retrain weekly.\n\nfeedback-loop\n",
        "x",
        known_codes={"feedback-loop"},
    )
    assert known.turns[0].paragraphs[0].codes == ("feedback-loop",)


def test_code_line_under_a_heading_is_reported_not_spoken(tmp_path: Path) -> None:
    path = tmp_path / "Interview 5.md"
    path.write_text(EXPORT, encoding="utf-8")
    notices: list[LoadProblem] = []
    interview = read_file(path, notices=notices)
    assert all("Data-low-quality" not in t.text for t in interview.turns)
    line = EXPORT.split("\n").index("Data-low-quality") + 1
    assert [(n.line, n.severity) for n in notices] == [(line, "notice")]
    assert "code line 'Data-low-quality' has no paragraph above it" in notices[0].message


def test_load_corpus_reports_reader_notices(tmp_path: Path) -> None:
    path = tmp_path / "Interview 6.txt"
    path.write_text(SPOKEN_HYPHENS, encoding="utf-8")
    corpus = load_corpus([tmp_path])
    lines = SPOKEN_HYPHENS.split("\n")
    real, loop = lines.index("Real-time") + 1, lines.index("feedback-loop") + 1
    assert [(n.source, n.line) for n in corpus.notices] == [(str(path), real), (str(path), loop)]
    assert corpus.errors == ()


def test_shipped_file_reads_without_notices(shipped_file: Path) -> None:
    notices: list[LoadProblem] = []
    read_file(shipped_file, notices=notices)
    assert [str(n) for n in notices] == []
