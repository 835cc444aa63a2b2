"""Hybrid search over the turn index: dense (Chroma) and BM25 (bm25s), fused.

Both retrievers search the same scope: filters are resolved once (codes to exact labels with
their children, speakers to normalised names) into an :class:`~assistant.index.Scope` that
renders a Chroma filter for the dense side and a mask for the BM25 side. The default mode,
``hybrid``, fuses the two sides' scores with the codes matched to the question (measured best,
see BENCHMARKS.md); ``rrf`` fuses their ranks instead, and ``dense`` or ``bm25`` use one side
alone for comparison.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from assistant.answer.extractive import Prevalence
from assistant.cases import CaseScope, resolve_cases
from assistant.codematch import MIN_SCORE, VOTERS, CodeMatch, CodeMatcher
from assistant.errors import AssistantError
from assistant.guide import GuideQuestion
from assistant.index.reader import IndexReader
from assistant.index.scope import Scope
from assistant.ingest.speakers import check_roles, resolve_speakers
from assistant.model import Evidence, Filters
from assistant.terms import tokenize
from assistant.units import Unit, is_said, opens_question

if TYPE_CHECKING:
    from assistant.codebook import Codebook
    from assistant.embedder import Embedder

Mode = Literal["hybrid", "rrf", "dense", "bm25"]
#: ``hybrid`` fuses scores (the default), ``rrf`` fuses ranks; the others use one side.
MODES: tuple[str, ...] = ("hybrid", "rrf", "dense", "bm25")
#: The usual constant of reciprocal rank fusion (Cormack et al. 2009); flat enough that a turn
#: ranked well by both retrievers beats one ranked first by only one.
RRF_K = 60
#: Weight of each retriever's 1/(k + rank). BM25 is the weaker side on conversational text
#: (on the shipped interview nDCG@10 0.17 vs 0.38 dense); at equal weight it dragged fusion
#: to 0.26, at 0.3 fusion kept 0.33 and still rescues exact-term queries (names, jargon).
WEIGHTS = {"dense": 1.0, "bm25": 0.3}
#: Share of the dense side in score fusion. Measured with `assistant eval` on the 14 coded
#: moderated print-outs (80 queries, codes hidden): nDCG@10 dense 0.080, BM25 0.063, weighted
#: RRF 0.074, score fusion at 0.7 / 0.75 / 0.8: 0.085 / 0.087 / 0.084 (recall and MRR agree).
DENSE_SHARE = 0.75
#: Candidates taken from each retriever before fusing.
MIN_DEPTH = 50


class _Bm25Side:
    """BM25 over one reader's units, kept in the index (see :mod:`assistant.index.keyword`)."""

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader

    def search(self, query: str, depth: int, scope: Scope) -> list[tuple[int, float]]:
        terms = tokenize(query)
        if not terms:
            return []
        return self.reader.keyword(terms, depth, scope)


def bm25_side(reader: IndexReader) -> _Bm25Side:
    """The reader's BM25 index over its units."""
    side = reader.cache.get("bm25")
    if side is None:
        side = reader.cache["bm25"] = _Bm25Side(reader)
    return side


def rrf(
    rankings: dict[str, list[tuple[int, float]]],
    k: int = RRF_K,
    weights: dict[str, float] | None = None,
) -> list[tuple[int, float]]:
    """Weighted reciprocal rank fusion: each retriever adds weight/(k + rank) for each turn it
    ranked (weights default to :data:`WEIGHTS`; a retriever not listed weighs 1)."""
    weights = WEIGHTS if weights is None else weights
    fused: dict[int, float] = {}
    for name, ranked in rankings.items():
        w = weights.get(name, 1.0)
        for rank, (pos, _score) in enumerate(ranked, start=1):
            fused[pos] = fused.get(pos, 0.0) + w / (k + rank)
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


