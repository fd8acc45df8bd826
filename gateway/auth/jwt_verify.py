"""Verifies one bearer token against the configured key sources and returns its claims.

Why the algorithm is checked before any key is touched: the token header is attacker-controlled. Only an
``alg`` in a source's allow-list is considered, only keys of that algorithm's family (and declared alg/curve)
are tried, and PyJWT is called with exactly that one algorithm, so ``none`` and HS/RS confusion cannot pass.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt

from gateway.auth.jwks import JwksCache
from gateway.auth.keys import VerificationKey, key_from_secret, keys_from_file
from gateway.config.auth import JwtConfig, JwtKeySource

log = logging.getLogger("gateway.auth")


class TokenError(Exception):
    """The token is not acceptable; the message is safe to show (it never contains the token)."""


@dataclass(slots=True)
class _Source:
    """One configured source: static keys, or a JWKS cache."""

    config: JwtKeySource
    static: tuple[VerificationKey, ...] = ()
    jwks: JwksCache | None = None

    @property
    def keys(self) -> tuple[VerificationKey, ...]:
        return self.jwks.keys if self.jwks is not None else self.static


def _candidates(source: _Source, alg: str, kid: str | None) -> list[VerificationKey]:
    return [k for k in source.keys if k.accepts(alg) and (kid is None or k.kid is None or k.kid == kid)]


class JwtVerifier:
    """Checks signature, algorithm, ``exp``/``nbf``/``iat`` (with leeway), ``iss`` and ``aud``."""

    def __init__(self, config: JwtConfig) -> None:
        self.config = config
        self.sources: list[_Source] = []
        for source in config.sources:
            if source.url is not None:
                self.sources.append(_Source(source, jwks=JwksCache(source)))
            elif source.file is not None:
                self.sources.append(_Source(source, static=keys_from_file(source.file, source.kid)))
            else:
                assert source.secret is not None
                self.sources.append(_Source(source, static=(key_from_secret(source.secret, source.kid),)))

    async def start(self) -> None:
        for source in self.sources:
            if source.jwks is not None:
                await source.jwks.start()

    async def close(self) -> None:
        for source in self.sources:
            if source.jwks is not None:
                await source.jwks.close()

    async def verify(self, token: str) -> dict[str, Any]:
        """Return the verified claims or raise ``TokenError``."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenError("The token is not a valid JWT.") from None
        alg = header.get("alg")
        kid = header.get("kid")
        if not isinstance(alg, str) or alg == "none":
            raise TokenError("The token's algorithm is not allowed.")
        if kid is not None and not isinstance(kid, str):
            raise TokenError("The token's key id is invalid.")
        sources = [s for s in self.sources if alg in s.config.algorithms]
        if not sources:
            raise TokenError("The token's algorithm is not allowed.")
        tried = False
        last: TokenError | None = None
        for source in sources:
            candidates = _candidates(source, alg, kid)
            unknown_kid = not candidates and kid is not None and source.jwks is not None
            if unknown_kid and await source.jwks.refetch_for_unknown_kid():  # type: ignore[union-attr]
                candidates = _candidates(source, alg, kid)
            for key in candidates:
                tried = True
                try:
                    return self._decode(token, key, alg, source.config)
                except jwt.InvalidSignatureError:
                    last = TokenError("The token's signature is invalid.")
                except jwt.ExpiredSignatureError:
                    raise TokenError("The token has expired.") from None
                except jwt.ImmatureSignatureError:
                    raise TokenError("The token is not valid yet.") from None
                except jwt.InvalidAudienceError:
                    last = TokenError("The token's audience is not accepted.")
                except jwt.InvalidIssuerError:
                    last = TokenError("The token's issuer is not accepted.")
                except jwt.MissingRequiredClaimError as exc:
                    last = TokenError(f"The token lacks the required claim {exc.claim!r}.")
                except jwt.PyJWTError:
                    last = TokenError("The token is invalid.")
        if not tried:
            raise TokenError("No key matches the token's key id and algorithm.")
        assert last is not None
        raise last

    def _decode(self, token: str, key: VerificationKey, alg: str, source: JwtKeySource) -> dict[str, Any]:
        options: Mapping[str, Any] = {
            "require": list(self.config.required_claims),
            "verify_aud": bool(source.audiences),
            "verify_iss": source.issuer is not None,
        }
        claims = jwt.decode(
            token,
            key.key,
            algorithms=[alg],
            audience=list(source.audiences) or None,
            issuer=source.issuer,
            leeway=self.config.leeway,
            options=options,  # type: ignore[arg-type]
        )
        if not isinstance(claims, dict):
            raise jwt.DecodeError("claims are not an object")
        return claims
