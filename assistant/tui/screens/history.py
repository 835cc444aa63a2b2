"""F2: earlier conversations; Enter reopens one, Delete removes it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from assistant.history import ConversationSummary, History


class HistoryScreen(ModalScreen[int | None]):
    """Dismisses with the id of the conversation to reopen, or None."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close"),
        Binding("delete,d", "delete", "Delete"),
    ]

    def __init__(self, history: History) -> None:
        super().__init__()
        self.history = history

    def compose(self) -> ComposeResult:
        with Vertical(id="history-box"):
            yield Label("Conversations — Enter reopens, Delete removes, Esc closes")
            yield OptionList(id="history-list")

    def on_mount(self) -> None:
        self._fill()
        self.query_one(OptionList).focus()

    def _fill(self) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        conversations = self.history.conversations()
        if not conversations:
            options.add_option(Option("No conversations yet.", disabled=True))
        options.add_options(Option(self._prompt(c), id=str(c.id)) for c in conversations)
        if conversations:
            options.highlighted = 0

    @staticmethod
    def _prompt(c: ConversationSummary) -> Text:
        when = c.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")
        asked = f"{c.questions} question{'s' if c.questions != 1 else ''}"
        return Text.assemble((c.title, "bold"), ("\n" + f"{when} · {asked}", "dim"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(int(event.option.id))

    def action_delete(self) -> None:
        option = self.query_one(OptionList).highlighted_option
        if option is None or option.id is None:
            return
        self.history.delete(int(option.id))
        self.notify("Conversation deleted.")
        self._fill()
