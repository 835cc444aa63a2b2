"""Bring the index up to date with a corpus, in place, writing only what changed.

Each new, changed or removed interview is an update of its own; unchanged interviews are not
touched (not read, not copied). Interviews are embedded in chunks of about ``EMBED_CHUNK``
texts and written while the next chunk is embedded, so memory does not grow with the corpus.

**The journal.** Every node in Chroma is tagged with the ``version`` of its interview, and the
manifest (:mod:`assistant.index.manifest`) names the live version of each. An update of
interview I from version v to w = max(v, pending) + 1 writes, in this order:

1. the manifest record of I with ``pending = w`` (the journal entry);
2. I's new nodes with ``version = w`` (upserts: ids are derived from content, so writing them
   twice converges; vectors already in Chroma for the same text are reused, not embedded);
3. the switch: the manifest record with ``version = w`` (one atomic Chroma write; an interview
   being added has no older version, and its record is written with ``pending = 0`` here);
4. I's rows in the side store (one SQLite transaction) — readers that find them missing refill
   them from the nodes of version w (:mod:`assistant.index.sync`);
5. the deletion of I's nodes of any other version, then ``pending = 0``.

Readers use only the live version: the side store holds exactly it, and a vector hit on a node
the side store does not know (a version being written, or one not yet deleted) is dropped. So
after ``kill -9`` at any point each interview is entirely old (before 3) or entirely new
(after), and the next build finishes the work: a record with ``pending`` equal to its version
only needs step 5; one with another ``pending`` is redone with a fresh version, reusing the
vectors already written. A removal marks the record ``removing`` (readers drop it at once),
deletes the rows and nodes, then the record. One build at a time (:class:`store.BuildLock`).

Ctrl+C stops between interviews: the interviews already switched stay, the rest is the next
build's work.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.errors import AssistantError, IndexInterruptedError
from assistant.index import health, store, sync
from assistant.index import manifest as mf
from assistant.index import nodes as nodes_mod
from assistant.index.crash_test import hook as _hook
from assistant.index.report import IndexReport
from assistant.index.side import FILE as SIDE_FILE
from assistant.index.side import SideStore, sort_key
from assistant.model import Corpus, Evidence, Interview, Progress
from assistant.settings import Settings
from assistant.units import UNIT_KINDS, Unit, build_units

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

ProgressCallback = Callable[[Progress], None]

#: Texts embedded between two progress reports (and two writes to Chroma); large enough that
#: sorting by length inside it keeps padding low (128 measured 0.78 of raw throughput).
EMBED_CHUNK = 512
#: Vectors kept in memory for texts repeated across interviews ("Yeah."): bounded, so a build's
#: memory does not grow with the corpus (5,000 vectors are 7.5 MB).
VECTOR_CACHE = 20_000
#: The side store's record of the vector files' signature after the last build.
VECTOR_FILES = "vector_files"
#: Side-store info key: what the last complete build left (each interview's file digest, the
#: codes, model, format, manifest counter, vector files and database file). A build erases it
#: before writing anything and writes it when done, so it is present only while the index is
#: settled; a build that finds the corpus and the files as it says has nothing to do and does
#: not open Chroma at all (importing chromadb alone was most of a no-op build's 1.45 s at
#: 1,000 interviews). Never on a Chroma server, which other researchers may write to.
SETTLED = "settled"


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


@dataclass
class _Update:
    """One interview's new version, embedded and ready to write."""

    interview: Interview
    nodes: list[tuple[Any, str]]
    turns: list[tuple[str, Evidence]]
    units: list[tuple[str, Unit]]
    previous: mf.InterviewEntry | None
    version: int = 0


def _vectorless(node: Any) -> bool:
    return bool(node.metadata["kind"] == nodes_mod.TURN)


def _other_versions(interview_id: str, version: int) -> dict[str, Any]:
    return {"$and": [{"interview": interview_id}, {"version": {"$ne": version}}]}


def _settled_record(
    settings: Settings, corpus: Corpus, model_name: str, signature: str, counter: str | None
) -> dict[str, Any]:
    return {
        "embed_model": model_name,
        "format": nodes_mod.FORMAT_VERSION,
        "vector_files": signature,
        "database": health.database_signature(settings),
        "codes": [[d.label, d.parent, d.description] for d in corpus.codes],
        "interviews": {i.id: i.sha256 for i in _unique_interviews(corpus)},
        "counter": counter,
    }


