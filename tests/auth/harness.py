"""Real keys, a real JWKS server and a real gateway over a real subgraph, for the authentication tests.

Keys are generated per test module with ``cryptography``; tokens are signed with PyJWT (or by hand, for the
attacks PyJWT refuses to produce). The JWKS server is an aiohttp app on 127.0.0.1 whose key set the tests
rotate and which they can take down.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from gateway.app import create_app
from gateway.config.load import load_config_text
from gateway.pipeline.runner import GatewayPipeline
from tests.support.subgraph_kit import SubgraphKit, SubgraphSpec, running_subgraphs
from tests.support.subgraph_schema import Resolvers

ISSUER = "https://issuer.test"
AUDIENCE = "gateway"
HMAC_SECRET = "hmac-secret-for-tests-0123456789-0123456789-0123456789-0123456789"
API_KEY = "ak_live_0123456789abcdef"

SUBGRAPH_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { hello: String }
"""
# Composed from SUBGRAPH_SDL with Apollo's composition (tests/compose/oracle); the URL is overridden per test.
SUPERGRAPH = (Path(__file__).parent / "hello.supergraph.graphql").read_text()


@dataclass(slots=True)
class Keys:
    """Every private key the tests sign with."""

    rsa1: rsa.RSAPrivateKey
    rsa2: rsa.RSAPrivateKey
    attacker_rsa: rsa.RSAPrivateKey
    ec256: ec.EllipticCurvePrivateKey
    ec384: ec.EllipticCurvePrivateKey
    pem_ec: ec.EllipticCurvePrivateKey
    ed: ed25519.Ed25519PrivateKey

    @classmethod
    def generate(cls) -> Keys:
        return cls(
            rsa1=rsa.generate_private_key(public_exponent=65537, key_size=2048),
            rsa2=rsa.generate_private_key(public_exponent=65537, key_size=2048),
            attacker_rsa=rsa.generate_private_key(public_exponent=65537, key_size=2048),
            ec256=ec.generate_private_key(ec.SECP256R1()),
            ec384=ec.generate_private_key(ec.SECP384R1()),
            pem_ec=ec.generate_private_key(ec.SECP256R1()),
            ed=ed25519.Ed25519PrivateKey.generate(),
        )


def public_jwk(private: Any, kid: str, alg: str | None = None) -> dict[str, Any]:
    public = private.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        jwk = RSAAlgorithm.to_jwk(public, as_dict=True)
    elif isinstance(public, ec.EllipticCurvePublicKey):
        jwk = ECAlgorithm.to_jwk(public, as_dict=True)
    else:
        jwk = OKPAlgorithm.to_jwk(public, as_dict=True)
    jwk = {**jwk, "kid": kid, "use": "sig"}
    if alg:
        jwk["alg"] = alg
    return jwk


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "sub": "alice",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "scope": "read:email write:email",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign(private: Any, alg: str, kid: str | None, **overrides: Any) -> str:
    headers = {"kid": kid} if kid else None
    return jwt.encode(claims(**overrides), private, algorithm=alg, headers=headers)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: dict[str, Any], payload: dict[str, Any], hmac_key: bytes | None = None) -> str:
    """Build a token by hand (PyJWT refuses to make `alg: none` or HMAC-with-a-public-key tokens)."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    if hmac_key is None:
        return signing_input + "."
    signature = hmac.new(hmac_key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def public_pem(private: Any) -> bytes:
    return private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@dataclass(slots=True)
class JwksServer:
    """A JWKS endpoint whose key set tests change at will."""

    keys: list[dict[str, Any]] = field(default_factory=list)
    hits: int = 0
    failing: bool = False
    runner: web.AppRunner | None = None
    url: str = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/jwks.json", self._serve)
        self.runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/jwks.json"

    async def close(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def _serve(self, _request: web.Request) -> web.Response:
        self.hits += 1
        if self.failing:
            return web.Response(status=503, text="identity provider down")
        return web.json_response({"keys": self.keys})


@dataclass(slots=True)
class Gateway:
    client: Any
    kit: SubgraphKit
    pipeline: GatewayPipeline

    async def hello(self, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any], Any]:
        response = await self.client.post(
            "/graphql", json={"query": "{ hello }"}, headers={"accept": "application/json", **(headers or {})}
        )
        return response.status, await response.json(), response.headers

    async def with_token(self, token: str) -> tuple[int, dict[str, Any], Any]:
        return await self.hello({"authorization": f"Bearer {token}"})


@asynccontextmanager
async def running_gateway(aiohttp_client: Any, config_yaml: str) -> AsyncIterator[Gateway]:
    """The gateway app (started: JWKS fetched) over the one-field subgraph."""
    spec = SubgraphSpec("hello", SUBGRAPH_SDL, Resolvers(fields={"Query.hello": lambda _o, _i: "world"}))
    async with running_subgraphs([spec]) as kit:
        text = f"{config_yaml}\noverride_subgraph_url:\n  hello: {kit.url('hello')}\n"
        config = load_config_text(text, "auth-test.yaml")
        pipeline = GatewayPipeline(config)
        pipeline.load_supergraph(SUPERGRAPH)
        client = await aiohttp_client(create_app(config, pipeline))
        try:
            yield Gateway(client, kit, pipeline)
        finally:
            await client.close()


def write_key_files(directory: Path, keys: Keys) -> tuple[Path, Path]:
    """An Ed25519 JWK file and an EC P-256 PEM file."""
    jwk_path = directory / "ed25519.jwk.json"
    jwk_path.write_text(json.dumps(public_jwk(keys.ed, "ed-1")))
    pem_path = directory / "ec256.pem"
    pem_path.write_bytes(public_pem(keys.pem_ec))
    return jwk_path, pem_path
