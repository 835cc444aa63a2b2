"""The data model every part of the assistant shares, and that a researcher can cite.

Interview → Turn (speaker, role, paragraphs with their codes and line/page spans)
→ Evidence (a turn retrieved for a question, with its score and why it was retrieved)
→ Answer (text, citations, verification status).

What goes out as JSON comes back as the same objects: ``Evidence``, ``Citation`` and
``Answer`` each have ``from_dict`` for their ``to_dict``, so history and the front ends hold
typed objects, never dicts.

Citation keys are derived from the interview id and the turn's ordinal only, so a note that
cites ``12:41`` still resolves after the index is rebuilt; ``Turn.content_hash`` tells
whether the turn's text changed since the note was taken.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["interviewer", "participant", "unknown"]
SourceFormat = Literal["delve-text", "delve-pdf", "qdpx", "transcript", "docx", "captions"]
Span = tuple[int, int]

#: Which format wins when one interview appears in several: coded formats first.
FORMAT_PRIORITY: dict[str, int] = {
    "delve-pdf": 0,
    "qdpx": 1,
    "delve-text": 2,
    "docx": 3,
    "captions": 4,
    "transcript": 5,
}


def citation_key(interview_id: str, ordinal: int) -> str:
    """The stable key of a turn: ``<interview id>:<turn ordinal>``, e.g. ``12:41``."""
    return f"{interview_id}:{ordinal}"


def parse_citation_key(key: str) -> tuple[str, int]:
    """Split ``12:41`` into ``("12", 41)``; raises ValueError when it is not a key."""
    interview_id, sep, ordinal = key.strip().rpartition(":")
    if not sep or not interview_id or not ordinal.isdigit():
        raise ValueError(f"not a citation key: {key!r} (expected INTERVIEW:TURN, e.g. 12:41)")
    return interview_id, int(ordinal)


def span_label(
    lines: Sequence[int] | None,
    pages: Sequence[int] | None,
    missing: str = "no span",
    time: str | None = None,
) -> str:
    """``line 12``, ``lines 12-14``, ``p. 3`` or ``pp. 3-4``: a provenance span for people.

    ``time`` (a turn's first time mark, ``00:12:31``) stands in where a source has neither
    lines nor pages, as in caption files and Word transcripts."""
    if lines:
        return f"line {lines[0]}" if lines[0] == lines[1] else f"lines {lines[0]}-{lines[1]}"
    if pages:
        return f"p. {pages[0]}" if pages[0] == pages[1] else f"pp. {pages[0]}-{pages[1]}"
    if time:
        return time
    return missing


def _merge_spans(spans: list[Span | None]) -> Span | None:
    known = [s for s in spans if s is not None]
    if not known:
        return None
    return (min(s[0] for s in known), max(s[1] for s in known))


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of a turn, exactly as it stands in the source, with the codes on it.

    ``lines`` is the 1-based line span in a text source; ``pages`` the 1-based page span in a
    PDF. At most one of them is set; a Word or caption transcript has neither (its turns carry
    time marks instead). ``coders`` records, for projects coded by several people (REFI-QDA),
    who applied which code: ``(code, user)`` pairs; empty when the source does not say.
    """

    text: str
    codes: tuple[str, ...] = ()
    lines: Span | None = None
    pages: Span | None = None
    coders: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "codes": list(self.codes),
            "lines": list(self.lines) if self.lines else None,
            "pages": list(self.pages) if self.pages else None,
        }
        if self.coders:
            out["coders"] = [list(pair) for pair in self.coders]
        return out


#: How the paragraphs of a turn are joined into its text. Quotes never span this separator
#: unless they are checked paragraph by paragraph.
PARAGRAPH_SEPARATOR = "\n\n"


