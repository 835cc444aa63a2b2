"""The chat history keeps conversations with their citations, and survives reopening."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.errors import AssistantError
from assistant.history import FILE_NAME, SCHEMA_VERSION, History
from assistant.model import Answer, Citation, Evidence, Paragraph, Turn
from assistant.settings import load_settings


def _answer(question: str, quote: str = "the environments are not ready yet") -> Answer:
    turn = Turn(
        interview_id="12",
        ordinal=41,
        speaker="Interviewee",
        role="participant",
        paragraphs=(
            Paragraph(
                text=f"So everything works in a lab environment, but {quote}.",
                codes=("MD-infrastructure",),
                lines=(115, 115),
            ),
        ),
    )
    evidence = Evidence(turn=turn, title="Interview 12 - Amin", source="corpus/x.txt", score=0.5)
    return Answer(
        question=question,
        mode="extractive",
        text=f"> {quote} [1]",
        citations=[Citation(n=1, evidence=evidence, quote=quote, verified=True)],
        evidence=[evidence],
    )


class Clock:
    """Ticks a minute per call so ordering by time is deterministic."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def test_a_recorded_answer_reopens_with_its_citations(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with History(path, clock=Clock()) as history:
        cid = history.record(None, _answer("why did projects run late?"))
        history.record(cid, _answer("what about data?", quote="lab environment"))

    with History(path) as reopened:
        [summary] = reopened.conversations()
        assert summary.id == cid
        assert summary.title == "why did projects run late?"
        assert summary.questions == 2
        first, second = reopened.exchanges(cid)
    assert first.question == "why did projects run late?"
    assert first.answer.mode == "extractive"
    [citation] = first.citations
    assert citation.evidence.key == "12:41"
    assert citation.quote == "the environments are not ready yet"
    assert citation.verified is True
    assert citation.evidence.turn.codes == ("MD-infrastructure",)
    assert second.citations[0].quote == "lab environment"
    assert second.created_at > first.created_at


def test_conversations_are_listed_most_recent_first_and_can_be_deleted(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3", clock=Clock())
    older = history.record(None, _answer("first"))
    newer = history.record(None, _answer("second"))
    history.record(older, _answer("older again"))  # touching it makes it the most recent
    assert [c.id for c in history.conversations()] == [older, newer]

    assert history.delete(older) is True
    assert history.delete(older) is False
    assert [c.title for c in history.conversations()] == ["second"]
    assert history.exchanges(older) == []


def test_long_questions_are_shortened_for_the_title(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3")
    question = "why " + "really " * 30 + "late?"
    history.record(None, _answer(question))
    [summary] = history.conversations()
    assert len(summary.title) == 80 and summary.title.endswith("…")
    assert history.exchanges(summary.id)[0].question == question


def test_recording_into_a_deleted_conversation_is_an_error(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3")
    cid = history.record(None, _answer("q"))
    history.delete(cid)
    with pytest.raises(AssistantError, match=f"conversation {cid} is not in the history"):
        history.record(cid, _answer("again"))


def test_the_file_lives_in_the_configured_data_folder(isolated_paths: Path) -> None:
    settings = load_settings()
    with History.in_folder(settings.data_dir) as history:
        history.record(None, _answer("q"))
        assert history.schema_version == SCHEMA_VERSION
    assert (isolated_paths / "data" / FILE_NAME).is_file()


def test_a_history_from_a_newer_release_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(AssistantError, match="newer version"):
        History(path)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert db.execute("SELECT name FROM sqlite_master").fetchall() == []


def test_a_file_that_is_not_a_database_gives_a_readable_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_text("not a database " * 100)
    with pytest.raises(AssistantError, match="cannot open the chat history"):
        History(path)
