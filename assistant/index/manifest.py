"""The manifest: what the index holds, which version of each interview is live, and the journal.

It lives in Chroma (the ``assistant_manifest`` collection), beside the nodes it describes, so a
Chroma server shared by several researchers carries its own manifest. One record per interview
(``interview:<id>``) and one for the index (``@index``: embedding model, format, code book
definitions and a change counter). Writing one record is atomic in Chroma, and that is the
switch of an interview from its old version to its new one: see :mod:`assistant.index.build`
for the order of writes around it, and why any moment is a safe one to die.

An interview record carries ``version`` (the version of its nodes that readers use; 0 before
its first version is live) and ``pending`` (the version a build is writing, or 0): a record
with ``pending`` set is the journal entry of an update that may not have finished. ``removing``
marks an interview whose removal has been decided but whose nodes may still be in Chroma.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

NAME = "assistant_manifest"
INFO_ID = "@index"
ENTRY_PREFIX = "interview:"
#: Chroma stores a vector with every record; the manifest's are all this one.
_VECTOR = [1.0]
_PAGE = 2000


@dataclass
class InterviewEntry:
    sha256: str
    title: str
    source: str
    format: str
    turns: int
    version: int = 0
    pending: int = 0
    removing: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The summary shown for an indexed interview (``assistant corpus``, the chat)."""
        return {
            "sha256": self.sha256,
            "title": self.title,
            "source": self.source,
            "format": self.format,
            "turns": self.turns,
        }

    def to_meta(self) -> dict[str, Any]:
        return {**self.to_dict(), "version": self.version, "pending": self.pending,
                "removing": self.removing}

    @classmethod
    def from_meta(cls, meta: dict[str, Any]) -> InterviewEntry:
        return cls(
            sha256=str(meta["sha256"]),
            title=str(meta["title"]),
            source=str(meta["source"]),
            format=str(meta["format"]),
            turns=int(meta["turns"]),
            version=int(meta.get("version", 0)),
            pending=int(meta.get("pending", 0)),
            removing=bool(meta.get("removing", False)),
        )

    @property
    def live(self) -> bool:
        return self.version > 0 and not self.removing


@dataclass
class Manifest:
    embed_model: str
    format_version: int
    #: Every interview record, live or not (see :meth:`live`).
    entries: dict[str, InterviewEntry] = field(default_factory=dict)
    built_at: float = 0.0
    #: The code definitions of the corpus's code books (REFI-QDA project, .qdc) as
    #: ``[label, parent, description]``, so searches place codes as the code book does.
    codes: list[list[str | None]] = field(default_factory=list)
    #: Bumped at every switch of an interview: a reader that saw another value is outdated.
    counter: int = 0

    @property
    def interviews(self) -> dict[str, InterviewEntry]:
        """The interviews readers see: those with a live version."""
        return {iid: e for iid, e in self.entries.items() if e.live}

    def info_meta(self) -> dict[str, Any]:
        return {
            "embed_model": self.embed_model,
            "format_version": self.format_version,
            "built_at": self.built_at,
            "codes": json.dumps(self.codes, ensure_ascii=False),
            "counter": self.counter,
        }


def collection(client: Any, create: bool = False) -> Any:
    """The manifest's collection; None when it does not exist and not ``create``."""
    from assistant.index.store import collection_names, get_collection

    if create:
        return client.get_or_create_collection(NAME, embedding_function=None)
    if NAME not in collection_names(client):
        return None
    return get_collection(client, NAME)


def read(col: Any) -> Manifest | None:
    """The whole manifest (a few hundred bytes per interview), None before the first build."""
    metas: dict[str, dict[str, Any]] = {}
    offset = 0
    while True:
        got = col.get(limit=_PAGE, offset=offset, include=["metadatas"])
        for rid, meta in zip(got["ids"], got["metadatas"], strict=True):
            metas[rid] = dict(meta or {})
        if len(got["ids"]) < _PAGE:
            break
        offset += _PAGE
    info = metas.pop(INFO_ID, None)
    if info is None:
        return None
    manifest = _from_info(info)
    manifest.entries = {
        rid[len(ENTRY_PREFIX) :]: InterviewEntry.from_meta(meta)
        for rid, meta in metas.items()
        if rid.startswith(ENTRY_PREFIX)
    }
    return manifest


def read_info(col: Any) -> Manifest | None:
    """The index record alone, with no interview records (``entries`` empty): model, format,
    code definitions and counter, in one read whatever the corpus's size."""
    got = col.get(ids=[INFO_ID], include=["metadatas"])
    if not got["ids"]:
        return None
    return _from_info(dict(got["metadatas"][0] or {}))


def _from_info(info: dict[str, Any]) -> Manifest:
    return Manifest(
        embed_model=str(info["embed_model"]),
        format_version=int(info["format_version"]),
        built_at=float(info.get("built_at", 0.0)),
        codes=list(json.loads(str(info.get("codes") or "[]"))),
        counter=int(info.get("counter", 0)),
    )


def read_counter(col: Any) -> int | None:
    got = col.get(ids=[INFO_ID], include=["metadatas"])
    if not got["ids"]:
        return None
    return int((got["metadatas"][0] or {}).get("counter", 0))


def write_info(col: Any, manifest: Manifest) -> None:
    col.upsert(ids=[INFO_ID], embeddings=[_VECTOR], metadatas=[manifest.info_meta()])


def write_entry(col: Any, interview_id: str, entry: InterviewEntry) -> None:
    col.upsert(
        ids=[ENTRY_PREFIX + interview_id], embeddings=[_VECTOR], metadatas=[entry.to_meta()]
    )


def write_entries(
    col: Any, entries: dict[str, InterviewEntry], info: Manifest | None = None
) -> None:
    """Several records (and the index record) in one write, which Chroma applies at once."""
    ids = [ENTRY_PREFIX + iid for iid in entries]
    metas = [e.to_meta() for e in entries.values()]
    if info is not None:
        ids.append(INFO_ID)
        metas.append(info.info_meta())
    if ids:
        col.upsert(ids=ids, embeddings=[_VECTOR] * len(ids), metadatas=metas)


def delete_entry(col: Any, interview_id: str) -> None:
    col.delete(ids=[ENTRY_PREFIX + interview_id])
