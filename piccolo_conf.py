"""Piccolo configuration: the engine the tables use until a composition root binds its own.

The URL comes from the one settings class every process shares (``worker.settings``):
``TUOYU_DATABASE_URL`` — ``postgresql://user@host:5432/dbname`` (asyncpg, pooled) or
``sqlite:///path.sqlite`` — and the embedded SQLite file under ``TUOYU_DATA_DIR`` when unset.
The web app and the worker build their engine from the settings they were given and bind it
with ``talent_pool.db.use_engine`` (docs/architecture.md, "Settings and the clock").
"""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry

from talent_pool.db import engine_for_url
from worker.settings import WorkerSettings

_settings = WorkerSettings()
DB = engine_for_url(_settings.db_url, _settings.pool)

APP_REGISTRY = AppRegistry(
    apps=[
        "talent_pool.piccolo_app",
        "training.piccolo_app",
        "certification.piccolo_app",
        "service.accounts.piccolo_app",
    ]
)
