"""REFI-QDA projects shaped as the QDA tools write them, built in the tests (lxml, zipfile).

No public sample with codings could be kept under a licence that allows it (see
tests/data/refi/README.md), so the vendors' shapes are rebuilt here: NVivo's Word source beside
its plain-text copy under ``sources/``, ATLAS.ti's ``<project name>.qde`` with inline text,
QualCoder's ``relative://`` files, a Word-only source. Positions are code points, as the
standard says (Python string indices).
"""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass, field
from typing import Literal

from docx import Document
from lxml import etree

NS = "urn:QDA-XML:project:1.0"
Where = Literal["internal", "inline", "relative", "nvivo", "docx-only", "missing"]


def new_guid() -> str:
    return str(uuid.uuid4()).upper()


@dataclass
class Selection:
    start: int
    end: int
    codes: list[tuple[str, str | None]]  # (code name, user name or None)


def select(text: str, passage: str, *codes: str, user: str | None = None) -> Selection:
    start = text.index(passage)
    return Selection(start, start + len(passage), [(code, user) for code in codes])


@dataclass
class Source:
    name: str
    text: str
    selections: list[Selection] = field(default_factory=list)
    where: Where = "internal"
    #: Variable values on the source itself (variable name → value as written).
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class Case:
    name: str
    sources: list[str]  # source names
    values: dict[str, str] = field(default_factory=dict)
    #: A case of parts of sources (one speaker of a focus group): a SelectionRef, no SourceRef.
    selection_only: bool = False


@dataclass
class Code:
    name: str
    parent: str | None = None
    description: str = ""


def docx_bytes(text: str) -> bytes:
    document = Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def project(
    sources: list[Source],
    codes: list[Code],
    *,
    users: tuple[str, ...] = (),
    origin: str = "QualCoder 3.6",
    qde_name: str = "project.qde",
    beside: dict[str, str] | None = None,
    variables: dict[str, str] | None = None,
    cases: list[Case] | None = None,
) -> bytes:
    """The .qdpx bytes; files a ``relative://`` source names are added to ``beside``.
    ``variables`` maps each variable's name to its type (``Text``, ``Integer``…); a value or
    case naming a variable or source that is not there gets a guid nothing else has."""
    user_guids = {name: new_guid() for name in users}
    code_guids = {code.name: new_guid() for code in codes}
    source_guids = {source.name: new_guid() for source in sources}
    variable_guids = {name: new_guid() for name in variables or {}}
    root = etree.Element(f"{{{NS}}}Project", nsmap={None: NS}, name="study", origin=origin)
    if users:
        holder = etree.SubElement(root, f"{{{NS}}}Users")
        for name, guid in user_guids.items():
            etree.SubElement(holder, f"{{{NS}}}User", guid=guid, name=name)
    book = etree.SubElement(etree.SubElement(root, f"{{{NS}}}CodeBook"), f"{{{NS}}}Codes")
    elements: dict[str, etree._Element] = {}
    for code in codes:
        parent = elements[code.parent] if code.parent else book
        element = etree.SubElement(
            parent, f"{{{NS}}}Code", guid=code_guids[code.name], name=code.name, isCodable="true"
        )
        if code.description:
            etree.SubElement(element, f"{{{NS}}}Description").text = code.description
        elements[code.name] = element
    if variables:
        holder = etree.SubElement(root, f"{{{NS}}}Variables")
        for name, kind in variables.items():
            etree.SubElement(
                holder,
                f"{{{NS}}}Variable",
                guid=variable_guids[name],
                name=name,
                typeOfVariable=kind,
            )
    if cases:
        holder = etree.SubElement(root, f"{{{NS}}}Cases")
        for case in cases:
            element = etree.SubElement(holder, f"{{{NS}}}Case", guid=new_guid(), name=case.name)
            _values(element, case.values, variables or {}, variable_guids)
            for name in case.sources:
                ref = "SelectionRef" if case.selection_only else "SourceRef"
                target = source_guids.get(name, new_guid())
                etree.SubElement(element, f"{{{NS}}}{ref}", targetGUID=target)
    holder = etree.SubElement(root, f"{{{NS}}}Sources")
    files: dict[str, bytes] = {}
    for source in sources:
        guid = source_guids[source.name]
        element = etree.SubElement(holder, f"{{{NS}}}TextSource", guid=guid, name=source.name)
        if source.where == "inline":
            etree.SubElement(element, f"{{{NS}}}PlainTextContent").text = source.text
        elif source.where in ("internal", "missing"):
            element.set("plainTextPath", f"internal://{guid}.txt")
            if source.where == "internal":
                files[f"sources/{guid}.txt"] = source.text.encode()
        elif source.where == "nvivo":
            element.set("richTextPath", f"internal://{guid}.docx")
            element.set("plainTextPath", f"internal://{guid}.txt")
            files[f"sources/{guid}.docx"] = docx_bytes(source.text)
            files[f"sources/{guid}.txt"] = source.text.encode()
        elif source.where == "docx-only":
            element.set("richTextPath", f"internal://{guid}.docx")
            files[f"sources/{guid}.docx"] = docx_bytes(source.text)
        elif source.where == "relative":
            element.set("plainTextPath", f"relative://{source.name}.txt")
            assert beside is not None, "a relative source needs the files beside the project"
            beside[f"{source.name}.txt"] = source.text
        for selection in source.selections:
            chosen = etree.SubElement(
                element,
                f"{{{NS}}}PlainTextSelection",
                guid=new_guid(),
                startPosition=str(selection.start),
                endPosition=str(selection.end),
            )
            for code, user in selection.codes:
                coding = etree.SubElement(chosen, f"{{{NS}}}Coding", guid=new_guid())
                if user:
                    # A user missing from <Users> is a deviation some exports show.
                    coding.set("creatingUser", user_guids.setdefault(user, new_guid()))
                etree.SubElement(
                    coding, f"{{{NS}}}CodeRef", targetGUID=code_guids.get(code, new_guid())
                )
        _values(element, source.values, variables or {}, variable_guids)
    xml = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return pack({qde_name: xml, **files})


def _values(
    element: etree._Element, values: dict[str, str], types: dict[str, str], guids: dict[str, str]
) -> None:
    for name, value in values.items():
        holder = etree.SubElement(element, f"{{{NS}}}VariableValue")
        etree.SubElement(holder, f"{{{NS}}}VariableRef", targetGUID=guids.get(name, new_guid()))
        etree.SubElement(holder, f"{{{NS}}}{types.get(name, 'Text')}Value").text = value


def pack(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()
