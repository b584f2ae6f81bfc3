"""Service settings (pydantic-settings). With ``piccolo_conf.py``, the only reader of the environment.

Every variable is prefixed ``TUOYU_``:

| variable | default | meaning |
|---|---|---|
| ``TUOYU_DATA_DIR`` | ``data`` | folder for the embedded default (SQLite file, signing key) |
| ``TUOYU_DATABASE_URL`` | ``sqlite:///<data>/tuoyu.sqlite`` | ``postgresql://…`` or ``sqlite:///…`` |
| ``TUOYU_REDIS_URL`` | unset | unset → tasks run in-process; set → Celery on Redis, Redis rate limits |
| ``TUOYU_TASK_QUEUE`` | ``tuoyu`` | Celery queue the service publishes to and workers consume |
| ``TUOYU_TIMEZONE`` | ``Asia/Shanghai`` | zone of business dates (session day, issue date, year) |
| ``TUOYU_PUBLIC_URL`` | ``http://127.0.0.1:8000`` | base of the verify URLs printed in QR codes |
| ``TUOYU_SIGNING_KEY_FILE`` | ``<data>/signing_key.pem`` | Ed25519 private key (PEM); generated on first run |
| ``TUOYU_SECRET_KEY`` | generated into ``<data>/secret_key`` | secret for login tokens (JWT HS256) |
| ``TUOYU_TOKEN_HOURS`` | ``12`` | lifetime of a login token, hours |
| ``TUOYU_VERIFY_RATE_PER_MINUTE`` | ``60`` | public verify requests per client IP per minute |
| ``TUOYU_LOGIN_RATE_PER_MINUTE`` | ``10`` | login and sign-up attempts per client IP per minute |
| ``TUOYU_TRUSTED_PROXIES`` | empty | comma-separated proxy IPs whose ``X-Forwarded-For`` is believed (empty: none) |
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from talent_pool.db import default_database_url


class Settings(BaseSettings):
    """Runtime configuration read from ``TUOYU_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="TUOYU_", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str = ""
    redis_url: str = ""
    task_queue: str = "tuoyu"
    timezone: str = "Asia/Shanghai"
    public_url: str = "http://127.0.0.1:8000"
    signing_key_file: Path | None = None
    secret_key: str = ""
    token_hours: int = 12
    verify_rate_per_minute: int = 60
    login_rate_per_minute: int = 10
    trusted_proxies: str = ""
    host: str = "127.0.0.1"
    port: int = 8000

    @field_validator("timezone")
    @classmethod
    def _zone_exists(cls, value: str) -> str:
        ZoneInfo(value)  # raises ZoneInfoNotFoundError for a typo
        return value

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def db_url(self) -> str:
        """The effective database URL (embedded SQLite default when unset)."""
        return self.database_url or default_database_url(self.data_dir)

    @property
    def tasks_in_process(self) -> bool:
        """True when no broker is configured: outbox tasks run in this process after commit."""
        return not self.redis_url

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def today(self) -> dt.date:
        """Today's local date in the configured zone."""
        return dt.datetime.now(self.zone).date()

    def key_path(self) -> Path:
        """Where the Ed25519 signing key lives."""
        return self.signing_key_file or (self.data_dir / "signing_key.pem")

    def token_secret(self) -> str:
        """Secret for login tokens: ``TUOYU_SECRET_KEY`` or one generated into the data folder."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # write a private temp file, then link it into place: atomic, first writer wins
            tmp = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        return path.read_text().strip()


@cache
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