def _settled(settings: Settings, corpus: Corpus, model_name: str) -> IndexReport | None:
    """The no-op report when the settled record matches ``corpus`` (see SETTLED), else None.
    A corpus with a file that failed to load always takes the full path, as does a side store
    that cannot be read (the full path says why)."""
    folder = Path(settings.index_dir)
    if corpus.errors or not (folder / SIDE_FILE).is_file():
        return None
    signature = health.vector_files_signature(settings)
    if signature is None:
        return None
    try:
        side = SideStore(folder)
        try:
            raw = side.info(SETTLED)
        finally:
            side.close()
        seen = json.loads(raw) if raw else None
    except (sqlite3.Error, OSError, ValueError):
        return None
    if not isinstance(seen, dict) or seen != _settled_record(
        settings, corpus, model_name, signature, seen.get("counter")
    ):
        return None
    interviews = sorted(seen["interviews"], key=sort_key)
    return IndexReport(
        unchanged=interviews,
        turns={i.id: len(i.turns) for i in _unique_interviews(corpus)},
        embedded=dict.fromkeys(interviews, 0),
        generation=seen["counter"],
        embed_model=model_name,
    )


def settled_report(settings: Settings, corpus: Corpus, model_name: str) -> IndexReport | None:
    """What :meth:`Indexer.build` would report when it has nothing to do, found without loading
    the embedding model or Chroma (a no-op ``assistant index`` then takes a fraction of a
    second); None when there may be work. Takes the build lock, so it is refused like a build
    while another one runs."""
    started = time.perf_counter()
    try:
        with store.BuildLock(settings):
            report = _settled(settings, corpus, model_name)
    except OSError:
        return None  # a read-only or full disk: the build names the problem in its words
    if report is not None:
        report.seconds = time.perf_counter() - started
    return report


