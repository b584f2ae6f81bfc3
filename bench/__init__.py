"""Benchmarks (never part of the test run). See bench/README.md.

Importing the project's tables builds ``piccolo_conf``'s default engine from
``TUOYU_DATABASE_URL``; without one it would create the embedded SQLite folder ``./data``. The
bench binds its own engine to each bench database (``bench.project_db``), so a PostgreSQL URL is
set here, before any project import, only when none is given.
"""

from __future__ import annotations

import os

os.environ.setdefault("TUOYU_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
