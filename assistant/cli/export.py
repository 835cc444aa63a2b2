"""``assistant export --qdpx FILE [--notes]``: the corpus as a REFI-QDA project.

The project opens in NVivo, ATLAS.ti, MAXQDA or QualCoder with the interviews, the code book
and every coding; ``--notes`` adds the quotes saved in the notes, coded by question.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.cli.common import add_paths_argument

DESCRIPTION = """\
Write the interviews under PATH (default the corpus folder) as a REFI-QDA project (.qdpx): each
interview a text source (one 'Speaker: text' line per paragraph, turns apart by a blank line),
the code tree as the code book (with descriptions), each coded paragraph a selection with its
codes. With --notes, every quote saved in the notes file (ASSISTANT_NOTES_FILE) is added as a
selection coded with a code named after its question, under the code 'Interview assistant',
by the user 'interview assistant', with the answer mode, model and date as its description;
quotes whose turn has changed since are left out and listed. The file validates against the
REFI-QDA project schema, and `assistant corpus FILE` reads it back into the same turns.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write the corpus as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA…",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_paths_argument(parser)
    parser.add_argument(
        "--qdpx", type=Path, required=True, metavar="FILE", help="the project file to write"
    )
    parser.add_argument(
        "--notes", action="store_true", help="add the quotes saved in the notes file"
    )
    parser.add_argument("--json", action="store_true", help="print what was written as JSON")
    parser.set_defaults(func=run_export)


def run_export(args: argparse.Namespace) -> int:
    from assistant.cli.common import assistant_from, print_json

    service = assistant_from(args)
    corpus = service.load_corpus(args.paths or None)
    for problem in corpus.errors:
        print(f"problem: {problem}", file=sys.stderr)
    report = service.export_qdpx(args.qdpx, notes=args.notes, corpus=corpus)
    if args.json:
        print_json(report.to_dict())
    else:
        print(report.summary())
    return 0
