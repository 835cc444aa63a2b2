"""The core must never depend on the terminal UI: both front ends sit on top of it."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import assistant

CORE_MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(assistant.__path__, prefix="assistant.")
    if not m.name.startswith("assistant.tui") and m.name != "assistant.__main__"
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
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert result.stdout.strip() == "", f"core imported textual: {result.stdout.strip()}"


def test_cli_entry_point_does_not_load_heavy_libraries_for_help() -> None:
    """`assistant --help` must be instant: no chromadb, llama-index or onnxruntime."""
    code = (
        "import sys\n"
        "from assistant.cli import build_parser\n"
        "build_parser()\n"
        "heavy = [m for m in ('chromadb', 'llama_index', 'onnxruntime', 'textual') "
        "if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == ""
