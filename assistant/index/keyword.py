"""BM25 over the side store's postings: the keyword half of hybrid search, kept on disk.

The scores are those of bm25s with its defaults (Lucene's variant: k1 1.5, b 0.75, idf
``ln(1 + (N - df + 0.5) / (df + 0.5))``), which the in-memory index of format 2 used, so the
ranking is unchanged; only where the numbers come from differs. Term frequencies and unit
lengths are stored per interview (``postings``), N and the total length are kept up to date in
the same transactions, so an update costs the postings of the interview it touches and a
search reads the postings of its terms only (one row per term and interview), never the whole
index.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from assistant.index.scope import Scope
from assistant.index.side import SideStore

K1 = 1.5
B = 0.75


def _scope_sql(scope: Scope) -> tuple[str, list[str]]:
    """Conditions on the unit ``u`` for ``scope`` (units' role and speaker are their turns'
    when all share one, as the dense side's metadata has them)."""
    parts: list[str] = []
    args: list[str] = []
    for column, values in (
        ("u.interview", scope.interviews),
        ("u.role", scope.roles),
        ("u.speaker", scope.speakers),
    ):
        if values:
            parts.append(f"{column} IN ({','.join('?' * len(values))})")
            args.extend(sorted(values))
    if scope.codes:
        parts.append(
            "u.pos IN (SELECT pos FROM unit_codes WHERE code IN "
            f"({','.join('?' * len(scope.codes))}))"
        )
        args.extend(sorted(scope.codes))
    return " AND ".join(parts), args


def search(side: SideStore, terms: list[str], depth: int, scope: Scope) -> list[tuple[int, float]]:
    """The ``depth`` best units (position, score > 0) for the query ``terms`` within ``scope``.

    A term the query repeats counts as often as it is repeated, as in bm25s."""
    n, total = side.stats()
    if not terms or n == 0:
        return []
    average = total / n
    condition, args = _scope_sql(scope)
    allowed = None
    if condition:
        allowed = np.asarray(
            [p for (p,) in side.rows(f"SELECT u.pos FROM units u WHERE {condition}", args)],
            dtype=np.int32,
        )
        if not len(allowed):
            return []
    positions: list[np.ndarray] = []
    contributions: list[np.ndarray] = []
    for term, repeat in Counter(terms).items():
        blobs = side.rows("SELECT data FROM postings WHERE term = ?", (term,))
        if not blobs:
            continue
        # Each row holds one interview's (position, tf, unit length) triples for the term.
        got = np.concatenate([np.frombuffer(b, dtype=np.int32).reshape(-1, 3) for (b,) in blobs])
        df = len(got)  # idf is over the whole index, as bm25s has it, whatever the scope
        idf = np.float32(math.log(1 + (n - df + 0.5) / (df + 0.5)))
        if allowed is not None:
            got = got[np.isin(got[:, 0], allowed)]
            if not len(got):
                continue
        tf = got[:, 1].astype(np.float32)
        norm = (K1 * ((1 - B) + B * got[:, 2].astype(np.float64) / average)).astype(np.float32)
        contribution = idf * (tf / (norm + tf))
        for _ in range(repeat):
            positions.append(got[:, 0].astype(np.int64))
            contributions.append(contribution)
    if not positions:
        return []
    # Summed per unit in float32 and in the query's term order, as bm25s sums its columns.
    found, where = np.unique(np.concatenate(positions), return_inverse=True)
    scores = np.zeros(len(found), dtype=np.float32)
    np.add.at(scores, where, np.concatenate(contributions))
    order = np.lexsort((found, -scores))[:depth]
    return [(int(found[i]), float(scores[i])) for i in order if scores[i] > 0]
