"""Checking an answer against the evidence it was built from, after generation.

Two things are checked in code, never trusted to the model:

* every citation ``[n]`` must name a turn that was supplied; others are removed from the text
  and listed;
* every double-quoted span must be found verbatim in one paragraph of the turn it cites (or of
  any supplied turn when it cites none), comparing after white space and typographic quotes,
  apostrophes and dashes are normalised. A span that is not found keeps its words but loses its
  quotation marks, is marked ``[unverified]`` and is listed in ``unverified`` only, never among
  the citations, so it is never shown as a quote.

``citations`` holds verified quotes only. A bare ``[n]`` citing a supplied turn stays in the
text as a reference to that turn (:func:`references`); it quotes nothing.

A quote may mark omissions with ``…`` (or ``...``): its fragments must then appear in order in
the same paragraph. Quotes are matched per paragraph, so words joined across two paragraphs
never pass as one quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.model import Citation, Evidence, Turn, Unverified
from assistant.safe_text import DROPPED, strip_controls

UNVERIFIED_MARK = "[unverified]"

_CHAR_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)
_ELLIPSIS = re.compile(r"\u2026|\.\s*\.\s*\.")
_NUMBERS = r"\d+(?:\s*[,;\u2013-]\s*\d+)*"
CITATION_RE = re.compile(r"\[(" + _NUMBERS + r")\]")
# A double-quoted span: straight or typographic marks, never across a blank line.
QUOTE_RE = re.compile(
    r"[\"\u201c\u201d]((?:(?!\n[ \t]*\n)[^\"\u201c\u201d]){1,2000}?)[\"\u201c\u201d]"
)
# Citations right after a quote: `"…" [2]`, `"…", [2][3]`, `"…" (Interviewee) [2]`.
_AFTER_RE = re.compile(r"\s*(?:\([^()\n]{0,80}\)\s*)?[,.;:]?\s*((?:\[" + _NUMBERS + r"\]\s*)+)")
_GROUPS_RE = re.compile(r"(?:\[" + _NUMBERS + r"\]\s*)+")
# The end of a sentence in an answer: the citations after it belong to the next sentence.
_SENTENCE_STOP = re.compile(r"[.!?](?=\s)|\n")
# Citations right before a quote: `[2]: "…"`, `[2] "…"`.
_BEFORE_RE = re.compile(r"((?:\[" + _NUMBERS + r"\]\s*)+)[:,\u2013\u2014-]?\s*$")


def normalise(text: str) -> str:
    """White space collapsed; typographic quotes, apostrophes and dashes made plain; control
    characters that are not white space (ESC, C1, bidi marks) left out, as every output does."""
    return " ".join(strip_controls(text).translate(_CHAR_MAP).split())


def _normalise_with_map(text: str) -> tuple[str, list[int]]:
    """``normalise(text)`` plus, for each of its characters, its index in ``text``."""
    out: list[str] = []
    where: list[int] = []
    pending_space = False
    for i, ch in enumerate(text.translate(_CHAR_MAP)):
        if ch in DROPPED:
            continue
        if ch.isspace():
            pending_space = bool(out)
            continue
        if pending_space:
            out.append(" ")
            where.append(i - 1)
            pending_space = False
        out.append(ch)
        where.append(i)
    return "".join(out), where


def quote_fragments(quote: str) -> list[str]:
    """The verbatim pieces of a quote that marks omissions with an ellipsis."""
    pieces = (p.strip() for p in _ELLIPSIS.split(normalise(quote)))
    return [p for p in pieces if any(ch.isalnum() for ch in p)]


def _fragment_pattern(fragment: str) -> re.Pattern[str]:
    # A fragment must start and end on word boundaries: "he" is not a quote of "the".
    head = r"(?<!\w)" if fragment[0].isalnum() else ""
    tail = r"(?!\w)" if fragment[-1].isalnum() else ""
    return re.compile(head + re.escape(fragment) + tail)


def locate_in_paragraph(quote: str, paragraph: str) -> str | None:
    """The exact source text of ``quote`` in ``paragraph`` (fragments joined with `` … ``),
    or None when it is not there verbatim."""
    fragments = quote_fragments(quote)
    if not fragments:
        return None
    flat, where = _normalise_with_map(paragraph)
    found: list[str] = []
    pos = 0
    for fragment in fragments:
        match = _fragment_pattern(fragment).search(flat, pos)
        if match is None:
            return None
        found.append(paragraph[where[match.start()] : where[match.end() - 1] + 1])
        pos = match.end()
    return " \u2026 ".join(found)


def locate_in_turn(quote: str, turn: Turn) -> str | None:
    """The exact source text of ``quote`` in one paragraph of ``turn``, or None."""
    for paragraph in turn.paragraphs:
        exact = locate_in_paragraph(quote, paragraph.text)
        if exact is not None:
            return exact
    return None


def _numbers(group: str) -> list[int]:
    """``1, 3`` → [1, 3]; ``2-4`` → [2, 3, 4] (ranges are capped to stay small)."""
    out: list[int] = []
    for part in re.split(r"\s*[,;]\s*", group.strip()):
        bounds = re.split(r"\s*[\u2013-]\s*", part)
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            lo, hi = int(bounds[0]), int(bounds[1])
            out.extend(range(lo, min(hi, lo + 50) + 1) if lo <= hi else [lo, hi])
        else:
            out.extend(int(b) for b in bounds if b.isdigit())
    return list(dict.fromkeys(out))


def references(text: str, citations: list[Citation], count: int) -> list[int]:
    """The turns ``text`` cites with a bare ``[n]`` and no verified quote among ``citations``,
    in numeric order, keeping only numbers of the ``count`` supplied turns."""
    quoted = {c.n for c in citations}
    found = {n for m in CITATION_RE.finditer(text) for n in _numbers(m.group(1))}
    return sorted(n for n in found - quoted if 1 <= n <= count)


@dataclass
class Checked:
    """An answer text after verification: its verified quotes (``citations``) and what failed
    (``unverified``)."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    unverified: list[Unverified] = field(default_factory=list)


