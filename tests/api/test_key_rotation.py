"""Key rotation: ``tuoyu keys rotate`` (the real command, in a subprocess) retires the signing
key into the retired-keys folder and writes a new one (0600); certificates signed with any
earlier key keep verifying, over HTTP and offline with the published JWKS."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from certification import Keyring, check_certificate, issue_certificates, parse_and_check
from certification.verify_url import SignedClaims
from service.runtime import load_keyring
from tests.factories import ISSUE_DAY, passed_sitting
from tests.servers import REPO, serve_in_process, settings_for
from worker.clock import FixedClock

PUBLIC_URL = "https://tuoyu.example.cn"


def _rotate(data_dir: Path) -> str:
    env = {**os.environ, "TUOYU_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "keys", "rotate"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _split(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    return parts.path.rsplit("/", 1)[1], dict(parse_qsl(parts.query))


async def test_certificates_keep_verifying_across_two_rotations(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path)
    first_ring = load_keyring(settings)  # generates the first key (0600)
    sitting_a, _ = await passed_sitting(1)
    old = (
        await issue_certificates(sitting_a, issued_on=ISSUE_DAY, public_url=PUBLIC_URL, keyring=first_ring)
    ).certificates[0]

    out1 = _rotate(tmp_path)
    second_ring = load_keyring(settings)
    out2 = _rotate(tmp_path)
    third_ring = load_keyring(settings)
    assert f"已退役密钥 {first_ring.kid}" in out1 and f"新签名密钥 {second_ring.kid}" in out1
    assert f"已退役密钥 {second_ring.kid}" in out2 and f"新签名密钥 {third_ring.kid}" in out2
    assert len({first_ring.kid, second_ring.kid, third_ring.kid}) == 3
    key_file = settings.key_path()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    retired = sorted(p.name for p in settings.retired_keys_folder().glob("*.pem"))
    assert retired == sorted([f"{first_ring.kid}.pem", f"{second_ring.kid}.pem"])
    assert all(b"PRIVATE" not in p.read_bytes() for p in settings.retired_keys_folder().glob("*.pem"))

    sitting_b, _ = await passed_sitting(1, code="4-10-01-03-L5")
    new = (
        await issue_certificates(sitting_b, issued_on=ISSUE_DAY, public_url=PUBLIC_URL, keyring=third_ring)
    ).certificates[0]
    assert (old.kid, new.kid) == (first_ring.kid, third_ring.kid)

    # without the retired keys the old QR would be "forged" (the bug this fixes)
    number, params = _split(old.verify_url)
    current_only = Keyring.from_path(key_file)
    bare = await check_certificate(number, params, today=ISSUE_DAY, keyring=current_only)
    assert (bare.outcome, bare.reason) == ("forged", "unknown_key")

    clock = FixedClock(dt.datetime(2026, 11, 29, 4, 0, tzinfo=dt.UTC))
    from service.app import create_app

    async with serve_in_process(create_app(settings, engine=pg_engine, clock=clock)) as c:
        jwks = (await c.get("/.well-known/jwks.json")).json()
        assert jwks["keys"][0]["kid"] == third_ring.kid
        assert sorted(k["kid"] for k in jwks["keys"]) == sorted(
            [first_ring.kid, second_ring.kid, third_ring.kid]
        )
        for cert in (old, new):
            parts = urlsplit(cert.verify_url)
            r = await c.get(f"{parts.path}?{parts.query}", headers={"Accept": "application/json"})
            assert r.status_code == 200
            assert (r.json()["outcome"], r.json()["signature_checked"]) == ("valid", True), r.json()
        tampered = old.verify_url.replace("&s=", "&s=A")[: len(old.verify_url)]
        parts = urlsplit(tampered)
        r = await c.get(f"{parts.path}?{parts.query}", headers={"Accept": "application/json"})
        assert r.json()["outcome"] == "forged"
        parts = urlsplit(old.verify_url)  # a signed field repeated: never one copy silently chosen
        r = await c.get(f"{parts.path}?{parts.query}&i=20301130", headers={"Accept": "application/json"})
        assert (r.json()["outcome"], r.json()["reason"]) == ("forged", "malformed:i")

    offline = Keyring.from_jwks(jwks)  # an offline checker with only the published keys
    claims = parse_and_check(number, params, offline)
    assert isinstance(claims, SignedClaims) and claims.kid == first_ring.kid[:8]


def test_rotating_without_a_key_says_so(tmp_path: Path) -> None:
    env = {**os.environ, "TUOYU_DATA_DIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "keys", "rotate"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "没有可轮换的签名密钥" in done.stderr
