"""Smoke test of the benchmark subgraph server (bench/subgraphs.py), run as a real process on a free port.

Why: the benchmark is only meaningful if the subgraphs behave exactly as the benchmark's contract says
(entities, ``@requires`` computed from the representation, ``@provides`` username); a wrong subgraph would
make every gateway look wrong, or worse, right. No load here: a handful of requests.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from bench.procs import ManagedProcess, free_port, http_request, wait_until_ready

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bench" / "data"

ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { __typename %s } }"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("subgraphs") / "subgraphs.log"
    process = ManagedProcess(
        "subgraphs", [sys.executable, "-m", "bench.subgraphs", "--port", str(port)], log, cwd=ROOT
    )
    try:
        wait_until_ready(process, f"http://127.0.0.1:{port}/__stats", timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stop()


def post(base_url: str, subgraph: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    status, body = http_request(f"{base_url}/{subgraph}", orjson.dumps(payload))
    assert status == 200
    return orjson.loads(body)


def entities(base_url: str, subgraph: str, selection: str, representations: list[dict[str, Any]]) -> Any:
    answer = post(base_url, subgraph, ENTITIES % selection, {"r": representations})
    assert "errors" not in answer, answer
    return answer["data"]["_entities"]


def test_accounts_root_fields_and_user_entities(base_url: str) -> None:
    answer = post(base_url, "accounts", '{ me { id } user(id: "3") { username } users { id } }')
    assert answer["data"]["me"] == {"id": "1"}
    assert answer["data"]["user"] == {"username": "kamilkisiela"}
    assert [u["id"] for u in answer["data"]["users"]] == ["1", "2", "3", "4", "5", "6"]

    found = entities(
        base_url,
        "accounts",
        "... on User { id name username birthday }",
        [{"__typename": "User", "id": "2"}, {"__typename": "User", "id": "404"}],
    )
    assert found == [
        {
            "__typename": "User",
            "id": "2",
            "name": "Dotan Simha",
            "username": "dotansimha",
            "birthday": 1234567890,
        },
        None,
    ]


def test_products_top_products_and_entities(base_url: str) -> None:
    answer = post(base_url, "products", "{ top: topProducts { upc } two: topProducts(first: 2) { name } }")
    assert [p["upc"] for p in answer["data"]["top"]] == ["1", "2", "3", "4", "5"]
    assert answer["data"]["two"] == [{"name": "Table"}, {"name": "Couch"}]
    found = entities(
        base_url,
        "products",
        "... on Product { upc name price weight }",
        [{"__typename": "Product", "upc": "8"}],
    )
    assert found == [{"__typename": "Product", "upc": "8", "name": "Fridge", "price": 100000, "weight": 6000}]


def test_inventory_requires_computes_shipping_from_the_representation(base_url: str) -> None:
    reps = [
        {"__typename": "Product", "upc": "1", "price": 899, "weight": 100},  # cheap: half the weight
        {"__typename": "Product", "upc": "2", "price": 1299, "weight": 1000},  # > 1000: free
        {"__typename": "Product", "upc": "3", "price": None, "weight": 20},  # no price: null
        {"__typename": "Product", "upc": "4", "price": 10, "weight": None},  # no weight: null
        {"__typename": "Product", "upc": "1", "price": 10, "weight": 7},  # the representation wins, not data
    ]
    found = entities(base_url, "inventory", "... on Product { upc inStock shippingEstimate }", reps)
    assert [(p["upc"], p["inStock"], p["shippingEstimate"]) for p in found] == [
        ("1", True, 50),
        ("2", False, 0),
        ("3", False, None),
        ("4", False, None),
        ("1", True, 3),
    ]


def test_reviews_provides_username_and_entity_fields(base_url: str) -> None:
    found = entities(
        base_url,
        "reviews",
        "... on Product { upc reviews { id author { id username } product { upc } } }"
        " ... on User { id reviews { id } } ... on Review { id body }",
        [
            {"__typename": "Product", "upc": "1"},
            {"__typename": "User", "id": "5"},
            {"__typename": "Review", "id": "3"},
        ],
    )
    product, user, review = found
    assert [r["id"] for r in product["reviews"]] == ["1", "2", "3", "4"]
    # @provides(fields: "username"): every author comes with its username from the reviews subgraph.
    assert {orjson.dumps(r["author"]) for r in product["reviews"]} == {b'{"id":"1","username":"urigo"}'}
    assert all(r["product"] == {"upc": "1"} for r in product["reviews"])
    assert user == {"__typename": "User", "id": "5", "reviews": [{"id": "1"}, {"id": "2"}]}
    data = orjson.loads((DATA / "data.json").read_bytes())
    assert review == {"__typename": "Review", "id": "3", "body": data["REVIEWS"][2]["body"]}


def test_service_sdl_is_the_subgraph_sdl(base_url: str) -> None:
    for name in ("accounts", "inventory", "products", "reviews"):
        answer = post(base_url, name, "{ _service { sdl } }")
        assert answer["data"]["_service"]["sdl"] == (DATA / "subgraphs" / f"{name}.graphql").read_text()


def test_invalid_queries_are_graphql_errors(base_url: str) -> None:
    answer = post(base_url, "products", "{ users { id } }")  # users lives in accounts
    assert answer["errors"][0]["message"].startswith("Cannot query field 'users'")


def test_stats_count_every_request_and_reset(base_url: str) -> None:
    assert http_request(f"{base_url}/__reset", b"", method="POST")[0] == 200
    body = orjson.dumps({"query": "{ users { id } }"})
    first = http_request(f"{base_url}/accounts", body)
    second = http_request(f"{base_url}/accounts", body)  # memoized: identical bytes
    assert first == second
    post(base_url, "products", "{ topProducts { upc } }")
    stats = orjson.loads(http_request(f"{base_url}/__stats")[1])
    assert (stats["accounts"], stats["products"], stats["inventory"], stats["total"]) == (2, 1, 0, 3)
    http_request(f"{base_url}/__reset", b"", method="POST")
    assert orjson.loads(http_request(f"{base_url}/__stats")[1])["total"] == 0
