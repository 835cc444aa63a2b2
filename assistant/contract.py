"""What a front end may ask of the core: the service contract the chat is written against.

``Assistant`` (``assistant/service.py``) is the one implementation; the TUI tests hand the app
a stand-in that controls timing and data. Both are checked against this Protocol by mypy (see
the end of ``service.py`` and ``tests/tui_fakes.py``), so a method the chat calls cannot be
missing or differently shaped in either, and the app never probes with ``getattr``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from assistant.agreement import AgreementReport
    from assistant.codebook import Codebook
    from assistant.index.build import IndexReport
    from assistant.model import Answer, Citation, Corpus, Evidence, Filters, Progress
    from assistant.notes import SaveResult
    from assistant.prevalence import By, Prevalence
    from assistant.quotes import QuoteReport
    from assistant.settings import Settings


class Turns(Protocol):
    """An open index, as far as a front end reads it."""

    def all_turns(self) -> Sequence[Evidence]: ...

    def interviews(self) -> list[dict[str, Any]]: ...

    def turn_codes(self) -> list[tuple[str, ...]]: ...


class AssistantService(Protocol):
    """The calls the chat makes; each may raise ``AssistantError`` with a one-line message."""

    settings: Settings

    # -- starting and indexing ---------------------------------------------------------------

    def reader(self) -> Turns:
        """Open the index (raises ``IndexMissingError`` or ``RebuildNeededError``)."""
        ...

    def load_embedder(self) -> object:
        """Load the embedding model now; safe beside ``reader()`` in another thread."""
        ...

    def warm_up(self) -> None:
        """Build what the first question needs, so it is answered promptly."""
        ...

    def load_corpus(
        self,
        paths: Sequence[Path] | None = None,
        progress: Callable[[Progress], None] | None = None,
    ) -> Corpus:
        """Read the transcripts (the corpus folder by default); the watcher indexes them."""
        ...

    def build_index(
        self, corpus: Corpus | None = None, progress: Callable[[Progress], None] | None = None
    ) -> IndexReport: ...

    # -- asking and reading --------------------------------------------------------------

    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        filters: Filters | None = None,
        on_token: Callable[[str], None] | None = None,
        codes: Sequence[str] | None = None,
    ) -> Answer: ...

    def evidence(self, key: str) -> Evidence | None: ...

    def context(self, key: str, around: int = 3) -> list[Evidence]: ...

    def save_quote(
        self, question: str, item: Citation, mode: str = ..., model: str | None = None
    ) -> SaveResult: ...

    # -- codes -------------------------------------------------------------------------------

    def codebook(self, corpus: Corpus | None = None) -> Codebook: ...

    def indexed_corpus(self) -> Corpus: ...

    def prevalence(self, corpus: Corpus | None = None, by: By = ...) -> Prevalence: ...

    def quotes(self, code: str, interview: str | None = None, *, corpus: Corpus) -> QuoteReport: ...

    def agreement(self, a: Path, b: Path | None = None) -> AgreementReport: ...
