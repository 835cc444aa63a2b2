"""Noticing interviews added to, edited in or removed from the corpus, and indexing them.

The corpus folder is polled: every ``watch_interval`` seconds the watcher lists it exactly as
the loader does (:func:`assistant.ingest.loader.collect_files`: hidden files, README-like
files and symbolic-link loops are skipped the same way) and keeps each file's size and
modification time, which costs one ``stat`` per file and reads nothing. Polling rather than
inotify and its kin: it needs no dependency, behaves the same on Linux, macOS, Windows and the
network shares studies are often kept on (where change notifications are not delivered), and
a corpus of a thousand files is a thousand ``stat`` calls every few seconds.

A change is indexed only once the folder has looked the same for one whole interval (a
debounce), so a transcript still being copied is not read half-written. The index is then
brought up to date through the service, as ``assistant index`` does; each file is read with
the loader's limits, and a file that cannot be read is reported once, in the update that
found it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import AssistantError, IndexBusyError, IndexInterruptedError
from assistant.model import LoadProblem, Progress
from assistant.safe_text import display_path, printable

if TYPE_CHECKING:
    from assistant.contract import AssistantService
    from assistant.index import IndexReport

#: A file's size and modification time (ns): what tells that it changed without reading it.
Snapshot = dict[str, tuple[int, int]]
ProgressCallback = Callable[[Progress], None]
#: Longest sleep between two checks of ``should_stop``, so Ctrl+Q or Ctrl+C is obeyed promptly
#: whatever the interval.
STOP_CHECK = 0.2
#: Names listed in one line before "and N more".
LISTED = 3


def snapshot(paths: Sequence[Path]) -> Snapshot:
    """Size and modification time of every file the loader would read under ``paths``."""
    from assistant.ingest.loader import collect_files

    problems: list[LoadProblem] = []
    files = collect_files(paths, problems, [])
    found: Snapshot = {}
    for path in files:
        try:
            info = os.stat(path)
        except OSError:  # gone between the listing and the stat: the next look sees it gone
            continue
        found[str(path)] = (info.st_size, info.st_mtime_ns)
    return found


@dataclass(frozen=True)
class FileChanges:
    """Files added, edited and removed between two snapshots, as the researcher named them."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @classmethod
    def between(cls, before: Snapshot, after: Snapshot) -> FileChanges:
        return cls(
            added=tuple(sorted(display_path(p) for p in after.keys() - before.keys())),
            changed=tuple(
                sorted(
                    display_path(p) for p in after.keys() & before.keys() if after[p] != before[p]
                )
            ),
            removed=tuple(sorted(display_path(p) for p in before.keys() - after.keys())),
        )

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def describe(self) -> str:
        """``added Interview 37.txt; edited Interview 12.txt``: which files moved."""
        parts = [
            f"{verb} {_listing([Path(p).name for p in names])}"
            for verb, names in (
                ("added", self.added),
                ("edited", self.changed),
                ("removed", self.removed),
            )
            if names
        ]
        return "; ".join(parts)


@dataclass
class Update:
    """What one look at the corpus led to: the files that changed and what the index did."""

    files: FileChanges
    report: IndexReport | None = None
    #: Titles of the interviews read, by id (the report carries ids only).
    titles: dict[str, str] = field(default_factory=dict)
    #: Files that could not be read and were not reported by an earlier update.
    problems: list[LoadProblem] = field(default_factory=list)
    #: Why the index was not updated (the update raised an AssistantError).
    error: str | None = None
    #: Nothing new to tell: the index was still busy with another build, as already said.
    #: Front ends only tidy up (the progress they showed for the attempt).
    quiet: bool = False

    def to_dict(self) -> dict[str, Any]:
        """One line of ``assistant index --watch --json``."""
        return {
            "files": {
                "added": list(self.files.added),
                "changed": list(self.files.changed),
                "removed": list(self.files.removed),
            },
            "report": self.report.to_dict() if self.report is not None else None,
            "problems": [str(p) for p in self.problems],
            "error": self.error,
        }

    def line(self) -> str:
        """One line for the researcher, e.g. ``indexed 1 new interview: 37 — Interview 37``."""
        return printable(self._line(), one_line=True)

    def _line(self) -> str:
        if self.error is not None:
            return f"{self.files.describe()}: {self.error}"
        report = self.report
        if report is None or not report.changed_anything:
            return f"{self.files.describe()}: no interview changed"
        clauses = []
        if report.rebuilt:
            clauses.append(f"rebuilt everything ({report.rebuilt})")
        indexed = [
            f"{len(ids)} {kind} interview{'s' if len(ids) != 1 else ''}: "
            + _listing([f"{i} — {self.titles[i]}" if self.titles.get(i) else i for i in ids])
            for kind, ids in (("new", report.added), ("changed", report.changed))
            if ids
        ]
        if indexed and not report.rebuilt:
            clauses.append("indexed " + " and ".join(indexed))
        if report.removed:
            n = len(report.removed)
            clauses.append(f"removed interview{'s' if n != 1 else ''} {_listing(report.removed)}")
        if report.kept:
            clauses.append(
                f"kept {_listing(report.kept)} as indexed before (file could not be read)"
            )
        return "; ".join(clauses)


