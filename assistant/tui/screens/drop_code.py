"""Ctrl+O: drop one of the codes the last question was matched to, and ask again without it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option


class DropCodeScreen(ModalScreen[str | None]):
    """Lists the matched codes; choosing one dismisses with its label (Esc: None)."""

    DEFAULT_CSS = """
    DropCodeScreen { align: center middle; }
    DropCodeScreen > Vertical {
        width: 70; height: auto; max-height: 80%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Keep every code")]

    def __init__(self, codes: list[tuple[str, str]]) -> None:
        """``codes``: (label, how it is shown) for each matched code."""
        super().__init__()
        self.codes = codes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Drop which code and ask again? (Esc keeps them all)")
            yield OptionList(*(Option(shown, id=label) for label, shown in self.codes))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
