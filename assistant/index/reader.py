"""Read access to the index: turns and units by key, on demand, and dense search.

Opening reads the manifest's index record and nothing else: turns, units and the keyword
index stay in the side store (:mod:`assistant.index.side`) and are read by key, by interview
or by position when a search or a citation needs them, and the interview records (a few
hundred bytes each) only when the store must be compared with them (:func:`sync.follows`) or
the interviews are listed, so a thousand interviews open as fast as one. A reader sees the
index as it was when it opened (the side store's snapshot); ``is_outdated()`` says when a
build has switched an interview since (the service then reopens).

Positions are the side store's row numbers: what search ranks, fuses and hands back.
``all_turns()`` and ``units()`` are views indexed by position that iterate in interview then
turn order, reading rows as they go.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

from assistant.codebook import is_question_tag
from assistant.errors import IndexMissingError, RebuildNeededError
from assistant.index import health, keyword, nodes, side, store, sync
from assistant.index import manifest as mf
from assistant.index.scope import Scope
from assistant.model import Evidence, citation_key, parse_citation_key
from assistant.units import UNIT_KINDS, Unit

if TYPE_CHECKING:
    from assistant.embedder import Embedder

    from assistant.settings import Settings

T = TypeVar("T")
#: Turns and units kept decoded per reader (a search touches a few hundred).
_CACHE = 50_000
#: Rows read by one query of ``IN (...)`` (SQLite allows 32,766 parameters).
_BATCH = 5_000
#: A reader found current is not asked again for this long: the service asks before every
#: search and answer, and a build elsewhere can wait a second to be seen.
RECHECK_SECONDS = 1.0


def interview_sort_key(interview_id: str) -> tuple[int, int, str]:
    """Numbered interviews in numeric order (2 before 10), then the others by name."""
    return side.sort_key(interview_id)


class _View(Sequence[T]):
    """Rows of the side store by position (``view[pos]``), in reading order when iterated."""

    def __init__(self, reader: IndexReader, kind: str) -> None:
        self._reader = reader
        self._kind = kind

    @overload
    def __getitem__(self, pos: int) -> T: ...
    @overload
    def __getitem__(self, pos: slice) -> Sequence[T]: ...
    def __getitem__(self, pos: int | slice) -> T | Sequence[T]:
        if isinstance(pos, slice):
            return list(self)[pos]
        found = self._reader._row(self._kind, pos)
        if found is None:
            raise IndexError(f"no {self._kind} at position {pos}")
        return found  # type: ignore[return-value]

    def __iter__(self) -> Iterator[T]:
        rows = self._reader._side.iter_turns() if self._kind == "turns" else (
            self._reader._side.iter_units()
        )
        for _pos, row in rows:
            yield row  # type: ignore[misc]

    def __len__(self) -> int:
        got = self._reader._side.one(f"SELECT count(*) FROM {self._kind}")
        return int(got[0]) if got else 0


#: Side-store info keys of values derived from the whole index (see IndexReader.remember).
_MEMO = "memo:"


class IndexReader:
    """The index as it was when opened: turns and units by key, dense and keyword search."""

    def __init__(
        self,
        settings: Settings,
        client: Any,
        manifest: mf.Manifest,
        collection: store.NodeCollections,
        store_: side.SideStore,
        manifest_col: Any = None,
        entries_read: bool = True,
    ) -> None:
        self.settings = settings
        #: The index record; its interview records once read (see :meth:`interviews`).
        self.manifest = manifest
        self.generation = str(manifest.counter)
        self._client = client
        self._collection = collection
        self._side = store_
        self._manifest_col: Any = manifest_col
        self._entries_read = entries_read
        self._checked = -RECHECK_SECONDS
        self._lock = threading.Lock()
        self._rows: dict[tuple[str, int], Any] = {}
        self._keys: dict[str, int | None] = {}
        self._exchanges: dict[str, Unit | None] = {}
        self._asking: dict[int, bool] = {}
        self._loading_vectors: threading.Thread | None = None
        #: Per-reader caches of derived structures (code vectors, the floor), dropped with it.
        self.cache: dict[str, Any] = {}

    @property
    def embed_model(self) -> str:
        return self.manifest.embed_model

    def close(self) -> None:
        self._side.close()

    def load_vectors_in_background(self) -> None:
        """Start loading the units' vector indexes (once per reader), so that the first search
        does not wait for them: they load while the question is embedded (and, in the chat,
        while the researcher types). At a thousand interviews that is about a second, most of
        it Chroma replaying into the index the changes it logged since it last wrote the
        index's files (up to 999 of them, see BENCHMARKS.md). Chroma releases the GIL while it
        loads. Called by what searches, not by opening: a command that only resolves keys or
        lists codes would otherwise wait for it at exit.

        Not a daemon thread: the interpreter waits for it at exit rather than tearing down
        under Chroma's native code, which crashes. A server loads its own indexes: nothing to
        do there."""
        with self._lock:
            if self._loading_vectors is not None or self.settings.chroma_url:
                return

            def load() -> None:
                try:
                    self._collection.load_vectors(UNIT_KINDS)
                except Exception:  # noqa: S110 - the search's own query reports it, with a remedy
                    pass

            self._loading_vectors = threading.Thread(target=load, name="load-vectors")
            self._loading_vectors.start()

    # -- rows -----------------------------------------------------------------------------

    def _row(self, kind: str, pos: int) -> Evidence | Unit | None:
        cached = self._rows.get((kind, pos))
        if cached is not None:
            return cached
        row: Evidence | Unit | None = None
        if kind == "turns":
            got = self._side.one("SELECT text, meta FROM turns WHERE pos = ?", (pos,))
            row = side.evidence(*got) if got else None
        else:
            got = self._side.one(
                "SELECT kind, interview, ordinals FROM units WHERE pos = ?", (pos,)
            )
            row = side.unit(*got) if got else None
        if row is not None:
            with self._lock:
                if len(self._rows) >= _CACHE:
                    self._rows.clear()
                self._rows[(kind, pos)] = row
        return row

    def all_turns(self) -> Sequence[Evidence]:
        """Every indexed turn (score 0): by position, or iterated by interview (numeric ids in
        order) then turn. Iterating reads every turn; use it for whole-corpus views only."""
        return _View[Evidence](self, "turns")

    def units(self) -> Sequence[Unit]:
        """Every indexed utterance and exchange: by position, or iterated by interview then
        first turn."""
        return _View[Unit](self, "units")

    def turn_count(self) -> int:
        return len(self.all_turns())

    def position(self, key: str) -> int | None:
        """The position of the turn ``key`` (``interview:turn``), None when not indexed."""
        if key in self._keys:
            return self._keys[key]
        try:
            interview_id, ordinal = parse_citation_key(key)
        except ValueError:
            return None
        got = self._side.one(
            "SELECT pos FROM turns WHERE interview = ? AND ordinal = ?", (interview_id, ordinal)
        )
        pos = int(got[0]) if got else None
        self._keys[key] = pos
        return pos

    def read_turns(self, keys: Iterable[str]) -> None:
        """Read the turns ``keys`` name, one query per interview, so that :meth:`evidence`
        then finds them without a query each (a search quotes the turns of about eight units
        and the questions before them: ~100 queries a search one by one)."""
        wanted: dict[str, list[int]] = {}
        for key in dict.fromkeys(keys):
            pos = self._keys.get(key)
            if pos is not None and ("turns", pos) in self._rows:
                continue
            try:
                interview_id, ordinal = parse_citation_key(key)
            except ValueError:
                continue
            wanted.setdefault(interview_id, []).append(ordinal)
        for interview_id, ordinals in wanted.items():
            for start in range(0, len(ordinals), _BATCH):
                chunk = ordinals[start : start + _BATCH]
                rows = self._side.rows(
                    "SELECT pos, ordinal, text, meta FROM turns WHERE interview = ? "
                    f"AND ordinal IN ({','.join('?' * len(chunk))})",
                    (interview_id, *chunk),
                )
                with self._lock:
                    if len(self._rows) + len(rows) > _CACHE:
                        self._rows.clear()
                    for pos, ordinal, text, meta in rows:
                        self._keys[citation_key(interview_id, int(ordinal))] = int(pos)
                        self._rows[("turns", int(pos))] = side.evidence(text, meta)

    def evidence(self, key: str) -> Evidence | None:
        """The turn a citation key names, or None when this index has no such turn."""
        pos = self.position(key)
        found = self._row("turns", pos) if pos is not None else None
        return found if isinstance(found, Evidence) else None

    def context(self, key: str, around: int = 3) -> list[Evidence]:
        """``key``'s turn with up to ``around`` turns either side in the same interview."""
        target = self.evidence(key)
        if target is None:
            return []
        iid, ordinal = target.turn.interview_id, target.turn.ordinal
        before = self._side.rows(
            "SELECT text, meta FROM turns WHERE interview = ? AND ordinal < ? "
            "ORDER BY ordinal DESC LIMIT ?",
            (iid, ordinal, around),
        )
        after = self._side.rows(
            "SELECT text, meta FROM turns WHERE interview = ? AND ordinal > ? "
            "ORDER BY ordinal LIMIT ?",
            (iid, ordinal, around),
        )
        return [
            *(side.evidence(t, m) for t, m in reversed(before)),
            target,
            *(side.evidence(t, m) for t, m in after),
        ]

    def interviews(self) -> list[dict[str, Any]]:
        """One summary per indexed interview: id, title, source, format, turns, sha256."""
        return [
            {"id": iid, **entry.to_dict()}
            for iid, entry in sorted(
                self._entries().items(), key=lambda kv: interview_sort_key(kv[0])
            )
        ]

    def remembered(self, name: str) -> Any:
        """A value :meth:`remember` stored for this very index (same manifest collection,
        change counter and model), or None."""
        raw = self._side.info(_MEMO + name)
        identity = self._identity()
        if raw is None or identity is None:
            return None
        try:
            memo = json.loads(raw)
        except ValueError:
            return None
        return memo.get("value") if memo.get("index") == identity else None

    def remember(self, name: str, value: Any) -> None:
        """Keep a value derived from the whole index (e.g. the relevance floor) for the next
        process that opens it, until a build changes it. Written through a connection of its
        own (this reader's is inside its snapshot); a store that cannot be written is left as
        it is: the value is then only computed again."""
        identity = self._identity()
        if identity is None:
            return
        try:
            writer = side.SideStore(Path(self.settings.index_dir))
            try:
                writer.set_info(_MEMO + name, json.dumps({"index": identity, "value": value}))
            finally:
                writer.close()
        except sqlite3.Error:
            pass

    def _identity(self) -> str | None:
        if self._manifest_col is None:
            return None
        return f"{self._manifest_col.id}:{self.manifest.counter}:{self.manifest.embed_model}"

    def _entries(self) -> dict[str, mf.InterviewEntry]:
        """The live interview records, read on first use when opening did not need them. Read
        later, they may be a build's newer ones; :meth:`is_outdated` then says so and the
        service reopens."""
        with self._lock:
            if not self._entries_read:
                try:
                    full = mf.read(self._manifest_col) if self._manifest_col is not None else None
                except Exception as exc:
                    problem = health.write_problem(self.settings, exc, building=False)
                    raise problem or store.damaged(self.settings, exc) from None
                if full is not None:
                    self.manifest.entries = full.entries
                self._entries_read = True
            return self.manifest.interviews

    def speakers(self) -> set[str]:
        """Every speaker's name as written in the transcripts."""
        return {str(s) for (s,) in self._side.rows("SELECT DISTINCT speaker FROM turns")}

    def code_counts(self) -> list[tuple[str, int, int, int]]:
        """Each code applied: (label, paragraphs, turns, interviews)."""
        rows = self._side.rows(
            "SELECT code, sum(applications), sum(turns), count(DISTINCT CASE WHEN turns > 0 "
            "THEN interview END) FROM code_counts GROUP BY code"
        )
        return [(str(c), int(a), int(t), int(i)) for c, a, t, i in rows]

    def turn_codes(self) -> list[tuple[str, ...]]:
        """The codes of every turn (no text read): what the code tree counts."""
        return [
            tuple(c.split("|")) if c else () for (c,) in self._side.rows("SELECT codes FROM turns")
        ]

    def is_outdated(self) -> bool:
        """True once a build has switched an interview since this reader opened."""
        now = time.monotonic()
        if now - self._checked < RECHECK_SECONDS:
            return False
        try:
            if self._manifest_col is None:
                self._manifest_col = mf.collection(self._client)
            if self._manifest_col is None:
                return True
            outdated = mf.read_counter(self._manifest_col) != self.manifest.counter
            if not outdated:
                self._checked = now
            return outdated
        except Exception:  # the collection was deleted and made again (a full rebuild)
            self._manifest_col = None
            return True

    # -- units ----------------------------------------------------------------------------

    def units_at(self, positions: Iterable[int]) -> dict[int, Unit]:
        """The units at ``positions``, read together (a search looks at hundreds at a time:
        one query each cost ~0.1 s per search at 1,000 interviews)."""
        out: dict[int, Unit] = {}
        missing = []
        for pos in dict.fromkeys(positions):
            cached = self._rows.get(("units", pos))
            if isinstance(cached, Unit):
                out[pos] = cached
            else:
                missing.append(pos)
        for start in range(0, len(missing), _BATCH):
            chunk = missing[start : start + _BATCH]
            rows = self._side.rows(
                "SELECT pos, kind, interview, ordinals FROM units "
                f"WHERE pos IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            with self._lock:
                if len(self._rows) + len(rows) > _CACHE:
                    self._rows.clear()
                for pos, kind, iid, ordinals in rows:
                    unit = out[int(pos)] = side.unit(kind, iid, ordinals)
                    self._rows[("units", int(pos))] = unit
        return out

    def asking_only(self, positions: Iterable[int]) -> set[int]:
        """The units among ``positions`` that only ask: each of their turns is an
        interviewer's, coded with question tags at most (:func:`assistant.units.is_said` is
        false for all), read from the units' role and codes without loading their turns."""
        wanted = list(dict.fromkeys(positions))
        found = {pos for pos in wanted if self._asking.get(pos)}
        unknown = [pos for pos in wanted if pos not in self._asking]
        for start in range(0, len(unknown), _BATCH):
            chunk = unknown[start : start + _BATCH]
            rows = self._side.rows(
                "SELECT u.pos, group_concat(c.code, char(31)) FROM units u "
                "LEFT JOIN unit_codes c ON c.pos = u.pos "
                f"WHERE u.role = 'interviewer' AND u.pos IN ({','.join('?' * len(chunk))}) "
                "GROUP BY u.pos",
                chunk,
            )
            asks = {
                int(pos)
                for pos, codes in rows
                if all(is_question_tag(c) for c in (codes or "").split("\x1f") if c)
            }
            with self._lock:
                if len(self._asking) + len(chunk) > _CACHE:
                    self._asking.clear()
                self._asking.update((pos, pos in asks) for pos in chunk)
            found |= asks
        return found

    def unit_codes(self, positions: Iterable[int]) -> dict[int, set[str]]:
        """The codes the turns of each unit at ``positions`` carry (empty when none)."""
        out: dict[int, set[str]] = {pos: set() for pos in positions}
        wanted = list(out)
        for start in range(0, len(wanted), _BATCH):
            chunk = wanted[start : start + _BATCH]
            for pos, code in self._side.rows(
                f"SELECT pos, code FROM unit_codes WHERE pos IN ({','.join('?' * len(chunk))})",
                chunk,
            ):
                out[int(pos)].add(str(code))
        return out

    def unit_position(self, unit: Unit) -> int:
        """The position of ``unit`` in :meth:`units`."""
        got = self._side.one("SELECT pos FROM units WHERE id = ?", (unit.id,))
        if got is None:
            raise KeyError(unit.id)
        return int(got[0])

    def exchange_of(self, key: str) -> Unit | None:
        """The exchange (question and answers) that the turn ``key`` belongs to, if any."""
        if key in self._exchanges:
            return self._exchanges[key]
        found: Unit | None = None
        try:
            interview_id, ordinal = parse_citation_key(key)
        except ValueError:
            return None
        got = self._side.one(
            "SELECT u.kind, u.interview, u.ordinals FROM turns t JOIN units u ON u.id = t.exchange "
            "WHERE t.interview = ? AND t.ordinal = ?",
            (interview_id, ordinal),
        )
        if got is not None:
            found = side.unit(*got)
        self._exchanges[key] = found
        return found

    # -- search ---------------------------------------------------------------------------

    def keyword(self, terms: list[str], depth: int, scope: Scope) -> list[tuple[int, float]]:
        """Top ``depth`` units (positions) by BM25 of the query ``terms`` within ``scope``."""
        if scope.cases or scope.variables:
            # Cases and variables belong to interviews: the keyword side keeps the interviews
            # that the scope admits (one stored turn of each says what the interview holds).
            admitted = set()
            sql = "SELECT interview, meta FROM turns WHERE pos IN (SELECT MIN(pos) FROM turns GROUP BY interview)"
            for iid, meta in self._side.rows(sql):
                held = json.loads(meta)
                cases = json.loads(held.get("cases") or "[]")
                variables = [(str(n), str(v)) for n, v in json.loads(held.get("variables") or "[]")]
                if scope.admits(cases, variables):
                    admitted.add(str(iid))
            if scope.interviews:
                admitted &= set(scope.interviews)
            if not admitted:
                return []
            scope = replace(
                scope, interviews=frozenset(admitted), cases=frozenset(), variables=frozenset()
            )
        return keyword.search(self._side, terms, depth, scope)

    def dense_units(
        self,
        query_embedding: list[float],
        k: int,
        scope: Scope,
        kinds: tuple[str, ...] = UNIT_KINDS,
    ) -> list[tuple[int, float]]:
        """Top ``k`` units (positions in :meth:`units`) by cosine similarity within ``scope``."""
        # Chroma directly: llama-index's query drops hits of nodes that hold no text (units).
        try:
            hits = self._collection.query(
                [float(x) for x in query_embedding], k, kinds, scope.to_where()
            )
        except Exception as exc:  # Chroma's InternalError for truncated segment files
            problem = health.write_problem(self.settings, exc, building=False)
            raise problem or health.vectors_damaged(self.settings, exc) from None
        if not hits:
            return []
        ids = [node_id for node_id, _ in hits]
        # Nodes of a version being written (or not yet deleted) are not in the side store.
        marks = ",".join("?" * len(ids))
        known = dict(
            self._side.rows(f"SELECT node, pos FROM units WHERE node IN ({marks})", ids)
        )
        out: list[tuple[int, float]] = []
        for node_id, distance in hits:
            pos = known.get(node_id)
            if pos is not None:
                # Chroma's cosine distance is 1 - cos.
                out.append((int(pos), 1.0 - float(distance)))
        return out


def open_index(settings: Settings, embedder: Embedder | str) -> IndexReader:
    """The current index; IndexMissingError before the first build, RebuildNeededError when it
    was built with another embedding model or an older format.

    ``embedder`` may be just the model's name (``embedding_name.configured_model_name``), so
    the index can open without importing llama-index or loading the model."""
    return _open(settings, embedder, fresh=False)


def _open(settings: Settings, embedder: Embedder | str, fresh: bool) -> IndexReader:
    model_name = embedder if isinstance(embedder, str) else embedder.model_name
    client = store.fresh_client(settings) if fresh else store.make_client(settings)
    place = store.where(settings)
    try:
        mcol = mf.collection(client)
        manifest = mf.read_info(mcol) if mcol is not None else None
        legacy = manifest is None and store.legacy_format(client)
    except Exception as exc:
        raise health.write_problem(settings, exc, building=False) or store.damaged(
            settings, exc
        ) from None
    if manifest is not None and not fresh and store.changed_elsewhere(settings, manifest.counter):
        return _open(settings, embedder, fresh=True)
    if legacy:
        raise RebuildNeededError(
            f"rebuild needed: the index at {place} has format 2, this version of the assistant "
            f"reads format {nodes.FORMAT_VERSION}; run `assistant index` to rebuild it"
        )
    if manifest is None:
        raise IndexMissingError(f"no index at {place} yet; run `assistant index` to build it")
    if manifest.embed_model != model_name:
        raise RebuildNeededError(
            f"rebuild needed: the index at {place} was built with the embedding model "
            f"{manifest.embed_model}, but the assistant is set to {model_name}; "
            "run `assistant index` to rebuild it with the current model"
        )
    if manifest.format_version != nodes.FORMAT_VERSION:
        raise RebuildNeededError(
            f"rebuild needed: the index at {place} has format {manifest.format_version}, "
            f"this version of the assistant reads format {nodes.FORMAT_VERSION}; "
            "run `assistant index` to rebuild it"
        )
    collection = store.open_nodes(client)
    if collection is None:
        raise IndexMissingError(
            f"the index at {place} is incomplete (its nodes are missing); "
            "run `assistant index` to rebuild it"
        )
    entries_read = False
    try:
        store_ = side.SideStore(Path(settings.index_dir))
        whole = None
        if mcol is not None and not sync.follows(store_, str(mcol.id), manifest):
            # None only when a full rebuild replaced the manifest since its index record was
            # read: the store is left as it is, and the reader is outdated at once.
            whole = mf.read(mcol)
        if whole is not None:
            manifest = whole
            entries_read = True
            if sync.out_of_date(store_, manifest):
                # Read again: a build may have moved on since, and the store must follow the
                # newest manifest, never an older one.
                manifest = mf.read(mcol) or manifest
                sync.reconcile(store_, collection, manifest)
            sync.mark_followed(store_, str(mcol.id), manifest)
        store_.begin_snapshot()
    except Exception as exc:
        problem = health.write_problem(settings, exc, building=False)
        raise problem or store.damaged(settings, exc) from None
    store.remember_counter(settings, manifest.counter)
    return IndexReader(
        settings, client, manifest, collection, store_, manifest_col=mcol, entries_read=entries_read
    )
