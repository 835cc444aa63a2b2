"""What answering a question needs of an embedding model, without importing llama-index.

The build uses llama-index ``BaseEmbedding`` models (:mod:`assistant.embeddings`); a question
is embedded by the bundled model itself (:class:`assistant.minilm.MiniLM`), so a search, an
answer and the chat's start never import llama-index. Both kinds satisfy :class:`Embedder`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    #: Recorded in the index: vectors of two models are never compared.
    model_name: str

    def get_query_embedding(self, query: str) -> list[float]: ...


def embed_texts(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Embed ``texts`` with any embedder as a float32 array (the fast path for the bundled
    model, which embeds many texts in length-sorted ONNX runs)."""
    embed = getattr(embedder, "embed", None)
    if callable(embed):
        return np.asarray(embed(texts), dtype=np.float32)
    vectors = embedder.get_text_embedding_batch(list(texts))  # type: ignore[attr-defined]
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
