"""Reading a file's bytes and telling what kind of file it is from its content.

The extension is only a hint: a Delve export saved as ``.md``, a transcript without an
extension or a PDF named ``.txt.pdf`` are all recognised by what they contain.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from assistant.errors import CorpusError
from assistant.ingest.limits import DEFAULT_LIMITS, Limits

Kind = Literal["pdf", "delve-text", "transcript"]

#: A Delve text export: a markdown heading on its own line (speakers), or Delve's footer.
_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE)
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
    text = decode_text(path, data)
    limits.chars(path, len(text))
    kind: Kind = "delve-text" if looks_like_delve_text(text) else "transcript"
    return Source(path, data, kind, text)


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
