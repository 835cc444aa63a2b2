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
from typing import TYPE_CHECKING, Any

from assistant.errors import AssistantError, LLMError, NotesError
from assistant.model import Answer, Citation, Corpus, Evidence, Filters, Progress, VariableValue

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from assistant.agreement import AgreementReport
    from assistant.codebook import Codebook
    from assistant.contract import AssistantService
    from assistant.embedder import Embedder
    from assistant.guide import GuideQuestion
    from assistant.index import IndexReader, IndexReport
    from assistant.minilm import MiniLM
    from assistant.notes import NotesListing, SaveResult
    from assistant.prevalence import By, Cooccurrence, Prevalence
    from assistant.qdpx_export import ExportReport
    from assistant.quotes import QuoteReport
    from assistant.retrieve import Retrieval, Retriever
    from assistant.settings import Settings
    from assistant.suggest import Suggestion

ProgressCallback = Callable[[Progress], None]
#: Sentence vectors kept for a session at most (about 1.5 KB each).
SENTENCE_CACHE = 20_000
TokenCallback = Callable[[str], None]


class Assistant:
    """Ask, search, index and take notes over one corpus, with one configuration."""

    def __init__(self, settings: Settings, *, embedder: BaseEmbedding | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._minilm: MiniLM | None = None
        self._reader: IndexReader | None = None
        self._guide: tuple[Path, list[GuideQuestion]] | None = None
        self._sentence_vectors: dict[str, Any] = {}
        self._query_vectors: dict[str, list[float]] = {}

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
            return Codebook.from_turns(
                (t for i in corpus.interviews for t in i.turns), corpus.codes
            )
        reader = self.reader()
        # Built once per reader, from the counts the index keeps per interview.
        cached = reader.cache.get("codebook")
        if cached is None:
            from assistant.model import CodeDefinition

            defined = [
                CodeDefinition(str(label), parent, description or "")
                for label, parent, description in reader.manifest.codes
            ]
            cached = reader.cache["codebook"] = Codebook.from_counts(reader.code_counts(), defined)
        return cached

    def indexed_corpus(self) -> Corpus:
        """The interviews as indexed (turns, paragraphs and their codes), without reading the
        transcripts again: what the chat shows, and what its citation keys resolve against."""
        from assistant.model import Interview

        reader = self.reader()
        cached = reader.cache.get("corpus")
        if cached is None:
            summaries = {i["id"]: i for i in reader.interviews()}
            by_id: dict[str, list[Evidence]] = {}
            for evidence in reader.all_turns():
                by_id.setdefault(evidence.turn.interview_id, []).append(evidence)
            interviews = tuple(
                Interview(
                    id=ident,
                    title=turns[0].title,
                    source=turns[0].source,
                    format=summaries.get(ident, {}).get("format", "transcript"),
                    sha256=summaries.get(ident, {}).get("sha256", ""),
                    turns=tuple(e.turn for e in turns),
                    cases=turns[0].cases,
                    variables=turns[0].variables,
                )
                for ident, turns in by_id.items()
            )
            cached = reader.cache["corpus"] = Corpus(interviews)
        return cached

    def prevalence(self, corpus: Corpus | None = None, by: By = "interview") -> Prevalence:
        """Coded paragraphs per code (parents with their children) and per interview, speaker
        or role, in ``corpus`` or else in what is indexed: ``assistant codes --matrix`` and the
        chat's Codes screen."""
        from assistant.prevalence import prevalence

        if corpus is None:
            corpus = self.indexed_corpus()
        return prevalence(corpus, by, self.codebook(corpus))

    def cooccurrence(self, corpus: Corpus) -> Cooccurrence:
        """Paragraphs carrying both of two codes, for every pair that meets."""
        from assistant.prevalence import cooccurrence

        return cooccurrence(corpus, self.codebook(corpus))

    def agreement(
        self,
        a: Path,
        b: Path | None = None,
        progress: ProgressCallback | None = None,
        users: Sequence[str] = (),
    ) -> AgreementReport:
        """Inter-coder agreement between two codings (two files, two folders, one folder of
        per-coder print-outs, or one REFI-QDA project coded by two ``users``), by paragraph;
        raises AssistantError when nothing pairs."""
        from assistant.agreement import compare
        from assistant.codings import find_pairs

        second = Path(b) if b is not None else None
        return compare(find_pairs(Path(a), second, progress, users))

    def suggest(
        self,
        corpus: Corpus | None = None,
        *,
        interviews: Sequence[str] = (),
        codes: Sequence[str] = (),
        threshold: float | None = None,
    ) -> list[Suggestion]:
        """Codes for the paragraphs that carry none, voted by the most similar paragraphs of
        the corpus, each with its confidence and the coded passages behind it. Read-only."""
        from assistant.embedder import embed_texts
        from assistant.suggest import THRESHOLD, suggest_codes

        if corpus is None:
            corpus = self.load_corpus()
        for wanted in interviews:
            if corpus.get(wanted) is None:
                known = ", ".join(i.id for i in corpus.interviews) or "none loaded"
                raise AssistantError(f"no interview {wanted!r} in the corpus (interviews: {known})")
        book = self.codebook(corpus)
        if not len(book):
            raise AssistantError(
                "no coded passages to learn from: suggest needs transcripts with codes "
                "(Delve exports or print-outs)"
            )
        labels = book.resolve(codes) if codes else None
        return suggest_codes(
            corpus,
            lambda texts: embed_texts(self.query_embedder, texts),
            interviews=interviews,
            codes=labels,
            threshold=THRESHOLD if threshold is None else threshold,
        )

    def save_suggestions(self, suggestions: Sequence[Suggestion], corpus: Corpus) -> SaveResult:
        """Append each suggested passage to the notes under "Suggested code CODE", so the
        researcher can check it; the transcripts are not touched."""
        from assistant.notes import NotesFile
        from assistant.suggest import as_notes

        return NotesFile(self.settings.notes_file).append(as_notes(suggestions, corpus))

    # -- index ----------------------------------------------------------------------------

    @property
    def embedder(self) -> BaseEmbedding:
        """The embedding model as llama-index sees it, for the build."""
        if self._embedder is None:
            from assistant.embedding_name import is_local
            from assistant.embeddings import make_embedder

            local = self._local_model() if is_local(self.settings) else None
            self._embedder = make_embedder(self.settings, local)
        return self._embedder

    @property
    def query_embedder(self) -> Embedder:
        """What embeds questions and quoted sentences: the bundled model itself when the
        settings name it (so asking never imports llama-index), else :attr:`embedder`."""
        from assistant.embedding_name import is_local

        if self._embedder is None and is_local(self.settings):
            return self._local_model()
        return self.embedder

    def _local_model(self) -> MiniLM:
        if self._minilm is None:
            from assistant.minilm import MiniLM

            self._minilm = MiniLM()
        return self._minilm

    def build_index(
        self, corpus: Corpus | None = None, progress: ProgressCallback | None = None
    ) -> IndexReport:
        """Bring the index up to date with the corpus: only new or changed interviews are
        embedded, removed ones are dropped, one interview at a time (each is switched whole)."""
        from assistant.index import Indexer
        from assistant.index.build import settled_report

        if corpus is None:
            corpus = self.load_corpus(progress=progress)
        report = settled_report(self.settings, corpus, self._model_name())
        if report is None:
            report = Indexer(self.settings, self.embedder).build(corpus, progress=progress)
        self._reader = None
        return report

    def reader(self) -> IndexReader:
        """The current index, opened once and reopened after a rebuild."""
        from assistant.index import open_index

        # Read once into a local: the chat's watcher resets ``_reader`` from another thread
        # after an update, and a question must never get None in between.
        reader = self._reader
        if reader is None or reader.is_outdated():
            # The model's name is enough to check the index; the model itself (llama-index,
            # onnxruntime) can then load in parallel, see load_embedder().
            reader = self._reader = open_index(self.settings, self._embedder or self._model_name())
        return reader

    # -- retrieval and answers ------------------------------------------------------------

    def search(
        self, query: str, *, k: int | None = None, filters: Filters | None = None
    ) -> list[Evidence]:
        """The turns of the best units for ``query`` (see :meth:`retrieve`)."""
        return self.retrieve(query, k=k, filters=filters).evidence

    def retrieve(
        self,
        query: str,
        *,
        k: int | None = None,
        filters: Filters | None = None,
        codes: Sequence[str] | None = None,
        relative_floor: float = 0.0,
    ) -> Retrieval:
        """Units, turns and matched codes for ``query`` (:meth:`Retriever.retrieve`)."""
        from assistant.settings import check_k

        k = check_k(k, self.settings.top_k)
        retriever = self._retriever()
        return retriever.retrieve(
            query,
            k=k,
            filters=filters or Filters(),
            mode=self.settings.fusion,
            codes=codes,
            relative_floor=relative_floor,
        )

    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        filters: Filters | None = None,
        on_token: TokenCallback | None = None,
        codes: Sequence[str] | None = None,
    ) -> Answer:
        """Answer from retrieved evidence: with the LLM when one is configured, else (or when it
        fails) extractively. Every quote in the result has been checked against the corpus.

        ``codes`` replaces the codes matched to the question (``Answer.codes`` lists them), e.g.
        after the researcher dropped one in the chat."""
        from assistant.answer.extractive import extractive_answer
        from assistant.answer.llm import LLMAnswerer

        question = question.strip()
        if not question:
            raise AssistantError("the question is empty")
        from assistant.settings import check_k

        k = check_k(k, self.settings.top_k)
        started = time.perf_counter()
        from assistant.retrieve import RELATIVE_FLOOR

        found = self.retrieve(
            question, k=k, filters=filters, codes=codes, relative_floor=RELATIVE_FLOOR
        )
        evidence = found.evidence
        # Nothing in the corpus is close to the question: both answerers then refuse. Filters
        # are the user's explicit choice of turns and do not count against the question.
        if evidence and not self.on_topic(question):
            evidence = []
        retrieved = time.perf_counter()
        # Sentences are chosen by closeness to the question when search found units.
        similar = self._similarity(question) if found.hits else None
        matched = [c.code for c in found.codes]
        notice: str | None = None
        if self.settings.llm_enabled:
            try:
                answer = LLMAnswerer(self.settings).answer(
                    question,
                    evidence,
                    on_token=on_token,
                    codes=matched,
                    prevalence=found.prevalence,
                )
            except LLMError as exc:
                notice = f"LLM unavailable ({exc}); showing the extractive answer instead."
                answer = extractive_answer(question, evidence, similar, matched, found.prevalence)
                answer.notice = notice
        else:
            answer = extractive_answer(question, evidence, similar, matched, found.prevalence)
        answer.codes = found.codes if evidence else []
        answer.guide = found.guide if evidence else None
        answer.timings = {
            "retrieve": retrieved - started,
            "answer": time.perf_counter() - retrieved,
            "total": time.perf_counter() - started,
        }
        return answer

    def _retriever(self) -> Retriever:
        # The vectors start loading before anything else a search needs is imported or built,
        # so that all of it overlaps the load.
        reader = self.reader()
        reader.load_vectors_in_background()
        from assistant.retrieve import Retriever

        return Retriever(
            reader, self.query_embedder, self.codebook(), self.guide(), self._query_vectors
        )

    def guide(self) -> list[GuideQuestion]:
        """The interview guide's questions (``guide_file``), read once; none without one."""
        path = self.settings.guide_file
        if path is None:
            return []
        if self._guide is None or self._guide[0] != path:
            from assistant.guide import load_guide

            self._guide = (path, load_guide(Path(path)))
        return self._guide[1]

    def _similarity(self, question: str) -> Callable[[list[str]], Sequence[float]]:
        """Cosine similarity of texts to ``question`` with the index's embedding model. Texts'
        vectors are kept for the session (a chat quotes the same passages again and again)."""
        import numpy as np

        from assistant.embedder import embed_texts

        cache = self._sentence_vectors

        def similar(texts: list[str]) -> Sequence[float]:
            asked = np.asarray(self._retriever()._vector(question), dtype=np.float32)
            new = [t for t in dict.fromkeys(texts) if t not in cache]
            if len(cache) + len(new) > SENTENCE_CACHE:
                cache.clear()
            if new:
                cache.update(zip(new, embed_texts(self.query_embedder, new), strict=True))
            return [float(cache[t] @ asked) for t in texts]

        return similar

    def evidence(self, key: str) -> Evidence | None:
        """Resolve a citation key against the current index."""
        return self.reader().evidence(key)

    def context(self, key: str, around: int = 3) -> list[Evidence]:
        """The turns around ``key`` in its interview, for reading a quote in context."""
        return self.reader().context(key, around=around)

    # -- notes and quotes by code (assistant/notes.py, assistant/quotes.py) ------------------

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

    def export_qdpx(
        self,
        out: Path,
        *,
        notes: bool = False,
        corpus: Corpus | None = None,
        progress: ProgressCallback | None = None,
        suggestions: Sequence[Suggestion] = (),
    ) -> ExportReport:
        """Write the corpus (default: the corpus folder) as a REFI-QDA project at ``out``, with
        its code book and codings, with ``notes`` every quote saved in the notes file, and
        ``suggestions`` (:meth:`suggest`) as codings by the user "interview assistant"."""
        from assistant.notes import NotesFile
        from assistant.qdpx_export import export_qdpx

        if corpus is None:
            corpus = self.load_corpus(progress=progress)
        saved = NotesFile(self.settings.notes_file).read() if notes else []
        model = self._model_name() if suggestions else ""
        return export_qdpx(
            corpus, self.codebook(corpus), out, saved, suggestions=suggestions, model=model
        )

    def quotes(
        self,
        code: str | Sequence[str],
        interview: str | Sequence[str] | None = None,
        *,
        speakers: Sequence[str] = (),
        roles: Sequence[str] = (),
        cases: Sequence[str] = (),
        variables: Sequence[VariableValue] = (),
        corpus: Corpus | None = None,
    ) -> QuoteReport:
        """Every passage coded ``code`` (a name or an abbreviation; a parent includes its
        children), from the corpus files as they are now (no index needed)."""
        from assistant.cases import resolve_cases
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
        held = resolve_cases(
            cases,
            variables,
            (c for i in corpus.interviews for c in i.cases),
            (v for i in corpus.interviews for v in i.variables),
        )
        items = select_quotes(
            corpus, labels, interviews=interviews, speakers=speakers, roles=roles, held=held
        )
        return QuoteReport(code=", ".join(codes), labels=labels, items=tuple(items))

    # -- start-up: what lets a front end be ready sooner -----------------------------------

    def _model_name(self) -> str:
        from assistant.embedding_name import configured_model_name

        return configured_model_name(self.settings)

    def load_embedder(self) -> Embedder:
        """Make the embedding model and load its weights now, not on the first question.
        Safe to run in a thread while ``reader()`` opens the index in another."""
        embedder = self.query_embedder
        load = getattr(embedder, "load", None)
        if callable(load):
            load()
        return embedder

    def warm_up(self) -> None:
        """Build what the first question needs besides the model: the BM25 index, the codebook
        and Chroma's vector index in memory. An endpoint embedder is not called (no request
        leaves the machine before the user asks)."""
        from assistant.retrieve import bm25_side

        self.reader().load_vectors_in_background()
        bm25_side(self.reader())
        self.codebook()
        if not getattr(self.query_embedder, "calls_endpoint", False):
            self.search("warm up", k=1)
            self.on_topic("warm up")  # calibrates the relevance floor once per index

    # -- relevance floor (assistant/answer/relevance.py) -----------------------------------

    def on_topic(self, question: str, *, filters: Filters | None = None) -> bool:
        """Whether any unit (within ``filters``, if given) is close enough to ``question`` to
        answer it, on an absolute scale calibrated for this index (search scores are
        relative: the best is always ~1)."""
        from assistant.answer.relevance import best_cosine, floor, is_on_topic

        retriever = self._retriever()
        return is_on_topic(best_cosine(retriever, question, filters), floor(retriever))


def make_assistant(
    settings: Settings | None = None, *, embedder: BaseEmbedding | None = None, **overrides: object
) -> Assistant:
    """The factory both front ends and the tests use (tests inject a small embedder)."""
    # Imported here: pydantic-settings costs ~70 ms, which the chat would pay before its first
    # paint if it were imported with this module.
    from assistant.settings import load_settings

    return Assistant(settings or load_settings(**overrides), embedder=embedder)


if TYPE_CHECKING:

    def _implements_the_contract(service: Assistant) -> AssistantService:
        # mypy checks the front ends' contract here; a drifting signature fails `make lint`.
        return service
