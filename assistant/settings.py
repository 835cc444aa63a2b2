"""All configuration in one class.

Values come, strongest first, from: arguments passed in code, ``ASSISTANT_*`` environment
variables, the optional TOML file (see :func:`assistant.paths.config_file`), then the defaults
below. Relative paths are taken from the working directory, like the CLI's arguments.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from assistant import paths
from assistant.errors import AssistantError, ConfigError
from assistant.ingest.limits import DEFAULT_LIMITS, Limits

#: The most turns one question may retrieve, for the ``top_k`` setting and ``-k`` alike: more
#: would send megabytes to an LLM in one request, or take minutes offline.
MAX_TOP_K = 100


def check_k(k: int | None, default: int) -> int:
    """``k`` (turns to retrieve), or ``default`` when it is None; AssistantError when out of
    bounds, so a huge ``-k`` is one line rather than minutes of work or an overflow."""
    if k is None:
        return default
    if not 1 <= k <= MAX_TOP_K:
        raise AssistantError(
            f"-k must be between 1 and {MAX_TOP_K} (turns retrieved; ASSISTANT_TOP_K has the "
            "same bound)"
        )
    return k


class Settings(BaseSettings):
    """Every setting of the assistant; each is also ``ASSISTANT_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="forbid")

    corpus_dir: Path = Field(
        default=Path("corpus"),
        description=(
            "Folder of transcripts (Delve text exports and PDFs, plain, Word and caption "
            "transcripts, REFI-QDA projects and code books)."
        ),
    )
    index_dir: Path = Field(
        default=Path("index"),
        description="Folder where the built search index lives (generated; safe to delete).",
    )
    data_dir: Path = Field(
        default_factory=paths.data_dir,
        description="Per-user state such as chat history (default: the XDG data folder).",
    )
    notes_file: Path = Field(
        default=Path("notes.md"),
        description="Markdown file that saved quotes are appended to.",
    )
    guide_file: Path | None = Field(
        default=None,
        description=(
            "The study's interview guide (PDF with [Q1] tags, JSON, or one question a line); "
            "questions close to a guide question find every interview's answer to it."
        ),
    )
    chroma_url: str | None = Field(
        default=None,
        description="URL of a Chroma server (http://host:port); unset keeps the index on disk.",
    )

    embed_model: str = Field(
        default="local",
        description=(
            "'local' for the bundled all-MiniLM-L6-v2 int8 ONNX model (offline), or the name of "
            "a model served by the OpenAI-compatible endpoint at ASSISTANT_EMBED_BASE_URL."
        ),
    )
    embed_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible embeddings endpoint; used when embed_model is not local.",
    )
    embed_api_key: SecretStr | None = Field(
        default=None, description="API key for the embeddings endpoint (never written anywhere)."
    )

    llm_base_url: str | None = Field(
        default=None,
        description=(
            "OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM, llama.cpp server), used "
            "only when llm_model is set; otherwise answers are extractive and fully offline."
        ),
    )
    llm_model: str | None = Field(
        default=None, description="Model name at the endpoint (required to use an LLM)."
    )
    llm_api_key: SecretStr | None = Field(
        default=None,
        validate_default=True,
        description="Endpoint API key; falls back to OPENAI_API_KEY. Never written anywhere.",
    )
    llm_timeout: float = Field(
        default=60.0, gt=0, description="Seconds before an LLM request is abandoned."
    )
    llm_max_retries: int = Field(
        default=2, ge=0, le=10, description="Retries on 429/5xx/connection errors, with backoff."
    )
    llm_temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature.")
    llm_max_reply_chars: int = Field(
        default=50_000,
        ge=1_000,
        description=(
            "Longest LLM reply read, in characters; a longer one is abandoned (with the "
            "extractive answer instead) rather than printed without end."
        ),
    )

    max_file_mb: float = Field(
        default=DEFAULT_LIMITS.max_file_mb,
        gt=0,
        description="Largest transcript or PDF read, in MB; a larger file is refused by name.",
    )
    max_pages: int = Field(
        default=DEFAULT_LIMITS.max_pages, ge=1, description="Most pages read from one PDF."
    )
    max_chars: int = Field(
        default=DEFAULT_LIMITS.max_chars,
        ge=1,
        description="Most characters read from one file (counted as a PDF is drawn).",
    )
    max_turns: int = Field(
        default=DEFAULT_LIMITS.max_turns, ge=1, description="Most turns read from one interview."
    )
    watch_interval: float = Field(
        default=2.0,
        ge=0,
        description=(
            "Seconds between two looks at the corpus folder by the chat and `assistant index "
            "--watch`; a new or edited file is indexed once it has stayed the same for one "
            "interval (a file still being copied is not read half-written). 0 turns the "
            "chat's watching off."
        ),
    )
    top_k: int = Field(
        default=8,
        ge=1,
        le=MAX_TOP_K,
        description="Units (utterances or exchanges) retrieved per question, each with its turns.",
    )
    fusion: Literal["hybrid", "rrf", "dense", "bm25"] = Field(
        default="hybrid",
        description=(
            "Retrieval mode: 'hybrid' fuses dense and BM25 scores and the codes matched to the "
            "question (measured best), 'rrf' fuses "
            "their ranks, 'dense' or 'bm25' use one side."
        ),
    )

    @field_validator("llm_api_key", mode="before")
    @classmethod
    def _fallback_openai_key(cls, value: object) -> object:
        if value in (None, ""):
            return os.environ.get("OPENAI_API_KEY") or None
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml_path = paths.config_file()
        if toml_path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        return tuple(sources)

    @property
    def limits(self) -> Limits:
        return Limits(self.max_file_mb, self.max_pages, self.max_chars, self.max_turns)

    @property
    def llm_enabled(self) -> bool:
        """An LLM is used only when a model is named explicitly.

        An OPENAI_API_KEY alone in the environment never sends transcripts anywhere: interview
        data is sensitive, so using an endpoint is an explicit choice (ASSISTANT_LLM_MODEL).
        """
        return bool(self.llm_model) and (
            self.llm_base_url is not None or self.llm_api_key is not None
        )


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning validation and TOML errors into a readable ConfigError."""
    toml_path = paths.config_file()
    if toml_path is not None and toml_path.is_dir():
        raise ConfigError(f"{toml_path}: is a folder, not a configuration file")
    if toml_path is not None and not toml_path.is_file():
        raise ConfigError(f"{toml_path}: configuration file not found (ASSISTANT_CONFIG)")
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid settings ({problems})") from None
    except (ValueError, OSError) as exc:  # a malformed TOML file
        raise ConfigError(f"{toml_path}: cannot read configuration ({exc})") from None
