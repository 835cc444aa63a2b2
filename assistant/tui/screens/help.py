"""F1: every key of the chat, with what it does, and how answers are made."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

INTRO = """\
# Interview assistant — keys

Answers are built only from verbatim quotes of the interviews. Each quote carries its
citation (interview:turn) and a ✓ when it was found word for word in the transcript.
"""

OUTRO = """\
Tick codes (a parent ticks its children) or interviews on the left to scope the **next**
question. Esc closes this help.
"""


_NAMES = {
    "ctrl": "Ctrl",
    "shift": "Shift",
    "enter": "Enter",
    "escape": "Esc",
    "tab": "Tab",
    "space": "Space",
    "delete": "Delete",
    "pageup": "PageUp",
    "pagedown": "PageDown",
}


def key_name(key: str) -> str:
    """``ctrl+r`` → ``Ctrl+R``, ``f1`` → ``F1``: keys as a researcher reads them."""
    names = []
    for one in key.split(","):
        parts = one.strip().split("+")
        modifiers, last = parts[:-1], parts[-1]
        last = _NAMES.get(last, last.upper() if modifiers or last[:1] == "f" else last)
        names.append("+".join([*(_NAMES.get(m, m) for m in modifiers), last]))
    return " / ".join(names)


def rows(sections: list[tuple[str, list[BindingType]]]) -> str:
    lines = []
    for where, bindings in sections:
        lines.append(f"\n## {where}\n\n| Key | Does |\n|---|---|")
        for b in bindings:
            if isinstance(b, Binding) and b.description:
                lines.append(f"| {key_name(b.key)} | {b.description} |")
    return "\n".join(lines)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("f1", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        from assistant.tui.screens.chat import ChatScreen
        from assistant.tui.widgets.code_tree import CodeTree
        from assistant.tui.widgets.evidence import EvidencePane

        sections: list[tuple[str, list[BindingType]]] = [
            ("Anywhere", [*type(self.app).BINDINGS, *ChatScreen.BINDINGS]),
            ("Evidence pane", list(EvidencePane.BINDINGS)),
            ("Code tree", list(CodeTree.BINDINGS)),
        ]
        text = INTRO + rows(sections) + "\n\n" + OUTRO
        with VerticalScroll(id="help-body"):
            yield Markdown(text)
