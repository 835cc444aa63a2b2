"""The Textual application: owns the service, the history and the slow work around them.

Screens own their own flow and widgets. The app tells them about the service and its index
through one signal (``index_events``: ready, building, progress, stopped) and never reaches
into their widgets; screens get the service they need when they are made and ask the app for
app-wide work (saving a note) with a message.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.signal import Signal
from textual.worker import Worker, WorkerState

from assistant.errors import AssistantError, IndexMissingError, RebuildNeededError
from assistant.model import Citation, Progress
from assistant.safe_text import printable
from assistant.tui.failures import failure_line
from assistant.tui.messages import (
    Building,
    CorpusSummary,
    IndexBuilt,
    IndexEvent,
    IndexNeeded,
    IndexProgress,
    Progressed,
    Ready,
    SaveNote,
    ServiceReady,
    Stopped,
    Watched,
)
from assistant.tui.screens.chat import ChatScreen
from assistant.tui.watching import CorpusChanging, CorpusWatched, watch_corpus
from assistant.tui.widgets.evidence import QuoteItem

if TYPE_CHECKING:
    from assistant.contract import AssistantService
    from assistant.history import History

ServiceFactory = Callable[[], "AssistantService"]


def _default_factory() -> AssistantService:
    from assistant.service import make_assistant

    return make_assistant()


def summarise(service: AssistantService) -> CorpusSummary:
    """What the filters and status line show: interviews, turn count, the code tree."""
    from assistant.tui.codes import code_nodes

    reader = service.reader()
    interviews = [(i["id"], i["title"]) for i in reader.interviews()]
    codes = reader.turn_codes()
    return CorpusSummary(interviews, len(codes), code_nodes(service.codebook(), codes))


class AssistantApp(App[None]):
    """``assistant chat``: ask the interviews, read cited quotes in context."""

    # Absolute, so subclasses defined elsewhere (tests, benchmarks) find the stylesheet.
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "Interview assistant"
    BINDINGS = [
        Binding("ctrl+n", "new_conversation", "New chat"),
        Binding("ctrl+r", "reindex", "Re-index"),
        Binding("f1", "help", "Help"),
        Binding("f2", "history", "History"),
        Binding("f3", "codes", "Codes: prevalence chart and heat map", show=False),
        Binding("f4", "agreement", "Inter-coder agreement between two codings", show=False),
        Binding("ctrl+p", "command_palette", "Commands", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("tab", "app.focus_next", "Next pane", show=False),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False),
    ]

    def __init__(self, service_factory: ServiceFactory | None = None) -> None:
        super().__init__()
        self._factory = service_factory or _default_factory
        self._service: AssistantService | None = None
        self.history: History | None = None
        #: The service and its index, as they change: every screen that shows them listens.
        self.index_events: Signal[IndexEvent] = Signal(self, "index-events")
        self.chat = ChatScreen(self.index_events)
        self.ready = False
        self.indexing = False
        self._watching = False
        self._ready_event = threading.Event()

    @property
    def service(self) -> AssistantService:
        if self._service is None:
            raise AssistantError("the assistant is still starting; try again in a moment")
        return self._service

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast (widgets and screens send theirs here) without control characters:
        they carry file names and notices from the corpus and the LLM endpoint."""
        super().notify(
            printable(message),
            title=printable(title, one_line=True),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    def get_default_screen(self) -> Screen[Any]:
        return self.chat

    def on_ready(self) -> None:
        # After the first frame: the imports in the worker would otherwise compete with the
        # paint for the interpreter.
        self._open()

    # -- starting ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open(self) -> None:
        """Create the service and open the index off the UI thread: this is where chromadb,
        llama-index and onnxruntime get imported.

        Ready means the first question is answered promptly: the index is open, the embedding
        model loaded and searched once (BM25 built, Chroma's vectors in memory). The model
        (llama-index, onnxruntime) loads in a second thread while this one opens the index
        (chromadb), since neither needs the other."""
        service = self._factory()
        from assistant.history import History

        self.history = History.in_folder(service.settings.data_dir)
        self._service = service
        with ThreadPoolExecutor(1, thread_name_prefix="assistant-model") as pool:
            model = pool.submit(service.load_embedder)
            service.reader()
            summary = summarise(service)
            model.result()
        service.warm_up()
        self.post_message(ServiceReady(self._mode(service), summary))

    @staticmethod
    def _mode(service: AssistantService) -> str:
        settings = service.settings
        return f"LLM {settings.llm_model}" if settings.llm_enabled else "extractive"

    def on_service_ready(self, message: ServiceReady) -> None:
        self._became_ready(message.mode, message.summary)

    def _became_ready(self, mode: str, summary: CorpusSummary) -> None:
        self.ready = True
        self._ready_event.set()
        self.index_events.publish(Ready(self.service, self.history, mode, summary))
        self._start_watching()

    def on_index_needed(self, message: IndexNeeded) -> None:
        from assistant.tui.screens.indexing import IndexingScreen

        self.push_screen(IndexingScreen(message.reason, self.index_events))
        self.index_events.publish(Building("building the index…", in_background=False))
        self._build()

    # -- indexing ------------------------------------------------------------------------

    def action_reindex(self) -> None:
        if self._service is None:
            self.notify("The assistant is still starting; re-index once it is ready.")
            return
        if self.indexing:
            self.notify("The index is already being rebuilt; progress is under the chat.")
            return
        self.index_events.publish(Building("re-indexing…", in_background=True))
        self._build()

    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def _build(self) -> None:
        self.indexing = True

        def progress(p: Progress) -> None:
            self.post_message(IndexProgress(p))

        try:
            report = self.service.build_index(progress=progress)
            summary = summarise(self.service)
        finally:
            self.indexing = False
        self.post_message(IndexBuilt(report.to_dict(), summary))

    def on_index_progress(self, message: IndexProgress) -> None:
        self.index_events.publish(Progressed(message.progress))

    def on_index_built(self, message: IndexBuilt) -> None:
        self._became_ready(self._mode(self.service), message.summary)
        self.notify(_report_line(message.report), title="Index up to date")

    # -- the one place a failed worker of the app is reported ------------------------------

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is not WorkerState.ERROR:
            return
        error = worker.error
        if worker.group == "open" and isinstance(error, IndexMissingError):
            where = self._service.settings.index_dir if self._service else "the index folder"
            self.post_message(IndexNeeded(f"No index in {where} yet."))
            return
        if worker.group == "open" and isinstance(error, RebuildNeededError):
            self.post_message(IndexNeeded(str(error)))
            return
        if worker.group in ("open", "index"):
            state = "index failed" if worker.group == "index" else "not started"
            self.index_events.publish(Stopped(state))
        self.notify(failure_line(worker), severity="error", timeout=15)

    # -- watching the corpus folder (assistant/tui/watching.py) ---------------------------

    def _start_watching(self) -> None:
        if self._watching or self.service.settings.watch_interval <= 0:
            return
        self._watching = True
        self.run_worker(
            partial(watch_corpus, self, self.service, summarise),
            thread=True,
            group="watch",
            exit_on_error=False,
        )

    def on_corpus_changing(self, message: CorpusChanging) -> None:
        self.index_events.publish(Building(f"indexing ({message.files.describe()})…", True))

    def on_corpus_watched(self, message: CorpusWatched) -> None:
        self.index_events.publish(Watched(message.line, message.summary, self.indexing))
        for problem in message.problems:
            self.notify(problem, title="Could not be read", severity="warning", timeout=15)
        if message.failed and message.line:
            self.notify(message.line, title="Index not updated", severity="error", timeout=15)

    # -- history and notes ---------------------------------------------------------------

    def on_save_note(self, message: SaveNote) -> None:
        self._save_note(message.item)

    @work(thread=True, group="notes", exit_on_error=False)
    def _save_note(self, item: QuoteItem) -> None:
        citation = self._resolve(item) if item.stored else item.citation
        result = self.service.save_quote(item.question, citation, item.mode, item.model)
        where = self.service.settings.notes_file
        if result.added:
            self.call_from_thread(self.notify, f"Added {item.key} to {where}.")
        else:
            reasons = "; ".join(s.reason for s in result.skipped) or "nothing to add"
            self.call_from_thread(
                self.notify, f"{item.key} not added: {reasons}.", severity="warning"
            )

    def _resolve(self, item: QuoteItem) -> Citation:
        """A quote reopened from history: find its turn again in the current index."""
        evidence = self.service.evidence(item.key)
        if evidence is None:
            raise AssistantError(f"{item.key} is no longer in the index")
        return Citation(item.citation.n, evidence, item.citation.quote, item.citation.verified)

    # -- actions and commands ------------------------------------------------------------

    async def action_new_conversation(self) -> None:
        await self.chat.new_conversation()

    def action_help(self) -> None:
        from assistant.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_history(self) -> None:
        from assistant.tui.screens.history import HistoryScreen

        if self.history is None:
            self.notify("The history opens with the assistant; try again in a moment.")
            return
        if not isinstance(self.screen, HistoryScreen):
            self.push_screen(HistoryScreen(self.history), self._reopen)

    async def _reopen(self, conversation_id: int | None) -> None:
        if conversation_id is None or self.history is None:
            return
        try:
            answers = [e.answer for e in self.history.exchanges(conversation_id)]
        except AssistantError as exc:
            self.notify(str(exc), severity="error", timeout=15)
            return
        await self.chat.reopen(conversation_id, answers)

    def action_codes(self) -> None:
        from assistant.tui.screens.codes import CodesScreen

        if not self.ready:
            self.notify("The codes are counted once the index is open; try again in a moment.")
            return
        if not isinstance(self.screen, CodesScreen):
            self.push_screen(CodesScreen(self.service))

    def action_agreement(self) -> None:
        from assistant.tui.screens.agreement import AgreementScreen

        if self._service is None:
            self.notify("The assistant is still starting; try again in a moment.")
            return
        if not isinstance(self.screen, AgreementScreen):
            self.push_screen(AgreementScreen(self.service))

    def action_clear_filters(self) -> None:
        self.chat.clear_filters()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "New conversation", "Start afresh (Ctrl+N)", self.action_new_conversation
        )
        yield SystemCommand(
            "Re-index", "Index new or changed interviews (Ctrl+R)", self.action_reindex
        )
        yield SystemCommand("History", "Reopen an earlier conversation (F2)", self.action_history)
        yield SystemCommand("Help", "Keys and how answers are made (F1)", self.action_help)
        yield SystemCommand(
            "Codes", "Prevalence bar chart and code × interview heat map (F3)", self.action_codes
        )
        yield SystemCommand(
            "Agreement",
            "Inter-coder agreement (Cohen's κ) between two codings (F4)",
            self.action_agreement,
        )
        yield SystemCommand(
            "Clear filters", "Ask across every code and interview", self.action_clear_filters
        )
        yield SystemCommand(
            "Toggle filters", "Show or hide the code tree (Ctrl+F)", self.chat.action_toggle_filters
        )


def _report_line(report: dict[str, object]) -> str:
    """A one-line summary of ``IndexReport.to_dict()``, whatever counts it carries."""
    counts = [
        f"{k}: {v}"
        for k, v in report.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    return ", ".join(counts[:5]) or "done"