class Indexer:
    """Builds the index for ``settings`` with ``embedder``; one build at a time per folder."""

    def __init__(self, settings: Settings, embedder: BaseEmbedding) -> None:
        self.settings = settings
        self.embedder = embedder
        #: Interviews switched to their new version by the current (or last) build.
        self.written: list[str] = []

    def build(self, corpus: Corpus, progress: ProgressCallback | None = None) -> IndexReport:
        started = time.perf_counter()
        self.written = []
        try:
            with store.BuildLock(self.settings):
                settled = _settled(self.settings, corpus, self.embedder.model_name)
                if settled is not None:
                    settled.seconds = time.perf_counter() - started
                    return settled
                report = self._build(corpus, progress or (lambda _p: None))
                health.reclaim_space(self.settings)
                self._remember_settled(corpus, report)
        except AssistantError:
            raise
        except KeyboardInterrupt:
            done = len(self.written)
            raise IndexInterruptedError(
                f"index build interrupted: {done} interview{'s' * (done != 1)} written and "
                "kept; run `assistant index` to index the rest"
            ) from None
        except Exception as exc:
            # A full disk or a read-only index is the researcher's to fix, in one line.
            problem = health.write_problem(self.settings, exc, building=True)
            if problem is None:
                raise
            raise problem from None
        report.seconds = time.perf_counter() - started
        return report

    def _remember_settled(self, corpus: Corpus, report: IndexReport) -> None:
        """Store the vector files' signature as this build leaves them (sound: it wrote them,
        or found them searchable), so the next build can skip loading them to check; and,
        when every interview of the corpus is in the index as loaded, the settled record."""
        signature = health.vector_files_signature(self.settings)
        if signature is None:
            return
        side = SideStore(Path(self.settings.index_dir))
        try:
            side.set_info(VECTOR_FILES, signature)
            if not (corpus.errors or report.kept):
                record = _settled_record(
                    self.settings, corpus, self.embedder.model_name, signature, report.generation
                )
                side.set_info(SETTLED, json.dumps(record, sort_keys=True))
        finally:
            side.close()

    # -- the plan -------------------------------------------------------------------------

    def _build(self, corpus: Corpus, progress: ProgressCallback) -> IndexReport:
        side = SideStore(Path(self.settings.index_dir))
        try:
            side.set_info(SETTLED, "")
            return self._build_with(side, corpus, progress)
        finally:
            side.close()

    def _build_with(
        self, side: SideStore, corpus: Corpus, progress: ProgressCallback
    ) -> IndexReport:
        client = store.make_client(self.settings)
        model = self.embedder.model_name
        report = IndexReport(embed_model=model)
        mcol = mf.collection(client, create=True)
        col = store.create_nodes(client)
        old = mf.read(mcol)
        if old is not None and store.changed_elsewhere(self.settings, old.counter):
            client = store.fresh_client(self.settings)
            mcol = mf.collection(client, create=True)
            col = store.create_nodes(client)
            old = mf.read(mcol)
        if (
            old is not None
            and old.format_version in nodes_mod.MOVABLE_FORMATS
            and old.embed_model == model
        ):
            report.moved = store.split_by_kind(client, col)
            report.moved += store.move_turn_records(client, col)
            old.format_version = nodes_mod.FORMAT_VERSION
            old.counter += 1
            mf.write_info(mcol, old)
            store.remember_counter(self.settings, old.counter)
        legacy = store.legacy_format(client)
        if old is None and legacy:
            report.rebuilt = f"index format changed from 2 to {nodes_mod.FORMAT_VERSION}"
        elif old is not None and old.embed_model != model:
            report.rebuilt = f"embedding model changed from {old.embed_model} to {model}"
        elif old is not None and old.format_version != nodes_mod.FORMAT_VERSION:
            report.rebuilt = (
                f"index format changed from {old.format_version} to {nodes_mod.FORMAT_VERSION}"
            )
        if not report.rebuilt and old is not None and old.interviews:
            signature = health.vector_files_signature(self.settings)
            if signature is None or signature != side.info(VECTOR_FILES):
                problem = health.vectors_problem(col)
                if problem is not None:
                    report.rebuilt = f"the search vectors of the index were damaged ({problem})"
        return self._update(client, mcol, col, old, side, corpus, report, progress)

    def _update(
        self,
        client: Any,
        mcol: store.NodeCollections,
        col: store.NodeCollections,
        old: mf.Manifest | None,
        side: SideStore,
        corpus: Corpus,
        report: IndexReport,
        progress: ProgressCallback,
    ) -> IndexReport:
        before = old.interviews if old is not None else {}
        if old is None or report.rebuilt:
            if old is not None:
                # Vectors of another model (or damaged ones) cannot be reused or kept.
                store.delete_nodes(client)
                client.delete_collection(mf.NAME)
                mcol = mf.collection(client, create=True)
                col = store.create_nodes(client)
            side.clear()
            state = mf.Manifest(
                embed_model=self.embedder.model_name,
                format_version=nodes_mod.FORMAT_VERSION,
                counter=old.counter if old is not None else 0,
                built_at=time.time(),
            )
            mf.write_info(mcol, state)
        else:
            state = old
            report.recovered = self._recover(col, mcol, state, side)
        sync.reconcile(side, col, state)

        interviews = _unique_interviews(corpus)
        current = {i.id for i in interviews}
        live = state.interviews
        todo: list[Interview] = []
        for interview in interviews:
            entry = before.get(interview.id)
            if entry is None:
                report.added.append(interview.id)
                todo.append(interview)
            elif entry.sha256 != interview.sha256 or interview.id not in live:
                report.changed.append(interview.id)
                todo.append(interview)
            else:
                report.unchanged.append(interview.id)
                if entry.pending:
                    # An update that never switched, of a file now back as it was.
                    col.delete(where=_other_versions(interview.id, entry.version))
                    entry.pending = 0
                    mf.write_entry(mcol, interview.id, entry)
                    report.recovered.append(interview.id)
            report.turns[interview.id] = len(interview.turns)
            report.embedded[interview.id] = 0
        # A file that fails to load now must not cost its interview's place in the index.
        failed = {_same_file(p.source) for p in corpus.errors}
        for iid in sorted(set(live) - current, key=sort_key):
            if _same_file(live[iid].source) in failed:
                report.kept.append(iid)
            else:
                report.removed.append(iid)
        report.added.sort(key=sort_key)
        report.changed.sort(key=sort_key)
        report.unchanged.sort(key=sort_key)
        # Interviews being added when an earlier build died, and no longer in the corpus.
        for iid in sorted(set(state.entries) - set(live) - current):
            self._remove(col, mcol, state, side, iid)
        codes: list[list[str | None]] = [[d.label, d.parent, d.description] for d in corpus.codes]

        todo.sort(key=lambda i: sort_key(i.id))
        if todo:
            batch_size = max(1, min(5000, int(client.get_max_batch_size())))
            self._write_all(col, mcol, state, side, todo, report, progress, batch_size)
        # Removals last: a build stopped half-way never leaves fewer interviews than before.
        for iid in report.removed:
            self._remove(col, mcol, state, side, iid)
        if codes != state.codes or report.changed_anything:
            state.codes = codes
            state.built_at = time.time()
            state.counter += 1
            mf.write_info(mcol, state)
            store.remember_counter(self.settings, state.counter)
        if report.rebuilt or store.legacy_format(client):
            store.drop_legacy(client)
        report.generation = str(state.counter)
        return report

    # -- the journal ----------------------------------------------------------------------

    def _recover(self, col: store.NodeCollections, mcol: store.NodeCollections, state: mf.Manifest, side: SideStore) -> list[str]:
        """Finish or undo what a build that died left in the journal (see the docstring)."""
        done = []
        for iid, entry in sorted(state.entries.items()):
            if entry.removing:
                self._remove(col, mcol, state, side, iid)
            elif entry.pending and entry.pending == entry.version:
                col.delete(where=_other_versions(iid, entry.version))
                entry.pending = 0
                mf.write_entry(mcol, iid, entry)
            elif entry.pending and entry.version:
                # Switched never happened: the old version answers. The half-written one stays
                # until this interview is next updated, so its vectors are reused then; if the
                # file is back as it was, it is dropped below.
                continue
            else:
                continue
            done.append(iid)
        return done

    def _remove(
        self, col: store.NodeCollections, mcol: store.NodeCollections, state: mf.Manifest, side: SideStore, interview_id: str
    ) -> None:
        entry = state.entries[interview_id]
        if not entry.removing:
            entry.removing = True
            state.counter += 1
            mf.write_entries(mcol, {interview_id: entry}, state)
            store.remember_counter(self.settings, state.counter)
            _hook("removing")
        side.remove(interview_id)
        col.delete(where={"interview": interview_id})
        mf.delete_entry(mcol, interview_id)
        del state.entries[interview_id]

    # -- embedding and writing ------------------------------------------------------------

    def _write_all(
        self,
        col: store.NodeCollections,
        mcol: store.NodeCollections,
        state: mf.Manifest,
        side: SideStore,
        todo: list[Interview],
        report: IndexReport,
        progress: ProgressCallback,
        batch_size: int,
    ) -> None:
        from assistant.embedder import embed_texts

        total = sum(len(i.turns) + len(build_units(i.turns)) for i in todo)
        cache: dict[str, np.ndarray] = {}
        done_nodes = 0
        done_interviews = 0
        progress(Progress("embedding", 0, total, "", 0, len(todo)))
        batch: list[_Update] = []

        def flush(writer: ThreadPoolExecutor, pending: Future[Any] | None) -> Future[Any]:
            nonlocal done_nodes, done_interviews
            missing: dict[str, str] = {}
            for update in batch:
                for node, text in update.nodes:
                    digest = node.metadata["embed_hash"]
                    if _vectorless(node):
                        continue
                    if digest not in cache and digest not in missing:
                        missing[digest] = text
                        report.embedded[update.interview.id] += 1
            if missing:
                vectors = embed_texts(self.embedder, list(missing.values()))
                if vectors.shape[0] != len(missing):
                    raise AssistantError(
                        f"the embedding model {self.embedder.model_name} returned "
                        f"{vectors.shape[0]} vectors for {len(missing)} texts"
                    )
                if len(cache) + len(missing) > VECTOR_CACHE:
                    # Forget the vectors of earlier chunks, never those this chunk reuses.
                    needed = {
                        node.metadata["embed_hash"]
                        for update in batch
                        for node, _t in update.nodes
                        if not _vectorless(node)
                    }
                    kept = {digest: cache[digest] for digest in needed if digest in cache}
                    cache.clear()
                    cache.update(kept)
                cache.update(zip(missing, vectors, strict=True))
                report.turns_embedded += len(missing)
            for update in batch:
                for node, _text in update.nodes:
                    node.embedding = (
                        store.TURN_VECTOR
                        if _vectorless(node)
                        else cache[node.metadata["embed_hash"]].tolist()
                    )
            ready = list(batch)
            batch.clear()
            if pending is not None:
                pending.result()  # a failed write stops the build here
            nodes = sum(len(u.nodes) for u in ready)
            chars = sum(len(n.text) + len(t) for u in ready for n, t in u.nodes)
            if not health.room_for(self.settings, nodes, chars):
                raise health.no_room(self.settings, len(self.written))
            future = writer.submit(self._commit, col, mcol, state, side, ready, batch_size)
            done_nodes += sum(len(u.nodes) for u in ready)
            done_interviews += len(ready)
            title = ready[-1].interview.title if ready else ""
            progress(Progress("embedding", done_nodes, total, title, done_interviews, len(todo)))
            return future

        # Chroma and SQLite write a chunk in another thread while the next chunk is embedded
        # (onnxruntime releases the GIL). One write at a time, in order.
        with ThreadPoolExecutor(1, thread_name_prefix="index-write") as writer:
            pending: Future[Any] | None = None
            try:
                texts = 0
                for interview in todo:
                    update = self._prepare(col, state, interview, cache)
                    batch.append(update)
                    texts += len(update.nodes)
                    if texts >= EMBED_CHUNK:
                        pending = flush(writer, pending)
                        texts = 0
                if batch:
                    pending = flush(writer, pending)
            finally:
                # Ctrl+C or an error: the interviews handed to the writer are finished, so
                # what was switched stays switched; nothing else was started.
                if pending is not None:
                    pending.result()

    def _prepare(
        self, col: store.NodeCollections, state: mf.Manifest, interview: Interview, cache: dict[str, np.ndarray]
    ) -> _Update:
        previous = state.entries.get(interview.id)
        if previous is not None:
            # Vectors of this interview's earlier (or half-written) versions, by text: an edit
            # re-embeds only the utterances and exchanges whose text changed.
            got = col.get(
                where={"interview": interview.id},
                include=["embeddings", "metadatas"],
                kinds=UNIT_KINDS,  # turns hold no vector of their own
            )
            for vector, meta in zip(got["embeddings"], got["metadatas"], strict=True):
                cache.setdefault(str(meta.get("embed_hash", "")), np.asarray(vector, np.float32))
        turns = interview.turns
        texts = nodes_mod.embedding_texts(turns)
        made = [nodes_mod.make_node(interview, turns, i, texts[i]) for i in range(len(turns))]
        by_ordinal = {t.ordinal: t for t in turns}
        units = sorted(build_units(turns), key=lambda u: (u.ordinals[0], u.kind))
        unit_nodes = [
            nodes_mod.make_unit_node(interview, u, [by_ordinal[o] for o in u.ordinals])
            for u in units
        ]
        return _Update(
            interview=interview,
            nodes=made + unit_nodes,
            turns=[
                (node.id_, Evidence(
                    t,
                    interview.title,
                    interview.source,
                    0.0,
                    cases=interview.cases,
                    variables=interview.variables,
                ))
                for (node, _), t in zip(made, turns, strict=True)
            ],
            units=[(node.id_, u) for (node, _), u in zip(unit_nodes, units, strict=True)],
            previous=previous,
        )

    def _commit(
        self,
        col: store.NodeCollections,
        mcol: store.NodeCollections,
        state: mf.Manifest,
        side: SideStore,
        updates: list[_Update],
        batch_size: int,
    ) -> None:
        """Steps 1–5 of the module docstring for a chunk of interviews, in order."""
        journal: dict[str, mf.InterviewEntry] = {}
        entries: dict[str, mf.InterviewEntry] = {}
        for update in updates:
            i, prev = update.interview, update.previous
            update.version = max(prev.version, prev.pending) + 1 if prev is not None else 1
            entries[i.id] = mf.InterviewEntry(
                sha256=i.sha256,
                title=i.title,
                source=i.source,
                format=i.format,
                turns=len(i.turns),
                version=update.version,
            )
            # Until the switch the record still describes the live version.
            journal[i.id] = (
                replace(prev, pending=update.version)
                if prev is not None and prev.live
                else replace(entries[i.id], version=0, pending=update.version)
            )
        mf.write_entries(mcol, journal)
        _hook("journal")
        rows = [(u, node) for u in updates for node, _t in u.nodes]
        for start in range(0, len(rows), batch_size):
            chunk = rows[start : start + batch_size]
            col.upsert(
                ids=[node.id_ for _u, node in chunk],
                embeddings=[node.embedding for _u, node in chunk],
                documents=[node.text for _u, node in chunk],
                metadatas=[{**node.metadata, "version": u.version} for u, node in chunk],
            )
            _hook("nodes")
        for update in updates:
            entry = entries[update.interview.id]
            # A new interview has no older nodes to delete: its journal entry closes here.
            entry.pending = update.version if update.previous is not None else 0
            state.entries[update.interview.id] = entry
        # The switch: every record of the chunk and the change counter in one Chroma write.
        state.counter += 1
        mf.write_entries(mcol, entries, state)
        store.remember_counter(self.settings, state.counter)
        _hook("switch")
        self.written.extend(entries)
        for update in updates:
            side.replace(update.interview.id, update.version, update.turns, update.units)
            _hook("side")
        cleaned = {}
        for update in updates:
            if update.previous is None:
                continue
            col.delete(where=_other_versions(update.interview.id, update.version))
            entry = entries[update.interview.id]
            entry.pending = 0
            cleaned[update.interview.id] = entry
            _hook("cleaned")
        if cleaned:
            mf.write_entries(mcol, cleaned)
