"""The chat watches its corpus folder: a transcript dropped in while it is open is indexed in
the background, announced on the status line, and answered from (real service, real files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from index_helpers import embedder
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input

from assistant.model import Filters, Progress
from assistant.service import make_assistant
from assistant.tui.app import AssistantApp
from assistant.tui.messages import IndexProgress
from assistant.tui.watching import CorpusChanging, CorpusWatched
from assistant.tui.widgets.code_tree import InterviewFilter
from assistant.tui.widgets.evidence import EvidencePane
from assistant.tui.widgets.status import IndexBar, StatusLine
from tests.conftest import SHIPPED_FILE

LUC = """\
Interviewer: How reliable were the humidity sensors in the greenhouse?
Luc: The humidity sensors in the greenhouse dropped their readings every night after midnight.
"""
#: Pauses of 0.1 s before giving up on something a worker makes happen: a guard against a
#: hang, not a timing check (the update loads the corpus and embeds a new interview).
PATIENCE = 3000


async def until(pilot: Pilot, condition: object, what: str) -> None:
    for _ in range(PATIENCE):
        if condition():  # type: ignore[operator]
            return
        await pilot.pause(0.1)
    raise AssertionError(f"never happened: {what}")


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / SHIPPED_FILE.name).write_bytes(SHIPPED_FILE.read_bytes())
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(folder))
    monkeypatch.setenv("ASSISTANT_WATCH_INTERVAL", "0.1")
    make_assistant(embedder=embedder()).build_index()
    return folder


async def test_a_dropped_transcript_is_indexed_announced_and_answered(corpus: Path) -> None:
    app = AssistantApp(lambda: make_assistant(embedder=embedder()))
    seen: list[Message] = []

    def hook(message: Message) -> None:
        if isinstance(message, CorpusChanging | CorpusWatched | IndexProgress):
            seen.append(message)

    async with app.run_test(size=(120, 30), message_hook=hook) as pilot:
        await until(pilot, lambda: app.ready, "the chat is ready")
        status = app.chat.query_one(StatusLine)
        assert status.index == "index ready"
        (corpus / "Interview 38 - Luc.txt").write_text(LUC, encoding="utf-8")
        await until(
            pilot, lambda: status.index != "index ready" and "…" not in status.index, "an update"
        )
        assert status.index == "indexed 1 new interview: 38 — Interview 38 - Luc"
        assert "2 interviews" in str(status.render())
        changing = [m for m in seen if isinstance(m, CorpusChanging)]
        assert [m.files.added for m in changing] == [(str(corpus / "Interview 38 - Luc.txt"),)]
        progress: list[Progress] = [m.progress for m in seen if isinstance(m, IndexProgress)]
        assert any(p.stage == "embedding" and p.done == p.total for p in progress)
        assert app.chat.query_one(IndexBar).display is False
        listed = app.chat.query_one(InterviewFilter)
        ids = [listed.get_option_at_index(i).value for i in range(listed.option_count)]
        assert ids == ["12", "38"]

        found = app.service.search("humidity sensors", filters=Filters(interviews=("38",)))
        assert found and "humidity sensors" in found[0].turn.text
        app.chat.query_one("#question", Input).focus()
        await pilot.press(*"why did the humidity sensors drop readings at night?", "enter")
        await until(pilot, lambda: bool(app.chat.query_one(EvidencePane).items), "an answer")
        keys = [item.key for item in app.chat.query_one(EvidencePane).items]
        assert "38:2" in keys

        (corpus / "Interview 38 - Luc.txt").unlink()
        await until(pilot, lambda: status.index == "removed interview 38", "the removal")
        assert "1 interview," in str(status.render())
