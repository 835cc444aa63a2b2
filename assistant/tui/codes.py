"""The code tree shown in the filters, from the codebook and the indexed turns.

Only the codebook's contract is used: ``resolve([label])`` gives a code and its descendants,
so a code's parent is the smallest other code whose expansion contains it. Counts are turns,
matching what ticking the code (which ticks its children) would search.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from typing import Protocol

from assistant.tui.widgets.code_tree import CodeNode


class Resolves(Protocol):
    def resolve(self, names: Sequence[str]) -> frozenset[str]: ...


def code_nodes(codebook: Resolves, turn_codes: Iterable[Collection[str]]) -> list[CodeNode]:
    """The tree of the codes applied, from each turn's codes (the index keeps them apart from
    the turns' text, so the chat fills its filters without reading the transcripts)."""
    per_turn = [set(codes) for codes in turn_codes]
    labels = sorted({code for codes in per_turn for code in codes})
    expansion = {label: set(codebook.resolve([label])) | {label} for label in labels}
    for label in labels:  # parents named only as abbreviations still belong to the tree
        for other in expansion[label]:
            expansion.setdefault(other, set(codebook.resolve([other])) | {other})
    parent: dict[str, str | None] = {}
    for code in expansion:
        owners = [p for p, below in expansion.items() if p != code and code in below]
        parent[code] = min(owners, key=lambda p: (len(expansion[p]), p)) if owners else None
    counts: Counter[str] = Counter()
    for codes in per_turn:
        for label, below in expansion.items():
            if codes & below:
                counts[label] += 1

    def node(label: str) -> CodeNode:
        children = sorted(c for c, p in parent.items() if p == label)
        return CodeNode(label, counts[label], tuple(node(c) for c in children))

    return [node(label) for label in sorted(c for c, p in parent.items() if p is None)]
