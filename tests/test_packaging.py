"""The installed package carries everything it reads at run time, prompts included.

The prompt templates live in the top-level ``prompts/`` folder (where researchers edit them)
and pyproject.toml installs them as ``assistant/prompts/``; a wheel built from the repository
must answer without a checkout beside it.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from assistant import paths
from assistant.answer.prompts import refusal_phrase

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = {"system.md", "answer.md", "refusal.txt"}


def test_prompts_are_the_installed_package() -> None:
    assert importlib.util.find_spec(paths.PROMPTS_PACKAGE) is not None, (
        "assistant.prompts is not installed; reinstall: pip install -e ."
    )
    names = {p.name for p in importlib.resources.files(paths.PROMPTS_PACKAGE).iterdir()}
    assert TEMPLATES <= names
    assert paths.prompts_dir() == REPO / "prompts"  # editable: the top-level folder itself


def test_prompts_dir_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "refusal.txt").write_text("Nothing in these interviews.\n", encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_PROMPTS_DIR", str(tmp_path))
    assert paths.prompts_dir() == tmp_path
    assert refusal_phrase() == "Nothing in these interviews."


def test_every_package_folder_is_listed_in_pyproject() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    listed = set(config["setuptools"]["packages"])
    folders = {
        ".".join(d.relative_to(REPO).parts)
        for d in [REPO / "assistant", *(REPO / "assistant").rglob("*")]
        if d.is_dir() and d.name != "__pycache__"
    }
    assert listed == folders | {"assistant.prompts"}
    assert config["setuptools"]["package-dir"]["assistant.prompts"] == "prompts"


def test_built_wheel_carries_the_prompts_and_answers_without_a_checkout(tmp_path: Path) -> None:
    # Build from a copy so the test leaves nothing in the checkout (build/, *.egg-info).
    source = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("assistant", "prompts"):
        shutil.copytree(REPO / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
        + ["--no-index", "-w", str(wheels), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    assert {f"assistant/prompts/{t}" for t in TEMPLATES} <= names
    assert "assistant/data/minilm-tokenizer.json" in names

    # The unpacked wheel first on the path, run from elsewhere: no checkout to fall back on.
    env = {k: v for k, v in os.environ.items() if k != "ASSISTANT_PROMPTS_DIR"}
    env["PYTHONPATH"] = str(tmp_path / "site")
    script = (
        "import assistant, assistant.paths as p\n"
        "from assistant.answer.prompts import refusal_phrase, render_prompt\n"
        "print(assistant.__file__)\n"
        "print(p.prompts_dir())\n"
        "print(refusal_phrase())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    module, prompts, refusal = result.stdout.splitlines()
    assert module == str(tmp_path / "site" / "assistant" / "__init__.py")
    assert prompts == str(tmp_path / "site" / "assistant" / "prompts")
    expected = " ".join((REPO / "prompts" / "refusal.txt").read_text(encoding="utf-8").split())
    assert refusal == expected
