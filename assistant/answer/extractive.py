"""The offline answer: the most relevant verbatim sentences of the retrieved turns, by theme.

No model writes anything here. Each retrieved turn contributes its sentences that best match
the question (BM25 over the sentences of all retrieved turns, plus the words that name its
theme); the sentences are cut only at sentence boundaries, or at a word boundary for a very
long one, and an omission is marked ``…``. Every quote is a span of one paragraph, checked
again with :mod:`assistant.answer.verify` before it is cited. Citations are numbered from 1 in
order of appearance. The same evidence always gives the same answer.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from assistant.answer.prompts import refusal_phrase
from assistant.answer.text import BM25, sentence_spans, terms, words
from assistant.answer.themes import group
from assistant.answer.verify import locate_in_turn
from assistant.model import Answer, Citation, Evidence
from assistant.units import is_said

#: Distinct content words a turn needs to be quoted.
MIN_TERMS = 2
#: A best sentence with fewer content words than this gets company from the next best.
SHORT_SENTENCE_TERMS = 5
#: Sentences quoted per turn, at most.
SENTENCES_PER_TURN = 2
#: A sentence longer than this many words is shown as a window of it.
LONG_SENTENCE = 45
WINDOW = 35
#: Codes listed by name in the counts line before it says "and N more".
CODES_LISTED = 8
ELLIPSIS = "\u2026"
#: Weight of words shared by several retrieved turns, against the question's own words (1).
FEEDBACK_WEIGHT = 0.3


@dataclass(frozen=True)
class Prevalence:
    """How widespread each code is in the whole corpus, for the answer's overview."""

    interviews: int
    #: code -> (interviews carrying it, passages coded with it)
    codes: Mapping[str, tuple[int, int]]


#: How the line under a quote that names the question it answered begins.
ANSWERING = "  answering "
#: Words of an interviewer's question shown beside a quote that answers it, at most.
ASKED_WORDS = 16


#: Scores texts against the question: one cosine similarity per text.
Similarity = Callable[[list[str]], Sequence[float]]
#: A unit's second turn is quoted when its closest sentence is this close to the best one's.
SECOND_TURN_MARGIN = 0.05
#: Sentences of one unit compared with the question at most (each costs an embedding): those
#: sharing most words with the question (the coded ones, when a code was matched).
COMPARED_PER_UNIT = 4
#: A long sentence is compared by its opening words: enough for its topic, and embedding cost
#: grows with length. Tune half (precision; warm ask p95 on the 14 coded PDFs, one run each):
#: 24 words 0.658, 0.40-0.45 s; 16 words 0.657, 0.23 s; 12 words 0.651, 0.22 s (earlier, 40
#: words cost ~40 ms more at p50 than 24 for 0.652 against 0.647).
COMPARED_WORDS = 16


@dataclass(frozen=True)
class _Sentence:
    n: int  # evidence number
    paragraph: int
    index: int  # position among the paragraph's sentences
    start: int
    end: int
    terms: tuple[str, ...]
    similarity: float | None = None


