"""Writing interviews' cases and variables into an exported REFI-QDA project.

The project gets one ``<Variable>`` per variable name and one ``<Case>`` per case listing its
interviews (``SourceRef``); each source carries its own variable values, so reading the export
back gives every interview the cases and values it had, whether they first came from a case or
from the source. A variable's type is the narrowest that every one of its values fits
(Boolean, Integer, Float, else Text), so a QDA tool can sort and compare numbers as numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from assistant.model import Interview

NS = "urn:QDA-XML:project:1.0"
#: What each REFI-QDA variable type accepts, narrowest first; Text takes anything.
_TYPES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("Boolean", "BooleanValue", re.compile(r"true|false")),
    ("Integer", "IntegerValue", re.compile(r"[+-]?\d+")),
    ("Float", "FloatValue", re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")),
)
#: guid(kind, name) of the exporter, so ids stay the same from one export to the next.
MakeGuid = Callable[[str, str], str]


def variable_type(values: Sequence[str]) -> tuple[str, str]:
    """``(typeOfVariable, value element)`` for a variable with these values."""
    for kind, element, pattern in _TYPES:
        if values and all(pattern.fullmatch(v) for v in values):
            return kind, element
    return "Text", "TextValue"


def write_cases(
    etree: Any, project: Any, interviews: Sequence[Interview], make_guid: MakeGuid
) -> dict[str, tuple[str, str]]:
    """``<Variables>`` and ``<Cases>`` under ``project`` (before its ``<Sources>``, as the
    schema orders them); returns each variable's guid and value element by name."""
    values: dict[str, list[str]] = {}
    for interview in interviews:
        for name, value in interview.variables:
            values.setdefault(name, []).append(value)
    out: dict[str, tuple[str, str]] = {}
    if values:
        holder = etree.SubElement(project, f"{{{NS}}}Variables")
        for name in sorted(values):
            kind, element = variable_type(values[name])
            out[name] = (make_guid("variable", name), element)
            etree.SubElement(
                holder,
                f"{{{NS}}}Variable",
                guid=out[name][0],
                name=name,
                typeOfVariable=kind,
            )
    members: dict[str, list[Interview]] = {}
    for interview in interviews:
        for case in interview.cases:
            members.setdefault(case, []).append(interview)
    if members:
        holder = etree.SubElement(project, f"{{{NS}}}Cases")
        for case in sorted(members):
            element = etree.SubElement(
                holder, f"{{{NS}}}Case", guid=make_guid("case", case), name=case
            )
            for interview in members[case]:
                etree.SubElement(
                    element, f"{{{NS}}}SourceRef", targetGUID=make_guid("source", interview.id)
                )
    return out


def write_values(
    etree: Any, source: Any, interview: Interview, variables: dict[str, tuple[str, str]]
) -> None:
    """The interview's variable values on its source element (after its selections)."""
    for name, value in interview.variables:
        variable_guid, element = variables[name]
        holder = etree.SubElement(source, f"{{{NS}}}VariableValue")
        etree.SubElement(holder, f"{{{NS}}}VariableRef", targetGUID=variable_guid)
        etree.SubElement(holder, f"{{{NS}}}{element}").text = value
