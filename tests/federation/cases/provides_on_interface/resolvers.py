"""Data for the ``provides_on_interface`` case: @provides on fields of interface type (single and list).

Why: a ``@provides`` with type conditions on an interface-typed field makes the providing subgraph a source
of the provided fields only for the implementations it names, and only on that path. For the other
implementations (and on other paths) the gateway must fetch the same fields from their owner.

To make a wrong plan visible in the data, shelf's objects carry a stale copy (``"stale ..."``) of every
external field it does not provide on that path; the copies it does provide equal catalog's data. A
gateway that reads a non-provided field from shelf answers ``stale ...`` instead of catalog's value.
"""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

PEOPLE: list[dict[str, Any]] = [
    {"id": "p1", "name": "Frank Herbert", "born": 1920},
    {"id": "p2", "name": "Jane Austen", "born": 1775},
    {"id": "p3", "name": "Ridley Scott", "born": 1937},
    {"id": "p4", "name": "Michael Mann", "born": 1943},
]

BOOKS: list[dict[str, Any]] = [
    {"id": "b1", "title": "Dune", "pages": 412, "author": PEOPLE[0], "related": "b2"},
    {"id": "b2", "title": "Emma", "pages": 474, "author": PEOPLE[1], "related": "m1"},
]

MOVIES: list[dict[str, Any]] = [
    {"id": "m1", "title": "Alien", "minutes": 117, "director": PEOPLE[2]},
    {"id": "m2", "title": "Heat", "minutes": 170, "director": PEOPLE[3]},
]

YEARS = {"b1": 1965, "b2": 1815}

CLIPS: list[dict[str, Any]] = [{"__typename": "Clip", "id": "c1", "title": "Trailer", "seconds": 90}]


def _catalog_related(book: dict[str, Any], _info: Any) -> dict[str, Any]:
    """catalog's Book.related: the Book or Movie record with that id."""
    media_id = book["related"]
    if media_id.startswith("m"):
        return {"__typename": "Movie", **next(m for m in MOVIES if m["id"] == media_id)}
    return {"__typename": "Book", **next(b for b in BOOKS if b["id"] == media_id)}


def _person(person_id: str, provided: bool) -> dict[str, Any]:
    person = next(p for p in PEOPLE if p["id"] == person_id)
    return {"id": person_id, "name": person["name"] if provided else f"stale {person['name']}"}


def _related(media_id: str, provided: bool) -> dict[str, Any]:
    """Shelf's copy of Book.related (an id in catalog); provided: ``related { ... on Movie { title } }``."""
    if media_id.startswith("m"):
        movie = next(m for m in MOVIES if m["id"] == media_id)
        return {"__typename": "Movie", "id": media_id, "title": movie["title"] if provided else "stale"}
    return {"__typename": "Book", "id": media_id, "title": "stale"}


def _book(book_id: str, title: bool = False, author: bool = False, related: bool = False) -> dict[str, Any]:
    """Shelf's copy of a book: real values for what the path provides, stale ones for the rest."""
    book = next(b for b in BOOKS if b["id"] == book_id)
    return {
        "__typename": "Book",
        "id": book_id,
        "title": book["title"] if title else f"stale {book['title']}",
        "author": _person(book["author"]["id"], author),
        "year": YEARS[book_id],
        "related": _related(book["related"], provided=related),
    }


def _movie(movie_id: str, title: bool = False, director: bool = False) -> dict[str, Any]:
    movie = next(m for m in MOVIES if m["id"] == movie_id)
    return {
        "__typename": "Movie",
        "id": movie_id,
        "title": movie["title"] if title else f"stale {movie['title']}",
        "director": _person(movie["director"]["id"], director),
    }


def _media(_obj: Any, _info: Any) -> list[dict[str, Any] | None]:
    # @provides(fields: "... on Book { title }")
    return [_book("b1", title=True), _movie("m1"), None, CLIPS[0], _movie("m2"), _book("b2", title=True)]


def _featured(_obj: Any, _info: Any, kind: str) -> dict[str, Any] | None:
    # @provides(fields: "... on Movie { title director { name } }")
    if kind == "movie":
        return _movie("m2", title=True, director=True)
    if kind == "book":
        return _book("b2")
    if kind == "clip":
        return CLIPS[0]
    return None


def _catalogue(_obj: Any, _info: Any) -> list[dict[str, Any]]:
    # nothing provided
    return [_movie("m1"), _book("b1"), CLIPS[0]]


SHELVES: list[dict[str, Any]] = [
    {
        "id": "s1",
        "name": "Classics",
        # @provides(fields: "... on Book { title author { name } related { ... on Movie { title } } }
        #                    ... on Movie { title }")
        "items": [_book("b2", title=True, author=True, related=True), _movie("m1", title=True), CLIPS[0]],
    },
    {
        "id": "s2",
        "name": "Thrillers",
        "items": [_movie("m2", title=True), _book("b1", title=True, author=True, related=True)],
    },
]


def build() -> dict[str, Resolvers]:
    return {
        "catalog": Resolvers(
            records={"Book": BOOKS, "Movie": MOVIES, "Person": PEOPLE},
            fields={"Book.related": _catalog_related},
        ),
        "shelf": Resolvers(
            records={
                # shelf's own entity records: what it resolves itself (a stale copy of the rest)
                "Book": [_book(b["id"]) for b in BOOKS],
                "Movie": [_movie(m["id"]) for m in MOVIES],
                "Person": [_person(p["id"], False) for p in PEOPLE],
                "Shelf": SHELVES,
            },
            fields={
                "Query.media": _media,
                "Query.featured": _featured,
                "Query.catalogue": _catalogue,
                "Query.shelf": lambda _o, _i, id: next((s for s in SHELVES if s["id"] == id), None),
            },
        ),
        "picks": Resolvers(
            records={"Shelf": [{"id": "s2"}, {"id": "s1"}]},
            fields={"Query.topShelves": lambda _o, _i: [{"id": "s2"}, {"id": "s1"}]},
        ),
    }