def extractive_answer(
    question: str,
    evidence: list[Evidence],
    similarity: Similarity | None = None,
    codes: Collection[str] = (),
    prevalence: Prevalence | None = None,
) -> Answer:
    """Answer ``question`` from ``evidence`` with verbatim quotes only; see the module doc.

    ``similarity`` scores sentences against the question (cosine of their embeddings); with it
    each retrieval unit is quoted once, at its sentences closest to the question, taken from
    its paragraphs coded with one of ``codes`` (the codes matched to the question) when it has
    any. Without it, every turn is quoted at its best sentences by shared words."""
    if not evidence:
        return Answer(question, "extractive", refusal_phrase(), evidence=[], refused=True)

    sentences = _sentences(evidence)
    query = terms(question)
    if similarity is not None:
        sentences = _one_per_unit(evidence, sentences, similarity, set(codes), query)
    bm25 = BM25.over([list(s.terms) for s in sentences])
    # Turns with barely a content word ("Yeah.", "so well?", "That instance? Yes.") carry
    # nothing worth quoting.
    quotable = {s.n for s in sentences}
    numbers = [
        n
        for n in range(1, len(evidence) + 1)
        if n in quotable and len(set(terms(evidence[n - 1].turn.text))) >= MIN_TERMS
    ]
    # An interviewer's question is not evidence of what participants think; it is quoted
    # only when coded (coders sometimes file a participant's words under the interviewer's
    # heading) or when nothing else is left.
    said = [n for n in numbers if is_said(evidence[n - 1].turn)]
    numbers = said or numbers
    if not numbers:
        return Answer(question, "extractive", refusal_phrase(), evidence=evidence, refused=True)

    # How many retrieved turns use each word: what the evidence as a whole is about, which
    # decides between sentences that share no word with the question.
    spread = Counter(t for n in numbers for t in set(terms(evidence[n - 1].turn.text)))

    lines: list[str] = []
    citations: list[Citation] = []
    # Citations are numbered 1, 2, 3… as they first appear in the answer, not by evidence
    # position (themes reorder the turns, and a turn with nothing to quote is skipped, so
    # position numbers would read [3], [6], [4]… with gaps). Citation.evidence keeps the turn.
    numbered: dict[int, int] = {}
    overview: list[str] = []
    picked: dict[int, list[tuple[str, str]]] = {}
    for n in numbers:
        own = [s for s in sentences if s.n == n]
        for quote in _quotes(evidence[n - 1], own, bm25, query, spread):
            exact = locate_in_turn(quote, evidence[n - 1].turn)
            if exact is not None:  # cannot be None for a slice of the turn; never cite it if so
                picked.setdefault(n, []).append((quote, exact))
    # Themes are named from what is quoted under them, so a name is found in its quotes.
    shown_quotes = {n: [quote for quote, _ in pairs] for n, pairs in picked.items()}
    for theme in group(evidence, numbers, shown_quotes, prefer=set(codes)):
        block: list[str] = []
        for n in _participants_first(evidence, theme.members):
            for quote, exact in picked.get(n, []):
                shown = numbered.setdefault(n, len(numbered) + 1)
                block.append(f'- "{quote}" [{shown}]')
                asked = evidence[n - 1].asked
                if asked is not None:
                    block.append(f"{ANSWERING}{asked.key}: {asked_question(asked.turn.text)}")
                citations.append(Citation(shown, evidence[n - 1], exact, True))
        if block:
            label = f"Code: {theme.heading}" if theme.code else f"Theme: {theme.heading}"
            lines.extend([f"### {label}", *block, ""])
            quoted = [c for c in citations if c.n in {numbered.get(m) for m in theme.members}]
            overview.append(_prevalence(theme.heading, theme.code, quoted, prevalence))

    if not citations:
        return Answer(question, "extractive", refusal_phrase(), evidence=evidence, refused=True)
    lines[:0] = ["Overview: " + "; ".join(overview), ""]
    lines.append(_counts(citations))
    return Answer(question, "extractive", "\n".join(lines), citations, evidence=evidence)


def _one_per_unit(
    evidence: list[Evidence],
    sentences: list[_Sentence],
    similarity: Similarity,
    codes: set[str],
    query: list[str],
) -> list[_Sentence]:
    """The sentences of each unit's one turn to quote, scored by ``similarity``.

    Within a unit, paragraphs coded with a matched code come first: they are what the coders
    said answers the question. The turn holding the unit's closest sentence is kept."""
    units: dict[str, list[int]] = {}
    for n, ev in enumerate(evidence, start=1):
        units.setdefault(ev.unit or ev.key, []).append(n)
    # A question word that few of the retrieved sentences use says more about which sentence
    # answers ("late" beside "projects" in "why did projects run late?").
    asked = set(query)
    used = Counter(t for s in sentences for t in set(s.terms) & asked)
    weight = {t: math.log((1 + len(sentences)) / (1 + n)) + 1.0 for t, n in used.items()}
    candidates: list[_Sentence] = []
    for members in units.values():
        own = [s for s in sentences if s.n in members and len(set(s.terms)) >= MIN_TERMS]
        coded = [
            s for s in own if codes & set(evidence[s.n - 1].turn.paragraphs[s.paragraph].codes)
        ]
        pool = coded or own
        pool = sorted(
            pool,
            key=lambda s: (
                -round(sum(weight.get(t, 0.0) for t in asked & set(s.terms)), 9),
                -len(set(s.terms)),
                s.n,
                s.index,
            ),
        )[:COMPARED_PER_UNIT]
        candidates.extend(sorted(pool, key=lambda s: (s.n, s.paragraph, s.index)))
    if not candidates:
        return []
    texts = [
        " ".join(
            evidence[s.n - 1]
            .turn.paragraphs[s.paragraph]
            .text[s.start : s.end]
            .split()[:COMPARED_WORDS]
        )
        for s in candidates
    ]
    scored = [
        replace(s, similarity=float(v)) for s, v in zip(candidates, similarity(texts), strict=True)
    ]
    keep: list[_Sentence] = []
    for members in units.values():
        own = sorted(
            (s for s in scored if s.n in members),
            key=lambda s: (-(s.similarity or 0.0), s.n, s.index),
        )
        if not own:
            continue
        turns = [own[0].n]
        # A second turn of the unit when it is nearly as close: an answer given in two parts
        # ("the environment not being ready" ... "a very complex environment").
        second = next((s for s in own if s.n != own[0].n), None)
        if second is not None and (
            (second.similarity or 0.0) >= (own[0].similarity or 0.0) - SECOND_TURN_MARGIN
        ):
            turns.append(second.n)
        # An exchange is found by its question; its first answering turn is the direct answer
        # ("Yes. Most of the time. […] if you don't have a strict deadline, it is often late."
        # to "do you have any AI projects that took longer than expected?"), whichever of its
        # sentences the embedding ranks first.
        if (evidence[members[0] - 1].unit or "").startswith("exchange:"):
            first = min(s.n for s in own)
            if first not in turns:
                turns.append(first)
        keep.extend(s for s in own if s.n in turns)
    return keep


