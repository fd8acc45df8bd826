"""Data for the ``requires_provides_mix`` case: @requires through an interface with type conditions, on
entities nested in lists of another entity, on a nullable field that fails, and on data another subgraph
@provides.

Why: required data is gathered from wherever the planner can get it (including a @provides path) and shaped
per concrete type; when a required field errors, its null goes into the representation and the error stays.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.support.subgraph_schema import Resolvers

ITEMS: list[dict[str, Any]] = [
    {"id": "i1", "shape": {"__typename": "Circle", "id": "s1", "radius": 3}, "weight": 4},
    {"id": "i2", "shape": {"__typename": "Square", "id": "s2", "side": 5}, "weight": 40},
    {"id": "i3", "shape": None, "weight": None},
    {"id": "i4", "shape": {"__typename": "Square", "id": "s4", "side": 1}, "weight": 1},
]
CANVASES: list[dict[str, Any]] = [
    {"id": "c1", "items": [ITEMS[0], ITEMS[1]]},
    {"id": "c2", "items": []},
    {"id": "c3", "items": [ITEMS[2], ITEMS[3], ITEMS[0]]},
]
USERS: list[dict[str, Any]] = [
    {"id": "u1", "name": "Ada", "nickname": "countess"},
    {"id": "u2", "name": "Alan", "nickname": None},
]
COMMENTS: list[dict[str, Any]] = [
    {"id": "k1", "text": "Nice circle", "author": {"id": "u1", "name": "Ada"}},
    {"id": "k2", "text": "SPAM SPAM", "author": {"id": "u2", "name": "Alan"}},
]


def _weight(item: dict[str, Any], _i: Any) -> int | None:
    if item["id"] == "i3":
        raise GraphQLError("scale offline", extensions={"code": "SCALE_OFFLINE"})
    return item["weight"]


def _paint(item: dict[str, Any], _i: Any) -> int:
    if "shape" not in item:
        raise GraphQLError("shape missing from the representation")
    shape = item["shape"]
    if shape is None:
        return 0
    if shape["__typename"] == "Circle":
        return 3 * shape["radius"] ** 2
    return shape["side"] ** 2


def _shipping_class(item: dict[str, Any], _i: Any) -> str:
    if "weight" not in item:
        raise GraphQLError("weight missing from the representation")
    weight = item["weight"]
    if weight is None:
        return "UNKNOWN"
    return "HEAVY" if weight > 10 else "LIGHT"


def _flag(comment: dict[str, Any], _i: Any) -> str:
    if "text" not in comment or "name" not in (comment.get("author") or {}):
        raise GraphQLError("text or author.name missing from the representation")
    spam = comment["text"].isupper()
    return f"{'spam' if spam else 'ok'} by {comment['author']['name']}"


def _total_paint(canvas: dict[str, Any], _i: Any) -> int:
    items = canvas.get("items")
    if items is None or any("paintNeeded" not in i for i in items):
        raise GraphQLError("items { paintNeeded } missing from the representation")
    return sum(i["paintNeeded"] for i in items)


def build() -> dict[str, Resolvers]:
    return {
        "shapes": Resolvers(
            records={"Item": ITEMS, "Canvas": CANVASES},
            fields={"Query.canvases": lambda _o, _i: CANVASES, "Item.weight": _weight},
        ),
        "paint": Resolvers(fields={"Item.paintNeeded": _paint, "Item.shippingClass": _shipping_class}),
        "users": Resolvers(records={"User": USERS}),
        "comments": Resolvers(
            records={"Comment": COMMENTS}, fields={"Query.comments": lambda _o, _i: COMMENTS}
        ),
        "moderation": Resolvers(fields={"Comment.flag": _flag}),
        "billing": Resolvers(fields={"Canvas.totalPaint": _total_paint}),
    }
