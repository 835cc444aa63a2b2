"""Codings of the same interviews by two coders, paired for comparison (``assistant agree``).

Per-coder print-outs (:mod:`assistant.codings`) and the users of one REFI-QDA project
(:mod:`assistant.coders`) both end as these pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.model import Interview


@dataclass(frozen=True)
class Coding:
    """One coder's coding of one interview."""

    interview: Interview
    coder: str

    @property
    def source(self) -> str:
        return self.interview.source

    @property
    def coded(self) -> bool:
        return self.interview.code_applications > 0


@dataclass(frozen=True)
class Unpaired:
    """A file, or a pair of files, left out of the comparison, and why."""

    what: str
    reason: str

    def __str__(self) -> str:
        return f"{self.what}: {self.reason}"


@dataclass(frozen=True)
class Pairing:
    pairs: tuple[tuple[Coding, Coding], ...]
    unpaired: tuple[Unpaired, ...]
