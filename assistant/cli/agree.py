"""``assistant agree``: how far two coders agree, code by code, and where they differ."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.agreement import AgreementReport, Table

DESCRIPTION = """\
Compare two codings of the same interviews: two files (one interview coded twice), two folders
(one coder each, paired by interview id), or one folder of per-coder print-outs paired by
interview id and the coder's name after the interview number ('Interview 12 - PO.pdf' with
'Interview 12 - Rached.pdf'), or one REFI-QDA project (.qdpx) whose codings carry their users
(the two users paired; with more than two, pick them with --users A,B).

The unit is the paragraph, matched between the codings by its text. For each code: paragraphs
coded by A, by B and by both, percent agreement and Cohen's kappa; then one kappa pooled over
every (paragraph, code) decision, the same per interview, and every disagreement with its quote
and citation key so the coders can reconcile. Files that could not be paired are named with
the reason. Nothing is written.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    agree = subparsers.add_parser(
        "agree",
        help="inter-coder agreement (Cohen's kappa) between two codings",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    agree.add_argument("a", type=Path, metavar="A", help="a coded file, or a folder")
    agree.add_argument(
        "b", type=Path, nargs="?", metavar="B", help="the other coding (omit for one folder)"
    )
    agree.add_argument(
        "--users",
        metavar="A,B",
        help="the two users to compare in a .qdpx project coded by more than two",
    )
    agree.add_argument("--json", action="store_true", help="print the report as JSON")
    agree.set_defaults(func=run_agree)


def run_agree(args: argparse.Namespace) -> int:
    from assistant.cli.common import assistant_from, print_json
    from assistant.cli.corpus import _progress_reporter

    users = [u for u in (args.users or "").split(",") if u.strip()]
    if args.users is not None and len(users) != 2:
        from assistant.errors import AssistantError

        raise AssistantError(f"--users takes two users, e.g. --users Ana,Bo (not {args.users!r})")
    report = assistant_from(args).agreement(
        args.a, args.b, progress=_progress_reporter(), users=users
    )
    if args.json:
        print_json(report.to_dict())
        for unpaired in report.unpaired:
            print(f"assistant: not paired: {unpaired}", file=sys.stderr)
    else:
        print(render(report))
    return 0


def _kappa(table: Table) -> str:
    kappa = table.kappa
    return "   n/a" if kappa is None else f"{kappa:6.3f}"


def render(report: AgreementReport) -> str:
    out = [f"Agreement by paragraph (matched by text) over {report.units} paragraphs"]
    for pair in report.pairs:
        lost = pair.unmatched_a + pair.unmatched_b
        note = f", {lost} paragraph(s) only in one coding" if lost else ""
        out.append(
            f"  interview {pair.a.interview.id}: {pair.a.coder} ({pair.a.source}) vs "
            f"{pair.b.coder} ({pair.b.source}): {len(pair.units)} paragraphs{note}"
        )
    width = max([len("code"), *(len(c) for c in report.codes)])
    head = f"{'code':<{width}}  {'A':>4}  {'B':>4}  {'both':>4}  {'agree':>6}  {'kappa':>6}"
    out += ["", head, "-" * len(head)]
    for code, table in report.codes.items():
        out.append(
            f"{code:<{width}}  {table.a:>4}  {table.b:>4}  {table.both:>4}  "
            f"{100 * table.observed:5.1f}%  {_kappa(table)}"
        )
    pooled = report.pooled
    out.append(
        f"pooled kappa over {pooled.n} (paragraph, code) decisions: {_kappa(pooled).strip()} "
        f"(agreement {100 * pooled.observed:.1f}%)"
    )
    out += ["", "per interview"]
    for pair in report.pairs:
        table = pair.pooled
        out.append(
            f"  {pair.a.interview.id:>4}  {pair.a.coder} vs {pair.b.coder}  "
            f"{len(pair.units)} paragraphs, {len(pair.codes)} codes  "
            f"agreement {100 * table.observed:5.1f}%  kappa {_kappa(table).strip()}"
        )
    out += ["", f"disagreements ({len(report.disagreements)})"]
    for item in report.disagreements:
        out.append(f"  {item.key:<8} {item.code}: coded by {item.coded_by} only")
        out.extend(f"           {line}" for line in item.quote.splitlines())
    if report.unpaired:
        out += ["", f"not paired ({len(report.unpaired)})"]
        out += [f"  {u}" for u in report.unpaired]
    return "\n".join(out)
