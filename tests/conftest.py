"""Fixtures every test gets: an isolated set of folders and no network beyond loopback."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

# The fake OpenAI-compatible endpoint (tests/fake_llm.py) and its `fake_llm` fixture.
pytest_plugins = ["fake_llm"]

REPO = Path(__file__).resolve().parents[1]
SHIPPED_CORPUS = REPO / "corpus"
SHIPPED_FILE = SHIPPED_CORPUS / "Interview 12 - Amin.txt"
#: The study's full corpus, beside the checkout; read-only, and absent on some machines.
SHARED_CORPUS = Path(os.environ.get("ASSISTANT_SHARED_CORPUS", REPO.parent / "shared" / "corpus"))

# Chroma and llama-index must never phone home; set before either is imported.
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["HF_HUB_OFFLINE"] = "1"


@pytest.fixture(autouse=True)
def isolated_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every folder the app writes to at a temp dir, and forget the user's settings."""
    for name in list(os.environ):
        if name.startswith("ASSISTANT_") and name != "ASSISTANT_SHARED_CORPUS":
            monkeypatch.delenv(name)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("ASSISTANT_NOTES_FILE", str(tmp_path / "notes.md"))
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(SHIPPED_CORPUS))
    # The chat's corpus watcher is a worker that runs until the app quits, so it would hold
    # every `app.workers.wait_for_complete()`; tests of watching turn it on themselves.
    monkeypatch.setenv("ASSISTANT_WATCH_INTERVAL", "0")
    return tmp_path


def _is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
    elif isinstance(address, str | bytes):
        return True  # AF_UNIX socket path
    else:
        return False
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that tries to reach beyond loopback: the app must work offline."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: object) -> object:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)  # type: ignore[arg-type]

    def guarded_connect_ex(self: socket.socket, address: object) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect_ex(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)


@pytest.fixture
def shared_corpus() -> Path:
    """The study's full corpus; the test is skipped, with the reason, where it is absent."""
    if not (SHARED_CORPUS / "transcripts").is_dir():
        pytest.skip(
            f"the shared study corpus is not at {SHARED_CORPUS} (set ASSISTANT_SHARED_CORPUS)"
        )
    return SHARED_CORPUS


@pytest.fixture
def shipped_file() -> Path:
    return SHIPPED_FILE


# -- a real Chroma server on loopback (ASSISTANT_CHROMA_URL tests) ------------------------


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
