"""``assistant corpus`` and ``assistant codes``: what was read from the transcripts.

Both read the files directly (no index needed), so they are the first thing to run on a new
folder of transcripts: every file that cannot be read is listed with the reason and the line or
page, and every other file still loads.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from assistant.cli.common import add_paths_argument, counted, report_problems
from assistant.cli.output import terminal
from assistant.model import Corpus, Progress
from assistant.safe_text import printable

CORPUS_DESCRIPTION = """\
List the interviews read from PATH (files or folders, searched recursively; default the
corpus folder, ASSISTANT_CORPUS_DIR or ./corpus): id, format, turns, codes applied and distinct
codes, then every problem found. Formats are recognised by content: Delve text exports
(Markdown with speaker headings and code lines), Delve PDF print-outs, plain transcripts
(`Speaker: text`), Word transcripts (.docx), WebVTT and SubRip captions (.vtt, .srt), REFI-QDA
projects (.qdpx: every text source an interview, with its codings) and code books (.qdc: code
tree and descriptions for the corpus). A project's cases and variables are listed beside its
interviews (and work as --case and --variable in search, ask and quotes). When an interview is
found in several formats the coded one is used and the choice is reported. Exit status 1 when
nothing could be loaded, or with --strict when any file had a problem.
"""

CODES_DESCRIPTION = """\
The code tree of the interviews under PATH (default the corpus folder), with how often each
code was applied and in how many turns and interviews. Parents carry an abbreviation
(ML-pipeline-issues [MLP]) and hold the codes starting with it (MLP-...); X-fix is listed under
the issue X it mitigates; Q4.3-style labels are interview-guide question tags. A code book in
the corpus (a .qdpx project's, or a .qdc file) places and describes its codes instead. Any of these
names or abbreviations works as --code in search, ask and quotes.

--matrix counts coded paragraphs per code and interview (or --by speaker or role), a parent
including its children, with "in N of M interviews"; --cooccur counts the paragraphs that carry
both of two codes.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    corpus = subparsers.add_parser(
        "corpus",
        help="list the interviews read from the transcripts, and every problem",
        description=CORPUS_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_paths_argument(corpus)
    corpus.add_argument(
        "--json", action="store_true", help="print interviews, turns and problems as JSON"
    )
    corpus.add_argument(
        "--strict", action="store_true", help="exit with status 1 when any file had a problem"
    )
    corpus.set_defaults(func=run_corpus)

    codes = subparsers.add_parser(
        "codes",
        help="show the code tree with counts",
        description=CODES_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_paths_argument(codes)
    codes.add_argument("--json", action="store_true", help="print the codes as JSON")
    from assistant.cli.matrix import add_matrix_arguments

    add_matrix_arguments(codes)
    codes.set_defaults(func=run_codes)


def _load(args: argparse.Namespace) -> Corpus:
    from assistant.cli.common import assistant_from

    service = assistant_from(args)
    return service.load_corpus(args.paths or None, progress=_progress_reporter())


def _progress_reporter() -> Callable[[Progress], None] | None:
    """Show which file is being read when a person is watching (PDFs take a moment)."""
    if not sys.stderr.isatty():
        return None

    def report(step: Progress) -> None:
        # Redraws its line, so it writes under the output edge, the file name made printable.
        err = terminal(sys.stderr)
        if step.done >= step.total:
            err.write("\r\033[K")
        else:
            name = printable(step.detail, one_line=True)
            err.write(f"\r\033[KReading {step.done + 1}/{step.total}: {name}")
        err.flush()

    return report


def run_corpus(args: argparse.Namespace) -> int:
    from assistant.cli.common import print_json

    corpus = _load(args)
    if args.json:
        print_json(corpus.to_dict())
    else:
        _print_corpus(corpus)
    if not corpus.interviews:
        if args.json:
            print("assistant: no interview could be loaded", file=sys.stderr)
        return 1
    return 1 if args.strict and corpus.errors else 0


def run_codes(args: argparse.Namespace) -> int:
    from assistant.cli.common import assistant_from, print_json

    if not (args.matrix or args.cooccur) and (args.format or args.by != "interview"):
        from assistant.errors import AssistantError

        raise AssistantError("--by and --format go with --matrix or --cooccur")
    corpus = _load(args)
    if args.matrix or args.cooccur:
        from assistant.cli.matrix import run_matrix

        return run_matrix(args, corpus)
    codebook = assistant_from(args).codebook(corpus)
    if args.json:
        data = codebook.to_dict()
        data["errors"] = [e.to_dict() for e in corpus.errors]
        print_json(data)
    else:
        print(codebook.render())
    return report_problems(corpus)


def _print_corpus(corpus: Corpus) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    # Piped output keeps whole titles and ids rather than wrapping them at 80 columns.
    width = None if sys.stdout.isatty() else 160
    # Styled on a terminal, so it writes under the output edge; every text in it is printable.
    console = Console(file=terminal(sys.stdout), highlight=False, soft_wrap=False, width=width)
    if corpus.interviews:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column("id", justify="right")
        table.add_column("title")
        table.add_column("format")
        table.add_column("turns", justify="right")
        table.add_column("codes applied", justify="right")
        table.add_column("distinct codes", justify="right")
        # Only projects that define cases or variables get the columns (most corpora have none).
        held = any(i.cases or i.variables for i in corpus.interviews)
        if held:
            table.add_column("cases")
            table.add_column("variables")
        for interview in corpus.interviews:
            distinct = {c for t in interview.turns for c in t.codes}
            row = [
                printable(interview.id, one_line=True),
                printable(interview.title, one_line=True),
                interview.format,
                str(len(interview.turns)),
                str(interview.code_applications),
                str(len(distinct)),
            ]
            if held:
                row.append(printable(", ".join(interview.cases), one_line=True))
                row.append(
                    printable(", ".join(f"{n}={v}" for n, v in interview.variables), one_line=True)
                )
            table.add_row(*row)
        console.print(table)
    turns = sum(len(i.turns) for i in corpus.interviews)
    applied = sum(i.code_applications for i in corpus.interviews)
    distinct_all = {c for i in corpus.interviews for t in i.turns for c in t.codes}
    console.print(
        f"{counted(len(corpus.interviews), 'interview')}, {counted(turns, 'turn')}, "
        f"{counted(applied, 'code application')} "
        f"({counted(len(distinct_all), 'distinct code')}); "
        f"{counted(len(corpus.errors), 'problem')}"
    )
    if not corpus.interviews:
        console.print("No interview could be loaded.")
    for problem in corpus.errors:
        console.print(printable(f"problem: {problem}"), markup=False, soft_wrap=True)
    for notice in corpus.notices:
        console.print(printable(f"notice: {notice}"), markup=False, soft_wrap=True)
