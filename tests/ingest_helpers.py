"""Corpora read once per test session: the study's PDFs take seconds to parse."""

from __future__ import annotations

import functools
from pathlib import Path

from assistant.ingest import load_corpus
from assistant.model import Corpus


@functools.cache
def moderated_pdfs(shared: Path) -> Corpus:
    return load_corpus([shared / "delve-pdf" / "moderation"])


@functools.cache
def plain_transcripts(shared: Path) -> Corpus:
    return load_corpus([shared / "transcripts"])
