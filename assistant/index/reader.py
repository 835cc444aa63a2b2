"""Read access to the current index generation.

A reader is bound to the generation that was current when it opened; ``is_outdated()`` says
when a build has switched to a newer one (the service then reopens). The turns themselves are
loaded from Chroma once, on first use, and kept in memory: they back ``all_turns``, citation
lookups, context windows and the BM25 side of search.
"""

from __future__ import annotations

import math
import re
import threading
from typing import TYPE_CHECKING, Any

from assistant.errors import IndexMissingError, RebuildNeededError
from assistant.index import health, nodes, store
from assistant.index.scope import Scope
from assistant.model import Evidence, parse_citation_key
from assistant.units import UNIT_KINDS, Unit

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from assistant.settings import Settings


def interview_sort_key(interview_id: str) -> tuple[int, int, str]:
    """Numbered interviews in numeric order (2 before 10), then the others by name."""
    match = re.fullmatch(r"\d+", interview_id)
    return (0, int(interview_id), "") if match else (1, 0, interview_id.casefold())


class IndexReader:
    """The turns of one index generation, and dense search over them."""

    def __init__(self, settings: Settings, client: Any, generation: str, collection: Any) -> None:
        self.settings = settings
        self.generation = generation
        self.manifest = store.Manifest.of(collection)
        self._client = client
        self._collection = collection
        self._lock = threading.Lock()
        self._turns: list[Evidence] | None = None
        self._by_key: dict[str, int] = {}
        self._by_node: dict[str, int] = {}
        self._units: list[Unit] = []
        self._unit_by_node: dict[str, int] = {}
        self._exchange_of: dict[str, Unit] = {}
        self._unit_position: dict[str, int] = {}
        #: Per-reader caches of derived structures (the BM25 index), dropped with the reader.
        self.cache: dict[str, Any] = {}

    @property
    def embed_model(self) -> str:
        return self.manifest.embed_model

    # -- turns ----------------------------------------------------------------------------

    def _load(self) -> list[Evidence]:
        with self._lock:
            if self._turns is None:
                try:
                    rows, units = self._read_rows()
                except Exception as exc:  # Chroma reads the vector files even to list rows
                    problem = health.write_problem(self.settings, exc, building=False)
                    raise problem or health.vectors_damaged(self.settings, exc) from None
                rows.sort(
                    key=lambda r: (interview_sort_key(r[1].turn.interview_id), r[1].turn.ordinal)
                )
                self._turns = [e for _, e in rows]
                self._by_key = {e.key: i for i, (_, e) in enumerate(rows)}
                self._by_node = {node_id: i for i, (node_id, _) in enumerate(rows)}
                units.sort(
                    key=lambda r: (
                        interview_sort_key(r[1].interview_id),
                        r[1].ordinals[0],
                        r[1].kind,
                    )
                )
                self._units = [u for _, u in units]
                self._unit_by_node = {node_id: i for i, (node_id, _) in enumerate(units)}
                self._unit_position = {u.id: i for i, u in enumerate(self._units)}
                self._exchange_of = {
                    key: u for u in self._units if u.kind == "exchange" for key in u.keys
                }
        return self._turns

    def _read_rows(self) -> tuple[list[tuple[str, Evidence]], list[tuple[str, Unit]]]:
        """Every turn node as Evidence, and every unit node as a Unit, with their node ids."""
        rows: list[tuple[str, Evidence]] = []
        units: list[tuple[str, Unit]] = []
        total = self._collection.count()
        page = 5000
        for offset in range(0, total, page):
            got = self._collection.get(
                limit=page, offset=offset, include=["documents", "metadatas"]
            )
            for node_id, text, meta in zip(
                got["ids"], got["documents"], got["metadatas"], strict=True
            ):
                if meta.get("kind") == nodes.TURN:
                    rows.append((node_id, nodes.evidence_from_record(text or "", meta)))
                else:
                    units.append((node_id, nodes.unit_from_record(meta)))
        return rows, units

    def all_turns(self) -> list[Evidence]:
        """Every indexed turn (score 0), by interview (numeric ids in order) then turn."""
        return list(self._load())

    def position(self, key: str) -> int | None:
        """Index of ``key`` in :meth:`all_turns` (used to align per-turn arrays)."""
        self._load()
        return self._by_key.get(key)

    def evidence(self, key: str) -> Evidence | None:
        """The turn a citation key names, or None when this index has no such turn."""
        turns = self._load()
        try:
            interview_id, ordinal = parse_citation_key(key)
        except ValueError:
            return None
        i = self._by_key.get(f"{interview_id}:{ordinal}")
        return turns[i] if i is not None else None

    def context(self, key: str, around: int = 3) -> list[Evidence]:
        """``key``'s turn with up to ``around`` turns either side in the same interview."""
        turns = self._load()
        target = self.evidence(key)
        if target is None:
            return []
        i = self._by_key[target.key]
        lo, hi = max(0, i - around), min(len(turns), i + around + 1)
        return [e for e in turns[lo:hi] if e.turn.interview_id == target.turn.interview_id]

    def interviews(self) -> list[dict[str, Any]]:
        """One summary per indexed interview: id, title, source, format, turns, sha256."""
        return [
            {"id": iid, **entry.to_dict()}
            for iid, entry in sorted(
                self.manifest.interviews.items(), key=lambda kv: interview_sort_key(kv[0])
            )
        ]

    def is_outdated(self) -> bool:
        """True once another build has switched the index to a newer generation."""
        return store.read_pointer(self._client, self.settings).current != self.generation

    # -- dense search ---------------------------------------------------------------------

    def units(self) -> list[Unit]:
        """Every indexed utterance and exchange, by interview then first turn."""
        self._load()
        return list(self._units)

    def dense(self, query_embedding: list[float], k: int, scope: Scope) -> list[tuple[int, float]]:
        """Top ``k`` turns by cosine similarity within ``scope``: (position, similarity)."""
        self._load()  # before reading the position maps it fills
        return self._query(query_embedding, k, scope, (nodes.TURN,), self._by_node)

    def dense_units(
        self,
        query_embedding: list[float],
        k: int,
        scope: Scope,
        kinds: tuple[str, ...] = UNIT_KINDS,
    ) -> list[tuple[int, float]]:
        """Top ``k`` units (positions in :meth:`units`) by cosine similarity within ``scope``."""
        self._load()  # before reading the position maps it fills
        return self._query(query_embedding, k, scope, kinds, self._unit_by_node)

    def unit_position(self, unit: Unit) -> int:
        """Index of ``unit`` in :meth:`units`."""
        self._load()
        return self._unit_position[unit.id]

    def exchange_of(self, key: str) -> Unit | None:
        """The exchange (question and answers) that the turn ``key`` belongs to, if any."""
        self._load()
        return self._exchange_of.get(key)

    def _query(
        self,
        query_embedding: list[float],
        k: int,
        scope: Scope,
        kinds: tuple[str, ...],
        positions: dict[str, int],
    ) -> list[tuple[int, float]]:
        # Chroma directly: llama-index's query drops hits of nodes that hold no text (units).
        try:
            result = self._collection.query(
                query_embeddings=[[float(x) for x in query_embedding]],
                n_results=k,
                where=scope.to_where(kinds),
                include=["distances"],
            )
        except Exception as exc:  # Chroma's InternalError for truncated segment files
            problem = health.write_problem(self.settings, exc, building=False)
            raise problem or health.vectors_damaged(self.settings, exc) from None
        out: list[tuple[int, float]] = []
        for node_id, distance in zip(result["ids"][0], result["distances"][0], strict=True):
            i = positions.get(node_id)
            if i is not None:
                # Chroma's cosine distance is 1 - cos.
                out.append((i, 1.0 - float(distance)))
        return out


