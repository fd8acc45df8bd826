"""Data for the ``errors_nested`` case: failures inside entity fetches under lists of entities.

Why: errors from ``_entities`` must be re-pathed through list indexes (and aliases) of the client's response,
null entities must give null fields (or non-null violations), and null propagation must stop at the first
nullable position: a list item for ``[Book]!``, the whole list for ``[Book!]``.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.support.subgraph_schema import Resolvers

BOOKS: list[dict[str, Any]] = [
    {"id": f"b{n}", "title": title}
    for n, title in enumerate(["Dune", "Emma", "Ulysses", "Beloved", "Walden"], start=1)
]

SHELVES: list[dict[str, Any]] = [
    {"id": "s1", "name": "Front", "books": ["b1", "b2", None, "b3"], "strictBooks": ["b1", "b4"]},
    {"id": "s2", "name": "Back", "books": ["b4", "b5"], "strictBooks": ["b5"]},
    {"id": "s3", "name": "Empty", "books": [], "strictBooks": None},
]


def _books(ids: list[str | None] | None) -> list[dict[str, Any] | None] | None:
    if ids is None:
        return None
    by_id = {b["id"]: b for b in BOOKS}
    return [by_id[i] if i else None for i in ids]


def _rating(book: dict[str, Any], _i: Any) -> int:
    if book["id"] == "b2":
        raise GraphQLError(
            "rating under embargo", extensions={"code": "RATING_HIDDEN", "reason": "embargo", "until": 2030}
        )
    return int(book["id"][1:]) + 2


def _stars(book: dict[str, Any], _i: Any) -> int | None:
    return None if book["id"] == "b3" else int(book["id"][1:])


def _score(book: dict[str, Any], _i: Any) -> int:
    if book["id"] == "b4":
        raise GraphQLError("score service failed", extensions={"code": "SCORE_FAILED"})
    return int(book["id"][1:]) * 10


def _reviews(book: dict[str, Any], _i: Any) -> list[dict[str, Any]]:
    return {
        "b1": [{"text": "Classic", "score": 5}, {"text": None, "score": 4, "fail": True}],
        "b5": [{"text": "Calm", "score": None}],
    }.get(book["id"], [])


def _review_text(review: dict[str, Any], _i: Any) -> str | None:
    if review.get("fail"):
        raise GraphQLError("review text withheld", extensions={"code": "WITHHELD"})
    return review["text"]


def _tag_grid(book: dict[str, Any], _i: Any) -> list[list[str | None]] | None:
    if book["id"] == "b4":
        raise GraphQLError("grid broken", extensions={"code": "GRID"})
    return [["x", None], [], [book["id"]]]


STOCK: list[dict[str, Any]] = [
    {"id": "b1", "copies": 3, "location": "A1"},
    {"id": "b2", "copies": 0, "location": "A2"},
    {"id": "b3", "copies": None, "location": "B1"},
]


def build() -> dict[str, Resolvers]:
    shelves = [{**s, "books": _books(s["books"]), "strictBooks": _books(s["strictBooks"])} for s in SHELVES]
    return {
        "shelves": Resolvers(
            records={"Book": BOOKS},
            fields={
                "Query.shelves": lambda _o, _i: shelves,
                "Query.book": lambda _o, _i, id: next((b for b in BOOKS if b["id"] == id), None),
            },
        ),
        "ratings": Resolvers(
            fields={
                "Book.rating": _rating,
                "Book.stars": _stars,
                "Book.score": _score,
                "Book.reviews": _reviews,
                "Review.text": _review_text,
                "Book.tagGrid": _tag_grid,
            }
        ),
        "stock": Resolvers(records={"Book": STOCK}),
    }
