"""The status line (mode, corpus size, index state) and the re-index progress bar."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Label, ProgressBar, Static

from assistant.eta import Estimator, describe
from assistant.model import Progress


class StatusLine(Static):
    """One line: how answers are made, what is indexed, what the index is doing, the scope."""

    mode: reactive[str] = reactive("starting")
    corpus: reactive[str] = reactive("")
    index: reactive[str] = reactive("opening the index…")
    scope: reactive[str] = reactive("")

    def render(self) -> Content:
        parts = [self.mode, self.corpus, self.index]
        if self.scope:
            parts.append(f"scope: {self.scope}")
        # Plain content: code labels such as "ML-pipeline-issues [MLP]" are not markup.
        return Content(" · ".join(p for p in parts if p))


class IndexBar(Horizontal):
    """Shown while the index is (re)built, under the chat, which stays usable: the stage, the
    interview at hand and the time left (:mod:`assistant.eta`, as the CLI shows them)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._eta = Estimator()

    def compose(self) -> ComposeResult:
        yield Label("Indexing", id="index-label", markup=False)
        yield ProgressBar(show_eta=False, id="index-progress")

    def update_progress(self, progress: Progress) -> None:
        self.query_one(Label).update(describe(self._eta.update(progress)))
        bar = self.query_one(ProgressBar)
        bar.update(total=progress.total or None, progress=progress.done)
