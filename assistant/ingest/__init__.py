"""Reading transcripts: Delve text exports, Delve PDF print-outs and plain transcripts.

``load_corpus(paths)`` reads files and folders into a Corpus, reporting every bad file;
``read_file(path)`` reads one file or raises CorpusError. The format is chosen by content.
"""

from assistant.ingest.loader import load_corpus, read_file

__all__ = ["load_corpus", "read_file"]
