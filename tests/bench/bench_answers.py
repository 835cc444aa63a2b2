"""Answer quality against the coders, this checkout beside another (today's system), in one run.

    python tests/bench/bench_answers.py [--split test|tune|all] [--baseline DIR]
        [--hide-codes | --plain] [--set NAME=JSON] [--reuse DIR]

For each system (this checkout, and with ``--baseline DIR`` the checkout at DIR, e.g. a
``git worktree`` of the previous commit), a child process indexes the 14 coded moderated Delve
PDFs of the study into a temporary folder, asks every question of
``tests/data/eval_questions.json`` (natural questions with gold codes, see
:mod:`assistant.answer_eval`), and searches every question of
``tests/data/shipped_questions.json`` (judged turns) over the shipped interview. This process
then scores both with the same code: citation precision, interview coverage (with 95 %
bootstrap intervals over questions) and unit recall@5 on the shipped interview. With a baseline
it also prints the paired gain: the mean per-question difference with its bootstrap interval.
It also counts the uncoded themes of the extractive answers whose name is found, word for word,
within one clause of the quotes shown under it (issue 9: "a real phrase from its quotes").

``--hide-codes`` indexes the PDFs with every code removed: the same texts as plain
transcripts, so it measures what a corpus without codes gets (precision is still judged by the
coders' codes). ``--plain`` indexes the study's own plain transcripts of the same 14 interviews
(``transcripts/Interview N.txt``: whole turns, no headings, numbered apart from the print-outs),
and a quote counts as precise when its text lies in a gold-coded paragraph of the print-out of
its interview.

``--set NAME=JSON`` overrides a constant of ``assistant.retrieve`` or
``assistant.answer.extractive`` in this checkout (how constants are tried on the tune half);
``--reuse DIR`` keeps each system's index there and skips the build on the next run.

Needs the study corpus (``ASSISTANT_SHARED_CORPUS``, default ``../shared/corpus``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = Path(os.environ.get("ASSISTANT_SHARED_CORPUS", REPO.parent / "shared" / "corpus"))
MODERATION = SHARED / "delve-pdf" / "moderation"
TRANSCRIPTS = SHARED / "transcripts"
QUESTIONS = REPO / "tests" / "data" / "eval_questions.json"
SHIPPED_QUESTIONS = REPO / "tests" / "data" / "shipped_questions.json"
SHIPPED = REPO / "corpus" / "Interview 12 - Amin.txt"


def worker(repo: Path, job: dict[str, Any]) -> None:
    """Run in a child: index with the ``assistant`` package of ``repo`` and answer."""
    sys.path.insert(0, str(repo))
    import importlib

    from assistant.ingest import load_corpus
    from assistant.service import make_assistant

    for setting in job["set"]:
        name, _, value = setting.partition("=")
        for module in ("assistant.retrieve", "assistant.answer.extractive"):
            owner = importlib.import_module(module)
            if hasattr(owner, name):
                setattr(owner, name, type(getattr(owner, name))(json.loads(value)))
                break
        else:
            raise SystemExit(f"--set {setting}: no such constant in this checkout")
    with tempfile.TemporaryDirectory(prefix="bench-answers-") as tmp:
        index = Path(job["reuse"]) if job["reuse"] else Path(tmp) / "index"
        assistant = make_assistant(
            index_dir=index, chroma_url=None, embed_model="local", llm_model=None
        )
        built = 0.0
        if not (index / "side.sqlite3").exists():
            corpus = load_corpus([Path(p) for p in job["paths"]])
            if job["hide"]:
                from assistant.evaluate import hide_codes

                corpus = hide_codes(corpus)
            started = time.perf_counter()
            assistant.build_index(corpus)
            built = time.perf_counter() - started
        answers = []
        for q in job["questions"]:
            answer = assistant.ask(q)
            answers.append(
                {
                    "question": q,
                    "citations": [
                        {"key": c.evidence.key, "quote": c.quote} for c in answer.citations
                    ],
                    "seconds": answer.timings.get("total", 0.0),
                    "themes": themes_shown(answer.text),
                }
            )
        shipped = make_assistant(
            index_dir=Path(tmp) / "shipped", chroma_url=None, embed_model="local", llm_model=None
        )
        shipped.build_index(load_corpus([SHIPPED]))
        found = [[e.key for e in shipped.search(q, k=5)] for q in job["search"]]
    print(json.dumps({"built": built, "answers": answers, "search": found}))


THEME = re.compile(r"^### Theme: (.*)$")
QUOTE = re.compile(r'^- "(.*)" \[\d+\]$')


def themes_shown(text: str) -> list[list[Any]]:
    """Each uncoded theme of an extractive answer: its name and the quotes under it."""
    themes: list[list[Any]] = []
    current: list[Any] | None = None
    for line in text.splitlines():
        if line.startswith("### "):
            named = THEME.match(line)
            current = [named.group(1), []] if named else None
            if current is not None:
                themes.append(current)
        elif current is not None and (quoted := QUOTE.match(line)):
            current[1].append(quoted.group(1))
    return themes


def name_in_quotes(name: str, quotes: list[str]) -> bool:
    """Whether a theme's name reads, word for word, inside one clause of its own quotes."""
    from assistant.answer.themes import CLAUSE_END

    def plain(text: str) -> str:
        return " " + " ".join(re.findall(r"[a-z0-9']+", text.lower())) + " "

    return any(plain(name) in plain(clause) for q in quotes for clause in CLAUSE_END.split(q))


