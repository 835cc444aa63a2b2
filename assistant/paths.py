"""Where the assistant reads and writes, computed in one place.

Every location can be overridden by a setting or an environment variable so that tests (and
researchers with several projects) point the whole app at another folder.
"""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path

APP_NAME = "assistant"

#: The package folder; ``prompts/`` and ``corpus/`` sit beside it in a source checkout.
PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


def data_dir() -> Path:
    """Chat history and other per-user state: ``ASSISTANT_DATA_DIR``, else the XDG data dir."""
    explicit = os.environ.get("ASSISTANT_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / APP_NAME


def config_file() -> Path | None:
    """The optional TOML configuration file.

    ``ASSISTANT_CONFIG`` names it explicitly; otherwise ``./assistant.toml`` is used when it
    exists, then ``$XDG_CONFIG_HOME/assistant/config.toml``.
    """
    explicit = os.environ.get("ASSISTANT_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    # exists(), not is_file(): a folder by that name is reported, not silently passed over.
    local = Path.cwd() / "assistant.toml"
    if local.exists():
        return local
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    user = base / APP_NAME / "config.toml"
    return user if user.exists() else None


#: The prompt templates are installed as this package (pyproject.toml maps it to the
#: top-level ``prompts/`` folder of the repository, where researchers edit them).
PROMPTS_PACKAGE = "assistant.prompts"


def prompts_dir() -> Path:
    """Prompt templates: ``ASSISTANT_PROMPTS_DIR``, else the installed ``assistant.prompts``.

    In a wheel that is ``assistant/prompts/`` in site-packages; in an editable install the
    import system maps it to the checkout's ``prompts/``. A checkout used without installing
    (``PYTHONPATH=.``) has no such mapping and reads its ``prompts/`` directly.
    """
    explicit = os.environ.get("ASSISTANT_PROMPTS_DIR")
    if explicit:
        return Path(explicit).expanduser()
    try:
        folder = importlib.resources.files(PROMPTS_PACKAGE)
    except ModuleNotFoundError:
        return PROJECT_DIR / "prompts"
    # Installed packages are folders on disk (templates are read with Path, and edited there).
    return Path(str(folder))
