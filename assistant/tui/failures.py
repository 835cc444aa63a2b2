"""How a failed worker is told to the researcher: one line, never a traceback.

Workers run with ``exit_on_error=False``, so an exception ends the worker, not the app; its
owner's one ``Worker.StateChanged`` handler asks here for the line to show. An
``AssistantError`` already says what went wrong in the researcher's words; anything else is a
bug, reported as an internal error with what was being done.
"""

from __future__ import annotations

from typing import Any

from textual.worker import Worker

from assistant.errors import AssistantError, IndexBusyError

#: Per worker group: the line for an AssistantError (``{error}``, and ``{subject}`` when the
#: owner names what the worker was doing it to) and what the worker was doing.
_WORDING: dict[str, tuple[str, str]] = {
    "open": ("{error}. Fix it and start the assistant again.", "starting"),
    "index": ("Indexing failed: {error}", "indexing"),
    "ask": ("Could not answer: {error}", "answering"),
    "notes": ("Not added to notes: {error}", "saving the note"),
    "context": ("Cannot open {subject}: {error}", "opening the quote"),
    "codes": ("Cannot count the codes: {error}", "counting the codes"),
    "passages": ("Cannot list the passages: {error}", "listing the passages"),
    "agree": ("{error}", "comparing the codings"),
}


def failure_line(worker: Worker[Any], subject: str = "") -> str:
    """The line to show for ``worker``, which ended in error."""
    error = worker.error
    template, doing = _WORDING.get(worker.group, ("{error}", "working"))
    if worker.group == "index" and isinstance(error, IndexBusyError):
        return f"{error}. Try Ctrl+R again when it has finished."
    if isinstance(error, AssistantError):
        return template.format(error=error, subject=subject)
    return f"Internal error while {doing}: {error!r}"
