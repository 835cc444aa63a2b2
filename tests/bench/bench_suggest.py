"""`assistant suggest` measured as a third coder, by leaving one coded interview out at a time.

    python tests/bench/bench_suggest.py [SHARED_CORPUS] [--k 10]

SHARED_CORPUS defaults to ../shared/corpus. The 14 coded moderated print-outs are the final
coding. Each interview in turn is held out: every one of its paragraphs gets the codes its
nearest paragraphs in the other 13 interviews vote for (assistant/suggest.py), and the
suggestions are compared with the final coding, paragraph by paragraph, as `assistant agree`
compares two coders (Cohen's κ per code and pooled over all (paragraph, code) decisions).

The threshold is chosen on half of the interviews (every other one in id order) and the
figures are reported on the other half. Beside them: the two human coders' κ against each
other, and each coder's κ against the final coding, on the interviews of that half that have
two per-coder print-outs in delve-pdf/codings/.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from assistant.agreement import Table, compare  # noqa: E402
from assistant.codings import find_pairs  # noqa: E402
from assistant.embedder import embed_texts  # noqa: E402
from assistant.ingest import load_corpus  # noqa: E402
from assistant.model import Corpus  # noqa: E402
from assistant.pairs import Coding, Pairing  # noqa: E402
from assistant.service import make_assistant  # noqa: E402
from assistant.suggest import Passage, Suggester, chosen, passages  # noqa: E402

THRESHOLDS = [round(0.1 + 0.05 * i, 2) for i in range(13)]


def tables(
    units: list[Passage], predicted: dict[str, set[str]], codes: Iterable[str]
) -> dict[str, Table]:
    out = {}
    for code in codes:
        a = sum(1 for p in units if code in p.codes)
        b = sum(1 for p in units if code in predicted[p.key + f"#{p.paragraph}"])
        both = sum(
            1 for p in units if code in p.codes and code in predicted[p.key + f"#{p.paragraph}"]
        )
        out[code] = Table(len(units), a, b, both)
    return out


def pooled(per_code: dict[str, Table]) -> Table:
    total = Table(0, 0, 0, 0)
    for t in per_code.values():
        total = total + t
    return total


def evaluate(
    units: list[Passage], scores: dict[str, dict[str, tuple[float, int]]], threshold: float
) -> dict[str, Table]:
    predicted = {name: set(chosen(per, threshold)) for name, per in scores.items()}
    codes = {c for p in units for c in p.codes} | {
        c for p in units for c in predicted[p.key + f"#{p.paragraph}"]
    }
    return tables(units, predicted, sorted(codes, key=str.casefold))


def fmt(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:5.3f}"


def human(pairing: Pairing, final: Corpus, ids: set[str]) -> None:
    pairs = tuple((a, b) for a, b in pairing.pairs if a.interview.id in ids)
    if not pairs:
        print("  no interview of this half has two per-coder print-outs")
        return
    between = compare(Pairing(pairs, ()))
    print(
        f"  coder vs coder on interviews {', '.join(a.interview.id for a, _ in pairs)}: "
        f"pooled κ {fmt(between.pooled.kappa)} ({len(between.codes)} codes)"
    )
    for side in (0, 1):
        versus = []
        for pair in pairs:
            coder = pair[side]
            moderated = final.get(coder.interview.id)
            if moderated is not None:
                versus.append((coder, Coding(moderated, "final")))
        report = compare(Pairing(tuple(versus), ()))
        names = sorted({c.coder for c, _ in versus})
        print(
            f"  {'first' if side == 0 else 'second'} coder ({', '.join(names)}) vs final: "
            f"pooled κ {fmt(report.pooled.kappa)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("shared", nargs="?", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    print(f"command: python tests/bench/bench_suggest.py {args.shared} --k {args.k}")
    started = time.perf_counter()
    corpus = load_corpus([args.shared / "delve-pdf" / "moderation"])
    coded = Corpus(tuple(i for i in corpus.interviews if i.code_applications))
    ids = [i.id for i in coded.interviews]
    units = passages(coded)
    service = make_assistant()
    vectors = embed_texts(service.embedder, [p.text for p in units])
    print(
        f"{len(ids)} coded interviews, {len(units)} paragraphs "
        f"({sum(1 for p in units if p.codes)} coded); read and embedded in "
        f"{time.perf_counter() - started:.1f} s"
    )
    suggester = Suggester(units, vectors)
    scores: dict[str, dict[str, tuple[float, int]]] = {}
    for i, unit in enumerate(units):

        def held_out(other: Passage, me: Passage = unit) -> bool:
            return other.interview == me.interview

        scores[unit.key + f"#{unit.paragraph}"] = suggester.scores(vectors[i], held_out, args.k)[0]

    tune_ids = set(ids[1::2])
    test_ids = set(ids[0::2])
    tune = [u for u in units if u.interview in tune_ids]
    test = [u for u in units if u.interview in test_ids]
    print(f"tune half: interviews {', '.join(ids[1::2])}")
    print(f"test half: interviews {', '.join(ids[0::2])}")
    print("\nthreshold  pooled κ (tune)  pooled κ (test)")
    best = (-2.0, THRESHOLDS[0])
    for threshold in THRESHOLDS:
        on_tune = pooled(evaluate(tune, scores, threshold)).kappa or 0.0
        on_test = pooled(evaluate(test, scores, threshold)).kappa or 0.0
        print(f"  {threshold:4.2f}     {on_tune:6.3f}           {on_test:6.3f}")
        best = max(best, (on_tune, threshold))
    threshold = best[1]
    per_code = evaluate(test, scores, threshold)
    total = pooled(per_code)
    print(f"\nchosen on the tune half: threshold {threshold}")
    print(
        f"test half, suggestions vs final coding: pooled κ {fmt(total.kappa)} over "
        f"{total.n} decisions; {total.both} of {total.a} coded (paragraph, code) found, "
        f"{total.b - total.both} suggested wrongly"
    )
    frequent = {c: t for c, t in per_code.items() if t.a >= 5}
    good = [c for c, t in frequent.items() if (t.kappa or 0) >= 0.6]
    print(f"codes with κ ≥ 0.6: {len(good)} of {len(frequent)} codes with ≥ 5 paragraphs")
    print(f"\n{'code (paragraphs in final coding)':<52} precision  recall  κ")
    for code, t in sorted(frequent.items(), key=lambda kv: -kv[1].a):
        precision = t.both / t.b if t.b else None
        recall = t.both / t.a if t.a else None
        print(f"  {f'{code} ({t.a})':<50} {fmt(precision)}    {fmt(recall)}  {fmt(t.kappa)}")
    pairing = find_pairs(args.shared / "delve-pdf" / "codings")
    both_coded = {a.interview.id for a, _ in pairing.pairs} & set(ids)
    for title, chosen_ids in (
        ("the test half", test_ids & both_coded),
        (
            "every coded interview with two per-coder print-outs (threshold tuned on some)",
            both_coded,
        ),
    ):
        print(f"\non {title}:")
        human(pairing, coded, chosen_ids)
        on_same = [u for u in units if u.interview in chosen_ids]
        if on_same:
            machine = pooled(evaluate(on_same, scores, threshold))
            print(f"  suggestions vs final: pooled κ {fmt(machine.kappa)}")
    print(f"\ntotal {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
