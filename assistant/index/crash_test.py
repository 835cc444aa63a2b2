"""Where a build can be made to die on purpose, to test that it may die anywhere.

``ASSISTANT_TEST_KILL_AT=point:n`` makes the build kill its own process with SIGKILL the n-th
time it reaches ``point`` (``journal``, ``nodes``, ``switch``, ``side``, ``cleaned``,
``removing``: the steps of :mod:`assistant.index.build`). Unset, each call is one dictionary
lookup. Used by tests/test_index_journal.py only.
"""

from __future__ import annotations

import os
import signal

def hook(point: str) -> None:
    """SIGKILL this process if ``ASSISTANT_TEST_KILL_AT`` names ``point`` and its count."""
    wanted = os.environ.get("ASSISTANT_TEST_KILL_AT")
    if not wanted:
        return
    name, _, count = wanted.partition(":")
    if name != point:
        return
    seen = _COUNTS[point] = _COUNTS.get(point, 0) + 1
    if seen >= int(count or 1):
        os.kill(os.getpid(), signal.SIGKILL)


_COUNTS: dict[str, int] = {}
