"""Data for the ``shared_roots`` case: the same root fields are @shareable in several subgraphs, and
each subgraph knows different fields of what they return.

Why: for the entity ``Book`` (@key in category, name and price) the gateway must pick one subgraph that has
the root field and fetch the other fields through ``_entities``; for the value type ``Product`` (no @key at
all) it cannot jump between subgraphs, so it must run the root field in every subgraph that has requested
fields and merge the copies (by position for the ``products`` list, which holds a null at index 1
everywhere). No subgraph may be asked for a field it does not define. All subgraphs agree on ids, list order
and shared fields.
"""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

PRODUCT_IDS = ["p1", None, "p2", "p3"]
PRODUCTS: dict[str, dict[str, Any]] = {
    "p1": {
        "id": "p1",
        "category": "kitchen",
        "name": "Kettle",
        "price": 20,
        "dimensions": {"width": 15, "height": 25, "weight": 1200},
        "book": "b1",
    },
    "p2": {
        "id": "p2",
        "category": "lighting",
        "name": "Lamp",
        "price": 35,
        "dimensions": {"width": 30, "height": 60, "weight": 800},
        "book": None,
    },
    "p3": {
        "id": "p3",
        "category": "furniture",
        "name": "Chair",
        "price": 120,
        "dimensions": None,
        "book": "b3",
    },
}
BOOK_IDS = ["b1", "b2", "b3"]
BOOKS: dict[str, dict[str, Any]] = {
    "b1": {"id": "b1", "genre": "science fiction", "title": "Dune", "price": 12},
    "b2": {"id": "b2", "genre": "romance", "title": "Emma", "price": 9},
    "b3": {"id": "b3", "genre": "modernist", "title": "Ulysses", "price": 15},
}
CATEGORY_FIELDS = {
    "Product": ("id", "category", "dimensions"),
    "Dimensions": ("width", "height"),
    "Book": ("id", "genre"),
}
NAME_FIELDS = {"Product": ("id", "name", "book"), "Book": ("id", "title")}
PRICE_FIELDS = {
    "Product": ("id", "price", "dimensions"),
    "Dimensions": ("width", "weight"),
    "Book": ("id", "price"),
}


def _subgraph(fields: dict[str, tuple[str, ...]], roots: tuple[str, ...]) -> Resolvers:
    """One subgraph's view: only its own fields of every record, and only its own root fields."""

    def cut(record: dict[str, Any] | None, type_name: str) -> dict[str, Any] | None:
        if record is None:
            return None
        return {k: v for k, v in record.items() if k in fields[type_name]}

    def product(pid: str | None) -> dict[str, Any] | None:
        view = cut(PRODUCTS.get(pid) if pid else None, "Product")
        if view is None:
            return None
        if "dimensions" in view:
            view["dimensions"] = cut(view["dimensions"], "Dimensions")
        if "book" in view:
            view["book"] = cut(BOOKS[view["book"]], "Book") if view["book"] else None
        return view

    books = [cut(BOOKS[b], "Book") for b in BOOK_IDS]
    resolvers: dict[str, Any] = {
        "Query.product": lambda _o, _i, id: product(id),
        "Query.products": lambda _o, _i: [product(p) for p in PRODUCT_IDS],
        "Query.book": lambda _o, _i, id: cut(BOOKS.get(id), "Book"),
        "Query.books": lambda _o, _i: books,
        "Query.categories": lambda _o, _i: sorted({p["category"] for p in PRODUCTS.values()}),
        "Query.bestseller": lambda _o, _i: cut(BOOKS["b3"], "Book"),
    }
    return Resolvers(
        records={"Book": [b for b in books if b is not None]},
        fields={k: v for k, v in resolvers.items() if k.removeprefix("Query.") in roots},
    )


def build() -> dict[str, Resolvers]:
    return {
        "category": _subgraph(CATEGORY_FIELDS, ("product", "products", "book", "books", "categories")),
        "name": _subgraph(NAME_FIELDS, ("product", "products", "book", "books")),
        "price": _subgraph(PRICE_FIELDS, ("product", "products", "books", "bestseller")),
    }
