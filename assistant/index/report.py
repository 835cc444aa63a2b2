"""What a build did: the report behind ``assistant index`` and its ``--json``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class IndexReport:
    """What a build did. ``to_dict()`` is the JSON of ``assistant index --json``."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: Indexed interviews whose file failed to load this time: their previous version stays.
    kept: list[str] = field(default_factory=list)
    turns_embedded: int = 0
    seconds: float = 0.0
    #: Per interview: turns in the index and turns embedded this time.
    turns: dict[str, int] = field(default_factory=dict)
    embedded: dict[str, int] = field(default_factory=dict)
    #: Why everything was re-embedded (another embedding model, a new index format), if it was.
    rebuilt: str | None = None
    #: The manifest's change counter after the build (it moves with every interview switched).
    generation: str | None = None
    embed_model: str = ""
    #: Interrupted updates of an earlier build that this one finished or undid.
    recovered: list[str] = field(default_factory=list)
    #: Nodes of an index of the previous format moved, vectors and all, to the current layout.
    moved: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "kept": self.kept,
            "turns_embedded": self.turns_embedded,
            "seconds": round(self.seconds, 3),
            "turns": self.turns,
            "embedded": self.embedded,
            "rebuilt": self.rebuilt,
            "generation": self.generation,
            "embed_model": self.embed_model,
            "recovered": self.recovered,
            "moved_nodes": self.moved,
        }

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.rebuilt)
