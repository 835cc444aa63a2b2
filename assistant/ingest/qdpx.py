"""REFI-QDA projects (``.qdpx``): every text source an interview, with its codings.

A ``.qdpx`` is a zip (read with ``zipfile``) holding ``project.qde`` (XML: users, code book,
sources with coded selections) and the sources' files under ``sources/``. Each ``TextSource``
becomes an interview: its plain text (inline ``PlainTextContent``, an ``internal://`` file in
the zip, a ``relative://`` or ``absolute://`` file beside it, or, failing those, the plain text
of its Word copy) is split into speakers and turns exactly as a plain transcript is; each
``PlainTextSelection``'s codes (positions are code points into that text) land on the
paragraphs the selection covers, with the coding's user; its cases and variable values
(:mod:`assistant.ingest.refi_cases`) go with the interview. A project the assistant exported
itself is read by the layout it wrote (a blank line between turns, each opening with its
speaker), so a paragraph that happens to look like a speaker label stays a paragraph. Codes are
named by the code book, whose nesting is the hierarchy. Anything malformed rejects the whole
file with one line: nothing of a bad project is half-loaded.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from assistant.errors import CorpusError
from assistant.ingest.assemble import Block, build_interview
from assistant.ingest.refi import child, children, local, parse_xml, read_codes
from assistant.ingest.refi_cases import Held, read_cases
from assistant.ingest.selections import Selection, apply_selections, text_lines
from assistant.ingest.source import one_line
from assistant.ingest.speakers import UNKNOWN_SPEAKER
from assistant.ingest.transcript import transcript_blocks
from assistant.model import CodeDefinition, Interview, LoadProblem, Paragraph, VariableValue

#: The origin the assistant's own export writes: its sources are laid out one turn per block
#: (see ``assistant.qdpx_export``), which is read back exactly.
OWN_ORIGIN = "interview assistant"
#: The user the assistant's own codings (saved quotes, suggested codes) are exported by.
ASSISTANT_USER = "interview assistant"
#: No member of a project is read beyond this size (a zip bomb stays a one-line error).
MAX_MEMBER = 256 * 1024 * 1024


@dataclass(frozen=True)
class ProjectRead:
    interviews: list[Interview]
    codes: list[CodeDefinition]


def read_qdpx(path: Path, data: bytes, notices: list[LoadProblem]) -> ProjectRead:
    """Every text source of the project as an interview, and the project's code book."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise CorpusError(path, "is not a REFI-QDA project (.qdpx): not a zip archive") from None
    found: list[LoadProblem] = []
    with archive:
        entry = _project_entry(path, archive, found)
        root = parse_xml(path, _member(path, archive, entry), f"the project file {entry}")
        if local(root) != "Project":
            raise CorpusError(path, f"{entry} is not a REFI-QDA project (root {local(root)!r})")
        users = {
            u.get("guid", ""): (u.get("name") or u.get("id") or u.get("guid", ""))
            for u in _under(root, "Users", "User")
        }
        book = child(root, "CodeBook")
        codes = read_codes(
            path, child(book, "Codes") if book is not None else None, found, str(path)
        )
        held = read_cases(path, root, found)
        reader = _SourceReader(path, archive, root, found)
        reader.own = (root.get("origin") or "").startswith(OWN_ORIGIN)
        interviews: list[Interview] = []
        skipped: Counter[str] = Counter()
        sources = child(root, "Sources")
        for element in sources if sources is not None else ():
            kind = local(element)
            if kind == "TextSource":
                attributes = held.get(element.get("guid", ""), Held()).frozen()
                interview = reader.interview(element, codes.by_guid, users, attributes)
                if interview is not None:
                    interviews.append(interview)
            elif kind:
                skipped[kind] += 1
    if skipped:
        found.append(
            LoadProblem(
                str(path),
                "not imported: "
                + ", ".join(f"{n} {kind}" for kind, n in sorted(skipped.items()))
                + " (only text sources become interviews)",
                severity="notice",
            )
        )
    if reader.by_assistant:
        # Exported for a QDA tool to accept or reject: read back as they are, they count.
        found.append(
            LoadProblem(
                str(path),
                f"{reader.by_assistant} coding(s) by the user {ASSISTANT_USER!r} (suggested codes "
                "or saved quotes) are read as codes like the coders'; reject them in your QDA "
                "tool to leave them out",
                severity="notice",
            )
        )
    memos = sum(1 for _ in _under(root, "Notes", "Note"))
    if memos:
        found.append(
            LoadProblem(str(path), f"{memos} memo(s) (Notes) not imported", severity="notice")
        )
    if not interviews and not codes.definitions:
        raise CorpusError(path, "the project holds no text source with text and no code book")
    if not interviews:
        found.append(
            LoadProblem(
                str(path),
                "the project holds no text source with text; only its code book is used",
                severity="notice",
            )
        )
    notices.extend(found)
    return ProjectRead(interviews, codes.definitions)


