"""Quotes by code: the researcher's code report, one row per coded passage.

A passage is one paragraph carrying the code (Delve repeats a label on every paragraph of a
coded span, so each paragraph is one application). The report is built from the loaded corpus,
not from the index: it needs no embedding model and no prior ``assistant index``, and it always
reflects the coding in the files as they are now, which is what a code report must show.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from assistant.cases import CaseScope
from assistant.ingest.speakers import check_roles, resolve_speakers, speaker_key
from assistant.model import Corpus, Interview, Span, span_label

Format = Literal["md", "csv", "json"]
FORMATS: tuple[Format, ...] = ("md", "csv", "json")

#: CSV columns: every provenance field, in the order a reviewer reads a citation.
CSV_COLUMNS = (
    "key",
    "interview",
    "title",
    "source",
    "format",
    "speaker",
    "role",
    "turn",
    "lines_first",
    "lines_last",
    "pages_first",
    "pages_last",
    "codes",
    "quote",
)

#: Separates codes inside one CSV cell; labels contain spaces and brackets but never this.
CODE_JOINER = "; "


@dataclass(frozen=True)
class QuoteItem:
    """One coded passage with its full provenance (its own codes, not the whole turn's)."""

    key: str
    interview: str
    title: str
    source: str
    format: str
    speaker: str
    role: str
    turn: int
    paragraph: int
    lines: Span | None
    pages: Span | None
    codes: tuple[str, ...]
    quote: str
    #: The turn's time mark (captions, Word), shown where there are no lines or pages.
    time: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "interview": self.interview,
            "title": self.title,
            "source": self.source,
            "format": self.format,
            "speaker": self.speaker,
            "role": self.role,
            "turn": self.turn,
            "lines": list(self.lines) if self.lines else None,
            "pages": list(self.pages) if self.pages else None,
            "codes": list(self.codes),
            "quote": self.quote,
        }

    def csv_row(self) -> list[str]:
        def end(span: Span | None, i: int) -> str:
            return str(span[i]) if span else ""

        return [
            self.key,
            self.interview,
            self.title,
            self.source,
            self.format,
            self.speaker,
            self.role,
            str(self.turn),
            end(self.lines, 0),
            end(self.lines, 1),
            end(self.pages, 0),
            end(self.pages, 1),
            CODE_JOINER.join(self.codes),
            self.quote,
        ]


def _natural(text: str) -> tuple[Any, ...]:
    # Interview 2 before Interview 10, like a researcher numbers them.
    return tuple(int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", text))


def select_quotes(
    corpus: Corpus,
    labels: Iterable[str],
    *,
    interviews: Sequence[str] = (),
    speakers: Sequence[str] = (),
    roles: Sequence[str] = (),
    held: CaseScope | None = None,
) -> list[QuoteItem]:
    """Every paragraph carrying any of ``labels`` (exact code labels, already resolved from
    names or abbreviations), ordered by interview, turn and paragraph.

    ``speakers`` and ``roles`` filter as search does; an unknown speaker or role is an
    AssistantError. ``held`` keeps the interviews of some cases or variable values."""
    wanted = frozenset(labels)
    chosen: list[Interview] = [
        i
        for i in corpus.interviews
        if (not interviews or i.id in set(interviews))
        and (held is None or held.admits(i.cases, i.variables))
    ]
    check_roles(roles)
    # The same speaker semantics as search (``interviewer1`` = Interviewer 1; ``interviewer``
    # = every interviewer), resolved against the whole corpus so a typo is an error, not "no
    # passage is coded ...".
    wanted_speakers = resolve_speakers(
        speakers, (t.speaker for i in corpus.interviews for t in i.turns), "the corpus"
    )
    items: list[QuoteItem] = []
    for interview in sorted(chosen, key=lambda i: _natural(i.id)):
        for turn in interview.turns:
            if wanted_speakers and speaker_key(turn.speaker) not in wanted_speakers:
                continue
            if roles and turn.role not in roles:
                continue
            for n, paragraph in enumerate(turn.paragraphs, start=1):
                if not wanted.intersection(paragraph.codes):
                    continue
                items.append(
                    QuoteItem(
                        key=turn.key,
                        interview=interview.id,
                        title=interview.title,
                        source=interview.source,
                        format=interview.format,
                        speaker=turn.speaker,
                        role=turn.role,
                        turn=turn.ordinal,
                        paragraph=n,
                        lines=paragraph.lines,
                        pages=paragraph.pages,
                        codes=paragraph.codes,
                        quote=paragraph.text,
                        time=turn.time,
                    )
                )
    return items


def to_csv(items: Sequence[QuoteItem]) -> str:
    """RFC 4180: CRLF line ends, fields quoted when they hold a comma, quote or line break."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for item in items:
        writer.writerow(item.csv_row())
    return buffer.getvalue()


def to_json(items: Sequence[QuoteItem], code: str, labels: Iterable[str]) -> str:
    data = {
        "code": code,
        "codes": sorted(labels),
        "count": len(items),
        "quotes": [item.to_dict() for item in items],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def to_markdown(items: Sequence[QuoteItem], code: str, labels: Iterable[str]) -> str:
    """A report to paste into notes: one block quote per passage, grouped by interview."""
    out = [
        f"# Quotes coded {code}",
        "",
        f"{len(items)} passage(s) · codes: {', '.join(sorted(labels))}",
    ]
    current = None
    for item in items:
        if item.interview != current:
            current = item.interview
            out += ["", f"## {item.title}"]
        out.append("")
        out.extend(f"> {line}" if line else ">" for line in item.quote.split("\n"))
        span = span_label(item.lines, item.pages, time=item.time)
        out += [
            "",
            f"— {item.speaker} · turn {item.turn} · {span} · "
            f"codes: {', '.join(item.codes)} · `{item.key}`",
        ]
    return "\n".join(out) + "\n"


def render(items: Sequence[QuoteItem], fmt: Format, code: str, labels: Iterable[str]) -> str:
    if fmt == "csv":
        return to_csv(items)
    if fmt == "json":
        return to_json(items, code, labels)
    return to_markdown(items, code, labels)


@dataclass(frozen=True)
class QuoteReport:
    """The passages for a ``quotes --code`` request and the exact labels the code stood for."""

    code: str
    labels: frozenset[str]
    items: tuple[QuoteItem, ...]

    def render(self, fmt: Format) -> str:
        return render(self.items, fmt, self.code, self.labels)
