"""Cases and variables as a filter: the one rule that says which interviews a
``--case NAME`` / ``--variable NAME=VALUE`` scope keeps, shared by search (dense and BM25),
``quotes`` and the chat.

An interview is kept when it belongs to any of the cases named, and, for every variable named,
has one of the values given for it (``--variable site=A --variable site=B`` keeps either site;
``--variable site=A --variable age=30`` needs both). Names and values compare case-blind after
collapsing white space, since a value typed on the command line rarely matches a QDA tool's
capitals; an unknown case or variable is an error listing the known ones, so a typo never
reads as "nothing found".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.errors import AssistantError
from assistant.model import VariableValue


def fold(text: str) -> str:
    """The comparison form of a case, variable name or value."""
    return " ".join(text.split()).casefold()


def parse_variable(text: str) -> VariableValue:
    """``"age group=25-34"`` → ``("age group", "25-34")``; AssistantError when there is no
    ``=`` or no name."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise AssistantError(
            f"--variable takes NAME=VALUE (e.g. --variable site=Lyon), not {text!r}"
        )
    return name.strip(), value.strip()


@dataclass(frozen=True)
class CaseScope:
    """Cases and variable values as typed, resolved to the exact spellings of a corpus."""

    cases: frozenset[str] = frozenset()
    variables: frozenset[VariableValue] = frozenset()

    def is_empty(self) -> bool:
        return not (self.cases or self.variables)

    def admits(self, cases: Iterable[str], variables: Iterable[VariableValue]) -> bool:
        """Whether an interview with ``cases`` and ``variables`` is in scope."""
        if self.cases and self.cases.isdisjoint(cases):
            return False
        if not self.variables:
            return True
        held = set(variables)
        return all(
            any((name, value) in held for value in values)
            for name, values in self.by_variable().items()
        )

    def by_variable(self) -> dict[str, list[str]]:
        """The values allowed for each variable named (OR within a name, AND across names)."""
        out: dict[str, list[str]] = {}
        for name, value in sorted(self.variables):
            out.setdefault(name, []).append(value)
        return out


def resolve_cases(
    cases: Sequence[str],
    variables: Sequence[VariableValue],
    known_cases: Iterable[str],
    known_variables: Iterable[VariableValue],
    where: str = "the corpus",
) -> CaseScope:
    """The exact spellings ``known_*`` use for what was typed; AssistantError naming the
    options when a case, a variable or a value is not in ``where``."""
    if not cases and not variables:
        return CaseScope()
    case_names = {fold(c): c for c in sorted(set(known_cases))}
    exact_cases = set()
    for wanted in cases:
        found = case_names.get(fold(wanted))
        if found is None:
            known = ", ".join(sorted(case_names.values())) or "none: no file defines cases"
            raise AssistantError(f"no case {wanted!r} in {where} (cases: {known})")
        exact_cases.add(found)
    values: dict[str, dict[str, VariableValue]] = {}
    for name, value in sorted(set(known_variables)):
        values.setdefault(fold(name), {})[fold(value)] = (name, value)
    exact_values = set()
    for name, value in variables:
        options = values.get(fold(name))
        if options is None:
            names = sorted({pair[0] for held in values.values() for pair in held.values()})
            known = ", ".join(names) or "none: no file defines variables"
            raise AssistantError(f"no variable {name!r} in {where} (variables: {known})")
        pair = options.get(fold(value))
        if pair is None:
            shown = ", ".join(sorted(p[1] for p in options.values()))
            raise AssistantError(
                f"no interview in {where} has {name}={value!r} (its values: {shown})"
            )
        exact_values.add(pair)
    return CaseScope(frozenset(exact_cases), frozenset(exact_values))
