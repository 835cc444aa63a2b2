"""The index's health: damaged vector files, a full disk, a read-only index, wasted space.

Each is a problem a researcher can fix or the next build repairs, and none of them is the
"damaged, delete the folder" of :func:`assistant.index.store.damaged`: that advice would lose a
read-only index for nothing. A build checks the vectors it keeps (:func:`vectors_problem`) and
gives back the space of interrupted builds (:func:`reclaim_space`); every read and write of
the index puts a full disk or a read-only folder in words (:func:`write_problem`).
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from assistant.errors import IndexDamagedError, IndexWriteError
from assistant.settings import Settings

_DISK_FULL = ("disk is full", "no space left", "quota exceeded")
_READ_ONLY = ("readonly database", "read-only file system", "permission denied")


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def write_problem(
    settings: Settings, exc: BaseException, *, building: bool
) -> IndexWriteError | None:
    """The one-line error when ``exc`` says the index's disk is full or the index is read-only,
    else None. Either is the researcher's to fix, and neither means the index is damaged: the
    damaged message's advice (delete the folder) would be wrong for both."""
    kind = None
    for cause in _causes(exc):
        text = str(cause).lower()
        number = cause.errno if isinstance(cause, OSError) else None
        if number in (errno.ENOSPC, errno.EDQUOT) or any(s in text for s in _DISK_FULL):
            kind = "full"
            break
        if number in (errno.EROFS, errno.EACCES, errno.EPERM) or any(s in text for s in _READ_ONLY):
            kind = "read-only"
            break
    if settings.chroma_url:
        return None
    folder = Path(settings.index_dir)
    if kind is None and _almost_no_space(folder):
        # Chroma does not always say why a write failed ("Failed to apply logs to the
        # metadata segment"); a disk with next to nothing left is the reason to give.
        kind = "full"
    if kind is None:
        return None
    detail = " ".join(f"{type(exc).__name__}: {exc}".split())
    if kind == "full":
        after = (
            "the previous index is unchanged and still answers; free some space and run "
            "`assistant index` again"
            if building
            else "free some space and try again"
        )
        return IndexWriteError(
            f"no space left on the disk holding the index at {folder} ({detail}); {after}"
        )
    return IndexWriteError(
        f"the index at {folder} is read-only ({detail}); it is not damaged, but it must be "
        f"writable, even to search: make {folder} writable, or copy it to a writable folder "
        "and point ASSISTANT_INDEX_DIR there"
    )


def vectors_problem(nodes: Any) -> str | None:
    """Why the vectors of ``nodes`` (:class:`store.NodeCollections`) cannot be searched (a
    collection's segment files are truncated or damaged), or None when a one-result query works
    in each. A build runs this on the index it would keep, so "unchanged" never means "left
    broken"."""
    for collection in nodes.by_kind.values():
        try:
            got = collection.get(limit=1, include=["embeddings"])
            embeddings = got.get("embeddings")
            if embeddings is None or len(embeddings) == 0:
                continue
            collection.query(
                query_embeddings=[[float(x) for x in embeddings[0]]],
                n_results=1,
                include=["distances"],
            )
        except Exception as exc:
            return " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
    return None


def vector_files_signature(settings: Settings) -> str | None:
    """The names and sizes of the local index's vector files (every segment folder), or None
    on a Chroma server, whose files are not ours to see.

    :func:`vectors_problem` makes Chroma load every collection's vector index into memory,
    which grows with the corpus (1.8 s of a no-op build at 1,000 interviews); a build runs it
    only when this signature differs from the one stored after the last build. Sizes, not
    times: a process that only searches rewrites the files' modification times. Truncated or
    missing files (what a killed copy or a full disk leaves) change a size or a name."""
    if settings.chroma_url:
        return None
    chroma = Path(settings.index_dir) / "chroma"
    parts = []
    try:
        for folder in sorted(chroma.iterdir()):
            if folder.is_dir() and _SEGMENT_FOLDER.match(folder.name):
                for item in sorted(folder.iterdir()):
                    parts.append(f"{folder.name}/{item.name} {item.stat().st_size}")
    except OSError:
        return None
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def database_signature(settings: Settings) -> str | None:
    """The local Chroma database file's size and SQLite header (format and page size), or None
    when there is none to read. Not its contents or time: a process that only searches
    writes to it (SQLite's change counter moves), but never changes what this covers; a file
    overwritten or truncated does."""
    if settings.chroma_url:
        return None
    database = Path(settings.index_dir) / "chroma" / "chroma.sqlite3"
    try:
        with database.open("rb") as handle:
            header = handle.read(18)
        return f"{database.stat().st_size} {header.hex()}"
    except OSError:
        return None


