"""Prompt templates, kept as files in ``prompts/`` so a researcher can read and adjust them.

Templates use ``$name`` placeholders (:class:`string.Template`): transcript text is full of
braces and percent signs that ``str.format`` would trip over, and ``$`` placeholders are only
substituted in the template, never inside the values put into it.
"""

from __future__ import annotations

from pathlib import Path
from string import Template

from assistant import paths
from assistant.errors import AssistantError

SYSTEM = "system.md"
ANSWER = "answer.md"
REFUSAL = "refusal.txt"


def prompt_path(name: str) -> Path:
    return paths.prompts_dir() / name


def load_prompt(name: str) -> str:
    """The text of template ``name``; a missing or unreadable file is a clear AssistantError."""
    path = prompt_path(name)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AssistantError(
            f"{path}: prompt template not found (restore it, or point ASSISTANT_PROMPTS_DIR "
            "at a folder holding system.md, answer.md and refusal.txt)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AssistantError(f"{path}: cannot read prompt template ({exc})") from None


def render_prompt(name: str, **values: object) -> str:
    """Fill template ``name``; a placeholder with no value names the file and the placeholder."""
    text = load_prompt(name)
    try:
        return Template(text).substitute({k: str(v) for k, v in values.items()})
    except KeyError as exc:
        raise AssistantError(
            f"{prompt_path(name)}: unknown placeholder ${exc.args[0]} "
            f"(available: {', '.join('$' + k for k in sorted(values))})"
        ) from None
    except ValueError as exc:
        raise AssistantError(f"{prompt_path(name)}: malformed placeholder ({exc})") from None


def refusal_phrase() -> str:
    """The one sentence both answerers use when the evidence does not answer the question."""
    phrase = " ".join(load_prompt(REFUSAL).split())
    if not phrase:
        raise AssistantError(f"{prompt_path(REFUSAL)}: the refusal phrase is empty")
    return phrase