def _sentences(evidence: list[Evidence]) -> list[_Sentence]:
    out = []
    for n, ev in enumerate(evidence, start=1):
        for p, paragraph in enumerate(ev.turn.paragraphs):
            for i, (start, end) in enumerate(sentence_spans(paragraph.text)):
                found = tuple(terms(paragraph.text[start:end]))
                out.append(_Sentence(n, p, i, start, end, found))
    return out


def _quotes(
    ev: Evidence,
    own: list[_Sentence],
    bm25: BM25,
    query: list[str],
    spread: Counter[str],
) -> list[str]:
    """The quotes of one turn: its best sentences, in source order, one quote per paragraph."""

    def relevance(s: _Sentence) -> tuple[float, int, int, int]:
        if s.similarity is not None:
            return (-round(s.similarity, 9), -len(set(s.terms)), s.paragraph, s.index)
        score = bm25.score(query, list(s.terms))
        score += FEEDBACK_WEIGHT * sum(math.log(spread[t]) for t in set(s.terms) if spread[t])
        # Ties go to the sentence that says the most, then to the earliest.
        return (-round(score, 9), -len(set(s.terms)), s.paragraph, s.index)

    ranked = sorted((s for s in own if s.terms), key=relevance)
    if not ranked:
        return []
    best = ranked[0]
    chosen = [best]
    if best.similarity is not None:
        # The closest sentence, and its neighbour when it says too little alone.
        if len(set(best.terms)) < SHORT_SENTENCE_TERMS:
            chosen += [s for s in ranked[1:3] if s.paragraph == best.paragraph][:1]
    elif bm25.score(query, list(best.terms)) > 0:
        chosen += [s for s in ranked[1:SENTENCES_PER_TURN] if bm25.score(query, list(s.terms)) > 0]
    elif len(set(best.terms)) < SHORT_SENTENCE_TERMS:
        # "Very complex environment." alone says too little: add the turn's next-best sentence.
        chosen += ranked[1:SENTENCES_PER_TURN]
    chosen.sort(key=lambda s: (s.paragraph, s.index))

    quotes = []
    for p in dict.fromkeys(s.paragraph for s in chosen):
        text = ev.turn.paragraphs[p].text
        picked = [s for s in chosen if s.paragraph == p]
        count = len(sentence_spans(text))
        fragments: list[str] = []
        for i, s in enumerate(picked):
            joined = i > 0 and picked[i - 1].index + 1 == s.index
            piece = _window(text[s.start : s.end], query)
            if joined and not fragments[-1].endswith(ELLIPSIS):
                fragments[-1] = fragments[-1] + text[picked[i - 1].end : s.start] + piece
            else:
                fragments.append(piece)
        quote = f" {ELLIPSIS} ".join(fragments)
        if picked[0].index > 0 and not quote.startswith(ELLIPSIS):
            quote = f"{ELLIPSIS} {quote}"
        if picked[-1].index < count - 1 and not quote.endswith(ELLIPSIS):
            quote = f"{quote} {ELLIPSIS}"
        quotes.append(quote)
    return quotes


