"""The evidence pane: the quotes an answer cites, each one key away from its source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from assistant.model import Citation, Span, span_label
from assistant.safe_text import printable


@dataclass(frozen=True)
class QuoteItem:
    """A cited quote as shown. ``stored`` when it was reopened from history: its citation
    then holds no turn text, so saving it looks the key up in the index again. A coded
    passage shows its own paragraph's codes and span (``codes``, ``lines``, ``pages``)
    rather than the whole turn's."""

    citation: Citation
    question: str
    mode: str
    model: str | None
    stored: bool = False
    codes: tuple[str, ...] | None = None
    lines: Span | None = None
    pages: Span | None = None

    @property
    def key(self) -> str:
        return self.citation.evidence.key

    @property
    def quote(self) -> str:
        """The quote as shown and copied: without control characters (they are ignored when
        quotes are checked against the turn, so it still verifies)."""
        return printable(self.citation.quote)

    @property
    def shown_codes(self) -> tuple[str, ...]:
        return self.codes if self.codes is not None else self.citation.evidence.turn.codes

    def reference(self) -> str:
        """Speaker, interview, turn and span: enough to find the quote again by hand."""
        evidence = self.citation.evidence
        turn = evidence.turn
        parts = [turn.speaker or "?", evidence.title or turn.interview_id, f"turn {turn.ordinal}"]
        lines, pages = (
            (self.lines, self.pages) if self.codes is not None else (turn.lines, turn.pages)
        )
        span = span_label(lines, pages, missing="", time=turn.time)
        if span:
            parts.append(span)
        return printable(", ".join(parts) + f" [{self.key}]", one_line=True)

    def clipboard_text(self) -> str:
        return f"“{self.quote}” — {self.reference()}"

    def render(self) -> Text:
        mark = ("✓ ", "green") if self.citation.verified else ("✗ unverified ", "red")
        number = (f"[{self.citation.n}] ", "bold")
        text = Text.assemble(number, mark, (self.reference(), "bold"))
        text.append(f"\n“{self.quote}”")
        if self.shown_codes:
            text.append("\n" + printable(" · ".join(self.shown_codes), one_line=True), style="dim")
        return text


class EvidencePane(OptionList):
    """Quotes of the latest answer. Enter opens one in its transcript."""

    BORDER_TITLE = "Evidence"
    BINDINGS = [
        Binding("n", "note", "Add to notes"),
        Binding("y", "copy", "Copy quote"),
        Binding("enter", "select", "Open in context", show=True),
    ]

    @dataclass
    class Chosen(Message):
        """A quote was acted on: ``action`` is ``context``, ``note`` or ``copy``."""

        action: str
        item: QuoteItem

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.items: list[QuoteItem] = []

    def show(self, items: list[QuoteItem]) -> None:
        self.items = list(items)
        self.clear_options()
        self.add_options(
            Option(item.render(), id=item.key + f"#{i}") for i, item in enumerate(items)
        )
        self.border_subtitle = (
            f"{len(items)} quote{'s' if len(items) != 1 else ''}" if items else ""
        )
        if items:
            self.highlighted = 0

    @property
    def current(self) -> QuoteItem | None:
        if self.highlighted is None or not self.items:
            return None
        return self.items[self.highlighted]

    def _choose(self, action: str) -> None:
        item = self.current
        if item is None:
            self.notify("No quote selected: ask a question first.", severity="warning")
            return
        self.post_message(self.Chosen(action, item))

    def action_note(self) -> None:
        self._choose("note")

    def action_copy(self) -> None:
        self._choose("copy")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose("context")
