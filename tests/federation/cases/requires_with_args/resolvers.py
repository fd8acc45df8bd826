"""Data for the ``requires_with_args`` case: subgraphs @require one field with different arguments.

Why: ``shipping`` requires ``weight(unit: KILOGRAM)``, ``labels`` ``weight(unit: GRAM)`` and ``customs``
``weight(unit: POUND)``; ``shipping`` requires ``price(currency: USD)`` and ``labels``
``price(currency: EUR)``; nested, ``shipping`` requires ``dimensions { length(unit: CENTIMETER) height }``
and ``labels`` ``dimensions { length(unit: INCH) }``. A gateway must fetch each requirement with its own
arguments (aliased where two would share a response key in one fetch, or clash with a client field) and send
each subgraph the value of exactly the field it required, under the field's name. Every requiring field
computes its answer from the representation it received, so a value in the wrong unit or currency shows in
the data (and a missing one is an error). All weights, lengths and prices are non-integral, so they print
the same from every JSON encoder.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.support.subgraph_schema import Resolvers

PRODUCTS: list[dict[str, Any]] = [
    {
        "id": "p1",
        "name": "Anvil",
        "grams": 12500.5,
        "USD": 99.5,
        "EUR": 91.25,
        "dimensions": {"cm": 30.5, "height": 12.5},
    },
    {
        "id": "p2",
        "name": "Feather",
        "grams": 3.25,
        "USD": 4.75,
        "EUR": 4.5,
        "dimensions": {"cm": 12.75, "height": 0.5},
    },
    {"id": "p3", "name": "Kettle", "grams": 1250.75, "USD": 39.99, "EUR": 36.8, "dimensions": None},
]

SHIPMENTS: list[dict[str, Any]] = [
    {"id": "s1", "items": [{"id": "p3"}, {"id": "p1"}]},
    {"id": "s2", "items": [{"id": "p2"}]},
]


def _weight(product: dict[str, Any], _info: Any, unit: str) -> float:
    grams = float(product["grams"])
    if unit == "GRAM":
        return grams
    if unit == "KILOGRAM":
        return round(grams / 1000, 6)
    return round(grams / 453.59237, 4)


def _length(dimensions: dict[str, Any], _info: Any, unit: str) -> float:
    centimeters = float(dimensions["cm"])
    return centimeters if unit == "CENTIMETER" else round(centimeters / 2.54, 3)


def _price(product: dict[str, Any], _info: Any, currency: str) -> float:
    return float(product[currency])


def _required(obj: dict[str, Any], *names: str) -> list[Any]:
    missing = [n for n in names if n not in obj]
    if missing:
        raise GraphQLError(f"required fields missing from the representation: {missing}")
    return [obj[n] for n in names]


def _shipping_cost(obj: dict[str, Any], _info: Any) -> int:
    (kilograms,) = _required(obj, "weight")
    return round(500 + 120 * kilograms)


def _insurance(obj: dict[str, Any], _info: Any) -> int:
    (usd,) = _required(obj, "price")
    return int(usd * 10)


def _label(obj: dict[str, Any], _info: Any) -> str:
    (grams,) = _required(obj, "weight")
    return f"{grams} g"


def _price_tag(obj: dict[str, Any], _info: Any) -> str:
    name, eur = _required(obj, "name", "price")
    return f"{name}: {eur} EUR"


def _box_size(obj: dict[str, Any], _info: Any) -> str | None:
    (dimensions,) = _required(obj, "dimensions")
    if dimensions is None:
        return None
    return f"{dimensions['length']} cm x {dimensions['height']} cm"


def _size_label(obj: dict[str, Any], _info: Any) -> str | None:
    (dimensions,) = _required(obj, "dimensions")
    if dimensions is None:
        return None
    return f"{dimensions['length']} in long"


def _declaration(obj: dict[str, Any], _info: Any, country: str) -> str:
    (pounds,) = _required(obj, "weight")
    return f"{country}: {pounds} lb"


def build() -> dict[str, Resolvers]:
    return {
        "inventory": Resolvers(
            records={"Product": PRODUCTS},
            fields={
                "Query.products": lambda _o, _i: PRODUCTS,
                "Query.product": lambda _o, _i, id: next((p for p in PRODUCTS if p["id"] == id), None),
                "Product.weight": _weight,
                "Product.price": _price,
                "Dimensions.length": _length,
            },
        ),
        "shipping": Resolvers(
            records={"Shipment": SHIPMENTS},
            fields={
                "Query.shipments": lambda _o, _i: SHIPMENTS,
                "Product.shippingCost": _shipping_cost,
                "Product.insurance": _insurance,
                "Product.boxSize": _box_size,
            },
        ),
        "labels": Resolvers(
            fields={
                "Product.label": _label,
                "Product.priceTag": _price_tag,
                "Product.sizeLabel": _size_label,
            }
        ),
        "customs": Resolvers(fields={"Product.declaration": _declaration}),
    }