def _window(sentence: str, query: list[str]) -> str:
    """A long sentence cut to the run of words with the most question words in it."""
    tokens = sentence.split(" ")
    if len(words(sentence)) <= LONG_SENTENCE or len(tokens) <= WINDOW:
        return sentence
    hits = [i for i, tok in enumerate(tokens) if set(terms(tok)) & set(query)]
    centre = sum(hits) / len(hits) if hits else 0.0

    def fit(start: int) -> tuple[int, float, int]:
        # Most question words inside, then those words nearest the middle, then earliest.
        inside = sum(1 for i in hits if start <= i < start + WINDOW)
        return (-inside, abs(start + (WINDOW - 1) / 2 - centre), start)

    best_start = min(range(0, len(tokens) - WINDOW + 1), key=fit)
    piece = " ".join(tokens[best_start : best_start + WINDOW])
    if best_start > 0:
        piece = f"{ELLIPSIS} {piece}"
    if best_start + WINDOW < len(tokens):
        piece = f"{piece} {ELLIPSIS}"
    return piece


def _participants_first(evidence: list[Evidence], members: list[int]) -> list[int]:
    """Members reordered so that each interview's best turn comes before anyone's second."""
    seen: dict[str, int] = {}
    ranked = []
    for n in members:
        interview = evidence[n - 1].turn.interview_id
        ranked.append((seen.get(interview, 0), members.index(n), n))
        seen[interview] = seen.get(interview, 0) + 1
    return [n for _round, _i, n in sorted(ranked)]


def asked_question(text: str) -> str:
    """The question an interviewer's turn asks, in its own words, omissions marked: the last
    sentence that ends in a question mark and says something (the one the answer follows; the
    turn often opens with "Thank you." or comments on the last answer), cut to its last
    ``ASKED_WORDS`` words, since a long question ends with what it asks. A turn with no
    question mark shows its first words."""
    flat = " ".join(text.split())
    asking = [
        (start, end)
        for start, end in sentence_spans(flat)
        if flat[start:end].rstrip("\"'\u201d\u2019)]").endswith("?")
    ]
    if not asking:
        tokens = flat.split(" ")
        if len(tokens) <= ASKED_WORDS:
            return flat
        return " ".join(tokens[:ASKED_WORDS]) + f" {ELLIPSIS}"
    # "…, right?" or "Yeah?" after the question asks nothing of its own.
    saying = [(start, end) for start, end in asking if len(set(terms(flat[start:end]))) >= 2]
    start, end = (saying or asking)[-1]
    tokens = flat[start:end].split(" ")
    cut = len(tokens) > ASKED_WORDS
    before = f"{ELLIPSIS} " if start > 0 or cut else ""
    after = f" {ELLIPSIS}" if end < len(flat) else ""
    return before + " ".join(tokens[-ASKED_WORDS:]) + after


def _prevalence(
    heading: str, code: str | None, quoted: list[Citation], prevalence: Prevalence | None
) -> str:
    """``MM-drift: 5 of 14 interviews · 24 passages (3 quoted)`` for a code known to the
    corpus, else what the answer itself quotes."""
    interviews = len({c.evidence.turn.interview_id for c in quoted})
    if code is not None and prevalence is not None and code in prevalence.codes:
        holding, passages = prevalence.codes[code]
        return (
            f"{code}: {holding} of {prevalence.interviews} interviews \u00b7 "
            f"{passages} passage{'s' * (passages != 1)} ({len(quoted)} quoted)"
        )
    return (
        f"{heading}: {interviews} interview{'s' * (interviews != 1)} \u00b7 "
        f"{len(quoted)} passage{'s' * (len(quoted) != 1)} quoted"
    )


def _counts(citations: list[Citation]) -> str:
    turns = list(dict.fromkeys(c.evidence.key for c in citations))
    interviews = list(dict.fromkeys(c.evidence.turn.interview_id for c in citations))
    codes = sorted({code for c in citations for code in c.evidence.turn.codes})
    listed = ", ".join(codes[:CODES_LISTED])
    if len(codes) > CODES_LISTED:
        listed += f" and {len(codes) - CODES_LISTED} more"
    line = (
        f"{len(interviews)} interview{'s' * (len(interviews) != 1)} \u00b7 "
        f"{len(turns)} turn{'s' * (len(turns) != 1)} \u00b7 "
        f"{len(codes)} code{'s' * (len(codes) != 1)}"
    )
    return f"{line} ({listed})" if codes else line
