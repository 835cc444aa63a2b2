"""A research assistant for questioning coded interview transcripts with verbatim, cited quotes.

The package is a pipeline, one module per step:
``ingest`` (read transcripts) → ``codebook`` → ``index`` (embed and store turns) →
``retrieve`` (hybrid search) → ``answer`` (grounded, verified answers) → ``notes``.
``service.Assistant`` ties them together; ``cli`` and ``tui`` are thin front ends over it.
"""

__version__ = "0.1.0"
