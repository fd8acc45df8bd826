"""Per-request DataLoaders for the products subgraph (one per entity key).

Why per request: loaders cache results, so they must not outlive the request that created them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aiodataloader import DataLoader

from subgraphs.products.db import ProductRow, ProductsDB


@dataclass(frozen=True, slots=True)
class ProductsLoaders:
    """The loaders one request may use."""

    product_by_upc: DataLoader[str, ProductRow | None]
    product_by_sku: DataLoader[str, ProductRow | None]


def _loader(fetch: Callable[[Sequence[str]], dict[str, ProductRow]]) -> DataLoader[str, ProductRow | None]:
    async def load(keys: list[str]) -> list[ProductRow | None]:
        found = fetch(keys)
        return [found.get(key) for key in keys]

    return DataLoader(load)


def create_loaders(db: ProductsDB) -> ProductsLoaders:
    """Fresh loaders bound to ``db``; each batch costs one SQL query."""
    return ProductsLoaders(
        product_by_upc=_loader(db.products_by_upcs), product_by_sku=_loader(db.products_by_skus)
    )
