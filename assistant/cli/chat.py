"""``assistant chat`` (and ``assistant`` alone): the terminal chat on the configured corpus."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "open the terminal chat (the default when no command is given)"

DESCRIPTION = """\
Open the terminal chat over the configured corpus. Ask a question and press Enter: the answer
is built from verbatim quotes, listed in the evidence pane with their citations. Enter on a
quote opens it in its transcript; `n` adds it to your notes, `y` copies it. Tick codes or
interviews on the left to scope the next question. F1 lists every key; Ctrl+Q quits.

With no index yet, one is built first (progress is shown). Ctrl+R re-indexes new or changed
interviews while you keep chatting. Conversations are kept in the data folder
(ASSISTANT_DATA_DIR) and reopen with F2. NO_COLOR is respected.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "chat",
        help=HELP,
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        metavar="DIR",
        help="folder of transcripts (default: ASSISTANT_CORPUS_DIR, else ./corpus)",
    )
    parser.set_defaults(func=run, corpus=None)


def run(args: argparse.Namespace) -> int:
    # Textual is imported here, not at module level: the core must not depend on the UI.
    from assistant.cli.common import assistant_from
    from assistant.tui.app import AssistantApp

    app = AssistantApp(lambda: assistant_from(args))
    app.run()
    return app.return_code or 0
