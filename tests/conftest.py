"""Test set-up shared by every test directory. Nothing here needs a server.

``tests/unit`` runs with no PostgreSQL and no Redis reachable. The server-backed fixtures live in
``tests/servers.py`` (a plugin loaded here): they start lazily, the first time a test asks for
one, and every test under ``tests/integration`` and ``tests/api`` is marked ``postgres``.
"""

from __future__ import annotations

import os
import tempfile

import pytest

# The embedded default of this process points into a throwaway folder (never ./data), before
# anything imports piccolo_conf.
os.environ["TUOYU_DATA_DIR"] = tempfile.mkdtemp(prefix="tuoyu-test-data-")
for _name in ("TUOYU_DATABASE_URL", "TUOYU_REDIS_URL"):
    os.environ.pop(_name, None)

pytest_plugins = ["tests.servers"]

SERVER_DIRS = ("integration", "api", "faults", "e2e")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests outside ``tests/unit`` use the real PostgreSQL server: mark them ``postgres``."""
    for item in items:
        parts = item.path.parts
        if "tests" in parts and any(d in parts for d in SERVER_DIRS):
            item.add_marker(pytest.mark.postgres)
