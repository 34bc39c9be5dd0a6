"""Typed settings read from ``MATCHER_*`` environment variables."""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
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
    scratch_dir: Path | None = Field(
        default=None,
        description="where an index build keeps its large arrays (unlinked files; default: "
        "the index directory): a local disk (at a million experts, 5 to 6 GB at the peak)",
    )
    index_poll_seconds: float = Field(
        default=2.0, gt=0, description="how often the index refresher looks at the profiles"
    )
    index_refresher: str = Field(
        default="thread",
        pattern="^(thread|follow)$",
        description="'thread': the API builds new index versions in a background thread; "
        "'follow': it only loads versions that `matcher index --watch` saves",
    )
    default_top_k: int = 10
    secret_key: str | None = Field(
        default=None, description="token signing key: ≥ 32 random characters"
    )
    token_ttl_minutes: int = 8 * 60
    login_attempts_per_minute: int = Field(
        default=10, description="failed log-ins per user and address per minute (then 429)"
    )
    password_hash_concurrency: int | None = Field(
        default=None, description="password hashes computed at once (default: CPU cores)"
    )
    max_upload_bytes: int = 20 * 1024 * 1024
    max_import_rows: int = Field(default=200_000, description="data rows per imported file")
    max_xlsx_expanded_bytes: int = Field(
        default=256 * 1024 * 1024, description="uncompressed size an .xlsx may expand to"
    )
    api_url: str = "http://127.0.0.1:8000"
    cors_origins: str = Field(
        default="", description="comma-separated origins allowed by CORS (default: none)"
    )
    metrics_public: bool = Field(
        default=False, description="serve /metrics without log-in (default: staff only)"
    )
    sqlite_busy_timeout: float = Field(
        default=5.0, description="seconds a SQLite write waits for the lock before a 503"
    )
    write_concurrency: int = Field(
        default=8, description="API writes running at once per process; more wait in a queue"
    )
    write_queue_timeout: float = Field(
        default=10.0, description="seconds a write waits in the queue before a 503"
    )
    # which (enterprise, society) pairs deserve an expert workstation (matcher proposals)
    workstation_min_services: int = Field(
        default=2, ge=1, description="completed services between the pair (the services route)"
    )
    workstation_min_mean_rating: float = Field(
        default=4.0, ge=1, le=5, description="mean rating of the pair's services (both routes)"
    )
    workstation_leader_min_services: int = Field(
        default=1, ge=1, description="completed services for a chain-leader enterprise"
    )
    workstation_leader_min_score: float = Field(
        default=50.0,
        ge=0,
        le=100,
        description="a chain leader: the society's best match score (0–100) to its needs",
    )
    workstation_min_experts: int = Field(
        default=3, ge=1, description="candidate resident experts from the society (both routes)"
    )
    workstation_expert_min_score: float = Field(
        default=50.0, ge=0, le=100, description="a candidate expert's match score to a need"
    )
    workstation_max_experts: int = Field(
        default=5, ge=1, description="resident experts named in a proposal"
    )
    # the workspaces (Streamlit UI) and the staff dashboard
    org_name: str = Field(
        default="河南省科学技术协会 · 百会链千企", description="shown in the UI's sidebar"
    )
    dashboard_min_score: float = Field(
        default=50.0,
        ge=0,
        le=100,
        description="match coverage: a need counts as covered when its best society scores this",
    )

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

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
        """The configured key (refused when weak), else one generated once and kept in the
        data directory, readable by this account only."""
        if self.secret_key is not None:
            check_secret_key(self.secret_key)
            return self.secret_key
        return _key_file(self.data_dir / ".secret_key")


MIN_KEY_LENGTH = 32
MIN_KEY_BITS = 96.0


def _estimated_bits(key: str) -> float:
    """Length × the Shannon entropy of the key's own characters (a generous upper bound
    of the entropy of a random key; low for repeated or few-character keys)."""
    counts = Counter(key)
    per_char = -sum(c / len(key) * math.log2(c / len(key)) for c in counts.values())
    return per_char * len(key)


def _is_repetition(key: str) -> bool:
    """``key`` is a short block repeated ("abcdabcdabcd…")."""
    return any(
        len(key) % p == 0 and key == key[:p] * (len(key) // p) for p in range(1, len(key) // 2 + 1)
    )


def check_secret_key(key: str) -> None:
    """Refuse a configured signing key that is short or guessable: anyone who guesses it can
    forge an admin token."""
    from matcher.errors import ConfigurationError

    hint_zh = "请用 `python -c 'import secrets; print(secrets.token_urlsafe(48))'` 生成"
    hint_en = "generate one with `python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
    if len(key.strip()) < MIN_KEY_LENGTH:
        raise ConfigurationError(
            f"MATCHER_SECRET_KEY 太短（{len(key.strip())} 个字符，至少 {MIN_KEY_LENGTH} 个）；"
            + hint_zh,
            f"MATCHER_SECRET_KEY is too short ({len(key.strip())} characters, at least "
            f"{MIN_KEY_LENGTH}); " + hint_en,
        )
    if len(set(key)) < 10 or _is_repetition(key) or _estimated_bits(key) < MIN_KEY_BITS:
        raise ConfigurationError(
            "MATCHER_SECRET_KEY 过于简单（字符重复或种类太少）；" + hint_zh,
            "MATCHER_SECRET_KEY is too predictable (repeated or too few distinct characters); "
            + hint_en,
        )


@lru_cache
def _key_file(path: Path) -> str:
    """Read (creating it first, mode 0600, if missing) a key file, once per process and path."""
    from matcher.private import private_dir, temp_tag, write_private

    if not path.exists():
        private_dir(path.parent)
        tmp = path.with_name(f"{path.name}.tmp{temp_tag()}")
        tmp.unlink(missing_ok=True)
        write_private(tmp, secrets.token_urlsafe(48).encode("utf-8"))
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
