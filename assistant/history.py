"""Chat history: every conversation, its questions and the answers with their citations.

One SQLite file in the data folder (``ASSISTANT_DATA_DIR``, default the XDG data dir). An
answer is stored as the JSON of ``Answer.to_dict()``, so a reopened conversation shows the
same quotes and citation keys it showed when it was asked, even if the index changed since.
The schema version lives in ``PRAGMA user_version``; older files are migrated on open and a
file written by a newer release is refused rather than damaged.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.model import Answer, Citation

FILE_NAME = "history.sqlite3"
SCHEMA_VERSION = 1

#: Each step takes the schema from version ``index`` to ``index + 1``.
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE conversation (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        title TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE exchange (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id INTEGER NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
        question TEXT NOT NULL,
        answer_json TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX exchange_by_conversation ON exchange(conversation_id, id);
    """,
)

#: Long first questions are cut to this many characters for the conversation's title.
TITLE_LENGTH = 80


@dataclass(frozen=True)
class ConversationSummary:
    """One row of the history list."""

    id: int
    title: str
    created_at: datetime
    updated_at: datetime
    questions: int


@dataclass(frozen=True)
class Exchange:
    """A question and the answer it got, loaded back from its stored JSON."""

    id: int
    question: str
    answer: Answer
    created_at: datetime

    @property
    def citations(self) -> list[Citation]:
        return list(self.answer.citations)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _title(question: str) -> str:
    line = " ".join(question.split())
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1].rstrip() + "…"


class History:
    """The conversations stored in one SQLite file.

    ``clock`` is injectable so tests get deterministic timestamps.
    """

    def __init__(self, path: Path, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self.path = path
        self._clock = clock
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # The TUI writes from worker threads; each call is short and serialised by SQLite.
            self._db = sqlite3.connect(path, check_same_thread=False)
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise AssistantError(
                f"{path}: cannot open the chat history ({exc}); move the file aside to start afresh"
            ) from None
        except OSError as exc:
            raise AssistantError(f"{path}: cannot create the chat history ({exc})") from None

    @classmethod
    def in_folder(cls, data_dir: Path, **kwargs: Any) -> History:
        return cls(data_dir / FILE_NAME, **kwargs)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------------

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise AssistantError(
                f"{self.path}: the chat history was written by a newer version of the assistant "
                f"(schema {version}, this one reads up to {SCHEMA_VERSION}); upgrade to open it"
            )
        for step in range(version, SCHEMA_VERSION):
            with self._db:
                for statement in _MIGRATIONS[step].split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {step + 1}")

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            with self._db:
                yield self._db
        except sqlite3.DatabaseError as exc:
            raise AssistantError(f"{self.path}: cannot write the chat history ({exc})") from None

    # -- writing --------------------------------------------------------------------------

    def start(self, title: str) -> int:
        """Create a conversation and return its id."""
        now = self._clock().isoformat()
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO conversation (title, created_at, updated_at) VALUES (?, ?, ?)",
                (_title(title), now, now),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def record(self, conversation_id: int | None, answer: Answer) -> int:
        """Store ``answer`` in the conversation, starting one (titled by the question) when
        ``conversation_id`` is None. Returns the conversation id."""
        if conversation_id is None:
            conversation_id = self.start(answer.question)
        now = self._clock().isoformat()
        payload = json.dumps(answer.to_dict(), ensure_ascii=False)
        with self._write() as db:
            updated = db.execute(
                "UPDATE conversation SET updated_at = ? WHERE id = ?", (now, conversation_id)
            )
            if updated.rowcount == 0:
                raise AssistantError(f"conversation {conversation_id} is not in the history")
            db.execute(
                "INSERT INTO exchange (conversation_id, question, answer_json, created_at) "
                "VALUES (?, ?, ?, ?)",
                (conversation_id, answer.question, payload, now),
            )
        return conversation_id

    def delete(self, conversation_id: int) -> bool:
        """Remove a conversation and its exchanges; False when there was none."""
        with self._write() as db:
            deleted = db.execute("DELETE FROM conversation WHERE id = ?", (conversation_id,))
        return deleted.rowcount > 0

    # -- reading --------------------------------------------------------------------------

    def conversations(self) -> list[ConversationSummary]:
        """Every conversation, most recently used first."""
        rows = self._db.execute(
            "SELECT c.id, c.title, c.created_at, c.updated_at, COUNT(e.id) "
            "FROM conversation c LEFT JOIN exchange e ON e.conversation_id = c.id "
            "GROUP BY c.id ORDER BY c.updated_at DESC, c.id DESC"
        ).fetchall()
        return [
            ConversationSummary(
                id=row[0],
                title=row[1],
                created_at=datetime.fromisoformat(row[2]),
                updated_at=datetime.fromisoformat(row[3]),
                questions=row[4],
            )
            for row in rows
        ]

    def exchanges(self, conversation_id: int) -> list[Exchange]:
        """The questions and answers of a conversation, in the order they were asked."""
        rows = self._db.execute(
            "SELECT id, question, answer_json, created_at FROM exchange "
            "WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        ).fetchall()
        try:
            return [
                Exchange(
                    id=row[0],
                    question=row[1],
                    answer=Answer.from_dict(json.loads(row[2])),
                    created_at=datetime.fromisoformat(row[3]),
                )
                for row in rows
            ]
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise AssistantError(
                f"{self.path}: an answer of conversation {conversation_id} cannot be read "
                f"({type(exc).__name__}: {exc})"
            ) from None
