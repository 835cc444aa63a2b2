"""``assistant eval``: how well each search mode finds the turns the coders marked."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from assistant.answer_eval import choose, evaluate_answers, is_gold_set, load_gold
from assistant.cli.common import add_paths_argument, assistant_from, counted, print_json
from assistant.errors import AssistantError
from assistant.evaluate import METRICS, MODES, EvalReport, evaluate, load_questions
from assistant.model import Corpus, Progress
from assistant.service import Assistant

HELP = "score BM25, dense and hybrid search against the codes of a coded corpus"
DESCRIPTION = """\
Measure retrieval on a coded corpus. The interviews are indexed with every code hidden (into a
temporary folder: your index is untouched). Then, for each code on at least --min-count turns,
the code's name in words is searched ("MLP-unstable-external-dependency" becomes "unstable
external dependency, ML pipeline issues"); a question tag such as Q4.3 searches that question's
text from --questions instead, within the interviews that carry question tags (in the others
nobody marked where questions were answered). The turns carrying the code are the right answers.

With --questions FILE holding natural questions and their gold codes (a JSON list of
{"question", "codes"}, as in tests/data/eval_questions.json, or {"question", "relevant": [keys]}
with judged turns), the corpus is indexed with its codes (unless --hide-codes) and every
question is searched and answered in each mode: unit recall@k of the turns coded with a gold
code, citation precision (share of cited quotes in a paragraph coded with a gold code) and
interview coverage (gold interviews cited / min(gold interviews, 8)), with 95 % bootstrap
intervals. --split tune|test picks a half of the set's fixed split.

