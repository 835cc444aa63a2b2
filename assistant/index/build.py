"""Bring the index up to date with a corpus, embedding only what changed.

The new generation is assembled aside: nodes of unchanged interviews are copied from the
current generation with their vectors; new and changed interviews are turned into nodes (one
per turn, one per utterance and exchange: :mod:`assistant.units`), and only nodes whose
embedded text is new are embedded (an utterance of one turn costs nothing more) (an edit to one turn of an interview
re-embeds that turn alone, not the interview or the corpus). Then the pointer switches.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.errors import AssistantError
from assistant.index import nodes as nodes_mod
from assistant.index import health, store
from assistant.model import Corpus, Interview, Progress
from assistant.settings import Settings
from assistant.units import build_units

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.schema import TextNode

ProgressCallback = Callable[[Progress], None]

#: Texts embedded between two progress reports (and two writes to Chroma); large enough that
#: sorting by length inside it keeps padding low (128 measured 0.78 of raw throughput).
EMBED_CHUNK = 512


@dataclass
class IndexReport:
    """What a build did. ``to_dict()`` is the JSON of ``assistant index --json``."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: Indexed interviews whose file failed to load this time: their previous version stays.
    kept: list[str] = field(default_factory=list)
    turns_embedded: int = 0
    seconds: float = 0.0
    #: Per interview: turns in the index and turns embedded this time.
    turns: dict[str, int] = field(default_factory=dict)
    embedded: dict[str, int] = field(default_factory=dict)
    #: Why everything was re-embedded (another embedding model, a new index format), if it was.
    rebuilt: str | None = None
    generation: str | None = None
    embed_model: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "kept": self.kept,
            "turns_embedded": self.turns_embedded,
            "seconds": round(self.seconds, 3),
            "turns": self.turns,
            "embedded": self.embedded,
            "rebuilt": self.rebuilt,
            "generation": self.generation,
            "embed_model": self.embed_model,
        }

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.rebuilt)


def _unique_interviews(corpus: Corpus) -> list[Interview]:
    seen: dict[str, Interview] = {}
    for interview in corpus.interviews:
        seen.setdefault(interview.id, interview)
    return list(seen.values())


def _same_file(source: str) -> str:
    try:
        return str(Path(source).resolve())
    except OSError:
        return source


def _entry(interview: Interview) -> store.InterviewEntry:
    return store.InterviewEntry(
        sha256=interview.sha256,
        title=interview.title,
        source=interview.source,
        format=interview.format,
        turns=len(interview.turns),
    )


