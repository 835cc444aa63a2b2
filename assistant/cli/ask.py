"""``assistant ask``: answer a question from the interviews, with checked, cited quotes."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from assistant.answer.verify import references
from assistant.cli.common import (
    add_filter_arguments,
    add_guide_argument,
    assistant_from,
    filters_from,
    print_json,
)
from assistant.errors import AssistantError
from assistant.model import Answer, Citation, Evidence, span_label

DESCRIPTION = """\
Answer a question from the indexed interviews. The turns that best match the question are
retrieved (as with `assistant search`), then:

  * with no LLM configured (the default), the answer is extractive and fully offline: the
    most relevant verbatim sentences of those turns, grouped by code (or, for uncoded turns,
    by theme), each cited, then a count of interviews, turns and codes;
  * with an LLM (ASSISTANT_LLM_MODEL plus ASSISTANT_LLM_BASE_URL and/or an API key), a model
    writes the answer from the numbered turns, streaming it to a terminal; every [n] and
    every quote is then checked against the turns in code. Citations to turns not supplied
    are removed; quotes not found verbatim lose their quotation marks, are marked
    [unverified] and listed under "Unverified (not quotes)", never as citations. If the
    endpoint fails, a one-line notice and the extractive answer follow.

Citations are the verified quotes only, in numeric order, each with its interview, speaker,
turn, line or page span and codes. A turn the LLM cites with a bare [n] and no quote is
listed under "Referenced turns". When no retrieved turn is close enough to the question,
the answer is the refusal phrase.

JSON (--json): {"question", "mode": "extractive"|"llm", "model", "answer",
"citations": [{"n", "key", "interview", "title", "speaker", "turn", "lines", "pages",
"codes", "quote", "verified": true}], "references": [{"n", "key", ...evidence fields}],
"unverified": [{"n"?, "quote"?, "reason"}], "notice"?, "timings": {"retrieve", "answer",
"total"}}; lines/pages are [first, last] or null.
"""


#: Printed under a streamed reply that was cut off or abandoned.
CUT_OFF = "[the reply above is incomplete and was not checked: it is not the answer]"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "ask",
        help="answer a question with verbatim, cited and checked quotes",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("question", metavar="QUESTION", help="the question, in quotes")
    parser.add_argument(
        "-k", type=int, default=None, metavar="N", help="turns retrieved (default top_k, 8)"
    )
    add_filter_arguments(parser)
    add_guide_argument(parser)
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    parser.add_argument(
        "--save", action="store_true", help="append the answer's verified quotes to the notes file"
    )
    parser.set_defaults(func=run)


class _Stream:
    """Writes tokens to the terminal as they arrive, remembering what was shown."""

    def __init__(self) -> None:
        self.shown: list[str] = []

    def __call__(self, token: str) -> None:
        self.shown.append(token)
        sys.stdout.write(token)
        sys.stdout.flush()

    @property
    def text(self) -> str:
        return "".join(self.shown)


def run(args: argparse.Namespace) -> int:
    if not args.question.strip():
        raise AssistantError("the question is empty")
    assistant = assistant_from(args)
    stream = None
    if not args.json and sys.stdout.isatty() and assistant.settings.llm_enabled:
        stream = _Stream()
    answer = assistant.ask(args.question, k=args.k, filters=filters_from(args), on_token=stream)

    if args.json:
        print_json(_json(answer))
    else:
        _print_answer(answer, stream)
    if args.save:
        _save(assistant, answer, to_stderr=args.json)
    return 0


def _references(answer: Answer) -> list[int]:
    # Only an LLM answer's numbers are evidence positions; an extractive answer quotes every
    # turn it cites, so it has no bare references.
    if answer.mode != "llm":
        return []
    return references(answer.text, answer.citations, len(answer.evidence))


def _json(answer: Answer) -> dict[str, Any]:
    out = answer.to_dict()
    out["references"] = [{"n": n, **answer.evidence[n - 1].to_dict()} for n in _references(answer)]
    return out


def _save(assistant: Any, answer: Answer, *, to_stderr: bool) -> None:
    """The notes module decides what is worth saving (verified quotes only)."""
    result = assistant.save_answer(answer)
    print(f"Saved: {result.summary()}", file=sys.stderr if to_stderr else sys.stdout)


def _matched(answer: Answer) -> str:
    """What the question was matched to: the coders' codes and the guide's question."""
    lines = []
    if answer.codes:
        lines.append("Codes matched: " + "; ".join(str(c) for c in answer.codes))
    if answer.guide is not None:
        lines.append(f"Interview guide question matched: {answer.guide.tag} {answer.guide.text}")
    return "\n".join(lines)


def _print_answer(answer: Answer, stream: _Stream | None) -> None:
    streamed = stream.text if stream is not None else ""
    if streamed:
        print()
        if answer.mode != "llm":  # the endpoint failed part-way: say so, then the fallback
            # What streamed stays on the terminal; it must not pass for the answer.
            print(CUT_OFF)
            print(f"\nNotice: {answer.notice}\n")
            print(answer.text)
        elif answer.text.strip() != streamed.strip():
            print("\nAfter checking quotes and citations against the turns, the answer reads:\n")
            print(answer.text)
    else:
        if answer.notice:
            print(f"Notice: {answer.notice}\n")
        print(answer.text)

    matched = _matched(answer)
    if matched:
        print(f"\n{matched}")
    if answer.citations:
        print("\nCitations")
        # Numeric order: an LLM may cite [4] before [1] (its numbers are the prompt's).
        for c in sorted(answer.citations, key=lambda c: c.n):
            print(_citation_line(c))
    cited = _references(answer)
    if cited:
        print("\nReferenced turns (cited without a quote)")
        for n in cited:
            print(_reference_line(n, answer.evidence[n - 1]))
    if answer.unverified:
        # Never in quotation marks: these words were not found verbatim in the corpus.
        print("\nUnverified (not quotes)")
        for u in answer.unverified:
            label = f"[{u.n}] " if u.n is not None else ""
            words = f": {' '.join(u.quote.split())}" if u.quote else ""
            print(f"  ✗ {label}{u.reason}{words}")
    if answer.notice and answer.mode == "llm":
        print(f"\nNotice: {answer.notice}")
    print(f"\n{_footer(answer)}")


def _source(ev: Evidence) -> str:
    t = ev.turn
    codes = ", ".join(t.codes) if t.codes else "none"
    return (
        f"{ev.title} · {t.speaker} · turn {t.ordinal} ({t.key}) · "
        f"{span_label(t.lines, t.pages, time=t.time)} · codes: {codes}"
    )


def _citation_line(c: Citation) -> str:
    # Citations are verified quotes only (failed ones are in Answer.unverified).
    return f'  [{c.n}] "{c.quote}"\n      — {_source(c.evidence)} · ✓ verified'


def _reference_line(n: int, ev: Evidence) -> str:
    return f"  [{n}] {_source(ev)}"


def _footer(answer: Answer) -> str:
    mode = f"LLM answer ({answer.model})" if answer.mode == "llm" else "extractive answer"
    turns = len(answer.evidence)
    total = answer.timings.get("total")
    timing = f" · {total:.2f} s" if total is not None else ""
    return f"[{mode} · {turns} turn{'s' * (turns != 1)} retrieved{timing}]"
