"""``assistant index --watch``: after the build, index the corpus folder's changes as they come.

One line per update on stdout (a time, then what was indexed), files that could not be read on
stderr as ``assistant index`` prints them; ``--json`` gives one JSON object a line instead.
Ctrl+C ends it with one line and exit status 0: stopping is how a watch ends.
"""

from __future__ import annotations

import json
import sys
import time

from assistant.cli.progress import ProgressDisplay
from assistant.safe_text import display_path
from assistant.watch import Update, Watcher

#: What a Ctrl+C during a build leaves: true of an index switched in at the end of a build and
#: of one updated in place per interview alike.
INTERRUPTED = (
    "indexing stopped (Ctrl+C); searches keep answering from the index, and the next "
    "`assistant index` does what was not finished"
)


def watch(watcher: Watcher, as_json: bool, on_terminal: bool) -> int:
    """Watch until Ctrl+C; the exit status."""
    where = ", ".join(display_path(p) for p in watcher.paths)
    print(
        f"Watching {where} for added, edited or removed interviews "
        f"(every {watcher.interval:g} s); Ctrl+C stops.",
        file=sys.stderr if as_json else sys.stdout,
        flush=True,
    )
    display = ProgressDisplay() if on_terminal else None
    updating = False

    def starting(_files: object) -> None:
        nonlocal updating
        updating = True

    def show(update: Update) -> None:
        nonlocal updating
        updating = False
        if display is not None:
            display.close()
        if update.quiet:
            return
        for problem in update.problems:
            print(f"assistant: {problem}", file=sys.stderr, flush=True)
        if as_json:
            print(json.dumps(update.to_dict(), ensure_ascii=False), flush=True)
        elif update.error is not None:
            print(f"assistant: {update.line()}", file=sys.stderr, flush=True)
        else:
            print(f"{time.strftime('%H:%M:%S')}  {update.line()}", flush=True)

    try:
        watcher.run(show, progress=display, starting=starting)
    except KeyboardInterrupt:
        if display is not None:
            display.close()
        return stopped_watching(watcher, during_update=updating)
    return 0


def stopped_watching(watcher: Watcher, *, during_update: bool) -> int:
    where = ", ".join(display_path(p) for p in watcher.paths)
    ending = f"; {INTERRUPTED}" if during_update else ""
    print(f"assistant: stopped watching {where}{ending}", file=sys.stderr)
    return 0
