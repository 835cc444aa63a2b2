"""The index: every turn, utterance and exchange as a node in Chroma, updated in place.

- :class:`Indexer` (``build.py``) brings the index up to date with a corpus, one interview at a
  time, writing and embedding only what changed; its docstring describes the journal that keeps
  every interview whole through a crash.
- :func:`open_index` / :class:`IndexReader` (``reader.py``) read it lazily, by key.
- ``manifest.py`` says which version of each interview is live; ``side.py`` keeps turns, units
  and the keyword index in SQLite (``keyword.py`` searches it, ``sync.py`` refills it from
  Chroma); ``nodes.py`` maps turns to nodes and back; ``store.py`` holds the Chroma client and
  the build lock; ``scope.py`` the filters shared by dense and keyword search.
"""

from assistant.index.build import Indexer, IndexReport
from assistant.index.reader import IndexReader, open_index
from assistant.index.scope import Scope

__all__ = ["IndexReader", "IndexReport", "Indexer", "Scope", "open_index"]
