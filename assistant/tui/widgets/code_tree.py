"""Filters that scope the next question: a code tree with counts, and the interviews."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import SelectionList, Tree
from textual.widgets.tree import TreeNode

from assistant.safe_text import printable


@dataclass(frozen=True)
class CodeNode:
    """A code of the codebook, with how many turns carry it and its child codes."""

    label: str
    count: int
    children: tuple[CodeNode, ...] = field(default=())

    def walk(self) -> list[CodeNode]:
        return [self, *(n for child in self.children for n in child.walk())]


class CodeTree(Tree[CodeNode]):
    """Enter (or a click) ticks a code; ticking a parent ticks its children too. Space
    expands or collapses a parent."""

    BORDER_TITLE = "Codes"
    BINDINGS = [
        Binding("enter", "select_cursor", "Tick code"),
        Binding("space", "toggle_node", "Expand or collapse", show=False),
    ]
    ICON_NODE = "▸ "
    ICON_NODE_EXPANDED = "▾ "

    @dataclass
    class Changed(Message):
        codes: frozenset[str]

    def __init__(self, **kwargs: object) -> None:
        super().__init__("Codes", **kwargs)  # type: ignore[arg-type]
        self.auto_expand = False
        self.show_root = False
        self.guide_depth = 2
        self.ticked: set[str] = set()

    def set_codes(self, codes: list[CodeNode]) -> None:
        self.clear()
        self.ticked &= {n.label for root in codes for n in root.walk()}

        def add(parent: TreeNode[CodeNode], node: CodeNode) -> None:
            if node.children:
                branch = parent.add(self._label(node), data=node, expand=False)
                for child in node.children:
                    add(branch, child)
            else:
                parent.add_leaf(self._label(node), data=node)

        for code in codes:
            add(self.root, code)
        self.border_subtitle = f"{sum(len(c.walk()) for c in codes)} codes"
        if codes:
            self.cursor_line = 0  # Enter ticks right away, without a Down first

    def _label(self, node: CodeNode) -> Text:
        box = "■ " if node.label in self.ticked else "□ "
        return Text.assemble(box, printable(node.label, one_line=True), (f" {node.count}", "dim"))

    def _refresh_labels(self, node: TreeNode[CodeNode]) -> None:
        for child in node.children:
            if child.data is not None:
                child.set_label(self._label(child.data))
            self._refresh_labels(child)

    def tick(self, label: str) -> bool:
        """Tick or untick the code named ``label`` (and its children); False if unknown."""
        found = self._find(self.root, label)
        if found is None:
            return False
        self._toggle(found)
        return True

    def _find(self, node: TreeNode[CodeNode], label: str) -> TreeNode[CodeNode] | None:
        for child in node.children:
            if child.data is not None and child.data.label == label:
                return child
            found = self._find(child, label)
            if found is not None:
                return found
        return None

    def _toggle(self, node: TreeNode[CodeNode]) -> None:
        if node.data is None:
            return
        labels = {n.label for n in node.data.walk()}
        if node.data.label in self.ticked:
            self.ticked -= labels
        else:
            self.ticked |= labels
        self._refresh_labels(self.root)
        self.post_message(self.Changed(frozenset(self.ticked)))

    def on_tree_node_selected(self, event: Tree.NodeSelected[CodeNode]) -> None:
        event.stop()
        self._toggle(event.node)

    def clear_ticks(self) -> None:
        self.ticked.clear()
        self._refresh_labels(self.root)


class InterviewFilter(SelectionList[str]):
    """Tick interviews to search only them; none ticked means all."""

    BORDER_TITLE = "Interviews"

    def set_interviews(self, interviews: list[tuple[str, str]]) -> None:
        keep = set(self.selected)
        self.clear_options()
        self.add_options([(title, iid, iid in keep) for iid, title in interviews])
