"""The links the service prints (verify URLs in certificate QR codes, check-in QR codes) point
where it listens when ``TUOYU_PUBLIC_URL`` is not set: ``TUOYU_PORT`` / ``TUOYU_HOST`` count like
``tuoyu serve --port`` / ``--host`` (service/settings.py, service/cli.py ``serve``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydantic
import pytest
import uvicorn
from click.testing import CliRunner

from service.cli import main
from service.settings import Settings, get_settings, served_url


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """No ``TUOYU_*`` variable but the data folder; whatever ``serve`` puts into the
    environment or the settings cache is undone afterwards."""
    for key in [k for k in os.environ if k.startswith("TUOYU_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("TUOYU_PUBLIC_URL", "unset-below")  # recorded as absent: undone by monkeypatch
    monkeypatch.delenv("TUOYU_PUBLIC_URL")
    monkeypatch.setenv("TUOYU_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_the_default_public_url_is_the_default_bound_address(env: pytest.MonkeyPatch) -> None:
    assert Settings().public_url == "http://127.0.0.1:8000"


def test_tuoyu_port_and_host_give_the_public_url(env: pytest.MonkeyPatch) -> None:
    env.setenv("TUOYU_PORT", "8731")
    assert Settings().public_url == "http://127.0.0.1:8731"
    env.setenv("TUOYU_HOST", "0.0.0.0")  # every interface: this machine's browser uses 127.0.0.1
    assert Settings().public_url == "http://127.0.0.1:8731"
    env.setenv("TUOYU_HOST", "192.168.1.20")
    assert Settings().public_url == "http://192.168.1.20:8731"


def test_tuoyu_public_url_wins(env: pytest.MonkeyPatch) -> None:
    env.setenv("TUOYU_PORT", "8731")
    env.setenv("TUOYU_PUBLIC_URL", "https://tuoyu.example.cn/")
    assert Settings().public_url == "https://tuoyu.example.cn"


def test_served_url_shapes() -> None:
    assert served_url("::", 8000) == "http://127.0.0.1:8000"
    assert served_url("::1", 8000) == "http://[::1]:8000"
    assert served_url("tuoyu.local", 80) == "http://tuoyu.local"


def _serve(env: pytest.MonkeyPatch, *args: str) -> tuple[dict[str, Any], str]:
    """``tuoyu serve`` with uvicorn replaced: what it would bind, and the public URL it uses."""
    bound: dict[str, Any] = {}
    env.setattr(uvicorn, "run", lambda *a, **kw: bound.update(kw))
    result = CliRunner().invoke(main, ["serve", *args])
    assert result.exit_code == 0, result.output
    return bound, get_settings().public_url


def test_serve_with_tuoyu_port_links_to_that_port(env: pytest.MonkeyPatch) -> None:
    env.setenv("TUOYU_PORT", "8731")
    bound, public = _serve(env)
    assert (bound["host"], bound["port"], public) == ("127.0.0.1", 8731, "http://127.0.0.1:8731")


def test_serve_port_option_beats_tuoyu_port(env: pytest.MonkeyPatch) -> None:
    env.setenv("TUOYU_PORT", "8731")
    bound, public = _serve(env, "--port", "8732")
    assert (bound["port"], public) == (8732, "http://127.0.0.1:8732")


def test_serve_keeps_an_explicit_public_url(env: pytest.MonkeyPatch) -> None:
    env.setenv("TUOYU_PORT", "8731")
    env.setenv("TUOYU_PUBLIC_URL", "https://tuoyu.example.cn")
    bound, public = _serve(env, "--port", "8732")
    assert (bound["port"], public) == (8732, "https://tuoyu.example.cn")


def test_an_empty_tuoyu_public_url_counts_as_not_set(env: pytest.MonkeyPatch) -> None:
    """``TUOYU_PUBLIC_URL=`` made every printed link relative (a second trial, 2026-11-30)."""
    env.setenv("TUOYU_PUBLIC_URL", "")
    env.setenv("TUOYU_PORT", "8731")
    assert Settings().public_url == "http://127.0.0.1:8731"
    env.setenv("TUOYU_PUBLIC_URL", "  ")
    assert Settings().public_url == "http://127.0.0.1:8731"


def test_earlier_public_urls_are_this_platforms_origins_too(env: pytest.MonkeyPatch) -> None:
    settings = Settings(
        public_url="https://Tuoyu.Example.org/",
        earlier_public_urls=" http://127.0.0.1:8000/ , https://old.example.org/base,",
    )
    assert settings.public_origins() == [
        "https://tuoyu.example.org",
        "http://127.0.0.1:8000",
        "https://old.example.org",
    ]
    assert Settings(public_url="https://a.example").public_origins() == ["https://a.example"]


@pytest.mark.parametrize(
    "bad",
    [
        "javascript:alert(1)",
        "https://a.example, ftp://b.example",
        "https://a b",
        "http://",
        "http://a.cn:0",
        "http://a.cn:99999",  # found by a second trial, with the next two
        "http://-.-",
        "http://user@a.cn",
        "http://a.cn/?q=1",
        "http://[::1",
        "http://例子.cn",
    ],
)
def test_an_earlier_public_url_that_is_no_url_is_refused(env: pytest.MonkeyPatch, bad: str) -> None:
    with pytest.raises(pydantic.ValidationError, match="TUOYU_EARLIER_PUBLIC_URLS") as refused:
        Settings(earlier_public_urls=bad)
    shown = [u.strip() for u in bad.split(",") if u.strip() and not u.strip().startswith("https://a.example")]
    assert shown[0] in str(refused.value)  # the value as given, not as stripped


def test_ipv6_and_plain_hosts_are_public_urls(env: pytest.MonkeyPatch) -> None:
    settings = Settings(earlier_public_urls="http://[::1]:8000,https://localhost,http://10.0.0.7:8080/tuoyu")
    assert settings.public_origins()[1:] == ["http://[::1]:8000", "https://localhost", "http://10.0.0.7:8080"]


@pytest.mark.parametrize("bad", ["ftp://x", "tuoyu.example.cn", "https://a.cn:70000"])
def test_a_public_url_a_browser_cannot_open_is_refused(env: pytest.MonkeyPatch, bad: str) -> None:
    with pytest.raises(pydantic.ValidationError, match="TUOYU_PUBLIC_URL"):
        Settings(public_url=bad)
