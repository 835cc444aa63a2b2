"""A research assistant for questioning coded interview transcripts with verbatim, cited quotes.

The package is a pipeline, one module per step:
``ingest`` (read transcripts) → ``codebook`` → ``index`` (embed and store turns) →
``retrieve`` (hybrid search) → ``answer`` (grounded, verified answers) → ``notes``.
``service.Assistant`` ties them together; ``cli`` and ``tui`` are thin front ends over it
(``contract.AssistantService`` declares what the chat calls). ARCHITECTURE.md says which module
a change belongs in.
"""

from assistant.offline import switch_off_telemetry

__version__ = "0.1.0"

# Before any submodule can import onnxruntime, chromadb or huggingface_hub: they read their
# telemetry switches once, when loaded.
switch_off_telemetry()
