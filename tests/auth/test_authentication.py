"""Authentication end to end: real keys, a real JWKS server, the real gateway app and a real subgraph.

The attack list checks, for every forged or invalid credential, the documented answer (401, ``AUTH_ERROR``,
``WWW-Authenticate: Bearer error="invalid_token"``) and that *nothing* reached the subgraph.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import jwt
import pytest

from gateway.auth.api_keys import hash_key
from tests.auth.harness import (
    API_KEY,
    AUDIENCE,
    HMAC_SECRET,
    ISSUER,
    Gateway,
    JwksServer,
    Keys,
    claims,
    forge,
    public_jwk,
    public_pem,
    running_gateway,
    sign,
    write_key_files,
)


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys.generate()


@pytest.fixture
async def jwks(keys: Keys) -> AsyncIterator[JwksServer]:
    server = JwksServer(
        keys=[
            public_jwk(keys.rsa1, "rsa-1"),
            public_jwk(keys.ec256, "ec-256", "ES256"),
            public_jwk(keys.ec384, "ec-384"),
        ]
    )
    await server.start()
    try:
        yield server
    finally:
        await server.close()


def gateway_config(
    jwks_url: str,
    tmp_path: Path,
    keys: Keys,
    *,
    poll: str = "60s",
    refetch: str = "30s",
    extra: str = "",
) -> str:
    jwk_file, pem_file = write_key_files(tmp_path, keys)
    return f"""
headers:
  all:
    request:
      - propagate:
          matching: ".*"
