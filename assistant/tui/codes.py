"""The code tree shown in the filters, from the codebook and each indexed turn's codes.

The tree is the codebook's own (``Code.children``), the one ``resolve`` expands when a code is
ticked, so the filters, ``assistant codes`` and the evaluation place every code alike. Counts
are turns carrying the code or one of its descendants: what ticking it would search. The index
keeps each turn's codes apart from its text, so the chat fills its filters without reading the
transcripts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable

from assistant.codebook import Codebook
from assistant.tui.widgets.code_tree import CodeNode


def code_nodes(codebook: Codebook, turn_codes: Iterable[Collection[str]]) -> list[CodeNode]:
    """Codes carried by the turns whose codes are ``turn_codes`` (with the parents above them
    and the children below), each under its parent."""
    counts: Counter[str] = Counter()
    for codes in turn_codes:
        # A turn counts once for each code it or its descendants carry.
        counts.update({a for code in codes if code in codebook for a in _lineage(codebook, code)})
    shown = set(counts)
    shown |= {child for label in counts for child in codebook.descendants(label)}

    def node(label: str) -> CodeNode:
        children = sorted(c for c in codebook.codes[label].children if c in shown)
        return CodeNode(label, counts[label], tuple(node(c) for c in children))

    roots = [label for label in shown if codebook.codes[label].parent not in shown]
    return [node(label) for label in sorted(roots)]


def _lineage(codebook: Codebook, label: str) -> list[str]:
    """``label`` and every code above it."""
    out: list[str] = []
    current: str | None = label
    while current is not None and current not in out:
        out.append(current)
        current = codebook.codes[current].parent
    return out