@dataclass
class _Quote:
    start: int
    end: int
    text: str
    cites: list[int]


def _cited_numbers(text: str, quote: re.Match[str], valid: range, until: int) -> list[int]:
    """The turns a quote cites: right after it, else later in its sentence (before the next
    quote: `"…", she said [2]`), else right before it (`[2]: "…"`)."""
    after = _AFTER_RE.match(text, quote.end())
    groups = after.group(1) if after else None
    if groups is None:
        stop = _SENTENCE_STOP.search(text, quote.end(), until)
        later = _GROUPS_RE.search(text, quote.end(), stop.start() if stop else until)
        groups = later.group(0) if later else None
    if groups is None:
        line_start = text.rfind("\n", 0, quote.start()) + 1
        before = _BEFORE_RE.search(text[line_start : quote.start()])
        groups = before.group(1) if before else None
    if groups is None:
        return []
    numbers = [n for g in CITATION_RE.findall(groups) for n in _numbers(g)]
    return [n for n in numbers if n in valid]


def verify_answer(text: str, evidence: list[Evidence]) -> Checked:
    """Check ``text`` against ``evidence`` (numbered from 1); see the module docstring."""
    valid = range(1, len(evidence) + 1)
    checked = Checked(text="")
    edits: list[tuple[int, int, str]] = []

    found = [m for m in QUOTE_RE.finditer(text) if quote_fragments(m.group(1))]
    ends = [m.start() for m in found[1:]] + [len(text)] * bool(found)
    quotes = [
        _Quote(m.start(), m.end(), m.group(1), _cited_numbers(text, m, valid, until))
        for m, until in zip(found, ends, strict=True)
    ]
    for q in quotes:
        hit = _find(q, evidence)
        if hit is not None:
            n, exact = hit
            checked.citations.append(Citation(n, evidence[n - 1], exact, True))
            if not q.cites:  # say where an uncited quote was found
                edits.append((q.end, q.end, f" [{n}]"))
            continue
        # A failed quote is never a citation: it lives only in ``unverified``, and the text
        # keeps its words without the quotation marks.
        edits.append((q.start, q.end, f"{q.text.strip()} {UNVERIFIED_MARK}"))
        reason = _quote_failure(q, evidence)
        checked.unverified.append(Unverified(reason, q.cites[0] if q.cites else None, q.text))

    inside = [(q.start, q.end) for q in quotes]
    unknown: list[int] = []
    for m in CITATION_RE.finditer(text):
        if any(s <= m.start() < e for s, e in inside):
            continue
        numbers = _numbers(m.group(1))
        keep = [n for n in numbers if n in valid]
        unknown.extend(n for n in numbers if n not in valid and n not in unknown)
        # A bare [n] stays in the text as a reference (see ``references``); it quotes nothing,
        # so it is not a citation.
        if len(keep) != len(numbers):
            start = m.start()
            if not keep:  # drop the space before a citation that disappears entirely
                while start > 0 and text[start - 1] in " \t":
                    start -= 1
            edits.append((start, m.end(), f"[{', '.join(map(str, keep))}]" if keep else ""))
    for n in unknown:
        checked.unverified.append(
            Unverified(
                f"cites [{n}], but only {len(evidence)} turns were supplied; citation removed", n
            )
        )

    checked.text = _apply(text, edits)
    return checked


def _find(q: _Quote, evidence: list[Evidence]) -> tuple[int, str] | None:
    for n in q.cites or range(1, len(evidence) + 1):
        exact = locate_in_turn(q.text, evidence[n - 1].turn)
        if exact is not None:
            return n, exact
    return None


def _quote_failure(q: _Quote, evidence: list[Evidence]) -> str:
    if q.cites:
        cited = ", ".join(f"[{n}]" for n in q.cites)
        elsewhere = [
            n
            for n in range(1, len(evidence) + 1)
            if n not in q.cites and locate_in_turn(q.text, evidence[n - 1].turn)
        ]
        hint = f"; it is in [{elsewhere[0]}]" if elsewhere else ""
        return f"quote not found verbatim in {cited}{hint}"
    return "quote not found verbatim in any supplied turn"


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    out: list[str] = []
    pos = 0
    for start, end, replacement in sorted(edits):
        if start < pos:
            continue
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    return "".join(out)
