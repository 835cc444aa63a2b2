"""A quote in its transcript: the turns around it, the quoted passage highlighted."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import Worker, WorkerState

from assistant.model import Evidence, span_label
from assistant.safe_text import printable
from assistant.tui.failures import failure_line
from assistant.tui.messages import ContextLoaded
from assistant.tui.widgets.evidence import QuoteItem

if TYPE_CHECKING:
    from assistant.contract import AssistantService

#: Turns shown before and after the quoted one.
AROUND = 3


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Where ``quote`` stands in ``text``, tolerating the white-space and typographic-quote
    differences that verification also tolerates."""
    start = text.find(quote)
    if start >= 0:
        return start, start + len(quote)
    words = [re.escape(w) for w in re.sub(r"[“”\"‘’']", "'", quote).split()]
    if not words:
        return None
    pattern = r"\s+".join(w.replace("'", "[“”\"‘’']") for w in words)
    match = re.search(pattern, text)
    return (match.start(), match.end()) if match else None


def turn_text(evidence: Evidence, quote: str | None) -> Text:
    """One turn: who spoke and where, what they said, the codes on it."""
    turn = evidence.turn
    place = span_label(turn.lines, turn.pages, missing="", time=turn.time)
    where = ", ".join(p for p in (f"turn {turn.ordinal}", place) if p)
    text = Text.assemble((turn.speaker, "bold"), f"  {where} [{turn.key}]\n", style="")
    # Shown without control characters, and the quote (shown the same way) is found in that.
    shown = printable(turn.text)
    body = Text(shown)
    if quote is not None:
        # An extractive quote may join excerpts of one turn with "…": mark each of them.
        for part in printable(quote).split("…"):
            span = find_quote(shown, part.strip()) if part.strip() else None
            if span is not None:
                body.stylize("reverse bold", *span)
    text.append_text(body)
    if turn.codes:
        text.append("\ncodes: " + printable(" · ".join(turn.codes), one_line=True), style="italic")
    return text


class ContextScreen(Screen[None]):
    """Opened from the evidence pane; Escape goes back to the chat."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("q", "app.pop_screen", "Back", show=False),
    ]

    def __init__(self, item: QuoteItem, service: AssistantService) -> None:
        super().__init__()
        self.item = item
        self.service = service

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text.assemble(("Quote ", "bold"), self.item.reference()), id="context-title")
        yield VerticalScroll(Static("Loading the transcript…"), id="context-turns")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.item.reference()
        self._load(self.item.key)

    @work(thread=True, exclusive=True, group="context", exit_on_error=False)
    def _load(self, key: str) -> None:
        self.post_message(ContextLoaded(key, self.service.context(key, around=AROUND)))

    async def on_context_loaded(self, message: ContextLoaded) -> None:
        container = self.query_one("#context-turns", VerticalScroll)
        await container.remove_children()
        if not message.turns:
            await container.mount(
                Static(f"{message.key} is no longer in the index; re-index with Ctrl+R.")
            )
            return
        widgets = []
        for evidence in message.turns:
            cited = evidence.key == message.key
            widgets.append(
                Static(
                    turn_text(evidence, self.item.quote if cited else None),
                    classes="turn cited" if cited else "turn",
                )
            )
        await container.mount_all(widgets)
        cited_widget = next((w for w in widgets if w.has_class("cited")), None)
        if cited_widget is not None:
            container.scroll_to_center(cited_widget, animate=False)
        container.focus()

    @on(Worker.StateChanged)
    async def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        line = failure_line(event.worker, subject=self.item.key)
        container = self.query_one("#context-turns", VerticalScroll)
        await container.remove_children()
        await container.mount(Static(line, markup=False))
        self.notify(line, severity="error")
