"""The turn index: one node per turn in Chroma (through llama-index), built incrementally.

- :class:`Indexer` (``build.py``) brings the index up to date with a corpus, re-embedding only
  new or changed interviews, and switches readers to the result atomically.
- :func:`open_index` / :class:`IndexReader` (``reader.py``) read the current generation.
- ``nodes.py`` maps turns to nodes and back; ``store.py`` holds the Chroma layout, the manifest
  and the build lock; ``scope.py`` the filters shared by dense and BM25 search.
"""

from assistant.index.build import Indexer, IndexReport
from assistant.index.reader import IndexReader, open_index
from assistant.index.scope import Scope

__all__ = ["IndexReader", "IndexReport", "Indexer", "Scope", "open_index"]
