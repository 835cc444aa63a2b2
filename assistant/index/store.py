"""Where the index lives: a Chroma database (on disk, or a server) and a local side store.

Chroma holds the nodes (:mod:`assistant.index.nodes`), one collection per node kind
(``assistant_turns``, ``assistant_utterances``, ``assistant_exchanges``: :class:`NodeCollections`),
and ``assistant_manifest`` (one record per interview and one for the whole index:
:mod:`assistant.index.manifest`). Updates are made in place, one
interview at a time (:mod:`assistant.index.build` describes the journal that keeps them
crash-safe). The side store (:mod:`assistant.index.side`, an SQLite file in the index folder)
holds the turns' text and metadata and the keyword index, and can always be refilled from
Chroma without embedding anything.

Indexes of format 2 and older kept whole *generations* (``turns-000007``) and a pointer in the
``assistant_meta`` collection; a build drops them (:func:`drop_legacy`). Format 4 kept every
node in one collection (``assistant_nodes``); a build moves its vectors into the per-kind
collections without embedding anything (:func:`split_by_kind`). Format 5 kept a vector with
every turn in ``assistant_turns``; turns carry none now, and a build moves their records
(:func:`move_turn_records`).
"""

from __future__ import annotations

import fcntl
import importlib
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from assistant.errors import ConfigError, IndexBusyError, IndexDamagedError
from assistant.settings import Settings

#: The collection of every node, format 4 (see :func:`split_by_kind`).
SINGLE_NODES = "assistant_nodes"
#: The collection of each node kind.
KIND_COLLECTIONS = {
    "turn": "assistant_turn_records",
    "utterance": "assistant_utterances",
    "exchange": "assistant_exchanges",
}
#: Format 5's turn collection, a vector with every turn (see :func:`move_turn_records`).
VECTOR_TURNS = "assistant_turns"
#: What Chroma stores as a turn's vector. Search ranks units, never turns, and a turn's real
#: vector was its utterance's, kept twice: at 1,000 interviews that copy took ~2.5 KB a turn
#: in memory while building (166,000 turns: ~0.4 GB) and as much on disk. Chroma requires a
#: vector with each record; a one-number one costs next to nothing.
TURN_VECTOR = [1.0]
MANIFEST = "assistant_manifest"
LEGACY_META = "assistant_meta"
LEGACY_PREFIX = "turns-"
LOCK_FILE = ".build.lock"


def where(settings: Settings) -> str:
    """The index location in words, for messages."""
    return (
        f"Chroma server {settings.chroma_url}" if settings.chroma_url else str(settings.index_dir)
    )


def damaged(settings: Settings, exc: BaseException) -> IndexDamagedError:
    """The one-line error for an index that cannot be opened or read, saying what to do."""
    detail = " ".join(f"{type(exc).__name__}: {exc}".split())
    if settings.chroma_url:
        return IndexDamagedError(
            f"cannot read the index on the Chroma server {settings.chroma_url} ({detail}); "
            "check the server, or run `assistant index` to rebuild the index there"
        )
    folder = Path(settings.index_dir)
    return IndexDamagedError(
        f"the index at {folder} is damaged or unreadable ({detail}); it holds nothing that "
        f"cannot be rebuilt: delete the folder {folder} and run `assistant index`"
    )


def _forget_local_system(path: Path) -> None:
    """Drop Chroma's per-process cache entry for ``path`` after a failed open: Chroma keeps
    the half-started system, and every later client for that folder would fail with an
    unrelated AttributeError instead of the real problem."""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient._identifier_to_system.pop(str(path), None)
    except Exception:  # a private cache; if Chroma changes it, the next open just fails again
        pass


def _skip_override_checks() -> None:
    """Chroma marks about 170 methods with the ``overrides`` package's ``@override``, which
    checks each against its base classes while Chroma's modules load, by disassembling the
    calling frame and comparing signatures: 0.3-0.45 s of every command that opens the index
    (``import chromadb`` 1.2-1.4 s, 0.9 s without the checks, on 2 cores). They guard Chroma's
    own development, not its behaviour, so only the marker they set is kept (``__override__``,
    which ``EnforceOverrides`` classes require). Call before the first import of chromadb."""
    try:
        # By module path: the package rebinds its attribute ``overrides`` to a function.
        checks = importlib.import_module("overrides.overrides")
    except ImportError:  # a Chroma release without them: nothing to skip
        return

    def mark(method: Any, check_signature: bool = True, check_at_runtime: bool = False) -> Any:
        method.__override__ = True
        return method

    setattr(checks, "_overrides", mark)  # noqa: B010 - a module attribute mypy cannot see