@dataclass(frozen=True, slots=True)
class Turn:
    """What one speaker said before the next speaker took over.

    ``ordinal`` is 1-based within the interview. ``timestamps`` records time marks such as
    ``[00:19:00]`` found in the text (they stay in the text too, as in the source).
    """

    interview_id: str
    ordinal: int
    speaker: str
    role: Role
    paragraphs: tuple[Paragraph, ...]
    timestamps: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return citation_key(self.interview_id, self.ordinal)

    @property
    def text(self) -> str:
        return PARAGRAPH_SEPARATOR.join(p.text for p in self.paragraphs)

    @property
    def codes(self) -> tuple[str, ...]:
        return _unique([c for p in self.paragraphs for c in p.codes])

    @property
    def lines(self) -> Span | None:
        return _merge_spans([p.lines for p in self.paragraphs])

    @property
    def pages(self) -> Span | None:
        return _merge_spans([p.pages for p in self.paragraphs])

    @property
    def time(self) -> str | None:
        """The turn's first time mark (``00:12:31``), if it has one."""
        return self.timestamps[0] if self.timestamps else None

    @property
    def content_hash(self) -> str:
        """Changes when the turn's speaker, text or codes change (not when only spans move)."""
        digest = hashlib.sha256()
        digest.update(self.speaker.encode())
        for p in self.paragraphs:
            digest.update(b"\x00" + p.text.encode() + b"\x01" + "\x02".join(p.codes).encode())
        return digest.hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "ordinal": self.ordinal,
            "speaker": self.speaker,
            "role": self.role,
            "text": self.text,
            "codes": list(self.codes),
            "lines": list(self.lines) if self.lines else None,
            "pages": list(self.pages) if self.pages else None,
            "timestamps": list(self.timestamps),
            "paragraphs": [p.to_dict() for p in self.paragraphs],
        }


#: A variable's value on an interview: ``("age group", "25-34")``.
VariableValue = tuple[str, str]


@dataclass(frozen=True)
class Interview:
    """One interview as read from one source file.

    ``cases`` and ``variables`` are what a REFI-QDA project says about the interview as a
    whole: the cases it belongs to and its variables' values (from the source itself or from
    its cases), sorted; empty for formats that have none."""

    id: str
    title: str
    source: str
    format: SourceFormat
    sha256: str
    turns: tuple[Turn, ...]
    cases: tuple[str, ...] = ()
    variables: tuple[VariableValue, ...] = ()

    def turn(self, ordinal: int) -> Turn | None:
        if 1 <= ordinal <= len(self.turns) and self.turns[ordinal - 1].ordinal == ordinal:
            return self.turns[ordinal - 1]
        return next((t for t in self.turns if t.ordinal == ordinal), None)

    @property
    def code_applications(self) -> int:
        return sum(len(p.codes) for t in self.turns for p in t.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "format": self.format,
            "sha256": self.sha256,
            "cases": list(self.cases),
            "variables": [list(pair) for pair in self.variables],
            "turns": [t.to_dict() for t in self.turns],
        }


@dataclass(frozen=True)
class LoadProblem:
    """A file that could not be read, or a choice the loader made that the user should know."""

    source: str
    message: str
    line: int | None = None
    page: int | None = None
    severity: Literal["error", "notice"] = "error"

    def __post_init__(self) -> None:
        from assistant.safe_text import display_path

        object.__setattr__(self, "source", display_path(self.source))

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f", line {self.line}"
        if self.page is not None:
            where += f", page {self.page}"
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "message": str(self)}


@dataclass(frozen=True)
class CodeDefinition:
    """A code as a code book (REFI-QDA project or ``.qdc``) defines it: its parent in the
    book's own hierarchy and its description. Overrides what is inferred from labels."""

    label: str
    parent: str | None = None
    description: str = ""
    source: str = ""


@dataclass(frozen=True)
class Corpus:
    """The interviews that loaded, every problem met on the way, and the code definitions
    of any code book found beside them."""

    interviews: tuple[Interview, ...]
    errors: tuple[LoadProblem, ...] = ()
    notices: tuple[LoadProblem, ...] = ()
    codes: tuple[CodeDefinition, ...] = ()

    def get(self, interview_id: str) -> Interview | None:
        return next((i for i in self.interviews if i.id == interview_id), None)

    def turn(self, key: str) -> tuple[Interview, Turn] | None:
        """Resolve a citation key; None when the interview or turn does not exist."""
        try:
            interview_id, ordinal = parse_citation_key(key)
        except ValueError:
            return None
        interview = self.get(interview_id)
        if interview is None:
            return None
        turn = interview.turn(ordinal)
        return (interview, turn) if turn is not None else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "interviews": [i.to_dict() for i in self.interviews],
            "errors": [e.to_dict() for e in self.errors],
            "notices": [n.to_dict() for n in self.notices],
        }


