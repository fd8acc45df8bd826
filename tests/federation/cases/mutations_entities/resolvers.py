"""Data for the ``mutations_entities`` case: mutations in three subgraphs whose results need entity fetches.

Why: mutation root fields run one after the other, *including* the entity fetches each one's selection needs:
a product name fetched for the first mutation must be read before a later mutation renames it. The cart,
catalog and orders state lives in this module (one process serves every subgraph) and each query starts by
resetting it, so queries do not depend on each other's order.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.support.subgraph_schema import Resolvers

NAMES = {"s1": "Lamp", "s2": "Desk", "s3": "Rug"}
PRICES = {"s1": 40, "s2": 250, "s3": 90}


def build() -> dict[str, Resolvers]:
    names = dict(NAMES)
    cart: dict[str, int] = {}
    orders: list[dict[str, Any]] = []

    def cart_view() -> dict[str, Any]:
        return {
            "id": "cart-1",
            "items": [{"product": {"sku": sku}, "quantity": qty} for sku, qty in cart.items()],
        }

    def reset_cart(_o: Any, _i: Any) -> bool:
        cart.clear()
        orders.clear()
        return True

    def reset_catalog(_o: Any, _i: Any) -> bool:
        names.clear()
        names.update(NAMES)
        return True

    def add(_o: Any, _i: Any, sku: str, quantity: int) -> dict[str, Any]:
        if sku not in NAMES:
            raise GraphQLError(f"unknown product {sku}", extensions={"code": "UNKNOWN_PRODUCT"})
        cart[sku] = cart.get(sku, 0) + quantity
        return cart_view()

    def remove(_o: Any, _i: Any, sku: str) -> dict[str, Any]:
        if sku not in cart:
            raise GraphQLError(f"{sku} is not in the cart", extensions={"code": "NOT_IN_CART"})
        del cart[sku]
        return cart_view()

    def rename(_o: Any, _i: Any, sku: str, name: str) -> dict[str, Any] | None:
        if sku not in names:
            return None
        names[sku] = name
        return product(sku)

    def product(sku: str) -> dict[str, Any]:
        return {"__typename": "Product", "sku": sku, "name": names[sku], "price": PRICES[sku]}

    def checkout(_o: Any, _i: Any) -> dict[str, Any]:
        order = {
            "__typename": "Order",
            "id": f"order-{len(orders) + 1}",
            "itemCount": sum(cart.values()),
            "products": [{"sku": sku} for sku in cart],
        }
        orders.append(order)
        cart.clear()
        return order

    def times_ordered(item: dict[str, Any], _i: Any) -> int:
        return sum(1 for o in orders for p in o["products"] if p["sku"] == item["sku"])

    return {
        "cart": Resolvers(
            fields={
                "Query.cart": lambda _o, _i: cart_view(),
                "Mutation.resetCart": reset_cart,
                "Mutation.addToCart": add,
                "Mutation.removeFromCart": remove,
            },
            references={"Cart": lambda _rep, _i: {"__typename": "Cart", **cart_view()}},
        ),
        "catalog": Resolvers(
            fields={
                "CatalogQuery.product": lambda _o, _i, sku: product(sku) if sku in names else None,
                "CatalogMutation.resetCatalog": reset_catalog,
                "CatalogMutation.renameProduct": rename,
            },
            references={"Product": lambda rep, _i: product(rep["sku"]) if rep["sku"] in names else None},
        ),
        "orders": Resolvers(
            fields={"Mutation.checkout": checkout, "Product.timesOrdered": times_ordered},
            references={"Order": lambda rep, _i: next((o for o in orders if o["id"] == rep["id"]), None)},
        ),
    }
