"""Ed25519 signing keys for certificates (``cryptography``), with JWKS publication.

Signatures are checked with libsodium (PyNaCl): the same Ed25519 (RFC 8032), about twice as
fast as OpenSSL's here (53 µs against 106 µs a check, measured 2026-11-29 on the 2-core test
machine) — the check is the largest single cost of a public verification (``GET /v/…``).
libsodium is the stricter of the two (it also refuses non-canonical signatures and small-order
keys), so nothing cryptography accepts as a forgery passes.

A :class:`Keyring` holds the active signing key (private, PEM on disk, mode 0600) and any
number of public keys (older keys after rotation, or a JWKS fetched by an offline checker).
Keys are named by their ``kid``: the RFC 7638 JWK thumbprint (SHA-256 over the canonical JSON
``{"crv":"Ed25519","kty":"OKP","x":…}``, base64url without padding, 43 characters).

No environment access: the caller passes the key path.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey


def b64url(data: bytes) -> str:
    """base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Inverse of :func:`b64url`; raises ``ValueError`` on malformed input."""
    if not isinstance(text, str) or not text.isascii():
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except Exception as exc:  # binascii.Error
        raise ValueError("not base64url") from exc


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def jwk_thumbprint(public_key: Ed25519PublicKey) -> str:
    """RFC 7638 thumbprint of an Ed25519 public key (RFC 8037 OKP JWK)."""
    canonical = json.dumps(
        {"crv": "Ed25519", "kty": "OKP", "x": b64url(_raw_public(public_key))},
        separators=(",", ":"),
        sort_keys=True,
    )
    return b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    """The public JWK ``{"kty":"OKP","crv":"Ed25519","x","kid","use":"sig","alg":"EdDSA"}``."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(_raw_public(public_key)),
        "kid": jwk_thumbprint(public_key),
        "use": "sig",
        "alg": "EdDSA",
    }


def load_public_pem(pem: bytes) -> Ed25519PublicKey:
    """The Ed25519 public key in ``pem``: a public key (SubjectPublicKeyInfo) or a private key
    (PKCS#8) whose public half is taken. Raises ``ValueError`` for anything else."""
    key: Any
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError:
        try:
            key = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError) as exc:
            raise ValueError("不是 PEM 格式的 Ed25519 密钥") from exc
        key = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("验证密钥不是 Ed25519 密钥")
    return key


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to a temporary file of ``mode`` beside ``path``, fsync, and rename it over
    ``path`` (readers see the old file or the new one, never a partial one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, mode)  # whatever the umask
    os.replace(tmp, path)


def retired_key_pems(folder: str | os.PathLike[str]) -> list[bytes]:
    """The PEM files (``*.pem``) of a folder of retired keys, in name order; ``[]`` when the
    folder does not exist."""
    p = Path(folder).expanduser()
    if not p.is_dir():
        return []
    return [f.read_bytes() for f in sorted(p.glob("*.pem"))]


def rotate_key(key_path: str | os.PathLike[str], retired_dir: str | os.PathLike[str]) -> tuple[str, str]:
    """Key rotation: retire the signing key at ``key_path`` and put a new one in its place.

    The current key's *public* half is written to ``retired_dir/{kid}.pem`` first (the private
    half of a retired key is not kept: it can no longer sign anything), then a new Ed25519 key
    replaces the file at ``key_path`` atomically with mode 0600. Every process that loads the
    keyring afterwards signs with the new key and still verifies with every retired key in
    ``retired_dir`` (:func:`retired_key_pems`), across any number of rotations. A crash between
    the two steps leaves the old key both current and retired, which is harmless.
    Returns ``(retired kid, new kid)``. Raises ``FileNotFoundError`` when there is no key to
    retire, ``ValueError`` when the file is not an Ed25519 private key.
    """
    path = Path(key_path).expanduser()
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{path} 不是 Ed25519 私钥")
    old_public = loaded.public_key()
    old_kid = jwk_thumbprint(old_public)
    public_pem = old_public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _write_atomically(Path(retired_dir).expanduser() / f"{old_kid}.pem", public_pem, 0o644)
    new = Ed25519PrivateKey.generate()
    private_pem = new.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_atomically(path, private_pem, 0o600)
    return old_kid, jwk_thumbprint(new.public_key())


