"""The authentication plugin: establishes ``ctx.principal`` and the identity headers sent to subgraphs.

Why it runs in ``on_request`` (before parsing): a request with bad credentials is answered 401 before the
gateway spends any work on it, and before anything can reach a subgraph. Identity header names are put in
``ctx.strip_headers`` on every request, authenticated or not, so a client-sent ``x-user-id`` can never be
propagated to a subgraph by a header rule.
"""

from __future__ import annotations

import logging
from http.cookies import CookieError, SimpleCookie

from gateway.auth.api_keys import ApiKeyStore
from gateway.auth.jwt_verify import JwtVerifier, TokenError
from gateway.auth.principal import ANONYMOUS, Principal, identity_value, principal_from_claims
from gateway.config.auth import AuthenticationConfig
from gateway.errors import make_error
from gateway.pipeline.context import BasePlugin, RequestContext
from gateway.pipeline.types import GraphQLResponse

log = logging.getLogger("gateway.auth")

AUTH_ERROR = "AUTH_ERROR"


def _safe_header_value(value: str) -> bool:
    """No control characters: a claim must not be able to inject headers into subgraph requests."""
    return all(ch >= " " and ch != "\x7f" for ch in value)


def auth_error(message: str, *, missing: bool = False) -> GraphQLResponse:
    """401 with Apollo's ``AUTH_ERROR`` code and an RFC 6750 challenge."""
    challenge = "Bearer" if missing else 'Bearer error="invalid_token"'
    return GraphQLResponse(
        {"errors": [make_error(message, AUTH_ERROR)]}, 401, {"www-authenticate": challenge}
    )


class AuthenticationPlugin(BasePlugin):
    """JWT and API-key authentication."""

    name = "authentication"

    def __init__(self, config: AuthenticationConfig) -> None:
        self.config = config
        self.jwt = JwtVerifier(config.jwt) if config.jwt is not None else None
        self.api_keys = ApiKeyStore(config.api_keys) if config.api_keys is not None else None
        self._strip = frozenset(config.identity_headers)

    async def start(self) -> None:
        if self.jwt is not None:
            await self.jwt.start()

    async def close(self) -> None:
        if self.jwt is not None:
            await self.jwt.close()

    def _token(self, ctx: RequestContext) -> str | None:
        """The raw token, ``""`` when the header is present but malformed, ``None`` when absent."""
        jwt_config = self.config.jwt
        assert jwt_config is not None
        headers = ctx.request.headers
        raw = headers.get(jwt_config.header_name)
        if raw is not None:
            prefix = jwt_config.header_prefix
            if not prefix:
                return raw.strip()
            scheme, _, token = raw.strip().partition(" ")
            if scheme.lower() != prefix.lower():
                return ""
            return token.strip()
        if jwt_config.cookie_name and "cookie" in headers:
            cookies: SimpleCookie = SimpleCookie()
            try:
                cookies.load(headers["cookie"])
            except CookieError:
                return None
            morsel = cookies.get(jwt_config.cookie_name)
            if morsel is not None:
                return morsel.value.strip()
        return None

    async def on_request(self, ctx: RequestContext) -> GraphQLResponse | None:
        if self._strip:
            ctx.strip_headers = ctx.strip_headers | self._strip
        principal: Principal = ANONYMOUS
        token: str | None = None
        if self.jwt is not None:
            token = self._token(ctx)
            if token is not None:
                if not token:
                    ctx.metrics.auth_failure("malformed")
                    return auth_error("The authorization header is malformed.")
                try:
                    claims = await self.jwt.verify(token)
                except TokenError as exc:
                    log.info("JWT rejected: %s", exc)
                    ctx.metrics.auth_failure("invalid_token")
                    return auth_error(str(exc))
                assert self.config.jwt is not None
                principal = principal_from_claims(claims, self.config.jwt.tier_claim)
        if not principal.authenticated and self.api_keys is not None:
            presented = ctx.request.headers.get(self.api_keys.header_name)
            if presented is not None:
                found = self.api_keys.principal(presented)
                if found is None:
                    log.info("API key rejected")
                    ctx.metrics.auth_failure("invalid_api_key")
                    return auth_error("The API key is invalid.")
                principal = found
        if not principal.authenticated and self.config.require_authentication:
            ctx.metrics.auth_failure("missing")
            return auth_error("Authentication is required.", missing=True)
        ctx.principal = principal
        if principal.authenticated:
            self._identity(ctx, principal, token)
        return None

    def _identity(self, ctx: RequestContext, principal: Principal, token: str | None) -> None:
        headers = ctx.subgraph_headers
        for name, expression in self.config.identity_headers.items():
            value = identity_value(principal, expression)
            if value is None:
                continue
            if not _safe_header_value(value):
                log.warning("identity header %s not sent: the value has control characters", name)
                continue
            headers[name] = value
        if self.config.forward_token and token and principal.source == "jwt":
            headers["authorization"] = f"Bearer {token}"
