"""``assistant notes add|list`` and ``assistant quotes``: saved quotes and code reports."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NOTES_DESCRIPTION = """\
Your notes file (ASSISTANT_NOTES_FILE, default ./notes.md) is Markdown for Obsidian or any
editor. The assistant only appends to it: each entry is the question as a heading, then every
quote as a block quote with its citation (interview, speaker, turn, lines or pages, codes, key),
the answer mode, the model and the date. Whatever you write in the file yourself is never
rewritten. `assistant ask QUESTION --save` saves an answer's verified quotes.
"""

ADD_DESCRIPTION = """\
Append whole turns to the notes by citation key, as printed by `search` and `ask` (e.g. 12:41).
Every key is checked against the index first; an unknown key saves nothing. A turn already saved
under the same heading is not added again.
"""

LIST_DESCRIPTION = """\
List the quotes saved in the notes file and flag stale ones: the cited turn vanished, changed,
or no longer contains the quote in the current index (run `assistant index` after editing
transcripts). The notes file is only read, never changed.
"""

QUOTES_DESCRIPTION = """\
Every passage (paragraph) coded CODE, one per coded passage, with its citation and its codes:
the code report to paste into a paper or a spreadsheet. CODE is a label or its abbreviation
(MLP); a parent code includes its children. Read from the transcripts as they are now, so no
index is needed. CSV is RFC 4180, UTF-8, one row per quote, one column per provenance field.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from assistant.cli.common import add_filter_arguments

    notes = subparsers.add_parser(
        "notes",
        help="save cited quotes to your notes file, list them, flag stale ones",
        description=NOTES_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = notes.add_subparsers(dest="notes_command", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        help="append turns by citation key (e.g. 12:41)",
        description=ADD_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add.add_argument("keys", nargs="+", metavar="KEY", help="citation key INTERVIEW:TURN")
    add.add_argument(
        "--question",
        metavar="TEXT",
        help="heading to file the quotes under (default: 'Quotes added by citation key')",
    )
    add.add_argument("--json", action="store_true", help="print what was added as JSON")
    add.set_defaults(func=run_add)

    listing = actions.add_parser(
        "list",
        help="show saved quotes, flagging stale ones",
        description=LIST_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    listing.add_argument("--json", action="store_true", help="print the list as JSON")
    listing.set_defaults(func=run_list)

    quotes = subparsers.add_parser(
        "quotes",
        help="every passage coded CODE, with citations (md, csv or json)",
        description=QUOTES_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_filter_arguments(quotes)
    quotes.add_argument(
        "--format", choices=("md", "csv", "json"), default="md", help="output format (default md)"
    )
    quotes.add_argument(
        "--corpus",
        type=Path,
        metavar="DIR",
        help="folder of transcripts (default: ASSISTANT_CORPUS_DIR, else ./corpus)",
    )
    quotes.set_defaults(func=run_quotes, corpus=None)


def _short(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def run_add(args: argparse.Namespace) -> int:
    from assistant.cli.common import assistant_from, print_json

    result = assistant_from(args).add_notes(args.keys, question=args.question)
    if args.json:
        print_json(result.to_dict())
        return 0
    print(result.summary())
    for skipped in result.skipped:
        print(f"  skipped {skipped.key}: {skipped.reason}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from assistant.cli.common import assistant_from, print_json

    listing = assistant_from(args).list_notes()
    if args.json:
        print_json(listing.to_dict())
        return 0
    if listing.notice:
        print(f"assistant: {listing.notice}", file=sys.stderr)
    if not listing.quotes:
        print(f"no saved quotes in {listing.path}")
        return 0
    stale = f", {len(listing.stale)} stale" if listing.checked else ""
    print(f"{listing.path}: {len(listing.quotes)} saved quote(s){stale}")
    question = None
    for q in listing.quotes:
        if q.question != question:
            question = q.question
            print(f"\n{question}")
        flag = f"  STALE: {q.reason}" if q.stale else ""
        print(f"  {q.key:<8} line {q.line:<5} {q.date}{flag}")
        print(f"           “{_short(q.quote)}”")
    return 0


def run_quotes(args: argparse.Namespace) -> int:
    from assistant.cli.common import assistant_from, filters_from
    from assistant.errors import AssistantError

    if not args.code:
        raise AssistantError("name a code with --code CODE (a label or an abbreviation, e.g. MLP)")
    service = assistant_from(args)
    corpus = service.load_corpus()
    for problem in corpus.errors:
        print(f"assistant: {problem}", file=sys.stderr)
    filters = filters_from(args)
    report = service.quotes(
        args.code,
        args.interview,
        speakers=args.speaker,
        roles=args.role,
        cases=filters.cases,
        variables=filters.variables,
        corpus=corpus,
    )
    sys.stdout.write(report.render(args.format))
    if not report.items:
        scoped = args.interview or args.speaker or args.role or args.case or args.variable
        where = " within the chosen interview, speaker, role, case or variable" if scoped else ""
        print(f"assistant: no passage is coded {report.code}{where}", file=sys.stderr)
    return 0
