"""Sentence embeddings for the index, as llama-index ``BaseEmbedding`` models.

By default everything runs offline: the bundled all-MiniLM-L6-v2 (:mod:`assistant.minilm`:
pinned ONNX file, checked before it is loaded).

Setting ``embed_model`` to another name uses an OpenAI-compatible embeddings endpoint instead
(OpenAI, Ollama, vLLM...). ``model_name`` is recorded in the index, so vectors from two
different models are never compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.bridge.pydantic import PrivateAttr

from assistant.embedding_name import OPENAI_COMPATIBLE, is_local
from assistant.errors import AssistantError
from assistant.minilm import MiniLM
from assistant.settings import Settings


class _BatchEmbedding(BaseEmbedding):
    """llama-index's single-text and async entry points, all served by the batch method.

    Queries and documents are embedded alike (MiniLM has no query prefix), and the calls are
    blocking either way, so the async variants simply delegate.
    """

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._get_text_embedding(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)


class LocalMiniLMEmbedding(_BatchEmbedding):
    """The bundled model (:class:`assistant.minilm.MiniLM`) as a llama-index embedding."""

    _model: Any = PrivateAttr(default=None)

    def __init__(self, model: MiniLM | None = None, **kwargs: Any) -> None:
        model = model or MiniLM()
        kwargs.setdefault("model_name", model.model_name)
        # The outer batch only groups calls; ONNX batches are cut by length inside.
        kwargs.setdefault("embed_batch_size", 256)
        super().__init__(**kwargs)
        self._model = model

    @classmethod
    def class_name(cls) -> str:
        return "LocalMiniLMEmbedding"

    @property
    def model(self) -> MiniLM:
        return self._model

    def load(self) -> None:
        self._model.load()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._model.embed(texts)

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.embed(texts).tolist()


class OpenAICompatibleEmbedding(_BatchEmbedding):
    """Embeddings from an OpenAI-compatible ``/embeddings`` endpoint (OpenAI, Ollama, vLLM)."""

    #: Each call is a request to a server: the chat's warm-up leaves it alone.
    calls_endpoint: ClassVar[bool] = True

    model: str
    base_url: str | None = None
    timeout: float = 60.0
    max_retries: int = 2

    _api_key: str | None = PrivateAttr(default=None)
    _client: Any = PrivateAttr(default=None)

    def __init__(self, *, api_key: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("model_name", f"{OPENAI_COMPATIBLE}{kwargs['model']}")
        kwargs.setdefault("embed_batch_size", 64)
        super().__init__(**kwargs)
        self._api_key = api_key

    @classmethod
    def class_name(cls) -> str:
        return "OpenAICompatibleEmbedding"

    def _get_client(self) -> Any:
        if self._client is None:
            from openai import OpenAI

            # Local servers such as Ollama ignore the key but the client insists on one.
            self._client = OpenAI(
                base_url=self.base_url,
                api_key=self._api_key or "unused",
                timeout=self.timeout,
                max_retries=self.max_retries,
            )
        return self._client

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        import openai

        where = self.base_url or "the OpenAI API"
        try:
            response = self._get_client().embeddings.create(model=self.model, input=texts)
        except openai.APIStatusError as exc:
            raise AssistantError(
                f"embeddings endpoint {where} refused model {self.model!r}: "
                f"HTTP {exc.status_code} {exc.message}"
            ) from None
        except openai.APIError as exc:
            raise AssistantError(f"embeddings endpoint {where} failed: {exc}") from None
        data = sorted(response.data, key=lambda d: d.index)
        if len(data) != len(texts):
            raise AssistantError(
                f"embeddings endpoint {where} returned {len(data)} vectors for {len(texts)} texts"
            )
        vectors = np.array([d.embedding for d in data], dtype=np.float32)
        # Some servers (Ollama) return unnormalised vectors; the index compares by cosine.
        vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
        return vectors.tolist()


def make_embedder(settings: Settings, local: MiniLM | None = None) -> BaseEmbedding:
    """The embedding model the settings name: the bundled one for ``local`` (``local`` if
    given, so a process loads the weights once), else the endpoint."""
    name = settings.embed_model.strip()
    if is_local(settings):
        return LocalMiniLMEmbedding(local)
    if settings.embed_base_url is None and settings.embed_api_key is None:
        raise AssistantError(
            f"embed_model is {name!r} but neither ASSISTANT_EMBED_BASE_URL nor "
            "ASSISTANT_EMBED_API_KEY is set; set one, or use embed_model=local (offline)"
        )
    key = settings.embed_api_key.get_secret_value() if settings.embed_api_key else None
    return OpenAICompatibleEmbedding(
        model=name, base_url=settings.embed_base_url, api_key=key, timeout=settings.llm_timeout
    )
