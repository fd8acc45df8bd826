"""Verification keys: parsed once from JWKs, JWKS documents, PEM files or HMAC secrets.

Why each key carries its *family*: the classic JWT attacks pick the algorithm (``alg: none``, or HS256 with an
RSA public key used as the HMAC secret). A key here only ever verifies algorithms of its own family (and its
own ``alg``/curve when the JWK declares one), whatever the token header says.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from jwt import PyJWK
from jwt.exceptions import PyJWKError

log = logging.getLogger("gateway.auth")

Family = Literal["hmac", "rsa", "ec", "okp"]

# alg -> key family
ALG_FAMILY: Mapping[str, Family] = {
    "HS256": "hmac",
    "HS384": "hmac",
    "HS512": "hmac",
    "RS256": "rsa",
    "RS384": "rsa",
    "RS512": "rsa",
    "PS256": "rsa",
    "PS384": "rsa",
    "PS512": "rsa",
    "ES256": "ec",
    "ES384": "ec",
    "ES512": "ec",
    "EdDSA": "okp",
}
_EC_CURVE = {"ES256": "secp256r1", "ES384": "secp384r1", "ES512": "secp521r1"}
_KTY_FAMILY: Mapping[str, Family] = {"oct": "hmac", "RSA": "rsa", "EC": "ec", "OKP": "okp"}
# PyJWK needs an algorithm to build a key object; any member of the family works for loading.
_LOAD_ALG = {"EC": {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}}


class KeyLoadError(ValueError):
    """A key file or JWKS document cannot be used."""


@dataclass(frozen=True, slots=True)
class VerificationKey:
    """One key and what it may verify."""

    kid: str | None
    family: Family
    key: Any  # a cryptography public key, or bytes for HMAC
    alg: str | None = None  # the JWK's own `alg`, when declared

    def accepts(self, alg: str) -> bool:
        """May this key verify a token signed with ``alg``? (family, declared alg and EC curve must match)."""
        if ALG_FAMILY.get(alg) != self.family:
            return False
        if self.alg is not None and self.alg != alg:
            return False
        if self.family == "ec":
            return getattr(self.key.curve, "name", None) == _EC_CURVE.get(alg)
        return True


def key_from_jwk(jwk: Mapping[str, Any]) -> VerificationKey | None:
    """Parse one JWK; ``None`` (logged) for keys we must not or cannot use (encryption keys, unknown kty)."""
    kty = jwk.get("kty")
    family = _KTY_FAMILY.get(kty) if isinstance(kty, str) else None
    kid = jwk.get("kid") if isinstance(jwk.get("kid"), str) else None
    if family is None:
        log.warning("JWK %s skipped: unsupported key type %r", kid, kty)
        return None
    if jwk.get("use") not in (None, "sig"):
        return None
    declared = jwk.get("alg") if isinstance(jwk.get("alg"), str) else None
    if declared is not None and ALG_FAMILY.get(declared) != family:
        log.warning("JWK %s skipped: alg %r does not match key type %r", kid, declared, kty)
        return None
    load_alg = declared or _LOAD_ALG.get(str(kty), {}).get(str(jwk.get("crv")))
    if load_alg is None:
        load_alg = {"oct": "HS256", "RSA": "RS256", "OKP": "EdDSA"}.get(str(kty))
    try:
        parsed = PyJWK(dict(jwk), algorithm=load_alg)
    except (PyJWKError, ValueError, TypeError, KeyError) as exc:
        log.warning("JWK %s skipped: %s", kid, exc)
        return None
    return VerificationKey(kid=kid, family=family, key=parsed.key, alg=declared)


def keys_from_jwks(document: Any) -> tuple[VerificationKey, ...]:
    """Parse a JWKS (``{"keys": [...]}``) or a single JWK; raise ``KeyLoadError`` when it is neither."""
    if isinstance(document, Mapping) and isinstance(document.get("keys"), list):
        entries = document["keys"]
    elif isinstance(document, Mapping) and "kty" in document:
        entries = [document]
    else:
        raise KeyLoadError("expected a JWKS object with a 'keys' list, or a JWK")
    keys = [key_from_jwk(entry) for entry in entries if isinstance(entry, Mapping)]
    return tuple(key for key in keys if key is not None)


def key_from_pem(data: bytes, kid: str | None) -> VerificationKey:
    """Parse a PEM public key; its type decides the family."""
    try:
        public = load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise KeyLoadError(f"not a PEM public key: {exc}") from None
    family: Family
    if isinstance(public, rsa.RSAPublicKey):
        family = "rsa"
    elif isinstance(public, ec.EllipticCurvePublicKey):
        family = "ec"
    elif isinstance(public, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        family = "okp"
    else:
        raise KeyLoadError(f"unsupported public key type {type(public).__name__}")
    return VerificationKey(kid=kid, family=family, key=public)


def keys_from_file(path: str, kid: str | None) -> tuple[VerificationKey, ...]:
    """Read a JWKS/JWK JSON file or a PEM public key file."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise KeyLoadError(f"cannot read key file {path}: {exc}") from None
    if data.lstrip().startswith(b"-----BEGIN"):
        return (key_from_pem(data, kid),)
    try:
        document = json.loads(data)
    except ValueError:
        raise KeyLoadError(f"{path} is neither JSON (JWK/JWKS) nor PEM") from None
    keys = keys_from_jwks(document)
    if not keys:
        raise KeyLoadError(f"{path} holds no usable signing key")
    return keys


def key_from_secret(secret: str, kid: str | None) -> VerificationKey:
    """An HMAC key: verifies HS256/384/512 only."""
    return VerificationKey(kid=kid, family="hmac", key=secret.encode("utf-8"))
