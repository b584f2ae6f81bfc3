"""Test set-up shared by every test directory. Nothing here needs a server.

``tests/unit`` runs with no PostgreSQL and no Redis reachable. The server-backed fixtures live in
``tests/servers.py`` (a plugin loaded here): they start lazily, the first time a test asks for
one, and every test under ``tests/integration`` and ``tests/api`` is marked ``postgres``.

``make test`` runs two pytest-xdist workers (``-n 2 --dist loadgroup``): each worker has its own
database, Celery queue and temporary folders (all named after its process). The tests that start
servers of their own (``tests/e2e``: the demo servers; ``tests/faults``: a PostgreSQL cluster,
Redis and ``tuoyu`` processes) form one group (``pytest_xdist_make_scheduler``) and so run one
after another on one worker, never beside each other — all but the API fuzzing, which runs on a
demo server of its own and goes to the other worker.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import pytest

# The embedded default of this process points into a throwaway folder (never ./data), before
# anything imports piccolo_conf.
os.environ["TUOYU_DATA_DIR"] = tempfile.mkdtemp(prefix="tuoyu-test-data-")
for _name in ("TUOYU_DATABASE_URL", "TUOYU_REDIS_URL"):
    os.environ.pop(_name, None)

pytest_plugins = ["tests.servers"]

SERVER_DIRS = ("integration", "api", "faults", "e2e")
SERVERS_STARTED = ("faults", "e2e")
OWN_SERVER_MODULES = ("tests/e2e/test_api_fuzz.py", "tests/e2e/test_readme_script.py")
"""Modules under ``SERVERS_STARTED`` that share none of the group's servers (the API fuzzing
runs on a demo server of its own, module-scoped; the README's script on a demo server of each
hour's own, no browser): each is a unit of its own, run on whichever worker is free, so the group
is not the one long tail of the run."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests outside ``tests/unit`` use the real PostgreSQL server: mark them ``postgres``. Under
    ``--dist loadgroup`` the tests that start servers of their own come first (the longest
    stretch of the run starts at once on one worker while the other takes the rest)."""
    for item in items:
        parts = item.path.parts
        if "tests" in parts and any(d in parts for d in SERVER_DIRS):
            item.add_marker(pytest.mark.postgres)
    if _servers_started_together(config):
        items.sort(key=lambda item: not _starts_servers(item.nodeid))  # stable: order kept within


def _starts_servers(nodeid: str) -> bool:
    return nodeid.startswith(tuple(f"tests/{d}/" for d in SERVERS_STARTED))


def _servers_started_together(config: pytest.Config) -> bool:
    """Whether this is a pytest-xdist worker of a ``--dist loadgroup`` run."""
    return "PYTEST_XDIST_WORKER" in os.environ and config.getoption("dist", None) == "loadgroup"


@pytest.hookimpl(optionalhook=True)  # a plain run without pytest-xdist loaded
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup``: every test under ``tests/e2e`` and ``tests/faults`` in one group
    (one worker, in order, never beside each other) but the modules of ``OWN_SERVER_MODULES``
    (one unit each), the others spread over the workers one by one. pytest-xdist hands out the
    units with the most tests first, so the group and the fuzzing start at once, on two
    workers. (pytest-xdist's own ``xdist_group`` marks do not group under pytest 9, which no
    longer lets xdist rename the tests, so the group is drawn from the path here.)"""
    if config.getoption("dist", None) != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ServersStartedTogether(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            if module in OWN_SERVER_MODULES:
                return module  # its module-scoped server starts once, on one worker
            return "servers-started" if _starts_servers(nodeid) else nodeid

    return ServersStartedTogether(config, log)
