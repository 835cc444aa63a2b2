"""The CLI edge: errors become one line and an exit code, never a traceback."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from assistant import cli
from assistant.errors import AssistantError, ConfigError


def _parser_with(func: object) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant")
    sub = parser.add_subparsers(dest="command")
    boom = sub.add_parser("boom")
    boom.set_defaults(func=func)
    return parser


@pytest.mark.parametrize(
    ("error", "code"),
    [(AssistantError("the corpus folder corpus/ is empty"), 1), (ConfigError("bad top_k"), 2)],
)
def test_assistant_errors_are_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: Exception, code: int
) -> None:
    def raise_it(args: argparse.Namespace) -> int:
        raise error

    monkeypatch.setattr(cli, "build_parser", lambda: _parser_with(raise_it))
    assert cli.main(["boom"]) == code
    err = capsys.readouterr().err
    assert err == f"assistant: {error}\n"


def test_unexpected_errors_never_show_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def crash(args: argparse.Namespace) -> int:
        raise RuntimeError("kaput")

    monkeypatch.setattr(cli, "build_parser", lambda: _parser_with(crash))
    assert cli.main(["boom"]) == 70
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "RuntimeError: kaput" in err and "ASSISTANT_DEBUG" in err


def test_help_lists_every_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "--help"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0
    for command in ("chat", "corpus", "codes", "index", "search", "ask", "notes", "quotes", "eval"):
        assert f"    {command}" in result.stdout, command
    assert "verbatim quotes" in result.stdout


def test_a_command_module_that_fails_to_import_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_import = cli.importlib.import_module

    def broken_import(name: str, package: str | None = None) -> object:
        if name == "assistant.cli.notes":
            raise ImportError("cannot import name 'Notebook' from 'assistant.notes'")
        return real_import(name, package)

    monkeypatch.setattr(cli.importlib, "import_module", broken_import)
    assert cli.main(["corpus"]) == 70
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count("\n") == 1
    assert "ImportError: cannot import name 'Notebook'" in err


def test_help_and_usage_errors_still_exit_through_argparse(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as help_exit:
        cli.main(["--help"])
    assert help_exit.value.code == 0
    assert "verbatim quotes" in capsys.readouterr().out
    with pytest.raises(SystemExit) as usage_exit:
        cli.main(["no-such-command"])
    assert usage_exit.value.code == 2
    assert "invalid choice: 'no-such-command'" in capsys.readouterr().err
