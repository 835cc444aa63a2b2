"""The README is what a new user reads first: it must not drift from the code."""

from __future__ import annotations

import re

from assistant.cli import build_parser
from assistant.settings import Settings
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def settings_rows() -> list[str]:
    """The README's settings table, row by row, as the Settings class defines it."""
    rows = []
    for name, field in Settings.model_fields.items():
        if field.default_factory is not None:
            default = "XDG data dir (`~/.local/share/assistant`)"
        elif field.default is None:
            default = "unset"
        else:
            default = f"`{field.default}`"
        rows.append(f"| `ASSISTANT_{name.upper()}` | {default} | {field.description} |")
    return rows


def test_every_setting_is_documented_with_its_default() -> None:
    # Regenerate after changing Settings: python -c "from tests.test_readme import settings_rows;
    # print('\n'.join(settings_rows()))", and paste the rows into the README's table.
    for row in settings_rows():
        assert row in README, row


def test_every_command_is_documented() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    commands = set(subparsers.choices)  # type: ignore[arg-type]
    assert {
        "chat",
        "index",
        "search",
        "ask",
        "notes",
        "quotes",
        "corpus",
        "codes",
        "eval",
    } <= commands
    for command in commands:
        assert re.search(rf"`assistant {command}\b", README), command


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in README and "make run" in README
    assert re.search(r"^exec make test$", ci, re.M)