def score_fusion(
    rankings: dict[str, list[tuple[int, float]]], dense_share: float | None = None
) -> list[tuple[int, float]]:
    """Relative score fusion: each side's scores are min-max scaled over its candidates, then
    mixed ``dense_share : 1 - dense_share`` (default :data:`DENSE_SHARE`, read at each call so
    that the benchmarks' ``--set`` reaches it). Unlike RRF it keeps how far ahead a turn is,
    which matters when BM25's top hits are only marginally better than its tail."""
    dense_share = DENSE_SHARE if dense_share is None else dense_share
    shares = {"dense": dense_share, "bm25": 1.0 - dense_share}
    fused: dict[int, float] = {}
    for name, ranked in rankings.items():
        if not ranked:
            continue
        scores = [score for _pos, score in ranked]
        low, high = min(scores), max(scores)
        spread = high - low
        for pos, score in ranked:
            scaled = (score - low) / spread if spread > 0 else 1.0
            fused[pos] = fused.get(pos, 0.0) + shares.get(name, 1.0) * scaled
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


@dataclass(frozen=True)
class UnitHit:
    """A retrieved unit: its fused score, which retrievers found it (``why``) and the matched
    codes it carries."""

    unit: Unit
    score: float
    why: str
    codes: tuple[str, ...] = ()


@dataclass
class Retrieval:
    """What one search found: the units, the turns chosen from them, the codes matched."""

    hits: list[UnitHit]
    evidence: list[Evidence]
    codes: list[CodeMatch] = field(default_factory=list)
    #: How widespread each code is in the index, for the answer's overview.
    prevalence: Prevalence | None = None
    #: The interview guide's question the search question was aligned to, if any.
    guide: GuideQuestion | None = None


