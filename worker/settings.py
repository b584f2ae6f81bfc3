"""Settings every process needs — web, worker, CLI — read from ``TUOYU_*`` environment variables.

The worker reads these and nothing else; ``service.settings.Settings`` extends them with what
only the HTTP service needs. With ``piccolo_conf.py`` (which builds its engine from this class),
this is the only reader of the environment (docs/architecture.md, "Settings and the clock").

| variable | default | meaning |
|---|---|---|
| ``TUOYU_DATA_DIR`` | ``data`` | folder of the embedded default (SQLite file, signing key, token secret) |
| ``TUOYU_DATABASE_URL`` | ``sqlite:///<data>/tuoyu.sqlite`` | ``postgresql://…`` or ``sqlite:///…`` |
| ``TUOYU_DB_POOL_MIN`` / ``TUOYU_DB_POOL_MAX`` | ``1`` / ``10`` | PostgreSQL connections per process (asyncpg pool) |
| ``TUOYU_DB_POOL_TIMEOUT`` | ``5`` | seconds a request waits for a pooled connection before 503 |
| ``TUOYU_REDIS_URL`` | unset | unset → background work in-process; set → Celery on Redis |
| ``TUOYU_TASK_QUEUE`` | ``tuoyu`` | Celery queue the service publishes to and workers consume |
| ``TUOYU_TIMEZONE`` | ``Asia/Shanghai`` | zone of business dates (session day, issue date, year) |
| ``TUOYU_OUTBOX_SWEEP_SECONDS`` | ``15`` | how often due background work is (re)delivered |
| ``TUOYU_SMS_BACKEND`` | ``console`` | ``console`` (codes and notices in the log) or ``webhook`` |
| ``TUOYU_SMS_WEBHOOK_URL`` | empty | the SMS/WeChat gateway adapter texts and notices are posted to |
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from talent_pool.db import PoolConfig, default_database_url


class WorkerSettings(BaseSettings):
    """Runtime configuration shared by every process (``TUOYU_*`` environment variables)."""

    model_config = SettingsConfigDict(env_prefix="TUOYU_", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str = ""
    db_pool_min: int = Field(default=1, ge=0, le=100)
    db_pool_max: int = Field(default=10, ge=1, le=500)
    db_pool_timeout: float = Field(default=5.0, gt=0, le=120)
    redis_url: str = ""
    task_queue: str = "tuoyu"
    timezone: str = "Asia/Shanghai"
    outbox_sweep_seconds: float = Field(default=15.0, gt=0, le=3600)
    sms_backend: str = Field(default="console", pattern="^(console|webhook)$")
    sms_webhook_url: str = ""
    # 0 → each job's own lease (worker/jobs.py); a positive value replaces every job's lease
    job_lease_seconds: float = Field(default=0, ge=0, le=86400)

    @field_validator("timezone")
    @classmethod
    def _zone_exists(cls, value: str) -> str:
        ZoneInfo(value)  # raises ZoneInfoNotFoundError for a typo
        return value

    @property
    def db_url(self) -> str:
        """The effective database URL (the embedded SQLite file under ``data_dir`` when unset)."""
        return self.database_url or default_database_url(self.data_dir)

    @property
    def pool(self) -> PoolConfig:
        """The PostgreSQL connection-pool size and wait (ignored on SQLite)."""
        return PoolConfig(
            min_size=min(self.db_pool_min, self.db_pool_max),
            max_size=self.db_pool_max,
            acquire_timeout=self.db_pool_timeout,
        )

    @property
    def tasks_in_process(self) -> bool:
        """True when no broker is configured: background work runs in this process."""
        return not self.redis_url

    @property
    def zone(self) -> ZoneInfo:
        """The zone business dates are counted in."""
        return ZoneInfo(self.timezone)
