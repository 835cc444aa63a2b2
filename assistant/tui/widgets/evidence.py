"""The evidence pane: the quotes an answer cites, each one key away from its source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from assistant.model import Citation, span_label
from assistant.safe_text import printable


@dataclass(frozen=True)
class QuoteItem:
    """A cited quote as shown, from a live answer (``citation`` set) or from history."""

    data: dict[str, Any]  # Citation.to_dict()
    question: str
    mode: str
    model: str | None
    citation: Citation | None = None

    @property
    def key(self) -> str:
        return str(self.data["key"])

    @property
    def quote(self) -> str:
        """The quote as shown and copied: without control characters (they are ignored when
        quotes are checked against the turn, so it still verifies)."""
        return printable(str(self.data["quote"]))

    def reference(self) -> str:
        """Speaker, interview, turn and span: enough to find the quote again by hand."""
        d = self.data
        parts = [str(d.get("speaker") or "?"), str(d.get("title") or d.get("interview"))]
        parts.append(f"turn {d.get('turn')}")
        span = span_label(d.get("lines"), d.get("pages"), missing="", time=d.get("time"))
        if span:
            parts.append(span)
        return printable(", ".join(parts) + f" [{self.key}]", one_line=True)

    def clipboard_text(self) -> str:
        return f"“{self.quote}” — {self.reference()}"

    def render(self) -> Text:
        d = self.data
        mark = ("✓ ", "green") if d.get("verified") else ("✗ unverified ", "red")
        text = Text.assemble((f"[{d.get('n')}] ", "bold"), mark, (self.reference(), "bold"))
        text.append(f"\n“{self.quote}”")
        codes = d.get("codes") or []
        if codes:
            text.append("\n" + printable(" · ".join(codes), one_line=True), style="dim")
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