class Retriever:
    """Search one index reader; ``codebook`` resolves ``--code`` names and abbreviations and
    lets questions match codes."""

    def __init__(
        self,
        reader: IndexReader,
        embedder: Embedder,
        codebook: Codebook | None = None,
        guide: Sequence[GuideQuestion] = (),
        query_vectors: dict[str, list[float]] | None = None,
    ) -> None:
        self.reader = reader
        self.embedder = embedder
        self.codebook = codebook
        self.guide = list(guide)
        #: Question vectors already computed (the service shares one across its calls: an ask
        #: searches, checks relevance and scores sentences with the same question).
        self.query_vectors = query_vectors if query_vectors is not None else {}

    def resolve(self, filters: Filters) -> Scope:
        """Turn user filters into exact values; unknown values are errors naming the options."""
        codes: frozenset[str] = frozenset()
        if filters.codes:
            if self.codebook is None:
                raise AssistantError("code filters need the codebook of the indexed corpus")
            codes = self.codebook.resolve(filters.codes)
        # Only when asked: listing every interview costs ~10 ms a search at 1,000 of them.
        known_ids = {e["id"] for e in self.reader.interviews()} if filters.interviews else set()
        unknown = [i for i in filters.interviews if i not in known_ids]
        if unknown:
            raise AssistantError(
                f"no interview {', '.join(unknown)} in the index "
                f"(indexed: {', '.join(e['id'] for e in self.reader.interviews())})"
            )
        check_roles(filters.roles)
        held = CaseScope()
        if filters.cases or filters.variables:
            everything = self.reader.all_turns()
            held = resolve_cases(
                filters.cases,
                filters.variables,
                (c for e in everything for c in e.cases),
                (v for e in everything for v in e.variables),
                "the index",
            )
        return Scope(
            codes=codes,
            interviews=frozenset(filters.interviews),
            speakers=self._speakers(filters.speakers),
            roles=frozenset(filters.roles),
            cases=held.cases,
            variables=held.variables,
        )

    def _speakers(self, names: Iterable[str]) -> frozenset[str]:
        """Keys of the speakers meant (see :func:`resolve_speakers`, shared with quotes)."""
        names = [n for n in names if n.strip()]
        if not names:
            return frozenset()
        return resolve_speakers(names, self.reader.speakers(), "the index")

    def _vector(self, query: str) -> list[float]:
        vector = self.query_vectors.get(query)
        if vector is None:
            if len(self.query_vectors) > 256:
                self.query_vectors.clear()
            vector = self.query_vectors[query] = list(self.embedder.get_query_embedding(query))
        return vector

    def matcher(self) -> CodeMatcher | None:
        """The codebook's codes embedded, once per index reader (None without a codebook)."""
        if self.codebook is None or not getattr(self.codebook, "codes", None):
            return None
        matcher = self.reader.cache.get("codes")
        if matcher is None:
            from assistant.embedder import embed_texts

            matcher = self.reader.cache["codes"] = CodeMatcher.build(
                self.codebook, lambda texts: embed_texts(self.embedder, texts)
            )
        return matcher

    def match_codes(self, query: str, vector: list[float] | None = None) -> list[CodeMatch]:
        """The codes ``query`` is about (see :mod:`assistant.codematch`)."""
        matcher = self.matcher()
        if matcher is None:
            return []
        vector = vector if vector is not None else self._vector(query)
        return matcher.match(query, vector, self._votes(vector))

    def _votes(self, vector: list[float]) -> dict[str, float]:
        """Each code's share of the passages closest to the question, weighted by closeness."""
        nearest = self.reader.dense_units(vector, VOTERS, Scope(), ("utterance",))
        codes = self.reader.unit_codes(pos for pos, _c in nearest)
        total = sum(max(c, 0.0) for _p, c in nearest) or 1.0
        votes: dict[str, float] = {}
        for pos, cosine in nearest:
            for code in codes[pos]:
                votes[code] = votes.get(code, 0.0) + max(cosine, 0.0) / total
        return votes

    def rankings(self, query: str, depth: int, scope: Scope, mode: str) -> dict[str, Any]:
        """Each retriever's ranked (unit position, score) list for ``query`` within ``scope``;
        ``dense`` scores are cosine similarities."""
        out: dict[str, list[tuple[int, float]]] = {}
        if mode in ("hybrid", "rrf", "dense"):
            out["dense"] = self.reader.dense_units(self._vector(query), depth, scope)
        if mode in ("hybrid", "rrf", "bm25"):
            out["bm25"] = bm25_side(self.reader).search(query, depth, scope)
        return out

    def search(
        self, query: str, k: int = 8, filters: Filters | None = None, mode: str = "hybrid"
    ) -> list[Evidence]:
        """The turns of the ``k`` best units for ``query`` within ``filters``; Evidence.why
        names the unit and the retrievers that found it, with their ranks."""
        return self.retrieve(query, k, filters, mode).evidence

    def retrieve(
        self,
        query: str,
        k: int = 8,
        filters: Filters | None = None,
        mode: str = "hybrid",
        codes: Sequence[str] | None = None,
        relative_floor: float = 0.0,
    ) -> Retrieval:
        """Search units, fuse, spread over interviews, and choose each unit's turns.

        ``codes`` replaces the codes matched to the question (the chat lets a researcher drop
        one); by default they are matched here, in ``hybrid`` mode only. Units scoring under
        ``relative_floor`` times the best are left out (answers use ``RELATIVE_FLOOR``; when no
        code matched, a second unit of an interview needs ``UNCODED_FLOOR``; a search lists the
        ``k`` it was asked for)."""
        if mode not in MODES:
            raise AssistantError(f"unknown search mode {mode!r} (use {', '.join(MODES)})")
        if not query.strip():
            raise AssistantError("the search query is empty")
        scope = self.resolve(filters or Filters())
        depth = max(MIN_DEPTH, 3 * k)
        vector = self._vector(query) if mode != "bm25" else None
        rankings: dict[str, list[tuple[int, float]]] = {}
        # One dense query serves both the dense side (its top ``depth``) and the closeness of
        # answers to the question (every utterance among a wider top): two cost ~10 ms more.
        wide: list[tuple[int, float]] = []
        if vector is not None:
            wide = self.reader.dense_units(
                vector, max(depth, ANSWER_DEPTH) if mode == "hybrid" else depth, scope
            )
            rankings["dense"] = wide[:depth]
        if mode in ("hybrid", "rrf", "bm25"):
            rankings["bm25"] = bm25_side(self.reader).search(query, depth, scope)
        matched: list[CodeMatch] = []
        if mode == "hybrid" and vector is not None:
            if codes is None:
                matched = self.match_codes(query, vector)
            else:
                known = self.codebook.codes if self.codebook is not None else {}
                matched = [
                    CodeMatch(c, 1.0, known[c].applications, known[c].interviews)
                    for c in codes
                    if c in known
                ]
            if matched:
                rankings["codes"] = self._coded(vector, depth, scope, matched)
        asked: GuideQuestion | None = None
        if mode == "hybrid" and vector is not None and self.guide:
            asked, guided = self._guided(vector, scope)
            if guided:
                rankings["guide"] = guided
        if mode == "hybrid":
            fused = score_fusion({n: r for n, r in rankings.items() if n in ("dense", "bm25")})
            fused = _add_side(fused, rankings.get("codes", []), CODE_WEIGHT, scaled=False)
            fused = _add_side(fused, rankings.get("guide", []), GUIDE_WEIGHT)
        elif mode == "rrf":
            fused = rrf({n: r for n, r in rankings.items() if n in ("dense", "bm25")})
        else:
            fused = rankings[mode]
        ranks = {
            name: {pos: rank for rank, (pos, _s) in enumerate(ranked, start=1)}
            for name, ranked in rankings.items()
        }
        units = self.reader.units()
        # Read together: one query per unit costs ~0.1 s a search at 1,000 interviews.
        kinds = self.reader.units_at([pos for pos, _s in wide] + [pos for pos, _s in fused])
        if mode == "hybrid" and vector is not None:
            utter = {pos: cos for pos, cos in wide if kinds[pos].kind == "utterance"}
            fused = self._answered(fused, utter)
        wanted = {m.code for m in matched}
        if not (scope.roles or scope.speakers):
            fused = self._questions_to_exchanges(fused)
        repeat_floor = relative_floor
        if relative_floor and not matched:
            repeat_floor = max(relative_floor, UNCODED_FLOOR)
        self.reader.units_at(pos for pos, _s in fused)
        chosen = _spread(units, fused, k, relative_floor, repeat_floor)
        carrying = self.reader.unit_codes(pos for pos, _s in chosen)
        hits = []
        for pos, score in chosen:
            unit = units[pos]
            why = ", ".join(f"{name} #{r[pos]}" for name, r in ranks.items() if pos in r)
            carried = carrying[pos] & wanted
            hits.append(
                UnitHit(unit, score, f"{unit.kind} {_span(unit)}: {why}", tuple(sorted(carried)))
            )
        evidence = self._turns_of(hits, query, wanted, scope)
        return Retrieval(hits, evidence, matched, self._prevalence(), asked)

    def _prevalence(self) -> Prevalence | None:
        if self.codebook is None or not getattr(self.codebook, "codes", None):
            return None
        # Counted as `codes --matrix` counts (parents rolled up), once per index generation
        # and code book.
        cached = self.reader.cache.get("code_totals")
        if cached is None or cached[0] is not self.codebook:
            from assistant.prevalence import code_totals

            turns = (e.turn for e in self.reader.all_turns())
            cached = self.reader.cache["code_totals"] = (
                self.codebook,
                code_totals(turns, self.codebook),
            )
        return Prevalence(interviews=len(self.reader.interviews()), codes=cached[1])

    def _guided(
        self, vector: list[float], scope: Scope
    ) -> tuple[GuideQuestion | None, list[tuple[int, float]]]:
        """The guide question closest to the search question, and the exchanges whose
        interviewer asked it (the closest asking per interview), by how closely they asked."""
        from assistant.embedder import embed_texts

        key = "guide:" + "\x1f".join(q.text for q in self.guide)
        vectors = self.reader.cache.get(key)
        if vectors is None:
            vectors = self.reader.cache[key] = embed_texts(
                self.embedder, [q.text for q in self.guide]
            )
        closeness = vectors @ np.asarray(vector, dtype=np.float32)
        best = int(np.argmax(closeness))
        if float(closeness[best]) < GUIDE_MATCH:
            return None, []
        asking = replace(scope, roles=frozenset({"interviewer"}), speakers=frozenset())
        asking = replace(asking, codes=frozenset())
        found = self.reader.dense_units(vectors[best].tolist(), GUIDE_DEPTH, asking, ("utterance",))
        units = self.reader.units_at(pos for pos, _c in found)
        per_interview: dict[str, tuple[int, float]] = {}
        for pos, cosine in found:
            if cosine < GUIDE_ALIGN:
                continue
            # An interviewer's question split over headings is one utterance; each of its turns
            # may open an exchange, and each such exchange asked the guide question.
            for key in units[pos].keys:
                exchange = self.reader.exchange_of(key)
                if exchange is None:
                    continue
                held = per_interview.get(exchange.interview_id)
                if held is None or cosine > held[1]:
                    per_interview[exchange.interview_id] = (
                        self.reader.unit_position(exchange),
                        cosine,
                    )
        ranked = sorted(per_interview.values(), key=lambda item: (-item[1], item[0]))
        return self.guide[best], ranked

    def _answered(
        self, fused: list[tuple[int, float]], utter: dict[int, float]
    ) -> list[tuple[int, float]]:
        """Exchanges (and questions standing for them) scored by how close their answer is:
        see ``ANSWER_POWER``. ``utter`` holds utterance positions and their cosines."""
        units = self.reader.units()
        top = max(utter.values(), default=0.0) or 1.0
        # Turn key -> the close utterance holding it, when that utterance says something (an
        # utterance outside ``utter`` is not close, so it adds nothing to an answer's closeness).
        asking = self.reader.asking_only([*utter, *(pos for pos, _s in fused)])
        of_key = {key: pos for pos in utter if pos not in asking for key in units[pos].keys}
        out = []
        for pos, score in fused:
            unit = units[pos]
            target = unit
            if unit.kind == "utterance" and pos in asking:
                target = self.reader.exchange_of(unit.keys[-1]) or unit
            if target.kind == "exchange":
                said = {of_key[k] for k in target.keys if k in of_key}
                answer = max((utter.get(p, 0.0) for p in said), default=0.0)
                score *= max(answer / top, 0.0) ** ANSWER_POWER
            out.append((pos, score))
        return sorted(out, key=lambda kv: (-kv[1], kv[0]))

    def _questions_to_exchanges(self, fused: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """An interviewer's question found on its own stands for its exchange: the researcher
        wants the answer, not the question."""
        units = self.reader.units()
        asking = self.reader.asking_only(pos for pos, _s in fused)
        out: dict[int, float] = {}
        for pos, score in fused:
            unit = units[pos]
            if unit.kind == "utterance" and pos in asking:
                exchange = self.reader.exchange_of(unit.keys[-1])
                if exchange is None:
                    continue
                pos = self.reader.unit_position(exchange)
            out[pos] = max(out.get(pos, score), score)
        return sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))

    def _coded(
        self, vector: list[float], depth: int, scope: Scope, matched: list[CodeMatch]
    ) -> list[tuple[int, float]]:
        """Utterances carrying a matched code, by the code's match score times their closeness
        to the question, so the coders' passages most like the question come first."""
        strength = {m.code: m.score for m in matched}
        wanted = frozenset(strength) & scope.codes if scope.codes else frozenset(strength)
        if not wanted:
            return []
        coded = replace(scope, codes=wanted)
        found = self.reader.dense_units(vector, max(depth, CODED_DEPTH), coded, ("utterance",))
        codes = self.reader.unit_codes(pos for pos, _c in found)
        out = []
        top = max((cosine for _pos, cosine in found), default=0.0) or 1.0
        for pos, cosine in found:
            best = max((strength[c] for c in codes[pos] if c in strength), default=0.0)
            out.append((pos, _certainty(best) * max(cosine, 0.0) / top))
        out.sort(key=lambda item: (-item[1], item[0]))
        return out

    def _turns_of(
        self, hits: list[UnitHit], query: str, codes: set[str], scope: Scope
    ) -> list[Evidence]:
        """Each unit's turns worth quoting, in transcript order: what participants said (coded
        interviewer headings count as said; an exchange's question never does). A long unit
        keeps its ``TURNS_PER_UNIT`` turns carrying a matched code or sharing most words with
        the question."""
        asked = set(tokenize(query))
        out: list[Evidence] = []
        seen: set[str] = set()
        exchanges = [self._exchange_of(hit.unit, hit.unit.keys[0]) for hit in hits]
        self.reader.read_turns(
            [k for hit in hits for k in hit.unit.keys]
            + [k for exchange in exchanges if exchange is not None for k in exchange.keys]
        )
        for hit in hits:
            members = [e for k in hit.unit.keys if (e := self.reader.evidence(k)) is not None]
            # A unit passes the filters when one of its turns does; only those turns are its
            # evidence.
            members = [e for e in members if scope.matches(e.turn)]
            said = [e for e in members if is_said(e.turn)]
            if scope.roles or scope.speakers:
                said = members  # the researcher asked for exactly these speakers
            pool = said or members

            def rank(e: Evidence) -> tuple[int, int, int]:
                coded = bool(codes & set(e.turn.codes))
                shared = len(asked & set(tokenize(e.turn.text)))
                return (-int(coded), -shared, e.turn.ordinal)

            picked = sorted(pool, key=rank)[:TURNS_PER_UNIT]
            picked.sort(key=lambda e: e.turn.ordinal)
            for e in picked:
                if e.key in seen:
                    continue
                seen.add(e.key)
                question = self._question_of(hit.unit, e.turn.ordinal)
                out.append(
                    replace(e, score=hit.score, why=hit.why, asked=question, unit=hit.unit.id)
                )
        return out

    def _exchange_of(self, unit: Unit, key: str) -> Unit | None:
        return unit if unit.kind == "exchange" else self.reader.exchange_of(key)

    def _question_of(self, unit: Unit, ordinal: int) -> Evidence | None:
        """The interviewer's question that the turn ``ordinal`` answers, if any."""
        exchange = self._exchange_of(unit, f"{unit.interview_id}:{ordinal}")
        if exchange is None:
            return None
        asked = None
        for key in exchange.keys:
            e = self.reader.evidence(key)
            if e is None or e.turn.ordinal >= ordinal:
                break
            if not is_said(e.turn):
                asked = e if opens_question(e.turn) or asked is None else asked
        return asked


