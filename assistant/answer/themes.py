"""Grouping retrieved turns into themes for the extractive answer.

Coded turns are grouped by code: the coders already decided what each passage is about, and
their labels are the vocabulary the researcher works in. Uncoded turns (plain transcripts) are
clustered by the words they share, and each cluster is named by a phrase of the quotes shown
under it, holding its most distinctive words: words as spoken, within one clause (a name that
runs over a comma reads as clipped: "cases just some statistical"), so the reader finds the
name in the quotes below it. Everything here is deterministic: ties are broken by retrieval
rank, then by name.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from assistant.answer.text import stem, surface_forms, terms, words
from assistant.codebook import is_weak
from assistant.model import Evidence

#: More themes than this makes an answer a list rather than a synthesis.
MAX_THEMES = 5
#: Clusters less similar than this stay apart (cosine of tf-idf vectors, plus the bonus below).
MERGE_THRESHOLD = 0.15
#: Turns close together in one interview usually continue one answer.
NEIGHBOUR_BONUS = 0.25
NEIGHBOUR_DISTANCE = 4


@dataclass
class Theme:
    """A heading and the evidence numbers (1-based, in retrieval order) filed under it."""

    heading: str
    members: list[int]
    code: str | None = None
    words: list[str] = field(default_factory=list)


def group(
    evidence: list[Evidence],
    numbers: list[int],
    shown: Mapping[int, Sequence[str]],
    prefer: Collection[str] = (),
) -> list[Theme]:
    """Themes over the evidence numbered ``numbers``, ordered by their best-ranked turn; a turn
    carrying one of the ``prefer`` codes (those matched to the question) is filed under it.
    ``shown[n]`` is what the answer quotes of turn ``n`` (nothing when absent): uncoded themes
    are named from it."""
    coded = [n for n in numbers if evidence[n - 1].turn.codes]
    uncoded = [n for n in numbers if not evidence[n - 1].turn.codes]
    themes = _by_code(evidence, coded, prefer)
    if uncoded:
        room = max(1, MAX_THEMES - len(themes))
        texts = {n: list(shown.get(n, ())) for n in uncoded}
        themes.extend(_by_cluster(evidence, uncoded, room, texts))
    themes.sort(key=lambda t: t.members[0])
    return themes


def _by_code(
    evidence: list[Evidence], numbers: list[int], prefer: Collection[str] = ()
) -> list[Theme]:
    frequency: Counter[str] = Counter(c for n in numbers for c in evidence[n - 1].turn.codes)
    themes: dict[str, Theme] = {}
    for n in numbers:
        # File each turn under the code most of the evidence shares, so themes consolidate.
        code = min(
            evidence[n - 1].turn.codes,
            key=lambda c: (c not in prefer, is_weak(c), -frequency[c], c),
        )
        themes.setdefault(code, Theme(heading=code, members=[], code=code)).members.append(n)
    return list(themes.values())


def _vectors(evidence: list[Evidence], numbers: list[int]) -> list[dict[str, float]]:
    counts = [Counter(terms(evidence[n - 1].turn.text)) for n in numbers]
    df: Counter[str] = Counter(t for c in counts for t in c)
    size = len(counts)
    vectors = []
    for c in counts:
        v = {
            t: (1 + math.log(tf)) * (math.log((size + 1) / (df[t] + 1)) + 1) for t, tf in c.items()
        }
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors.append({t: x / norm for t, x in v.items()})
    return vectors


def _similarity(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())


def _by_cluster(
    evidence: list[Evidence],
    numbers: list[int],
    max_themes: int,
    texts: Mapping[int, Sequence[str]],
) -> list[Theme]:
    vectors = _vectors(evidence, numbers)
    size = len(numbers)
    sim = [[0.0] * size for _ in range(size)]
    for i in range(size):
        for j in range(i + 1, size):
            s = _similarity(vectors[i], vectors[j])
            ti, tj = evidence[numbers[i] - 1].turn, evidence[numbers[j] - 1].turn
            if ti.interview_id == tj.interview_id and abs(ti.ordinal - tj.ordinal) <= (
                NEIGHBOUR_DISTANCE
            ):
                s += NEIGHBOUR_BONUS
            sim[i][j] = sim[j][i] = s

    # Average-linkage agglomeration: merge the closest pair while it is close enough, and
    # keep merging past the threshold only to get down to max_themes.
    clusters: list[list[int]] = [[i] for i in range(size)]
    while len(clusters) > 1:
        best: tuple[float, int, int] | None = None
        for a in range(len(clusters)):
            for b in range(a + 1, len(clusters)):
                link = sum(sim[i][j] for i in clusters[a] for j in clusters[b]) / (
                    len(clusters[a]) * len(clusters[b])
                )
                if best is None or link > best[0]:
                    best = (link, a, b)
        assert best is not None
        link, a, b = best
        if link < MERGE_THRESHOLD and len(clusters) <= max_themes:
            break
        clusters[a] = sorted(clusters[a] + clusters[b])
        del clusters[b]

    themes = []
    taken: set[str] = set()
    # Named in rank order, each with a name no better-ranked theme took: two themes called
    # "data" in one answer would read as one.
    for cluster in sorted(clusters, key=min):
        members = [numbers[i] for i in cluster]
        names = _distinctive_words(texts, members, numbers)
        phrase = name_phrase([text for n in members for text in texts[n]], names, taken)
        heading = phrase or "other turns"
        if heading in taken:  # "other turns" twice
            heading = f"{heading} ({sum(t.startswith(heading) for t in taken) + 1})"
        taken.add(heading)
        themes.append(Theme(heading=heading, members=members, words=names))
    return themes


#: Words in a theme's name, at most.
PHRASE_WORDS = 5
#: Where a clause ends inside a quote: punctuation, the ellipsis between quoted sentences, a
#: dash or a bracket.
CLAUSE_END = re.compile(r"[,;:.!?\u2026()\[\]\"\u201c\u201d\u2014\u2013]|\s-\s")
#: Discourse words that are not stop words for search but never name what a theme is about.
NOT_A_NAME = frozenset(
    """
    anyway anyways sorry thanks thank exactly definitely probably obviously honestly
    literally totally absolutely certainly course whatever might may
    """.split()
)


def _content(word: str) -> bool:
    # terms() also drops contractions of stop words ("it's", "let's", "they're").
    return len(word) > 2 and word.lower() not in NOT_A_NAME and bool(terms(word))


def name_phrase(texts: list[str], names: list[str], taken: Collection[str] = ()) -> str:
    """A theme's name: the run of words, as spoken within one clause of ``texts``, that holds
    the most of its distinctive words, then the most content words, then the fewest words,
    starting and ending on a content word (never a clipped word, a stop word or filler), and
    not one of the names ``taken``."""
    wanted = {stem(n) for n in names}
    best: tuple[int, int, int, str] | None = None
    for text in texts:
        for clause in CLAUSE_END.split(text):
            tokens = words(clause)
            stems = [stem(w) if _content(w) else "" for w in tokens]
            for i in range(len(tokens)):
                if not stems[i]:
                    continue
                for j in range(i, min(len(tokens), i + PHRASE_WORDS)):
                    if not stems[j]:
                        continue
                    run = set(stems[i : j + 1]) - {""}
                    hits = len(run & wanted)
                    if hits == 0:
                        continue
                    phrase = " ".join(tokens[i : j + 1]).lower()
                    if phrase in taken:
                        continue
                    candidate = (-hits, -len(run), j - i, phrase)
                    if best is None or candidate < best:
                        best = candidate
    return best[3] if best is not None else ""


def _distinctive_words(
    texts: Mapping[int, Sequence[str]], members: list[int], everyone: list[int], count: int = 3
) -> list[str]:
    """Words frequent in this cluster's ``texts`` and rare in the other retrieved turns'."""
    inside: Counter[str] = Counter()
    spread: Counter[str] = Counter()
    for n in members:
        turn_terms = [t for text in texts[n] for t in terms(text)]
        inside.update(turn_terms)
        spread.update(set(turn_terms))
    outside: Counter[str] = Counter()
    for n in everyone:
        if n not in members:
            outside.update({t for text in texts[n] for t in terms(text)})
    others = max(1, len(everyone) - len(members))

    def weight(term: str) -> tuple[float, str]:
        share_in = spread[term] / len(members)
        share_out = outside[term] / others
        return (-(share_in - 0.5 * share_out) * math.log(1 + inside[term]), term)

    candidates = [t for t in inside if spread[t] > 1] if len(members) > 1 else []
    ranked = sorted(candidates or inside, key=weight)
    forms = surface_forms(text for n in members for text in texts[n])
    return [forms.get(t, t) for t in ranked[:count] if weight(t)[0] < 0]