def run_system(repo: Path, job: dict[str, Any]) -> dict[str, Any]:
    args = [sys.executable, str(Path(__file__).resolve()), "--worker", str(repo)]
    done = subprocess.run(args, input=json.dumps(job), capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"the system at {repo} failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("test", "tune", "all"), default="test")
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    codes = parser.add_mutually_exclusive_group()
    codes.add_argument("--hide-codes", action="store_true")
    codes.add_argument(
        "--plain",
        action="store_true",
        help="index the study's plain transcripts of the coded interviews instead",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="override a constant of assistant.retrieve or assistant.answer.extractive in "
        "this checkout (tuning, on the tune half only)",
    )
    parser.add_argument(
        "--reuse",
        type=Path,
        help="keep each system's index in this folder and reuse it on the next run",
    )
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, json.loads(sys.stdin.read()))
        return

    from assistant.answer_eval import answer_scores, bootstrap, load_gold, recall, split
    from assistant.ingest import load_corpus

    if not MODERATION.is_dir():
        raise SystemExit(f"the study corpus is not at {SHARED} (set ASSISTANT_SHARED_CORPUS)")
    corpus = load_corpus([MODERATION])
    coded = [i for i in corpus.interviews if i.code_applications]
    paths = [i.source for i in coded]
    if args.plain:
        paths = [str(TRANSCRIPTS / f"Interview {i.id}.txt") for i in coded]
        missing = [p for p in paths if not Path(p).is_file()]
        if missing:
            raise SystemExit(f"no plain transcript {missing[0]}")
    gold = load_gold(QUESTIONS)
    tune, test = split(gold)
    chosen = {"tune": tune, "test": test, "all": gold}[args.split]
    judged = load_gold(SHIPPED_QUESTIONS)
    judged_tune, judged_test = split(judged)
    judged_chosen = {"tune": judged_tune, "test": judged_test, "all": judged}[args.split]
    systems = {"this checkout": REPO}
    if args.baseline:
        systems = {"baseline": args.baseline.resolve(), **systems}
    print(
        f"$ python tests/bench/bench_answers.py --split {args.split}"
        + (f" --baseline {args.baseline}" if args.baseline else "")
        + (" --hide-codes" if args.hide_codes else "")
        + (" --plain" if args.plain else "")
        + "".join(f" --set {x}" for x in args.set)
    )
    print(
        f"{len(coded)} coded interviews, {sum(len(i.turns) for i in coded)} turns; "
        f"{len(chosen)} questions ({args.split} half of {len(gold)}); "
        f"{len(judged_chosen)} judged shipped-interview questions"
        + ("; codes hidden from the index" if args.hide_codes else "")
        + ("; the plain transcripts indexed, quotes judged by their text" if args.plain else "")
    )
    rows = {}
    for name, repo in systems.items():
        job = {
            "paths": paths,
            "questions": [q.question for q in chosen],
            "search": [q.question for q in judged_chosen],
            "hide": args.hide_codes,
            "set": args.set if repo == REPO else [],
            "reuse": str(args.reuse / name.replace(" ", "-")) if args.reuse else None,
        }
        out = run_system(repo, job)
        scores = [
            answer_scores(corpus, q, a["citations"], by_text=args.plain)
            for q, a in zip(chosen, out["answers"], strict=True)
        ]
        precision = [s["precision"] for s in scores]
        coverage = [s["coverage"] for s in scores]
        recalls = [
            recall(q.relevant, found) for q, found in zip(judged_chosen, out["search"], strict=True)
        ]
        seconds = sorted(a["seconds"] for a in out["answers"])
        themes = [t for a in out["answers"] for t in a.get("themes", [])]
        rows[name] = {
            "precision": sum(precision) / len(precision),
            "precision_ci": bootstrap(precision),
            "coverage": sum(coverage) / len(coverage),
            "coverage_ci": bootstrap(coverage),
            "recall5": sum(recalls) / len(recalls) if recalls else 0.0,
            "recall5_ci": bootstrap(recalls),
            "build_s": out["built"],
            "ask_p95_s": seconds[int(0.95 * (len(seconds) - 1))],
            "themes": len(themes),
            "themes_in_quotes": sum(name_in_quotes(n, q) for n, q in themes),
            "themes_one_word": sum(len(n.split()) == 1 for n, _ in themes),
            "per_question": [
                {"id": q.id, **s, "cited": len(a["citations"])}
                for q, s, a in zip(chosen, scores, out["answers"], strict=True)
            ],
        }
    print(
        f"{'system':<16}{'precision':>24}{'coverage':>24}{'recall@5 shipped':>26}"
        f"{'build s':>9}{'ask p95 s':>10}"
    )
    for name, r in rows.items():
        ci = lambda x: f"[{x[0]:.2f}, {x[1]:.2f}]"  # noqa: E731
        print(
            f"{name:<16}{r['precision']:>8.3f} {ci(r['precision_ci']):>15}"
            f"{r['coverage']:>8.3f} {ci(r['coverage_ci']):>15}"
            f"{r['recall5']:>10.3f} {ci(r['recall5_ci']):>15}"
            f"{r['build_s']:>9.1f}{r['ask_p95_s']:>10.3f}"
        )
    for name, r in rows.items():
        print(
            f"{name}: {r['themes']} uncoded themes, named by a phrase found in one clause of "
            f"their own quotes: {r['themes_in_quotes']}; named by one word: "
            f"{r['themes_one_word']}"
        )
    if "baseline" in rows:
        # The same questions asked of both systems: the interval of the per-question differences
        # says whether the gain is clear, which two overlapping intervals of the means cannot.
        new, old = rows["this checkout"], rows["baseline"]
        gains = []
        for figure in ("precision", "coverage"):
            deltas = [
                a[figure] - b[figure]
                for a, b in zip(new["per_question"], old["per_question"], strict=True)
            ]
            low, high = bootstrap(deltas)
            gains.append(f"{figure} {sum(deltas) / len(deltas):+.3f} [{low:+.2f}, {high:+.2f}]")
        print("paired gain over the baseline, same questions: " + ", ".join(gains))
    if os.environ.get("BENCH_DETAIL"):
        for name, r in rows.items():
            print(name)
            for row in r["per_question"]:
                print(
                    f"  {row['id']} p={row['precision']:.2f} "
                    f"c={row['coverage']:.2f} n={row['cited']}"
                )


if __name__ == "__main__":
    main()
