"""Typed settings read from ``MATCHER_*`` environment variables."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
EMBEDDED_MODEL = "embedded"
"""Value of ``embedding_model`` that selects the built-in offline model."""


class Settings(BaseSettings):
    """Everything configurable about one deployment."""

    model_config = SettingsConfigDict(env_prefix="MATCHER_", extra="ignore")

    data_dir: Path = Field(default=REPO_ROOT / "data", description="SQLite file, indexes, models")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite")
    resources_dir: Path = Field(
        default=REPO_ROOT / "data" / "dict", description="jieba user dictionary and stop words"
    )
    embedding_model: str = Field(
        default=EMBEDDED_MODEL,
        description="'embedded' (offline default) or a sentence-transformers name or path",
    )
    embedding_batch_size: int = 256
    ann_threshold: int = Field(
        default=50_000, description="collections larger than this use an approximate index"
    )
    default_top_k: int = 10
    secret_key: str | None = Field(default=None, description="token signing key")
    token_ttl_minutes: int = 8 * 60
    login_attempts_per_minute: int = 10
    max_upload_bytes: int = 20 * 1024 * 1024
    api_url: str = "http://127.0.0.1:8000"

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL, with the SQLite default and the psycopg 3 driver filled in."""
        url = self.database_url or f"sqlite:///{self.data_dir / 'matcher.db'}"
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    def signing_key(self) -> str:
        """The configured key, else one generated once and kept in the data directory."""
        return self.secret_key or _key_file(self.data_dir / ".secret_key")


@lru_cache
def _key_file(path: Path) -> str:
    """Read (creating it first if missing) a key file, once per process and path."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        try:
            os.link(tmp, path)  # atomic and never overwrites: concurrent workers agree
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="utf-8").strip()


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` instead)."""
    return Settings()
