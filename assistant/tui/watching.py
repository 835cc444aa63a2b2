"""The chat's eye on the corpus folder: :class:`assistant.watch.Watcher` in a thread worker.

Interviews dropped into, edited in or removed from the folder while the chat is open are
indexed in the background; the worker reports through messages (the start of an update, its
progress as the index bar shows Ctrl+R's, and a one-line result for the status line). The
service reopens its reader after the update, so the next question is answered from the new
index and a question being answered meanwhile finishes on the one it started with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message
from textual.worker import get_current_worker

from assistant.errors import AssistantError
from assistant.model import Progress
from assistant.tui.messages import CorpusSummary, IndexProgress
from assistant.watch import FileChanges, Update, Watcher

if TYPE_CHECKING:
    from textual.app import App

    from assistant.contract import AssistantService


@dataclass
class CorpusChanging(Message):
    """Files of the corpus changed and settled: the index is being updated."""

    files: FileChanges


@dataclass
class CorpusWatched(Message):
    """An update is done (or failed): ``line`` says what it did, for the status line (empty
    when there is nothing new to say)."""

    line: str
    failed: bool = False
    #: Files that could not be read, one line each.
    problems: list[str] = field(default_factory=list)
    #: The interviews and codes now indexed, when they changed.
    summary: CorpusSummary | None = None


def watch_corpus(
    app: App[None],
    service: AssistantService,
    summarise: Callable[[AssistantService], CorpusSummary],
) -> None:
    """Watch until the worker running this is cancelled (the app quits). Runs in a thread."""
    worker = get_current_worker()

    def progress(p: Progress) -> None:
        app.post_message(IndexProgress(p))

    def starting(files: FileChanges) -> None:
        app.post_message(CorpusChanging(files))

    def updated(update: Update) -> None:
        summary = None
        if update.report is not None and update.report.changed_anything:
            try:
                summary = summarise(service)
            except AssistantError as exc:
                app.post_message(CorpusWatched(f"{update.line()}; {exc}", failed=True))
                return
        problems = [str(p) for p in update.problems]
        line = "" if update.quiet else update.line()
        app.post_message(CorpusWatched(line, update.error is not None, problems, summary))

    try:
        Watcher(service).run(
            updated,
            should_stop=lambda: worker.is_cancelled,
            progress=progress,
            starting=starting,
        )
    except Exception as exc:  # the chat must go on even if watching cannot
        app.post_message(
            CorpusWatched(f"stopped watching the corpus folder: internal error {exc!r}", True)
        )
