"""The Textual application: owns the service, the history and the slow work around them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from assistant.errors import AssistantError, IndexBusyError, IndexMissingError, RebuildNeededError
from assistant.model import Answer, Citation, Filters, Progress
from assistant.safe_text import printable
from assistant.tui.messages import (
    CorpusSummary,
    Failed,
    IndexBuilt,
    IndexNeeded,
    IndexProgress,
    ServiceReady,
)
from assistant.tui.screens.chat import ChatScreen
from assistant.tui.widgets.evidence import QuoteItem
from assistant.tui.widgets.status import IndexBar, StatusLine

if TYPE_CHECKING:
    from assistant.history import History
    from assistant.service import Assistant

ServiceFactory = Callable[[], "Assistant"]


def _default_factory() -> Assistant:
    from assistant.service import make_assistant

    return make_assistant()


def summarise(service: Assistant) -> CorpusSummary:
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
        self._service: Assistant | None = None
        self.history: History | None = None
        self.chat = ChatScreen()
        self.ready = False
        self.indexing = False
        self.pending_question: tuple[int, str, Filters] | None = None
        self._ready_event = threading.Event()

    @property
    def service(self) -> Assistant:
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

    @work(thread=True, exclusive=True, group="open")
    def _open(self) -> None:
        """Create the service and open the index off the UI thread: this is where chromadb,
        llama-index and onnxruntime get imported.

        Ready means the first question is answered promptly: the index is open, the embedding
        model loaded and searched once (BM25 built, Chroma's vectors in memory). The model
        (llama-index, onnxruntime) loads in a second thread while this one opens the index
        (chromadb), since neither needs the other."""
        try:
            service = self._factory()
            from assistant.history import History

            self.history = History.in_folder(service.settings.data_dir)
            self._service = service
            # Looked up, not called directly: a factory may hand over a stand-in service.
            load_model = getattr(service, "load_embedder", None) or (lambda: None)
            warm_up = getattr(service, "warm_up", None) or (lambda: None)
            with ThreadPoolExecutor(1, thread_name_prefix="assistant-model") as pool:
                model = pool.submit(load_model)
                service.reader()
                summary = summarise(service)
                model.result()
            warm_up()
        except IndexMissingError:
            where = self._service.settings.index_dir if self._service else "the index folder"
            self.post_message(IndexNeeded(f"No index in {where} yet."))
        except RebuildNeededError as exc:
            self.post_message(IndexNeeded(str(exc)))
        except AssistantError as exc:
            self.post_message(Failed("open", f"{exc}. Fix it and start the assistant again."))
        except Exception as exc:
            self.post_message(Failed("open", f"Internal error while starting: {exc!r}"))
        else:
            self.post_message(ServiceReady(self._mode(service), summary))

    @staticmethod
    def _mode(service: Assistant) -> str:
        settings = service.settings
        return f"LLM {settings.llm_model}" if settings.llm_enabled else "extractive"

    def on_service_ready(self, message: ServiceReady) -> None:
        self._became_ready(message.mode, message.summary, "index ready")

    def _became_ready(self, mode: str, summary: CorpusSummary, index_state: str) -> None:
        status = self.chat.query_one(StatusLine)
        status.mode, status.index = mode, index_state
        self.chat.show_corpus(summary)
        self.ready = True
        self._ready_event.set()
        if self.pending_question is not None:
            request, question, filters = self.pending_question
            self.pending_question = None
            if request == self.chat.request:
                self.chat._answer(request, question, filters)

    def on_index_needed(self, message: IndexNeeded) -> None:
        from assistant.tui.screens.indexing import IndexingScreen

        self.push_screen(IndexingScreen(message.reason))
        self.chat.query_one(StatusLine).index = "building the index…"
        self._build()

    # -- indexing ------------------------------------------------------------------------

    def action_reindex(self) -> None:
        if self._service is None:
            self.notify("The assistant is still starting; re-index once it is ready.")
            return
        if self.indexing:
            self.notify("The index is already being rebuilt; progress is under the chat.")
            return
        self.chat.query_one(IndexBar).display = True
        self.chat.query_one(StatusLine).index = "re-indexing…"
        self._build()

    @work(thread=True, exclusive=True, group="index")
    def _build(self) -> None:
        self.indexing = True

        def progress(p: Progress) -> None:
            self.post_message(IndexProgress(p))

        try:
            report = self.service.build_index(progress=progress)
            summary = summarise(self.service)
        except IndexBusyError as exc:
            self.post_message(Failed("index", f"{exc}. Try Ctrl+R again when it has finished."))
        except AssistantError as exc:
            self.post_message(Failed("index", f"Indexing failed: {exc}"))
        except Exception as exc:
            self.post_message(Failed("index", f"Internal error while indexing: {exc!r}"))
        else:
            self.post_message(IndexBuilt(report.to_dict(), summary))
        finally:
            self.indexing = False

    def on_index_progress(self, message: IndexProgress) -> None:
        from assistant.tui.screens.indexing import IndexingScreen

        self.chat.query_one(IndexBar).update_progress(message.progress)
        for screen in self.screen_stack:
            if isinstance(screen, IndexingScreen):
                screen.update_progress(message.progress)

    def on_index_built(self, message: IndexBuilt) -> None:
        from assistant.tui.screens.indexing import IndexingScreen

        for screen in self.screen_stack:
            if isinstance(screen, IndexingScreen):
                screen.dismiss()
        self.chat.query_one(IndexBar).display = False
        self._became_ready(self._mode(self.service), message.summary, "index ready")
        self.notify(_report_line(message.report), title="Index up to date")

    async def on_failed(self, message: Failed) -> None:
        from assistant.tui.screens.indexing import IndexingScreen

        if message.what in ("index", "open"):
            for screen in self.screen_stack:
                if isinstance(screen, IndexingScreen):
                    screen.dismiss()
            self.chat.query_one(IndexBar).display = False
            self.chat.query_one(StatusLine).index = (
                "index failed" if message.what == "index" else "not started"
            )
            if not self.ready and self.pending_question is not None:
                request, _, _ = self.pending_question
                self.pending_question = None
                await self.chat.abandon(request, "Not answered: the index could not be opened.")
        self.notify(message.message, severity="error", timeout=15)

    # -- history and notes ---------------------------------------------------------------

    def remember(self, conversation_id: int | None, answer: Answer) -> int | None:
        if self.history is None:
            return conversation_id
        try:
            return self.history.record(conversation_id, answer)
        except AssistantError as exc:
            self.notify(f"Not saved in the history: {exc}", severity="warning")
            return conversation_id

    @work(thread=True, group="notes")
    def save_note(self, item: QuoteItem) -> None:
        try:
            citation = item.citation or self._resolve(item)
            result = self.service.save_quote(item.question, citation, item.mode, item.model)
        except AssistantError as exc:
            self.call_from_thread(self.notify, f"Not added to notes: {exc}", severity="error")
        else:
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
        return Citation(int(item.data["n"]), evidence, item.quote, bool(item.data["verified"]))

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
        exchanges = [(e.question, e.answer) for e in self.history.exchanges(conversation_id)]
        await self.chat.reopen(conversation_id, exchanges)

    def action_codes(self) -> None:
        from assistant.tui.screens.codes import CodesScreen

        if not self.ready:
            self.notify("The codes are counted once the index is open; try again in a moment.")
            return
        if not isinstance(self.screen, CodesScreen):
            self.push_screen(CodesScreen())

    def action_agreement(self) -> None:
        from assistant.tui.screens.agreement import AgreementScreen

        if self._service is None:
            self.notify("The assistant is still starting; try again in a moment.")
            return
        if not isinstance(self.screen, AgreementScreen):
            self.push_screen(AgreementScreen())

    def action_clear_filters(self) -> None:
        from assistant.tui.widgets.code_tree import CodeTree, InterviewFilter

        self.chat.query_one(CodeTree).clear_ticks()
        self.chat.query_one(InterviewFilter).deselect_all()
        self.chat._update_scope()

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
