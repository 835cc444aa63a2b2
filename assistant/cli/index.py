"""``assistant index`` and ``assistant search``: build the turn index, and search it."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.cli.common import (
    add_filter_arguments,
    add_guide_argument,
    assistant_from,
    filters_from,
    print_json,
)
from assistant.cli.index_watch import INTERRUPTED, stopped_watching, watch
from assistant.cli.progress import progress_display
from assistant.errors import AssistantError, ConfigError, IndexInterruptedError
from assistant.model import Evidence, span_label

if TYPE_CHECKING:
    from assistant.index import IndexReport
    from assistant.service import Assistant

INDEX_DESCRIPTION = """\
Build or update the search index of the corpus. The first run embeds every turn; later runs
embed only new or changed interviews and drop removed ones, then print what changed per
interview. Searches keep using the previous index until the new one is complete, so an
interrupted build loses nothing. Only one build runs at a time.

JSON (--json): {"added": [ids], "changed": [ids], "removed": [ids], "unchanged": [ids],
"kept": [ids], "turns_embedded": n, "seconds": s, ...}

--watch: after the build, look at the corpus folder every ASSISTANT_WATCH_INTERVAL seconds
and index what was added, edited or removed once it has stopped changing, printing one line
per update; Ctrl+C stops. With --json, one JSON object a line: the build's report, then
{"files": {"added", "changed", "removed"}, "report": {...} | null, "problems": [...],
"error": message | null} per update.
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
    index.add_argument(
        "--watch",
        action="store_true",
        help="then keep watching the corpus folder: index every interview added, edited or "
        "removed, one line per update (ASSISTANT_WATCH_INTERVAL; Ctrl+C stops)",
    )
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


def run_index(args: argparse.Namespace) -> int:
    assistant = assistant_from(args)
    watcher = None
    if args.watch:
        from assistant.watch import Watcher

        watcher = Watcher(assistant)
        if watcher.interval <= 0:
            raise ConfigError("--watch needs ASSISTANT_WATCH_INTERVAL above 0 (seconds)")
        # Before the corpus is read: a file that lands during this build is seen after it.
        watcher.baseline()
    try:
        with progress_display(sys.stdout.isatty() and not args.json) as progress:
            corpus = assistant.load_corpus(progress=progress)
            for problem in corpus.errors:
                print(f"assistant: {problem}", file=sys.stderr)
            if corpus.interviews:
                report = assistant.build_index(corpus, progress=progress)
            elif watcher is None:
                where = args.corpus or assistant.settings.corpus_dir
                raise AssistantError(
                    f"no transcript could be read in {where}; the index is unchanged"
                )
        if corpus.interviews:
            titles = {i.id: i.title for i in corpus.interviews}
            _print_report(assistant, report, titles, args.json, lines=watcher is not None)
        else:
            where = args.corpus or assistant.settings.corpus_dir
            print(
                f"assistant: no transcript could be read in {where} yet; the index is unchanged",
                file=sys.stderr,
            )
    except (KeyboardInterrupt, IndexInterruptedError) as exc:
        if watcher is not None:
            return stopped_watching(watcher, during_update=True)
        # The build's own line says how many interviews it finished and kept.
        said = str(exc) if isinstance(exc, IndexInterruptedError) else INTERRUPTED
        print(f"assistant: {said}", file=sys.stderr)
        return 130
    if watcher is None:
        return 0
    watcher.note_problems(corpus.errors)
    return watch(watcher, args.json, sys.stdout.isatty() and not args.json)


def _print_report(
    assistant: Assistant,
    report: IndexReport,
    titles: dict[str, str],
    as_json: bool,
    lines: bool = False,
) -> None:
    if as_json:
        if lines:  # --watch: JSON Lines, one object per update
            print(json.dumps(report.to_dict(), ensure_ascii=False), flush=True)
        else:
            print_json(report.to_dict())
        return
    if report.rebuilt:
        print(f"Rebuilding everything: {report.rebuilt}.")
    if report.moved:
        print(
            f"Index format updated: {report.moved} nodes moved to the collections of this "
            "version, nothing re-embedded."
        )
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
        f"they form) in {report.seconds:.1f} s.",
        flush=True,
    )


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