def _listing(items: Sequence[str]) -> str:
    shown = ", ".join(items[:LISTED])
    more = len(items) - LISTED
    return f"{shown} and {more} more" if more > 0 else shown


class Watcher:
    """Looks at the corpus on demand (:meth:`poll`) or in a loop (:meth:`run`) and keeps the
    index up to date through ``service``.

    ``poll`` does one look and never sleeps, so tests drive it step by step."""

    def __init__(self, service: AssistantService, paths: Sequence[Path] | None = None) -> None:
        self.service = service
        self.paths = list(paths) if paths else [Path(service.settings.corpus_dir)]
        self.interval = float(service.settings.watch_interval)
        #: The folder as last indexed; None until the first look.
        self._indexed: Snapshot | None = None
        #: A changed folder seen once, waiting to look the same one interval later.
        self._pending: Snapshot | None = None
        self._reported: set[str] = set()
        self._said_busy = False

    def baseline(self, reported: Sequence[LoadProblem] = ()) -> None:
        """Take the folder as it is now as indexed; ``reported`` problems are not said again.

        Called before the corpus is loaded for a first build, so a file that lands during
        that build is picked up by the next look."""
        self._indexed = snapshot(self.paths)
        self._pending = None
        self._reported = {str(p) for p in reported}

    def note_problems(self, reported: Sequence[LoadProblem]) -> None:
        self._reported = {str(p) for p in reported}

    def poll(
        self,
        progress: ProgressCallback | None = None,
        starting: Callable[[FileChanges], None] | None = None,
    ) -> Update | None:
        """Look once; index and return what changed when the folder has settled, else None.

        ``starting`` is called with the changed files just before the index is updated."""
        now = snapshot(self.paths)
        if self._indexed is None:
            self._indexed = now
            return None
        if now == self._indexed:
            self._pending = None
            return None
        if now != self._pending:
            self._pending = now  # still moving (or just moved): look again next time
            return None
        files = FileChanges.between(self._indexed, now)
        if starting is not None:
            starting(files)
        return self._index(now, files, progress)

    def _index(
        self, now: Snapshot, files: FileChanges, progress: ProgressCallback | None
    ) -> Update:
        problems: list[LoadProblem] = []
        try:
            corpus = self.service.load_corpus(self.paths, progress=progress)
            problems = [p for p in corpus.errors if str(p) not in self._reported]
            self._reported = {str(p) for p in corpus.errors}
            if not corpus.interviews:
                where = ", ".join(display_path(p) for p in self.paths)
                raise AssistantError(
                    f"no transcript could be read in {where}; the index is unchanged"
                )
            report = self.service.build_index(corpus, progress=progress)
        except IndexInterruptedError:
            # Ctrl+C during the build (which kept the interviews it finished) ends the watch.
            raise KeyboardInterrupt from None
        except IndexBusyError as exc:
            # Another build holds the index (Ctrl+R in the chat, another `assistant index`):
            # ``_pending`` stays, so the next look tries again; said once, not every interval.
            quiet, self._said_busy = self._said_busy, True
            return Update(
                files, problems=problems, error=f"{exc}; trying again after it", quiet=quiet
            )
        except AssistantError as exc:
            # Not retried until the files change again: the same error every interval is noise.
            self._indexed, self._pending = now, None
            return Update(files, problems=problems, error=str(exc))
        self._indexed, self._pending, self._said_busy = now, None, False
        titles = {i.id: i.title for i in corpus.interviews}
        return Update(files, report, titles, problems)

    def run(
        self,
        on_update: Callable[[Update], None],
        *,
        should_stop: Callable[[], bool] = lambda: False,
        progress: ProgressCallback | None = None,
        starting: Callable[[FileChanges], None] | None = None,
    ) -> None:
        """Look every interval until ``should_stop()``; each update goes to ``on_update``.

        Ctrl+C (KeyboardInterrupt) passes through to the caller, whatever it interrupts: an
        interrupted build leaves the index as a build interrupted by `assistant index` does."""
        if self.interval <= 0:
            raise AssistantError(
                "watching needs ASSISTANT_WATCH_INTERVAL above 0 (seconds between two looks)"
            )
        if self._indexed is None:
            self.baseline()
        while True:
            deadline = time.monotonic() + self.interval
            while (left := deadline - time.monotonic()) > 0:
                if should_stop():
                    return
                time.sleep(min(left, STOP_CHECK))
            if should_stop():
                return
            update = self.poll(progress, starting)
            if update is not None:
                on_update(update)
