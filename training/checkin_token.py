"""The rotating check-in QR token (签到二维码): pure functions, no I/O, no clock.

A token names a session, a purpose (check-in or check-out) and a 15-second time window, and
carries an HMAC-SHA-256 over the three made with the service's secret key (never shown): it holds
no static secret, and a new token appears every window. A token is accepted in its own window
and the next one, so it lives 15–30 seconds: long enough to scan and send, too short for a
forwarded photo to work (二维码已过期).

Format: ``<session id>.<purpose letter>.<window number>.<MAC, 22 base64url characters>``,
e.g. ``12.i.115412345.Zk9...``. The window number is ``floor(unix seconds / 15)``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal

from training.errors import CheckinRefused

WINDOW_SECONDS = 15
"""How often the QR code changes (seconds)."""

Purpose = Literal["checkin", "checkout"]
_LETTER: dict[str, Purpose] = {"i": "checkin", "o": "checkout"}
_PURPOSE_LETTER = {v: k for k, v in _LETTER.items()}
MAX_TOKEN_LENGTH = 80

EXPIRED = "二维码已过期，请扫描屏幕上最新的二维码"
INVALID = "二维码无效"


@dataclass(frozen=True)
class CheckinToken:
    """A token issued for ``session_id``: the text to put in the QR code and when it stops
    being accepted (aware UTC)."""

    token: str
    session_id: int
    purpose: Purpose
    expires_at: dt.datetime


def window_of(now: dt.datetime) -> int:
    """The 15-second window ``now`` (aware) falls in."""
    return int(now.timestamp()) // WINDOW_SECONDS


def _mac(key: bytes, session_id: int, purpose: Purpose, window: int) -> str:
    message = f"tuoyu-checkin:{session_id}:{purpose}:{window}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue_token(key: bytes, session_id: int, purpose: Purpose, *, now: dt.datetime) -> CheckinToken:
    """The token of the current window for ``session_id``. ``key``: the service's check-in key
    (bytes, at least 16). ``expires_at`` is the end of the *next* window."""
    if len(key) < 16:
        raise ValueError("check-in key too short")
    window = window_of(now)
    text = f"{session_id}.{_PURPOSE_LETTER[purpose]}.{window}.{_mac(key, session_id, purpose, window)}"
    expires = dt.datetime.fromtimestamp((window + 2) * WINDOW_SECONDS, dt.UTC)
    return CheckinToken(text, session_id, purpose, expires)


def read_token(key: bytes, token: str, *, now: dt.datetime) -> tuple[int, Purpose]:
    """``(session_id, purpose)`` of a token scanned at ``now`` (aware).

    Raises :class:`~training.errors.CheckinRefused` with ``二维码无效`` for anything malformed,
    a wrong MAC or a window in the future, and with ``二维码已过期`` for a genuine token whose
    window is older than the previous one (a photo passed on).
    """
    parts = token.strip().split(".") if len(token) <= MAX_TOKEN_LENGTH else []
    if len(parts) != 4 or parts[1] not in _LETTER or not parts[0].isdigit() or not parts[2].isdigit():
        raise CheckinRefused(INVALID, reason="invalid")
    session_id, purpose, window = int(parts[0]), _LETTER[parts[1]], int(parts[2])
    if not hmac.compare_digest(parts[3], _mac(key, session_id, purpose, window)):
        raise CheckinRefused(INVALID, reason="invalid")
    current = window_of(now)
    if window > current:
        raise CheckinRefused(INVALID, reason="invalid")
    if window < current - 1:
        raise CheckinRefused(EXPIRED, reason="expired", session_id=session_id)
    return session_id, purpose
