"""The side store: turns, units and the keyword index in one SQLite file beside Chroma.

Chroma answers "which nodes are closest to this vector"; everything else a search or a chat
needs (a turn's text by citation key, the turns around it, the units holding it, the keyword
index, code counts) is read from here by key, one row at a time, so opening an index reads no
turn text, whatever its size. Each interview's rows are replaced in one transaction, so a
reader sees an interview entirely old or entirely new; WAL lets readers and one writer work
at once. A reader holds one read transaction while it is open (a snapshot, as a generation
was before), and reopens when the manifest changes.

The store is a cache of Chroma's nodes (their documents and metadata say everything stored
here), tagged with the version of each interview it holds: :mod:`assistant.index.sync` refills
any interview whose version differs from the manifest's, without embedding anything.

Row positions (``pos``) are what search ranks and fuses: in a fresh build they follow the
interviews' order then the turns', as the in-memory lists of format 2 did, so ties break as
they did.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.index import nodes
from assistant.model import Evidence, Turn
from assistant.units import Unit, unit_text

FILE = "side.sqlite3"
#: Bumped when the tables change shape (or the keyword terms do): the store is refilled.
SCHEMA = 2

_TABLES = """
CREATE TABLE IF NOT EXISTS info(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS interviews(
    id TEXT PRIMARY KEY, version INTEGER NOT NULL, num INTEGER, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS turns(
    pos INTEGER PRIMARY KEY, interview TEXT NOT NULL, ordinal INTEGER NOT NULL,
    node TEXT NOT NULL, text TEXT NOT NULL, meta TEXT NOT NULL, speaker TEXT NOT NULL,
    codes TEXT NOT NULL, exchange TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS turns_key ON turns(interview, ordinal);
CREATE INDEX IF NOT EXISTS turns_node ON turns(node);
CREATE TABLE IF NOT EXISTS units(
    pos INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, node TEXT NOT NULL,
    interview TEXT NOT NULL, kind TEXT NOT NULL, ordinals TEXT NOT NULL,
    length INTEGER NOT NULL, role TEXT NOT NULL, speaker TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS units_node ON units(node);
CREATE INDEX IF NOT EXISTS units_interview ON units(interview);
CREATE TABLE IF NOT EXISTS unit_codes(
    code TEXT NOT NULL, pos INTEGER NOT NULL, PRIMARY KEY(code, pos)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS postings(
    term TEXT NOT NULL, interview TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY(term, interview)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS postings_interview ON postings(interview);
CREATE TABLE IF NOT EXISTS code_counts(
    interview TEXT NOT NULL, code TEXT NOT NULL, applications INTEGER NOT NULL,
    turns INTEGER NOT NULL, PRIMARY KEY(interview, code)) WITHOUT ROWID;
"""


_TABLE_NAMES = ("interviews", "turns", "units", "unit_codes", "postings", "code_counts", "info")


def _single(values: set[str]) -> str:
    """A unit's role or speaker when all its turns share one, else "" (matches no filter)."""
    return values.pop() if len(values) == 1 else ""


def _sort_columns(interview_id: str) -> tuple[int | None, str]:
    """Numbered interviews in numeric order (2 before 10), then the others by name."""
    return (int(interview_id), "") if re.fullmatch(r"\d+", interview_id) else (
        None,
        interview_id.casefold(),
    )


def sort_key(interview_id: str) -> tuple[int, int, str]:
    """Numbered interviews in numeric order (2 before 10), then the others by name."""
    num, name = _sort_columns(interview_id)
    return (0, num, "") if num is not None else (1, 0, name)


#: The interview order of :func:`assistant.index.reader.interview_sort_key`, in SQL.
ORDER = "i.num IS NULL, i.num, i.name"


class SideStore:
    """One connection to the side store of ``folder``; thread-safe (one lock)."""

    def __init__(self, folder: Path, *, snapshot: bool = False) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / FILE
        self._lock = threading.RLock()
        self._db = self._connect()
        self._snapshot = False
        if snapshot:
            self.begin_snapshot()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(
            self.path, timeout=60, isolation_level=None, check_same_thread=False
        )
        db.execute("PRAGMA journal_mode=WAL")
        # WAL with NORMAL survives a killed process (only a power cut can lose the last
        # transactions, and the manifest in Chroma then says what to refill).
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS info(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        found = db.execute("SELECT value FROM info WHERE key='schema'").fetchone()
        if found is None or int(found[0]) != SCHEMA:
            # Another layout: start empty (the store refills itself from Chroma). Not one
            # transaction (executescript commits), but the schema row is written last, so an
            # interrupted reset is simply done again.
            for table in _TABLE_NAMES:
                db.execute(f"DROP TABLE IF EXISTS {table}")
            db.executescript(_TABLES)
            db.execute("INSERT INTO info VALUES ('schema', ?)", (str(SCHEMA),))
        return db

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def begin_snapshot(self) -> None:
        """Hold one read transaction: every later read sees the store as it is now."""
        with self._lock:
            self._db.execute("BEGIN")
            self._db.execute("SELECT count(*) FROM interviews").fetchone()
            self._snapshot = True

    def rows(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._db.execute(sql, args).fetchall())

    def one(self, sql: str, args: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        with self._lock:
            row = self._db.execute(sql, args).fetchone()
            return tuple(row) if row is not None else None

    # -- writes ---------------------------------------------------------------------------

    def versions(self) -> dict[str, int]:
        return {str(i): int(v) for i, v in self.rows("SELECT id, version FROM interviews")}

    def clear(self) -> None:
        with self._lock, _transaction(self._db):
            for table in _TABLE_NAMES[:-1]:
                self._db.execute(f"DELETE FROM {table}")
            self._db.execute("DELETE FROM info WHERE key IN ('units', 'length', 'follows')")

    def remove(self, interview_id: str) -> None:
        """Forget an interview (one transaction)."""
        with self._lock, _transaction(self._db):
            self._delete(interview_id)

    def replace(
        self,
        interview_id: str,
        version: int,
        turns: Sequence[tuple[str, Evidence]],
        units: Sequence[tuple[str, Unit]],
    ) -> None:
        """Put ``version`` of an interview in place of whatever version was here, in one
        transaction: ``turns`` are (node id, Evidence) in turn order, ``units`` (node id,
        Unit) ordered by first turn then kind."""
        from assistant.terms import tokenize

        by_ordinal = {e.turn.ordinal: e.turn for _n, e in turns}
        exchange_of = {
            o: u.id for _n, u in units if u.kind == "exchange" for o in u.ordinals
        }
        unit_rows = []
        for node_id, unit in units:
            members = [by_ordinal[o] for o in unit.ordinals if o in by_ordinal]
            terms = Counter(tokenize(unit_text(members)))
            codes = list(dict.fromkeys(c for t in members for c in t.codes))
            unit_rows.append((node_id, unit, members, terms, codes))
        applications: Counter[str] = Counter()
        coded_turns: Counter[str] = Counter()
        for _n, e in turns:
            for paragraph in e.turn.paragraphs:
                applications.update(paragraph.codes)
            coded_turns.update(e.turn.codes)
        num, name = _sort_columns(interview_id)
        with self._lock, _transaction(self._db):
            db = self._db
            self._delete(interview_id)
            db.execute(
                "INSERT INTO interviews VALUES (?, ?, ?, ?)", (interview_id, version, num, name)
            )
            db.executemany(
                "INSERT INTO turns(interview, ordinal, node, text, meta, speaker, codes, "
                "exchange) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        interview_id,
                        e.turn.ordinal,
                        node_id,
                        e.turn.text,
                        json.dumps(_record(e), ensure_ascii=False),
                        e.turn.speaker,
                        "|".join(e.turn.codes),
                        exchange_of.get(e.turn.ordinal),
                    )
                    for node_id, e in turns
                ],
            )
            length = 0
            postings: dict[str, list[tuple[int, int, int]]] = {}
            for node_id, unit, members, terms, codes in unit_rows:
                size = sum(terms.values())
                length += size
                cursor = db.execute(
                    "INSERT INTO units(id, node, interview, kind, ordinals, length, role, "
                    "speaker) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        unit.id,
                        node_id,
                        interview_id,
                        unit.kind,
                        json.dumps(list(unit.ordinals)),
                        size,
                        _single({t.role for t in members}),
                        _single({nodes.normalise_speaker(t.speaker) for t in members}),
                    ),
                )
                pos = int(cursor.lastrowid or 0)
                for term, tf in terms.items():
                    postings.setdefault(term, []).append((pos, tf, size))
                db.executemany(
                    "INSERT INTO unit_codes VALUES (?, ?)", [(c, pos) for c in codes]
                )
            # One row per term and interview: a search reads a term's postings in as many
            # rows as there are interviews using it, not one row per unit.
            db.executemany(
                "INSERT INTO postings VALUES (?, ?, ?)",
                [
                    (term, interview_id, np.asarray(rows, dtype=np.int32).tobytes())
                    for term, rows in postings.items()
                ],
            )
            db.executemany(
                "INSERT INTO code_counts VALUES (?, ?, ?, ?)",
                [
                    (interview_id, code, applications[code], coded_turns[code])
                    for code in applications.keys() | coded_turns.keys()
                ],
            )
            self._add_stats(len(unit_rows), length)

    def _delete(self, interview_id: str) -> None:
        db = self._db
        gone_units = 0
        gone_length = 0
        for pos, length in db.execute(
            "SELECT pos, length FROM units WHERE interview = ?", (interview_id,)
        ).fetchall():
            db.execute("DELETE FROM unit_codes WHERE pos = ?", (pos,))
            gone_units += 1
            gone_length += int(length)
        db.execute("DELETE FROM postings WHERE interview = ?", (interview_id,))
        db.execute("DELETE FROM units WHERE interview = ?", (interview_id,))
        db.execute("DELETE FROM turns WHERE interview = ?", (interview_id,))
        db.execute("DELETE FROM code_counts WHERE interview = ?", (interview_id,))
        db.execute("DELETE FROM interviews WHERE id = ?", (interview_id,))
        if gone_units:
            self._add_stats(-gone_units, -gone_length)

    def _add_stats(self, units: int, length: int) -> None:
        for key, delta in (("units", units), ("length", length)):
            self._db.execute(
                "INSERT INTO info VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                "value = CAST(value AS INTEGER) + CAST(excluded.value AS INTEGER)",
                (key, str(delta)),
            )

    # -- reads ----------------------------------------------------------------------------

    def info(self, key: str) -> str | None:
        row = self.one("SELECT value FROM info WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    def set_info(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO info VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                "excluded.value",
                (key, value),
            )

    def stats(self) -> tuple[int, int]:
        """Units in the keyword index and their total length in terms."""
        got = dict(self.rows("SELECT key, value FROM info WHERE key IN ('units', 'length')"))
        return int(got.get("units", 0)), int(got.get("length", 0))

    def iter_turns(self) -> Iterator[tuple[int, Evidence]]:
        sql = (
            "SELECT t.pos, t.text, t.meta FROM turns t JOIN interviews i ON i.id = t.interview "
            f"ORDER BY {ORDER}, t.ordinal"
        )
        for pos, text, meta in self.rows(sql):
            yield int(pos), evidence(text, meta)

    def iter_units(self) -> Iterator[tuple[int, Unit]]:
        sql = (
            "SELECT u.pos, u.kind, u.interview, u.ordinals FROM units u "
            f"JOIN interviews i ON i.id = u.interview ORDER BY {ORDER}, u.pos"
        )
        for pos, kind, iid, ordinals in self.rows(sql):
            yield int(pos), unit(kind, iid, ordinals)


def evidence(text: str, meta: str) -> Evidence:
    return nodes.evidence_from_record(text, json.loads(meta))


def unit(kind: str, interview_id: str, ordinals: str) -> Unit:
    return Unit(kind=kind, interview_id=interview_id, ordinals=tuple(json.loads(ordinals)))  # type: ignore[arg-type]


def _record(e: Evidence) -> dict[str, Any]:
    """What :func:`nodes.evidence_from_record` needs to rebuild ``e``."""
    turn: Turn = e.turn
    meta = nodes.turn_metadata_core(turn)
    meta.update(title=e.title, source=e.source, **nodes.held_metadata(e.cases, e.variables))
    return meta


class _transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK when the block raises (KeyboardInterrupt too)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *rest: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