def open_index(settings: Settings, embedder: BaseEmbedding | str) -> IndexReader:
    """The current index; IndexMissingError before the first build, RebuildNeededError when it
    was built with another embedding model or an older format.

    ``embedder`` may be just the model's name (``embedding_name.configured_model_name``), so
    the index can open without importing llama-index or loading the model."""
    model_name = embedder if isinstance(embedder, str) else embedder.model_name
    client = store.make_client(settings)
    pointer = store.read_pointer(client, settings)
    place = store.where(settings)
    if not pointer.current:
        raise IndexMissingError(f"no index at {place} yet; run `assistant index` to build it")
    try:
        collection = store.get_collection(client, pointer.current)
    except Exception:
        raise IndexMissingError(
            f"the index at {place} is incomplete (generation {pointer.current} is missing); "
            "run `assistant index` to rebuild it"
        ) from None
    reader = IndexReader(settings, client, pointer.current, collection)
    if reader.embed_model != model_name:
        raise RebuildNeededError(
            f"rebuild needed: the index at {place} was built with the embedding model "
            f"{reader.embed_model}, but the assistant is set to {model_name}; "
            "run `assistant index` to rebuild it with the current model"
        )
    if reader.manifest.format_version != nodes.FORMAT_VERSION:
        raise RebuildNeededError(
            f"rebuild needed: the index at {place} has format {reader.manifest.format_version}, "
            f"this version of the assistant reads format {nodes.FORMAT_VERSION}; "
            "run `assistant index` to rebuild it"
        )
    return reader
