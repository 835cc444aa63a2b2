"""Interview ids: the interview number when the title or file name has one, else a slug.

``Interview 12 - Amin.txt``, ``Interview 12.txt`` and ``2023-06-04-Interview 12 - Amin.pdf``
are all ``12``, so one interview read from several formats is recognised as one.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from assistant.safe_text import display_path

_NUMBERED = re.compile(r"\b(?:interview|entrevue|entretien|transcript)[\s_#-]*(\d+)\b", re.I)
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}[-_ ]*")
_SUFFIXES = (".txt", ".pdf", ".md", ".text", ".docx", ".vtt", ".srt")


def clean_stem(path: Path) -> str:
    """The file name without its (possibly doubled, ``.txt.pdf``) extension and date prefix."""
    name = display_path(path.name)
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if name.lower().endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
                changed = True
    return _DATE_PREFIX.sub("", name).strip() or name


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "interview"


def interview_id(title: str, path: Path) -> str:
    """The number after "Interview" in the title or the file name, else a slug of the title."""
    for text in (title, clean_stem(path)):
        match = _NUMBERED.search(text)
        if match:
            return str(int(match.group(1)))
    return slugify(title or clean_stem(path))
