"""Quotes by code: one item per coded passage, exported as Markdown, CSV and JSON.

Golden files live in tests/golden/quotes.*; regenerate them after an intended format change with
``ASSISTANT_REGEN_GOLDEN=1 python -m pytest tests/test_quotes.py`` and review the
diff before committing.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from notes_samples import CORPUS, LOW_QTY, MLP, MLP_CHILD, MLP_DATA, check_golden

from assistant.errors import AssistantError
from assistant.index.nodes import normalise_speaker
from assistant.index.scope import Scope
from assistant.ingest import read_file
from assistant.ingest.speakers import resolve_speakers, speaker_key
from assistant.model import Corpus, Interview, Paragraph, Turn
from assistant.quotes import CSV_COLUMNS, select_quotes, to_csv, to_json, to_markdown

MLP_FAMILY = frozenset({MLP, MLP_CHILD, MLP_DATA})
CODES = "MLP, Data-low-quantity"


def test_one_item_per_coded_paragraph_with_its_own_codes_and_span() -> None:
    items = select_quotes(CORPUS, MLP_FAMILY)
    # Interview 3 sorts before 12; the uncoded "So." and the Data-low-quantity paragraph of the
    # same turn are not MLP passages.
    assert [(i.key, i.lines, i.pages, i.codes) for i in items] == [
        ("3:1", None, (2, 3), (MLP_DATA, "Data-low-quantity-fix")),
        ("12:2", (7, 7), None, (MLP, MLP_CHILD)),
    ]
    assert items[1].quote.startswith("We have three data sources")
    assert [i.key for i in select_quotes(CORPUS, {LOW_QTY})] == ["12:2"]
    assert select_quotes(CORPUS, {LOW_QTY}, interviews=["3"]) == []
    assert select_quotes(CORPUS, MLP_FAMILY, roles=["interviewer"]) == []
    assert [i.key for i in select_quotes(CORPUS, MLP_FAMILY, speakers=["interviewee"])] == [
        "3:1",
        "12:2",
    ]


@pytest.mark.parametrize(
    ("name", "render"),
    [
        ("quotes.md", lambda items: to_markdown(items, CODES, MLP_FAMILY | {LOW_QTY})),
        ("quotes.csv", to_csv),
        ("quotes.json", lambda items: to_json(items, CODES, MLP_FAMILY | {LOW_QTY})),
    ],
)
def test_formats_match_golden(name: str, render: object) -> None:
    items = select_quotes(CORPUS, MLP_FAMILY | {LOW_QTY})
    check_golden(name, render(items))  # type: ignore[operator]


def test_csv_is_rfc4180_and_round_trips_every_field() -> None:
    items = select_quotes(CORPUS, MLP_FAMILY | {LOW_QTY})
    text = to_csv(items)
    assert text.endswith("\r\n") and "\r\n" in text.split("\n")[0] + "\n"
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 1 + len(items) == 4
    by_key = {(r[0], r[12]): dict(zip(CSV_COLUMNS, r, strict=True)) for r in rows[1:]}
    multiline = by_key[("12:2", LOW_QTY)]
    assert multiline["quote"] == "The data lake is huge,\nbut the data we need is not there."
    assert (multiline["lines_first"], multiline["lines_last"]) == ("13", "14")
    assert multiline["pages_first"] == multiline["pages_last"] == ""
    quoted = by_key[("12:2", f"{MLP}; {MLP_CHILD}")]
    assert '"automatically refreshed"' in quoted["quote"]
    pdf = by_key[("3:1", "MLP-data-pipeline; Data-low-quantity-fix")]
    assert (pdf["format"], pdf["pages_first"], pdf["pages_last"]) == ("delve-pdf", "2", "3")
    assert pdf["quote"] == "Our naïve pipeline — the ‘nightly’ one — broke every week."


def test_json_carries_the_resolved_labels_and_every_item() -> None:
    items = select_quotes(CORPUS, MLP_FAMILY)
    data = json.loads(to_json(items, "MLP", MLP_FAMILY))
    assert data["code"] == "MLP" and data["count"] == 2
    assert data["codes"] == sorted(MLP_FAMILY)
    assert data["quotes"][0]["pages"] == [2, 3] and data["quotes"][0]["lines"] is None
    assert data["quotes"][1]["title"] == "Interview 12 - Amin"


def test_shipped_corpus_low_quantity_has_three_passages(tmp_path: Path) -> None:
    from assistant.service import make_assistant

    report = make_assistant().quotes("Data-low-quantity")
    assert report.labels == frozenset({"Data-low-quantity"})
    assert len(report.items) == 3
    assert {i.key.split(":")[0] for i in report.items} == {"12"}
    assert all(i.codes == ("Data-low-quantity",) for i in report.items)
    assert report.items[0].quote.startswith("Well, in that case, if we stick to the")


def test_shipped_corpus_mlp_abbreviation_includes_its_children() -> None:
    from assistant.service import make_assistant

    report = make_assistant().quotes("MLP")
    assert {"ML-pipeline-issues [MLP]", "MLP-unstable-external-dependency"} <= report.labels
    assert len(report.items) == 3
    assert all(
        i.codes == ("ML-pipeline-issues [MLP]", "MLP-unstable-external-dependency")
        for i in report.items
    )
    assert [i.quote for i in report.items][2] == "So."
    assert all(i.lines and i.lines[0] >= 220 for i in report.items)


def _by(speaker: str, ordinal: int, role: str) -> Turn:
    return Turn(
        interview_id="5",
        ordinal=ordinal,
        speaker=speaker,
        role=role,  # type: ignore[arg-type]
        paragraphs=(
            Paragraph(f"{speaker} on data volume.", codes=(LOW_QTY,), lines=(ordinal,) * 2),
        ),
    )


SPEAKERS = Corpus(
    (
        Interview(
            id="5",
            title="Interview 5",
            source="Interview 5.txt",
            format="transcript",
            sha256="2" * 64,
            turns=(
                _by("Interviewer 1", 1, "interviewer"),
                _by("Interviewer 2", 2, "interviewer"),
                _by("Interviewee", 3, "participant"),
                _by("Ana Lima", 4, "unknown"),
            ),
        ),
    )
)


@pytest.mark.parametrize(
    ("typed", "keys"),
    [
        (["interviewer1"], ["5:1"]),
        (["INTERVIEWER 1"], ["5:1"]),
        (["**Interviewer1**"], ["5:1"]),
        (["interviewer"], ["5:1", "5:2"]),
        (["interviewee"], ["5:3"]),
        (["ana"], ["5:4"]),
        (["interviewer 2", "ana lima"], ["5:2", "5:4"]),
    ],
)
def test_speaker_filter_means_what_search_means(typed: list[str], keys: list[str]) -> None:
    assert [i.key for i in select_quotes(SPEAKERS, {LOW_QTY}, speakers=typed)] == keys
    # The very function search resolves --speaker with: both pick the same turns.
    scope = Scope(
        speakers=resolve_speakers(
            typed, ["Interviewer 1", "Interviewer 2", "Interviewee", "Ana Lima"], "the index"
        )
    )
    assert [t.key for t in SPEAKERS.interviews[0].turns if scope.matches(t)] == keys


def test_unknown_speaker_or_role_is_a_clear_error() -> None:
    with pytest.raises(AssistantError) as caught:
        select_quotes(SPEAKERS, {LOW_QTY}, speakers=["bob"])
    assert str(caught.value) == (
        "no speaker 'bob' in the corpus (speakers: Ana Lima, Interviewee, Interviewer 1, "
        "Interviewer 2)"
    )
    with pytest.raises(AssistantError, match=r"unknown role boss \(use interviewer, participant"):
        select_quotes(SPEAKERS, {LOW_QTY}, roles=["boss"])


def test_service_quotes_on_the_shipped_file_by_interviewer1(shipped_file: Path) -> None:
    from assistant.service import Assistant
    from assistant.settings import load_settings

    corpus = Corpus((read_file(shipped_file),))
    report = Assistant(load_settings()).quotes(
        "Data-low-quantity", speakers=["interviewer1"], corpus=corpus
    )
    assert [(i.key, i.speaker) for i in report.items] == [("12:94", "Interviewer 1")]
    with pytest.raises(AssistantError, match="no speaker 'interviewer9' in the corpus"):
        Assistant(load_settings()).quotes(
            "Data-low-quantity", speakers=["interviewer9"], corpus=corpus
        )


def test_one_speaker_key_for_index_search_and_quotes() -> None:
    for spelt in (
        "Interviewer 1",
        "**interviewer1**",
        "Interviewer1",
        "INTERVIEWER 1",
        "Interviewer1 1",
    ):
        assert speaker_key(spelt) == normalise_speaker(spelt) == "interviewer1"
    assert speaker_key("Interviewée") == "interviewee"
