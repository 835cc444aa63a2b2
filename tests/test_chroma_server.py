"""ASSISTANT_CHROMA_URL: build and search against a real Chroma server on loopback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from index_helpers import FakeCodebook, embedded_count, embedder, small_corpus

from assistant.index import Indexer, open_index
from assistant.model import Filters
from assistant.retrieve import Retriever
from assistant.settings import load_settings


def _chroma_cli() -> str | None:
    beside = Path(sys.executable).parent / "chroma"
    return str(beside) if beside.exists() else shutil.which("chroma")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path):
    cli = _chroma_cli()
    if cli is None:
        pytest.skip("the `chroma` command (installed with chromadb) is not available")
    port = _free_port()
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen(
        [
            cli,
            "run",
            "--path",
            str(tmp_path / "server-db"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the Chroma server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_build_and_search_on_a_server(
    chroma_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", chroma_server)
    settings = load_settings()
    assert settings.chroma_url == chroma_server
    c = small_corpus()
    report = Indexer(settings, embedder()).build(c)
    assert report.added == ["1", "2", "3"] and report.turns_embedded == embedded_count(c)
    # Nothing was written to the local index folder but the build lock.
    assert not (Path(settings.index_dir) / "chroma").exists()
    reader = open_index(settings, embedder())
    assert len(reader.all_turns()) == 12
    retriever = Retriever(
        reader, embedder(), FakeCodebook(t for i in c.interviews for t in i.turns)
    )
    found = retriever.search("pipeline broke when the upstream API changed", k=3)
    assert found[0].key == "1:2" and "dense #" in found[0].why
    coded = retriever.search("anything", k=10, filters=Filters(codes=("MLP",)))
    assert {e.key for e in coded} == {"1:2", "2:4"}
    again = Indexer(settings, embedder()).build(c)
    assert again.turns_embedded == 0 and not reader.is_outdated()
