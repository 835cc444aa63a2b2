"""The first index build: what is being read and embedded, with a progress bar."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.signal import Signal
from textual.widgets import Label, ProgressBar, Static

from assistant.eta import Estimator, describe
from assistant.model import Progress
from assistant.tui.messages import IndexEvent, Progressed, Ready, Stopped

EXPLAIN = (
    "There is no search index for this corpus yet, so one is being built: every transcript "
    "is read and each turn embedded with the local model. This happens once; afterwards only "
    "new or changed interviews are re-indexed (Ctrl+R). Esc hides this view; the build goes on."
)


class IndexingScreen(ModalScreen[None]):
    """Follows the build on the app's ``index_events`` and closes when it ends."""

    BINDINGS = [Binding("escape", "dismiss", "Hide")]

    def __init__(self, reason: str, index_events: Signal[IndexEvent]) -> None:
        super().__init__()
        self.reason = reason
        self._index_events = index_events
        self._eta = Estimator()

    def on_mount(self) -> None:
        self._index_events.subscribe(self, self._index_changed)

    def _index_changed(self, event: IndexEvent) -> None:
        if isinstance(event, Progressed):
            self.update_progress(event.progress)
        elif isinstance(event, Ready | Stopped) and self.is_current:
            self.dismiss()

    def compose(self) -> ComposeResult:
        with Vertical(id="indexing-box"):
            yield Label("Building the search index", id="indexing-title")
            yield Static(self.reason, id="indexing-reason", markup=False)
            yield Static(EXPLAIN, id="indexing-explain")
            yield ProgressBar(show_eta=False, id="indexing-progress")
            yield Label("Starting…", id="indexing-stage", markup=False)

    def update_progress(self, progress: Progress) -> None:
        self.query_one("#indexing-stage", Label).update(describe(self._eta.update(progress)))
        self.query_one(ProgressBar).update(total=progress.total or None, progress=progress.done)
