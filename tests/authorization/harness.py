"""A real gateway (in-process aiohttp app) over real subgraphs for the authorization tests.

The subgraphs serve the SDL in ``subgraphs/`` with the authorization directives stripped (the subgraph kit
does not define ``@requiresScopes``/``@policy``, and enforcement is the gateway's job); the gateway serves the
supergraph Apollo's composition built from the unstripped SDL.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from gateway.app import create_app
from gateway.config.load import load_config_text
from gateway.pipeline.runner import GatewayPipeline
from tests.support.subgraph_kit import SubgraphKit, SubgraphSpec, running_subgraphs
from tests.support.subgraph_schema import Resolvers

HERE = Path(__file__).parent
SUPERGRAPH = (HERE / "supergraph.graphql").read_text()
SECRET = "authorization-tests-secret-0123456789"

_DIRECTIVE = re.compile(r"@(requiresScopes|policy)\((?:[^()]|\([^()]*\))*\)|@authenticated\b")
_IMPORT = re.compile(r',?\s*"@(authenticated|requiresScopes|policy)"')

USERS = [
    {
        "id": "u1",
        "name": "Ada",
        "email": "ada@example.com",
        "ssn": "123-45",
        "internalNote": "staff only",
        "asyncNote": "async ok",
        "brokenNote": "never",
        "unknownNote": "never",
        "eitherNote": "either",
        "tier": "PRO",
        "apiToken": "tok-123",
    }
]
DOCUMENTS = [{"id": "d1", "title": "Secret plan"}]


def strip_auth(sdl: str) -> str:
    return _DIRECTIVE.sub("", _IMPORT.sub("", sdl))


def _node(_obj: Any, _info: Any, id: str) -> dict[str, Any] | None:
    for record in USERS:
        if record["id"] == id:
            return {"__typename": "User", **record}
    for record in DOCUMENTS:
        if record["id"] == id:
            return {"__typename": "Document", **record}
    return None


def subgraph_specs() -> list[SubgraphSpec]:
    accounts = Resolvers(
        records={"User": USERS, "Document": DOCUMENTS, "Account": [{"number": "A-1", "owner": "Ada"}]},
        fields={
            "Query.me": lambda _o, _i: USERS[0],
            "Query.user": lambda _o, _i, id: next((u for u in USERS if u["id"] == id), None),
            "Query.users": lambda _o, _i: USERS,
            "Query.publicInfo": lambda _o, _i: "hello",
            "Query.node": _node,
            "Query.search": lambda _o, _i: [
                {"__typename": "User", **USERS[0]},
                {"__typename": "Document", **DOCUMENTS[0]},
            ],
            "Query.adminStats": lambda _o, _i: {"count": 3},
            "Query.accounts": lambda _o, _i: [{"number": "A-1", "owner": "Ada"}],
            "Mutation.rename": lambda _o, _i, name: {**USERS[0], "name": name},
            "Mutation.ping": lambda _o, _i: "pong",
        },
    )
    billing = Resolvers(
        records={
            "User": [{"id": "u1", "balance": 100, "plan": "pro"}],
            "Account": [{"number": "A-1", "limit": 500}],
        }
    )
    return [
        SubgraphSpec("accounts", strip_auth((HERE / "subgraphs" / "accounts.graphql").read_text()), accounts),
        SubgraphSpec("billing", strip_auth((HERE / "subgraphs" / "billing.graphql").read_text()), billing),
    ]


def token(**claims: Any) -> str:
    """An HS256 token for the test secret, valid for a minute unless ``exp`` is given."""
    body = {"sub": "user-1", "exp": int(time.time()) + 60, **claims}
    return jwt.encode(body, SECRET, algorithm="HS256")


def config_yaml(urls: dict[str, str], authorization: str = "") -> str:
    return f"""
override_subgraph_url:
  accounts: {urls["accounts"]}
  billing: {urls["billing"]}
authentication:
  jwt:
    sources:
      - secret: {SECRET}
authorization:
  policies:
    is_staff: tests.authorization.policies:is_staff
    async_allow: tests.authorization.policies:async_allow
    raises: tests.authorization.policies:raises
{authorization}
"""


@dataclass(slots=True)
class Gateway:
    client: Any
    kit: SubgraphKit
    pipeline: GatewayPipeline

    async def query(
        self, query: str, bearer: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        sent = {"accept": "application/json", **(headers or {})}
        if bearer is not None:
            sent["authorization"] = f"Bearer {bearer}"
        response = await self.client.post("/graphql", json={"query": query}, headers=sent)
        return response.status, await response.json()

    def subgraph_queries(self, name: str) -> list[str]:
        return [r.query for r in self.kit.requests(name)]


@asynccontextmanager
async def running_gateway(
    aiohttp_client: Any, authorization: str = "", supergraph: str = SUPERGRAPH
) -> AsyncIterator[Gateway]:
    async with running_subgraphs(subgraph_specs()) as kit:
        config = load_config_text(config_yaml(kit.urls, authorization), "authz-test.yaml")
        pipeline = GatewayPipeline(config)
        pipeline.load_supergraph(supergraph, "tests/authorization/supergraph.graphql")
        client = await aiohttp_client(create_app(config, pipeline))
        try:
            yield Gateway(client, kit, pipeline)
        finally:
            await client.close()