def vectors_damaged(settings: Settings, exc: BaseException) -> IndexDamagedError:
    """The one-line error when a search finds the vectors damaged: a build repairs them."""
    detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
    return IndexDamagedError(
        f"the search vectors of the index at {_where(settings)} are damaged ({detail}); run "
        "`assistant index` to repair them"
    )


#: Free space under which a failed write is put down to a full disk (Chroma's compaction
#: writes in chunks of megabytes, so a failing one can leave a few MB free).
ALMOST_FULL = 16 * 1024 * 1024


#: Disk a node takes, besides its text: its vector twice (Chroma's log and its vector index),
#: its metadata rows and their indexes. Its text is stored about ``TEXT_COPIES`` times (Chroma's
#: document and full-text index, the side store's row and keyword postings). Generous on
#: purpose: the check only has to catch a disk that is clearly too small.
NODE_BYTES = 8 * 1024
TEXT_COPIES = 6


def room_for(settings: Settings, nodes: int, chars: int) -> bool:
    """Whether the index's disk has room for ``nodes`` more nodes holding ``chars`` of text.

    Updates are written in place, and Chroma cannot even answer a search while a write it
    accepted waits for space it cannot get; so a build checks before each chunk, and stops
    with the one-line "no space" error while every interview is still whole and searchable."""
    if settings.chroma_url:
        return True
    try:
        stats = os.statvfs(Path(settings.index_dir))
    except OSError:
        return True
    free = stats.f_bavail * stats.f_frsize
    return free >= nodes * NODE_BYTES + chars * TEXT_COPIES


def no_room(settings: Settings, written: int) -> IndexWriteError:
    kept = (
        "the previous index is unchanged and still answers"
        if not written
        else f"the {written} interview{'s' * (written != 1)} written so far are kept and the "
        "index still answers"
    )
    return IndexWriteError(
        f"no space left on the disk holding the index at {settings.index_dir} (not enough "
        f"room for the next interviews); {kept}; free some space and run `assistant index` again"
    )


def _almost_no_space(folder: Path) -> bool:
    try:
        stats = os.statvfs(folder)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < ALMOST_FULL


#: VACUUM the database after a build when at least this much of it, and a quarter, is free.
VACUUM_MIN_FREE = 32 * 1024 * 1024
_SEGMENT_FOLDER = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def reclaim_space(settings: Settings) -> list[str]:
    """Give back the disk space of interrupted builds; call under the build lock, after a build.

    Chroma deletes a collection's rows but can leave its vector files behind (a build killed
    before its generation was switched in left a 481 MB folder), and SQLite keeps deleted
    pages in its file. Folders of segments no collection uses are removed, and the database is
    vacuumed when much of it is free. Best effort: the index is sound either way. Returns the
    folders removed.
    """
    if settings.chroma_url:
        return []
    chroma = Path(settings.index_dir) / "chroma"
    database = chroma / "chroma.sqlite3"
    removed: list[str] = []
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=rw", uri=True, timeout=30)) as db:
            live = {str(row[0]) for row in db.execute("SELECT id FROM segments")}
            for folder in chroma.iterdir():
                if (
                    folder.is_dir()
                    and _SEGMENT_FOLDER.match(folder.name)
                    and folder.name not in live
                ):
                    shutil.rmtree(folder, ignore_errors=True)
                    removed.append(folder.name)
            pages = int(db.execute("PRAGMA page_count").fetchone()[0])
            free = int(db.execute("PRAGMA freelist_count").fetchone()[0])
            size = int(db.execute("PRAGMA page_size").fetchone()[0])
            if free * size >= VACUUM_MIN_FREE and free * 4 >= pages:
                db.execute("VACUUM")
    except (sqlite3.Error, OSError):
        pass
    return removed




def _where(settings: Settings) -> str:
    # Worded as store.where words it; not imported from there, since store imports this module
    # (an import cycle inside the package fails tests/test_import_graph.py).
    return f"Chroma server {settings.chroma_url}" if settings.chroma_url else str(settings.index_dir)
