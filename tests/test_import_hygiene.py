"""The core must never depend on the terminal UI: both front ends sit on top of it."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import assistant

CORE_MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(assistant.__path__, prefix="assistant.")
    if not m.name.startswith("assistant.tui") and m.name != "assistant.__main__"
)


def _python(
    code: str, env: dict[str, str] | None = None, timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter: what it imports is what a new process would."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=timeout
    )


def test_core_modules_are_found() -> None:
    # If discovery broke, the hygiene check below would pass vacuously.
    for expected in ("assistant.model", "assistant.service", "assistant.settings"):
        assert expected in CORE_MODULES


def test_importing_the_core_does_not_import_textual() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(leaked))\n"
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "", f"core imported textual: {result.stdout.strip()}"


def test_cli_entry_point_does_not_load_heavy_libraries_for_help() -> None:
    """`assistant --help` must be instant, and the chat's first frame comes after the parser:
    no chromadb, llama-index, onnxruntime, openai, numpy or settings (0.3 s of them)."""
    code = (
        "import sys\n"
        "from assistant.cli import build_parser\n"
        "build_parser()\n"
        "heavy = [m for m in ('chromadb', 'llama_index', 'onnxruntime', 'textual', 'openai', "
        "'numpy', 'pydantic_settings') "
        "if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = _python(code, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == ""


def test_asking_with_the_bundled_model_does_not_import_llama_index(tmp_path: Path) -> None:
    """Importing llama-index takes 0.7-0.9 s: the chat's start, a search and an answer embed
    the question with the bundled model itself. The build (llama-index's embedding
    interface and nodes) is the only place that needs it. scipy (0.3-0.6 s, via bm25s's
    package) is not needed at all: only bm25s's stop-word lists are read."""
    shipped = Path(__file__).resolve().parents[1] / "corpus"
    env = dict(
        os.environ,
        ASSISTANT_INDEX_DIR=str(tmp_path / "index"),
        ASSISTANT_NOTES_FILE=str(tmp_path / "notes.md"),
        ASSISTANT_CORPUS_DIR=str(shipped),
        ASSISTANT_EMBED_MODEL="local",
        ASSISTANT_LLM_MODEL="",
    )
    build = "from assistant.cli import main; raise SystemExit(main(['index']))"
    built = _python(build, env, timeout=600)
    assert built.returncode == 0, built.stderr[-2000:]
    code = (
        "import sys\n"
        "from assistant.service import make_assistant\n"
        "service = make_assistant()\n"
        "service.load_embedder()\n"
        "service.warm_up()\n"
        "answer = service.ask('why did projects run late?')\n"
        "assert answer.citations, answer.text\n"
        "heavy = ('llama_index', 'scipy', 'bm25s')\n"
        "print(','.join(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    result = _python(code, env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "", f"asking imported {result.stdout.strip()[:200]}"


def test_chroma_loads_without_its_development_override_checks(tmp_path: Path) -> None:
    """store.make_client turns off the ``overrides`` package's load-time signature checks
    (0.3-0.45 s of every command that opens the index) and keeps the marker they set: Chroma
    still opens, writes and answers."""
    code = (
        "import sys\n"
        "from assistant.index import store\n"
        "from assistant.settings import load_settings\n"
        f"client = store.make_client(load_settings(index_dir={str(tmp_path / 'index')!r}))\n"
        "nodes = client.create_collection('probe', embedding_function=None)\n"
        "nodes.add(ids=['a', 'b'], embeddings=[[1.0, 0.0], [0.0, 1.0]])\n"
        "hit = nodes.query(query_embeddings=[[0.9, 0.1]], n_results=1)['ids'][0]\n"
        "from chromadb.api.rust import RustBindingsAPI\n"
        "checks = sys.modules['overrides.overrides']\n"
        "print(checks._overrides.__module__, RustBindingsAPI.heartbeat.__override__, hit)\n"
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["assistant.index.store", "True", "['a']"]