def _under(root: Any, group: str, item: str) -> list[Any]:
    holder = child(root, group)
    return list(children(holder, item)) if holder is not None else []


def _project_entry(path: Path, archive: zipfile.ZipFile, notices: list[LoadProblem]) -> str:
    """``project.qde``; ATLAS.ti's ``<project name>.qde`` is taken with a notice."""
    names = [n for n in archive.namelist() if n.lower().endswith(".qde")]
    standard = [n for n in names if n.lower() == "project.qde"]
    if standard:
        return standard[0]
    if not names:
        raise CorpusError(path, "is not a REFI-QDA project: no .qde project file inside")
    if len(names) > 1:
        raise CorpusError(
            path, f"holds several project files ({', '.join(names)}) and no project.qde"
        )
    notices.append(
        LoadProblem(
            str(path),
            f"read {names[0]} as the project file (the standard name is project.qde)",
            severity="notice",
        )
    )
    return names[0]


def _member(path: Path, archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > MAX_MEMBER:
        raise CorpusError(path, f"{name} is too large to read ({info.file_size} bytes)")
    try:
        return archive.read(info)
    # A damaged archive fails in zlib, in zipfile or mid-stream, each with its own type.
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        RuntimeError,
        NotImplementedError,
    ) as exc:
        detail = f"{type(exc).__name__}: {one_line(exc)}"
        raise CorpusError(path, f"{name} cannot be read from the archive ({detail})") from None


