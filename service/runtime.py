"""Process-wide runtime objects built from settings: the certificate keyring."""

from __future__ import annotations

from functools import cache

from certification.signing import Keyring
from service.settings import get_settings


@cache
def keyring() -> Keyring:
    """The Ed25519 keyring (generated into the data folder on first use when missing)."""
    return Keyring.from_path(get_settings().key_path())
