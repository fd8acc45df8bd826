"""Data for the ``union_intersection`` case: one union whose member set differs in each of three subgraphs.

Why: ``Media`` is ``Book | Song`` in shop, ``Book | Movie`` in cinema and ``Song | Movie | Podcast`` in
radio. The gateway may send a subgraph type conditions only on the members that subgraph's ``Media`` has
(cinema knows the type ``Song`` but ``Song`` is not one of its members), must take member fields from a
subgraph that has them, and must never invent members. ``featured`` and ``Book.pick`` are ``@shareable`` in
shop and cinema (typed ``[Book!]!`` and ``Book`` in cinema), so they only ever return members both know
(books), identically in both; the same holds for ``Movie.poster`` (``Art``) and ``Query.charts``
(``ChartEntry``) between cinema/radio and shop/radio.
"""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

BOOKS: list[dict[str, Any]] = [
    {"__typename": "Book", "id": "b1", "title": "Dune", "pages": 412},
    {"__typename": "Book", "id": "b2", "title": "Solaris", "pages": 204},
    {"__typename": "Book", "id": "b3", "title": "Ubik", "pages": 202},
]
MOVIES: list[dict[str, Any]] = [
    {"__typename": "Movie", "id": "m1", "title": "Dune", "year": 2021},
    {"__typename": "Movie", "id": "m2", "title": "Solaris", "year": 1972},
    {"__typename": "Movie", "id": "m3", "title": "Alien", "year": 1979},
]
SONGS: dict[str, dict[str, Any]] = {
    "s1": {"__typename": "Song", "title": "Arrakis", "seconds": 180},
    "s2": {"__typename": "Song", "title": "Solaris Theme", "seconds": 240},
    "s3": {"__typename": "Song", "title": "Main Title", "seconds": 200},
}
# Shared by shop and cinema (both @shareable): always a book or null.
PICKS: dict[str, str | None] = {"b1": "b2", "b2": None, "b3": "b1"}
# shop: a book's companions (shop's members: books and songs).
COMPANIONS: dict[str, list[tuple[str, str]]] = {
    "b1": [("Song", "s1"), ("Book", "b2")],
    "b2": [("Song", "s2")],
    "b3": [],
}
# cinema
ADAPTATIONS: dict[str, list[str]] = {"b1": ["m1"], "b2": ["m2"], "b3": []}
THEME_SONGS: dict[str, str | None] = {"m1": "s1", "m2": "s2", "m3": None}
TIE_INS: dict[str, list[tuple[str, str]]] = {
    "m1": [("Book", "b1")],
    "m2": [("Book", "b2"), ("Movie", "m1")],
    "m3": [],
}
# cinema and radio (Movie.poster is @shareable): always a Still, the only Art member both know
POSTERS: dict[str, dict[str, Any] | None] = {
    "m1": {"__typename": "Still", "url": "/dune.png", "alt": "Dune poster"},
    "m2": {"__typename": "Still", "url": "/solaris.png", "alt": "Solaris poster"},
    "m3": None,
}
# shop and radio (Query.charts is @shareable): songs and hits only, the members both know
CHARTS: list[dict[str, Any]] = [
    {
        "name": "Top",
        "curator": "Kim",
        "entries": [SONGS["s1"], {"__typename": "Hit", "title": "Spice Melody", "plays": 900}, SONGS["s3"]],
    },
    {
        "name": "New",
        "curator": "Lou",
        "entries": [{"__typename": "Hit", "title": "Ocean Planet", "plays": 12}],
    },
]
# radio
ON_AIR: dict[str, list[tuple[str, str]]] = {
    "m1": [("Song", "s1"), ("Podcast", "p1")],
    "m2": [("Song", "s2")],
    "m3": [("Podcast", "p2")],
}
PODCASTS: dict[str, dict[str, Any]] = {
    "p1": {"__typename": "Podcast", "id": "p1", "title": "Sci-Fi Hour", "host": "Ann"},
    "p2": {"__typename": "Podcast", "id": "p2", "title": "Reel Talk", "host": "Bob"},
}
DISCUSSES: dict[str, list[tuple[str, str]]] = {
    "p1": [("Movie", "m2"), ("Song", "s1")],
    "p2": [("Movie", "m3")],
}


def _book(book_id: str) -> dict[str, Any]:
    return next(b for b in BOOKS if b["id"] == book_id)


def _movie(movie_id: str) -> dict[str, Any]:
    return next(m for m in MOVIES if m["id"] == movie_id)


