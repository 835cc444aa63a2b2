"""The marker behind each saved quote in the notes file, and reading quotes back by it.

Each quote the assistant appends carries an HTML comment that renders invisibly in Obsidian or
any Markdown viewer::

    <!-- assistant:quote key=12:41 hash=3f2a9c0d1e2b4a5f q=9b1c0e7d2a4f mode=extractive ... -->

Entries are parsed from that marker, not from prose the researcher may have edited; the quote
is the block quote right below it and the question the nearest heading above it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote as _pct
from urllib.parse import unquote as _unpct

MARKER = "assistant:quote"
_MARKER_RE = re.compile(r"^<!-- assistant:quote (?P<attrs>[^<>]*?)\s*-->\s*$")
_HEADING_RE = re.compile(r"^#{1,6}\s+(?P<text>.*?)(?:\s+#+)?\s*$")


def question_id(question: str) -> str:
    """Identifies a question regardless of case and spacing (the dedup key with the turn key)."""
    canonical = " ".join(question.split()).casefold()
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def encode_value(value: str) -> str:
    # Percent-encoding keeps values free of spaces and ">"; "--" is split too, since some
    # Markdown renderers end or reject an HTML comment at a double hyphen.
    return _pct(value, safe=":/.@_+").replace("--", "-%2D")


@dataclass
class SavedQuote:
    """A quote read back from the notes file; ``stale`` is None until checked."""

    question: str
    key: str
    turn_hash: str
    question_id: str
    quote: str
    mode: str
    model: str | None
    date: str
    line: int  # 1-based line of the marker in the notes file
    stale: bool | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "key": self.key,
            "quote": self.quote,
            "hash": self.turn_hash,
            "mode": self.mode,
            "model": self.model,
            "date": self.date,
            "line": self.line,
            "stale": self.stale,
            "reason": self.reason,
        }


def parse_notes(text: str) -> list[SavedQuote]:
    """Every assistant quote in ``text``; everything else (hand-written text) is ignored."""
    lines = text.split("\n")
    found: list[SavedQuote] = []
    heading = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        heading_match = _HEADING_RE.match(line)
        if heading_match:
            heading = heading_match.group("text")
        marker = _MARKER_RE.match(line)
        marker_line = i + 1
        i += 1
        if not marker:
            continue
        attrs = dict(
            (k, _unpct(v))
            for k, _, v in (pair.partition("=") for pair in marker.group("attrs").split())
        )
        if "key" not in attrs:
            continue
        body: list[str] = []
        while i < len(lines) and lines[i].startswith(">"):
            body.append(lines[i][2:] if lines[i].startswith("> ") else lines[i][1:])
            i += 1
        model = attrs.get("model", "-")
        found.append(
            SavedQuote(
                question=heading,
                key=attrs["key"],
                turn_hash=attrs.get("hash", ""),
                question_id=attrs.get("q", question_id(heading)),
                quote="\n".join(body),
                mode=attrs.get("mode", ""),
                model=None if model == "-" else model,
                date=attrs.get("date", ""),
                line=marker_line,
            )
        )
    return found