@dataclass(frozen=True)
class Evidence:
    """A turn retrieved for a question: the turn itself, how it scored and why it was found.

    ``why`` names the unit that was found and the retrievers that found it, e.g.
    ``"utterance 12:110-113: dense #2, bm25 #5"``.
    """

    turn: Turn
    title: str
    source: str
    score: float
    why: str = ""
    #: The interviewer's question this turn answers, when it answers one.
    asked: Evidence | None = None
    #: The retrieval unit (``utterance:12:110-113``) the turn was found through, if any.
    unit: str = ""
    #: The interview's cases and variable values (:class:`Interview`), so a scope on them can
    #: be checked from the index alone.
    cases: tuple[str, ...] = ()
    variables: tuple[VariableValue, ...] = ()

    @property
    def key(self) -> str:
        return self.turn.key

    def to_dict(self) -> dict[str, Any]:
        t = self.turn
        return {
            "key": t.key,
            "interview": t.interview_id,
            "title": self.title,
            "source": self.source,
            "turn": t.ordinal,
            "speaker": t.speaker,
            "role": t.role,
            "codes": list(t.codes),
            "lines": list(t.lines) if t.lines else None,
            "pages": list(t.pages) if t.pages else None,
            "time": t.time,
            "score": round(self.score, 6),
            "why": self.why,
            "text": t.text,
            "unit": self.unit or None,
            "asked": (
                {"key": self.asked.key, "text": self.asked.turn.text} if self.asked else None
            ),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evidence:
        """The evidence ``to_dict`` described: its turn as one paragraph (the JSON keeps the
        turn's text, codes and span, not where its paragraphs break)."""
        asked = data.get("asked")
        return cls(
            _stored_turn(data, str(data.get("text") or "")),
            str(data.get("title") or ""),
            str(data.get("source") or ""),
            float(data.get("score") or 0.0),
            why=str(data.get("why") or ""),
            asked=_asked(str(data["interview"]), asked) if asked else None,
            unit=str(data.get("unit") or ""),
        )


def _span(value: Any) -> Span | None:
    return (int(value[0]), int(value[1])) if value else None


def _stored_turn(data: Mapping[str, Any], text: str) -> Turn:
    """A turn rebuilt from the JSON of a citation or evidence."""
    role = data.get("role")
    paragraph = Paragraph(
        text,
        tuple(str(c) for c in data.get("codes") or ()),
        lines=_span(data.get("lines")),
        pages=_span(data.get("pages")),
    )
    return Turn(
        str(data["interview"]),
        int(data["turn"]),
        str(data.get("speaker") or ""),
        role if role in ("interviewer", "participant") else "unknown",
        (paragraph,),
        timestamps=(str(data["time"]),) if data.get("time") else (),
    )


def _asked(interview: str, data: Mapping[str, Any]) -> Evidence:
    ordinal = int(str(data["key"]).rpartition(":")[2])
    turn = Turn(interview, ordinal, "", "interviewer", (Paragraph(str(data["text"])),))
    return Evidence(turn, "", "", 0.0)


@dataclass(frozen=True)
class Filters:
    """Scope of a search: codes (names or abbreviations; parents include children),
    interviews, speakers, roles, cases and variable values (``(name, value)``; several values
    of one variable allow any of them). Empty means no restriction."""

    codes: tuple[str, ...] = ()
    interviews: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()
    variables: tuple[VariableValue, ...] = ()

    def is_empty(self) -> bool:
        return not (
            self.codes
            or self.interviews
            or self.speakers
            or self.roles
            or self.cases
            or self.variables
        )


@dataclass(frozen=True)
class Citation:
    """One quote of an answer, tied to the turn it comes from.

    ``verified`` is True only when ``quote`` was found verbatim (after normalising white space
    and typographic quotes) in the cited turn's text.
    """

    n: int
    evidence: Evidence
    quote: str
    verified: bool

    def to_dict(self) -> dict[str, Any]:
        t = self.evidence.turn
        return {
            "n": self.n,
            "key": t.key,
            "interview": t.interview_id,
            "title": self.evidence.title,
            "speaker": t.speaker,
            "turn": t.ordinal,
            "lines": list(t.lines) if t.lines else None,
            "pages": list(t.pages) if t.pages else None,
            "time": t.time,
            "codes": list(t.codes),
            "quote": self.quote,
            "verified": self.verified,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Citation:
        """The citation ``to_dict`` described. Its turn carries the speaker, codes and span
        but no text (the JSON keeps only the quote), so a stored citation can never pass for
        verified against it: look the key up in the index to check it again."""
        evidence = Evidence(_stored_turn(data, ""), str(data.get("title") or ""), "", 0.0)
        return cls(int(data["n"]), evidence, str(data["quote"]), bool(data["verified"]))


@dataclass(frozen=True)
class Unverified:
    """Something the model wrote that could not be checked against the corpus, and why."""

    reason: str
    n: int | None = None
    quote: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"reason": self.reason}
        if self.n is not None:
            out["n"] = self.n
        if self.quote is not None:
            out["quote"] = self.quote
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Unverified:
        n, quote = data.get("n"), data.get("quote")
        return cls(str(data["reason"]), int(n) if n is not None else None, quote)


@dataclass(frozen=True)
class CodeMatch:
    """A code the question was matched to, how strongly, and how much the corpus holds."""

    code: str
    score: float
    passages: int
    interviews: int

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "score": round(self.score, 4),
            "passages": self.passages,
            "interviews": self.interviews,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CodeMatch:
        return cls(
            str(data["code"]),
            float(data["score"]),
            int(data["passages"]),
            int(data["interviews"]),
        )

    def __str__(self) -> str:
        return (
            f"{self.code} {self.passages} passage{'s' * (self.passages != 1)} in "
            f"{self.interviews} interview{'s' * (self.interviews != 1)}"
        )


@dataclass(frozen=True)
class GuideQuestion:
    """A question of the interview guide, by its tag (``Q4.3``)."""

    tag: str
    text: str


@dataclass
class Answer:
    """An answer to a question, with everything needed to check it."""

    question: str
    mode: Literal["extractive", "llm"]
    text: str
    citations: list[Citation] = field(default_factory=list)
    unverified: list[Unverified] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    model: str | None = None
    notice: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    refused: bool = False
    #: The researchers' codes the question was matched to.
    codes: list[CodeMatch] = field(default_factory=list)
    #: The interview guide's question it was aligned to.
    guide: GuideQuestion | None = None

    @property
    def verified_citations(self) -> list[Citation]:
        return [c for c in self.citations if c.verified]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "question": self.question,
            "mode": self.mode,
            "model": self.model,
            "answer": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "unverified": [u.to_dict() for u in self.unverified],
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "codes": [c.to_dict() for c in self.codes],
            "guide": {"tag": self.guide.tag, "text": self.guide.text} if self.guide else None,
        }
        if self.notice:
            out["notice"] = self.notice
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Answer:
        """The answer ``to_dict`` described (the retrieved evidence is not part of it)."""
        guide = data.get("guide")
        return cls(
            question=str(data["question"]),
            mode="llm" if data.get("mode") == "llm" else "extractive",
            text=str(data.get("answer") or ""),
            citations=[Citation.from_dict(c) for c in data.get("citations") or ()],
            unverified=[Unverified.from_dict(u) for u in data.get("unverified") or ()],
            model=data.get("model"),
            notice=data.get("notice"),
            timings={str(k): float(v) for k, v in (data.get("timings") or {}).items()},
            codes=[CodeMatch.from_dict(c) for c in data.get("codes") or ()],
            guide=GuideQuestion(str(guide["tag"]), str(guide["text"])) if guide else None,
        )


@dataclass(frozen=True)
class Progress:
    """A step of slow work (loading, embedding), reported to whatever front end is watching.

    ``total`` is 0 when unknown. ``detail`` names the file or interview being worked on.
    ``interviews_done`` of ``interviews_total`` are finished when a stage counts something
    finer than interviews (texts embedded); both are 0 when it does not say.
    """

    stage: str
    done: int
    total: int
    detail: str = ""
    #: Interviews written so far and in all, when the work is per interview (index builds).
    interviews_done: int = 0
    interviews_total: int = 0