def make_client(settings: Settings) -> Any:
    """A Chroma client: the server at ``chroma_url`` when set, else a database in index_dir.

    A local database that cannot be opened is an IndexDamagedError naming the folder."""
    if "chromadb" not in sys.modules:
        _skip_override_checks()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConfigError(
                f"chroma_url {settings.chroma_url!r} is not an http(s)://host:port URL"
            )
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:  # chromadb raises bare ValueError/ConnectionError here
            raise ConfigError(
                f"cannot reach the Chroma server at {settings.chroma_url} ({exc})"
            ) from None
    path = Path(settings.index_dir) / "chroma"
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:  # chromadb's InternalError (SQLite), OSError, ValueError...
        _forget_local_system(path)
        from assistant.index.health import write_problem

        raise write_problem(settings, exc, building=False) or damaged(settings, exc) from None


#: The manifest's change counter of each local index as this process last opened or wrote it.
_counter_seen: dict[str, int] = {}


def _local_key(settings: Settings) -> str | None:
    return None if settings.chroma_url else str(Path(settings.index_dir) / "chroma")


def changed_elsewhere(settings: Settings, counter: int) -> bool:
    """True when another process wrote the local index since this one last opened or wrote
    it. Chroma keeps one system per folder and process, and that system's vector index does
    not follow another process's writes (Chroma's local mode is not process-safe): search
    would miss some of the new vectors until the process restarts."""
    key = _local_key(settings)
    return key is not None and _counter_seen.get(key, counter) != counter


def fresh_client(settings: Settings) -> Any:
    """A client that reads the local index from disk again, as a new process would."""
    key = _local_key(settings)
    if key is not None:
        _forget_local_system(Path(key))
    return make_client(settings)


def remember_counter(settings: Settings, counter: int) -> None:
    key = _local_key(settings)
    if key is not None:
        _counter_seen[key] = counter


def get_collection(client: Any, name: str) -> Any:
    """Open a collection without ever letting Chroma attach its default embedding function
    (which would download a model the first time it is called)."""
    return client.get_collection(name, embedding_function=None)


def collection_names(client: Any) -> set[str]:
    return {c if isinstance(c, str) else c.name for c in client.list_collections()}


class NodeCollections:
    """The nodes of the index, one Chroma collection per kind (turn, utterance, exchange).

    Why not one collection with a ``kind`` field: every search names the kinds it wants, and
    Chroma resolves a metadata filter over all matching nodes before the vector search, so
    its cost grows with the corpus (60,000 nodes: 148 ms a query with ``kind in [utterance,
    exchange]``, 3.0 ms for the two per-kind queries; ``tests/bench/bench_kind_filter.py``).
    Writes go to the collection of each node's ``kind``; deletes and reads by ``where`` go to
    all three (a node's ``kind`` stays in its metadata too)."""

    def __init__(self, collections: dict[str, Any]) -> None:
        self.by_kind = collections

    def upsert(
        self,
        ids: list[str],
        embeddings: list[list[float]],
        documents: list[str],
        metadatas: list[dict[str, Any]],
    ) -> None:
        for kind, collection in self.by_kind.items():
            picked = [i for i, meta in enumerate(metadatas) if meta.get("kind") == kind]
            if picked:
                collection.upsert(
                    ids=[ids[i] for i in picked],
                    embeddings=[
                        TURN_VECTOR if kind == "turn" else embeddings[i] for i in picked
                    ],
                    documents=[documents[i] for i in picked],
                    metadatas=[metadatas[i] for i in picked],
                )
        unknown = {str(m.get("kind")) for m in metadatas} - set(self.by_kind)
        if unknown:
            raise ValueError(f"nodes of unknown kind {sorted(unknown)}")

    def delete(self, where: dict[str, Any]) -> None:
        for collection in self.by_kind.values():
            collection.delete(where=where)

    def get(
        self,
        where: dict[str, Any] | None = None,
        ids: list[str] | None = None,
        include: list[str] | None = None,
        kinds: tuple[str, ...] | None = None,
    ) -> dict[str, list[Any]]:
        """Every matching node of ``kinds`` (default: all; no paging: one interview's nodes,
        or a test's)."""
        fields = ["ids", *(include or ["documents", "metadatas"])]
        out: dict[str, list[Any]] = {name: [] for name in fields}
        for kind, collection in self.by_kind.items():
            if kinds is not None and kind not in kinds:
                continue
            got = collection.get(where=where, ids=ids, include=include or ["documents", "metadatas"])
            for name in fields:
                out[name].extend(got[name])
        return out

    def query(
        self,
        embedding: list[float],
        n_results: int,
        kinds: tuple[str, ...],
        where: dict[str, Any] | None,
    ) -> list[tuple[str, float]]:
        """The ``n_results`` nodes of ``kinds`` nearest to ``embedding``: (id, cosine distance),
        nearest first."""
        hits: list[tuple[str, float]] = []
        for kind in kinds:
            result = self.by_kind[kind].query(
                query_embeddings=[embedding],
                n_results=n_results,
                where=where,
                include=["distances"],
            )
            hits.extend(zip(result["ids"][0], map(float, result["distances"][0]), strict=True))
        hits.sort(key=lambda hit: hit[1])
        return hits[:n_results]

    def count(self) -> int:
        return sum(int(c.count()) for c in self.by_kind.values())

    def load_vectors(self, kinds: tuple[str, ...]) -> None:
        """Have Chroma load these kinds' vector indexes now: it reads one from disk at its
        first query (a second for a thousand interviews), and a query of a stored vector's
        nearest node is the only way to ask for that."""
        for kind in kinds:
            collection = self.by_kind[kind]
            stored = collection.get(limit=1, include=["embeddings"])
            if len(stored["ids"]):
                collection.query(query_embeddings=[stored["embeddings"][0]], n_results=1)


