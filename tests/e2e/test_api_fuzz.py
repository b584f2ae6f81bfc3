"""schemathesis against the OpenAPI document, over real HTTP, as each role: no request it
generates may get a 5xx. Runs on a demo server of its own (the fuzzing writes at random)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import DEMO_PASSWORD, LiveServer, serve_demo

ROLES = {
    "anonymous": None,
    "city_admin": "admin",
    "base_staff": "base1",
    "employer": "employer1",
    "trainee": "trainee1",
}
# ending every session of the login being fuzzed would turn the rest of the run into 401s
NOT_FUZZED = ["/api/auth/logout", "/api/auth/logout-everywhere", "/api/auth/password"]


@pytest.fixture(scope="module")
async def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveServer]:
    async with serve_demo(tmp_path_factory, "fuzz") as server:
        yield server


@pytest.mark.parametrize("role", list(ROLES))
async def test_no_generated_request_gets_a_server_error(
    fuzz_server: LiveServer, role: str, tmp_path: Path
) -> None:
    headers: list[str] = []
    username = ROLES[role]
    if username:
        async with httpx.AsyncClient(base_url=fuzz_server.url) as c:
            r = await c.post("/api/auth/login", json={"username": username, "password": DEMO_PASSWORD})
            assert r.status_code == 201, r.text
            headers = ["-H", f"Authorization: Bearer {r.json()['token']}"]
    excluded = [arg for path in NOT_FUZZED for arg in ("--exclude-path", path)]
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{fuzz_server.url}/schema/openapi.json",
            "--checks",
            "not_a_server_error",
            "--phases",
            "examples,fuzzing",
            "--max-examples",
            "4",
            "--seed",
            "20261129",
            "--no-color",
            *headers,
            *excluded,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,  # schemathesis keeps its state in ./.schemathesis
    )
    report = run.stdout + run.stderr
    (tmp_path / f"schemathesis-{role}.log").write_text(report)
    assert run.returncode == 0 and "Server error" not in report, report[-6000:]