Reported for BM25 only, dense only and hybrid, overall (the mean over codes) and per code:
recall@k (share of the code's turns in the top k; below 1 whenever a code has more than k
turns), MRR (1/rank of the first right turn, 0 if none in the top k) and nDCG@k.
"""

LABELS = {"recall": "recall@{k}", "mrr": "MRR", "ndcg": "nDCG@{k}"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "eval",
        help=HELP,
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_paths_argument(parser, "coded transcripts or folders (default: the corpus folder)")
    parser.add_argument(
        "--questions",
        type=Path,
        metavar="FILE",
        help='question texts by tag, JSON or TOML: {"Q4.3": "Have you ever ...?", ...}; or '
        'natural questions with gold codes: [{"question": ..., "codes": [...]}, ...]',
    )
    parser.add_argument(
        "--split",
        choices=("all", "tune", "test"),
        default="all",
        help="with natural questions: all of them, or one half of the fixed split",
    )
    parser.add_argument(
        "--hide-codes",
        action="store_true",
        help="with natural questions: index without codes (as plain transcripts would be)",
    )
    parser.add_argument(
        "--min-count",
        type=int,
        default=3,
        metavar="N",
        help="only codes carried by at least N turns (default 3)",
    )
    parser.add_argument("-k", type=int, default=10, help="results scored per query (default 10)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=run)


def _stage_printer() -> Any:
    """One line per stage on a terminal; silent when stderr is not one (scripts, tests)."""
    if not sys.stderr.isatty():
        return None
    last: list[str] = []

    def show(p: Progress) -> None:
        if not last or last[-1] != p.stage:
            last.append(p.stage)
            print(f"{p.stage}…", file=sys.stderr)

    return show


def run(args: argparse.Namespace) -> int:
    from assistant.settings import check_k  # pydantic-settings: not needed for --help

    check_k(args.k, args.k)
    if args.min_count < 1:
        raise AssistantError("--min-count must be at least 1")
    if args.questions and is_gold_set(args.questions):
        return _run_answers(args)
    questions = load_questions(args.questions) if args.questions else {}
    service, corpus, progress = _load(args)
    report = evaluate(
        corpus,
        service.settings,
        service.embedder,
        questions=questions,
        min_count=args.min_count,
        k=args.k,
        progress=progress,
    )
    if args.json:
        print_json(report.to_dict())
    else:
        print(render(report))
    return 0


def _load(args: argparse.Namespace) -> tuple[Assistant, Corpus, Any]:
    """The service, the corpus to evaluate (problems reported) and the progress printer."""
    service = assistant_from(args)
    progress = _stage_printer()
    corpus = service.load_corpus(args.paths or None, progress=progress)
    for problem in corpus.errors:
        print(f"assistant: skipped {problem}", file=sys.stderr)
    if not corpus.interviews:
        raise AssistantError("no interview could be read, nothing to evaluate")
    return service, corpus, progress


def _run_answers(args: argparse.Namespace) -> int:
    gold = choose(load_gold(args.questions), args.split)
    service, corpus, progress = _load(args)
    report = evaluate_answers(
        corpus,
        service.settings,
        service.embedder,
        gold,
        k=args.k,
        hide_codes=args.hide_codes,
        progress=progress,
    )
    if args.json:
        print_json(report)
        return 0
    print(
        f"{counted(report['interviews'], 'interview')}; "
        f"{counted(report['questions'], 'question')} ({args.split}); "
        f"k={args.k} units" + ("; codes hidden from the index" if args.hide_codes else "")
    )
    print(f"{'mode':<8}{'recall@k':>22}{'precision':>22}{'coverage':>22}")
    for mode, row in report["modes"].items():
        cells = []
        for metric in ("recall", "precision", "coverage"):
            if metric in row:
                low, high = row[f"{metric}_ci"]
                cells.append(f"{row[metric]:>6.3f} [{low:.2f}, {high:.2f}]")
            else:
                cells.append("-")
        print(f"{mode:<8}" + "".join(f"{c:>22}" for c in cells))
    return 0


def _row(label: str, table: dict[str, dict[str, float]], width: int) -> str:
    cells = [f"{table[mode][m]:>6.3f}" for m in METRICS for mode in MODES]
    groups = ["  ".join(cells[i : i + len(MODES)]) for i in range(0, len(cells), len(MODES))]
    return f"{label:<{width}}  " + "   ".join(groups)


def _question_scope(report: EvalReport) -> list[str]:
    scopes = {r.query.interviews for r in report.results if r.query.kind == "question"}
    ids = sorted({i for scope in scopes for i in scope}, key=lambda i: (len(i), i))
    if not ids:
        return []
    return [f"question tags searched within the interviews that carry them: {', '.join(ids)}"]


def render(report: EvalReport) -> str:
    """The human report: the overall table, then one row per code."""
    width = max([28, *(len(r.query.code) + 8 for r in report.results)])
    modes = "  ".join(f"{m:>6}" for m in MODES)
    heads = "   ".join(f"{LABELS[m].format(k=report.k):^{len(modes)}}" for m in METRICS)
    lines = [
        f"{counted(report.interviews, 'interview')}, {counted(report.turns, 'turn')} "
        f"({report.coded_turns} coded); codes hidden from a temporary index; "
        f"{counted(len(report.results), 'query', 'queries')}, k={report.k}",
        *_question_scope(report),
        "",
        f"{'':<{width}}  {heads}",
        f"{'':<{width}}  " + "   ".join(modes for _ in METRICS),
        _row(f"overall ({len(report.results)})", report.average(), width),
    ]
    for kind, plural in (("code", "code names"), ("question", "question texts")):
        n = sum(r.query.kind == kind for r in report.results)
        if n:
            lines.append(_row(f"  {plural} ({n})", report.average(kind), width))
    lines.append("")
    lines.append(f"{'per code (turns)':<{width}}")
    for r in report.results:
        label = f"{r.query.code} ({len(r.query.relevant)})"
        lines.append(_row(label, r.metrics, width))
    if report.skipped:
        lines.append("")
        reasons: dict[str, list[str]] = {}
        for s in report.skipped:
            reasons.setdefault(s.reason, []).append(f"{s.code} ({s.turns})")
        for reason, codes in reasons.items():
            lines.append(f"not scored, {reason}: {', '.join(codes)}")
    seconds = report.seconds
    lines.append("")
    lines.append(
        f"index built in {seconds.get('index', 0):.1f} s, "
        f"{len(report.results) * len(MODES)} searches in {seconds.get('search', 0):.1f} s "
        f"(embedding model: {report.embed_model or 'unknown'})"
    )
    return "\n".join(lines)