class _SourceReader:
    """Turns one ``TextSource`` element into an interview."""

    def __init__(
        self, path: Path, archive: zipfile.ZipFile, root: Any, notices: list[LoadProblem]
    ) -> None:
        self.path = path
        self.archive = archive
        self.members = {n.lower(): n for n in archive.namelist()}
        self.base = root.get("basePath") or ""
        self.notices = notices
        self.own = False
        self.by_assistant = 0

    def interview(
        self,
        element: Any,
        by_guid: dict[str, str],
        users: dict[str, str],
        attributes: tuple[tuple[str, ...], tuple[VariableValue, ...]] = ((), ()),
    ) -> Interview | None:
        name = element.get("name") or element.get("guid") or "unnamed source"
        text = self._text(element, name)
        selections = self._selections(element, name, by_guid, users, len(text))
        if not text.strip():
            self._notice(f"source {name!r} holds no text; skipped")
            return None
        lines, starts = text_lines(text)
        where = Path(f"{self.path} › {name}")
        blocks = _own_blocks(lines) if self.own else None
        try:
            if blocks is None:
                blocks = transcript_blocks(where, lines, self.notices)
        except CorpusError:
            self._notice(f"source {name!r}: no speakers found; each paragraph is its own turn")
            blocks = [
                Block(UNKNOWN_SPEAKER, [Paragraph(raw.strip(), lines=(n, n))], where=n)
                for n, raw in enumerate(lines, start=1)
                if raw.strip()
            ]
        apply_selections(
            blocks, lines, starts, selections, lambda m: self._notice(f"source {name!r}: {m}")
        )
        digest = hashlib.sha256(text.encode())
        for s in selections:
            digest.update(f"\x00{s.start}:{s.end}:{s.codings!r}".encode())
        # The index keeps an unchanged interview's nodes, and cases ride on them.
        cases, variables = attributes
        digest.update(f"\x00{cases!r}{variables!r}".encode())
        interview = build_interview(Path(name), digest.hexdigest(), "qdpx", title(name), blocks)
        return replace(interview, source=str(self.path), cases=cases, variables=variables)

    def _notice(self, message: str) -> None:
        self.notices.append(LoadProblem(str(self.path), message, severity="notice"))

    def _text(self, element: Any, name: str) -> str:
        inline = child(element, "PlainTextContent")
        if inline is not None:
            return inline.text or ""
        plain = element.get("plainTextPath")
        if plain:
            data = self._file(plain)
            if data is not None:
                return _decode(self.path, data, name)
        rich = element.get("richTextPath")
        if rich and rich.lower().endswith(".docx"):
            data = self._file(rich)
            if data is not None:
                self._notice(
                    f"source {name!r} has no plain text, only its Word copy; positions are "
                    "read against the Word file's text"
                )
                return _docx_text(self.path, data, name)
        raise CorpusError(
            self.path,
            f"the text of source {name!r} is missing ({plain or rich or 'no path given'})",
        )

    def _file(self, reference: str) -> bytes | None:
        """The bytes a source path names, or None when it is not there."""
        scheme, sep, rest = reference.partition("://")
        if not sep:
            scheme, rest = "relative", reference
        if scheme == "internal":
            for candidate in (f"sources/{rest}", rest):
                actual = self.members.get(candidate.lower())
                if actual is not None:
                    if not actual.lower().startswith("sources/"):
                        self._notice(f"{actual} is not under sources/ as the standard says")
                    return _member(self.path, self.archive, actual)
            return None
        if scheme == "relative":
            places = [Path(self.base) / rest] if self.base else []
            places.append(self.path.parent / rest)
        elif scheme in ("absolute", "file"):
            places = [Path(rest)]
        else:
            return None
        for place in places:
            if place.is_file():
                try:
                    return place.read_bytes()
                except OSError as exc:
                    raise CorpusError(
                        self.path, f"cannot read {place} ({exc.strerror or exc})"
                    ) from None
        return None

    def _selections(
        self,
        element: Any,
        name: str,
        by_guid: dict[str, str],
        users: dict[str, str],
        length: int,
    ) -> list[Selection]:
        out = []
        for selection in children(element, "PlainTextSelection"):
            label = selection.get("name") or selection.get("guid") or "?"
            try:
                start = int(selection.get("startPosition", ""))
                end = int(selection.get("endPosition", ""))
            except ValueError:
                raise CorpusError(
                    self.path, f"selection {label!r} of source {name!r} has no valid positions"
                ) from None
            if not 0 <= start <= end <= length:
                raise CorpusError(
                    self.path,
                    f"selection {label!r} of source {name!r} runs past its text (positions "
                    f"{start}-{end}; the text has {length} characters)",
                )
            default_user = users.get(selection.get("creatingUser", ""), "")
            codings = []
            for coding in children(selection, "Coding"):
                ref = child(coding, "CodeRef")
                target = ref.get("targetGUID", "") if ref is not None else ""
                if target not in by_guid:
                    raise CorpusError(
                        self.path,
                        f"selection {label!r} of source {name!r} is coded with a code that is "
                        f"not in the code book ({target or 'no CodeRef'})",
                    )
                user = users.get(coding.get("creatingUser", ""), default_user)
                self.by_assistant += user == ASSISTANT_USER
                codings.append((by_guid[target], user))
            if codings:
                out.append(Selection(start, end, tuple(codings)))
        return out


def title(name: str) -> str:
    """A source's name without the extension of the file it was made from."""
    stem, dot, suffix = name.rpartition(".")
    return stem if dot and stem and suffix.lower() in SOURCE_SUFFIXES else name


#: Extensions of the files QDA tools name their text sources after.
SOURCE_SUFFIXES = frozenset({"txt", "docx", "doc", "rtf", "odt", "pdf", "md", "text"})


def _own_blocks(lines: list[str]) -> list[Block] | None:
    """The assistant's own layout: turns apart by a blank line, each opening ``Speaker: ``.
    None when the text is not laid out so (edited in another tool, say)."""
    blocks: list[Block] = []
    fresh = True
    for number, line in enumerate(lines, start=1):
        if not line:
            fresh = True
            continue
        if fresh:
            speaker, sep, first = line.partition(": ")
            if not sep or not speaker.strip():
                return None
            blocks.append(Block(speaker, [Paragraph(first, lines=(number, number))], where=number))
            fresh = False
        else:
            blocks[-1].paragraphs.append(Paragraph(line, lines=(number, number)))
    return blocks


def _decode(path: Path, data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CorpusError(path, f"the text of source {name!r} is not UTF-8") from None


def _docx_text(path: Path, data: bytes, name: str) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for a damaged file
        raise CorpusError(
            path, f"the Word copy of source {name!r} cannot be read ({one_line(exc)})"
        ) from None
    return "\n".join(p.text for p in document.paragraphs)
