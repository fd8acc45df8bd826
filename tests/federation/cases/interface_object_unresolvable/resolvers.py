"""Data for the ``interface_object_unresolvable`` case: an ``@interfaceObject`` whose only key is
``resolvable: false`` (feed), next to the subgraph that owns the entity interface (content) and a resolvable
``@interfaceObject`` that adds a field (stats).

Why: feed returns ``Node`` references from its root fields but cannot resolve ``Node`` itself. The gateway
must learn ``__typename`` and the interface's own fields from content, fetch ``views`` from stats with
``Node`` representations, and never send an ``_entities`` request to feed. To make such a call visible in
the data too, feed's ``Node`` reference resolver fails.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.support.subgraph_schema import Resolvers

NODES: list[dict[str, Any]] = [
    {"__typename": "Article", "id": "n1", "title": "Hello federation", "slug": "hello", "words": 1200},
    {"__typename": "Video", "id": "n2", "title": "Keys explained", "slug": "keys", "seconds": 300},
    {"__typename": "Article", "id": "n3", "title": "Interface objects", "slug": "iface", "words": 800},
    {"__typename": "Video", "id": "n4", "title": "Planner tour", "slug": "tour", "seconds": 540},
]
CHANNELS: list[dict[str, Any]] = [
    {"id": "ch1", "name": "Tutorials"},
    {"id": "ch2", "name": "Empty"},
]
HIGHLIGHTS: dict[str, list[str]] = {"ch1": ["n4", "n1"], "ch2": []}
VIEWS: list[dict[str, Any]] = [
    {"id": "n1", "views": 10},
    {"id": "n2", "views": 25},
    {"id": "n3", "views": 7},
    {"id": "n4", "views": 42},
]


SLUGS = {n["id"]: n["slug"] for n in NODES}


def _ref(node_id: str) -> dict[str, Any]:
    """A reference as feed returns it: the id, and the slug feed keeps for it (shareable with content)."""
    return {"__typename": "Node", "id": node_id, "slug": SLUGS.get(node_id, "unknown")}


def _unresolvable(_representation: dict[str, Any], _info: Any) -> Any:
    raise GraphQLError("feed cannot resolve Node (its key is resolvable: false)")


def build() -> dict[str, Resolvers]:
    return {
        "content": Resolvers(
            records={"Node": NODES, "Channel": CHANNELS},
            fields={"Query.nodes": lambda _o, _i: NODES, "Query.channels": lambda _o, _i: CHANNELS},
        ),
        "feed": Resolvers(
            fields={
                "Query.trending": lambda _o, _i: [_ref("n3"), _ref("n2"), _ref("n1")],
                "Query.pinned": lambda _o, _i: _ref("n4"),
                "Query.lookup": lambda _o, _i, id: _ref(id),
                "Channel.highlights": lambda channel, _i: [_ref(n) for n in HIGHLIGHTS[channel["id"]]],
                "Query.feed": lambda _o, _i: [
                    {"position": 1, "node": _ref("n2")},
                    {"position": 2, "node": _ref("n4")},
                    {"position": 3, "node": _ref("n1")},
                ],
            },
            references={"Node": _unresolvable},
        ),
        "stats": Resolvers(
            records={"Node": VIEWS},
            fields={"Query.popular": lambda _o, _i: [VIEWS[0], VIEWS[3]]},
        ),
    }
