"""``assistant suggest``: codes proposed for uncoded passages, with the coded ones behind them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.cli.common import add_paths_argument

DESCRIPTION = """\
Propose codes for the paragraphs that carry none. Each paragraph's ten most similar paragraphs
in the corpus (by the local embedding model) vote: a code's confidence is the similarity-weighted
share of them that carry it, and uncoded neighbours vote for no code. A code at or above the
threshold, carried by at least two neighbours, is suggested with the two or three coded passages
that carried it, so you can judge it. The transcripts are never changed; --save adds the passages
to your notes under "Suggested code CODE"; --qdpx FILE writes the corpus as a REFI-QDA project
(as `assistant export --qdpx`) with every suggestion as a coding of its code by the user
"interview assistant" (confidence, reasons, model and date in the selection's description), so
you accept or reject them in your QDA tool beside the coders' codings. Measured as a third coder
against the study's final coding (BENCHMARKS.md), it finds few of the coded passages and most
suggestions are wrong: read them as pointers only.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from assistant.suggest import THRESHOLD

    suggest = subparsers.add_parser(
        "suggest",
        help="propose codes for uncoded passages, from the coded passages most like them",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_paths_argument(suggest)
    suggest.add_argument(
        "--interview", action="append", default=[], metavar="ID", help="only passages of ID"
    )
    suggest.add_argument(
        "--code",
        action="append",
        default=[],
        metavar="CODE",
        help="only suggest CODE (a name or an abbreviation; a parent includes its children)",
    )
    suggest.add_argument(
        "--threshold",
        type=float,
        default=THRESHOLD,
        metavar="X",
        help=f"lowest confidence suggested, 0-1 (default {THRESHOLD})",
    )
    suggest.add_argument("--json", action="store_true", help="print the suggestions as JSON")
    suggest.add_argument(
        "--save",
        action="store_true",
        help="also add each suggested passage to your notes, under 'Suggested code CODE'",
    )
    suggest.add_argument(
        "--qdpx",
        type=Path,
        metavar="FILE",
        help="also write the corpus with the suggestions as codings by 'interview assistant' "
        "to the REFI-QDA project FILE, for your QDA tool",
    )
    suggest.set_defaults(func=run_suggest)


def _short(text: str, width: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def run_suggest(args: argparse.Namespace) -> int:
    from assistant.cli.common import assistant_from, print_json
    from assistant.errors import AssistantError
    from assistant.suggest import K

    if not 0 < args.threshold <= 1:
        raise AssistantError(f"--threshold {args.threshold} is not between 0 and 1")
    service = assistant_from(args)
    corpus = service.load_corpus(args.paths or None)
    for problem in corpus.errors:
        print(f"assistant: {problem}", file=sys.stderr)
    if not corpus.interviews:
        raise AssistantError("no interview could be loaded")
    found = service.suggest(
        corpus, interviews=args.interview, codes=args.code, threshold=args.threshold
    )
    saved = service.save_suggestions(found, corpus).summary() if args.save and found else None
    if args.qdpx is not None:
        written = service.export_qdpx(args.qdpx, corpus=corpus, suggestions=found).summary()
        saved = f"{saved} {written}" if saved else written
    if args.json:
        print_json(
            {
                "threshold": args.threshold,
                "k": K,
                "suggestions": [s.to_dict() for s in found],
            }
        )
        if saved:
            print(f"assistant: {saved}", file=sys.stderr)
        return 0
    if not found:
        print(f"No suggestion at confidence {args.threshold} or more.")
        if saved:
            print(saved)
        return 0
    current: tuple[str, int] | None = None
    for item in found:
        passage = item.passage
        if (passage.key, passage.paragraph) != current:
            current = (passage.key, passage.paragraph)
            print(f"\n{passage.key}  “{_short(passage.text)}”")
        print(f"  → {item.code}  confidence {item.confidence:.2f}, like:")
        for reason in item.because:
            print(f"      {reason.key:<8} {reason.similarity:.2f}  “{_short(reason.quote, 80)}”")
    passages = len({(s.passage.key, s.passage.paragraph) for s in found})
    print(f"\n{len(found)} suggestion(s) for {passages} uncoded passage(s).")
    print(saved or "The transcripts are unchanged; --save adds the passages to your notes.")
    return 0
