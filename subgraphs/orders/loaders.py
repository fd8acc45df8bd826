"""Per-request DataLoaders for the orders subgraph.

Why per request: loaders cache results, so they must not outlive the request that created them.
Parameterised loaders (a page of a user's orders) are keyed by ``(parent, page...)``; one batch is split
by page parameters, which in practice are identical for every parent, so a batch is still one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from aiodataloader import DataLoader

from subgraphs.common.pagination import PageRequest
from subgraphs.orders.db import LineRow, OrderRow, OrdersDB

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
P = TypeVar("P", bound=Hashable)

BuyerPageKey = tuple[int, PageRequest]
"""(buyer id, page) for ``User.orders``."""
ProductRecentKey = tuple[str, int]
"""(product UPC, limit) for ``Product.recentOrders``."""


@dataclass(frozen=True, slots=True)
class OrdersLoaders:
    """The loaders one request may use."""

    order_by_id: DataLoader[int, OrderRow | None]
    lines_by_order: DataLoader[int, list[LineRow]]
    orders_by_buyer: DataLoader[BuyerPageKey, list[OrderRow]]
    order_count_by_buyer: DataLoader[int, int]
    units_sold_by_upc: DataLoader[str, int]
    recent_orders_by_upc: DataLoader[ProductRecentKey, list[OrderRow]]


def _simple(fetch: Callable[[Sequence[K]], dict[K, V]], missing: Callable[[], V]) -> DataLoader[K, V]:
    async def load(keys: list[K]) -> list[V]:
        found = fetch(keys)
        return [found[key] if key in found else missing() for key in keys]

    return DataLoader(load)


def _by_param(
    fetch: Callable[[Sequence[K], P], dict[K, list[V]]],
) -> DataLoader[tuple[K, P], list[V]]:
    async def load(keys: list[tuple[K, P]]) -> list[list[V]]:
        parents_by_param: dict[P, list[K]] = defaultdict(list)
        for parent, param in keys:
            parents_by_param[param].append(parent)
        results = {param: fetch(parents, param) for param, parents in parents_by_param.items()}
        return [list(results[param].get(parent, [])) for parent, param in keys]

    return DataLoader(load)


def create_loaders(db: OrdersDB) -> OrdersLoaders:
    """Fresh loaders bound to ``db``; each batch costs one SQL query (per distinct page parameter)."""
    return OrdersLoaders(
        order_by_id=_simple(db.orders_by_ids, lambda: None),
        lines_by_order=_simple(db.lines_by_order_ids, list),
        orders_by_buyer=_by_param(db.orders_for_buyers),
        order_count_by_buyer=_simple(db.order_counts, lambda: 0),
        units_sold_by_upc=_simple(db.units_sold, lambda: 0),
        recent_orders_by_upc=_by_param(db.recent_orders_for_products),
    )
