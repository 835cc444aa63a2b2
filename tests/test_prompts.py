"""Prompt templates are files; a missing or broken one is a clear error naming the file."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from answer_samples import QUESTION, five
from fake_llm import MODEL, FakeLLM

from assistant import paths
from assistant.answer.llm import LLMAnswerer
from assistant.answer.prompts import ANSWER, REFUSAL, SYSTEM, load_prompt, refusal_phrase
from assistant.errors import AssistantError, LLMError
from assistant.settings import load_settings


def test_shipped_templates_load_and_hold_their_placeholders() -> None:
    assert refusal_phrase() == "The interviews retrieved do not answer this question."
    assert "$refusal" in load_prompt(SYSTEM)
    for placeholder in ("$question", "$evidence", "$count", "$refusal", "$coverage"):
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


def test_the_prompt_says_what_each_turn_answers_and_how_widespread_the_codes_are() -> None:
    from dataclasses import replace

    from assistant.answer.extractive import Prevalence
    from assistant.answer.llm import build_messages

    evidence = five()
    question_turn = evidence[1]
    evidence[0] = replace(evidence[0], asked=question_turn)
    messages = build_messages(
        QUESTION,
        evidence,
        refusal_phrase(),
        codes=["MM-drift"],
        prevalence=Prevalence(interviews=14, codes={"MM-drift": (5, 24)}),
    )
    user = messages[1]["content"]
    flat = " ".join(question_turn.turn.text.split())
    assert f'answering="{html.escape(flat, quote=True)}"' in user
    assert "coded 24 passages in 5 of 14 interviews as MM-drift" in user
    assert "how widespread each is" in user
