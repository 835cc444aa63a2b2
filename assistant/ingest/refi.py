"""What REFI-QDA project (``.qdpx``) and code book (``.qdc``) files share: the XML and codes.

The XML is parsed with lxml, never resolving entities or fetching anything; a file that
declares a DOCTYPE is refused (the standard has none, and entity tricks need one). Elements
are matched by local name, so a vendor that leaves out or changes the namespace is still read.
A code's parent is the code its element sits in; its description is its ``Description``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import CorpusError
from assistant.ingest.source import one_line
from assistant.model import CodeDefinition, LoadProblem

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"


def parse_xml(path: Path, data: bytes, what: str) -> Any:
    """The root element of ``data``; CorpusError naming the line of malformed XML."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise CorpusError(
            path, f"{what} is not well-formed XML ({one_line(exc.msg)})", line=exc.lineno or None
        ) from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise CorpusError(path, f"{what} declares a DOCTYPE, which REFI-QDA files never do")
    return root


def local(element: Any) -> str:
    """The tag without its namespace (``{urn:…}Code`` → ``Code``); '' for comments."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def children(element: Any, name: str) -> Iterator[Any]:
    return (child for child in element if local(child) == name)


def child(element: Any, name: str) -> Any | None:
    return next(children(element, name), None)


def text_of(element: Any, name: str) -> str:
    found = child(element, name)
    return (found.text or "") if found is not None else ""


@dataclass
class CodeBookRead:
    """Codes of a code book: definitions in document order, and each code's label by guid."""

    definitions: list[CodeDefinition] = field(default_factory=list)
    by_guid: dict[str, str] = field(default_factory=dict)


def read_codes(
    path: Path, codes: Any | None, notices: list[LoadProblem], source: str = ""
) -> CodeBookRead:
    """Every ``Code`` under ``codes`` (a ``Codes`` element), nested codes as children."""
    out = CodeBookRead()
    if codes is None:
        return out
    seen: set[str] = set()

    def visit(element: Any, parent: str | None) -> None:
        name = (element.get("name") or "").strip()
        guid = element.get("guid") or ""
        if not name:
            raise CorpusError(path, f"a code (guid {guid or '?'}) has no name")
        label = name
        if label in seen:
            # Two codes of one name in different branches: the label is how the assistant
            # tells codes apart, so the second is named by its place.
            label = f"{parent}/{name}" if parent else f"{name} ({guid[:8]})"
            notices.append(
                LoadProblem(
                    str(path),
                    f"two codes are named {name!r}; the one under {parent or 'the top'} "
                    f"is called {label!r}",
                    severity="notice",
                )
            )
        seen.add(label)
        if guid:
            out.by_guid[guid] = label
        out.definitions.append(
            CodeDefinition(label, parent, " ".join(text_of(element, "Description").split()), source)
        )
        for sub in children(element, "Code"):
            visit(sub, label)

    for element in children(codes, "Code"):
        visit(element, None)
    return out


def read_qdc(path: Path, data: bytes) -> tuple[list[CodeDefinition], list[LoadProblem]]:
    """A ``.qdc`` code book: its codes with their hierarchy and descriptions."""
    root = parse_xml(path, data, "the code book")
    if local(root) != "CodeBook":
        raise CorpusError(path, f"is not a REFI-QDA code book (root element {local(root)!r})")
    notices: list[LoadProblem] = []
    codes = read_codes(path, child(root, "Codes"), notices, source=str(path))
    if not codes.definitions:
        raise CorpusError(path, "the code book defines no codes")
    return codes.definitions, notices
