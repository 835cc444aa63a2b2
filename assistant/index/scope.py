"""A resolved search scope, applied identically to dense (Chroma) and BM25 (in memory) search.

Filters as a user types them (``--code MLP --speaker "interviewer 1"``) are resolved first
(codes to exact labels including children, speakers to normalised names); a Scope then holds
only exact values, and renders them both as a Chroma filter and as a Python predicate, so the
two retrievers cannot disagree about what is in scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.index.nodes import CODE_FLAG, normalise_speaker
from assistant.model import Turn

if TYPE_CHECKING:
    from llama_index.core.vector_stores.types import MetadataFilter, MetadataFilters


@dataclass(frozen=True)
class Scope:
    """Exact values; an empty set means no restriction on that field."""

    codes: frozenset[str] = frozenset()
    interviews: frozenset[str] = frozenset()
    speakers: frozenset[str] = frozenset()  # normalised (see normalise_speaker)
    roles: frozenset[str] = frozenset()

    def is_empty(self) -> bool:
        return not (self.codes or self.interviews or self.speakers or self.roles)

    def matches(self, turn: Turn) -> bool:
        if self.interviews and turn.interview_id not in self.interviews:
            return False
        if self.roles and turn.role not in self.roles:
            return False
        if self.speakers and normalise_speaker(turn.speaker) not in self.speakers:
            return False
        return not self.codes or not self.codes.isdisjoint(turn.codes)

    def to_where(self, kinds: Sequence[str] = ()) -> dict[str, Any] | None:
        """The same scope as a Chroma ``where`` clause, over the nodes of the given ``kinds``."""
        parts: list[dict[str, Any]] = []
        if kinds:
            parts.append({"kind": {"$in": list(kinds)}})
        for key, values in (
            ("interview", self.interviews),
            ("role", self.roles),
            ("speaker_norm", self.speakers),
        ):
            if values:
                parts.append({key: {"$in": sorted(values)}})
        if self.codes:
            flags: list[dict[str, Any]] = [{CODE_FLAG + c: 1} for c in sorted(self.codes)]
            parts.append(flags[0] if len(flags) == 1 else {"$or": flags})
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {"$and": parts}

    def to_filters(self, kinds: Sequence[str] = ()) -> MetadataFilters | None:
        """The same scope as llama-index metadata filters (translated to a Chroma ``where``),
        over the nodes of the given ``kinds`` (turns, utterances, exchanges; all when empty)."""
        # Imported here so opening the index does not import llama-index (~0.7 s).
        from llama_index.core.vector_stores.types import (
            FilterCondition,
            FilterOperator,
            MetadataFilter,
            MetadataFilters,
        )

        parts: list[MetadataFilter | MetadataFilters] = []
        if kinds:
            parts.append(
                MetadataFilter(key="kind", value=list(kinds), operator=FilterOperator.IN)
                if len(kinds) > 1
                else MetadataFilter(key="kind", value=kinds[0], operator=FilterOperator.EQ)
            )
        for key, values in (
            ("interview", self.interviews),
            ("role", self.roles),
            ("speaker_norm", self.speakers),
        ):
            if values:
                parts.append(
                    MetadataFilter(key=key, value=sorted(values), operator=FilterOperator.IN)
                )
        if self.codes:
            flags: list[MetadataFilter | MetadataFilters] = [
                MetadataFilter(key=CODE_FLAG + c, value=1, operator=FilterOperator.EQ)
                for c in sorted(self.codes)
            ]
            parts.append(
                flags[0]
                if len(flags) == 1
                else MetadataFilters(filters=flags, condition=FilterCondition.OR)
            )
        if not parts:
            return None
        return MetadataFilters(filters=parts, condition=FilterCondition.AND)