#: Candidates taken from the coded side: every passage of a frequent code.
CODED_DEPTH = 200
#: Weight of the code side in hybrid fusion, beside dense (0.75) and BM25 (0.25): when the
#: question matches a code, the coders' passages of that code lead (tuned on the tune half of
#: tests/data/eval_questions.json: 0.5 → precision 0.35, 1.5 → 0.42, 3 → 0.44 before votes).
CODE_WEIGHT = 3.0
#: A unit's score is multiplied by this for each unit already chosen from its interview, so
#: evidence spreads across participants while a strong second passage still gets in.
INTERVIEW_DECAY = 0.8
#: Units that share at least this share of their turns with chosen ones are passed over.
OVERLAP = 0.5
#: A search question is aligned to the interview guide's closest question from this cosine
#: on; an interviewer's turn asked that guide question from ``GUIDE_ALIGN`` on.
GUIDE_MATCH = 0.6
GUIDE_ALIGN = 0.5
#: Interviewer utterances compared with the guide question.
GUIDE_DEPTH = 300
#: Weight of the exchanges that asked the guide question, beside dense and BM25.
GUIDE_WEIGHT = 1.0
#: In an answer, units scoring less than this share of the best one are left out: a weak
#: unit's closest sentence is still a weak quote. On the tune half of tests/data/eval_questions.json
#: (precision / coverage): none 0.55 / 0.78, 0.2 0.57 / 0.74, 0.3 0.64 / 0.67,
#: 0.35 0.64 / 0.65, 0.4 0.63 / 0.62, 0.55 0.66 / 0.48.
RELATIVE_FLOOR = 0.3
#: When no code matched the question (a corpus without codes, or a question the codes do not
#: cover), a further unit of an interview already in the answer needs this share of the best
#: one: with no coders' passages to lead, a weak second passage of one participant is more
#: often off-topic, while a weak first passage of another participant still adds a voice.
#: Tune half, the study's plain transcripts (precision / coverage; baseline 0.22 / 0.49), the
#: same floor for every unit: 0.3 0.28 / 0.55, 0.35 0.31 / 0.53, 0.4 0.32 / 0.49; first units
#: at 0.3 (``RELATIVE_FLOOR``) and further ones at 0.4 0.29 / 0.55, **0.6 0.30 / 0.56**, 0.7
#: 0.30 / 0.56 (first units at 0.25: 0.29 / 0.62 with further ones at 0.6 or 0.7, but with codes
#: shown precision fell 0.66 -> 0.64). Chosen: the largest smaller gain of the two over the
#: baseline; with codes shown the tune half is unchanged (0.66 / 0.73).
UNCODED_FLOOR = 0.6
#: An exchange found by its question counts as much as its answer is close to the search
#: question: its score is multiplied by (closest answering utterance's cosine / best
#: utterance's cosine) ** ANSWER_POWER. Research questions read like interview questions, so
#: a question alone matched well and its off-topic answer was quoted: exchanges' quotes lay in
#: a gold paragraph 0.11 of the time, utterances' 0.26 (tune half, codes hidden). Tune half,
#: precision / coverage codes hidden, codes shown, shipped recall@5: power 0: 0.23 / 0.50,
#: 0.65 / 0.68, 0.63; 0.5: 0.27 / 0.56, 0.65 / 0.68, 0.61; **1: 0.29 / 0.55, 0.66 / 0.68,
#: 0.61**; 2: 0.29 / 0.53, 0.66 / 0.68, 0.56.
ANSWER_POWER = 1.0
#: Units (of both kinds) whose closeness to the question is looked up for that: about 400
#: utterances of the 36 moderated PDFs.
ANSWER_DEPTH = 600
#: A code matched at this score or better lifts its passages fully; a weaker match (from
#: ``codematch.MIN_SCORE`` up) lifts them in proportion: weak matches are often wrong ("where
#: did the data come from?" matched Data-low-quality at 0.56). Tune half, precision / coverage
#: codes shown, shipped recall@5: every match in full 0.66 / 0.68, 0.61; 0.8: 0.61 / 0.70,
#: 0.63; 0.7: 0.63 / 0.73, 0.63; 0.65: 0.64 / 0.72, 0.63; **0.6: 0.66 / 0.73, 0.61**.
CODE_SURE = 0.6
#: Turns taken from one unit at most (an exchange can run to twenty).
TURNS_PER_UNIT = 8


