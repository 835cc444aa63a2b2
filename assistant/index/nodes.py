"""One index node per turn, and back.

A node's text is the turn's own text, so whatever is shown or quoted from the index cites that
turn only. What is embedded is decided by :func:`embedding_text` (today the same text: adding
the preceding question or the neighbouring fragment of a split sentence measured worse).

Chroma metadata is flat and never None: codes are both joined (``codes``, for display) and
spread into one integer flag per code (``code:<label>`` = 1, for filters); paragraph structure is
kept as JSON of lengths and spans (their text is sliced back out of the node text), so a Turn
and its Evidence can be rebuilt from the index alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from assistant.ingest.speakers import speaker_key
from assistant.model import PARAGRAPH_SEPARATOR, Evidence, Interview, Paragraph, Turn

if TYPE_CHECKING:
    from llama_index.core.schema import TextNode

#: Bumped whenever node text, embedded text or metadata change shape: older indexes are rebuilt.
FORMAT_VERSION = 1
CODE_FLAG = "code:"


def node_id(turn: Turn) -> str:
    """Stable across rebuilds while the turn is unchanged: ``<interview>:<turn>:<hash>``."""
    return f"{turn.key}:{turn.content_hash}"


def normalise_speaker(name: str) -> str:
    """The speaker as the index stores it for filtering (``speaker_norm``): the one comparison
    form shared with quotes, so a ``--speaker`` means the same turns everywhere."""
    return speaker_key(name)


def embedding_text(turns: Sequence[Turn], i: int) -> str:
    """What is embedded for ``turns[i]``: the turn's own text.

    Adding context was measured on the shipped interview (18 questions with judged turns) and
    lost: prefixing the interviewer's question dropped dense nDCG@10 from 0.376 to 0.333, and
    joining split-sentence fragments to 0.349, because a neighbour's words pull the vector
    toward the neighbour's topic. Kept as a function so a better recipe changes one place (and
    ``embed_hash`` in the metadata makes the next build re-embed exactly the affected turns).
    """
    return turns[i].text


def embed_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _span(value: tuple[int, int] | None) -> tuple[int, int]:
    return value if value is not None else (0, 0)


def turn_metadata(interview: Interview, turn: Turn, embedded: str) -> dict[str, Any]:
    lines, pages = _span(turn.lines), _span(turn.pages)
    meta: dict[str, Any] = {
        "key": turn.key,
        "interview": interview.id,
        "title": interview.title,
        "source": interview.source,
        "format": interview.format,
        "source_sha256": interview.sha256,
        "ordinal": turn.ordinal,
        "speaker": turn.speaker,
        "speaker_norm": normalise_speaker(turn.speaker),
        "role": turn.role,
        "codes": "|".join(turn.codes),
        "line_first": lines[0],
        "line_last": lines[1],
        "page_first": pages[0],
        "page_last": pages[1],
        "content_hash": turn.content_hash,
        "embed_hash": embed_hash(embedded),
        "timestamps": json.dumps(list(turn.timestamps)),
        "paragraphs": json.dumps(
            [
                [len(p.text), list(p.codes), list(p.lines or ()), list(p.pages or ())]
                for p in turn.paragraphs
            ],
            ensure_ascii=False,
        ),
    }
    for code in turn.codes:
        meta[CODE_FLAG + code] = 1
    return meta


#: Metadata that must not reach an LLM or the embedding through llama-index's text rendering.
_HIDDEN = ["paragraphs", "timestamps", "content_hash", "embed_hash", "source_sha256"]


def make_node(interview: Interview, turns: Sequence[Turn], i: int) -> tuple[TextNode, str]:
    """The node of ``turns[i]`` (embedding not yet set) and the text to embed for it."""
    from llama_index.core.schema import TextNode

    turn = turns[i]
    embedded = embedding_text(turns, i)
    meta = turn_metadata(interview, turn, embedded)
    hidden = _HIDDEN + [k for k in meta if k.startswith(CODE_FLAG)]
    node = TextNode(
        id_=node_id(turn),
        text=turn.text,
        metadata=meta,
        excluded_embed_metadata_keys=list(meta),
        excluded_llm_metadata_keys=hidden,
    )
    return node, embedded


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
    )
