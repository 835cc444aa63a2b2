"""The prompt templates (``*.md``, ``*.txt``), installed as the package ``assistant.prompts``.

This file only makes the folder a regular package, so both a wheel and an editable install
find it through ``importlib.resources`` (pyproject.toml maps ``assistant.prompts`` here).
"""
