"""Switch off every phone-home the libraries we load would otherwise do.

Researchers run the assistant under ethics approvals that forbid interview material, and often
any data about their machine, from leaving it. Several dependencies send usage data or fetch
files by default, mostly from native code that no Python-level guard can see, and they read
their switches from the environment once, when they are first imported or loaded. So the
switches are set here, when the ``assistant`` package is imported, before any of them is.

They are forced rather than defaulted: a stray ``ORT_DISABLE_TELEMETRY=0`` in a shell profile
must not undo the promise. tests/test_offline.py runs real commands with an empty home folder
and checks that nothing is written outside the configured folders.
"""

from __future__ import annotations

import os

#: Each switch with the library that reads it and what it stops.
SWITCHES: dict[str, tuple[str, str]] = {
    # onnxruntime >= 1.2x on Linux (1DS): a device id and an event queue under
    # ~/.cache/Microsoft/DeveloperTools, uploaded to mobile.events.data.microsoft.com.
    "ORT_DISABLE_TELEMETRY": ("1", "onnxruntime usage events and device id"),
    # chromadb's product telemetry (posthog); the client settings turn it off a second time.
    "ANONYMIZED_TELEMETRY": ("False", "chromadb usage events"),
    # huggingface_hub (installed with chromadb and tokenizers): no hub look-ups, no telemetry.
    "HF_HUB_OFFLINE": ("1", "Hugging Face hub downloads"),
    "HF_HUB_DISABLE_TELEMETRY": ("1", "Hugging Face hub telemetry"),
    "TRANSFORMERS_OFFLINE": ("1", "transformers downloads, should anything import it"),
    # The cross-tool convention (consoledonottrack.com) that several libraries honour.
    "DO_NOT_TRACK": ("1", "any library that honours DO_NOT_TRACK"),
}


def switch_off_telemetry() -> None:
    """Set every switch in SWITCHES in this process's environment (inherited by children)."""
    for name, (value, _what) in SWITCHES.items():
        os.environ[name] = value
