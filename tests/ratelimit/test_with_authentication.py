"""Rate limiting keyed by the real authentication plugin's principal: JWT sub, API key client and tier, IP."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import jwt
import pytest

from gateway.config.load import load_config_text
from tests.demand.support import GRJ, gateway_client, subgraph_specs
from tests.support.subgraph_kit import running_subgraphs

SECRET = "a-test-secret-that-is-long-enough-for-hs256"
API_KEY = "partner-key-0123456789"
CONFIG = f"""
authentication:
  jwt:
    sources:
      - secret: "{SECRET}"
    tier_claim: plan
  api_keys:
    keys:
      - sha256: "{hashlib.sha256(API_KEY.encode()).hexdigest()}"
        client_id: partner
        tier: pro
rate_limit:
  enabled: true
  default_tier: free
  tiers:
    free: {{capacity: 4, refill_per_second: 0.01}}
    pro: {{capacity: 100, refill_per_second: 0.01}}
"""
TWO = {"query": "{ products(first: 2) { id } }"}


@pytest.fixture
async def kit() -> Any:
    async with running_subgraphs(subgraph_specs()) as running:
        yield running


def bearer(sub: str, **claims: Any) -> dict[str, str]:
    token = jwt.encode({"sub": sub, "exp": int(time.time()) + 600, **claims}, SECRET, algorithm="HS256")
    return {**GRJ, "Authorization": f"Bearer {token}"}


async def test_each_subject_has_its_own_bucket(aiohttp_client: Any, kit: Any) -> None:
    client = await gateway_client(aiohttp_client, load_config_text(CONFIG), kit.urls)
    alice = [await client.post("/graphql", json=TWO, headers=bearer("alice")) for _ in range(3)]
    assert [r.status for r in alice] == [200, 200, 429]
    bob = await client.post("/graphql", json=TWO, headers=bearer("bob"))
    assert (bob.status, bob.headers["RateLimit-Remaining"]) == (200, "2")
    anonymous = await client.post("/graphql", json=TWO, headers=GRJ)  # keyed by IP, free tier
    assert (anonymous.status, anonymous.headers["RateLimit-Limit"]) == (200, "4")


async def test_tier_from_api_key_and_from_claim(aiohttp_client: Any, kit: Any) -> None:
    client = await gateway_client(aiohttp_client, load_config_text(CONFIG), kit.urls)
    partner = await client.post("/graphql", json=TWO, headers={**GRJ, "x-api-key": API_KEY})
    assert (partner.status, partner.headers["RateLimit-Limit"], partner.headers["RateLimit-Remaining"]) == (
        200,
        "100",
        "98",
    )
    paying = await client.post("/graphql", json=TWO, headers=bearer("carol", plan="pro"))
    assert paying.headers["RateLimit-Limit"] == "100"