class Indexer:
    """Builds the index for ``settings`` with ``embedder``; one build at a time per folder."""

    def __init__(self, settings: Settings, embedder: BaseEmbedding) -> None:
        self.settings = settings
        self.embedder = embedder

    def build(self, corpus: Corpus, progress: ProgressCallback | None = None) -> IndexReport:
        started = time.perf_counter()
        try:
            with store.BuildLock(self.settings):
                report = self._build(corpus, progress or (lambda _p: None))
                health.reclaim_space(self.settings)
        except AssistantError:
            raise
        except Exception as exc:
            # A full disk or a read-only index is the researcher's to fix, in one line.
            problem = health.write_problem(self.settings, exc, building=True)
            if problem is None:
                raise
            raise problem from None
        report.seconds = time.perf_counter() - started
        return report

    def _build(self, corpus: Corpus, progress: ProgressCallback) -> IndexReport:
        client = store.make_client(self.settings)
        pointer = store.read_pointer(client, self.settings)
        model = self.embedder.model_name
        report = IndexReport(embed_model=model)
        old_col, old = None, None
        if pointer.current:
            try:
                old_col = store.get_collection(client, pointer.current)
                old = store.Manifest.of(old_col)
            except Exception:  # a pointer to a vanished collection: start afresh
                old_col, old = None, None
        if old is not None and old.embed_model != model:
            report.rebuilt = f"embedding model changed from {old.embed_model} to {model}"
        elif old is not None and old.format_version != nodes_mod.FORMAT_VERSION:
            report.rebuilt = (
                f"index format changed from {old.format_version} to {nodes_mod.FORMAT_VERSION}"
            )
        if old_col is not None and report.rebuilt is None:
            problem = health.vectors_problem(old_col)
            if problem is not None:
                report.rebuilt = f"the search vectors of the index were damaged ({problem})"
        reuse = old is not None and report.rebuilt is None
        before = old.interviews if old is not None else {}

        interviews = _unique_interviews(corpus)
        current_ids = {i.id for i in interviews}
        for interview in interviews:
            entry = before.get(interview.id)
            if entry is None:
                report.added.append(interview.id)
            elif entry.sha256 != interview.sha256 or not reuse:
                report.changed.append(interview.id)
            else:
                report.unchanged.append(interview.id)
            report.turns[interview.id] = len(interview.turns)
            report.embedded[interview.id] = 0
        # A file that fails to load now must not cost its interview's place in the index.
        failed = {_same_file(p.source) for p in corpus.errors}
        for iid in sorted(set(before) - current_ids):
            if _same_file(before[iid].source) in failed:
                report.kept.append(iid)
            else:
                report.removed.append(iid)
        report.generation = pointer.current
        codes: list[list[str | None]] = [[d.label, d.parent, d.description] for d in corpus.codes]
        if old is not None and not report.changed_anything and old.codes == codes:
            store.drop_stale_generations(client, {pointer.current or "", pointer.previous or ""})
            return report

        name = f"{store.PREFIX}{pointer.counter + 1:06d}"
        manifest = store.Manifest(
            embed_model=model,
            format_version=nodes_mod.FORMAT_VERSION,
            interviews={
                **{iid: before[iid] for iid in report.kept},
                **{i.id: _entry(i) for i in interviews},
            },
            built_at=time.time(),
            codes=codes,
        )
        # Orphans of an interrupted build, and any generation older than the previous one.
        store.drop_stale_generations(client, {pointer.current or ""})
        new_col = store.create_generation(client, name, manifest)
        try:
            self._fill(client, new_col, old_col if reuse else None, interviews, report, progress)
        except BaseException as exc:
            # Judged before the cleanup below gives space back: Chroma does not always say that
            # the disk was full, and afterwards the disk no longer looks it.
            disk_error = (
                health.write_problem(self.settings, exc, building=True)
                if isinstance(exc, Exception)
                else None
            )
            # Leave no half-built generation behind; the pointer was never moved.
            try:
                client.delete_collection(name)
            except Exception:  # the original error matters more than this cleanup
                pass
            if disk_error is not None:
                raise disk_error from None
            raise
        store.write_pointer(
            client,
            store.Pointer(current=name, previous=pointer.current, counter=pointer.counter + 1),
        )
        report.generation = name
        store.drop_stale_generations(client, {name, pointer.current or ""})
        return report

    def _fill(
        self,
        client: Any,
        new_col: Any,
        old_col: Any,
        interviews: list[Interview],
        report: IndexReport,
        progress: ProgressCallback,
    ) -> None:
        from llama_index.vector_stores.chroma import ChromaVectorStore

        from assistant.embeddings import embed_texts

        batch = max(1, min(5000, int(client.get_max_batch_size())))
        keep = set(report.unchanged) | set(report.kept)
        # Vectors of changed interviews' old turns, by hash of their embedded text: a turn
        # whose embedded text did not change is not embedded again.
        cache: dict[str, np.ndarray] = {}
        if old_col is not None:
            total = old_col.count()
            for offset in range(0, total, batch):
                got = old_col.get(
                    limit=batch, offset=offset, include=["embeddings", "documents", "metadatas"]
                )
                rows = list(
                    zip(
                        got["ids"],
                        got["embeddings"],
                        got["documents"],
                        got["metadatas"],
                        strict=True,
                    )
                )
                for _id, vector, _doc, meta in rows:
                    if meta["interview"] not in keep:
                        cache[meta.get("embed_hash", "")] = np.asarray(vector, dtype=np.float32)
                copy = [r for r in rows if r[3]["interview"] in keep]
                if copy:
                    new_col.add(
                        ids=[r[0] for r in copy],
                        embeddings=[r[1] for r in copy],
                        documents=[r[2] for r in copy],
                        metadatas=[r[3] for r in copy],
                    )
                progress(Progress("copying unchanged turns", min(offset + batch, total), total))

        todo: list[tuple[TextNode, str]] = []
        # Where each interview's nodes end in ``todo``: progress counts interviews finished.
        ends: list[int] = []
        for interview in interviews:
            if interview.id in keep:
                continue
            turns = interview.turns
            texts = nodes_mod.embedding_texts(turns)
            todo.extend(
                nodes_mod.make_node(interview, turns, i, texts[i]) for i in range(len(turns))
            )
            by_ordinal = {t.ordinal: t for t in turns}
            for unit in build_units(turns):
                members = [by_ordinal[o] for o in unit.ordinals]
                todo.append(nodes_mod.make_unit_node(interview, unit, members))
            ends.append(len(todo))
        vector_store = ChromaVectorStore(chroma_collection=new_col)
        total = len(todo)
        progress(Progress("embedding", 0, total, interviews_total=len(ends)))
        # Chroma writes a chunk in another thread while the next chunk is embedded (onnxruntime
        # releases the GIL). One write at a time, in order; the last finishes before the switch.
        with ThreadPoolExecutor(1, thread_name_prefix="chroma-write") as writer:
            pending: Future[Any] | None = None
            for start in range(0, total, EMBED_CHUNK):
                chunk = todo[start : start + EMBED_CHUNK]
                missing: dict[str, tuple[TextNode, str]] = {}
                for node, text in chunk:
                    if node.metadata["embed_hash"] not in cache:
                        missing.setdefault(node.metadata["embed_hash"], (node, text))
                if missing:
                    vectors = embed_texts(self.embedder, [t for _, t in missing.values()])
                    if vectors.shape[0] != len(missing):
                        raise AssistantError(
                            f"the embedding model {self.embedder.model_name} returned "
                            f"{vectors.shape[0]} vectors for {len(missing)} texts"
                        )
                    for (digest, (node, _)), vector in zip(missing.items(), vectors, strict=True):
                        cache[digest] = vector
                        report.embedded[node.metadata["interview"]] += 1
                    report.turns_embedded += len(missing)
                for node, _ in chunk:
                    node.embedding = cache[node.metadata["embed_hash"]].tolist()
                if pending is not None:
                    pending.result()  # a failed write stops the build here
                pending = writer.submit(vector_store.add, [n for n, _ in chunk])
                title = next(
                    (str(n.metadata["title"]) for n, _ in reversed(chunk) if "title" in n.metadata),
                    "",
                )
                progress(
                    Progress(
                        "embedding",
                        start + len(chunk),
                        total,
                        detail=title,
                        interviews_done=bisect.bisect_right(ends, start + len(chunk)),
                        interviews_total=len(ends),
                    )
                )
            if pending is not None:
                pending.result()
