"""Data for the ``unions_across`` case: one union whose members are spread over three subgraphs.

Why: each subgraph declares ``SearchResult`` with only the members it knows, so the gateway must send each
subgraph only the type conditions it can answer, resolve union members through entity fetches to other
subgraphs, and keep empty objects for items no fragment matches.
"""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

AUTHORS: list[dict[str, Any]] = [
    {"__typename": "Author", "id": "au1", "name": "Frank Herbert"},
    {"__typename": "Author", "id": "au2", "name": "Stanislaw Lem"},
]
BOOKS: list[dict[str, Any]] = [
    {"__typename": "Book", "isbn": "b1", "title": "Dune", "author": {"id": "au1"}},
    {"__typename": "Book", "isbn": "b2", "title": "Solaris", "author": {"id": "au2"}},
]
FILMS: list[dict[str, Any]] = [
    {"__typename": "Film", "id": "f1", "title": "Dune", "basedOn": {"isbn": "b1"}},
    {"__typename": "Film", "id": "f2", "title": "Solaris", "basedOn": {"isbn": "b2"}},
    {"__typename": "Film", "id": "f3", "title": "Heat", "basedOn": None},
]
# What video knows about books: only the key, plus titles to search on.
VIDEO_BOOK_TITLES = {"b1": "Dune", "b2": "Solaris"}
ALBUMS: list[dict[str, Any]] = [
    {"__typename": "Album", "id": "al1", "title": "Dune Suite"},
    {"__typename": "Album", "id": "al2", "title": "Blade Runner"},
]
# What music knows about authors: their albums, plus names to search on.
MUSIC_AUTHORS: list[dict[str, Any]] = [
    {"__typename": "Author", "id": "au1", "albums": ["al1"], "searchName": "herbert"},
    {"__typename": "Author", "id": "au2", "albums": [], "searchName": "lem"},
]


def _matches(text: str, term: str) -> bool:
    return term.lower() in text.lower()


def _catalog() -> Resolvers:
    def search(_o: Any, _i: Any, term: str) -> list[dict[str, Any]]:
        return [b for b in BOOKS if _matches(b["title"], term)] + [
            a for a in AUTHORS if _matches(a["name"], term)
        ]

    return Resolvers(
        records={"Book": BOOKS, "Author": AUTHORS, "Shelf": [{"id": "s1", "label": "Favourites"}]},
        fields={
            "Query.search": search,
            "Book.author": lambda book, _i: next(a for a in AUTHORS if a["id"] == book["author"]["id"]),
            "Query.shelf": lambda _o, _i, id: {"id": id, "label": "Favourites"} if id == "s1" else None,
        },
    )


def _video() -> Resolvers:
    def search(_o: Any, _i: Any, term: str) -> list[dict[str, Any]]:
        films = [f for f in FILMS if _matches(f["title"], term)]
        books = [{"__typename": "Book", "isbn": k} for k, t in VIDEO_BOOK_TITLES.items() if _matches(t, term)]
        return films + books

    def adaptations(book: dict[str, Any], _i: Any) -> list[dict[str, Any]]:
        return [f for f in FILMS if f["basedOn"] and f["basedOn"]["isbn"] == book["isbn"]]

    return Resolvers(
        records={"Film": FILMS},
        fields={"Query.searchVideo": search, "Book.adaptations": adaptations},
    )


def _music() -> Resolvers:
    by_id = {a["id"]: a for a in ALBUMS}

    def search(_o: Any, _i: Any, term: str) -> list[dict[str, Any]]:
        return [a for a in ALBUMS if _matches(a["title"], term)] + [
            a for a in MUSIC_AUTHORS if _matches(a["searchName"], term)
        ]

    def stacks(shelf: dict[str, Any], _i: Any) -> list[list[dict[str, Any] | None]]:
        if shelf["id"] != "s1":
            return []
        return [[by_id["al1"], MUSIC_AUTHORS[0]], [], [by_id["al2"], None]]

    return Resolvers(
        records={"Album": ALBUMS, "Author": MUSIC_AUTHORS},
        fields={
            "Query.searchMusic": search,
            "Author.albums": lambda author, _i: [by_id[i] for i in author["albums"]],
            "Shelf.stacks": stacks,
        },
    )


def build() -> dict[str, Resolvers]:
    return {"catalog": _catalog(), "video": _video(), "music": _music()}
