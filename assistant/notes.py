"""The researcher's notes file: cited quotes appended as Markdown, read back, checked for staleness.

The file belongs to the researcher. The assistant only ever appends to it (one ``write`` under
an exclusive lock, then ``fsync``), so text written by hand is never rewritten and two processes
saving at once lose nothing. Each saved quote carries an HTML comment that renders invisibly in
Obsidian or any Markdown viewer (:mod:`assistant.notes_markers` writes and parses it), so
entries are read from that marker, not from prose the researcher may have edited. ``hash``
is the cited turn's content hash when the quote was saved; ``q`` identifies the question, so the
same turn is not saved twice under one question even if the heading was retyped (the same key
with another hash is another passage, e.g. after turns were inserted above it, and is saved).
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from assistant.answer.verify import locate_in_paragraph, normalise
from assistant.errors import NotesError
from assistant.model import Answer, Evidence, Paragraph, Span, Turn, span_label
from assistant.notes_markers import MARKER, SavedQuote, encode_value, parse_notes, question_id
from assistant.safe_text import printable

__all__ = [
    "ALREADY_SAVED",
    "NOT_VERIFIED",
    "NoteQuote",
    "NotesFile",
    "NotesListing",
    "SaveResult",
    "SavedQuote",
    "Skipped",
    "check_stale",
    "is_verbatim",
    "locate",
    "parse_notes",
    "question_id",
    "quotes_from_answer",
    "render_entry",
]


#: How the answer mode is shown in the entry's byline.
MODE_LABELS = {
    "extractive": "extractive answer",
    "llm": "LLM answer",
    "key": "added by citation key",
    "search": "from search results",
    "code": "passages by code",
    "suggest": "suggested code, not yet checked",
}


def locate(quote: str, turn: Turn) -> tuple[str, Paragraph | None] | None:
    """Where ``quote`` stands in ``turn``: its exact source text and the paragraph holding it
    (None for the whole turn), or None when it is not there verbatim. Matching is the answer
    verifier's (white space, typographic quotes and dashes, ``…`` omissions), so a quote the
    verifier passed is found here and a saved quote is re-checked the same way later."""
    if normalise(quote) == normalise(turn.text):
        return turn.text, None
    for paragraph in turn.paragraphs:
        exact = locate_in_paragraph(quote, paragraph.text)
        if exact is not None:
            return exact, paragraph
    return None


def is_verbatim(quote: str, turn: Turn) -> bool:
    return locate(quote, turn) is not None


@dataclass(frozen=True)
class NoteQuote:
    """A quote about to be appended, with everything its citation line shows."""

    question: str
    key: str
    quote: str
    turn_hash: str
    title: str
    speaker: str
    turn: int
    lines: Span | None
    pages: Span | None
    codes: tuple[str, ...]
    mode: str
    model: str | None
    date: str
    #: The turn's time mark, cited where the source has no lines or pages (captions, Word).
    time: str | None = None

    @classmethod
    def from_evidence(
        cls,
        question: str,
        evidence: Evidence,
        quote: str,
        *,
        mode: str,
        model: str | None,
        date: str | None = None,
    ) -> NoteQuote:
        """The note for ``quote`` in the evidence's turn, with the quote's exact source text
        and the span and codes of the paragraph it comes from (the whole turn's when it is the
        whole turn). Raises NotesError when the quote is not verbatim in the turn."""
        t = evidence.turn
        found = locate(quote, t)
        if found is None:
            raise NotesError(f"the quote is not verbatim in turn {t.key}, so it is not saved")
        exact, paragraph = found
        where: Turn | Paragraph = paragraph or t
        return cls(
            question=" ".join(question.split()),
            key=t.key,
            quote=exact,
            turn_hash=t.content_hash,
            title=evidence.title,
            speaker=t.speaker,
            turn=t.ordinal,
            lines=where.lines,
            pages=where.pages,
            codes=where.codes,
            mode=mode,
            model=model,
            date=date or _dt.date.today().isoformat(),
            time=t.time,
        )

    def marker(self) -> str:
        attrs = {
            "key": self.key,
            "hash": self.turn_hash,
            "q": question_id(self.question),
            "mode": self.mode,
            "model": self.model or "-",
            "date": self.date,
        }
        body = " ".join(f"{k}={encode_value(v)}" for k, v in attrs.items())
        return f"<!-- {MARKER} {body} -->"

    def citation_line(self) -> str:
        codes = ", ".join(self.codes) if self.codes else "none"
        span = span_label(self.lines, self.pages, time=self.time)
        return (
            f"— *{self.title}* · {self.speaker} · turn {self.turn} · {span} · "
            f"codes: {codes} · `{self.key}`"
        )


def render_entry(quotes: Sequence[NoteQuote]) -> str:
    """One entry: the question as a heading, a byline, then each quote with its citation.

    Starts with a blank line so it never runs into the text above it.
    """
    first = quotes[0]
    mode = MODE_LABELS.get(first.mode, first.mode)
    # Every field but the quote is one line, so a newline in a file name cannot split the
    # citation; the marker's values are percent-encoded already.
    out = [
        "",
        printable(f"## {first.question}", one_line=True),
        "",
        printable(f"*{first.date} · {mode} · model: {first.model or 'none'}*", one_line=True),
        "",
    ]
    for q in quotes:
        out.append(q.marker())
        out.extend(f"> {line}" if line else ">" for line in printable(q.quote).split("\n"))
        out += ["", printable(q.citation_line(), one_line=True), ""]
    return "\n".join(out[:-1]) + "\n"


@dataclass
class Skipped:
    key: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "reason": self.reason}


@dataclass
class SaveResult:
    """What an append did: the quotes written and those left out, each with the reason."""

    path: Path
    added: list[NoteQuote] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "notes_file": str(self.path),
            "added": len(self.added),
            "skipped": len(self.skipped),
            "added_keys": [q.key for q in self.added],
            "skipped_details": [s.to_dict() for s in self.skipped],
        }

    def summary(self) -> str:
        text = f"{len(self.added)} quote(s) added to {self.path}"
        if self.skipped:
            text += f", {len(self.skipped)} skipped"
        return text


ALREADY_SAVED = "already in the notes for this question"


class NotesFile:
    """The notes file at ``path``: appended to under a lock, read without one."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def read(self) -> list[SavedQuote]:
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise NotesError(f"{self.path}: cannot read the notes file ({exc.strerror})") from None
        return parse_notes(text)

    def append(self, quotes: Iterable[NoteQuote]) -> SaveResult:
        """Append ``quotes`` (one entry per question), leaving out any turn already saved under
        the same question with the same content. Dedup and write happen under one exclusive
        lock, so concurrent savers neither lose entries nor save the same quote twice."""
        result = SaveResult(self.path)
        pending = list(quotes)
        if not pending:
            return result
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise NotesError(f"{self.path}: cannot open the notes file ({exc.strerror})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            existing = self.path.read_bytes()
            # A key names a position in an interview, not a passage: after a re-index the same
            # key may hold another turn, so the turn's content hash is part of the identity.
            seen = {
                (q.question_id, q.key, q.turn_hash)
                for q in parse_notes(existing.decode("utf-8", "replace"))
            }
            groups: dict[str, list[NoteQuote]] = {}
            for q in pending:
                ident = (question_id(q.question), q.key, q.turn_hash)
                if ident in seen:
                    result.skipped.append(Skipped(q.key, ALREADY_SAVED))
                    continue
                seen.add(ident)
                groups.setdefault(ident[0], []).append(q)
                result.added.append(q)
            if not groups:
                return result
            text = "".join(render_entry(group) for group in groups.values())
            if not existing.strip():
                text = text.lstrip("\n")  # a new file starts with its first heading
            elif not existing.endswith(b"\n"):
                text = "\n" + text  # never glue the heading to the researcher's last line
            _write_all_or_nothing(fd, text.encode("utf-8"), os.fstat(fd).st_size)
        except OSError as exc:
            raise NotesError(f"{self.path}: cannot write the notes file ({exc.strerror})") from None
        finally:
            os.close(fd)  # closing releases the lock
        return result


def _write_all_or_nothing(fd: int, data: bytes, size: int) -> None:
    """Append ``data`` to the file of ``fd`` (``size`` bytes long, locked); if that fails part
    way (a full disk, a quota), cut the file back to ``size`` bytes, so it is exactly as it was
    rather than ending in half an entry, and re-raise."""
    try:
        _write_all(fd, data)
        os.fsync(fd)
    except OSError:
        try:
            os.ftruncate(fd, size)
            os.fsync(fd)
        except OSError:
            pass  # the original error is the one to report
        raise


def _write_all(fd: int, data: bytes) -> None:
    # One write is the norm for a regular file; the loop only guards against a short write.
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


NOT_VERIFIED = "not verified against the corpus"


def quotes_from_answer(
    answer: Answer, *, date: str | None = None
) -> tuple[list[NoteQuote], list[Skipped]]:
    """The answer's quotes worth saving, and the others with the reason. A citation counts
    only if the verifier passed it and it still stands verbatim in the turn it cites: the
    second check is cheap and keeps a mislabelled quote out of a paper."""
    keep: list[NoteQuote] = []
    skipped: list[Skipped] = []
    for c in answer.citations:
        if not (c.verified and is_verbatim(c.quote, c.evidence.turn)):
            skipped.append(Skipped(c.evidence.key, NOT_VERIFIED))
            continue
        keep.append(
            NoteQuote.from_evidence(
                answer.question,
                c.evidence,
                c.quote,
                mode=answer.mode,
                model=answer.model,
                date=date,
            )
        )
    return keep, skipped


@dataclass
class NotesListing:
    """The saved quotes; ``checked`` says whether staleness could be checked against an index."""

    path: Path
    quotes: list[SavedQuote]
    checked: bool
    notice: str | None = None

    @property
    def stale(self) -> list[SavedQuote]:
        return [q for q in self.quotes if q.stale]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "notes_file": str(self.path),
            "checked": self.checked,
            "count": len(self.quotes),
            "stale": len(self.stale),
            "quotes": [q.to_dict() for q in self.quotes],
        }
        if self.notice:
            out["notice"] = self.notice
        return out


Resolver = Callable[[str], Evidence | None]


def check_stale(saved: Sequence[SavedQuote], resolve: Resolver) -> list[SavedQuote]:
    """Copies of ``saved`` with ``stale`` set: the cited turn vanished, its content changed
    since the quote was saved, or the quote no longer stands verbatim in it."""
    out = []
    cache: dict[str, Evidence | None] = {}
    for q in saved:
        if q.key not in cache:
            cache[q.key] = resolve(q.key)
        evidence = cache[q.key]
        if evidence is None:
            out.append(replace(q, stale=True, reason="source turn vanished"))
        elif not is_verbatim(q.quote, evidence.turn):
            out.append(replace(q, stale=True, reason="quote no longer verbatim in its turn"))
        elif evidence.turn.content_hash != q.turn_hash:
            out.append(replace(q, stale=True, reason="source turn changed"))
        else:
            out.append(replace(q, stale=False, reason=""))
    return out
