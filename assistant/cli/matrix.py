"""``assistant codes --matrix`` and ``--cooccur``: prevalence tables of the loaded corpus."""

from __future__ import annotations

import argparse
import sys

from assistant.model import Corpus


def add_matrix_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("prevalence")
    views = group.add_mutually_exclusive_group()
    views.add_argument(
        "--matrix",
        action="store_true",
        help="codes against interviews: coded paragraphs per cell, 'in N of M interviews'",
    )
    views.add_argument(
        "--cooccur", action="store_true", help="pairs of codes and the paragraphs carrying both"
    )
    group.add_argument(
        "--by",
        choices=("interview", "speaker", "role"),
        default="interview",
        help="the matrix's columns (default interview)",
    )
    group.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default=None,
        help="output format of --matrix or --cooccur (default table; --json means json)",
    )


def run_matrix(args: argparse.Namespace, corpus: Corpus) -> int:
    from assistant.cli.common import assistant_from, print_json, report_problems

    fmt = args.format or ("json" if args.json else "table")
    service = assistant_from(args)
    table = service.cooccurrence(corpus) if args.cooccur else service.prevalence(corpus, args.by)
    if fmt == "json":
        print_json(table.to_dict())
    elif fmt == "csv":
        sys.stdout.write(table.to_csv())
    else:
        print(table.render())
    return report_problems(corpus)
