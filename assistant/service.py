"""The one object both front ends talk to.

``Assistant`` owns the settings and the embedding model and hands each request to the
pipeline module that does the work. It holds no logic of its own beyond choosing between an
LLM answer and the extractive fallback, so the CLI and the TUI behave identically.
Heavy libraries (chromadb, llama-index, onnxruntime) are imported on first use, not here,
so a front end can paint before they load.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import AssistantError, LLMError, NotesError
from assistant.model import Answer, Citation, Corpus, Evidence, Filters, Progress

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from assistant.codebook import Codebook
    from assistant.index import IndexReader, IndexReport
    from assistant.notes import NotesListing, SaveResult
    from assistant.quotes import QuoteReport
    from assistant.settings import Settings

ProgressCallback = Callable[[Progress], None]
TokenCallback = Callable[[str], None]


class Assistant:
    """Ask, search, index and take notes over one corpus, with one configuration."""

    def __init__(self, settings: Settings, *, embedder: BaseEmbedding | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._reader: IndexReader | None = None

    # -- corpus ---------------------------------------------------------------------------

    def load_corpus(
        self, paths: Sequence[Path] | None = None, progress: ProgressCallback | None = None
    ) -> Corpus:
        """Read transcripts from ``paths`` (files or folders), default the corpus folder."""
        from assistant.ingest import load_corpus

        return load_corpus(
            list(paths) if paths else [self.settings.corpus_dir],
            progress=progress,
            limits=self.settings.limits,
        )

    def codebook(self, corpus: Corpus | None = None) -> Codebook:
        """The code tree of ``corpus``, or of what is indexed when no corpus is given."""
        from assistant.codebook import Codebook

        if corpus is not None:
            return Codebook.from_turns(t for i in corpus.interviews for t in i.turns)
        reader = self.reader()
        # Built once per index generation: at 1,000 interviews it is a pass over every turn.
        cached = reader.cache.get("codebook")
        if cached is None:
            cached = reader.cache["codebook"] = Codebook.from_turns(
                e.turn for e in reader.all_turns()
            )
        return cached

    # -- index ----------------------------------------------------------------------------

    @property
    def embedder(self) -> BaseEmbedding:
        if self._embedder is None:
            from assistant.embeddings import make_embedder

            self._embedder = make_embedder(self.settings)
        return self._embedder

    def build_index(
        self, corpus: Corpus | None = None, progress: ProgressCallback | None = None
    ) -> IndexReport:
        """Bring the index up to date with the corpus: only new or changed interviews are
        embedded, removed ones are dropped. Readers keep the previous index until the switch."""
        from assistant.index import Indexer

        if corpus is None:
            corpus = self.load_corpus(progress=progress)
        report = Indexer(self.settings, self.embedder).build(corpus, progress=progress)
        self._reader = None
        return report

    def reader(self) -> IndexReader:
        """The current index, opened once and reopened after a rebuild."""
        from assistant.index import open_index

        if self._reader is None or self._reader.is_outdated():
            # The model's name is enough to check the index; the model itself (llama-index,
            # onnxruntime) can then load in parallel, see load_embedder().
            self._reader = open_index(self.settings, self._embedder or self._model_name())
        return self._reader

    # -- retrieval and answers ------------------------------------------------------------

    def search(
        self, query: str, *, k: int | None = None, filters: Filters | None = None
    ) -> list[Evidence]:
        from assistant.retrieve import Retriever
        from assistant.settings import check_k

        k = check_k(k, self.settings.top_k)
        reader = self.reader()
        retriever = Retriever(reader, self.embedder, self.codebook())
        return retriever.search(
            query,
            k=k,
            filters=filters or Filters(),
            mode=self.settings.fusion,
        )

    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        filters: Filters | None = None,
        on_token: TokenCallback | None = None,
    ) -> Answer:
        """Answer from retrieved evidence: with the LLM when one is configured, else (or when it
        fails) extractively. Every quote in the result has been checked against the corpus."""
        from assistant.answer import LLMAnswerer, extractive_answer
        from assistant.answer.expand import applies, with_answers

        question = question.strip()
        if not question:
            raise AssistantError("the question is empty")
        from assistant.settings import check_k

        k = check_k(k, self.settings.top_k)
        started = time.perf_counter()
        evidence = self.search(question, k=k, filters=filters)
        # Nothing in the corpus is close to the question: both answerers then refuse. Filters
        # are the user's explicit choice of turns and do not count against the question.
        if evidence and not self.on_topic(question):
            evidence = []
        # Search often ranks the interviewer's question above the answer to it; bring the
        # answering turns along (not under filters, which those turns may not pass).
        if applies(filters):
            evidence = with_answers(evidence, self.context)
        retrieved = time.perf_counter()
        notice: str | None = None
        if self.settings.llm_enabled:
            try:
                answer = LLMAnswerer(self.settings).answer(question, evidence, on_token=on_token)
            except LLMError as exc:
                notice = f"LLM unavailable ({exc}); showing the extractive answer instead."
                answer = extractive_answer(question, evidence)
                answer.notice = notice
        else:
            answer = extractive_answer(question, evidence)
        answer.timings = {
            "retrieve": retrieved - started,
            "answer": time.perf_counter() - retrieved,
            "total": time.perf_counter() - started,
        }
        return answer

    def evidence(self, key: str) -> Evidence | None:
        """Resolve a citation key against the current index."""
        return self.reader().evidence(key)

    def context(self, key: str, around: int = 3) -> list[Evidence]:
        """The turns around ``key`` in its interview, for reading a quote in context."""
        return self.reader().context(key, around=around)

    # -- notes and quotes by code (NOTES helper: assistant/notes.py, assistant/quotes.py) --

    def save_answer(self, answer: Answer) -> SaveResult:
        """Append the answer's verified quotes to the notes file; unverified ones are skipped
        (and reported), as is a turn already saved under the same question."""
        from assistant.notes import NotesFile, quotes_from_answer

        keep, unverified = quotes_from_answer(answer)
        result = NotesFile(self.settings.notes_file).append(keep)
        result.skipped[:0] = unverified
        return result

    def save_quote(
        self,
        question: str,
        item: Citation | Evidence,
        mode: str = "search",
        model: str | None = None,
    ) -> SaveResult:
        """Save one quote (a Citation of an answer, or a whole retrieved turn) under
        ``question``: the TUI's ``n`` key. An unverified citation raises NotesError."""
        from assistant.notes import NoteQuote, NotesFile, is_verbatim

        if isinstance(item, Citation):
            if not (item.verified and is_verbatim(item.quote, item.evidence.turn)):
                raise NotesError(
                    f"quote [{item.n}] ({item.evidence.key}) is not verified against the "
                    "corpus, so it is not saved"
                )
            evidence, text = item.evidence, item.quote
        else:
            evidence, text = item, item.turn.text
        quote = NoteQuote.from_evidence(question, evidence, text, mode=mode, model=model)
        return NotesFile(self.settings.notes_file).append([quote])

    def add_notes(self, keys: Sequence[str], question: str | None = None) -> SaveResult:
        """Save whole turns by citation key (as printed by search and ask). Every key is
        resolved before anything is written, so one unknown key saves nothing."""
        from assistant.model import parse_citation_key
        from assistant.notes import NoteQuote, NotesFile

        heading = question or "Quotes added by citation key"
        resolved = []
        for key in keys:
            try:
                parse_citation_key(key)
            except ValueError as exc:
                raise NotesError(str(exc)) from None
            evidence = self.evidence(key.strip())
            if evidence is None:
                raise NotesError(f"no turn {key.strip()} in the index (unknown citation key)")
            resolved.append(
                NoteQuote.from_evidence(
                    heading, evidence, evidence.turn.text, mode="key", model=None
                )
            )
        return NotesFile(self.settings.notes_file).append(resolved)

    def list_notes(self) -> NotesListing:
        """The saved quotes, each flagged stale when its turn vanished or changed in the
        current index. Read-only: the notes file is never touched."""
        from assistant.errors import IndexMissingError, RebuildNeededError
        from assistant.notes import NotesFile, NotesListing, check_stale

        path = self.settings.notes_file
        saved = NotesFile(path).read()
        if not saved:
            return NotesListing(path, [], checked=False)
        try:
            checked = check_stale(saved, self.reader().evidence)
        except (IndexMissingError, RebuildNeededError) as exc:
            return NotesListing(
                path, saved, checked=False, notice=f"not checked for staleness: {exc}"
            )
        return NotesListing(path, checked, checked=True)

    def quotes(
        self,
        code: str | Sequence[str],
        interview: str | Sequence[str] | None = None,
        *,
        speakers: Sequence[str] = (),
        roles: Sequence[str] = (),
        corpus: Corpus | None = None,
    ) -> QuoteReport:
        """Every passage coded ``code`` (a name or an abbreviation; a parent includes its
        children), from the corpus files as they are now (no index needed)."""
        from assistant.quotes import QuoteReport, select_quotes

        codes = [code] if isinstance(code, str) else list(code)
        interviews = [interview] if isinstance(interview, str) else list(interview or ())
        if not codes:
            raise AssistantError("name a code, e.g. --code MLP")
        if corpus is None:
            corpus = self.load_corpus()
        for wanted in interviews:
            if corpus.get(wanted) is None:
                known = ", ".join(i.id for i in corpus.interviews) or "none loaded"
                raise AssistantError(f"no interview {wanted!r} in the corpus (interviews: {known})")
        labels = self.codebook(corpus).resolve(codes)
        items = select_quotes(corpus, labels, interviews=interviews, speakers=speakers, roles=roles)
        return QuoteReport(code=", ".join(codes), labels=labels, items=tuple(items))

    # -- start-up (PERF helper): what lets a front end be ready sooner -----------------------

    def _model_name(self) -> str:
        from assistant.embedding_name import configured_model_name

        return configured_model_name(self.settings)

    def load_embedder(self) -> BaseEmbedding:
        """Make the embedding model and load its weights now, not on the first question.
        Safe to run in a thread while ``reader()`` opens the index in another."""
        embedder = self.embedder
        load = getattr(embedder, "load", None)
        if callable(load):
            load()
        return embedder

    def warm_up(self) -> None:
        """Build what the first question needs besides the model: the BM25 index, the codebook
        and Chroma's vector index in memory. An endpoint embedder is not called (no request
        leaves the machine before the user asks)."""
        from assistant.embeddings import OpenAICompatibleEmbedding
        from assistant.retrieve import bm25_side

        bm25_side(self.reader())
        self.codebook()
        if not isinstance(self.embedder, OpenAICompatibleEmbedding):
            self.search("warm up", k=1)

    # -- relevance floor (ANSWER helper: assistant/answer/relevance.py) ----------------------

    def on_topic(self, question: str, *, filters: Filters | None = None) -> bool:
        """Whether any turn (within ``filters``, if given) is close enough to ``question`` to
        answer it, on an absolute scale (search scores are relative: the best is always ~1)."""
        from assistant.answer.relevance import best_cosine, is_on_topic
        from assistant.retrieve import Retriever

        retriever = Retriever(self.reader(), self.embedder, self.codebook())
        return is_on_topic(best_cosine(retriever, question, filters))


def make_assistant(
    settings: Settings | None = None, *, embedder: BaseEmbedding | None = None, **overrides: object
) -> Assistant:
    """The factory both front ends and the tests use (tests inject a small embedder)."""
    # Imported here: pydantic-settings costs ~70 ms, which the chat would pay before its first
    # paint if it were imported with this module.
    from assistant.settings import load_settings

    return Assistant(settings or load_settings(**overrides), embedder=embedder)
