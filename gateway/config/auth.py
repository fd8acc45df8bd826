"""Configuration of authentication (JWT, API keys, identity headers) and authorization directives.

Why a module of its own: these sections are large and owned by the edge-policy plugins; ``model.py`` only
adds one field per section. This module must not import ``model.py`` at import time (``model.py`` imports
it), so it declares its own ``Duration`` alias (the same ``Annotated`` marker the loader recognises) and
imports ``InvalidField`` lazily when a value is rejected.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Annotated, Any

# Must equal ``gateway.config.model.Duration`` (checked by tests/auth/test_config.py).
Duration = Annotated[float, "duration"]

HMAC_ALGORITHMS = ("HS256", "HS384", "HS512")
ASYMMETRIC_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
SUPPORTED_ALGORITHMS = HMAC_ALGORITHMS + ASYMMETRIC_ALGORITHMS

# What an identity header may carry: a principal attribute or one claim.
_IDENTITY_VALUE = re.compile(r"^(subject|client_id|scopes|tier|source|claims\.[A-Za-z0-9_:.\-/]+)$")
_POLICY_TARGET = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
# Headers the gateway manages itself; an identity header may not use them.
_RESERVED = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "upgrade", "content-length", "host", "content-type"}
)


def _invalid(field_name: str, message: str) -> Exception:
    from gateway.config.model import InvalidField  # lazy: model.py imports this module

    return InvalidField(field_name, message)


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


# --- authentication ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JwtKeySource:
    """One place verification keys come from: a JWKS URL, a local JWK/JWKS/PEM file, or an HMAC secret."""

    url: str | None = field(
        default=None, metadata=_doc("JWKS URL, fetched at start, polled and refetched on an unknown kid.")
    )
    file: str | None = field(
        default=None, metadata=_doc("Local key file: a JWKS or JWK (JSON) or a PEM public key.")
    )
    secret: str | None = field(
        default=None, metadata=_doc("HMAC shared secret (use ${env.NAME}); verifies HS* tokens only.")
    )
    kid: str | None = field(
        default=None, metadata=_doc("Key id of the PEM file or secret (tokens with another kid skip it).")
    )
    algorithms: tuple[str, ...] = field(
        default=(),
        metadata=_doc(
            "Allowed `alg` values for this source; empty means every asymmetric algorithm for url/file "
            "and HS256/384/512 for secret. `none` is never accepted."
        ),
    )
    issuer: str | None = field(default=None, metadata=_doc("Required `iss` claim (unchecked when unset)."))
    audiences: tuple[str, ...] = field(
        default=(), metadata=_doc("Accepted `aud` values; when set the token must carry one of them.")
    )
    poll_interval: Duration = field(default=60.0, metadata=_doc("How often a JWKS URL is refetched."))
    min_refetch_interval: Duration = field(
        default=10.0, metadata=_doc("A token with an unknown kid refetches the JWKS at most this often.")
    )
    fetch_timeout: Duration = field(default=5.0, metadata=_doc("Time limit of one JWKS fetch."))

    def __post_init__(self) -> None:
        given = [name for name in ("url", "file", "secret") if getattr(self, name) is not None]
        if len(given) != 1:
            raise _invalid("url", "a key source needs exactly one of 'url', 'file' or 'secret'")
        if self.url is not None and not self.url.startswith(("http://", "https://")):
            raise _invalid("url", "url must be an http:// or https:// URL")
        if self.secret is not None and len(self.secret.encode("utf-8")) < 32:
            raise _invalid("secret", "an HMAC secret must be at least 32 bytes (RFC 7518 section 3.2)")
        allowed = HMAC_ALGORITHMS if self.secret is not None else ASYMMETRIC_ALGORITHMS
        for alg in self.algorithms:
            if alg not in allowed:
                kind = "an HMAC secret" if self.secret is not None else "a public-key source"
                raise _invalid(
                    "algorithms",
                    f"algorithm {alg!r} is not allowed for {kind}; use one of {', '.join(allowed)}",
                )
        if not self.algorithms:
            object.__setattr__(self, "algorithms", allowed)
        for name in ("poll_interval", "min_refetch_interval", "fetch_timeout"):
            if getattr(self, name) <= 0:
                raise _invalid(name, f"{name} must be greater than zero")


@dataclass(frozen=True, slots=True)
class JwtConfig:
    """Bearer tokens: where they are read from, which keys verify them and which claims are checked."""

    header_name: str = field(default="authorization", metadata=_doc("Request header carrying the token."))
    header_prefix: str = field(
        default="Bearer", metadata=_doc("Scheme before the token in the header (empty: the bare token).")
    )
    cookie_name: str | None = field(
        default=None, metadata=_doc("Also read the token from this cookie when the header is absent.")
    )
    sources: tuple[JwtKeySource, ...] = field(default=(), metadata=_doc("Key sources, tried in order."))
    leeway: Duration = field(default=30.0, metadata=_doc("Clock skew tolerated for exp, nbf and iat."))
    required_claims: tuple[str, ...] = field(
        default=("exp",), metadata=_doc("Claims every token must carry.")
    )
    tier_claim: str | None = field(
        default=None, metadata=_doc("Claim naming the caller's rate-limit tier (Principal.tier).")
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "header_name", self.header_name.strip().lower())
        if not self.header_name:
            raise _invalid("header_name", "header_name cannot be empty")
        if not self.sources:
            raise _invalid("sources", "jwt needs at least one key source")
        if self.leeway < 0:
            raise _invalid("leeway", "leeway cannot be negative")


@dataclass(frozen=True, slots=True)
class ApiKey:
    """One API key, stored as the SHA-256 hex digest of the key (the key itself never sits in config)."""

    sha256: str = field(default="", metadata=_doc("sha256 hex digest of the key (gateway auth hash-key)."))
    client_id: str = field(default="", metadata=_doc("Who this key identifies (Principal.client_id)."))
    scopes: tuple[str, ...] = field(default=(), metadata=_doc("Scopes granted to this key."))
    tier: str | None = field(default=None, metadata=_doc("Rate-limit tier of this client."))

    def __post_init__(self) -> None:
        digest = self.sha256.strip().lower()
        if not _SHA256_HEX.match(digest):
            raise _invalid("sha256", "sha256 must be 64 hexadecimal characters (the SHA-256 of the key)")
        object.__setattr__(self, "sha256", digest)
        if not self.client_id:
            raise _invalid("client_id", "an API key needs a client_id")


@dataclass(frozen=True, slots=True)
class ApiKeysConfig:
    """API keys read from a request header."""

    header_name: str = field(default="x-api-key", metadata=_doc("Request header carrying the key."))
    keys: tuple[ApiKey, ...] = field(default=(), metadata=_doc("Accepted keys."))

    def __post_init__(self) -> None:
        object.__setattr__(self, "header_name", self.header_name.strip().lower())
        if not self.header_name:
            raise _invalid("header_name", "header_name cannot be empty")
        digests = [key.sha256 for key in self.keys]
        if len(set(digests)) != len(digests):
            raise _invalid("keys", "the same key is listed twice")


@dataclass(frozen=True, slots=True)
class AuthenticationConfig:
    """Who is calling: JWT and/or API keys, and how the identity reaches subgraphs."""

    jwt: JwtConfig | None = field(default=None, metadata=_doc("Bearer token (JWT) authentication."))
    api_keys: ApiKeysConfig | None = field(default=None, metadata=_doc("API key authentication."))
    require_authentication: bool = field(
        default=False, metadata=_doc("Refuse (401) requests without credentials instead of anonymous.")
    )
    identity_headers: Mapping[str, str] = field(
        default_factory=_empty,
        metadata=_doc(
            "Headers set on every subgraph request from the principal: header name -> subject, client_id, "
            "scopes, tier, source or claims.<name>. Client-sent copies are always removed."
        ),
    )
    forward_token: bool = field(
        default=False, metadata=_doc("Send the verified JWT to subgraphs as `authorization: Bearer`.")
    )

    def __post_init__(self) -> None:
        cleaned: dict[str, str] = {}
        for name, value in self.identity_headers.items():
            lowered = name.strip().lower()
            if not lowered or lowered in _RESERVED:
                raise _invalid("identity_headers", f"header {name!r} cannot be used as an identity header")
            if not _IDENTITY_VALUE.match(value):
                raise _invalid(
                    "identity_headers",
                    f"unknown identity value {value!r} for header {name!r}; use subject, client_id, scopes, "
                    "tier, source or claims.<name>",
                )
            cleaned[lowered] = value
        object.__setattr__(self, "identity_headers", MappingProxyType(cleaned))
        if self.require_authentication and self.jwt is None and self.api_keys is None:
            raise _invalid("require_authentication", "require_authentication needs jwt or api_keys")

    @property
    def enabled(self) -> bool:
        """Whether the authentication plugin has anything to do."""
        return bool(self.jwt or self.api_keys or self.require_authentication or self.identity_headers)


# --- authorization ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuthorizationConfig:
    """Enforcement of @authenticated, @requiresScopes and @policy from the supergraph."""

    enabled: bool = field(
        default=True,
        metadata=_doc(
            "Enforce the supergraph's authorization directives (when it has any and `authentication` is "
            "configured; without authentication they are not enforced and a warning is logged)."
        ),
    )
    reject_unauthorized: bool = field(
        default=False, metadata=_doc("Reject the whole operation instead of removing unauthorized fields.")
    )
    dry_run: bool = field(
        default=False, metadata=_doc("Only report (log and extensions.authorization); never filter.")
    )
    policies: Mapping[str, str] = field(
        default_factory=_empty,
        metadata=_doc("@policy name -> 'package.module:function' deciding it (sync or async)."),
    )

    def __post_init__(self) -> None:
        for name, target in self.policies.items():
            if not _POLICY_TARGET.match(target):
                raise _invalid(
                    "policies", f"policy {name!r}: expected 'package.module:function', got {target!r}"
                )
