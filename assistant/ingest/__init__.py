"""Reading transcripts: Delve text exports, Delve PDF print-outs, plain, Word and caption
transcripts, and REFI-QDA projects (several interviews) and code books (code definitions).

``load_corpus(paths)`` reads files and folders into a Corpus, reporting every bad file;
``read_file(path)`` reads one file or raises CorpusError. The format is chosen by content.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.ingest.loader import load_corpus, read_file

__all__ = ["load_corpus", "read_file"]


def __getattr__(name: str) -> Any:
    # Loaded on first use: the index and search import ``ingest.speakers`` for speaker names
    # and must not pay for the PDF reader (pdfplumber) they never use.
    if name in __all__:
        from assistant.ingest import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
