from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.settings import load_settings


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASSISTANT_TOP_K", "5")
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", "llama3")
    settings = load_settings()
    assert settings.top_k == 5
    assert settings.llm_model == "llama3"
    assert settings.index_dir == tmp_path / "index"


def test_toml_file_is_read_and_env_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "assistant.toml"
    config.write_text('top_k = 12\nllm_model = "from-file"\nllm_timeout = 5\n')
    monkeypatch.setenv("ASSISTANT_CONFIG", str(config))
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", "from-env")
    settings = load_settings()
    assert settings.top_k == 12
    assert settings.llm_timeout == 5
    assert settings.llm_model == "from-env"


def test_bad_values_give_a_config_error_naming_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_TOP_K", "many")
    with pytest.raises(ConfigError, match="top_k"):
        load_settings()


def test_unknown_toml_key_and_broken_toml(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "assistant.toml"
    monkeypatch.setenv("ASSISTANT_CONFIG", str(config))
    config.write_text("topk = 3\n")
    with pytest.raises(ConfigError, match="topk"):
        load_settings()
    config.write_text("top_k = = 3\n")
    with pytest.raises(ConfigError, match="assistant.toml"):
        load_settings()


def test_missing_explicit_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASSISTANT_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="nope.toml"):
        load_settings()


def test_llm_is_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    # An API key alone must not send interview data anywhere.
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-real")
    settings = load_settings()
    assert settings.llm_api_key is not None
    assert settings.llm_api_key.get_secret_value() == "sk-test-not-real"
    assert not settings.llm_enabled
    assert "sk-test-not-real" not in repr(settings)
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", "gpt-4o-mini")
    assert load_settings().llm_enabled


def test_a_folder_named_assistant_toml_is_reported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    (work / "assistant.toml").mkdir(parents=True)
    monkeypatch.chdir(work)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value) == f"{work}/assistant.toml: is a folder, not a configuration file"


def test_k_and_top_k_share_one_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.settings import MAX_TOP_K

    monkeypatch.setenv("ASSISTANT_TOP_K", str(MAX_TOP_K + 1))
    with pytest.raises(ConfigError, match="top_k"):
        load_settings()
