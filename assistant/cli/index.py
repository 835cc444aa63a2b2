"""``assistant index`` and ``assistant search``: build the turn index, and search it."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.cli.common import (
    add_filter_arguments,
    add_guide_argument,
    assistant_from,
    filters_from,
    print_json,
)
from assistant.cli.output import terminal
from assistant.errors import AssistantError
from assistant.model import Evidence, Progress, span_label
from assistant.safe_text import printable

INDEX_DESCRIPTION = """\
Build or update the search index of the corpus. The first run embeds every turn; later runs
embed only new or changed interviews and drop removed ones, then print what changed per
interview. Searches keep using the previous index until the new one is complete, so an
interrupted build loses nothing. Only one build runs at a time.

JSON (--json): {"added": [ids], "changed": [ids], "removed": [ids], "unchanged": [ids],
"kept": [ids], "turns_embedded": n, "seconds": s, ...}
"""

SEARCH_DESCRIPTION = """\
Search the indexed turns: dense (meaning) and BM25 (words) search, their scores fused.
Each result is one turn with its citation key (INTERVIEW:TURN), speaker, codes and line or page
span in the source file.

JSON (--json): {"results": [{"key", "interview", "title", "source", "turn", "speaker", "role",
"codes", "lines", "pages", "score", "why", "text"}]}; lines/pages are [first, last] or null.
"""


def register(subparsers: Any) -> None:
    index = subparsers.add_parser(
        "index",
        help="build or update the search index (only changed interviews are re-embedded)",
        description=INDEX_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    index.add_argument(
        "--corpus", type=Path, metavar="DIR", help="transcripts folder (default: corpus_dir)"
    )
    index.add_argument("--json", action="store_true", help="print the report as JSON")
    index.set_defaults(func=run_index)

    search = subparsers.add_parser(
        "search",
        help="find the turns that best match a query, with their citations",
        description=SEARCH_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    search.add_argument("query", metavar="QUERY", help="words or a question")
    search.add_argument("-k", type=int, default=None, metavar="N", help="results (default top_k)")
    search.add_argument(
        "--mode",
        choices=["hybrid", "rrf", "dense", "bm25"],
        default=None,
        help="hybrid (score fusion, the default), rrf (rank fusion), or one retriever alone",
    )
    add_filter_arguments(search)
    add_guide_argument(search)
    search.add_argument("--json", action="store_true", help="print the results as JSON")
    search.set_defaults(func=run_search)


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Callable[[Progress], None] | None]:
    """A rich progress bar on a terminal; nothing when output is piped or JSON."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    with Bar(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[detail]}"),
        transient=True,
        # It redraws the terminal, so it writes under the output edge; titles made printable.
        console=Console(file=terminal(sys.stdout)),
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(p: Progress) -> None:
            if p.stage not in tasks:
                tasks[p.stage] = bar.add_task(p.stage, total=p.total or None, detail="")
            bar.update(
                tasks[p.stage],
                completed=p.done,
                total=p.total or None,
                detail=printable(p.detail, one_line=True)[:40],
            )

        yield update


def run_index(args: argparse.Namespace) -> int:
    assistant = assistant_from(args)
    with _progress_bar(sys.stdout.isatty() and not args.json) as progress:
        corpus = assistant.load_corpus(progress=progress)
        for problem in corpus.errors:
            print(f"assistant: {problem}", file=sys.stderr)
        if not corpus.interviews:
            where = args.corpus or assistant.settings.corpus_dir
            raise AssistantError(f"no transcript could be read in {where}; the index is unchanged")
        report = assistant.build_index(corpus, progress=progress)
    if args.json:
        print_json(report.to_dict())
        return 0
    titles = {i.id: i.title for i in corpus.interviews}
    if report.rebuilt:
        print(f"Rebuilding everything: {report.rebuilt}.")
    marks = [("added", "+"), ("changed", "~"), ("kept", "!"), ("removed", "-")]
    for field, mark in marks:
        for iid in getattr(report, field):
            detail = ""
            if field in ("added", "changed"):
                detail = f"  ({report.turns[iid]} turns, {report.embedded[iid]} embedded)"
            elif field == "kept":
                detail = "  (could not be read; its previous version stays indexed)"
            print(f"{mark} {field:<9} {iid:>4}  {titles.get(iid, '')}{detail}")
    if len(report.unchanged) <= 10:
        for iid in report.unchanged:
            print(f"= unchanged {iid:>4}  {titles.get(iid, '')}")
    summary = ", ".join(
        f"{len(getattr(report, f))} {f}" for f in ("added", "changed", "removed", "unchanged")
    )
    print(
        f"Index {assistant.settings.chroma_url or assistant.settings.index_dir}: {summary}; "
        f"{report.turns_embedded} texts embedded (turns and the utterances and exchanges "
        f"they form) in {report.seconds:.1f} s."
    )
    return 0


def _snippet(text: str, width: int = 240) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rsplit(" ", 1)[0] + "…"


def _print_result(n: int, e: Evidence) -> None:
    t = e.turn
    print(
        f"{n:>2}. {e.key:<8} {e.title} · {t.speaker} ({t.role}) · "
        f"{span_label(t.lines, t.pages, time=t.time)} · score {e.score:.4f}"
    )
    if t.codes:
        print(f"    codes: {', '.join(t.codes)}")
    if e.why:
        print(f"    found by: {e.why}")
    print(textwrap.indent(textwrap.fill(_snippet(t.text), 96), "    "))


def run_search(args: argparse.Namespace) -> int:
    assistant = assistant_from(args)
    if args.mode:
        assistant.settings = assistant.settings.model_copy(update={"fusion": args.mode})
    results = assistant.search(args.query, k=args.k, filters=filters_from(args))
    if args.json:
        print_json({"results": [e.to_dict() for e in results]})
        return 0
    if not results:
        print("No turn matches.")
        return 0
    for n, e in enumerate(results, start=1):
        _print_result(n, e)
    return 0