class Keyring:
    """The signing key plus verification keys, addressed by ``kid``.

    - :meth:`from_path` loads the PEM (PKCS#8) private key at ``path`` or, when the file does
      not exist, generates one and writes it with mode 0600 (parent folder created).
    - :meth:`from_jwks` builds a verify-only keyring from a published JWKS (offline checkers).
    - :meth:`generate` makes an in-memory key (tests).

    ``sign`` raises ``RuntimeError`` on a verify-only keyring. ``verify`` never raises: it
    returns ``False`` for an unknown kid or a bad signature. A kid may be given in full or as a
    prefix of at least :data:`MIN_KID_PREFIX` characters (the verify URL carries a short prefix);
    an ambiguous prefix matches nothing.
    """

    MIN_KID_PREFIX = 8

    def __init__(
        self,
        private_key: Ed25519PrivateKey | None = None,
        public_keys: Iterable[Ed25519PublicKey] = (),
    ) -> None:
        self._private = private_key
        self._public: dict[str, Ed25519PublicKey] = {}
        self._kid: str | None = None
        if private_key is not None:
            pub = private_key.public_key()
            self._kid = jwk_thumbprint(pub)  # computed once: every issuance reads it
            self._public[self._kid] = pub
        for key in public_keys:
            self._public[jwk_thumbprint(key)] = key
        self._checkers = {kid: VerifyKey(_raw_public(key)) for kid, key in self._public.items()}
        self._prefixes: dict[str, str] = {}
        self.holder_key: bytes | None = None
        """The key of the holder hash in verify URLs (``certification.verify_url.holder_hash``):
        set by the service from its settings; ``None`` on an offline, verify-only keyring."""

    # construction -------------------------------------------------------------------------
    @classmethod
    def generate(cls) -> Keyring:
        """A keyring with a fresh in-memory Ed25519 key and holder-hash key (tests, tools)."""
        ring = cls(Ed25519PrivateKey.generate())
        ring.holder_key = secrets.token_bytes(32)
        return ring

    @classmethod
    def from_path(cls, path: str | os.PathLike[str], *, extra_public_pem: Iterable[bytes] = ()) -> Keyring:
        """Load the PEM private key at ``path``, generating and writing it (0600) if absent.

        ``extra_public_pem``: PEM keys of retired signing keys that must still verify (public
        keys, or private keys of which only the public half is kept). Raises ``ValueError`` when
        the file is not an Ed25519 private key or an extra key is not an Ed25519 key.
        """
        p = Path(path).expanduser()
        if not p.exists():
            cls._write_new_key(p)
        loaded = serialization.load_pem_private_key(p.read_bytes(), password=None)
        if not isinstance(loaded, Ed25519PrivateKey):
            raise ValueError(f"{p} 不是 Ed25519 私钥")
        private = loaded
        return cls(private, [load_public_pem(pem) for pem in extra_public_pem])

    @staticmethod
    def _write_new_key(p: Path) -> None:
        """Generate a key into ``p`` (mode 0600). Written to a temporary file and hard-linked
        into place, so two processes starting together end up sharing one complete key."""
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(f".{p.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, pem)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, p)
        except FileExistsError:
            pass  # another process won: use its key
        finally:
            tmp.unlink(missing_ok=True)

    @classmethod
    def from_jwks(cls, jwks: Mapping[str, Any] | str | bytes) -> Keyring:
        """A verify-only keyring from a JWKS document (dict or JSON text).

        Keys that are not ``OKP``/``Ed25519`` are ignored; a key whose ``kid`` does not match
        its thumbprint raises ``ValueError``.
        """
        doc = json.loads(jwks) if isinstance(jwks, str | bytes) else jwks
        keys = []
        for jwk in doc.get("keys", []):
            if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
                continue
            pub = Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
            if "kid" in jwk and jwk["kid"] != jwk_thumbprint(pub):
                raise ValueError(f"JWK kid {jwk['kid']} 与公钥指纹不符")
            keys.append(pub)
        return cls(None, keys)

    # use ----------------------------------------------------------------------------------
    @property
    def can_sign(self) -> bool:
        """True when the keyring holds a private key."""
        return self._private is not None

    @property
    def kid(self) -> str:
        """The kid of the signing key; raises ``RuntimeError`` on a verify-only keyring."""
        if self._kid is None:
            raise RuntimeError("此密钥环只能验证，不能签名")
        return self._kid

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public JWKS: ``{"keys": [{"kty","crv","x","kid","use","alg"}, …]}`` — the signing
        key first, then every retired key that still verifies."""
        return {"keys": [public_jwk(k) for k in self._public.values()]}

    def sign(self, data: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``data`` with the signing key."""
        if self._private is None:
            raise RuntimeError("此密钥环只能验证，不能签名")
        return self._private.sign(data)

    def _full_kid(self, kid: str) -> str | None:
        """The full kid that ``kid`` names (itself, or an unambiguous prefix ≥ 8 chars), or ``None``."""
        if kid in self._public:
            return kid
        if len(kid) < self.MIN_KID_PREFIX:
            return None
        full = self._prefixes.get(kid)
        if full is None:
            matches = [name for name in self._public if name.startswith(kid)]
            if len(matches) != 1:
                return None
            full = self._prefixes[kid] = matches[0]  # only prefixes of keys held: bounded
        return full

    def public_key(self, kid: str) -> Ed25519PublicKey | None:
        """The public key named ``kid`` (full or unambiguous prefix ≥ 8 chars), or ``None``."""
        full = self._full_kid(kid)
        return None if full is None else self._public[full]

    def verify(self, data: bytes, signature: bytes, kid: str) -> bool:
        """True when ``signature`` is a valid Ed25519 signature of ``data`` by key ``kid``."""
        full = self._full_kid(kid)
        if full is None:
            return False
        checker = self._checkers[full]
        try:
            checker.verify(data, signature)
        except (BadSignatureError, ValueError, TypeError):
            return False
        return True