def create_nodes(client: Any) -> NodeCollections:
    """The node collections (cosine space), made where missing."""
    return NodeCollections(
        {
            kind: client.get_or_create_collection(
                name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )
            for kind, name in KIND_COLLECTIONS.items()
        }
    )


def open_nodes(client: Any) -> NodeCollections | None:
    """The node collections; None when one is missing."""
    if not set(KIND_COLLECTIONS.values()) <= collection_names(client):
        return None
    return NodeCollections(
        {kind: get_collection(client, name) for kind, name in KIND_COLLECTIONS.items()}
    )


def delete_nodes(client: Any) -> None:
    """Drop every node collection (a rebuild with another model, or of damaged vectors)."""
    names = collection_names(client)
    for name in [*KIND_COLLECTIONS.values(), SINGLE_NODES, VECTOR_TURNS]:
        if name in names:
            client.delete_collection(name)


#: Nodes moved at a time by :func:`split_by_kind`.
_SPLIT_PAGE = 2000


def split_by_kind(client: Any, nodes: NodeCollections) -> int:
    """Move a format-4 index's nodes, vectors included, into the per-kind collections and
    drop its single collection; returns the nodes moved (0 when there was none).

    Upserts converge, so a move killed half-way is simply done again by the next build: the
    single collection goes only after every node is in its kind's collection."""
    if SINGLE_NODES not in collection_names(client):
        return 0
    single = get_collection(client, SINGLE_NODES)
    moved = 0
    while True:
        # Always the first page: what was moved is deleted, so the rest moves up.
        got = single.get(limit=_SPLIT_PAGE, include=["embeddings", "documents", "metadatas"])
        if not got["ids"]:
            break
        nodes.upsert(
            ids=list(got["ids"]),
            embeddings=[[float(x) for x in v] for v in got["embeddings"]],
            documents=[d or "" for d in got["documents"]],
            metadatas=[dict(m) for m in got["metadatas"]],
        )
        single.delete(ids=list(got["ids"]))
        moved += len(got["ids"])
    client.delete_collection(SINGLE_NODES)
    return moved


def move_turn_records(client: Any, nodes: NodeCollections) -> int:
    """Move a format-5 index's turn records (text and metadata; their vectors are dropped, see
    ``TURN_VECTOR``) into the turn collection of today; returns the records moved. Like
    :func:`split_by_kind`, a move killed half-way is done again by the next build."""
    if VECTOR_TURNS not in collection_names(client):
        return 0
    old = get_collection(client, VECTOR_TURNS)
    moved = 0
    while True:
        got = old.get(limit=_SPLIT_PAGE, include=["documents", "metadatas"])
        if not got["ids"]:
            break
        nodes.upsert(
            ids=list(got["ids"]),
            embeddings=[TURN_VECTOR] * len(got["ids"]),
            documents=[d or "" for d in got["documents"]],
            metadatas=[dict(m) for m in got["metadatas"]],
        )
        old.delete(ids=list(got["ids"]))
        moved += len(got["ids"])
    client.delete_collection(VECTOR_TURNS)
    return moved


def drop_legacy(client: Any) -> list[str]:
    """Delete the generations and pointer of a format-2 index (see the module docstring)."""
    dropped = []
    for name in sorted(collection_names(client)):
        if name.startswith(LEGACY_PREFIX) or name == LEGACY_META:
            client.delete_collection(name)
            dropped.append(name)
    return dropped


def legacy_format(client: Any) -> bool:
    """True when the database still holds a format-2 index."""
    return any(
        n.startswith(LEGACY_PREFIX) or n == LEGACY_META for n in collection_names(client)
    )


class BuildLock:
    """One build at a time per index folder (fcntl; released by the OS if the builder dies)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.path = Path(settings.index_dir) / LOCK_FILE
        self._fh: Any = None

    def __enter__(self) -> BuildLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.path.open("a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            fh.close()
            raise IndexBusyError(
                f"another build of the index at {where(self.settings)} is running "
                f"(process {holder}); wait for it to finish, then run `assistant index` again"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self._fh.truncate(0)
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
