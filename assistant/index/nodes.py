"""One index node per turn, and back.

A node's text is the turn's own text, so whatever is shown or quoted from the index cites that
turn only. What is *embedded* may add context (see :func:`embedding_text`), because speaker
breaks in transcripts are often wrong: a sentence split across two headings, an answer that
only makes sense after the question before it.

Chroma metadata is flat and never None: codes are both joined (``codes``, for display) and
spread into one integer flag per code (``code:<label>`` = 1, for filters); paragraph structure is
kept as JSON of lengths and spans (their text is sliced back out of the node text), so a Turn
and its Evidence can be rebuilt from the index alone.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from llama_index.core.schema import TextNode

from assistant.model import PARAGRAPH_SEPARATOR, Evidence, Interview, Paragraph, Turn

#: Bumped whenever node text, embedded text or metadata change shape: older indexes are rebuilt.
FORMAT_VERSION = 1
CODE_FLAG = "code:"
#: Context added to the embedded text is cut to this many characters per neighbour.
CONTEXT_CHARS = 300

_CONTINUES = re.compile(r"^[\s\"'“‘(]*[a-z]")
_ENDS_SENTENCE = re.compile(r"[.?!…:;\"”')\]]\s*$")


def node_id(turn: Turn) -> str:
    """Stable across rebuilds while the turn is unchanged: ``<interview>:<turn>:<hash>``."""
    return f"{turn.key}:{turn.content_hash}"


def normalise_speaker(name: str) -> str:
    """``Interviewer 1``, ``**interviewer1**`` and ``Interviewer1`` all become ``interviewer1``."""
    folded = unicodedata.normalize("NFKD", name).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def _head(text: str, limit: int = CONTEXT_CHARS) -> str:
    """The text up to the end of its first sentence (at most ``limit`` characters)."""
    match = re.search(r"[.?!…](\s|$)", text[:limit])
    return text[: match.end()].strip() if match else text[:limit].strip()


def _tail(text: str, limit: int = CONTEXT_CHARS) -> str:
    """The last ``limit`` characters, starting at a word boundary."""
    if len(text) <= limit:
        return text.strip()
    cut = text[-limit:]
    return cut[cut.find(" ") + 1 :].strip()


def embedding_text(turns: Sequence[Turn], i: int) -> str:
    """What is embedded for ``turns[i]``: its text plus the context that repairs bad breaks.

    - a participant's turn is preceded by the interviewer's question it answers (its tail);
    - a turn that starts mid-sentence gets the end of the turn before it;
    - a turn that stops mid-sentence gets the start of the turn after it.
    Measured on the shipped interview (see the index helper's report): question context helps
    dense recall on answers; the fragment repair helps on the many split headings.
    """
    turn = turns[i]
    text = turn.text
    before: list[str] = []
    after: list[str] = []
    prev = turns[i - 1] if i > 0 else None
    nxt = turns[i + 1] if i + 1 < len(turns) else None
    if prev is not None:
        asked = prev.role == "interviewer" and turn.role != "interviewer"
        if asked or _CONTINUES.match(text):
            before.append(_tail(prev.text))
    if nxt is not None and not _ENDS_SENTENCE.search(text):
        after.append(_head(nxt.text))
    return "\n".join([*before, text, *after])


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
