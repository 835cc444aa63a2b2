"""The progress line of slow commands on a terminal: a bar, counts, the interview at hand and
the time left (:mod:`assistant.eta`), redrawn in place and gone when the work ends.

Drawn only on a terminal: piped or ``--json`` output gets none of it, so no control character
reaches a file or another program.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from assistant.cli.output import terminal
from assistant.eta import Estimator, describe
from assistant.model import Progress
from assistant.safe_text import printable

if TYPE_CHECKING:
    from rich.console import Console

#: Longest file or interview name shown, so the line fits a narrow terminal.
DETAIL_WIDTH = 40


class ProgressDisplay:
    """Call it with Progress events; :meth:`close` takes the line away (the next event draws a
    new one, as the watcher does for each update)."""

    def __init__(
        self, console: Console | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._console = console
        self._clock = clock
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}
        self._eta = Estimator(clock)

    def __call__(self, progress: Progress) -> None:
        if self._bar is None:
            self._open()
        if progress.stage not in self._tasks:
            for task in self._tasks.values():  # one line: the stage under way
                self._bar.update(task, visible=False)
            self._tasks[progress.stage] = self._bar.add_task(progress.stage, line="")
        detail = printable(progress.detail, one_line=True)
        if len(detail) > DETAIL_WIDTH:
            detail = detail[: DETAIL_WIDTH - 1] + "…"
        shown = Progress(
            progress.stage,
            progress.done,
            progress.total,
            detail,
            progress.interviews_done,
            progress.interviews_total,
        )
        self._bar.update(
            self._tasks[progress.stage],
            completed=progress.done,
            total=progress.total or None,
            line=describe(self._eta.update(shown)),
        )

    def _open(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, TextColumn
        from rich.progress import Progress as Bar

        # It redraws the terminal, so it writes under the output edge; its text is printable.
        console = self._console or Console(file=terminal(sys.stdout))
        self._bar = Bar(
            BarColumn(bar_width=24),
            TextColumn("{task.fields[line]}"),
            console=console,
            transient=True,
        )
        self._bar.start()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
        self._bar, self._tasks, self._eta = None, {}, Estimator(self._clock)


@contextmanager
def progress_display(enabled: bool) -> Iterator[ProgressDisplay | None]:
    """A progress line while the block runs, when ``enabled`` (a terminal, not ``--json``)."""
    if not enabled:
        yield None
        return
    display = ProgressDisplay()
    try:
        yield display
    finally:
        display.close()
