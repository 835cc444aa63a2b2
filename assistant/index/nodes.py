"""Index nodes: one per turn, and one per retrieval unit (utterance, exchange), and back.

A turn node's text is the turn's own text, so whatever is shown or quoted from the index cites
that turn only. A unit node (:mod:`assistant.units`) is what search ranks: its embedding is of
the unit's text, and its metadata lists the ordinals of its turns, so every hit maps back to
turns. Unit nodes store no text of their own (the turns hold it), so the index stores every
word once.

Chroma metadata is flat and never None: codes are both joined (``codes``, for display) and
spread into one integer flag per code (``code:<label>`` = 1, for filters); paragraph structure is
kept as JSON of lengths and spans (their text is sliced back out of the node text), so a Turn
and its Evidence can be rebuilt from the index alone. An interview's cases and variable values
(REFI-QDA projects) are spread the same way onto every node of the interview (``case:<name>``,
``var:<name>=<value>``), and kept as JSON on turn nodes for the Evidence.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from assistant.ingest.speakers import speaker_key
from assistant.model import PARAGRAPH_SEPARATOR, Evidence, Interview, Paragraph, Turn
from assistant.units import Unit, unit_text, utterance_spans

if TYPE_CHECKING:
    from llama_index.core.schema import TextNode

#: Bumped whenever node text, embedded text or metadata change shape: older indexes are rebuilt.
#: 2: utterance and exchange nodes beside the turn nodes (``kind``).
#: 3: the interview's cases and variables on every node.
#: 4: one collection updated in place, every node tagged with its interview's ``version``.
#: 5: the same nodes, one collection per kind (a format-4 index is moved, not re-embedded).
#: 6: turn nodes without a vector of their own (``store.TURN_VECTOR``; format 5 is moved).
FORMAT_VERSION = 6
#: The formats whose nodes a build moves instead of embedding them again.
MOVABLE_FORMATS = (4, 5)
CODE_FLAG = "code:"
CASE_FLAG = "case:"
VARIABLE_FLAG = "var:"
#: ``kind`` of a turn node; unit nodes carry their UnitKind.
TURN = "turn"


def node_id(turn: Turn) -> str:
    """Stable across rebuilds while the turn is unchanged: ``<interview>:<turn>:<hash>``."""
    return f"{turn.key}:{turn.content_hash}"


def normalise_speaker(name: str) -> str:
    """The speaker as the index stores it for filtering (``speaker_norm``): the one comparison
    form shared with quotes, so a ``--speaker`` means the same turns everywhere."""
    return speaker_key(name)


def embedding_texts(turns: Sequence[Turn]) -> list[str]:
    """What is embedded for each of ``turns``: the text of its utterance (the speaker's run of
    consecutive turns around it, :func:`assistant.units.utterance_spans`).

    Search ranks units, not turns, and a turn node stores no vector (``store.TURN_VECTOR``);
    its ``embed_hash`` names its utterance's text, so a build embeds every word of a transcript
    about 1.6 times (utterances and exchanges) rather than 2.2 times (turns besides them). An
    edit anywhere in an utterance re-embeds that utterance only (``embed_hash`` follows the
    text).
    """
    out = [""] * len(turns)
    for first, last in utterance_spans(turns):
        text = unit_text(turns[first : last + 1])
        for i in range(first, last + 1):
            out[i] = text
    return out


def embed_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def variable_flag(name: str, value: str) -> str:
    """The metadata key flagging that an interview has ``name`` = ``value``. One flag per
    value, because Chroma holds one value per key and an interview in two cases may have two."""
    return f"{VARIABLE_FLAG}{name}={value}"


def interview_flags(interview: Interview) -> dict[str, int]:
    """The flags of the interview's cases and variable values, for filters."""
    flags = {CASE_FLAG + case: 1 for case in interview.cases}
    flags.update({variable_flag(name, value): 1 for name, value in interview.variables})
    return flags


def _span(value: tuple[int, int] | None) -> tuple[int, int]:
    return value if value is not None else (0, 0)


def turn_metadata_core(turn: Turn) -> dict[str, Any]:
    """What :func:`turn_from_record` needs besides the text to rebuild ``turn`` exactly."""
    return {
        "interview": turn.interview_id,
        "ordinal": turn.ordinal,
        "speaker": turn.speaker,
        "role": turn.role,
        "timestamps": json.dumps(list(turn.timestamps)),
        "paragraphs": json.dumps(
            [
                [len(p.text), list(p.codes), list(p.lines or ()), list(p.pages or ())]
                for p in turn.paragraphs
            ],
            ensure_ascii=False,
        ),
    }


def held_metadata(cases: Sequence[str], variables: Sequence[tuple[str, str]]) -> dict[str, str]:
    """An interview's cases and variable values as JSON, to rebuild its Evidence exactly."""
    return {
        "cases": json.dumps(list(cases), ensure_ascii=False),
        "variables": json.dumps([list(v) for v in variables], ensure_ascii=False),
    }