authentication:
  jwt:
    sources:
      - url: {jwks_url}
        issuer: {ISSUER}
        audiences: [{AUDIENCE}]
        algorithms: [RS256, PS256, ES256, ES384]
        poll_interval: {poll}
        min_refetch_interval: {refetch}
      - file: {jwk_file}
        issuer: {ISSUER}
        audiences: [{AUDIENCE}]
      - file: {pem_file}
        kid: pem-ec
        issuer: {ISSUER}
        audiences: [{AUDIENCE}]
      - secret: {HMAC_SECRET}
        issuer: {ISSUER}
        audiences: [{AUDIENCE}]
  api_keys:
    keys:
      - sha256: {hash_key(API_KEY)}
        client_id: batch-job
        scopes: [read:email]
        tier: gold
  identity_headers:
    x-user-id: subject
    x-user-scopes: scopes
    x-client-id: client_id
    x-auth-source: source
{extra}
"""


@pytest.fixture
async def gw(aiohttp_client: Any, jwks: JwksServer, tmp_path: Path, keys: Keys) -> AsyncIterator[Gateway]:
    async with running_gateway(aiohttp_client, gateway_config(jwks.url, tmp_path, keys)) as gateway:
        yield gateway


def _assert_rejected(status: int, body: dict[str, Any], headers: Any, gw: Gateway) -> None:
    assert status == 401, body
    assert "data" not in body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["AUTH_ERROR"]
    assert headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert gw.kit.requests() == [], "a rejected request reached the subgraph"


# --- accepted tokens -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key_name", "alg", "kid"),
    [
        ("rsa1", "RS256", "rsa-1"),
        ("rsa1", "PS256", "rsa-1"),
        ("ec256", "ES256", "ec-256"),
        ("ec384", "ES384", "ec-384"),
        ("ed", "EdDSA", "ed-1"),
        ("pem_ec", "ES256", "pem-ec"),
        ("pem_ec", "ES256", None),
        ("hmac", "HS256", None),
        ("hmac", "HS384", None),
        ("hmac", "HS512", None),
    ],
)
async def test_valid_tokens_of_every_algorithm_are_accepted(
    gw: Gateway, keys: Keys, key_name: str, alg: str, kid: str | None
) -> None:
    key = HMAC_SECRET if key_name == "hmac" else getattr(keys, key_name)
    status, body, _headers = await gw.with_token(sign(key, alg, kid))
    assert status == 200, body
    assert body == {"data": {"hello": "world"}}
    (request,) = gw.kit.requests()
    assert request.headers["x-user-id"] == "alice"
    assert request.headers["x-user-scopes"] == "read:email write:email"
    assert request.headers["x-auth-source"] == "jwt"


async def test_leeway_accepts_small_clock_skew(gw: Gateway, keys: Keys) -> None:
    now = int(time.time())
    token = sign(keys.rsa1, "RS256", "rsa-1", exp=now - 10, nbf=now + 10, iat=now + 10)
    status, body, _h = await gw.with_token(token)
    assert status == 200, body


# --- the attack list -------------------------------------------------------------------------------------


def _attacks(keys: Keys) -> dict[str, Callable[[], str]]:
    now = int(time.time())
    rsa_public_pem = public_pem(keys.rsa1)
    return {
        "alg none": lambda: forge({"alg": "none", "typ": "JWT", "kid": "rsa-1"}, claims()),
        "alg None casing": lambda: forge({"alg": "None", "typ": "JWT"}, claims()),
        "HS256 signed with the RS256 public key": lambda: forge(
            {"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}, claims(), hmac_key=rsa_public_pem
        ),
        "HS256 with the public key, no kid": lambda: forge(
            {"alg": "HS256", "typ": "JWT"}, claims(), hmac_key=rsa_public_pem
        ),
        "expired": lambda: sign(keys.rsa1, "RS256", "rsa-1", exp=now - 3600, iat=now - 7200, nbf=now - 7200),
        "not yet valid (nbf)": lambda: sign(keys.rsa1, "RS256", "rsa-1", nbf=now + 3600),
        "issued in the future (iat)": lambda: sign(keys.rsa1, "RS256", "rsa-1", iat=now + 3600),
        "wrong issuer": lambda: sign(keys.rsa1, "RS256", "rsa-1", iss="https://evil.test"),
        "wrong audience": lambda: sign(keys.rsa1, "RS256", "rsa-1", aud="other-api"),
        "no exp": lambda: sign(keys.rsa1, "RS256", "rsa-1", exp=None),
        "unknown kid": lambda: sign(keys.attacker_rsa, "RS256", "who-knows"),
        "known kid, attacker's key": lambda: sign(keys.attacker_rsa, "RS256", "rsa-1"),
        "algorithm outside the allow-list": lambda: sign(keys.rsa1, "RS512", "rsa-1"),
        "ES256 key used for ES384": lambda: sign(keys.ec256, "ES256", "ec-384"),
        "HMAC with the wrong secret": lambda: sign(
            "another-secret-0123456789abcdef-0123456789abcdef", "HS256", None
        ),
        "tampered payload": lambda: _tamper(sign(keys.rsa1, "RS256", "rsa-1")),
        "garbage": lambda: "garbage",
        "three garbage parts": lambda: "a.b.c",
        "empty token": lambda: "",
    }


def _tamper(token: str) -> str:
    header, _payload, signature = token.split(".")
    forged = forge({"alg": "RS256"}, claims(sub="admin")).split(".")[1]
    return f"{header}.{forged}.{signature}"


NOT_ALLOWED = "The token's algorithm is not allowed."
BAD_SIGNATURE = "The token's signature is invalid."
NO_KEY = "No key matches the token's key id and algorithm."
NOT_JWT = "The token is not a valid JWT."
EXPECTED_MESSAGES = {
    "alg none": NOT_ALLOWED,
    "alg None casing": NOT_ALLOWED,
    # Only the HMAC secret source allows HS256, so the RSA public key is never used as an HMAC secret.
    "HS256 signed with the RS256 public key": BAD_SIGNATURE,
    "HS256 with the public key, no kid": BAD_SIGNATURE,
    "expired": "The token has expired.",
    "not yet valid (nbf)": "The token is not valid yet.",
    "issued in the future (iat)": "The token is not valid yet.",
    "wrong issuer": "The token's issuer is not accepted.",
    "wrong audience": "The token's audience is not accepted.",
    "no exp": "The token lacks the required claim 'exp'.",
    "unknown kid": NO_KEY,
    "known kid, attacker's key": BAD_SIGNATURE,
    "algorithm outside the allow-list": NO_KEY,
    "ES256 key used for ES384": NO_KEY,
    "HMAC with the wrong secret": BAD_SIGNATURE,
    "tampered payload": BAD_SIGNATURE,
    "garbage": NOT_JWT,
    "three garbage parts": NOT_JWT,
    "empty token": "The authorization header is malformed.",
}


@pytest.mark.parametrize("attack", list(EXPECTED_MESSAGES))
async def test_attack_is_rejected_and_reaches_no_subgraph(
    gw: Gateway, keys: Keys, attack: str, caplog: pytest.LogCaptureFixture
) -> None:
    token = _attacks(keys)[attack]()
    with caplog.at_level(logging.DEBUG):
        status, body, headers = await gw.with_token(token)
    _assert_rejected(status, body, headers, gw)
    assert body["errors"][0]["message"] == EXPECTED_MESSAGES[attack]
    if len(token) > 8:
        assert token not in caplog.text, "a token was logged"


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "Token abc.def.ghi"],
)
async def test_malformed_authorization_header_is_rejected(gw: Gateway, header: str) -> None:
    status, body, headers = await gw.hello({"authorization": header})
    _assert_rejected(status, body, headers, gw)


async def test_unknown_kid_refetch_is_rate_limited(gw: Gateway, jwks: JwksServer, keys: Keys) -> None:
    assert jwks.hits == 1  # fetched once at start
    for index in range(5):
        status, _b, _h = await gw.with_token(sign(keys.attacker_rsa, "RS256", f"random-{index}"))
        assert status == 401
    assert jwks.hits == 1  # min_refetch_interval (30s) has not passed since the start-up fetch


# --- spoofing ----------------------------------------------------------------------------------------------


async def test_spoofed_identity_headers_never_reach_the_subgraph(gw: Gateway, keys: Keys) -> None:
    spoofed = {"x-user-id": "admin", "x-user-scopes": "admin", "x-client-id": "root", "x-auth-source": "jwt"}
    status, _b, _h = await gw.hello({**spoofed, "x-other": "kept"})
    assert status == 200
    (anonymous,) = gw.kit.requests()
    assert anonymous.headers["x-other"] == "kept"  # the propagate-all rule works...
    for name in spoofed:
        assert name not in anonymous.headers  # ...but identity headers are stripped
    gw.kit.clear_log()
    token = sign(keys.rsa1, "RS256", "rsa-1", scope="basic")
    status, _b, _h = await gw.hello({**spoofed, "authorization": f"Bearer {token}"})
    assert status == 200
    (signed,) = gw.kit.requests()
    assert signed.headers["x-user-id"] == "alice"
    assert signed.headers["x-user-scopes"] == "basic"
    assert signed.headers["x-auth-source"] == "jwt"
    assert "x-client-id" not in signed.headers


async def test_control_characters_in_claims_are_not_sent(gw: Gateway, keys: Keys) -> None:
    status, _b, _h = await gw.with_token(sign(keys.rsa1, "RS256", "rsa-1", sub="alice\r\nx-admin: 1"))
    assert status == 200
    (request,) = gw.kit.requests()
    assert "x-user-id" not in request.headers
    assert "x-admin" not in request.headers


# --- API keys ----------------------------------------------------------------------------------------------


async def test_api_key_authenticates_with_client_scopes_and_tier(gw: Gateway) -> None:
    status, body, _h = await gw.hello({"x-api-key": API_KEY})
    assert status == 200, body
    (request,) = gw.kit.requests()
    assert request.headers["x-client-id"] == "batch-job"
    assert request.headers["x-user-scopes"] == "read:email"
    assert request.headers["x-auth-source"] == "api_key"


async def test_invalid_api_key_is_rejected(gw: Gateway) -> None:
    status, body, headers = await gw.hello({"x-api-key": API_KEY + "x"})
    _assert_rejected(status, body, headers, gw)


async def test_missing_credentials_are_anonymous_by_default(gw: Gateway) -> None:
    status, body, _h = await gw.hello()
    assert status == 200
    assert body == {"data": {"hello": "world"}}


# --- options --------------------------------------------------------------------------------------------


async def test_require_authentication(
    aiohttp_client: Any, jwks: JwksServer, tmp_path: Path, keys: Keys
) -> None:
    config = gateway_config(jwks.url, tmp_path, keys, extra="  require_authentication: true")
    async with running_gateway(aiohttp_client, config) as gw:
        status, body, headers = await gw.hello()
        assert status == 401
        assert body["errors"][0]["extensions"]["code"] == "AUTH_ERROR"
        assert headers["WWW-Authenticate"] == "Bearer"
        assert gw.kit.requests() == []
        status, _b, _h = await gw.hello({"x-api-key": API_KEY})
        assert status == 200


async def test_cookie_and_custom_header_and_forwarded_token(aiohttp_client: Any, keys: Keys) -> None:
    config = f"""
