"""The one family of errors the core raises.

Every message is written for a researcher, not a developer: it names the file (and line or
page) or the setting involved and, where there is one, what to do about it. Front ends print
``str(error)`` and exit with ``error.exit_code``; a traceback reaching a user is a bug.
"""

from __future__ import annotations

from pathlib import Path


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(AssistantError):
    """A setting or the configuration file is invalid."""

    exit_code = 2


class CorpusError(AssistantError):
    """A transcript could not be read; names the file and, when known, the line or page."""

    def __init__(
        self,
        source: str | Path,
        problem: str,
        *,
        line: int | None = None,
        page: int | None = None,
    ) -> None:
        from assistant.safe_text import display_path

        self.source = display_path(source)
        self.problem = problem
        self.line = line
        self.page = page
        where = self.source
        if line is not None:
            where += f", line {line}"
        if page is not None:
            where += f", page {page}"
        super().__init__(f"{where}: {problem}")


class SearchIndexError(AssistantError):
    """Base for problems with the search index: missing, built differently, busy, not
    writable or damaged."""


class IndexMissingError(SearchIndexError):
    """No index has been built yet."""


class RebuildNeededError(SearchIndexError):
    """The index was built differently (another embedding model, an older format)."""


class IndexBusyError(SearchIndexError):
    """Another process is building the index right now."""


class IndexWriteError(SearchIndexError):
    """The index cannot be written: its disk is full, or it is read-only (not damaged)."""


class IndexInterruptedError(SearchIndexError):
    """A build stopped by Ctrl+C: the interviews it finished are kept."""

    exit_code = 130


class IndexDamagedError(SearchIndexError):
    """The index cannot be opened or read (a damaged database, a file where its folder goes)."""


class LLMError(AssistantError):
    """The language-model endpoint failed; callers fall back to the extractive answer."""


class NotesError(AssistantError):
    """The notes file could not be read or written, or a citation key does not resolve."""
