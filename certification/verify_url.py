"""The signed verify URL printed as the certificate's QR code.

Format (short ASCII, every value URL-safe)::

    {public_url}/v/{number}?i={YYYYMMDD}&e={YYYYMMDD|0}&p={programme_code}&h={holder_hash}&k={kid8}&s={signature}

- ``number``: the 22-character certificate number (``^[YS]\\d{21}$``).
- ``i`` issue date, ``e`` expiry date (``0`` = does not expire), both local dates.
- ``p`` programme code (e.g. ``1X-YEZH-1``, ``4-10-01-03-L5``).
- ``h`` holder hash: base64url of the first 8 bytes of HMAC-SHA256 with the service's holder-hash
  key (``TUOYU_HOLDER_HASH_KEY``) of ``"{number}|{holder_id_number}|{holder_name}"`` — binds the
  certificate to its holder without putting personal data in the URL. Keyed, because the ID
  number is the only secret in that text: the public answer shows its first and last
  characters and the certificate the name, and an unkeyed hash (SHA-256 of the same text, the
  form of URLs issued before 2026-11-30, still accepted) gave the full number back to a search
  of a few million candidates — seconds on one core (trial, 2026-11-30).
- ``k`` the first 8 characters of the signing key's ``kid`` (RFC 7638 thumbprint; the JWKS
  carries the full kid, prefixes are matched unambiguously).
- ``s`` base64url Ed25519 signature (64 bytes → 86 characters) over the canonical string
  ``"TYC1|{number}|{p}|{i}|{e}|{h}|{k}"`` (ASCII).

Anyone holding the JWKS can check a URL offline with :func:`parse_and_check`; an edited field
or a made-up number fails before any database lookup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlencode

from certification.numbers import NUMBER_RE
from certification.signing import Keyring, b64url, b64url_decode

SCHEME = "TYC1"
KID_CHARS = 8
SIGNED_FIELDS = ("i", "e", "p", "h", "k", "s")
_DATE_RE = re.compile(r"^\d{8}$")
_EXPIRY_RE = re.compile(r"^(?:\d{8}|0)$")
_PROGRAMME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
_HASH_RE = re.compile(r"^[A-Za-z0-9_-]{11}$")
_KID_RE = re.compile(r"^[A-Za-z0-9_-]{8,43}$")
_SIG_RE = re.compile(r"^[A-Za-z0-9_-]{86}$")


@dataclass(frozen=True, slots=True)
class SignedClaims:
    """The fields a verify URL vouches for, after its signature checked out."""

    number: str
    programme_code: str
    issued_on: dt.date
    expires_on: dt.date | None
    holder_hash: str
    kid: str


def holder_hash(number: str, id_number: str, name: str, key: bytes | None) -> str:
    """11-character base64url of the first 8 bytes of HMAC-SHA256(``key``,
    ``number|id_number|name``); with ``key`` ``None`` the unkeyed SHA-256 of URLs issued before
    2026-11-30 (checked, never issued any more)."""
    text = f"{number}|{id_number}|{name}".encode()
    digest = (
        hmac.new(key, text, hashlib.sha256).digest() if key is not None else hashlib.sha256(text).digest()
    )
    return b64url(digest[:8])


def holder_matches(claimed: str, number: str, id_number: str, name: str, key: bytes | None) -> bool:
    """Whether a URL's holder hash ``claimed`` is the one of this holder: keyed (``key``), or the
    unkeyed form of URLs issued before 2026-11-30 (their QR codes are printed; the signature
    still covers the value, so accepting it lets nothing be forged)."""
    if key is not None and hmac.compare_digest(claimed, holder_hash(number, id_number, name, key)):
        return True
    return hmac.compare_digest(claimed, holder_hash(number, id_number, name, None))


def _d(day: dt.date | None) -> str:
    return "0" if day is None else day.strftime("%Y%m%d")


def canonical(number: str, programme_code: str, issued: str, expires: str, hh: str, kid: str) -> bytes:
    """The exact bytes that are signed (see the module docstring)."""
    return f"{SCHEME}|{number}|{programme_code}|{issued}|{expires}|{hh}|{kid}".encode("ascii")


def sign_params(
    *,
    number: str,
    programme_code: str,
    issued_on: dt.date,
    expires_on: dt.date | None,
    holder_id_number: str,
    holder_name: str,
    keyring: Keyring,
) -> dict[str, str]:
    """The signed query parameters ``{"i","e","p","h","k","s"}`` for a certificate.

    Raises ``RuntimeError`` when ``keyring`` cannot sign or has no holder-hash key, ``ValueError``
    for a malformed number or programme code.
    """
    if not NUMBER_RE.match(number):
        raise ValueError(f"证书编号格式错误: {number}")
    if not _PROGRAMME_RE.match(programme_code):
        raise ValueError(f"项目代码含有不允许的字符: {programme_code}")
    kid = keyring.kid[:KID_CHARS]
    if keyring.holder_key is None:
        raise RuntimeError("密钥环没有持证人哈希密钥（TUOYU_HOLDER_HASH_KEY），不能签发核验网址")
    hh = holder_hash(number, holder_id_number, holder_name, keyring.holder_key)
    i, e = _d(issued_on), _d(expires_on)
    sig = keyring.sign(canonical(number, programme_code, i, e, hh, kid))
    return {"i": i, "e": e, "p": programme_code, "h": hh, "k": kid, "s": b64url(sig)}


def build_verify_url(public_url: str, number: str, params: Mapping[str, str]) -> str:
    """``{public_url}/v/{number}?{params}`` (``public_url`` without a trailing slash)."""
    query = urlencode([(k, params[k]) for k in SIGNED_FIELDS])
    return f"{public_url.rstrip('/')}/v/{number}?{query}"


def query_params(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """A verify URL's query parameters (``(name, value)`` pairs in order) as one value each. A
    signed field given more than once keeps all its values joined by a line break, which no
    field accepts: the URL is answered ``forged`` (``malformed:<field>``), never one of the
    copies silently chosen. Other parameters keep their first value."""
    out: dict[str, str] = {}
    for name, value in pairs:
        if name in out and name in SIGNED_FIELDS:
            out[name] = f"{out[name]}\n{value}"
        else:
            out.setdefault(name, value)
    return out


def has_signed_params(params: Mapping[str, str] | None) -> bool:
    """True when ``params`` carries any of the signed fields (a scanned QR code, not a number
    typed by hand)."""
    return bool(params) and any(k in params for k in SIGNED_FIELDS)  # type: ignore[operator]


def _date(text: str) -> dt.date | None:
    if text == "0":
        return None
    if not _DATE_RE.match(text):
        raise ValueError(text)
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))  # ValueError for 20260230


_WELL_FORMED = re.compile(
    r"\d{8}\|(?:\d{8}|0)\|[A-Za-z0-9][A-Za-z0-9._-]{0,31}\|[A-Za-z0-9_-]{11}\|[A-Za-z0-9_-]{8,43}\|"
    r"[A-Za-z0-9_-]{85}[AQgw]"
)
"""The signed fields ``i|e|p|h|k|s`` joined by ``|`` (which no field may hold), when every one is
well formed by the rules of :func:`_field_reason`, in one match: the signature's 86th character
is one whose 4 unused bits are zero (base64url ``A``, ``Q``, ``g``, ``w``)."""


def _field_reason(query_params: Mapping[str, str]) -> str | None:
    """Why the signed fields of ``query_params`` are not well formed: ``"missing:<field>"`` or
    ``"malformed:<field>"`` for the first field (in :data:`SIGNED_FIELDS` order) at fault;
    ``None`` when they are."""
    values: dict[str, str] = {}
    for field in SIGNED_FIELDS:
        value = query_params.get(field)
        if value is None or value == "":
            return f"missing:{field}"
        if not isinstance(value, str) or len(value) > 100 or not value.isascii():
            return f"malformed:{field}"
        values[field] = value
    checks = {
        "i": _DATE_RE,
        "e": _EXPIRY_RE,
        "p": _PROGRAMME_RE,
        "h": _HASH_RE,
        "k": _KID_RE,
    }
    for field, pattern in checks.items():
        if not pattern.fullmatch(values[field]):
            return f"malformed:{field}"
    signature = values["s"]
    try:
        if not _SIG_RE.fullmatch(signature) or b64url(b64url_decode(signature)) != signature:
            return "malformed:s"  # the last character's 4 unused bits must be zero
    except ValueError:
        return "malformed:s"
    return None


def parse_and_check(number: str, query_params: Mapping[str, str], keyring: Keyring) -> SignedClaims | str:
    """Check a verify URL's signature; return its :class:`SignedClaims` or a reason string.

    Reasons: ``"bad_number"``, ``"missing:<field>"``, ``"malformed:<field>"``,
    ``"unknown_key"`` (kid not in ``keyring``), ``"bad_signature"``. Never raises for any input.
    Works with a verify-only keyring built from the published JWKS.

    The fields of a scanned QR code are well formed: one pattern checks them all
    (:data:`_WELL_FORMED`), and only a URL failing it is looked at field by field to name the
    reason — the public scan is the service's hottest request (bench/README.md, ``http``).
    """
    if not isinstance(number, str) or not NUMBER_RE.match(number):
        return "bad_number"
    values = [query_params.get(field) for field in SIGNED_FIELDS]
    texts = all(type(value) is str for value in values)
    joined = "|".join(cast("list[str]", values)) if texts else ""
    if not (joined.isascii() and _WELL_FORMED.fullmatch(joined)):
        reason = _field_reason(query_params)
        if reason is not None:
            return reason
    i, e, p, h, k, s = cast("list[str]", values)  # every one text: checked above
    try:
        issued = _date(i)
    except ValueError:
        issued = None  # a day that does not exist, e.g. 20260230
    if issued is None:
        return "malformed:i"
    try:
        expires = _date(e)
    except ValueError:
        return "malformed:e"
    if not keyring.verify(canonical(number, p, i, e, h, k), b64url_decode(s), k):
        return "unknown_key" if keyring.public_key(k) is None else "bad_signature"
    return SignedClaims(
        number=number, programme_code=p, issued_on=issued, expires_on=expires, holder_hash=h, kid=k
    )
