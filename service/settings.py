"""Service settings (pydantic-settings): ``worker.settings.WorkerSettings`` plus what only the
HTTP service needs. With it, the only reader of the environment.

Every variable is prefixed ``TUOYU_`` (the shared ones are listed in ``worker/settings.py``):

| variable | default | meaning |
|---|---|---|
| ``TUOYU_PUBLIC_URL`` | ``http://HOST:PORT`` of ``TUOYU_HOST`` / ``TUOYU_PORT`` | base of the verify URLs printed in QR codes |
| ``TUOYU_EARLIER_PUBLIC_URLS`` | empty | comma-separated public URLs this platform had before (a moved domain or port): QR codes printed under them are this platform's own, the employer's verify page does not warn about them |
| ``TUOYU_SIGNING_KEY_FILE`` | ``<data>/signing_key.pem`` | Ed25519 private key (PEM); generated on first run |
| ``TUOYU_VERIFY_KEY_FILES`` | empty | comma-separated PEM files of retired keys that still verify |
| ``TUOYU_RETIRED_KEYS_DIR`` | ``<key folder>/retired_keys`` | folder of retired public keys (``tuoyu keys rotate`` writes there); all of them still verify |
| ``TUOYU_SECRET_KEY`` | generated into ``<data>/secret_key`` | secret for login tokens (JWT HS256) |
| ``TUOYU_HOLDER_HASH_KEY`` | generated into ``<data>/holder_hash_key`` | key of the holder hash in verify URLs (HMAC-SHA256); never rotate |
| ``TUOYU_TOKEN_HOURS`` | ``12`` | lifetime of a login token, hours |
| ``TUOYU_DB_COMMAND_TIMEOUT`` | ``30`` | seconds one PostgreSQL statement of the web service may take (a lock held elsewhere, a stalled server) before it is cancelled and the request gets 503 with ``Retry-After``; ``0``: no limit. Only the web process's pool (and the background jobs it runs in-process, each statement apart): migrations, the CLI and the Celery worker have none |
| ``TUOYU_VERIFY_RATE_PER_MINUTE`` | ``60`` | public verify requests per client IP per minute |
| ``TUOYU_SCAN_PATH`` | ``true`` | answer scanned verify URLs asking for JSON on the scan path (``service.scan``); ``false``: through the route |
| ``TUOYU_LOGIN_RATE_PER_MINUTE`` | ``10`` | login and sign-up attempts per client IP per minute |
| ``TUOYU_CLAIM_RATE_PER_MINUTE`` | ``10`` | employment claims (``POST /api/employment-claims``) per employer login per minute |
| ``TUOYU_CLAIM_REFUSALS_PER_DAY`` | ``30`` | refused claims of one employer login a local day; past it, its claims are refused until midnight |
| ``TUOYU_BULK_IDENTITY_PER_CERTIFICATE`` | ``3`` | identity comparisons of one certificate per login and local day, bulk rows and single matches together; more bulk rows answer 超出核验次数, more single matches are refused (429) |
| ``TUOYU_BULK_IDENTITY_PER_DAY`` | ``2000`` | identity comparisons per login and local day, bulk rows and single matches together, all certificates |
| ``TUOYU_TRUSTED_PROXIES`` | empty | comma-separated proxy IPs whose ``X-Forwarded-For`` is believed (empty: none) |
| ``TUOYU_HOST`` / ``TUOYU_PORT`` | ``127.0.0.1`` / ``8000`` | where ``tuoyu serve`` binds |
| ``TUOYU_WEB_WORKERS`` | ``1`` | HTTP worker processes of ``tuoyu serve`` |
| ``TUOYU_ACCESS_LOG`` | ``false`` | one log line per request (costs about a third of a trivial request's time) |
| ``TUOYU_LOG_JSON`` | ``false`` | log JSON lines (with the request id) instead of text |
| ``TUOYU_CHECKIN_OPENS_MINUTES`` | ``30`` | QR check-in opens this long before a session starts |
| ``TUOYU_CHECKIN_CLOSES_MINUTES`` | ``30`` | … and closes this long after the start |
| ``TUOYU_CHECKIN_LATE_MINUTES`` | ``5`` | arriving later than this after the start is marked late |
| ``TUOYU_CHECKOUT_OPENS_MINUTES`` / ``TUOYU_CHECKOUT_CLOSES_MINUTES`` | ``30`` / ``60`` | check-out window around the end |
| ``TUOYU_REMINDER_TIME`` | ``09:00`` | local time of the day before a session when its reminder is sent |
| ``TUOYU_COURSEWARE_DIR`` | ``<data>/courseware`` | video files the app serves at ``/courseware/<file>`` |
| ``TUOYU_COURSEWARE_URL`` | empty | object-store base URL of the video files (instead of the app); its origin joins the CSP ``media-src`` |
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import ipaddress
import os
import re
import secrets
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from talent_pool.db import PoolConfig
from worker.settings import WorkerSettings

_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)", re.ASCII)


def is_base_url(url: str) -> bool:
    """Whether ``url`` is an ``http(s)://host[:port][/path]`` base URL a browser can open: a DNS
    name (letters, digits, hyphens; no label starting or ending with one), an IPv4 address or a
    bracketed IPv6 address; a port from 1 to 65535; no user info, query or fragment."""
    if not url.isascii() or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port out of range, a broken IPv6 bracket
        return False
    host = parts.hostname or ""
    if parts.scheme.lower() not in ("http", "https") or not host or port == 0:
        return False
    if parts.username is not None or parts.query or parts.fragment or "@" in parts.netloc:
        return False
    if not re.fullmatch(r"[A-Za-z0-9._~%/-]*", parts.path):
        return False
    if ":" in host:  # IPv6 (urlsplit took it out of its brackets)
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    return all(_HOST_LABEL.fullmatch(label) for label in host.rstrip(".").split("."))


class Settings(WorkerSettings):
    """Runtime configuration of the HTTP service read from ``TUOYU_*`` environment variables."""

    public_url: str = "http://127.0.0.1:8000"
    earlier_public_urls: str = ""
    signing_key_file: Path | None = None
    verify_key_files: str = ""
    retired_keys_dir: Path | None = None
    secret_key: str = ""
    holder_hash_key: str = ""
    token_hours: int = Field(default=12, ge=1, le=24 * 30)
    db_command_timeout: float = Field(default=30.0, ge=0, le=3600)
    verify_rate_per_minute: int = Field(default=60, ge=1)
    scan_path: bool = True
    login_rate_per_minute: int = Field(default=10, ge=1)
    claim_rate_per_minute: int = Field(default=10, ge=1)
    claim_refusals_per_day: int = Field(default=30, ge=1)
    bulk_identity_per_certificate: int = Field(default=3, ge=1)
    bulk_identity_per_day: int = Field(default=2000, ge=1)
    trusted_proxies: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    web_workers: int = Field(default=1, ge=1, le=64)
    access_log: bool = False
    log_json: bool = False
    checkin_opens_minutes: int = Field(default=30, ge=0, le=720)
    checkin_closes_minutes: int = Field(default=30, ge=0, le=720)
    checkin_late_minutes: int = Field(default=5, ge=0, le=720)
    checkout_opens_minutes: int = Field(default=30, ge=0, le=720)
    checkout_closes_minutes: int = Field(default=60, ge=0, le=720)
    reminder_time: dt.time = dt.time(9, 0)
    courseware_dir: Path | None = None
    courseware_url: str = ""

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _public_url_of_the_bound_address(self) -> Settings:
        """Without ``TUOYU_PUBLIC_URL`` the links the service prints (verify URLs in certificate
        QR codes, check-in QR codes) point where it listens: ``TUOYU_PORT=8731`` gives
        ``http://127.0.0.1:8731``, like ``tuoyu serve --port 8731`` does. An empty
        ``TUOYU_PUBLIC_URL=`` counts as not set (it made every printed link relative)."""
        if "public_url" not in self.model_fields_set or not self.public_url.strip():
            self.public_url = served_url(self.host, self.port)
        elif not is_base_url(self.public_url):  # printed into every QR code: a browser must open it
            raise ValueError(f"TUOYU_PUBLIC_URL {self.public_url} 不是 http(s)://主机[:端口] 形式的地址")
        return self

    @field_validator("earlier_public_urls")
    @classmethod
    def _earlier_public_urls(cls, value: str) -> str:
        """Comma-separated ``http(s)://host[:port][/path]`` URLs (their origins reach the pages)."""
        urls = [u.strip() for u in value.split(",") if u.strip()]
        for url in urls:
            if not is_base_url(url):
                raise ValueError(
                    f"TUOYU_EARLIER_PUBLIC_URLS 中的 {url} 不是 http(s)://主机[:端口] 形式的地址"
                )
        return ",".join(u.rstrip("/") for u in urls)

    def public_origins(self) -> list[str]:
        """The origins (``scheme://host[:port]``, lower case) this platform's verify URLs point at:
        ``TUOYU_PUBLIC_URL``'s first, then those of ``TUOYU_EARLIER_PUBLIC_URLS``, each once."""
        origins = []
        for url in [self.public_url, *filter(None, self.earlier_public_urls.split(","))]:
            parts = urlsplit(url)
            origins.append(f"{parts.scheme.lower()}://{parts.netloc.lower()}")
        return list(dict.fromkeys(origins))

    @field_validator("courseware_url")
    @classmethod
    def _courseware_url(cls, value: str) -> str:
        """Empty, or an ``http(s)://host[:port][/path]`` URL: its origin goes into the pages'
        Content-Security-Policy, so nothing else (no spaces, quotes, ``;`` or ``,``)."""
        value = value.strip()
        if value and not is_base_url(value):
            raise ValueError("TUOYU_COURSEWARE_URL 须为 https://主机[:端口][/路径] 形式的地址")
        return value

    @property
    def web_pool(self) -> PoolConfig:
        """The web service's pool: :attr:`pool` with ``TUOYU_DB_COMMAND_TIMEOUT`` (``0``: none)."""
        return dataclasses.replace(self.pool, command_timeout=self.db_command_timeout or None)

    def key_path(self) -> Path:
        """Where the Ed25519 signing key lives."""
        return self.signing_key_file or (self.data_dir / "signing_key.pem")

    def retired_key_paths(self) -> list[Path]:
        """PEM files of retired signing keys kept for verification only (``TUOYU_VERIFY_KEY_FILES``)."""
        return [Path(p.strip()) for p in self.verify_key_files.split(",") if p.strip()]

    def retired_keys_folder(self) -> Path:
        """The folder ``tuoyu keys rotate`` retires keys into; every ``*.pem`` there verifies."""
        return self.retired_keys_dir or (self.key_path().parent / "retired_keys")

    def courseware_path(self) -> Path:
        """The folder of video files served at ``/courseware/``."""
        return self.courseware_dir or (self.data_dir / "courseware")

    def courseware_base(self) -> str:
        """Where players load lesson files: the object store, else the app's ``/courseware``."""
        return self.courseware_url.rstrip("/") or "/courseware"

    def media_origins(self) -> tuple[str, ...]:
        """The origins lesson videos may load from besides the app itself: the object store's
        (``https://media.example.cn`` of ``TUOYU_COURSEWARE_URL``), none without one. They go
        into the pages' ``media-src`` (``service.security.page_csp``)."""
        if not self.courseware_url:
            return ()
        parts = urlsplit(self.courseware_url)
        return (f"{parts.scheme.lower()}://{parts.netloc.lower()}",)

    def checkin_key(self) -> bytes:
        """The key of the rotating check-in QR codes, derived from the token secret (never shown)."""
        return hmac.new(self.token_secret().encode(), b"tuoyu-checkin-qr-v1", hashlib.sha256).digest()

    def token_secret(self) -> str:
        """Secret for login tokens: ``TUOYU_SECRET_KEY`` or one generated into the data folder (0600)."""
        if self.secret_key:
            return self.secret_key
        return self._data_secret("secret_key")

    def holder_key(self) -> bytes:
        """The key of the holder hash in verify URLs (``certification.verify_url.holder_hash``):
        ``TUOYU_HOLDER_HASH_KEY`` or one generated into ``<data>/holder_hash_key`` (0600). Kept
        with the signing key and never rotated: a certificate's QR code checks against it for as
        long as the certificate lives (losing it makes those QR codes answer forged)."""
        return (self.holder_hash_key or self._data_secret("holder_hash_key")).encode()

    def _data_secret(self, name: str) -> str:
        """The secret in ``<data>/<name>``, generated (48 random bytes, URL-safe, mode 0600) by the
        first process that needs it."""
        path = self.data_dir / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # write a private temp file, then link it into place: atomic, first writer wins
            tmp = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}")
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


def served_url(host: str, port: int) -> str:
    """``http://HOST:PORT`` of a bound address as a browser on this machine reaches it: a
    wildcard address (``0.0.0.0``, ``::``) is shown as ``127.0.0.1``, an IPv6 literal in
    brackets, port 80 left out."""
    host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}" if port == 80 else f"http://{host}:{port}"


@cache
def get_settings() -> Settings:
    """The process-wide settings read once from the environment (the CLI's entry point; the
    app itself uses the settings passed to ``create_app``)."""
    return Settings()