authentication:
  jwt:
    header_name: X-Session
    header_prefix: ""
    cookie_name: session
    sources:
      - secret: {HMAC_SECRET}
  identity_headers:
    x-user-id: subject
    x-tenant: claims.tenant
  forward_token: true
"""
    token = sign(HMAC_SECRET, "HS256", None, tenant="acme")
    async with running_gateway(aiohttp_client, config) as gw:
        status, body, _h = await gw.hello({"cookie": f"theme=dark; session={token}"})
        assert status == 200, body
        status, body, _h = await gw.hello({"x-session": token})
        assert status == 200, body
        first, second = gw.kit.requests()
        for request in (first, second):
            assert request.headers["x-user-id"] == "alice"
            assert request.headers["x-tenant"] == "acme"
            assert request.headers["authorization"] == f"Bearer {token}"
        status, body, _headers = await gw.hello({"x-session": "nope"})
        assert status == 401
        assert body["errors"][0]["extensions"]["code"] == "AUTH_ERROR"
        assert len(gw.kit.requests()) == 2  # the rejected request added nothing


# --- JWKS rotation and outage -------------------------------------------------------------------------------


async def test_jwks_rotation_and_outage(
    aiohttp_client: Any, jwks: JwksServer, tmp_path: Path, keys: Keys
) -> None:
    config = gateway_config(jwks.url, tmp_path, keys, poll="200ms", refetch="50ms")
    async with running_gateway(aiohttp_client, config) as gw:
        old = sign(keys.rsa1, "RS256", "rsa-1")
        new = sign(keys.rsa2, "RS256", "rsa-2")
        assert (await gw.with_token(old))[0] == 200
        # The provider publishes rsa-2: a token with the new kid triggers a refetch and is accepted.
        jwks.keys.append(public_jwk(keys.rsa2, "rsa-2"))
        await asyncio.sleep(0.06)
        status, body, _h = await gw.with_token(new)
        assert status == 200, body
        # The provider retires rsa-1: after the next poll, tokens signed with it are refused.
        jwks.keys = [k for k in jwks.keys if k["kid"] != "rsa-1"]
        await _until(lambda: all(k.kid != "rsa-1" for k in _jwks_cache(gw).keys))
        status, body, headers = await gw.with_token(old)
        assert status == 401
        assert headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
        # The provider goes down: polls fail, the cached keys keep serving.
        jwks.failing = True
        hits = jwks.hits
        await _until(lambda: jwks.hits >= hits + 2)
        status, body, _h = await gw.with_token(new)
        assert status == 200, body
        assert any(k.kid == "rsa-2" for k in _jwks_cache(gw).keys)
        # The endpoint disappears entirely (connection refused): still served from the cache.
        await jwks.close()
        jwks.runner = None
        fetches = _jwks_cache(gw).fetches
        await asyncio.sleep(0.5)  # two poll periods, both failing
        assert _jwks_cache(gw).fetches == fetches
        status, body, _h = await gw.with_token(new)
        assert status == 200, body


async def test_jwks_down_at_start_then_recovers(
    aiohttp_client: Any, jwks: JwksServer, tmp_path: Path, keys: Keys
) -> None:
    jwks.failing = True
    config = gateway_config(jwks.url, tmp_path, keys, poll="60s", refetch="50ms")
    async with running_gateway(aiohttp_client, config) as gw:
        token = sign(keys.rsa1, "RS256", "rsa-1")
        status, _b, _h = await gw.with_token(token)
        assert status == 401  # no keys yet: refused, never accepted unverified
        jwks.failing = False
        await asyncio.sleep(0.06)
        status, body, _h = await gw.with_token(token)  # unknown kid -> refetch -> accepted
        assert status == 200, body


def _jwks_cache(gw: Gateway) -> Any:
    from gateway.auth.plugin import AuthenticationPlugin

    plugin = next(p for p in gw.pipeline.plugins if isinstance(p, AuthenticationPlugin))
    assert plugin.jwt is not None
    return next(s.jwks for s in plugin.jwt.sources if s.jwks is not None)


async def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 5.0
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


def test_pyjwt_refuses_to_verify_without_our_checks_too() -> None:
    # Sanity check of the test forger: PyJWT itself rejects an unsigned token when given an algorithm list.
    with pytest.raises(jwt.PyJWTError):
        jwt.decode(forge({"alg": "none"}, claims()), "k", algorithms=["HS256"])
