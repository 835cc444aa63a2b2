"""Prompt templates are files; a missing or broken one is a clear error naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from answer_samples import QUESTION, five
from fake_llm import MODEL, FakeLLM

from assistant import paths
from assistant.answer import LLMAnswerer
from assistant.answer.prompts import ANSWER, REFUSAL, SYSTEM, load_prompt, refusal_phrase
from assistant.errors import AssistantError, LLMError
from assistant.settings import load_settings


def test_shipped_templates_load_and_hold_their_placeholders() -> None:
    assert refusal_phrase() == "The interviews retrieved do not answer this question."
    assert "$refusal" in load_prompt(SYSTEM)
    for placeholder in ("$question", "$evidence", "$count", "$refusal"):
        assert placeholder in load_prompt(ANSWER)


def test_missing_template_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_PROMPTS_DIR", str(tmp_path))
    with pytest.raises(AssistantError) as caught:
        refusal_phrase()
    assert not isinstance(caught.value, LLMError)  # a setup problem, not an endpoint fault
    assert str(caught.value).startswith(f"{tmp_path / REFUSAL}: prompt template not found")


def test_unknown_placeholder_names_the_file_and_the_placeholder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_llm: FakeLLM
) -> None:
    for name in (SYSTEM, REFUSAL):
        (tmp_path / name).write_text((paths.PROJECT_DIR / "prompts" / name).read_text())
    (tmp_path / ANSWER).write_text("Question: $question\n$evidence\nAnswer in $language.\n")
    monkeypatch.setenv("ASSISTANT_PROMPTS_DIR", str(tmp_path))
    settings = load_settings(llm_base_url=fake_llm.url, llm_model=MODEL)
    with pytest.raises(AssistantError) as caught:
        LLMAnswerer(settings).answer(QUESTION, five())
    assert str(caught.value).startswith(f"{tmp_path / ANSWER}: unknown placeholder $language")
    assert fake_llm.requests == []
