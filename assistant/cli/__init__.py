"""The ``assistant`` command: one subcommand per module in this package.

This is the only place that turns an ``AssistantError`` into a one-line message and an exit
code; no traceback reaches a user.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from assistant import __version__
from assistant.cli.output import printable_output
from assistant.errors import AssistantError
from assistant.safe_text import printable

#: Modules of this package that each add their subcommands with ``register(subparsers)``
#: (``notes`` registers both ``notes`` and ``quotes``; ``corpus`` both ``corpus`` and ``codes``).
COMMAND_MODULES = (
    "chat",
    "corpus",
    "index",
    "ask",
    "notes",
    "eval",
    "export",
    "agree",
    "suggest",
)

DESCRIPTION = """\
Question your coded interview transcripts. Every answer is built from verbatim quotes, each
cited to interview, turn, speaker, line or page, and codes, and checked against the corpus.

With no command, opens the terminal chat on the configured corpus (ASSISTANT_CORPUS_DIR,
default ./corpus). Settings: ASSISTANT_* environment variables or assistant.toml; see README.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"assistant.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # The chat draws its own screen (the TUI passes its text through printable itself).
    if args_list[:1] in ([], ["chat"]):
        return _main(args_list)
    with printable_output():
        return _main(args_list)


def _main(args_list: list[str]) -> int:
    try:
        # Inside the protection: a command module that fails to import is a one-line error too.
        # argparse's SystemExit (--help, --version, usage errors) is not an Exception and passes.
        parser = build_parser()
        args = parser.parse_args(args_list or ["chat"])
        return int(args.func(args) or 0)
    except AssistantError as exc:
        # printable here too: `chat` runs outside the output edge.
        print(printable(f"assistant: {exc}"), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("assistant: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error worth a message.
        return 0
    except Exception as exc:  # the last line of defence: a traceback is a bug, not a message
        if os.environ.get("ASSISTANT_DEBUG"):
            raise
        print(
            f"assistant: internal error: {type(exc).__name__}: {printable(str(exc))} "
            "(set ASSISTANT_DEBUG=1 to see the traceback, and please report it)",
            file=sys.stderr,
        )
        return 70
