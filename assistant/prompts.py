"""User-visible phrases live in prompts/*.yaml; this loads them with strict templating.

A template that names a variable the caller did not pass fails loudly (KeyError turned into
ConfigError) instead of showing "{city}" to a user.
"""
from __future__ import annotations

import random
import string
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import ConfigError


class Phrases:
    """A bank of phrases: `get(key, **vars)` fills one template; lists give a stable choice."""

    def __init__(self, name: str, data: dict) -> None:
        self.name = name
        self._data = data

    def keys(self) -> list[str]:
        return list(self._data)

    def raw(self, key: str):
        try:
            return self._data[key]
        except KeyError:
            raise ConfigError(f"prompts/{self.name}.yaml tidak punya kunci {key!r}.") from None

    def get(self, key: str, seed: str | None = None, **variables) -> str:
        """Fill template `key`. If it is a list, pick one variant (stable for a given seed)."""
        template = self.raw(key)
        if isinstance(template, list):
            rng = random.Random(seed or key)
            template = rng.choice(template)
        if not isinstance(template, str):
            raise ConfigError(f"prompts/{self.name}.yaml: {key!r} harus teks atau daftar teks.")
        needed = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        missing = needed - variables.keys()
        if missing:
            raise ConfigError(
                f"prompts/{self.name}.yaml: {key!r} butuh variabel {sorted(missing)} yang tidak diberikan."
            )
        return template.format(**variables)


def read_yaml_mapping(path: Path, what: str = "Berkas prompt") -> dict:
    """A YAML file that must hold a key: value mapping; ConfigError naming the file otherwise."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{what} {path} tidak bisa dibaca ({exc.strerror}).") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name} bukan YAML yang valid ({str(exc).splitlines()[0]}).") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path.name} harus berisi pasangan kunci: nilai.")
    return data


@lru_cache(maxsize=32)
def _load(path: Path) -> dict:
    return read_yaml_mapping(path)


def load_phrases(prompts_dir: Path, name: str) -> Phrases:
    """Load prompts/<name>.yaml."""
    return Phrases(name, _load(Path(prompts_dir) / f"{name}.yaml"))
