"""Where the index lives: a Chroma database (on disk, or a server) holding generations.

Each build writes a new collection (a *generation*, ``turns-000007``) beside the one readers
use, then switches one pointer — the metadata of the ``assistant_meta`` collection, replaced in
a single transaction — to it. A build that dies half-way leaves an orphan collection that the
next build deletes, and the pointer (so every reader) still on the old generation. The previous
generation is kept one more build, so a reader that opened it just before a switch can finish.

The manifest (embedding model, format version, interviews with their sha256) is stored in the
generation collection's own metadata, so it always describes exactly that collection.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from assistant.errors import ConfigError, IndexBusyError, IndexDamagedError
from assistant.settings import Settings

META = "assistant_meta"
PREFIX = "turns-"
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


def make_client(settings: Settings) -> Any:
    """A Chroma client: the server at ``chroma_url`` when set, else a database in index_dir.

    A local database that cannot be opened is an IndexDamagedError naming the folder."""
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


def get_collection(client: Any, name: str) -> Any:
    """Open a collection without ever letting Chroma attach its default embedding function
    (which would download a model the first time it is called)."""
    return client.get_collection(name, embedding_function=None)


def create_generation(client: Any, name: str, manifest: Manifest) -> Any:
    return client.create_collection(
        name,
        embedding_function=None,
        configuration={"hnsw": {"space": "cosine"}},
        metadata={"manifest": manifest.to_json()},
    )


@dataclass
class Pointer:
    """Which generation readers use, the one before it, and the last number handed out."""

    current: str | None = None
    previous: str | None = None
    counter: int = 0


def read_pointer(client: Any, settings: Settings) -> Pointer:
    """The pointer; an empty one before the first build, IndexDamagedError when unreadable."""
    try:
        # Listing first, because chromadb's NotFoundError differs between local and server
        # clients: any error past this point is a real fault, not "no index yet".
        names = {c if isinstance(c, str) else c.name for c in client.list_collections()}
        if META not in names:
            return Pointer()
        meta = get_collection(client, META).metadata or {}
        return Pointer(
            current=meta.get("current") or None,
            previous=meta.get("previous") or None,
            counter=int(meta.get("counter", 0)),
        )
    except Exception as exc:
        from assistant.index.health import write_problem

        raise write_problem(settings, exc, building=False) or damaged(settings, exc) from None


def write_pointer(client: Any, pointer: Pointer) -> None:
    """The switch: one metadata replacement, atomic in Chroma's database."""
    meta = client.get_or_create_collection(META, embedding_function=None)
    meta.modify(
        metadata={
            "current": pointer.current or "",
            "previous": pointer.previous or "",
            "counter": pointer.counter,
        }
    )


def drop_stale_generations(client: Any, keep: set[str]) -> list[str]:
    """Delete generations other than ``keep`` (orphans of failed builds, superseded ones)."""
    dropped = []
    for col in client.list_collections():
        name = col if isinstance(col, str) else col.name
        if name.startswith(PREFIX) and name not in keep:
            client.delete_collection(name)
            dropped.append(name)
    return dropped


@dataclass
class InterviewEntry:
    sha256: str
    title: str
    source: str
    format: str
    turns: int

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class Manifest:
    embed_model: str
    format_version: int
    interviews: dict[str, InterviewEntry] = field(default_factory=dict)
    built_at: float = 0.0
    #: The code definitions of the corpus's code books (REFI-QDA project, .qdc) as
    #: ``[label, parent, description]``, so searches place codes as the code book does.
    codes: list[list[str | None]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(
            {
                "embed_model": self.embed_model,
                "format_version": self.format_version,
                "built_at": self.built_at,
                "interviews": {k: v.to_dict() for k, v in self.interviews.items()},
                "codes": self.codes,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        return cls(
            embed_model=data["embed_model"],
            format_version=int(data["format_version"]),
            built_at=float(data.get("built_at", 0.0)),
            interviews={k: InterviewEntry(**v) for k, v in data["interviews"].items()},
            codes=list(data.get("codes", [])),
        )

    @classmethod
    def of(cls, collection: Any) -> Manifest:
        return cls.from_json((collection.metadata or {})["manifest"])


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
