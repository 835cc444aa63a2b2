"""Arguments and output helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from assistant.cases import parse_variable
from assistant.model import Corpus, Filters
from assistant.service import Assistant, make_assistant


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """The scope options shared by ``search``, ``ask`` and ``quotes``."""
    group = parser.add_argument_group("filters (repeat an option to allow several values)")
    group.add_argument(
        "--code",
        action="append",
        default=[],
        metavar="CODE",
        help="only turns coded CODE: a name or an abbreviation (MLP); parents include children",
    )
    group.add_argument(
        "--interview", action="append", default=[], metavar="ID", help="only interview ID (e.g. 12)"
    )
    group.add_argument(
        "--speaker", action="append", default=[], metavar="NAME", help="only turns by NAME"
    )
    group.add_argument(
        "--role",
        action="append",
        default=[],
        choices=["interviewer", "participant"],
        help="only turns by interviewers or by participants",
    )
    group.add_argument(
        "--case",
        action="append",
        default=[],
        metavar="NAME",
        help="only interviews of case NAME (REFI-QDA projects' cases)",
    )
    group.add_argument(
        "--variable",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="only interviews whose variable NAME has VALUE (several values of one variable: "
        "any of them; several variables: all)",
    )


def add_paths_argument(
    parser: argparse.ArgumentParser,
    help: str = "transcript files or folders (default: the configured corpus folder)",
) -> None:
    """The transcripts a command reads: files or folders, the corpus folder when none."""
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help=help)


def report_problems(corpus: Corpus) -> int:
    """Every file that could not be read, one line each on stderr; 1 when nothing loaded."""
    for problem in corpus.errors:
        print(f"problem: {problem}", file=sys.stderr)
    if not corpus.interviews:
        print("assistant: no interview could be loaded", file=sys.stderr)
        return 1
    return 0


def add_guide_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--guide",
        type=Path,
        metavar="FILE",
        help="the interview guide (PDF with [Q1] tags, JSON, or one question a line): a "
        "question close to a guide question finds every interview's answer to it "
        "(default: ASSISTANT_GUIDE_FILE)",
    )


def filters_from(args: argparse.Namespace) -> Filters:
    return Filters(
        codes=tuple(args.code),
        interviews=tuple(args.interview),
        speakers=tuple(args.speaker),
        roles=tuple(args.role),
        cases=tuple(args.case),
        variables=tuple(parse_variable(v) for v in args.variable),
    )


def assistant_from(args: argparse.Namespace) -> Assistant:
    """The service, with any settings given as options (e.g. ``--corpus``) applied."""
    overrides: dict[str, Any] = {}
    corpus = getattr(args, "corpus", None)
    if corpus is not None:
        overrides["corpus_dir"] = corpus
    guide = getattr(args, "guide", None)
    if guide is not None:
        overrides["guide_file"] = guide
    return make_assistant(**overrides)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``1 interview``, ``2 interviews`` (``plural`` for nouns that do not just take an s)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
