"""Cases and variables of a REFI-QDA project: which cases each source belongs to, and the values
of its variables.

A project defines its variables once (``<Variables>``: name and type); a value is given either
on a source itself or on a case, and a case lists its sources (``SourceRef``). A source takes the
values of its own and of every case it belongs to, so a filter on "site = Lyon" finds the
interviews however the QDA tool stored it. Values are kept as written (``34``, ``true``,
``2021-03-02``): filters compare text. A case that points at parts of sources only
(``SelectionRef``, e.g. one speaker of a focus group) says nothing about whole interviews and
is reported, not applied. A reference to a variable or source the project does not hold makes
the project malformed, like a coding of a code that is not in the code book.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import CorpusError
from assistant.ingest.refi import child, children, local
from assistant.model import LoadProblem, VariableValue

#: The elements a ``VariableValue`` holds its value in, one per variable type.
VALUE_ELEMENTS = (
    "TextValue",
    "BooleanValue",
    "IntegerValue",
    "FloatValue",
    "DateValue",
    "DateTimeValue",
)


@dataclass
class Held:
    """What a project says about one source as a whole."""

    cases: set[str] = field(default_factory=set)
    variables: set[VariableValue] = field(default_factory=set)

    def frozen(self) -> tuple[tuple[str, ...], tuple[VariableValue, ...]]:
        return tuple(sorted(self.cases)), tuple(sorted(self.variables))


def read_cases(path: Path, root: Any, notices: list[LoadProblem]) -> dict[str, Held]:
    """The cases and variable values of every source, by the source's guid (sources the
    project says nothing about are absent)."""
    names = {
        v.get("guid", ""): (v.get("name") or "").strip() or v.get("guid", "")
        for v in _under(root, "Variables", "Variable")
    }
    sources = child(root, "Sources")
    source_guids = {s.get("guid", "") for s in (sources if sources is not None else ())}
    out: dict[str, Held] = {}
    for source in sources if sources is not None else ():
        label = source.get("name") or source.get("guid") or "?"
        for value in children(source, "VariableValue"):
            pair = _value(path, value, names, f"source {label!r}")
            if pair is not None:
                out.setdefault(source.get("guid", ""), Held()).variables.add(pair)
    partial: Counter[str] = Counter()
    for case in _under(root, "Cases", "Case"):
        name = (case.get("name") or "").strip() or case.get("guid", "") or "unnamed case"
        values = [
            pair
            for v in children(case, "VariableValue")
            if (pair := _value(path, v, names, f"case {name!r}")) is not None
        ]
        for ref in children(case, "SourceRef"):
            target = ref.get("targetGUID", "")
            if target not in source_guids:
                raise CorpusError(
                    path, f"case {name!r} refers to a source that is not in the project ({target})"
                )
            held = out.setdefault(target, Held())
            held.cases.add(name)
            held.variables.update(values)
        if child(case, "SelectionRef") is not None:
            partial[name] += 1
    if partial:
        notices.append(
            LoadProblem(
                str(path),
                f"case(s) {', '.join(sorted(partial))} cover parts of sources (SelectionRef); "
                "only cases of whole sources are used as filters",
                severity="notice",
            )
        )
    return out


def _under(root: Any, group: str, item: str) -> list[Any]:
    holder = child(root, group)
    return list(children(holder, item)) if holder is not None else []


def _value(path: Path, element: Any, names: dict[str, str], owner: str) -> VariableValue | None:
    """``(variable name, value as written)``; None when the element holds no value."""
    ref = child(element, "VariableRef")
    target = ref.get("targetGUID", "") if ref is not None else ""
    if target not in names:
        raise CorpusError(
            path,
            f"a variable value of {owner} refers to a variable that is not in the project "
            f"({target or 'no VariableRef'})",
        )
    for item in element:
        if local(item) in VALUE_ELEMENTS:
            text = " ".join((item.text or "").split())
            return (names[target], text) if text else None
    return None
