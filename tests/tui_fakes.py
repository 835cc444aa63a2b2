"""A stand-in for ``Assistant`` for TUI tests that need to control timing (a question held open
while the index rebuilds) or fixed data (snapshots). mypy checks it against the service
contract the app is written for (``assistant.contract.AssistantService``; see the end)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.agreement import AgreementReport
from assistant.codebook import Codebook
from assistant.codematch import CodeMatch
from assistant.contract import AssistantService
from assistant.errors import IndexMissingError
from assistant.index.build import IndexReport
from assistant.model import (
    Answer,
    Citation,
    CodeDefinition,
    Corpus,
    Evidence,
    Filters,
    Interview,
    Paragraph,
    Progress,
    Role,
    Turn,
)
from assistant.notes import NoteQuote, SaveResult
from assistant.prevalence import By, Prevalence
from assistant.quotes import QuoteReport
from assistant.settings import Settings, load_settings

TITLE = "Interview 12 - Amin"

# (ordinal, speaker, text, codes, line) — sentences taken from the shipped Interview 12.
TURNS: list[tuple[int, str, str, tuple[str, ...], int]] = [
    (40, "Interviewer 1", "What were the main challenges in that project?", ("Q4",), 436),
    (
        41,
        "Interviewee",
        "Well, in that case, if we stick to the, to that, uh, project I've been, uh, talking "
        "about it's the, the environment not being ready and. Understand, understandably, "
        "because there's a lot, uh, there, there are other projects.",
        ("MD-infrastructure", "MM-organisation"),
        438,
    ),
    (42, "Interviewer 1", "And what slowed the deployment down?", (), 526),
    (
        43,
        "Interviewee",
        "The, the environment not being ready, uh, at the clients.",
        ("Deployment-issues [MD]", "MD-infrastructure"),
        528,
    ),
    (44, "Interviewee", "Complexity? Very complex environment.", ("MD-complexity",), 542),
    (
        45,
        "Interviewee",
        "A lot of empty fields.",
        ("Data-issues", "Data-missing-value"),
        130,
    ),
]

PARENTS = {
    "MD-infrastructure": "Deployment-issues [MD]",
    "MD-complexity": "Deployment-issues [MD]",
    "Data-missing-value": "Data-issues",
}


def make_turns() -> list[Evidence]:
    out = []
    for ordinal, speaker, text, codes, line in TURNS:
        role: Role = "interviewer" if speaker.startswith("Interviewer") else "participant"
        turn = Turn("12", ordinal, speaker, role, (Paragraph(text, codes, lines=(line, line)),))
        out.append(Evidence(turn, TITLE, "corpus/Interview 12 - Amin.txt", 0.0))
    return out


class FakeReader:
    def __init__(self, turns: list[Evidence]) -> None:
        self.turns = turns

    def all_turns(self) -> list[Evidence]:
        return list(self.turns)

    def interviews(self) -> list[dict[str, Any]]:
        titles = {e.turn.interview_id: e.title for e in self.turns}
        return [{"id": iid, "title": title} for iid, title in titles.items()]

    def turn_codes(self) -> list[tuple[str, ...]]:
        return [e.turn.codes for e in self.turns]


@dataclass
class FakeService:
    """Answers with the turns that share a word with the question, within the filters."""

    settings: Settings = field(default_factory=load_settings)
    indexed: bool = True
    tokens: list[str] = field(default_factory=list)
    hold_answer: threading.Event | None = None
    hold_build: threading.Event | None = None
    asked: list[tuple[str, Filters]] = field(default_factory=list)
    #: The ``codes`` argument of each ask (None: match them), and the codes to match.
    codes_asked: list[Any] = field(default_factory=list)
    matched: list[CodeMatch] = field(default_factory=list)
    saved: list[tuple[str, Citation, str, str | None]] = field(default_factory=list)
    builds: int = 0

    def __post_init__(self) -> None:
        self.turns = make_turns()

    def reader(self) -> FakeReader:
        if not self.indexed:
            raise IndexMissingError("no index yet: run `assistant index`")
        return FakeReader(self.turns)

    def codebook(self, corpus: Corpus | None = None) -> Codebook:
        """The real codebook of the turns; ``PARENTS`` plays a code book that places
        ``Data-missing-value`` under ``Data-issues``, which no label shape implies."""
        turns = [t for i in corpus.interviews for t in i.turns] if corpus else None
        return Codebook.from_turns(
            turns or [e.turn for e in self.turns],
            [CodeDefinition(child, parent) for child, parent in PARENTS.items()],
        )

    def build_index(
        self, corpus: Corpus | None = None, progress: Callable[[Progress], None] | None = None
    ) -> IndexReport:
        for done in range(3):
            if progress:
                progress(Progress("embedding", done, 3, TITLE))
            if self.hold_build is not None:
                self.hold_build.wait(10)
        self.indexed = True
        self.builds += 1
        return IndexReport(unchanged=["12"], embed_model="fake")

    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        filters: Filters | None = None,
        on_token: Any = None,
        codes: Any = None,
    ) -> Answer:
        filters = filters or Filters()
        self.asked.append((question, filters))
        self.codes_asked.append(codes)
        if self.hold_answer is not None:
            self.hold_answer.wait(10)
        words = {w.strip("?.,").lower() for w in question.split() if len(w) > 3}
        hits = [
            e
            for e in self.turns
            if e.turn.role == "participant"
            and (not filters.codes or set(e.turn.codes) & set(filters.codes))
            and words & {w.strip("?.,").lower() for w in e.turn.text.split()}
        ]
        for token in self.tokens:
            on_token and on_token(token)
        citations = [Citation(i + 1, e, e.turn.text, True) for i, e in enumerate(hits)]
        text = (
            "\n\n".join(f"> {c.quote} [{c.n}]" for c in citations) or "Nothing in the interviews."
        )
        answer = Answer(
            question,
            "llm" if self.tokens else "extractive",
            "".join(self.tokens) or text,
            citations,
            evidence=hits,
            model="fake" if self.tokens else None,
        )
        answer.codes = [m for m in self.matched if codes is None or m.code in codes]
        return answer

    def context(self, key: str, around: int = 3) -> list[Evidence]:
        i = next(i for i, e in enumerate(self.turns) if e.key == key)
        return self.turns[max(0, i - around) : i + around + 1]

    def evidence(self, key: str) -> Evidence | None:
        return next((e for e in self.turns if e.key == key), None)

    def load_corpus(
        self,
        paths: Sequence[Path] | None = None,
        progress: Callable[[Progress], None] | None = None,
    ) -> Corpus:
        """The fake's transcripts are its turns: the corpus is what it indexed."""
        return self.indexed_corpus()

    def indexed_corpus(self) -> Corpus:
        by_id: dict[str, list[Evidence]] = {}
        for e in self.turns:
            by_id.setdefault(e.turn.interview_id, []).append(e)
        return Corpus(
            tuple(
                Interview(i, t[0].title, t[0].source, "delve-text", "", tuple(e.turn for e in t))
                for i, t in by_id.items()
            )
        )

    def prevalence(self, corpus: Corpus | None = None, by: By = "interview") -> Prevalence:
        from assistant.prevalence import prevalence

        return prevalence(corpus or self.indexed_corpus(), by)

    def quotes(self, code: str, interview: str | None = None, *, corpus: Corpus) -> QuoteReport:
        from assistant.quotes import select_quotes

        book = Codebook.from_turns(t for i in corpus.interviews for t in i.turns)
        labels = book.resolve([code])
        items = select_quotes(corpus, labels, interviews=[interview] if interview else [])
        return QuoteReport(code, labels, tuple(items))

    def agreement(self, a: Path, b: Path | None = None) -> AgreementReport:
        from assistant.agreement import compare
        from assistant.codings import find_pairs

        return compare(find_pairs(a, b))

    def save_quote(
        self, question: str, item: Citation, mode: str = "search", model: str | None = None
    ) -> SaveResult:
        self.saved.append((question, item, mode, model))
        quote = NoteQuote.from_evidence(question, item.evidence, item.quote, mode=mode, model=model)
        return SaveResult(self.settings.notes_file, added=[quote])

    def load_embedder(self) -> None:
        return None

    def warm_up(self) -> None:
        return None


def _implements_the_contract(service: FakeService) -> AssistantService:
    # Checked by mypy (`make lint`): the fake cannot drift from what the app calls.
    return service
