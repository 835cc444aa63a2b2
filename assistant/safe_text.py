"""Text made safe to show in a terminal or write to a file a researcher opens.

Transcripts and LLM replies are hostile input as far as a terminal is concerned: an escape
sequence can write the user's clipboard (OSC 52), retitle the window or clear the screen, and
bidi controls can reorder what a reader sees. Every output edge (the CLI's stdout and stderr,
the notes file, the chat's widgets) passes text through :func:`printable`.

Nothing is removed from the corpus itself. Quotes are checked verbatim against the turns with
the same characters ignored (``assistant.answer.verify.normalise`` calls :func:`strip_controls`),
so a quote shown or saved without them still verifies against the transcript that has them.
"""

from __future__ import annotations

import os
import re

#: Bidi embeddings, overrides, isolates and marks (Unicode's Bidi_Control property).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# C0 controls that Python's str.split() counts as white space: shown as a space, so words
# they separated stay apart. Newline and tab are kept as they are.
_SPACE_LIKE = "\x0b\x0c\r\x1c\x1d\x1e\x1f\x85"
_SPACE_RE = re.compile(f"[{_SPACE_LIKE}]")
# Every other C0 control, DEL, every other C1 control, and the bidi controls.
_DROP_RE = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f" + BIDI_CONTROLS + "]")
#: The characters :func:`strip_controls` removes, for code that walks text one character at a time.
DROPPED = frozenset(
    [
        chr(c)
        for c in (*range(0x00, 0x09), *range(0x0E, 0x1C), *range(0x7F, 0x85), *range(0x86, 0xA0))
    ]
    + list(BIDI_CONTROLS)
)
_CRLF_RE = re.compile("\r\n")
_SPACE_BUT_CRLF_RE = re.compile("\r(?!\n)|[" + _SPACE_LIKE.replace("\r", "") + "]")
_ONE_LINE_RE = re.compile("[\n\t]")


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def display_path(path: str | os.PathLike[str]) -> str:
    """A file name as text that can be shown, stored and written as UTF-8.

    File names are bytes on Linux; Python keeps bytes that are not UTF-8 as lone surrogates,
    which any UTF-8 encoder (the terminal, Chroma, a JSON file) refuses. They are shown as
    ``\\xff`` escapes instead, so ``Interview 9 \\xff.txt`` is named, indexed and cited like
    any other file. The real path is kept for opening the file.
    """
    text = os.fspath(path)
    if not _SURROGATE_RE.search(text):
        return text
    return os.fsencode(text).decode("utf-8", "backslashreplace")


def strip_controls(text: str) -> str:
    """``text`` without the controls that are not white space (ESC, BEL, C1, bidi marks)."""
    return _DROP_RE.sub("", text)


def printable(text: str, *, one_line: bool = False, keep_crlf: bool = False) -> str:
    """``text`` with no C0 or C1 control character but newline and tab, and no bidi control.

    Space-like controls (CR, VT, FF, the information separators, NEL) become a space, the
    others are dropped. ``one_line`` also turns newlines and tabs into spaces, for a field
    shown on one line (a title, a speaker, a file name). ``keep_crlf`` keeps CR LF pairs, for
    output that needs them (CSV is RFC 4180).
    """
    if text.isprintable() and not one_line:
        return text  # the common case: nothing to do, no copy
    if not keep_crlf:
        text = _CRLF_RE.sub("\n", text)
        text = _SPACE_RE.sub(" ", text)
    else:
        text = _SPACE_BUT_CRLF_RE.sub(" ", text)
    text = _DROP_RE.sub("", text)
    # Lone surrogates (undecodable file names) cannot be written as UTF-8 at all.
    text = _SURROGATE_RE.sub("\ufffd", text)
    if one_line:
        text = _ONE_LINE_RE.sub(" ", text)
    return text
