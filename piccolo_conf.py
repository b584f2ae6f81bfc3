"""Piccolo configuration: one environment variable picks the database engine.

``TUOYU_DATABASE_URL``
    ``postgresql://user@host:5432/dbname`` → PostgreSQL (asyncpg);
    ``sqlite:///relative/or/absolute/path.sqlite`` → SQLite (the embedded default).
    Unset → ``sqlite:///data/tuoyu.sqlite`` under the current directory (``TUOYU_DATA_DIR``).

This module and ``service/settings.py`` are the only places that read the environment
(see DESIGN.md). The same parsing lives in ``talent_pool.db.engine_for_url`` so the
service and the tests can build an engine for any URL.
"""

from __future__ import annotations

import os

from piccolo.conf.apps import AppRegistry

from talent_pool.db import default_database_url, engine_for_url

DB = engine_for_url(
    os.environ.get("TUOYU_DATABASE_URL") or default_database_url(os.environ.get("TUOYU_DATA_DIR", "data"))
)

APP_REGISTRY = AppRegistry(
    apps=[
        "talent_pool.piccolo_app",
        "training.piccolo_app",
        "certification.piccolo_app",
        "service.accounts.piccolo_app",
    ]
)