def _cinema_book(book_id: str) -> dict[str, Any]:
    """What cinema knows of a book: its key only."""
    return {"__typename": "Book", "id": book_id}


def _provided_book(book_id: str) -> dict[str, Any]:
    """What cinema's nowShowing returns for a book: the key plus the title it @provides."""
    return {**_cinema_book(book_id), "title": _book(book_id)["title"]}


def _shop() -> Resolvers:
    def member(kind: str, ident: str) -> dict[str, Any]:
        return _book(ident) if kind == "Book" else SONGS[ident]

    def pick(book: dict[str, Any], _i: Any) -> dict[str, Any] | None:
        target = PICKS[book["id"]]
        return _book(target) if target else None

    return Resolvers(
        records={"Book": BOOKS},
        fields={
            "Query.featured": lambda _o, _i: [_book("b1"), _book("b2")],
            "Query.shopShelf": lambda _o, _i: [_book("b1"), SONGS["s1"], _book("b3"), SONGS["s2"]],
            "Book.companions": lambda book, _i: [member(k, i) for k, i in COMPANIONS[book["id"]]],
            "Book.pick": pick,
            "Query.charts": lambda _o, _i: CHARTS,
        },
    )


def _cinema() -> Resolvers:
    def member(kind: str, ident: str) -> dict[str, Any]:
        return _cinema_book(ident) if kind == "Book" else _movie(ident)

    def pick(book: dict[str, Any], _i: Any) -> dict[str, Any] | None:
        target = PICKS[book["id"]]
        return _cinema_book(target) if target else None

    def theme_song(movie: dict[str, Any], _i: Any) -> dict[str, Any] | None:
        song = THEME_SONGS[movie["id"]]
        return SONGS[song] if song else None

    return Resolvers(
        records={"Book": [_cinema_book(b["id"]) for b in BOOKS], "Movie": MOVIES},
        fields={
            "Query.featured": lambda _o, _i: [_cinema_book("b1"), _cinema_book("b2")],
            "Query.nowShowing": lambda _o, _i: [
                _movie("m1"),
                _provided_book("b2"),
                _movie("m3"),
                _provided_book("b3"),
            ],
            "Book.adaptations": lambda book, _i: [_movie(m) for m in ADAPTATIONS[book["id"]]],
            "Book.pick": pick,
            "Movie.themeSong": theme_song,
            "Movie.tieIns": lambda movie, _i: [member(k, i) for k, i in TIE_INS[movie["id"]]],
            "Movie.poster": lambda movie, _i: POSTERS[movie["id"]],
        },
    )


def _radio() -> Resolvers:
    radio_movies = [{"__typename": "Movie", "id": m["id"], "title": m["title"]} for m in MOVIES]

    def member(kind: str, ident: str) -> dict[str, Any]:
        if kind == "Song":
            return SONGS[ident]
        if kind == "Podcast":
            return PODCASTS[ident]
        return next(m for m in radio_movies if m["id"] == ident)

    def movie_tie_ins(movie: dict[str, Any], _i: Any) -> list[dict[str, Any]]:
        # the representation carries cinema's tie-ins: books only as {"__typename": "Book"}
        items = movie["tieIns"]
        if any(set(item) != {"__typename"} for item in items if item["__typename"] != "Movie"):
            raise ValueError(f"unexpected non-movie tie-in in the representation: {items!r}")
        return [member("Movie", item["id"]) for item in items if item["__typename"] == "Movie"]

    return Resolvers(
        records={"Movie": radio_movies},
        fields={
            "Query.playlist": lambda _o, _i: [
                member("Song", "s1"),
                member("Movie", "m2"),
                member("Podcast", "p1"),
                None,
                member("Song", "s3"),
            ],
            "Query.podcast": lambda _o, _i, id: PODCASTS.get(id),
            "Query.charts": lambda _o, _i: CHARTS,
            "Movie.onAir": lambda movie, _i: [member(k, i) for k, i in ON_AIR[movie["id"]]],
            "Movie.movieTieIns": movie_tie_ins,
            "Movie.poster": lambda movie, _i: POSTERS[movie["id"]],
            "Podcast.discusses": lambda podcast, _i: [member(k, i) for k, i in DISCUSSES[podcast["id"]]],
        },
    )


def build() -> dict[str, Resolvers]:
    return {"shop": _shop(), "cinema": _cinema(), "radio": _radio()}
