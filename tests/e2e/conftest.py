"""Browser tests: ``tuoyu serve --demo`` on a PostgreSQL database of their own, driven over real
HTTP by Playwright with Debian's ``chromium`` (``TUOYU_CHROMIUM`` overrides the path; Playwright's
own browser download is never used). Screenshots go to ``artifacts/screenshots/`` (a CI artifact).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from tests.servers import REPO, TEST_DB, _admin, require_postgres

CHROMIUM = os.environ.get("TUOYU_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = REPO / "artifacts" / "screenshots"
DEMO_PASSWORD = "tuoyu-demo-2025"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class LiveServer:
    url: str
    data_dir: Path
    database_url: str = ""

    def courseware(self, name: str) -> str:
        """Put a placeholder file ``name`` into the folder the app serves ``/courseware`` from
        (a lesson's file must exist there to be added); returns ``name``."""
        folder = self.data_dir / "courseware"
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / name).exists():
            (folder / name).write_bytes(b"\x00\x00\x00\x18ftypmp42")
        return name

    def demo_certificate_numbers(self) -> list[str]:
        """Numbers of the certificates the demo issued (their QR images are in ``demo-out``)."""
        return sorted(p.stem for p in (self.data_dir / "demo-out").glob("*.png"))


EARLIER_PUBLIC_URL = "https://tuoyu-old.example.org"
"""The shared demo server's earlier public URL (``TUOYU_EARLIER_PUBLIC_URLS``)."""


@contextlib.asynccontextmanager
async def serve_demo(
    tmp_path_factory: pytest.TempPathFactory, name: str, **settings: str
) -> AsyncIterator[LiveServer]:
    """``tuoyu serve --demo`` (background work in-process) on a fresh database ``<run db>_<name>``;
    ``settings`` override its ``TUOYU_*`` variables (``claim_refusals_per_day="2"``). Its log is
    ``<data_dir>/serve.log``."""
    require_postgres()
    db = f"{TEST_DB}_{name}"
    await _admin(f'DROP DATABASE IF EXISTS "{db}"', f'CREATE DATABASE "{db}"')
    port = _free_port()
    data = tmp_path_factory.mktemp(f"{name}-data")
    log_path = data / "serve.log"
    database_url = f"postgresql://postgres@127.0.0.1:5432/{db}"
    env = dict(os.environ)
    env.update(
        TUOYU_DATABASE_URL=database_url,
        TUOYU_DATA_DIR=str(data),
        TUOYU_PUBLIC_URL=f"http://127.0.0.1:{port}",
        TUOYU_LOGIN_RATE_PER_MINUTE="100000",
        TUOYU_VERIFY_RATE_PER_MINUTE="100000",
        TUOYU_CLAIM_RATE_PER_MINUTE="100000",
        TUOYU_CLAIM_REFUSALS_PER_DAY="100000",
    )
    env.update({f"TUOYU_{key.upper()}": value for key, value in settings.items()})
    env.pop("TUOYU_REDIS_URL", None)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--demo", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                async with httpx.AsyncClient() as c:
                    if (await c.get(base + "/ready", timeout=2)).status_code == 200:
                        break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("tuoyu serve did not get ready:\n" + log_path.read_text(errors="replace"))
            await asyncio.sleep(0.3)
        yield LiveServer(base, data, database_url)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        await _admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def live_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveServer]:
    """The demo server the browser tests click through (they only read, or write their own rows).
    It had an earlier public URL (``EARLIER_PUBLIC_URL``): QR codes printed under it are its own."""
    async with serve_demo(tmp_path_factory, "e2e", earlier_public_urls=EARLIER_PUBLIC_URL) as server:
        yield server


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    """Headless Debian Chromium through Playwright; fails loudly when the package is missing."""
    from playwright.async_api import async_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (scripts/browser.sh)")
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        await b.close()


class Visit:
    """A page with the hosts it requested and its console errors (and uncaught script errors,
    ``pageerror: …``) recorded."""

    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base = page, base
        self.hosts: set[str] = set()
        self.errors: list[str] = []
        page.on("request", lambda r: self.hosts.add(urlparse(r.url).netloc))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        # an uncaught exception in a page's script is no console message: recorded too
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    async def goto(self, path: str) -> Any:
        return await self.page.goto(self.base + path)

    def foreign_hosts(self) -> set[str]:
        own = urlparse(self.base).netloc
        return {h for h in self.hosts if h and h != own}

    async def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        return path

    async def login(self, username: str, password: str = DEMO_PASSWORD) -> None:
        """Log in through the login page and wait until the role's home has loaded."""
        await self.goto("/login")
        await self.page.fill("#username", username)
        await self.page.fill("#password", password)
        await self.page.click("button[type=submit]")
        await self.page.wait_for_url(lambda url: urlparse(url).path != "/login")
        await self.page.wait_for_load_state("networkidle")

    async def serious_a11y_violations(self) -> list[str]:
        """axe-core (bundled by axe-playwright-python) violations of impact serious or critical."""
        from axe_playwright_python.async_playwright import Axe

        result = await Axe().run(self.page)
        return [
            f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
            for v in result.response["violations"]
            if v.get("impact") in ("serious", "critical")
        ]


@pytest.fixture
async def visit(browser: Any, live_server: LiveServer) -> AsyncIterator[Visit]:
    """A fresh desktop browser context (1280×800, zh-CN)."""
    context = await browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    yield Visit(await context.new_page(), live_server.url)
    await context.close()


@pytest.fixture
async def phone(browser: Any, live_server: LiveServer) -> AsyncIterator[Visit]:
    """A fresh phone-sized browser context (390×844, touch, zh-CN)."""
    context = await browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    yield Visit(await context.new_page(), live_server.url)
    await context.close()