def turn_metadata(interview: Interview, turn: Turn, embedded: str) -> dict[str, Any]:
    lines, pages = _span(turn.lines), _span(turn.pages)
    meta: dict[str, Any] = {
        **turn_metadata_core(turn),
        **held_metadata(interview.cases, interview.variables),
        "kind": TURN,
        "key": turn.key,
        "interview": interview.id,
        "title": interview.title,
        "source": interview.source,
        "format": interview.format,
        "source_sha256": interview.sha256,
        "speaker_norm": normalise_speaker(turn.speaker),
        "codes": "|".join(turn.codes),
        "line_first": lines[0],
        "line_last": lines[1],
        "page_first": pages[0],
        "page_last": pages[1],
        "content_hash": turn.content_hash,
        "embed_hash": embed_hash(embedded),
    }
    for code in turn.codes:
        meta[CODE_FLAG + code] = 1
    meta.update(interview_flags(interview))
    return meta


#: Metadata that must not reach an LLM or the embedding through llama-index's text rendering.
_HIDDEN = [
    "paragraphs",
    "timestamps",
    "content_hash",
    "embed_hash",
    "source_sha256",
    "cases",
    "variables",
]
#: Prefixes of the filter flags, hidden likewise.
_FLAGS = (CODE_FLAG, CASE_FLAG, VARIABLE_FLAG)


def make_node(
    interview: Interview, turns: Sequence[Turn], i: int, embedded: str | None = None
) -> tuple[TextNode, str]:
    """The node of ``turns[i]`` (embedding not yet set) and the text to embed for it
    (``embedded``, when the caller has :func:`embedding_texts` of all the turns already)."""
    from llama_index.core.schema import TextNode

    turn = turns[i]
    if embedded is None:
        embedded = embedding_texts(turns)[i]
    meta = turn_metadata(interview, turn, embedded)
    hidden = _HIDDEN + [k for k in meta if k.startswith(_FLAGS)]
    node = TextNode(
        id_=node_id(turn),
        text=turn.text,
        metadata=meta,
        excluded_embed_metadata_keys=list(meta),
        excluded_llm_metadata_keys=hidden,
    )
    return node, embedded


def make_unit_node(
    interview: Interview, unit: Unit, turns: Sequence[Turn]
) -> tuple[TextNode, str]:
    """The node of ``unit`` (over ``turns``, its turns in order) and the text to embed for it.

    Roles and speakers are kept only when the unit has one (an utterance), so a ``--speaker``
    or ``--role`` filter never lets an exchange through on its interviewer's name."""
    from llama_index.core.schema import TextNode

    embedded = unit_text(turns)
    codes = list(dict.fromkeys(c for t in turns for c in t.codes))
    speakers = {normalise_speaker(t.speaker) for t in turns}
    roles = {t.role for t in turns}
    meta: dict[str, Any] = {
        "kind": unit.kind,
        "unit": unit.id,
        "interview": interview.id,
        "ordinals": json.dumps(list(unit.ordinals)),
        "speaker_norm": speakers.pop() if len(speakers) == 1 else "",
        "role": roles.pop() if len(roles) == 1 else "",
        "codes": "|".join(codes),
        "embed_hash": embed_hash(embedded),
    }
    for code in codes:
        meta[CODE_FLAG + code] = 1
    meta.update(interview_flags(interview))
    node = TextNode(
        id_=f"{unit.id}:{embed_hash(embedded)}",
        text="",
        metadata=meta,
        excluded_embed_metadata_keys=list(meta),
        excluded_llm_metadata_keys=list(meta),
    )
    return node, embedded


def unit_from_record(meta: Mapping[str, Any]) -> Unit:
    return Unit(
        kind=meta["kind"],
        interview_id=str(meta["interview"]),
        ordinals=tuple(json.loads(meta["ordinals"])),
    )


def turn_from_record(text: str, meta: Mapping[str, Any]) -> Turn:
    """Rebuild the Turn exactly from a stored node's text and metadata."""
    paragraphs: list[Paragraph] = []
    pos = 0
    for length, codes, lines, pages in json.loads(meta["paragraphs"]):
        paragraphs.append(
            Paragraph(
                text=text[pos : pos + length],
                codes=tuple(codes),
                lines=(lines[0], lines[1]) if lines else None,
                pages=(pages[0], pages[1]) if pages else None,
            )
        )
        pos += length + len(PARAGRAPH_SEPARATOR)
    return Turn(
        interview_id=str(meta["interview"]),
        ordinal=int(meta["ordinal"]),
        speaker=str(meta["speaker"]),
        role=meta["role"],
        paragraphs=tuple(paragraphs),
        timestamps=tuple(json.loads(meta.get("timestamps") or "[]")),
    )


def evidence_from_record(text: str, meta: Mapping[str, Any], score: float = 0.0) -> Evidence:
    return Evidence(
        turn=turn_from_record(text, meta),
        title=str(meta["title"]),
        source=str(meta["source"]),
        score=score,
        cases=tuple(json.loads(meta.get("cases") or "[]")),
        variables=tuple((str(n), str(v)) for n, v in json.loads(meta.get("variables") or "[]")),
    )
