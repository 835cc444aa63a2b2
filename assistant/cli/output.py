"""The CLI's output edge: nothing written to stdout or stderr carries a control character.

Transcript text, file names and LLM replies reach the terminal from many places; wrapping
stdout and stderr for the length of a command is the one edge they all cross, so no escape
sequence of theirs reaches the terminal (or a file the output is redirected to). The few
writers that draw on a terminal on purpose (rich's tables and progress bars, the loading line)
write to :func:`terminal` instead, with every piece of corpus text they show passed through
:func:`~assistant.safe_text.printable` first.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from assistant.safe_text import printable


class PrintableStream:
    """A text stream that passes everything written through :func:`printable` (CR LF pairs
    stay, for CSV)."""

    def __init__(self, raw: TextIO) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        self.raw.write(printable(text, keep_crlf=True))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


@contextmanager
def printable_output() -> Iterator[None]:
    """stdout and stderr wrapped in PrintableStream until the block ends."""
    saved = sys.stdout, sys.stderr
    sys.stdout = PrintableStream(sys.stdout)
    sys.stderr = PrintableStream(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def terminal(stream: TextIO) -> TextIO:
    """The stream under ``stream``'s wrapper, for output that styles or redraws a terminal on
    purpose; whatever corpus text it includes must already be printable."""
    raw = stream.raw if isinstance(stream, PrintableStream) else stream
    return raw
