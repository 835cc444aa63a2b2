"""The main screen: filters on the left, the conversation and its evidence on the right.

The screen owns the asking: the question waiting for the index, the worker that answers it,
the conversation and where it is recorded. It learns about the service and its index from the
app's ``index_events`` signal and keeps its status line and index bar up to date itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.signal import Signal
from textual.widgets import Footer, Header, Input
from textual.worker import Worker, WorkerState, get_current_worker

from assistant.errors import AssistantError
from assistant.model import Answer, CodeMatch, Filters
from assistant.tui.failures import failure_line
from assistant.tui.messages import (
    AnswerReady,
    AnswerToken,
    Building,
    CorpusSummary,
    IndexEvent,
    Progressed,
    Ready,
    SaveNote,
    Stopped,
    Watched,
)
from assistant.tui.widgets.code_tree import CodeTree, InterviewFilter
from assistant.tui.widgets.conversation import Conversation
from assistant.tui.widgets.evidence import EvidencePane, QuoteItem
from assistant.tui.widgets.status import IndexBar, StatusLine

if TYPE_CHECKING:
    from assistant.contract import AssistantService
    from assistant.history import History
    from assistant.tui.widgets.answer_view import AnswerView


class ChatScreen(Screen[None]):
    """Ask, read the answer, act on its quotes."""

    BINDINGS = [
        Binding("ctrl+f", "toggle_filters", "Show/hide filters", show=False),
        Binding("ctrl+e", "focus_evidence", "Go to the evidence", show=False),
        Binding("ctrl+l", "focus_question", "Go to the question", show=False),
        Binding("pageup", "scroll_conversation(-1)", "Scroll the conversation up", show=False),
        Binding("pagedown", "scroll_conversation(1)", "Scroll the conversation down", show=False),
        Binding("ctrl+o", "drop_code", "Drop a matched code and ask again", show=False),
    ]

    def __init__(self, index_events: Signal[IndexEvent]) -> None:
        super().__init__()
        self._index_events = index_events
        #: Set once the app announces the service ready; questions before then wait.
        self.service: AssistantService | None = None
        self._history: History | None = None
        self.request = 0
        self._pending_view: AnswerView | None = None
        self._ask_worker: Worker[None] | None = None
        #: A question asked before the index was open: (request, question, filters).
        self._waiting: tuple[int, str, Filters] | None = None
        self.conversation_id: int | None = None
        #: The last answered question, its filters and the codes it was matched to.
        self.last: tuple[str, Filters, list[CodeMatch]] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        # Textual orders focus by position, so the question box sits above the answer: Tab
        # goes from the question straight to the evidence, then to the filters on the left.
        with Horizontal(id="body"):
            with Vertical(id="filters"):
                yield CodeTree(id="codes")
                yield InterviewFilter(id="interviews")
            with Vertical(id="chat"):
                yield Input(placeholder="Ask about the interviews, then Enter", id="question")
                yield Conversation(id="conversation")
                yield EvidencePane(id="evidence")
        yield IndexBar(id="index-bar")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#question", Input).focus()
        self._index_events.subscribe(self, self._index_changed)

    # -- what the app announces -----------------------------------------------------------

    async def _index_changed(self, event: IndexEvent) -> None:
        status, bar = self.query_one(StatusLine), self.query_one(IndexBar)
        if isinstance(event, Ready):
            self.service, self._history = event.service, event.history
            bar.display = False
            status.mode, status.index = event.mode, "index ready"
            self._show_corpus(event.summary)
            if self._waiting is not None:
                request, question, filters = self._waiting
                self._waiting = None
                if request == self.request:
                    self._answer(request, question, filters)
        elif isinstance(event, Building):
            bar.display = event.in_background
            status.index = event.state
        elif isinstance(event, Progressed):
            bar.update_progress(event.progress)
        elif isinstance(event, Watched):
            if not event.keep_bar:
                bar.display = False
                status.index = event.line or "index ready"
            elif event.line:
                status.index = event.line
            if event.summary is not None:
                self._show_corpus(event.summary)
        elif isinstance(event, Stopped):
            bar.display = False
            status.index = event.state
            if self.service is None and self._waiting is not None:
                request, _, _ = self._waiting
                self._waiting = None
                await self.abandon(request, "Not answered: the index could not be opened.")

    def _show_corpus(self, summary: CorpusSummary) -> None:
        self.query_one(CodeTree).set_codes(summary.codes)
        self.query_one(InterviewFilter).set_interviews(summary.interviews)
        n = len(summary.interviews)
        status = self.query_one(StatusLine)
        status.corpus = f"{n} interview{'s' if n != 1 else ''}, {summary.turns} turns"
        self._update_scope()

    @property
    def filters(self) -> Filters:
        return Filters(
            codes=tuple(sorted(self.query_one(CodeTree).ticked)),
            interviews=tuple(self.query_one(InterviewFilter).selected),
        )

    def scope_label(self) -> str:
        filters = self.filters
        parts = []
        if filters.codes:
            codes = ", ".join(filters.codes[:3]) + ("…" if len(filters.codes) > 3 else "")
            parts.append(
                f"{len(filters.codes)} code{'s' if len(filters.codes) > 1 else ''} ({codes})"
            )
        if filters.interviews:
            parts.append("interview " + ", ".join(filters.interviews))
        return "; ".join(parts)

    @on(CodeTree.Changed)
    @on(InterviewFilter.SelectedChanged)
    def _update_scope(self) -> None:
        self.query_one(StatusLine).scope = self.scope_label()

    def clear_filters(self) -> None:
        """Ask across every code and interview again."""
        self.query_one(CodeTree).clear_ticks()
        self.query_one(InterviewFilter).deselect_all()
        self._update_scope()

    # -- asking ---------------------------------------------------------------------------

    @on(Input.Submitted, "#question")
    async def _submitted(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question:
            self.notify("Type a question first.", severity="warning")
            return
        event.input.clear()
        await self.ask(question)

    async def ask(
        self, question: str, filters: Filters | None = None, codes: list[str] | None = None
    ) -> None:
        """Show the question and answer it in a worker; a newer question replaces it.

        ``codes`` replaces the codes the question would be matched to (after Ctrl+O)."""
        if self._pending_view is not None:
            await self._pending_view.update("_Dropped: a newer question was asked._")
        self.request += 1
        filters = filters if filters is not None else self.filters
        scope = self.scope_label()
        if codes is not None:
            scope = "; ".join(filter(None, [scope, "codes: " + (", ".join(codes) or "none")]))
        self._pending_view = await self.query_one(Conversation).ask(question, scope)
        if self.service is not None:
            self._answer(self.request, question, filters, codes)
        else:
            self._waiting = (self.request, question, filters)
            self.notify("The index is still opening; the question will be answered when ready.")

    def _answer(
        self, request: int, question: str, filters: Filters, codes: list[str] | None = None
    ) -> None:
        self._ask_worker = self._answer_in_thread(request, question, filters, codes)

    @work(thread=True, exclusive=True, group="ask", exit_on_error=False)
    def _answer_in_thread(
        self, request: int, question: str, filters: Filters, codes: list[str] | None
    ) -> None:
        worker = get_current_worker()
        service = self.service
        assert service is not None  # asked only once the app announced the service ready

        def on_token(text: str) -> None:
            if not worker.is_cancelled:
                self.post_message(AnswerToken(request, text))

        answer = service.ask(question, filters=filters, on_token=on_token, codes=codes)
        self.post_message(AnswerReady(request, answer))

    @on(Worker.StateChanged)
    async def _worker_changed(self, event: Worker.StateChanged) -> None:
        """A failed answer is said in the conversation, where the question waits for it."""
        if event.state is not WorkerState.ERROR or event.worker is not self._ask_worker:
            return
        line = failure_line(event.worker)
        await self.abandon(self.request, line)
        self.notify(line, severity="error", timeout=10)

    async def on_answer_token(self, message: AnswerToken) -> None:
        if message.request == self.request and self._pending_view is not None:
            await self.query_one(Conversation).stream(self._pending_view, message.text)

    async def on_answer_ready(self, message: AnswerReady) -> None:
        if message.request != self.request or self._pending_view is None:
            return
        answer = message.answer
        self.last = (answer.question, self.filters, list(answer.codes))
        view, self._pending_view = self._pending_view, None
        await self.query_one(Conversation).show_answer(view, answer)
        self.query_one(EvidencePane).show(_quote_items(answer))
        if answer.notice:
            self.notify(answer.notice, title="LLM unavailable", severity="warning", timeout=10)
        self.conversation_id = self._remember(answer)

    def _remember(self, answer: Answer) -> int | None:
        if self._history is None:
            return self.conversation_id
        try:
            return self._history.record(self.conversation_id, answer)
        except AssistantError as exc:
            self.notify(f"Not saved in the history: {exc}", severity="warning")
            return self.conversation_id

    async def abandon(self, request: int | None, why: str) -> None:
        """Say in the conversation why the question ``request`` got no answer."""
        if request == self.request and self._pending_view is not None:
            await self._pending_view.update(f"_{why}_")
            self._pending_view = None

    async def new_conversation(self) -> None:
        self.request += 1  # whatever is still being answered belongs to the old conversation
        self._pending_view = None
        self.conversation_id = None
        await self.query_one(Conversation).clear()
        self.query_one(EvidencePane).show([])
        self.query_one("#question", Input).focus()

    async def reopen(self, conversation_id: int, answers: list[Answer]) -> None:
        """Show a stored conversation; new questions continue it."""
        await self.new_conversation()
        self.conversation_id = conversation_id
        await self.query_one(Conversation).replay(answers)
        if answers:
            self.query_one(EvidencePane).show(_quote_items(answers[-1], stored=True))

    # -- quotes ---------------------------------------------------------------------------

    def on_evidence_pane_chosen(self, message: EvidencePane.Chosen) -> None:
        if message.action == "copy":
            self.app.copy_to_clipboard(message.item.clipboard_text())
            self.notify(f"Copied quote {message.item.key} with its citation.")
        elif message.action == "note":
            self.post_message(SaveNote(message.item))
        elif self.service is None:
            self.notify("The transcripts open once the index is ready; try again in a moment.")
        else:
            from assistant.tui.screens.context import ContextScreen

            self.app.push_screen(ContextScreen(message.item, self.service))

    def action_drop_code(self) -> None:
        """Offer the last answer's matched codes; the one chosen is left out of a new ask."""
        if self.last is None or not self.last[2]:
            self.notify("The last answer was not matched to any code.")
            return
        question, filters, matched = self.last
        from assistant.tui.screens.drop_code import DropCodeScreen

        async def chosen(code: str | None) -> None:
            if code is None:
                return
            keep = [m.code for m in matched if m.code != code]
            await self.ask(question, filters, keep)

        self.app.push_screen(DropCodeScreen([(m.code, str(m)) for m in matched]), chosen)

    # -- focus and layout -----------------------------------------------------------------

    def action_toggle_filters(self) -> None:
        filters = self.query_one("#filters")
        filters.display = not filters.display

    def action_scroll_conversation(self, direction: int) -> None:
        conversation = self.query_one(Conversation)
        if direction < 0:
            conversation.scroll_page_up()
        else:
            conversation.scroll_page_down()

    def action_focus_evidence(self) -> None:
        self.query_one(EvidencePane).focus()

    def action_focus_question(self) -> None:
        self.query_one("#question", Input).focus()


def _quote_items(answer: Answer, stored: bool = False) -> list[QuoteItem]:
    return [
        QuoteItem(c, answer.question, answer.mode, answer.model, stored=stored)
        for c in answer.citations
    ]
