"""A resolved search scope, applied identically to dense (Chroma) and BM25 (in memory) search.

Filters as a user types them (``--code MLP --speaker "interviewer 1"``) are resolved first
(codes to exact labels including children, speakers to normalised names); a Scope then holds
only exact values, and renders them both as a Chroma filter and as a Python predicate, so the
two retrievers cannot disagree about what is in scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.cases import CaseScope
from assistant.index.nodes import CASE_FLAG, CODE_FLAG, normalise_speaker, variable_flag
from assistant.model import Turn, VariableValue

@dataclass(frozen=True)
class Scope:
    """Exact values; an empty set means no restriction on that field."""

    codes: frozenset[str] = frozenset()
    interviews: frozenset[str] = frozenset()
    speakers: frozenset[str] = frozenset()  # normalised (see normalise_speaker)
    roles: frozenset[str] = frozenset()
    #: Exact case names and (variable, value) pairs, as :func:`assistant.cases.resolve_cases`
    #: gives them; they restrict whole interviews, so :meth:`matches` leaves them to
    #: :meth:`admits`.
    cases: frozenset[str] = frozenset()
    variables: frozenset[VariableValue] = frozenset()

    def is_empty(self) -> bool:
        return not (
            self.codes
            or self.interviews
            or self.speakers
            or self.roles
            or self.cases
            or self.variables
        )

    @property
    def case_scope(self) -> CaseScope:
        return CaseScope(self.cases, self.variables)

    def admits(self, cases: Sequence[str], variables: Sequence[VariableValue]) -> bool:
        """Whether an interview with these cases and variable values is in scope."""
        return self.case_scope.admits(cases, variables)

    def _flag_groups(self) -> list[list[str]]:
        """Flags of which one per group must be set: the codes (any of them), the cases (any),
        and the values of each variable (any value, every variable)."""
        groups: list[list[str]] = []
        if self.codes:
            groups.append([CODE_FLAG + c for c in sorted(self.codes)])
        if self.cases:
            groups.append([CASE_FLAG + c for c in sorted(self.cases)])
        for name, values in self.case_scope.by_variable().items():
            groups.append([variable_flag(name, v) for v in values])
        return groups

    def matches(self, turn: Turn) -> bool:
        if self.interviews and turn.interview_id not in self.interviews:
            return False
        if self.roles and turn.role not in self.roles:
            return False
        if self.speakers and normalise_speaker(turn.speaker) not in self.speakers:
            return False
        return not self.codes or not self.codes.isdisjoint(turn.codes)

    def to_where(self) -> dict[str, Any] | None:
        """The same scope as a Chroma ``where`` clause (None when nothing is restricted)."""
        parts: list[dict[str, Any]] = []
        for key, values in (
            ("interview", self.interviews),
            ("role", self.roles),
            ("speaker_norm", self.speakers),
        ):
            if values:
                parts.append({key: {"$in": sorted(values)}})
        for group in self._flag_groups():
            flags: list[dict[str, Any]] = [{flag: 1} for flag in group]
            parts.append(flags[0] if len(flags) == 1 else {"$or": flags})
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {"$and": parts}
