"""Reading a file's bytes and telling what kind of file it is from its content.

The extension is only a hint: a Delve export saved as ``.md``, a transcript without an
extension or a PDF named ``.txt.pdf`` are all recognised by what they contain.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from assistant.errors import CorpusError
from assistant.ingest.limits import DEFAULT_LIMITS, Limits

Kind = Literal["pdf", "delve-text", "transcript", "docx", "vtt", "srt", "qdpx", "qdc"]

#: A Delve text export: a markdown heading on its own line (speakers), or Delve's footer.
_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE)
#: A SubRip cue's timing line (``00:01:02,500 --> 00:01:04,000``).
SRT_TIMING = re.compile(r"^\s*\d+:\d{2}:\d{2}[,.]\d{1,3}\s*-->\s*\d+:\d{2}:\d{2}[,.]\d{1,3}")
DELVE_FOOTER = re.compile(r"^\s*Created with the Delve Qualitative Analysis Tool\b.*$", re.I)


@dataclass(frozen=True)
class Source:
    """One file's bytes, their digest and (for text) the decoded text."""

    path: Path
    data: bytes
    kind: Kind
    text: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def read_source(path: Path, limits: Limits = DEFAULT_LIMITS) -> Source:
    """Read ``path`` and classify it; raises CorpusError for unreadable, empty or binary files
    and for files over the size or character limits."""
    try:
        with path.open("rb") as handle:
            limits.file_size(path, os.fstat(handle.fileno()).st_size)
            # Never more than the limit, whatever the size said (a file still being written).
            data = handle.read(limits.max_bytes + 1)
        limits.file_size(path, len(data))
    except IsADirectoryError:
        raise CorpusError(path, "is a folder, not a file") from None
    except OSError as exc:
        raise CorpusError(path, f"cannot be read ({exc.strerror or exc})") from None
    if not data.strip():
        raise CorpusError(path, "the file is empty")
    if data.lstrip()[:5] == b"%PDF-":
        return Source(path, data, "pdf")
    suffix = path.suffix.lower()
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06") or suffix in (".docx", ".qdpx"):
        return Source(path, data, _archive_kind(path, data))
    if suffix == ".doc" and data[:4] == b"\xd0\xcf\x11\xe0":
        raise CorpusError(path, "is an old Word .doc file; save it as .docx and load it again")
    text = decode_text(path, data)
    limits.chars(path, len(text))
    return Source(path, data, _text_kind(path, text), text)


def _archive_kind(path: Path, data: bytes) -> Kind:
    """``docx`` or ``qdpx`` from what the zip holds, whatever the file is called."""
    suffix = path.suffix.lower()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        if suffix == ".docx":
            raise CorpusError(path, "is not a Word document (.docx): not a zip archive") from None
        if suffix == ".qdpx":
            raise CorpusError(
                path, "is not a REFI-QDA project (.qdpx): not a zip archive"
            ) from None
        raise CorpusError(path, "is a damaged zip archive") from None
    if "word/document.xml" in names:
        return "docx"
    if any(name.lower().endswith(".qde") for name in names) or suffix == ".qdpx":
        return "qdpx"
    if suffix == ".docx":
        raise CorpusError(path, "is not a Word document (.docx): no word/document.xml inside")
    raise CorpusError(path, "is a zip archive, not a transcript, Word file or .qdpx project")


def looks_like_vtt(text: str) -> bool:
    return text.lstrip("\ufeff").startswith("WEBVTT")


def looks_like_srt(text: str) -> bool:
    lines = [line for line in split_lines(text)[:6] if line.strip()]
    return len(lines) >= 2 and lines[0].strip().isdigit() and bool(SRT_TIMING.match(lines[1]))


def _text_kind(path: Path, text: str) -> Kind:
    suffix = path.suffix.lower()
    if looks_like_vtt(text) or suffix == ".vtt":
        return "vtt"
    if looks_like_srt(text) or suffix == ".srt":
        return "srt"
    head = text.lstrip("\ufeff")[:4096]
    if suffix == ".qde" or (head.startswith("<?xml") and "urn:QDA-XML:project" in head):
        raise CorpusError(
            path,
            "is the XML of a REFI-QDA project on its own; load the .qdpx it came from (or zip "
            "it, named project.qde, with its sources/ folder into a .qdpx)",
        )
    if suffix == ".qdc" or (head.startswith("<?xml") and "<CodeBook" in text):
        return "qdc"
    return "delve-text" if looks_like_delve_text(text) else "transcript"


def one_line(exc: BaseException | str) -> str:
    """A library's message as one line: problems are reported one line per file."""
    return " ".join(str(exc).split())


def decode_text(path: Path, data: bytes) -> str:
    """UTF-8 text (a BOM is dropped); binary and other encodings are refused with the place."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:8192]:
        raise CorpusError(path, "is a binary file, not a transcript (text or Delve PDF)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CorpusError(
            path, "is not UTF-8 text; save it as UTF-8 and load it again", line=line
        ) from None
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    if control > max(8, len(text) // 100):
        raise CorpusError(path, "is a binary file, not a transcript (text or Delve PDF)")
    return text


def looks_like_delve_text(text: str) -> bool:
    """Markdown speaker headings, or Delve's footer line, mark a Delve text export."""
    lines = text.splitlines()
    if any(DELVE_FOOTER.match(line) for line in lines[-5:]):
        return True
    return len(_HEADING.findall(text)) >= 2


def split_lines(text: str) -> list[str]:
    """Lines as they are numbered in an editor (``\\r\\n`` and ``\\r`` count as line ends)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