def _certainty(match_score: float) -> float:
    """How fully a code matched at ``match_score`` lifts its passages (0 to 1)."""
    return min(max((match_score - MIN_SCORE) / (CODE_SURE - MIN_SCORE), 0.0), 1.0)


def _add_side(
    fused: list[tuple[int, float]],
    side: list[tuple[int, float]],
    weight: float,
    scaled: bool = True,
) -> list[tuple[int, float]]:
    """Hybrid scores plus ``weight`` times a side's scores (scaled to its best when
    ``scaled``; the code side is already on a 0-1 scale that keeps how sure the match is)."""
    if not side:
        return fused
    top = (max(score for _pos, score in side) or 1.0) if scaled else 1.0
    total = dict(fused)
    for pos, score in side:
        total[pos] = total.get(pos, 0.0) + weight * score / top
    return sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))


def _spread(
    units: Sequence[Unit],
    fused: list[tuple[int, float]],
    k: int,
    relative_floor: float = 0.0,
    repeat_floor: float = 0.0,
) -> list[tuple[int, float]]:
    """The ``k`` best units, each interview's later units discounted and overlaps skipped.

    Units under ``relative_floor`` times the best are left out, and a unit of an interview
    already chosen also when it is under ``repeat_floor`` times the best."""
    top = fused[0][1] if fused else 0.0
    repeat = max(relative_floor, repeat_floor)
    remaining = [(pos, score) for pos, score in fused if score >= relative_floor * top]
    chosen: list[tuple[int, float]] = []
    taken: set[str] = set()
    per_interview: dict[str, int] = {}
    while remaining and len(chosen) < k:
        best_i, best_score = -1, -1.0
        for i, (pos, score) in enumerate(remaining):
            adjusted = score * INTERVIEW_DECAY ** per_interview.get(units[pos].interview_id, 0)
            if adjusted > best_score:
                best_i, best_score = i, adjusted
        pos, score = remaining.pop(best_i)
        unit = units[pos]
        if unit.interview_id in per_interview and score < repeat * top:
            continue
        if len(taken & set(unit.keys)) >= OVERLAP * len(unit.keys):
            continue
        chosen.append((pos, score))
        taken.update(unit.keys)
        per_interview[unit.interview_id] = per_interview.get(unit.interview_id, 0) + 1
    return chosen


def _span(unit: Unit) -> str:
    first, last = unit.ordinals[0], unit.ordinals[-1]
    return f"{unit.interview_id}:{first}" + (f"-{last}" if last != first else "")
